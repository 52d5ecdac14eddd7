package tensor

import (
	"fmt"
	"slices"

	"github.com/sciml-go/sciml/internal/vmath"
)

// This file holds the indexing operations: slicing, padding, gathering
// index sets, concatenation and selection. Their results are new tensors,
// except that an operation that would change nothing (a full-range Slice,
// a Pad with zero widths, Concat of one tensor) returns its input itself,
// as Permute does. All but Concat and Where are one linear operation, remap, which sums input elements into output elements
// along each axis by a sparse 0/1 map; its adjoint (its backward rule) is
// remap with the transposed maps, so every one of them is differentiable to
// any order at the cost of one copy-like pass per derivative.

// An axisMap says, for each index j of an output axis, which indices of the
// input axis (of size n) are summed into it: idx[ptr[j]:ptr[j+1]], in that
// order. An empty list gives zero. A nil *axisMap is the identity.
type axisMap struct {
	n   int
	ptr []int
	idx []int
}

func (a *axisMap) size() int { return len(a.ptr) - 1 }

func (a *axisMap) list(j int) []int { return a.idx[a.ptr[j]:a.ptr[j+1]] }

// pickMap returns the map out[j] = in[src[j]] on an input axis of n
// entries, with out[j] = 0 where src[j] < 0. It returns nil (the identity)
// when src is 0, 1, …, n−1.
func pickMap(n int, src []int) *axisMap {
	if len(src) == n {
		id := true
		for j, s := range src {
			if s != j {
				id = false
				break
			}
		}
		if id {
			return nil
		}
	}
	a := &axisMap{n: n, ptr: make([]int, len(src)+1), idx: make([]int, 0, len(src))}
	for j, s := range src {
		if s >= 0 {
			a.idx = append(a.idx, s)
		}
		a.ptr[j+1] = len(a.idx)
	}
	return a
}

// transpose returns the adjoint map: its entry s lists, in increasing
// order, every j whose list holds s (as often as it holds it).
func (a *axisMap) transpose() *axisMap {
	if a == nil {
		return nil
	}
	m := a.size()
	t := &axisMap{n: m, ptr: make([]int, a.n+1), idx: make([]int, len(a.idx))}
	for _, s := range a.idx {
		t.ptr[s+1]++
	}
	for s := range a.n {
		t.ptr[s+1] += t.ptr[s]
	}
	next := slices.Clone(t.ptr[:a.n])
	for j := range m {
		for _, s := range a.list(j) {
			t.idx[next[s]] = j
			next[s]++
		}
	}
	return t
}

// A piece is a run of output positions [d0, d0+n) on the last mapped axis
// that is filled in one way: from input positions s0, s0+st, … (s0 ≥ 0),
// with zeros (s0 == −1), or, for the single position d0 (n == 1), with the
// sum of the input positions in list (s0 == −2).
type piece struct {
	d0, n, s0, st int
	list          []int
}

// remapPlan is the loop nest of a remap: rows over the output axes before
// the last mapped axis L, pieces along L, contiguous blocks of inner
// elements (the axes after L, all identity) within.
type remapPlan struct {
	in, out []int
	maps    []*axisMap // the lead axes' maps (axes < L)
	stride  []int      // input element strides of the lead axes
	pieces  []piece
	inner   int
	rows    int
	rowLen  int // output elements per row
	chunk   int // units (row, piece) per parallel chunk
}

func newRemapPlan(in []int, maps []*axisMap) *remapPlan {
	L := -1
	out := slices.Clone(in)
	for d, m := range maps {
		if m != nil {
			if m.n != in[d] {
				panic(fmt.Sprintf("tensor: internal error: map for %d entries on axis %d of %v", m.n, d, in))
			}
			out[d] = m.size()
			L = d
		}
	}
	p := &remapPlan{in: slices.Clone(in), out: out, maps: maps[:L], inner: 1, rows: 1}
	for _, s := range in[L+1:] {
		p.inner *= s
	}
	for _, s := range out[:L] {
		p.rows *= s
	}
	p.stride = make([]int, L)
	s := p.inner * in[L]
	for d := L - 1; d >= 0; d-- {
		p.stride[d] = s
		s *= in[d]
	}
	p.rowLen = out[L] * p.inner
	p.pieces = makePieces(maps[L], max(1, grain/max(p.inner, 1)))
	if np := len(p.pieces); np > 0 {
		per := max(1, p.rowLen/np)
		p.chunk = max(1, grain/per)
	}
	return p
}

// makePieces splits the positions of the map m into pieces of at most
// maxN positions.
func makePieces(m *axisMap, maxN int) []piece {
	var ps []piece
	for j := range m.size() {
		l := m.list(j)
		k := len(ps) - 1
		switch len(l) {
		case 0:
			if k >= 0 && ps[k].s0 == -1 && ps[k].n < maxN {
				ps[k].n++
				continue
			}
			ps = append(ps, piece{d0: j, n: 1, s0: -1})
		case 1:
			s := l[0]
			if k >= 0 && ps[k].s0 >= 0 && ps[k].n < maxN {
				if ps[k].n == 1 {
					ps[k].st = s - ps[k].s0
					ps[k].n++
					continue
				}
				if ps[k].s0+ps[k].n*ps[k].st == s {
					ps[k].n++
					continue
				}
			}
			ps = append(ps, piece{d0: j, n: 1, s0: s, st: 1})
		default:
			ps = append(ps, piece{d0: j, n: 1, s0: -2, list: l})
		}
	}
	return ps
}

// rowBases returns the input offsets of every combination of input
// indices that output row r sums over (none: the row is zero).
func (p *remapPlan) rowBases(r int, idx, buf, tmp []int) (bases, spare []int) {
	for d := len(p.maps) - 1; d >= 0; d-- {
		idx[d] = r % p.out[d]
		r /= p.out[d]
	}
	buf = append(buf[:0], 0)
	for d, m := range p.maps {
		if m == nil {
			for i := range buf {
				buf[i] += idx[d] * p.stride[d]
			}
			continue
		}
		l := m.list(idx[d])
		switch len(l) {
		case 0:
			return buf[:0], tmp
		case 1:
			for i := range buf {
				buf[i] += l[0] * p.stride[d]
			}
		default:
			tmp = tmp[:0]
			for _, b := range buf {
				for _, s := range l {
					tmp = append(tmp, b+s*p.stride[d])
				}
			}
			buf, tmp = tmp, buf
		}
	}
	return buf, tmp
}

func remapRun[T Scalar](dst, src []T, p *remapPlan) {
	np := len(p.pieces)
	if np == 0 || p.rows == 0 {
		return
	}
	in := p.inner
	parallelRange(p.rows*np, p.chunk, func(lo, hi int) {
		idx := make([]int, len(p.maps))
		var bases, spare []int
		row := -1
		for u := lo; u < hi; u++ {
			r, pc := u/np, &p.pieces[u%np]
			if r != row {
				row = r
				bases, spare = p.rowBases(r, idx, bases, spare)
			}
			off := r*p.rowLen + pc.d0*in
			d := dst[off : off+pc.n*in]
			if len(bases) == 0 || pc.s0 == -1 {
				clear(d)
				continue
			}
			for bi, b := range bases {
				add := bi > 0
				switch {
				case pc.s0 == -2:
					for li, j := range pc.list {
						copyOrAdd(d, src[b+j*in:b+(j+1)*in], add || li > 0)
					}
				case pc.st == 1:
					copyOrAdd(d, src[b+pc.s0*in:b+(pc.s0+pc.n)*in], add)
				case in == 1:
					o, st := b+pc.s0, pc.st
					if add {
						for i := range d {
							d[i] += src[o+i*st]
						}
					} else {
						for i := range d {
							d[i] = src[o+i*st]
						}
					}
				default:
					for i := range pc.n {
						o := b + (pc.s0+i*pc.st)*in
						copyOrAdd(d[i*in:(i+1)*in], src[o:o+in], add)
					}
				}
			}
		}
	})
}

// copyOrAdd sets d = s or d += s (len(s) ≥ len(d)); short blocks are
// copied in a loop rather than by a memmove call.
func copyOrAdd[T Scalar](d, s []T, add bool) {
	s = s[:len(d)]
	switch {
	case add:
		if d32, ok := any(d).([]float32); ok && len(d) >= 64 {
			vmath.Add(d32, d32, any(s).([]float32))
			return
		}
		for i := range d {
			d[i] += s[i]
		}
	case len(d) <= 8:
		for i := range d {
			d[i] = s[i]
		}
	default:
		copy(d, s)
	}
}

// remap returns y with y[j₀,…,j_k] = Σ x[s₀,…,s_k] over every s_d in the
// list of maps[d] for j_d (s_d = j_d where maps[d] is nil). It is linear;
// its backward rule is remap with the transposed maps (named adj), whose
// own backward is this op again. x itself is returned when every map is
// the identity.
func remap(x *Tensor, maps []*axisMap, op, adj string) *Tensor {
	if !slices.ContainsFunc(maps, func(m *axisMap) bool { return m != nil }) {
		return x
	}
	p := newRemapPlan(x.shape, maps)
	out := empty(arenaOf(x), x.dtype, p.out...)
	switch d := out.data.(type) {
	case []float32:
		remapRun(d, x.Float32s(), p)
	case []float64:
		remapRun(d, x.Float64s(), p)
	case []complex64:
		remapRun(d, x.Complex64s(), p)
	case []complex128:
		remapRun(d, x.Complex128s(), p)
	}
	return record(out, op, func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		t := make([]*axisMap, len(maps))
		for i, m := range maps {
			t[i] = m.transpose()
		}
		return []*Tensor{remap(g, t, adj, op)}
	}, x)
}

// axisMaps returns len(shape) nil maps with m at axis.
func axisMaps(shape []int, axis int, m *axisMap) []*axisMap {
	maps := make([]*axisMap, len(shape))
	maps[axis] = m
	return maps
}

// Narrow returns the length entries of x from start on along axis:
// y[…, j, …] = x[…, start+j, …]. A negative start counts from the end. Its
// backward places the gradient back into a zero tensor of x's shape.
func Narrow(x *Tensor, axis, start, length int) *Tensor {
	ax := x.axis(axis)
	n := x.shape[ax]
	if start < 0 {
		start += n
	}
	if start < 0 || length < 0 || start+length > n {
		panic(fmt.Sprintf("tensor.Narrow: entries [%d, %d) of axis %d out of range for shape %v", start, start+length, axis, x.shape))
	}
	return sliceAxis(x, ax, start, length, 1, "Narrow")
}

// Slice returns the entries start, start+step, … (before stop) of x along
// axis: y[…, j, …] = x[…, start+j·step, …] for
// 0 ≤ j < ⌈(stop−start)/step⌉. Negative start and stop count from the end;
// step must be ≥ 1 (Slice(x, -1, 0, n, k) keeps every k-th grid point). Its
// backward scatters the gradient into a zero tensor of x's shape.
func Slice(x *Tensor, axis, start, stop, step int) *Tensor {
	ax := x.axis(axis)
	n := x.shape[ax]
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	if step < 1 || start < 0 || stop > n || start > stop {
		panic(fmt.Sprintf("tensor.Slice: [%d:%d:%d] on axis %d out of range for shape %v", start, stop, step, axis, x.shape))
	}
	return sliceAxis(x, ax, start, (stop-start+step-1)/step, step, "Slice")
}

func sliceAxis(x *Tensor, ax, start, m, step int, op string) *Tensor {
	src := make([]int, m)
	for j := range src {
		src[j] = start + j*step
	}
	return remap(x, axisMaps(x.shape, ax, pickMap(x.shape[ax], src)), op, op+"Backward")
}

// Split cuts x along axis into consecutive parts of the given sizes, which
// must add up to the size of the axis. Each part is a Narrow of x.
func Split(x *Tensor, axis int, sizes ...int) []*Tensor {
	ax := x.axis(axis)
	total := 0
	for _, s := range sizes {
		if s < 0 {
			total = -1
			break
		}
		total += s
	}
	if total != x.shape[ax] {
		panic(fmt.Sprintf("tensor.Split: sizes %v do not add up to axis %d of shape %v", sizes, axis, x.shape))
	}
	parts := make([]*Tensor, len(sizes))
	off := 0
	for i, s := range sizes {
		parts[i] = Narrow(x, ax, off, s)
		off += s
	}
	return parts
}

// Chunk cuts x along axis into k parts of equal size; the size of the axis
// must be a multiple of k.
func Chunk(x *Tensor, axis, k int) []*Tensor {
	ax := x.axis(axis)
	if k < 1 || x.shape[ax]%k != 0 {
		panic(fmt.Sprintf("tensor.Chunk: axis %d of shape %v does not split into %d equal parts", axis, x.shape, k))
	}
	sizes := make([]int, k)
	for i := range sizes {
		sizes[i] = x.shape[ax] / k
	}
	return Split(x, ax, sizes...)
}

// PadMode says how Pad fills the entries outside the input.
type PadMode uint8

// The padding modes. With t = j − before the position of output entry j
// relative to the input on an axis of n entries:
//
//	PadZero       y[j] = x[t] for 0 ≤ t < n, else 0
//	PadPeriodic   y[j] = x[t mod n]                  (circular wrap)
//	PadReflect    y[j] = x[r(t)], r the even 2(n−1)-periodic extension of
//	              0, 1, …, n−1 (mirror without repeating the edge, as
//	              NumPy's and PyTorch's "reflect")
//	PadReplicate  y[j] = x[min(max(t, 0), n−1)]       (repeat the edge)
const (
	PadZero PadMode = iota
	PadPeriodic
	PadReflect
	PadReplicate
)

// String returns the mode's name: "zero", "periodic", "reflect" or
// "replicate".
func (m PadMode) String() string {
	switch m {
	case PadZero:
		return "zero"
	case PadPeriodic:
		return "periodic"
	case PadReflect:
		return "reflect"
	case PadReplicate:
		return "replicate"
	}
	return fmt.Sprintf("PadMode(%d)", uint8(m))
}

// source returns the input position for output position j of an axis of
// n entries padded with before entries in front, or −1 for a zero.
func (m PadMode) source(j, before, n int) int {
	t := j - before
	if t >= 0 && t < n {
		return t
	}
	switch m {
	case PadPeriodic:
		return mod(t, n)
	case PadReflect:
		if n == 1 {
			return 0
		}
		p := 2 * (n - 1)
		t = mod(t, p)
		if t >= n {
			t = p - t
		}
		return t
	case PadReplicate:
		return min(max(t, 0), n-1)
	}
	return -1
}

func mod(a, n int) int {
	a %= n
	if a < 0 {
		a += n
	}
	return a
}

// Pad pads the trailing len(widths) axes of x: widths[i] = {before, after}
// is the number of entries added in front of and behind axis
// x.NDim()−len(widths)+i (axis order, unlike torch.nn.functional.pad, which
// lists the last axis first), filled as mode says (see PadMode). A
// negative width crops: Pad(x, PadZero, [2]int{-1, -2}) drops one entry at
// the front and two at the back, and Pad with widths {−b, −a} undoes a
// pad with {b, a} in any mode. Widths may exceed the size of the axis
// (PadPeriodic then wraps around more than once).
//
// Pad is linear, y = P x, and its backward is Pᵀg: for PadZero a crop of
// the gradient, for PadPeriodic a fold that adds each wrapped entry back
// onto the input position it was copied from (similarly for the other
// modes). Both directions are differentiable to any order.
func Pad(x *Tensor, mode PadMode, widths ...[2]int) *Tensor {
	if len(widths) > x.NDim() {
		panic(fmt.Sprintf("tensor.Pad: %d widths for shape %v", len(widths), x.shape))
	}
	if mode > PadReplicate {
		panic(fmt.Sprintf("tensor.Pad: unknown mode %v", mode))
	}
	maps := make([]*axisMap, x.NDim())
	lead := x.NDim() - len(widths)
	for i, w := range widths {
		d := lead + i
		n := x.shape[d]
		m := n + w[0] + w[1]
		if m < 0 || (n == 0 && m > 0 && mode != PadZero) || (w[0] < -n || w[1] < -n) {
			panic(fmt.Sprintf("tensor.Pad: widths %v (%v) do not fit axis %d of shape %v", w, mode, d, x.shape))
		}
		if w[0] == 0 && w[1] == 0 {
			continue
		}
		src := make([]int, m)
		for j := range src {
			src[j] = mode.source(j, w[0], n)
		}
		maps[d] = pickMap(n, src)
	}
	return remap(x, maps, "Pad", "PadBackward")
}

// IndexSelect gathers the entries idx of x along axis (indices may repeat
// and come in any order): y[…, j, …] = x[…, idx[j], …]. It is how
// a mini-batch of samples or a random set of collocation points is drawn.
// Its backward is IndexAdd of the gradient into zeros: rows picked twice
// get both gradients.
func IndexSelect(x *Tensor, axis int, idx []int) *Tensor {
	ax := x.axis(axis)
	n := x.shape[ax]
	for _, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("tensor.IndexSelect: index %d out of range for axis %d of shape %v", i, axis, x.shape))
		}
	}
	return remap(x, axisMaps(x.shape, ax, pickMap(n, idx)), "IndexSelect", "IndexSelectBackward")
}

// IndexAdd returns x plus src scattered along axis to the positions idx:
// y = x, then y[…, idx[j], …] += src[…, j, …] for each j (repeated indices
// add up). src has x's shape except len(idx) entries on axis. It is the
// adjoint of IndexSelect; its gradients are g for x and IndexSelect(g,
// axis, idx) for src.
func IndexAdd(x *Tensor, axis int, idx []int, src *Tensor) *Tensor {
	ax := x.axis(axis)
	n := x.shape[ax]
	want := slices.Clone(x.shape)
	want[ax] = len(idx)
	if src.dtype != x.dtype || !sameShape(src.shape, want) {
		panic(fmt.Sprintf("tensor.IndexAdd: source %v%v for %d indices into axis %d of %v%v", src.dtype, src.shape, len(idx), axis, x.dtype, x.shape))
	}
	for _, i := range idx {
		if i < 0 || i >= n {
			panic(fmt.Sprintf("tensor.IndexAdd: index %d out of range for axis %d of shape %v", i, axis, x.shape))
		}
	}
	m := pickMap(n, idx).transpose()
	var s *Tensor
	if m == nil {
		s = src
	} else {
		s = remap(src, axisMaps(src.shape, ax, m), "IndexSelectBackward", "IndexSelect")
	}
	return Add(x, s)
}

// Concat joins tensors of the same dtype along axis; all other dimensions
// must agree. The gradient of each input is the matching Narrow of the
// output's gradient.
func Concat(axis int, xs ...*Tensor) *Tensor {
	if len(xs) == 0 {
		panic("tensor.Concat: no tensors")
	}
	x0 := xs[0]
	ax := x0.axis(axis)
	shape := slices.Clone(x0.shape)
	sizes := make([]int, len(xs))
	shape[ax] = 0
	for i, x := range xs {
		ok := x.dtype == x0.dtype && x.NDim() == x0.NDim()
		for d := range x0.shape {
			if ok && d != ax && x.shape[d] != x0.shape[d] {
				ok = false
			}
		}
		if !ok {
			panic(fmt.Sprintf("tensor.Concat: %v%v and %v%v do not join along axis %d", x0.dtype, x0.shape, x.dtype, x.shape, axis))
		}
		sizes[i] = x.shape[ax]
		shape[ax] += sizes[i]
	}
	if len(xs) == 1 {
		return x0
	}
	out := empty(arenaOf(xs...), x0.dtype, shape...)
	outer, inner := 1, 1
	for _, s := range shape[:ax] {
		outer *= s
	}
	for _, s := range shape[ax+1:] {
		inner *= s
	}
	switch out.data.(type) {
	case []float32:
		concatRun[float32](out, xs, sizes, outer, inner, shape[ax])
	case []float64:
		concatRun[float64](out, xs, sizes, outer, inner, shape[ax])
	case []complex64:
		concatRun[complex64](out, xs, sizes, outer, inner, shape[ax])
	case []complex128:
		concatRun[complex128](out, xs, sizes, outer, inner, shape[ax])
	}
	return record(out, "Concat", func(g *Tensor, _ []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, len(sizes))
		off := 0
		for i, s := range sizes {
			if needs[i] {
				r[i] = Narrow(g, ax, off, s)
			}
			off += s
		}
		return r
	}, slices.Clone(xs)...)
}

func concatRun[T Scalar](out *Tensor, xs []*Tensor, sizes []int, outer, inner, total int) {
	dst := Data[T](out)
	srcs := make([][]T, len(xs))
	offs := make([]int, len(xs))
	off := 0
	for i, x := range xs {
		srcs[i] = Data[T](x)
		offs[i] = off
		off += sizes[i]
	}
	k := len(xs)
	per := max(1, total*inner/k)
	parallelRange(outer*k, max(1, grain/per), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			o, i := u/k, u%k
			b := sizes[i] * inner
			copy(dst[(o*total+offs[i])*inner:][:b], srcs[i][o*b:(o+1)*b])
		}
	})
}

// Stack joins tensors of the same dtype and shape along a new axis at
// position axis (0 ≤ axis ≤ NDim; negative counts from the end, −1 being a
// new last axis).
func Stack(axis int, xs ...*Tensor) *Tensor {
	if len(xs) == 0 {
		panic("tensor.Stack: no tensors")
	}
	n := xs[0].NDim()
	if axis < 0 {
		axis += n + 1
	}
	if axis < 0 || axis > n {
		panic(fmt.Sprintf("tensor.Stack: axis %d for shape %v", axis, xs[0].shape))
	}
	us := make([]*Tensor, len(xs))
	for i, x := range xs {
		if x.dtype != xs[0].dtype || !sameShape(x.shape, xs[0].shape) {
			panic(fmt.Sprintf("tensor.Stack: %v%v and %v%v differ", xs[0].dtype, xs[0].shape, x.dtype, x.shape))
		}
		us[i] = Unsqueeze(x, axis)
	}
	if len(us) == 1 {
		return us[0]
	}
	return Concat(axis, us...)
}

// Where returns a where cond is nonzero and b elsewhere, elementwise, with
// cond, a and b broadcast together (NumPy rules). cond is a constant mask
// (any dtype; it gets no gradient). Unlike cond⊙a + (1−cond)⊙b, an
// infinity or NaN in the branch not taken does not reach the result (so
// Where(mask, scores, −∞) masks attention scores). The gradients are
// Where(cond, g, 0) for a and Where(cond, 0, g) for b, summed to their
// shapes.
func Where(cond, a, b *Tensor) *Tensor {
	if a.dtype != b.dtype {
		panic(fmt.Sprintf("tensor.Where: dtypes %v and %v differ", a.dtype, b.dtype))
	}
	shape, err := BroadcastShapes(a.shape, b.shape)
	if err == nil {
		shape, err = BroadcastShapes(cond.shape, shape)
	}
	if err != nil {
		panic(fmt.Sprintf("tensor.Where: condition %v and operands %v, %v do not broadcast", cond.shape, a.shape, b.shape))
	}
	c := cond.Detach()
	ca := BroadcastTo(c, shape...)
	aa := BroadcastTo(a.Detach(), shape...)
	bb := BroadcastTo(b.Detach(), shape...)
	mask := make([]bool, ca.Numel())
	switch v := ca.data.(type) {
	case []float32:
		nonzero(mask, v)
	case []float64:
		nonzero(mask, v)
	case []complex64:
		nonzero(mask, v)
	case []complex128:
		nonzero(mask, v)
	}
	out := empty(arenaOf(a, b), a.dtype, shape...)
	switch d := out.data.(type) {
	case []float32:
		selectRun(d, mask, aa.Float32s(), bb.Float32s())
	case []float64:
		selectRun(d, mask, aa.Float64s(), bb.Float64s())
	case []complex64:
		selectRun(d, mask, aa.Complex64s(), bb.Complex64s())
	case []complex128:
		selectRun(d, mask, aa.Complex128s(), bb.Complex128s())
	}
	return record(out, "Where", func(g *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		r := make([]*Tensor, 2)
		z := zeros(g.arena, g.dtype)
		if needs[0] {
			r[0] = SumTo(Where(c, g, z), in[0].shape...)
		}
		if needs[1] {
			r[1] = SumTo(Where(c, z, g), in[1].shape...)
		}
		return r
	}, a, b)
}

func nonzero[T Scalar](mask []bool, v []T) {
	parallelRange(len(mask), grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			mask[i] = v[i] != 0
		}
	})
}

func selectRun[T Scalar](dst []T, mask []bool, a, b []T) {
	parallelRange(len(dst), grain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if mask[i] {
				dst[i] = a[i]
			} else {
				dst[i] = b[i]
			}
		}
	})
}
