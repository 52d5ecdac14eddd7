package pinn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sciml-go/sciml/tensor"
)

// Partial names the derivative ∂^{len(Axes)} u_Out / ∂x_{Axes[0]} ∂x_{Axes[1]} …
// of output component Out (order 0 is u_Out itself). Mixed partials are
// symmetric, so the order of Axes does not matter.
type Partial struct {
	Out  int
	Axes []int
}

// D returns the Partial ∂u_out/∂x_axes…: D(0, 0, 0) is u_xx when axis 0 is x.
func D(out int, axes ...int) Partial { return Partial{Out: out, Axes: axes} }

func (p Partial) key() string {
	a := slices.Clone(p.Axes)
	slices.Sort(a)
	var b strings.Builder
	b.WriteString(strconv.Itoa(p.Out))
	for _, x := range a {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(x))
	}
	return b.String()
}

// Mode selects how Fields computes input derivatives.
type Mode uint8

const (
	// Auto uses Taylor propagation when the network allows it (an *MLP
	// with float64 parameters and derivatives of order ≤ 2 declared up
	// front) and nested autodiff otherwise.
	Auto Mode = iota
	// Nested always uses nested reverse-mode autodiff (tensor.Grad with
	// createGraph): any order, any network, any dtype.
	Nested
	// Taylor requires the Taylor path (Eval panics when it cannot be used).
	Taylor
)

// Fields holds a network evaluated at N points together with the input
// derivatives a residual or boundary condition asks for.
//
// The nested path differentiates Σ_n u_k(x_n) with respect to the input
// tensor X (createGraph on), which gives ∂u_k/∂x_i at every point since the
// points are independent, and repeats that for higher orders; every result
// is differentiable with respect to the parameters.
//
// The Taylor path propagates the value together with the first derivatives
// a_i = ∂a/∂x_i and the requested second derivatives a_ij through the
// network, layer by layer: an affine layer maps every stream by the same
// weight (the bias only enters the value), an activation h = σ(a) gives
// h_i = σ′(a)a_i and h_ij = σ′(a)a_ij + σ″(a)a_i a_j. The streams are
// stacked as [K, N, width] so each layer is one GEMM, and both the affine
// map and the activation are fused custom operations with hand-written
// backward rules, so the parameter gradient costs one reverse sweep over
// them. Its results are differentiable with respect to the parameters once
// (what training needs), not twice, and not with respect to X.
type Fields struct {
	// X are the points, [N, In].
	X *tensor.Tensor
	// U is the network output, [N, Out].
	U *tensor.Tensor

	net    Net
	nested bool
	xg     *tensor.Tensor            // X with gradients on (nested)
	grads  map[string]*tensor.Tensor // key of a partial → ∇_x of Σ that partial, [N, In] (nested)
	stream *tensor.Tensor            // [K, N, Out] (Taylor)
	index  map[string]int            // "axes" key → stream (Taylor)
	// computed holds the declared partials of a Constrained network on
	// the Taylor path, by Partial key.
	computed map[string]*tensor.Tensor
}

// Eval evaluates net at the points x ([N, In]) and prepares the partial
// derivatives needs (which Taylor mode must know in advance; the nested
// path computes any partial on demand).
func Eval(net Net, x *tensor.Tensor, needs []Partial, mode Mode) *Fields {
	if x.NDim() != 2 {
		panic(fmt.Sprintf("pinn.Eval: points of shape %v, want [N, In]", x.Shape()))
	}
	ok := taylorCapable(net, x.DType(), needs)
	if mode == Taylor && !ok {
		panic("pinn.Eval: the Taylor path needs a float64 *MLP (or a Constrained one) and derivatives of order ≤ 2")
	}
	if mode == Nested || !ok {
		xg := x.Detach().SetRequiresGrad(true)
		return &Fields{X: x, U: net.Forward(xg), net: net, nested: true, xg: xg, grads: map[string]*tensor.Tensor{}}
	}
	if c, isC := net.(*Constrained); isC {
		return evalConstrained(c, x, needs, mode)
	}
	return evalTaylor(net.(*MLP), x, needs)
}

// N returns the number of points.
func (f *Fields) N() int { return f.X.Dim(0) }

// Input returns coordinate i of the points, [N] (not differentiable).
func (f *Fields) Input(i int) *tensor.Tensor {
	return tensor.Reshape(tensor.Narrow(f.X, 1, i, 1), f.N())
}

// Out returns output component k, [N].
func (f *Fields) Out(k int) *tensor.Tensor { return f.D(k) }

// D returns ∂^{len(axes)} u_k / ∂x_axes…, [N]: D(0) is u, D(0, 1) is u_t
// when axis 1 is t, D(0, 0, 0) is u_xx, D(0, 0, 1) is u_xt.
func (f *Fields) D(k int, axes ...int) *tensor.Tensor {
	p := Partial{Out: k, Axes: axes}
	n := f.N()
	if f.computed != nil {
		v, ok := f.computed[p.key()]
		if !ok {
			panic(fmt.Sprintf("pinn.Fields.D: partial %v was not declared to Eval (Taylor path)", p))
		}
		return v
	}
	if !f.nested {
		s, ok := f.index[p.key()[len(strconv.Itoa(k)):]]
		if !ok {
			panic(fmt.Sprintf("pinn.Fields.D: partial %v was not declared to Eval (Taylor path)", p))
		}
		_, out := f.net.Dims()
		v := tensor.Narrow(f.stream, 0, s, 1)
		if out > 1 {
			v = tensor.Narrow(v, 2, k, 1)
		}
		return tensor.Reshape(v, n)
	}
	if len(axes) == 0 {
		if f.U.Dim(1) == 1 {
			return tensor.Reshape(f.U, n)
		}
		return tensor.Reshape(tensor.Narrow(f.U, 1, k, 1), n)
	}
	a := slices.Clone(axes)
	slices.Sort(a)
	parent := Partial{Out: k, Axes: a[:len(a)-1]}
	g := f.grads[parent.key()]
	if g == nil {
		pv := f.D(k, parent.Axes...)
		g = tensor.Grad([]*tensor.Tensor{pv}, []*tensor.Tensor{f.xg}, nil, true)[0]
		f.grads[parent.key()] = g
	}
	return tensor.Reshape(tensor.Narrow(g, 1, a[len(a)-1], 1), n)
}
