package taylor

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Act names an activation with fused kernels.
type Act int

const (
	// Tanh is σ = tanh: σ′ = 1 − σ², σ″ = −2σσ′, σ‴ = −2σ′(1 − 3σ²).
	Tanh Act = 1
	// Sin is σ = sin: σ′ = cos, σ″ = −sin, σ‴ = −cos.
	Sin Act = 2
)

// block is the number of points the kernels carry through the network at
// once (TM_BLOCK in the C code).
const block = 32

// maxLayers is the deepest network the kernels take (TM_MAXL).
const maxLayers = 64

// maxGroups bounds the number of point groups whose parameter gradients are
// summed in order (see Backward).
const maxGroups = 16

// Net is a fully connected network: Widths[0] inputs, Widths[L] outputs,
// the activation Act between layers (not after the last). Params holds, for
// l = 1…L, the weight W_l ([Widths[l], Widths[l−1]], row-major, PyTorch's
// layout) followed by the bias b_l ([Widths[l]]).
type Net struct {
	Widths []int
	Params []float64
	Act    Act
}

// Streams lists the Taylor streams: stream 0 is the value, streams
// 1…First the first derivatives, then one stream per entry of Pairs, the
// second derivative along the pair of first-derivative streams (indices
// 0…First−1) it names.
type Streams struct {
	First int
	Pairs [][2]int
}

// K returns the number of streams.
func (s Streams) K() int { return 1 + s.First + len(s.Pairs) }

// NumParams returns the length of Net.Params for the given widths.
func NumParams(widths []int) int {
	n := 0
	for l := 1; l < len(widths); l++ {
		n += widths[l]*widths[l-1] + widths[l]
	}
	return n
}

// Backend names the kernels in use: "C, AVX2+FMA", "C, generic" or "Go".
func Backend() string { return levelName(level) }

// kernel is one call's operands with the layout the kernels share.
type kernel struct {
	meta   []int64
	s0     []float64
	n      int
	params []float64
	wt     []float64

	layers, k, nf, np int
	act               Act
	widths            []int
	pairs             []int
	wOff, bOff, wtOff []int
	hOff, aOff        []int // per point
	tmpOff, gaOff     int
	ghOff, perPoint   int
}

func newKernel(net Net, st Streams, s0 []float64, n int) *kernel {
	layers := len(net.Widths) - 1
	if layers < 1 || layers > maxLayers {
		panic(fmt.Sprintf("taylor: %d layers (want 1…%d)", layers, maxLayers))
	}
	if net.Act != Tanh && net.Act != Sin {
		panic(fmt.Sprintf("taylor: activation %d", net.Act))
	}
	if len(net.Params) != NumParams(net.Widths) {
		panic(fmt.Sprintf("taylor: %d parameters for widths %v (want %d)", len(net.Params), net.Widths, NumParams(net.Widths)))
	}
	k := &kernel{s0: s0, n: n, params: net.Params, layers: layers, k: st.K(), nf: st.First, np: len(st.Pairs), act: net.Act, widths: net.Widths}
	if len(s0) != k.k*n*net.Widths[0] {
		panic(fmt.Sprintf("taylor: %d input stream entries for %d streams of %d points × %d", len(s0), k.k, n, net.Widths[0]))
	}
	k.meta = []int64{int64(layers), int64(k.k), int64(k.nf), int64(k.np), int64(net.Act)}
	for _, w := range net.Widths {
		if w <= 0 {
			panic(fmt.Sprintf("taylor: widths %v", net.Widths))
		}
		k.meta = append(k.meta, int64(w))
	}
	for _, p := range st.Pairs {
		if p[0] < 0 || p[0] >= st.First || p[1] < 0 || p[1] >= st.First {
			panic(fmt.Sprintf("taylor: pair %v of %d first derivatives", p, st.First))
		}
		k.meta = append(k.meta, int64(p[0]), int64(p[1]))
		k.pairs = append(k.pairs, p[0], p[1])
	}
	// offsets, as tm_parse computes them
	k.wOff, k.bOff, k.wtOff = make([]int, layers+1), make([]int, layers+1), make([]int, layers+1)
	k.hOff, k.aOff = make([]int, layers+1), make([]int, layers+1)
	po, wo, so, maxw := 0, 0, 0, 0
	for l, w := range net.Widths {
		maxw = max(maxw, w)
		k.hOff[l] = so
		so += k.k * w
	}
	for l := 1; l <= layers; l++ {
		wi, w := net.Widths[l-1], net.Widths[l]
		k.wOff[l] = po
		po += w * wi
		k.bOff[l] = po
		po += w
		k.wtOff[l] = wo
		wo += w * wi
		k.aOff[l] = so
		so += k.k * w
	}
	k.tmpOff = so
	so += 3 * maxw
	k.gaOff = so
	so += k.k * maxw
	k.ghOff = so
	so += k.k * maxw
	k.perPoint = so
	// W_lᵀ for the forward products
	k.wt = make([]float64, wo)
	for l := 1; l <= layers; l++ {
		wi, w := net.Widths[l-1], net.Widths[l]
		W := net.Params[k.wOff[l]:]
		T := k.wt[k.wtOff[l]:]
		for o := range w {
			for i := range wi {
				T[i*w+o] = W[o*wi+i]
			}
		}
	}
	return k
}

// groups splits [0, n) into at most maxGroups runs of whole blocks; the
// boundaries depend on n alone.
func groups(n int) (size, count int) {
	blocks := (n + block - 1) / block
	size = (blocks + maxGroups - 1) / maxGroups * block
	if size == 0 {
		return block, 0
	}
	return size, (n + size - 1) / size
}

// run calls f(g, scratch) for every group g on up to GOMAXPROCS goroutines,
// each with its own scratch.
func run(count, scratch int, f func(g int, scratch []float64)) {
	w := min(runtime.GOMAXPROCS(0), count)
	if w <= 1 {
		s := make([]float64, scratch)
		for g := range count {
			f(g, s)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(w)
	for range w {
		go func() {
			defer wg.Done()
			s := make([]float64, scratch)
			for {
				g := int(next.Add(1)) - 1
				if g >= count {
					return
				}
				f(g, s)
			}
		}()
	}
	wg.Wait()
}

// SavedLen returns the length of the buffer in which Forward can leave the
// hidden layers' values tanh a for Backward, sparing it their evaluation:
// n·(Widths[1] + … + Widths[L−1]) for Tanh, 0 otherwise.
func SavedLen(net Net, n int) int {
	if net.Act != Tanh {
		return 0
	}
	w := 0
	for _, v := range net.Widths[1 : len(net.Widths)-1] {
		w += v
	}
	return n * w
}

// Forward writes the output streams of the network into out ([K, n,
// Widths[L]]) from the input streams s0 ([K, n, Widths[0]]): layer by
// layer a = W h + b (b on the value stream only) and h = σ(a) with
// h_i = σ′(a)a_i, h_pq = σ′(a)a_pq + σ″(a)a_p a_q. saved is nil or a
// buffer of SavedLen entries that it fills for Backward.
func Forward(net Net, st Streams, s0 []float64, n int, out, saved []float64) {
	forwardLevel(level, net, st, s0, n, out, saved)
}

func forwardLevel(lv int, net Net, st Streams, s0 []float64, n int, out, saved []float64) {
	k := newKernel(net, st, s0, n)
	if len(out) != k.k*n*net.Widths[k.layers] {
		panic(fmt.Sprintf("taylor.Forward: output of %d entries, want %d", len(out), k.k*n*net.Widths[k.layers]))
	}
	saved = checkSaved(net, n, saved)
	size, count := groups(n)
	run(count, block*k.perPoint, func(g int, scratch []float64) {
		forwardRange(lv, k, g*size, min(n, (g+1)*size), out, saved, scratch)
	})
}

func checkSaved(net Net, n int, saved []float64) []float64 {
	if saved == nil {
		return nil
	}
	if l := SavedLen(net, n); len(saved) != l {
		panic(fmt.Sprintf("taylor: saved buffer of %d entries, want %d", len(saved), l))
	}
	if len(saved) == 0 {
		return nil
	}
	return saved
}

// Backward writes into gparams (len(net.Params)) the gradient of
// Σ g·out with respect to the parameters, out = Forward(s0), and, when
// gs0 is not nil, into gs0 the gradient with respect to s0. The forward
// pass is recomputed block by block (nothing is kept between Forward and
// Backward). Each group of points sums its gradient in a fixed order and
// the groups are added in order, so the result is the same for any
// GOMAXPROCS. saved is nil or the buffer Forward filled for the same
// net and s0.
func Backward(net Net, st Streams, s0 []float64, n int, g, gparams, gs0, saved []float64) {
	backwardLevel(level, net, st, s0, n, g, gparams, gs0, saved)
}

func backwardLevel(lv int, net Net, st Streams, s0 []float64, n int, g, gparams, gs0, saved []float64) {
	k := newKernel(net, st, s0, n)
	if len(g) != k.k*n*net.Widths[k.layers] || len(gparams) != len(net.Params) || (gs0 != nil && len(gs0) != len(s0)) {
		panic(fmt.Sprintf("taylor.Backward: %d gradient entries, %d parameter gradients, %d input gradients for %d streams of %d points, widths %v",
			len(g), len(gparams), len(gs0), k.k, n, net.Widths))
	}
	saved = checkSaved(net, n, saved)
	clear(gparams)
	size, count := groups(n)
	if count == 0 {
		return
	}
	partial := make([][]float64, count)
	partial[0] = gparams
	for i := 1; i < count; i++ {
		partial[i] = make([]float64, len(gparams))
	}
	run(count, block*k.perPoint, func(i int, scratch []float64) {
		backwardRange(lv, k, i*size, min(n, (i+1)*size), g, partial[i], gs0, saved, scratch)
	})
	for _, p := range partial[1:] {
		for j, v := range p {
			gparams[j] += v
		}
	}
}

// The Go twin of the C kernels (the purego build, and the reference the
// tests compare the C kernels with): the same algorithm, in Go.

// gemmGo computes C[r, j] (+)= Σ_k A(r, k) B[k, j], A(r, k) = a[r·sar + k·sak].
func gemmGo(m, n, kk int, a []float64, sar, sak int, b []float64, ldb int, c []float64, ldc int, acc bool) {
	for r := range m {
		cr := c[r*ldc : r*ldc+n]
		if !acc {
			clear(cr)
		}
		for k := range kk {
			s := a[r*sar+k*sak]
			br := b[k*ldb : k*ldb+n]
			for j, v := range br {
				cr[j] += s * v
			}
		}
	}
}

func tanhDerivs(t float64) (s1, s2, s3 float64) {
	d := 1 - t*t
	return d, -2 * t * d, -2 * d * (1 - 3*t*t)
}

func actFwdGo(k *kernel, m int, a, h, tmp []float64) {
	d1, d2 := tmp[:m], tmp[m:2*m]
	for e := range m {
		if k.act == Tanh {
			t := math.Tanh(a[e])
			h[e] = t
			d1[e] = 1 - t*t
			d2[e] = -2 * t * d1[e]
		} else {
			s, c := math.Sincos(a[e])
			h[e], d1[e], d2[e] = s, c, -s
		}
	}
	for i := 1; i <= k.nf; i++ {
		for e := range m {
			h[i*m+e] = d1[e] * a[i*m+e]
		}
	}
	for p := range k.np {
		q := (1 + k.nf + p) * m
		ap, aq := a[(1+k.pairs[2*p])*m:], a[(1+k.pairs[2*p+1])*m:]
		for e := range m {
			h[q+e] = d1[e]*a[q+e] + d2[e]*ap[e]*aq[e]
		}
	}
}

func actBwdGo(k *kernel, m int, gh, a, h0, ga, tmp []float64) {
	s1, s2, s3 := tmp[:m], tmp[m:2*m], tmp[2*m:3*m]
	for e := range m {
		if k.act == Tanh {
			s1[e], s2[e], s3[e] = tanhDerivs(h0[e])
		} else {
			c := math.Cos(a[e])
			s1[e], s2[e], s3[e] = c, -h0[e], -c
		}
	}
	for e := range m {
		ga[e] = gh[e] * s1[e]
	}
	for i := 1; i <= k.nf; i++ {
		for e := range m {
			ga[e] += gh[i*m+e] * a[i*m+e] * s2[e]
			ga[i*m+e] = gh[i*m+e] * s1[e]
		}
	}
	for p := range k.np {
		q := (1 + k.nf + p) * m
		oi, oj := (1+k.pairs[2*p])*m, (1+k.pairs[2*p+1])*m
		for e := range m {
			ga[e] += gh[q+e] * (a[q+e]*s2[e] + a[oi+e]*a[oj+e]*s3[e])
		}
		for e := range m {
			ga[q+e] = gh[q+e] * s1[e]
		}
		for e := range m {
			ga[oi+e] += gh[q+e] * s2[e] * a[oj+e]
		}
		for e := range m {
			ga[oj+e] += gh[q+e] * s2[e] * a[oi+e]
		}
	}
}

func blockFwdGo(k *kernel, p, pb int, scratch []float64) {
	in0 := k.widths[0]
	h0 := scratch[k.hOff[0]*pb:]
	for s := range k.k {
		copy(h0[s*pb*in0:(s+1)*pb*in0], k.s0[(s*k.n+p)*in0:])
	}
	for l := 1; l <= k.layers; l++ {
		wi, wo := k.widths[l-1], k.widths[l]
		hin := scratch[k.hOff[l-1]*pb:]
		al := scratch[k.aOff[l]*pb:]
		gemmGo(k.k*pb, wo, wi, hin, wi, 1, k.wt[k.wtOff[l]:], wo, al, wo, false)
		b := k.params[k.bOff[l] : k.bOff[l]+wo]
		for r := range pb {
			for o, v := range b {
				al[r*wo+o] += v
			}
		}
		if l < k.layers {
			actFwdGo(k, pb*wo, al, scratch[k.hOff[l]*pb:], scratch[k.tmpOff*pb:])
		}
	}
}

func forwardGo(k *kernel, p0, p1 int, out, scratch []float64) {
	wl := k.widths[k.layers]
	for p := p0; p < p1; p += block {
		pb := min(block, p1-p)
		blockFwdGo(k, p, pb, scratch)
		al := scratch[k.aOff[k.layers]*pb:]
		for s := range k.k {
			copy(out[(s*k.n+p)*wl:(s*k.n+p+pb)*wl], al[s*pb*wl:])
		}
	}
}

func backwardGo(k *kernel, p0, p1 int, g, gparams, gs0, scratch []float64) {
	wl := k.widths[k.layers]
	for p := p0; p < p1; p += block {
		pb := min(block, p1-p)
		blockFwdGo(k, p, pb, scratch)
		ga, gh := scratch[k.gaOff*pb:], scratch[k.ghOff*pb:]
		for s := range k.k {
			copy(ga[s*pb*wl:(s+1)*pb*wl], g[(s*k.n+p)*wl:])
		}
		for l := k.layers; l >= 1; l-- {
			wi, wo := k.widths[l-1], k.widths[l]
			hin := scratch[k.hOff[l-1]*pb:]
			gemmGo(wo, wi, k.k*pb, ga, 1, wo, hin, wi, gparams[k.wOff[l]:], wi, true)
			db := gparams[k.bOff[l] : k.bOff[l]+wo]
			for r := range pb {
				for o := range db {
					db[o] += ga[r*wo+o]
				}
			}
			if l == 1 && gs0 == nil {
				break
			}
			gemmGo(k.k*pb, wi, wo, ga, wo, 1, k.params[k.wOff[l]:], wi, gh, wi, false)
			if l == 1 {
				for s := range k.k {
					copy(gs0[(s*k.n+p)*wi:(s*k.n+p+pb)*wi], gh[s*pb*wi:])
				}
				break
			}
			actBwdGo(k, pb*wi, gh, scratch[k.aOff[l-1]*pb:], scratch[k.hOff[l-1]*pb:], ga, scratch[k.tmpOff*pb:])
		}
	}
}
