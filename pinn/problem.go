package pinn

import (
	"fmt"

	"github.com/sciml-go/sciml/tensor"
)

// Problem is a PDE problem for a PINN: the residual on the interior
// (Domain), and the boundary, initial and data conditions.
type Problem struct {
	// Domain is where collocation points are drawn: a Box or a
	// constructive shape (Union, Difference, Disk, …).
	Domain Domain
	// Residual returns the residual components (each [N]) of the PDE at
	// the points of f, written with f.D: for Burgers
	// u_t + u u_x − ν u_xx it is
	//
	//	u, ux, ut, uxx := f.D(0), f.D(0, 0), f.D(0, 1), f.D(0, 0, 0)
	//	return []*tensor.Tensor{tensor.Sub(tensor.Add(ut, tensor.Mul(u, ux)), tensor.Scale(uxx, nu))}
	//
	// Its loss is the mean of the squares (the sum over components).
	Residual func(f *Fields) []*tensor.Tensor
	// Needs lists the partials Residual uses, for the Taylor path; leave it
	// empty to use nested autodiff.
	Needs []Partial
	// Conditions are the boundary/initial/data terms of the loss.
	Conditions []*Condition
	// Params are trainable PDE coefficients (inverse problems): Residual
	// reads them, the optimizer updates them with the network.
	Params []*tensor.Tensor
}

// Condition is one loss term Weight · mean_m (α u_k + β ∂u_k/∂n − g)² at
// its points, ∂/∂n = Sign·∂/∂x_Axis (the outward normal of a box face) or,
// with Normal set, ∂/∂n = Σ_i n_i ∂/∂x_i (any boundary, normals from
// BoundarySample or TimeSpace.Lateral): Dirichlet (α=1, β=0), Neumann
// (α=0, β=1), Robin; data for inverse problems is a Dirichlet condition
// at the measurement points. A periodic
// condition (Partner set) instead penalises u_k(x) − u_k(x') and, up to
// Order, ∂^j u_k/∂x_Axis^j(x) − ∂^j u_k/∂x_Axis^j(x') between matched rows.
type Condition struct {
	Name string
	// X are the points, [M, In] (float64; converted to the network dtype).
	X *tensor.Tensor
	// Partner are the matched points of a periodic condition ([M, In]).
	Partner *tensor.Tensor
	// Out is the output component constrained.
	Out int
	// Alpha, Beta weight u and its normal derivative.
	Alpha, Beta float64
	// Axis and Sign give the normal direction Sign·e_Axis (Sign ±1), and
	// the axis of a periodic condition.
	Axis int
	Sign float64
	// Normal, when set, holds the outward unit normal at each point,
	// [M, In] (float64), in place of Axis and Sign.
	Normal *tensor.Tensor
	// Target holds g at the points, [M] (nil: zero).
	Target *tensor.Tensor
	// Order is the highest derivative matched by a periodic condition.
	Order int
	// Weight multiplies the term (0 means 1).
	Weight float64
}

func targetOf(x *tensor.Tensor, g func(x []float64) float64) *tensor.Tensor {
	if g == nil {
		return nil
	}
	m, d := x.Dim(0), x.Dim(1)
	xs := x.ToFloat64s()
	v := make([]float64, m)
	for i := range m {
		v[i] = g(xs[i*d : (i+1)*d])
	}
	return tensor.New(v, m)
}

// Dirichlet returns the condition u_out = g at the points x (g nil: 0).
func Dirichlet(name string, x *tensor.Tensor, out int, g func(x []float64) float64) *Condition {
	return &Condition{Name: name, X: x, Out: out, Alpha: 1, Target: targetOf(x, g)}
}

// Data returns the condition u_out = values at the points x ([M]):
// measurements for an inverse problem.
func Data(name string, x *tensor.Tensor, out int, values []float64) *Condition {
	if len(values) != x.Dim(0) {
		panic(fmt.Sprintf("pinn.Data: %d values for %d points", len(values), x.Dim(0)))
	}
	return &Condition{Name: name, X: x, Out: out, Alpha: 1, Target: tensor.New(values, len(values))}
}

// Neumann returns the condition sign·∂u_out/∂x_axis = g at the points x.
// On a box face sign is +1 at Hi and −1 at Lo (outward normal); for an
// initial velocity u_t(x, 0) = g use axis t and sign +1.
func Neumann(name string, x *tensor.Tensor, out, axis int, sign float64, g func(x []float64) float64) *Condition {
	return &Condition{Name: name, X: x, Out: out, Beta: 1, Axis: axis, Sign: sign, Target: targetOf(x, g)}
}

// Robin returns the condition α u_out + β sign·∂u_out/∂x_axis = g.
func Robin(name string, x *tensor.Tensor, out, axis int, sign, alpha, beta float64, g func(x []float64) float64) *Condition {
	return &Condition{Name: name, X: x, Out: out, Alpha: alpha, Beta: beta, Axis: axis, Sign: sign, Target: targetOf(x, g)}
}

// NeumannNormal returns the condition ∂u_out/∂n = n·∇u_out = g at the
// points x with outward unit normals normal ([M, In], as BoundarySample
// returns them): the Neumann condition on a curved boundary.
func NeumannNormal(name string, x, normal *tensor.Tensor, out int, g func(x []float64) float64) *Condition {
	checkNormal(x, normal)
	return &Condition{Name: name, X: x, Out: out, Beta: 1, Normal: normal, Target: targetOf(x, g)}
}

// RobinNormal returns the condition α u_out + β n·∇u_out = g at the points
// x with outward unit normals normal ([M, In]).
func RobinNormal(name string, x, normal *tensor.Tensor, out int, alpha, beta float64, g func(x []float64) float64) *Condition {
	checkNormal(x, normal)
	return &Condition{Name: name, X: x, Out: out, Alpha: alpha, Beta: beta, Normal: normal, Target: targetOf(x, g)}
}

func checkNormal(x, normal *tensor.Tensor) {
	if normal.NDim() != 2 || normal.Dim(0) != x.Dim(0) || normal.Dim(1) != x.Dim(1) {
		panic(fmt.Sprintf("pinn: normals %v for points %v", normal.Shape(), x.Shape()))
	}
}

// normalAxes returns the axes along which some normal is not zero, and
// the normals' components along them ([M] each, dtype d).
func (c *Condition) normalAxes(d tensor.DType) ([]int, []*tensor.Tensor) {
	m, in := c.Normal.Dim(0), c.Normal.Dim(1)
	ns := c.Normal.ToFloat64s()
	var axes []int
	var comps []*tensor.Tensor
	for a := range in {
		col := make([]float64, m)
		nz := false
		for i := range m {
			col[i] = ns[i*in+a]
			nz = nz || col[i] != 0
		}
		if nz {
			axes = append(axes, a)
			comps = append(comps, tensor.FromFloat64s(d, col, m))
		}
	}
	return axes, comps
}

// Periodic returns the condition u_out(x) = u_out(x') for matched rows of
// x and partner (and derivatives along axis up to order).
func Periodic(name string, x, partner *tensor.Tensor, out, axis, order int) *Condition {
	if x.Dim(0) != partner.Dim(0) {
		panic(fmt.Sprintf("pinn.Periodic: %v and %v points", x.Shape(), partner.Shape()))
	}
	return &Condition{Name: name, X: x, Partner: partner, Out: out, Axis: axis, Order: order}
}

func (c *Condition) weight() float64 {
	if c.Weight == 0 {
		return 1
	}
	return c.Weight
}

func castTo(x *tensor.Tensor, d tensor.DType) *tensor.Tensor {
	if x.DType() == d {
		return x
	}
	return tensor.FromFloat64s(d, x.ToFloat64s(), x.Shape()...)
}

// values returns the quantity the condition constrains at x.
func (c *Condition) values(net Net, x *tensor.Tensor, mode Mode) []*tensor.Tensor {
	if c.Partner != nil {
		needs := []Partial{D(c.Out)}
		axes := []int{}
		for range c.Order {
			axes = append(axes, c.Axis)
			needs = append(needs, D(c.Out, axes...))
		}
		f := Eval(net, x, needs, mode)
		vs := make([]*tensor.Tensor, len(needs))
		for i, p := range needs {
			vs[i] = f.D(p.Out, p.Axes...)
		}
		return vs
	}
	needs := []Partial{D(c.Out)}
	var axes []int
	var comps []*tensor.Tensor
	if c.Beta != 0 && c.Normal != nil {
		axes, comps = c.normalAxes(x.DType())
		for _, a := range axes {
			needs = append(needs, D(c.Out, a))
		}
	} else if c.Beta != 0 {
		needs = append(needs, D(c.Out, c.Axis))
	}
	f := Eval(net, x, needs, mode)
	var v *tensor.Tensor
	if c.Alpha != 0 {
		v = tensor.Scale(f.D(c.Out), c.Alpha)
	}
	if c.Beta != 0 {
		var dn *tensor.Tensor
		if c.Normal != nil {
			for i, a := range axes { // n·∇u
				t := tensor.Mul(f.D(c.Out, a), comps[i])
				if dn == nil {
					dn = t
				} else {
					dn = tensor.Add(dn, t)
				}
			}
			if dn == nil { // all normals zero
				dn = tensor.Scale(f.D(c.Out), 0)
			}
			dn = tensor.Scale(dn, c.Beta)
		} else {
			dn = tensor.Scale(f.D(c.Out, c.Axis), c.Beta*c.Sign)
		}
		if v == nil {
			v = dn
		} else {
			v = tensor.Add(v, dn)
		}
	}
	return []*tensor.Tensor{v}
}

// Loss returns the unweighted mean-square violation of the condition.
func (c *Condition) Loss(net Net, mode Mode) *tensor.Tensor {
	d := paramDType(net)
	x := castTo(c.X, d)
	vs := c.values(net, x, mode)
	if c.Partner != nil {
		ws := c.values(net, castTo(c.Partner, d), mode)
		var l *tensor.Tensor
		for i := range vs {
			t := tensor.Mean(tensor.Square(tensor.Sub(vs[i], ws[i])))
			if l == nil {
				l = t
			} else {
				l = tensor.Add(l, t)
			}
		}
		return l
	}
	r := vs[0]
	if c.Target != nil {
		r = tensor.Sub(r, castTo(c.Target, d))
	}
	return tensor.Mean(tensor.Square(r))
}

func paramDType(net Net) tensor.DType {
	var d tensor.DType
	for _, p := range netParams(net) {
		return p.DType()
	}
	if d == 0 {
		d = tensor.Float64
	}
	return d
}
