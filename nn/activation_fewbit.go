package nn

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/sciml-go/sciml/tensor"
)

// FewBit is the few-bit backward of Novikov et al. (2023, "Few-Bit
// Backward: Quantized Gradients of Activation Functions for Memory
// Footprint Reduction"), a wrapper around an elementwise activation f
// without learnable parameters. The forward pass is f's, exactly; instead
// of f's input the operation keeps a Bits-bit code per element, the index
// of the interval of x among 2^Bits intervals, and the backward pass
// multiplies the incoming gradient by the piecewise-constant derivative
// Levels[code]:
//
//	∂L/∂x ≈ g · q(x),   q(x) = Levels[i] for Bounds[i−1] ≤ x < Bounds[i].
//
// The intervals and levels minimise ∫(f′(x) − q(x))² φ(x) dx, with φ the
// standard normal density (pre-activations are assumed roughly
// standardised), found by dynamic programming over a fine grid on [−6, 6]
// (the optimal piecewise-constant fit with 2^Bits pieces; each level is
// the φ-weighted mean of f′ over its interval). The derivative is a
// surrogate: second derivatives through a FewBit are zero.
//
// Memory: the saved state is ⌈n·Bits/8⌉ bytes for n elements (CodeBytes)
// instead of f's input, 4n bytes in float32: 1/32 of it at 1 bit, 1/8 at
// 4 bits. The backward rule never reads the input tensor. (The autodiff
// graph still references the input tensor as the node's input, and today's
// engine keeps every node's inputs alive until the graph is released, so
// the saving materialises only once the engine frees inputs that no
// backward rule reads.)
type FewBit struct {
	Base Activation
	Bits int
	// Bounds holds the 2^Bits − 1 increasing interval boundaries in x.
	Bounds []float64
	// Levels holds the 2^Bits derivative values.
	Levels []float64
	// FitError is the φ-weighted root-mean-square error of q against f′.
	FitError float64
}

type fewBitFit struct {
	bounds, levels []float64
	err            float64
}

var fewBitCache = struct {
	sync.Mutex
	m map[string]fewBitFit
}{m: map[string]fewBitFit{}}

// NewFewBit wraps base, an elementwise activation without learnable
// parameters, with a bits-bit backward (1 ≤ bits ≤ 4). The fit of the
// levels is computed once per activation spec and bit count and cached.
func NewFewBit(base Activation, bits int) (*FewBit, error) {
	if bits < 1 || bits > 4 {
		return nil, fmt.Errorf("nn.NewFewBit: %d bits (want 1 to 4)", bits)
	}
	if len(Params(base)) > 0 {
		return nil, fmt.Errorf("nn.NewFewBit: activation %s has learnable parameters", base.Spec())
	}
	key := fmt.Sprintf("%s/%d", base.Spec(), bits)
	fewBitCache.Lock()
	fit, ok := fewBitCache.m[key]
	fewBitCache.Unlock()
	if !ok {
		var err error
		fit, err = fitFewBit(base, 1<<bits)
		if err != nil {
			return nil, err
		}
		fewBitCache.Lock()
		fewBitCache.m[key] = fit
		fewBitCache.Unlock()
	}
	return &FewBit{Base: base, Bits: bits, Bounds: fit.bounds, Levels: fit.levels, FitError: fit.err}, nil
}

const (
	fewBitGrid  = 1024
	fewBitRange = 6.0
)

// fitFewBit finds the optimal k-piece piecewise-constant approximation of
// base′ in L²(φ) by dynamic programming on a grid.
func fitFewBit(base Activation, k int) (fit fewBitFit, err error) {
	n := fewBitGrid
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = -fewBitRange + (float64(i)+0.5)*2*fewBitRange/float64(n)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("nn.NewFewBit: activation %s: %v", base.Spec(), r)
		}
	}()
	x := tensor.FromFloat64s(tensor.Float64, xs, n).SetRequiresGrad(true)
	y := base.Forward(x)
	if y.DType() != tensor.Float64 || y.NDim() != 1 || y.Dim(0) != n || !y.RequiresGrad() {
		return fit, fmt.Errorf("nn.NewFewBit: activation %s is not elementwise and differentiable", base.Spec())
	}
	d := tensor.Grad1(y, x, false).Float64s()
	w := make([]float64, n)
	for i, v := range d {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fit, errors.New("nn.NewFewBit: activation " + base.Spec().String() + " has a non-finite derivative")
		}
		w[i] = normPDF(xs[i])
	}
	fit.bounds, fit.levels, fit.err = optimalSteps(xs, d, w, k)
	return fit, nil
}

// optimalSteps returns the best approximation of the samples d (at the
// increasing points xs, with weights w) by a step function of k pieces in
// the weighted least-squares sense: the k−1 boundaries (midway between
// samples), the k levels (weighted means) and the weighted RMS error. It
// is the dynamic program cost(j, p) = min_i cost(i, p−1) + SSE(i, j) over
// prefix sums, O(k·n²).
func optimalSteps(xs, d, w []float64, k int) (bounds, levels []float64, rms float64) {
	n := len(xs)
	k = min(k, n)
	// prefix sums of w, w·d and w·d²
	W, S, Q := make([]float64, n+1), make([]float64, n+1), make([]float64, n+1)
	for i, v := range d {
		W[i+1], S[i+1], Q[i+1] = W[i]+w[i], S[i]+w[i]*v, Q[i]+w[i]*v*v
	}
	sse := func(a, b int) float64 {
		s := S[b] - S[a]
		return max(Q[b]-Q[a]-s*s/(W[b]-W[a]), 0)
	}
	// dp[j]: least error of the first j samples in p pieces; cut[p][j]:
	// where the last of those pieces starts.
	dp := make([]float64, n+1)
	for j := 1; j <= n; j++ {
		dp[j] = sse(0, j)
	}
	cut := make([][]int32, k+1)
	for p := 2; p <= k; p++ {
		next := make([]float64, n+1)
		cut[p] = make([]int32, n+1)
		for j := p; j <= n; j++ {
			best, arg := math.Inf(1), p-1
			for i := p - 1; i < j; i++ {
				if c := dp[i] + sse(i, j); c < best {
					best, arg = c, i
				}
			}
			next[j], cut[p][j] = best, int32(arg)
		}
		dp = next
	}
	starts := make([]int, k+1)
	starts[k] = n
	for p := k; p >= 2; p-- {
		starts[p-1] = int(cut[p][starts[p]])
	}
	// The levels and the error are summed directly over each piece (the
	// prefix sums only rank the choices).
	e, tw := 0.0, 0.0
	for p := range k {
		a, b := starts[p], starts[p+1]
		sw, s := 0.0, 0.0
		for i := a; i < b; i++ {
			sw += w[i]
			s += w[i] * d[i]
		}
		m := s / sw
		for i := a; i < b; i++ {
			e += w[i] * (d[i] - m) * (d[i] - m)
		}
		tw += sw
		levels = append(levels, m)
		if p > 0 {
			bounds = append(bounds, (xs[a-1]+xs[a])/2)
		}
	}
	return bounds, levels, math.Sqrt(e / tw)
}

// code returns the interval index of v.
func (f *FewBit) code(v float64) int { return sort.SearchFloat64s(f.Bounds, v) }

// Derivative returns the surrogate derivative q(v) the backward pass uses.
func (f *FewBit) Derivative(v float64) float64 { return f.Levels[f.code(v)] }

// CodeBytes returns the bytes the backward pass keeps for n elements.
func (f *FewBit) CodeBytes(n int) int { return (n*f.Bits + 7) / 8 }

// Forward applies the base activation and, when x requires gradients,
// records the few-bit backward.
func (f *FewBit) Forward(x *tensor.Tensor) *tensor.Tensor {
	xd := x.Detach()
	y := f.Base.Forward(xd)
	if !x.RequiresGrad() {
		return y
	}
	if y == xd {
		y = tensor.EmptyLike(x)
		y.CopyFrom(xd)
	}
	var codes []byte
	switch x.DType() {
	case tensor.Float32:
		codes = encodeFewBit(f, x.Float32s())
	case tensor.Float64:
		codes = encodeFewBit(f, x.Float64s())
	default:
		panic(fmt.Sprintf("nn.FewBit: input %v%v", x.DType(), x.Shape()))
	}
	levels, bits := f.Levels, f.Bits
	return tensor.Record(y, "FewBit("+f.Base.Name()+")", func(g *tensor.Tensor, _ []*tensor.Tensor, _ *tensor.Tensor, _ []bool) []*tensor.Tensor {
		q := tensor.EmptyLike(g)
		switch g.DType() {
		case tensor.Float32:
			decodeFewBit(q.Float32s(), codes, levels, bits)
		default:
			decodeFewBit(q.Float64s(), codes, levels, bits)
		}
		return []*tensor.Tensor{tensor.Mul(g, q)}
	}, x)
}

func encodeFewBit[T tensor.Float](f *FewBit, xs []T) []byte {
	out := make([]byte, f.CodeBytes(len(xs)))
	b := f.Bits
	for i, v := range xs {
		c := uint(f.code(float64(v)))
		pos := i * b
		out[pos/8] |= byte(c << (pos % 8))
		if pos%8+b > 8 {
			out[pos/8+1] |= byte(c >> (8 - pos%8))
		}
	}
	return out
}

func decodeFewBit[T tensor.Float](dst []T, codes []byte, levels []float64, b int) {
	mask := uint(1)<<b - 1
	for i := range dst {
		pos := i * b
		c := uint(codes[pos/8]) >> (pos % 8)
		if pos%8+b > 8 {
			c |= uint(codes[pos/8+1]) << (8 - pos%8)
		}
		dst[i] = T(levels[c&mask])
	}
}

// Visit declares nothing (the base activation has no parameters).
func (f *FewBit) Visit(*Visitor) {}

// Name returns the base activation's name.
func (f *FewBit) Name() string { return f.Base.Name() }

// Spec returns the base activation's spec with fewbit set.
func (f *FewBit) Spec() ActivationSpec {
	s := f.Base.Spec()
	if s.Params == nil {
		s.Params = map[string]float64{}
	}
	s.Params["fewbit"] = float64(f.Bits)
	return s
}

// String returns the spec in YAML flow form.
func (f *FewBit) String() string { return f.Spec().String() }
