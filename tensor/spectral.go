package tensor

import (
	"fmt"
	"slices"

	"github.com/sciml-go/sciml/internal/blas"
)

// Spectral layers: mode truncation and zero padding of half spectra,
// channel mixing per mode (the Fourier neural operator's contraction),
// the fused Fourier layer SpectralConv, and band-limited resampling.
//
// # Kept modes
//
// A half spectrum of a real signal of sizes (n_0, …, n_{d-1}) has shape
// [n_0, …, n_{d-2}, n_{d-1}/2+1] (see RFFT). Keeping the lowest m_a
// frequencies of every axis means, on an axis a < d−1 (a full, DFT-ordered
// axis), the non-negative block of indices [0, m_a) (frequencies 0 … m_a−1)
// and the negative block [n_a−m_a, n_a) (frequencies −m_a … −1), stored in
// that order, so the kept block has length 2·m_a and is itself in DFT order
// (it is the spectrum of a grid of 2·m_a points); on the last (half) axis it
// means the indices [0, m_{d-1}). The kept block of a spectrum therefore has
// the "mode shape" [2m_0, …, 2m_{d-2}, m_{d-1}], which is also the shape of
// the trailing axes of a SpectralMix / SpectralConv weight — the layout of
// the original FNO code, whose weights1/weights2 hold the positive and
// negative blocks.

// freqMap is a sparse real linear map between two index ranges of one
// axis: out[o] = Σ_{t ∈ [start[o], start[o+1])} coef[t]·in[idx[t]].
type freqMap struct {
	in, out int
	start   []int
	idx     []int
	coef    []float64
}

// newFreqMap builds a map row by row: rows(o, add) calls add(i, c) for
// every term c·in[i] of out[o].
func newFreqMap(in, out int, rows func(o int, add func(i int, c float64))) freqMap {
	m := freqMap{in: in, out: out, start: make([]int, 1, out+1)}
	add := func(i int, c float64) {
		m.idx = append(m.idx, i)
		m.coef = append(m.coef, c)
	}
	for o := range out {
		rows(o, add)
		m.start = append(m.start, len(m.idx))
	}
	return m
}

// transpose returns the transposed map (the adjoint: coefficients are real).
func (m freqMap) transpose() freqMap {
	cols := make([][]int, m.in) // terms per input index, in output order
	for o := range m.out {
		for t := m.start[o]; t < m.start[o+1]; t++ {
			cols[m.idx[t]] = append(cols[m.idx[t]], t)
		}
	}
	owner := make([]int, len(m.idx))
	for o := range m.out {
		for t := m.start[o]; t < m.start[o+1]; t++ {
			owner[t] = o
		}
	}
	return newFreqMap(m.out, m.in, func(i int, add func(int, float64)) {
		for _, t := range cols[i] {
			add(owner[t], m.coef[t])
		}
	})
}

// identityMap is the identity on an axis of length n.
func identityMap(n int) freqMap {
	return newFreqMap(n, n, func(o int, add func(int, float64)) { add(o, 1) })
}

// keepMap selects the kept modes of a full (DFT-ordered) axis of length n:
// out[o] = in[o] for o < m, in[n−2m+o] for m ≤ o < 2m.
func keepMap(n, m int) freqMap {
	return newFreqMap(n, 2*m, func(o int, add func(int, float64)) {
		if o < m {
			add(o, 1)
		} else {
			add(n-2*m+o, 1)
		}
	})
}

// prefixMap selects the first m entries of an axis of length h.
func prefixMap(h, m int) freqMap {
	return newFreqMap(h, m, func(o int, add func(int, float64)) { add(o, 1) })
}

// spectralMap applies maps[a] to trailing axis a of z (len(maps) ≤ 3
// trailing axes; leading axes are a batch): the tensor-product map
// out[b, o] = Σ_i Π_a maps[a][o_a, i_a] · z[b, i]. The coefficients are
// real, so the map is complex-linear and its adjoint is the map with every
// axis map transposed; the op is recorded (as op) with that adjoint (named
// adjOp).
func spectralMap(z *Tensor, maps []freqMap, op, adjOp string) *Tensor {
	d := len(maps)
	if d < 1 || d > 3 || z.NDim() < d {
		panic(fmt.Sprintf("tensor.%s: %d axis maps for shape %v", op, d, z.shape))
	}
	lead := z.NDim() - d
	shape := slices.Clone(z.shape)
	for a, m := range maps {
		if z.shape[lead+a] != m.in {
			panic(fmt.Sprintf("tensor.%s: axis %d of shape %v has length %d, want %d", op, lead+a, z.shape, z.shape[lead+a], m.in))
		}
		shape[lead+a] = m.out
	}
	var m3 [3]freqMap
	for a := range 3 - d {
		m3[a] = identityMap(1)
	}
	copy(m3[3-d:], maps)
	batch := numel(z.shape[:lead])
	out := alloc(arenaOf(z), z.dtype, shape, false)
	switch dst := out.data.(type) {
	case []float32:
		applyMaps(dst, z.Float32s(), batch, m3, func(c float64) float32 { return float32(c) })
	case []float64:
		applyMaps(dst, z.Float64s(), batch, m3, func(c float64) float64 { return c })
	case []complex64:
		applyMaps(dst, z.Complex64s(), batch, m3, func(c float64) complex64 { return complex(float32(c), 0) })
	case []complex128:
		applyMaps(dst, z.Complex128s(), batch, m3, func(c float64) complex128 { return complex(c, 0) })
	}
	return record(out, op, func(g *Tensor, _ []*Tensor, _ *Tensor, _ []bool) []*Tensor {
		adj := make([]freqMap, d)
		for a, m := range maps {
			adj[a] = m.transpose()
		}
		return []*Tensor{spectralMap(g, adj, adjOp, op)}
	}, z)
}

// applyMaps is the kernel of spectralMap for three axes.
func applyMaps[T Scalar](dst, src []T, batch int, m [3]freqMap, conv func(float64) T) {
	var c [3][]T
	for a := range m {
		c[a] = make([]T, len(m[a].coef))
		for t, v := range m[a].coef {
			c[a][t] = conv(v)
		}
	}
	in0, in1, in2 := m[0].in, m[1].in, m[2].in
	out0, out1, out2 := m[0].out, m[1].out, m[2].out
	rows := batch * out0 * out1
	parallelRange(rows, max(1, grain/max(out2, 1)), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			o1 := r % out1
			q := r / out1
			o0 := q % out0
			b := q / out0
			row := dst[r*out2 : (r+1)*out2]
			clear(row)
			for t0 := m[0].start[o0]; t0 < m[0].start[o0+1]; t0++ {
				for t1 := m[1].start[o1]; t1 < m[1].start[o1+1]; t1++ {
					cc := c[0][t0] * c[1][t1]
					base := ((b*in0+m[0].idx[t0])*in1 + m[1].idx[t1]) * in2
					s := src[base : base+in2]
					for o2 := range row {
						var acc T
						for t2 := m[2].start[o2]; t2 < m[2].start[o2+1]; t2++ {
							acc += c[2][t2] * s[m[2].idx[t2]]
						}
						row[o2] += cc * acc
					}
				}
			}
		}
	})
}

// TruncateModes keeps the lowest modes of the half spectrum z over its
// last len(modes) axes (1 to 3): for z of shape [..., n_0, ..., n_{d-2},
// h] (the RFFT of a real signal of sizes n_0, …, n_{d-1}, h = n_{d-1}/2+1)
// it returns [..., 2m_0, ..., 2m_{d-2}, m_{d-1}] holding, on each axis a <
// d−1, the blocks [0, m_a) and [n_a−m_a, n_a) (frequencies 0 … m_a−1 and
// −m_a … −1), and on the last axis [0, m_{d-1}). It needs 1 ≤ 2m_a ≤ n_a
// and 1 ≤ m_{d-1} ≤ h. It is the adjoint of PadModes (and a left inverse of
// it): its gradient is PadModes of the gradient.
func TruncateModes(z *Tensor, modes ...int) *Tensor {
	d := len(modes)
	if d < 1 || d > 3 || z.NDim() < d {
		panic(fmt.Sprintf("tensor.TruncateModes: modes %v for shape %v (want 1 to 3 trailing axes)", modes, z.shape))
	}
	spec := z.shape[z.NDim()-d:]
	maps := make([]freqMap, d)
	for a, m := range modes {
		n := spec[a]
		if a < d-1 {
			if m < 1 || 2*m > n {
				panic(fmt.Sprintf("tensor.TruncateModes: %d modes on axis of length %d of shape %v (want 1 ≤ 2·modes ≤ length)", m, n, z.shape))
			}
			maps[a] = keepMap(n, m)
		} else {
			if m < 1 || m > n {
				panic(fmt.Sprintf("tensor.TruncateModes: %d modes on the half axis of length %d of shape %v (want 1 ≤ modes ≤ length)", m, n, z.shape))
			}
			maps[a] = prefixMap(n, m)
		}
	}
	return spectralMap(z, maps, "TruncateModes", "PadModes")
}

// PadModes is the inverse operation of TruncateModes: it places the kept
// modes z, of shape [..., 2m_0, ..., 2m_{d-2}, m_{d-1}], into the zero half
// spectrum of a real signal of sizes sizes = (s_0, …, s_{d-1}), shape
// [..., s_0, ..., s_{d-2}, s_{d-1}/2+1], at the positions TruncateModes
// takes them from (so IRFFT(PadModes(z, s...), s...) is the signal on an
// s-grid with those modes). It needs 2m_a ≤ s_a and m_{d-1} ≤ s_{d-1}/2+1.
// It is the adjoint of TruncateModes: its gradient is TruncateModes of the
// gradient.
func PadModes(z *Tensor, sizes ...int) *Tensor {
	d := len(sizes)
	if d < 1 || d > 3 || z.NDim() < d {
		panic(fmt.Sprintf("tensor.PadModes: sizes %v for shape %v (want 1 to 3 trailing axes)", sizes, z.shape))
	}
	spec := z.shape[z.NDim()-d:]
	maps := make([]freqMap, d)
	for a, s := range sizes {
		k := spec[a]
		if a < d-1 {
			if k < 2 || k%2 != 0 || k > s {
				panic(fmt.Sprintf("tensor.PadModes: kept axis of length %d (shape %v) does not fit an axis of size %d (want an even length ≤ the size)", k, z.shape, s))
			}
			maps[a] = keepMap(s, k/2).transpose()
		} else {
			h := halfLen(s)
			if k < 1 || k > h {
				panic(fmt.Sprintf("tensor.PadModes: kept half axis of length %d (shape %v) does not fit size %d (at most %d bins)", k, z.shape, s, h))
			}
			maps[a] = prefixMap(h, k).transpose()
		}
	}
	return spectralMap(z, maps, "PadModes", "TruncateModes")
}

// mixKind names the three per-mode channel contractions. With a of shape
// [P, Q, M...] and c of shape [R, S, M...] (same trailing mode axes):
//
//	mixFwd    y[p,s,k] = Σ_q a[p,q,k]·c[q,s,k]   (Q = R)  "bix,iox->box"
//	mixAdj    y[p,r,k] = Σ_q a[p,q,k]·c[r,q,k]   (Q = S)  "box,iox->bix"
//	mixOuter  y[q,s,k] = Σ_p a[p,q,k]·c[p,s,k]   (P = R)  "bix,box->iox"
type mixKind uint8

const (
	mixFwd mixKind = iota
	mixAdj
	mixOuter
)

func (k mixKind) String() string {
	return [...]string{"SpectralMix", "SpectralMixAdjoint", "SpectralMixOuter"}[k]
}

// SpectralMix is the Fourier neural operator's channel mixing per mode,
// the contraction "bix,iox->box" (and "bixy,ioxy->boxy", …):
//
//	y[b,o,k] = Σ_i z[b,i,k] · w[i,o,k]
//
// for z of shape [B, Ci, m...] and w of shape [Ci, Co, m...] (the same
// trailing mode axes, any number ≥ 1; both of one dtype, normally complex),
// giving [B, Co, m...]. It runs as one batched GEMM over the modes on
// mode-major copies ([M,B,Ci]·[M,Ci,Co]), never forming B×Ci×Co×M
// products. The gradients are ∂/∂z: Σ_o g[b,o,k]·conj(w[i,o,k]) and ∂/∂w:
// Σ_b conj(z[b,i,k])·g[b,o,k], computed by the same kind of contraction,
// so they are differentiable again.
func SpectralMix(z, w *Tensor) *Tensor {
	if z.NDim() < 3 || w.NDim() != z.NDim() || !sameShape(z.shape[2:], w.shape[2:]) || z.shape[1] != w.shape[0] {
		panic(fmt.Sprintf("tensor.SpectralMix: input %v and weight %v do not match (want [B, Ci, m...] and [Ci, Co, m...])", z.shape, w.shape))
	}
	return mixContract(mixFwd, z, false, w, false)
}

// mixContract evaluates the contraction kind on ca(a) and cc(c), where
// ca, cc say whether the operand is conjugated first.
func mixContract(kind mixKind, a *Tensor, ca bool, c *Tensor, cc bool) *Tensor {
	if a.dtype != c.dtype {
		panic(fmt.Sprintf("tensor.%v: dtypes %v and %v differ", kind, a.dtype, c.dtype))
	}
	if a.NDim() < 3 || c.NDim() != a.NDim() || !sameShape(a.shape[2:], c.shape[2:]) {
		panic(fmt.Sprintf("tensor.%v: shapes %v and %v do not match", kind, a.shape, c.shape))
	}
	p, q, r, s := a.shape[0], a.shape[1], c.shape[0], c.shape[1]
	modes := a.shape[2:]
	M := numel(modes)
	var oRows, oCols, m, n, k, lda, ldc int
	var tA, tC bool
	switch kind {
	case mixFwd:
		if q != r {
			panic(fmt.Sprintf("tensor.%v: shapes %v and %v do not match", kind, a.shape, c.shape))
		}
		oRows, oCols, m, n, k, lda, ldc = p, s, p, s, q, q, s
	case mixAdj:
		if q != s {
			panic(fmt.Sprintf("tensor.%v: shapes %v and %v do not match", kind, a.shape, c.shape))
		}
		oRows, oCols, m, n, k, lda, ldc, tC = p, r, p, r, q, q, s, true
	case mixOuter:
		if p != r {
			panic(fmt.Sprintf("tensor.%v: shapes %v and %v do not match", kind, a.shape, c.shape))
		}
		oRows, oCols, m, n, k, lda, ldc, tA = q, s, q, s, p, q, s, true
	}
	ar := arenaOf(a, c)
	shape := append([]int{oRows, oCols}, modes...)
	out := alloc(ar, a.dtype, shape, false)
	am := alloc(ar, a.dtype, []int{M * p * q}, false)
	cm := alloc(ar, a.dtype, []int{M * r * s}, false)
	om := alloc(ar, a.dtype, []int{M * oRows * oCols}, false)
	switch dst := out.data.(type) {
	case []complex64:
		toModeMajor(am.Complex64s(), a.Complex64s(), p*q, M, ca)
		toModeMajor(cm.Complex64s(), c.Complex64s(), r*s, M, cc)
		blas.CgemmBatched(tA, tC, m, n, k, 1, am.Complex64s(), lda, p*q, cm.Complex64s(), ldc, r*s, 0, om.Complex64s(), n, m*n, M)
		toModeMajor(dst, om.Complex64s(), M, m*n, false)
	case []complex128:
		toModeMajor(am.Complex128s(), a.Complex128s(), p*q, M, ca)
		toModeMajor(cm.Complex128s(), c.Complex128s(), r*s, M, cc)
		blas.ZgemmBatched(tA, tC, m, n, k, 1, am.Complex128s(), lda, p*q, cm.Complex128s(), ldc, r*s, 0, om.Complex128s(), n, m*n, M)
		toModeMajor(dst, om.Complex128s(), M, m*n, false)
	case []float32:
		toModeMajor(am.Float32s(), a.Float32s(), p*q, M, false)
		toModeMajor(cm.Float32s(), c.Float32s(), r*s, M, false)
		blas.SgemmBatched(tA, tC, m, n, k, 1, am.Float32s(), lda, p*q, cm.Float32s(), ldc, r*s, 0, om.Float32s(), n, m*n, M)
		toModeMajor(dst, om.Float32s(), M, m*n, false)
	case []float64:
		toModeMajor(am.Float64s(), a.Float64s(), p*q, M, false)
		toModeMajor(cm.Float64s(), c.Float64s(), r*s, M, false)
		blas.DgemmBatched(tA, tC, m, n, k, 1, am.Float64s(), lda, p*q, cm.Float64s(), ldc, r*s, 0, om.Float64s(), n, m*n, M)
		toModeMajor(dst, om.Float64s(), M, m*n, false)
	}
	// y = K(A, C) with A = ca(a), C = cc(c), holomorphic and bilinear, so
	// ∂L/∂A = (∂y/∂A)^H g is again a contraction (conj X is X with its flag
	// flipped), and ∂L/∂a = conj(∂L/∂A) when a was conjugated, which flips
	// both flags of that contraction (conj K(u, v) = K(conj u, conj v)).
	return record(out, kind.String(), func(g *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		a, c := in[0], in[1]
		res := make([]*Tensor, 2)
		grad := func(flip bool, kind mixKind, u *Tensor, cu bool, v *Tensor, cv bool) *Tensor {
			return mixContract(kind, u, cu != flip, v, cv != flip)
		}
		switch kind {
		case mixFwd: // y[p,s] = Σ_q A[p,q] C[q,s]
			if needs[0] {
				res[0] = grad(ca, mixAdj, g, false, c, !cc) // Σ_s g[p,s] conj C[q,s]
			}
			if needs[1] {
				res[1] = grad(cc, mixOuter, a, !ca, g, false) // Σ_p conj A[p,q] g[p,s]
			}
		case mixAdj: // y[p,r] = Σ_q A[p,q] C[r,q]
			if needs[0] {
				res[0] = grad(ca, mixFwd, g, false, c, !cc) // Σ_r g[p,r] conj C[r,q]
			}
			if needs[1] {
				res[1] = grad(cc, mixOuter, g, false, a, !ca) // Σ_p g[p,r] conj A[p,q]
			}
		case mixOuter: // y[q,s] = Σ_p A[p,q] C[p,s]
			if needs[0] {
				res[0] = grad(ca, mixAdj, c, !cc, g, false) // Σ_s conj C[p,s] g[q,s]
			}
			if needs[1] {
				res[1] = grad(cc, mixFwd, a, !ca, g, false) // Σ_q conj A[p,q] g[q,s]
			}
		}
		return res
	}, a, c)
}

// toModeMajor transposes src, a rows×cols matrix, into dst (cols×rows),
// conjugating when conj is set.
func toModeMajor[T Scalar](dst, src []T, rows, cols int, conj bool) {
	const tile = 32
	rb := chunks(rows, tile)
	cb := chunks(cols, tile)
	// Parallel over tiles of destination rows (source columns).
	parallelRange(cb, max(1, grain/max(tile*rows, 1)), func(lo, hi int) {
		for j := lo; j < hi; j++ {
			c0, c1 := j*tile, min(cols, (j+1)*tile)
			for i := range rb {
				r0, r1 := i*tile, min(rows, (i+1)*tile)
				for c := c0; c < c1; c++ {
					d := dst[c*rows+r0 : c*rows+r1]
					for r := r0; r < r1; r++ {
						d[r-r0] = src[r*cols+c]
					}
				}
			}
			if conj {
				conjSlice(dst[c0*rows : c1*rows])
			}
		}
	})
}

// conjSlice conjugates x in place (nothing for real types).
func conjSlice[T Scalar](x []T) {
	switch v := any(x).(type) {
	case []complex64:
		for i, z := range v {
			v[i] = complex(real(z), -imag(z))
		}
	case []complex128:
		for i, z := range v {
			v[i] = complex(real(z), -imag(z))
		}
	}
}

// specGeom describes a SpectralConv: batch B, channels Ci → Co, M kept
// modes, the input and output grids, and the factor N_out/N_in.
type specGeom struct {
	B, Ci, Co, M int
	modes        []int
	in, out      modeGrid
	scale        float64
	fw           []float64 // per kept mode: scale·c_q/N_out (IRFFT weight and its adjoint's)
}

func newSpecGeom(x, w *Tensor, modes, outSizes []int) specGeom {
	d := len(modes)
	bad := func(why string) {
		panic(fmt.Sprintf("tensor.SpectralConv: input %v%v, weight %v%v, modes %v, output sizes %v: %s",
			x.dtype, x.shape, w.dtype, w.shape, modes, outSizes, why))
	}
	if x.dtype.IsComplex() || w.dtype != x.dtype.Complex() {
		bad("want a real input and a weight of the matching complex dtype")
	}
	if d < 1 || d > 3 || x.NDim() != d+2 || len(outSizes) != d {
		bad("want an input [B, Ci, n_1..n_d] with d = len(modes) = len(outSizes) in 1..3")
	}
	in, out := x.shape[2:], outSizes
	for a, m := range modes {
		if a < d-1 && (m < 1 || 2*m > in[a] || 2*m > out[a]) {
			bad(fmt.Sprintf("axis %d keeps 2·%d modes, more than the grid has", a, m))
		}
		if a == d-1 && (m < 1 || m > halfLen(in[a]) || m > halfLen(out[a])) {
			bad(fmt.Sprintf("the last axis keeps %d modes, more than the half spectrum has", m))
		}
	}
	g := specGeom{B: x.shape[0], Ci: x.shape[1], modes: slices.Clone(modes),
		in: newModeGrid(in, modes), out: newModeGrid(out, modes)}
	if w.NDim() != d+2 || w.shape[0] != g.Ci || !sameShape(w.shape[2:], g.in.mshape) {
		bad(fmt.Sprintf("want a weight [Ci=%d, Co, %v]", g.Ci, g.in.mshape))
	}
	g.Co = w.shape[1]
	g.M = g.in.m
	g.scale = float64(g.out.n) / float64(g.in.n)
	g.fw = make([]float64, g.M)
	for q := range g.fw {
		c := 2.0
		if g.out.edge(q) {
			c = 1
		}
		g.fw[q] = g.scale * c / float64(g.out.n)
	}
	return g
}

// forward computes out = scale·IRFFT(Pad(Mix(Trunc(RFFT(x)), w))) and
// leaves the kept input modes, mode-major [M, B·Ci], in zm.
func (k specBackend[R, C]) forward(ar *Arena, g *specGeom, out []R, zm []C, x []R, w []C) {
	bci, bco, M := g.B*g.Ci, g.B*g.Co, g.M
	zk := k.scratch(ar, bci*M, false)
	k.analyze(ar, &g.in, zk, x, bci)
	toModeMajor(zm, zk, bci, M, false)
	wm := k.scratch(ar, M*g.Ci*g.Co, false)
	toModeMajor(wm, w, g.Ci*g.Co, M, false)
	ym := k.scratch(ar, M*bco, false)
	k.cgemm(false, false, g.B, g.Co, g.Ci, 1, zm, g.Ci, bci, wm, g.Co, g.Ci*g.Co, 0, ym, g.Co, bco, M)
	yk := k.scratch(ar, bco*M, false)
	toModeMajor(yk, ym, M, bco, false)
	scaleModes(yk, g.fw)
	k.synthesize(ar, &g.out, out, yk, bco)
}

// backward computes the gradients of forward for the output gradient gr:
// gx (when not nil) for x and gw (when not nil) for w, from the kept input
// modes zm saved by forward.
func (k specBackend[R, C]) backward(ar *Arena, g *specGeom, gx []R, gw []C, gr []R, zm, w []C) {
	bci, bco, M := g.B*g.Ci, g.B*g.Co, g.M
	// G = scale·IRFFT-adjoint(gr) on the kept modes = fw ⊙ (unscaled
	// transform of gr); kept conjugated and mode-major [M, B·Co].
	gk := k.scratch(ar, bco*M, false)
	k.analyze(ar, &g.out, gk, gr, bco)
	scaleModes(gk, g.fw)
	gc := k.scratch(ar, M*bco, false)
	toModeMajor(gc, gk, bco, M, true)
	if gw != nil {
		// conj(∂L/∂W_q) = Z_qᵀ·conj(G_q), [Ci×Co] per mode.
		gwm := k.scratch(ar, M*g.Ci*g.Co, false)
		k.cgemm(true, false, g.Ci, g.Co, g.B, 1, zm, g.Ci, bci, gc, g.Co, bco, 0, gwm, g.Co, g.Ci*g.Co, M)
		toModeMajor(gw, gwm, M, g.Ci*g.Co, true)
	}
	if gx != nil {
		// conj(∂L/∂Z_q) = conj(G_q)·W_qᵀ, [B×Ci] per mode; then the RFFT
		// adjoint of the zero-padded modes, x̄_j = Re Σ_q Z̄_q e^{+2πi k_q·j/n}.
		wm := k.scratch(ar, M*g.Ci*g.Co, false)
		toModeMajor(wm, w, g.Ci*g.Co, M, false)
		gzm := k.scratch(ar, M*bci, false)
		k.cgemm(false, true, g.B, g.Ci, g.Co, 1, gc, g.Co, bco, wm, g.Co, g.Ci*g.Co, 0, gzm, g.Ci, bci, M)
		gzk := k.scratch(ar, bci*M, false)
		toModeMajor(gzk, gzm, M, bci, true)
		k.synthesize(ar, &g.in, gx, gzk, bci)
	}
}

// SpectralConv is the Fourier layer of a Fourier neural operator: for a
// real x of shape [B, Ci, n_1, …, n_d] (d = len(modes), 1 to 3) and a
// complex weight w of shape [Ci, Co, 2m_1, …, 2m_{d-1}, m_d] (the mode
// shape of TruncateModes; w.DType() = x.DType().Complex()) it returns the
// real [B, Co, s_1, …, s_d] (s = outSizes)
//
//	SpectralConv(x) = (N_out/N_in) · IRFFT(PadModes(SpectralMix(
//	                      TruncateModes(RFFT(x, d), modes...), w), s...), s...)
//
// with N_in = n_1·…·n_d and N_out = s_1·…·s_d: the kept Fourier
// coefficients of each input channel are mixed into the output channels
// by the per-mode matrices w[:, :, k], and the other modes are zero. The
// factor N_out/N_in (1 when the grids are equal, as in a standard FNO)
// makes the layer a map between functions rather than grids: for an input
// band-limited to the kept modes, the output on any grid samples the same
// function (discretization invariance), and outSizes ≠ the input sizes
// gives the band-limited output on another grid (super-resolution).
// It needs 2m_a ≤ n_a, s_a on the non-last axes and m_d ≤ n_d/2+1,
// s_d/2+1 on the last one.
//
// It computes the composition without forming the intermediate tensors:
// only the kept modes of the input are computed (by a truncated DFT as
// GEMMs when few modes are kept, by FFT otherwise; see the comment on the
// kept-mode transforms in fft.go), they are mixed mode-major with one
// batched GEMM, and the output is synthesised from the mixed modes alone.
// The first-order gradient is computed the same way (three more such
// transforms and two batched GEMMs, reusing the input modes saved by the
// forward pass); when a graph of the gradient is requested (higher
// derivatives) the gradient is built from the composition's
// differentiable operations instead.
func SpectralConv(x, w *Tensor, modes, outSizes []int) *Tensor {
	g := newSpecGeom(x, w, modes, outSizes)
	ar := arenaOf(x, w)
	zm := alloc(ar, w.dtype, []int{g.M, g.B * g.Ci}, false)
	out := alloc(ar, x.dtype, append([]int{g.B, g.Co}, g.out.sizes...), false)
	switch x.dtype {
	case Float32:
		spec32.forward(ar, &g, out.Float32s(), zm.Complex64s(), x.Float32s(), w.Complex64s())
	case Float64:
		spec64.forward(ar, &g, out.Float64s(), zm.Complex128s(), x.Float64s(), w.Complex128s())
	}
	return record(out, "SpectralConv", func(gr *Tensor, in []*Tensor, _ *Tensor, needs []bool) []*Tensor {
		if gr.requiresGrad || in[0].requiresGrad || in[1].requiresGrad {
			return spectralConvGraph(&g, gr, in[0], in[1], needs)
		}
		return spectralConvFused(&g, gr, zm, in[1], needs)
	}, x, w)
}

// spectralConvFused is SpectralConv's first-order gradient in one pass.
func spectralConvFused(g *specGeom, gr, zm, w *Tensor, needs []bool) []*Tensor {
	ar := arenaOf(gr, w)
	res := make([]*Tensor, 2)
	if needs[0] {
		res[0] = alloc(ar, gr.dtype, append([]int{g.B, g.Ci}, g.in.sizes...), false)
	}
	if needs[1] {
		res[1] = alloc(ar, w.dtype, slices.Clone(w.shape), false)
	}
	switch gr.dtype {
	case Float32:
		spec32.backward(ar, g, dataOr[float32](res[0]), dataOr[complex64](res[1]), gr.Float32s(), zm.Complex64s(), w.Complex64s())
	case Float64:
		spec64.backward(ar, g, dataOr[float64](res[0]), dataOr[complex128](res[1]), gr.Float64s(), zm.Complex128s(), w.Complex128s())
	}
	return res
}

// dataOr returns t's storage, or nil for a nil t.
func dataOr[T Scalar](t *Tensor) []T {
	if t == nil {
		return nil
	}
	return t.data.([]T)
}

// spectralConvGraph is SpectralConv's gradient written with the
// composition's differentiable operations (for higher derivatives).
func spectralConvGraph(g *specGeom, gr, x, w *Tensor, needs []bool) []*Tensor {
	d := len(g.modes)
	res := make([]*Tensor, 2)
	gm := TruncateModes(irfftAdjoint(Scale(gr, g.scale), g.out.sizes), g.modes...)
	if needs[1] {
		zm := TruncateModes(RFFT(x, d), g.modes...)
		res[1] = mixContract(mixOuter, zm, true, gm, false)
	}
	if needs[0] {
		gz := mixContract(mixAdj, gm, false, w, true)
		res[0] = rfftAdjoint(PadModes(gz, g.in.sizes...), g.in.sizes)
	}
	return res
}

// ResampleSpectral resamples the real periodic signals x over its last
// len(sizes) axes (1 to 3) to the grid sizes sizes by exact band-limited
// (trigonometric) interpolation: y = (S/N)·IRFFT(R(RFFT(x))), where N and S
// are the numbers of input and output points and R maps the spectrum axis
// by axis. On an axis resampled from n to s points, with L = min(n, s):
//
//   - frequencies |f| < L/2 are copied (all of them when L is odd);
//   - upsampling (s > n) from an even n: the Nyquist coefficient X[n/2]
//     (the (−1)^j component, which stands for both +n/2 and −n/2) is split
//     in halves between the frequencies +n/2 and −n/2 of the finer grid,
//     so the interpolant is the real, symmetric trigonometric interpolant
//     ((−1)^j becomes cos(π·n·t), t ∈ [0,1));
//   - downsampling (s < n) to an even s: the output's Nyquist coefficient
//     is X[s/2] + X[−s/2] (the two frequencies alias to one on the coarse
//     grid, exactly as sampling the band-limited signal does); the
//     frequencies |f| > s/2 are dropped (the signal is low-pass filtered
//     first);
//   - frequencies beyond the coarser grid's band are zero.
//
// This is scipy.signal.resample's convention, applied to every axis. So a
// signal band-limited to |f| < min(n, s)/2 is reproduced exactly (its
// samples on the new grid are the exact values of the same trigonometric
// polynomial), and up- then downsampling returns the original signal
// exactly (up to rounding) for any input. It is linear; the gradient is
// the adjoint map, built from the same differentiable operations. When
// sizes equal the input sizes, x is returned.
func ResampleSpectral(x *Tensor, sizes ...int) *Tensor {
	if x.dtype.IsComplex() {
		panic(fmt.Sprintf("tensor.ResampleSpectral: complex input %v%v (want real signals)", x.dtype, x.shape))
	}
	d := len(sizes)
	_, dims := fftLayout("ResampleSpectral", x, d)
	if slices.Equal(dims, sizes) {
		return x
	}
	maps := make([]freqMap, d)
	for a, s := range sizes {
		if s < 1 {
			panic(fmt.Sprintf("tensor.ResampleSpectral: sizes %v for shape %v", sizes, x.shape))
		}
		if a < d-1 {
			maps[a] = resampleFullMap(dims[a], s)
		} else {
			maps[a] = resampleHalfMap(dims[a], s)
		}
	}
	return IRFFT(spectralMap(RFFT(x, d), maps, "ResampleSpectrum", "ResampleSpectrumAdjoint"), sizes...)
}

// resampleFullMap maps a full DFT-ordered axis of n points to s points
// (see ResampleSpectral), including the factor s/n.
func resampleFullMap(n, s int) freqMap {
	f := float64(s) / float64(n)
	return newFreqMap(n, s, func(o int, add func(int, float64)) {
		q := o // signed frequency of output index o (+s/2 for the Nyquist)
		if 2*o > s {
			q = o - s
		}
		aq := 2 * max(q, -q)
		switch {
		case s == n:
			add(o, 1)
		case s > n && aq < n:
			add((q+n)%n, f)
		case s > n && aq == n:
			add(n/2, f/2)
		case s < n && aq < s:
			add((q+n)%n, f)
		case s < n && aq == s:
			add(s/2, f)
			add(n-s/2, f)
		}
	})
}

// resampleHalfMap maps the half axis of a real signal of n points to that
// of s points (see ResampleSpectral), including the factor s/n. The
// downsampled Nyquist bin is 2·X[s/2]: IRFFT keeps the Hermitian part of
// the Nyquist plane, X[s/2] + conj(X[−s/2]) in 1-D, which is the sum of
// the two aliased frequencies.
func resampleHalfMap(n, s int) freqMap {
	f := float64(s) / float64(n)
	return newFreqMap(halfLen(n), halfLen(s), func(j int, add func(int, float64)) {
		switch {
		case s == n:
			add(j, 1)
		case s > n && 2*j < n:
			add(j, f)
		case s > n && 2*j == n:
			add(j, f/2)
		case s < n && 2*j < s:
			add(j, f)
		case s < n && 2*j == s:
			add(j, 2*f)
		}
	})
}
