package pinn

import (
	"fmt"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// Constrained imposes conditions exactly by the affine output transform
// (Lagaris, Likas & Fotiadis 1998; Sukumar & Srivastava 2022)
//
//	u(x) = G(x) + M(x) ⊙ v(x),
//
// with v the wrapped network, G a function that satisfies the conditions
// and M one that vanishes where they are imposed: for u(x, 0) = g(x) take
// G = g(x), M = t; for u = 0 at x = 0, 1 as well, M = x(1 − x)t; for
// u(x, 0) = g and u_t(x, 0) = 0, M = t². G and M depend on the points
// only (not on trained parameters) and must be written with
// differentiable tensor operations.
//
// Unlike the general Transformed, input derivatives of a Constrained MLP
// (float64) stay on the fast Taylor path: those of G and M are taken by
// nested autodiff of these parameter-free functions, those of v by Taylor
// propagation, and they are combined by the product rule,
//
//	u_i  = G_i + M_i v + M v_i,
//	u_ij = G_ij + M_ij v + M_i v_j + M_j v_i + M v_ij.
type Constrained struct {
	Net Net
	// Base is G: [N, In] → [N, Out] (nil: zero).
	Base func(x *tensor.Tensor) *tensor.Tensor
	// Scale is M: [N, In] → [N, Out] or [N, 1] (the same factor for every
	// output).
	Scale func(x *tensor.Tensor) *tensor.Tensor
}

// Dims returns the dimensions of the wrapped network.
func (c *Constrained) Dims() (int, int) { return c.Net.Dims() }

// Forward returns G(x) + M(x) ⊙ Net(x).
func (c *Constrained) Forward(x *tensor.Tensor) *tensor.Tensor {
	u := tensor.Mul(c.Scale(x), c.Net.Forward(x))
	if c.Base != nil {
		u = tensor.Add(c.Base(x), u)
	}
	return u
}

// Visit declares the wrapped network's parameters under "net".
func (c *Constrained) Visit(v *nn.Visitor) { v.Module("net", c.Net) }

// evalConstrained evaluates a Constrained network whose inner network
// takes the Taylor path: the partials of v from Taylor propagation, those
// of G and M by nested autodiff (detached: they hold no parameters), then
// the product rule for every partial in needs.
func evalConstrained(c *Constrained, x *tensor.Tensor, needs []Partial, mode Mode) *Fields {
	// v needs every partial of a need and its lower-order factors
	var inner []Partial
	add := func(p Partial) {
		for _, q := range inner {
			if q.key() == p.key() {
				return
			}
		}
		inner = append(inner, p)
	}
	for _, p := range needs {
		add(D(p.Out))
		for _, a := range p.Axes {
			add(D(p.Out, a))
		}
		add(p)
	}
	fv := Eval(c.Net, x, inner, mode)
	xg := x.Detach().SetRequiresGrad(true)
	aux := func(f func(*tensor.Tensor) *tensor.Tensor) *Fields {
		return &Fields{X: x, U: f(xg), nested: true, xg: xg, grads: map[string]*tensor.Tensor{}}
	}
	fm := aux(c.Scale)
	var fg *Fields
	if c.Base != nil {
		fg = aux(c.Base)
	}
	mcols := fm.U.Dim(1)
	// d returns a partial of G or M as a constant [N] tensor (nil: zero)
	d := func(f *Fields, k int, axes ...int) *tensor.Tensor {
		if f == nil {
			return nil
		}
		if f == fm && mcols == 1 {
			k = 0
		}
		return f.D(k, axes...).Detach()
	}
	acc := func(sum, a, b *tensor.Tensor) *tensor.Tensor {
		if a == nil || b == nil {
			return sum
		}
		t := tensor.Mul(a, b)
		if sum == nil {
			return t
		}
		return tensor.Add(sum, t)
	}
	plus := func(sum, a *tensor.Tensor) *tensor.Tensor {
		switch {
		case a == nil:
			return sum
		case sum == nil:
			return a
		}
		return tensor.Add(sum, a)
	}
	computed := map[string]*tensor.Tensor{}
	_, out := c.Net.Dims()
	n := x.Dim(0)
	for _, p := range needs {
		k := p.Out
		v, m := fv.D(k), d(fm, k)
		var u *tensor.Tensor
		switch len(p.Axes) {
		case 0:
			u = plus(acc(nil, m, v), d(fg, k))
		case 1:
			a := p.Axes[0]
			u = acc(nil, m, fv.D(k, a))
			u = acc(u, d(fm, k, a), v)
			u = plus(u, d(fg, k, a))
		case 2:
			a, b := p.Axes[0], p.Axes[1]
			u = acc(nil, m, fv.D(k, a, b))
			u = acc(u, d(fm, k, a), fv.D(k, b))
			u = acc(u, d(fm, k, b), fv.D(k, a))
			u = acc(u, d(fm, k, a, b), v)
			u = plus(u, d(fg, k, a, b))
		default:
			panic(fmt.Sprintf("pinn.Eval: partial %v of order > 2 on the Taylor path", p))
		}
		if u == nil {
			u = tensor.Scale(v, 0)
		}
		computed[p.key()] = u
	}
	// U: every output (those not asked for from G + M ⊙ v)
	uo := tensor.Mul(fm.U.Detach(), fv.U)
	if fg != nil {
		uo = tensor.Add(fg.U.Detach(), uo)
	}
	if out == 1 {
		if v, ok := computed[D(0).key()]; ok {
			uo = tensor.Reshape(v, n, 1)
		}
	}
	return &Fields{X: x, U: uo, net: c, computed: computed}
}

// taylorCapable reports whether net takes the Taylor path for points of
// dtype dt and partials needs.
func taylorCapable(net Net, dt tensor.DType, needs []Partial) bool {
	for _, p := range needs {
		if len(p.Axes) > 2 {
			return false
		}
	}
	switch n := net.(type) {
	case *MLP:
		return n.Act.All != nil && dt == tensor.Float64 && n.Layers[0].Weight.DType() == tensor.Float64
	case *Constrained:
		return taylorCapable(n.Net, dt, needs)
	}
	return false
}
