package pinn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sciml-go/sciml/tensor"
)

// ExactReference samples f(x, t) on the tensor grid xs × ts.
func ExactReference(xs, ts []float64, f func(x, t float64) float64) *Reference {
	r := &Reference{X: xs, T: ts, U: make([]float64, len(xs)*len(ts))}
	for i, x := range xs {
		for j, t := range ts {
			r.U[i*len(ts)+j] = f(x, t)
		}
	}
	return r
}

// Restrict marks the grid points (x, t) for which in holds as the inside
// of the domain (Reference.Inside), sets U to 0 at the others, and returns
// r.
func (r *Reference) Restrict(in func(p []float64) bool) *Reference {
	r.Inside = make([]bool, len(r.U))
	for i, x := range r.X {
		for j, t := range r.T {
			k := i*len(r.T) + j
			r.Inside[k] = in([]float64{x, t})
			if !r.Inside[k] {
				r.U[k] = 0
			}
		}
	}
	return r
}

// Linspace returns n equispaced points from a to b inclusive.
func Linspace(a, b float64, n int) []float64 {
	p := make([]float64, n)
	for i := range p {
		p[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	return p
}

// PoissonSine is the manufactured 2-D Poisson problem
//
//	−Δu = 2π² sin πx sin πy on [0, 1]²,  u = 0 on the boundary,
//
// with exact solution u = sin πx sin πy; nb points on each side, in
// conditions named "x=0", "x=1", "y=0", "y=1". It is PoissonOn the unit
// square with Dirichlet conditions, with the targets exactly zero.
func PoissonSine(nb int, r *rand.Rand) (*Problem, func(x, y float64) float64) {
	dom := Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
	var conds []*Condition
	names := []string{"x=0", "x=1", "y=0", "y=1"}
	for axis := range 2 {
		for _, hi := range []bool{false, true} {
			conds = append(conds, Dirichlet(names[len(conds)], dom.Face(axis, hi).Sample(nb, Uniform{}, r), 0, nil))
		}
	}
	p, exact, _ := PoissonOn(dom, "dirichlet", 0, r)
	p.Conditions = conds
	return p, exact
}

// PoissonOn is the manufactured Poisson problem −Δu = 2π² sin πx sin πy
// on the 2-D shape dom, whose solution is u* = sin πx sin πy once the
// boundary data are taken from u*; bc says which:
//
//	dirichlet  u = u*
//	robin      u + ∂u/∂n = u* + ∂u*/∂n
//	neumann    ∂u/∂n = ∂u*/∂n where n·(1, 1) > 0 (the sides facing right
//	           or up), u = u* elsewhere (so that the solution is unique)
//
// with ∇u* = π(cos πx sin πy, sin πx cos πy). A Box gets nb uniform points
// on each side, in conditions named by FaceNames ("x=0", "x=1", "y=0",
// "y=1" on the unit square; it is PoissonBox's problem); another
// shape nb points of BoundarySample with their normals, in a condition
// "boundary" (dirichlet, robin) or the two "neumann" and "dirichlet".
func PoissonOn(dom Shape, bc string, nb int, r *rand.Rand) (*Problem, func(x, y float64) float64, error) {
	if dom.Dim() != 2 {
		return nil, nil, fmt.Errorf("pinn.PoissonOn: %d-D domain, want 2-D", dom.Dim())
	}
	exact := func(x, y float64) float64 { return math.Sin(math.Pi*x) * math.Sin(math.Pi*y) }
	grad := func(p []float64) (float64, float64) {
		sx, cx := math.Sincos(math.Pi * p[0])
		sy, cy := math.Sincos(math.Pi * p[1])
		return math.Pi * cx * sy, math.Pi * sx * cy
	}
	u := func(p []float64) float64 { return exact(p[0], p[1]) }
	var conds []*Condition
	switch bc {
	case "dirichlet", "neumann", "robin":
	default:
		return nil, nil, fmt.Errorf("pinn.PoissonOn: boundary condition %q (want dirichlet, neumann or robin)", bc)
	}
	if box, ok := dom.(Box); ok {
		faces := make([]string, 4)
		for f := range faces {
			faces[f] = bc
			if bc == "neumann" && f%2 == 0 {
				faces[f] = "dirichlet"
			}
		}
		p, _, err := PoissonBox(box, faces, nb, r)
		return p, exact, err
	}
	x, nrm := BoundarySample(dom, nb, r)
	dn := func(p, n []float64) float64 {
		gx, gy := grad(p)
		return n[0]*gx + n[1]*gy
	}
	conds = append(conds, normalData("boundary", bc, x, nrm, u, dn)...)
	p := &Problem{
		Domain: dom,
		Needs:  []Partial{D(0, 0, 0), D(0, 1, 1)},
		Residual: func(f *Fields) []*tensor.Tensor {
			x, y := f.Input(0).ToFloat64s(), f.Input(1).ToFloat64s()
			src := make([]float64, len(x))
			for i := range x {
				src[i] = 2 * math.Pi * math.Pi * math.Sin(math.Pi*x[i]) * math.Sin(math.Pi*y[i])
			}
			lap := tensor.Add(f.D(0, 0, 0), f.D(0, 1, 1))
			return []*tensor.Tensor{tensor.Add(lap, castTo(tensor.New(src, len(src)), lap.DType()))}
		},
		Conditions: conds,
	}
	return p, exact, nil
}

// PoissonBox is the manufactured Poisson problem on a d-D box (d = 1, 2
// or 3)
//
//	−Δu = dπ² Π_i sin πx_i,  u* = Π_i sin πx_i,
//
// with each face's data from u* as faceBC says (2d entries: entry 2a + k
// is axis a's low (k = 0) or high (k = 1) face, named by FaceNames):
// "dirichlet" u = u*, "neumann" ∂u/∂n = ∂u*/∂n, "robin"
// u + ∂u/∂n = u* + ∂u*/∂n, ∂/∂n the outward normal derivative
// ±∂/∂x_a; nb uniform points on each face. Neumann data on every face
// leave u determined only up to a constant: that is an error. In 2-D it
// is PoissonOn's problem on a box; in 3-D, −Δu = 3π² sin πx sin πy sin πz.
func PoissonBox(box Box, faceBC []string, nb int, r *rand.Rand) (*Problem, func(p []float64) float64, error) {
	d := box.Dim()
	if d < 1 || d > 3 {
		return nil, nil, fmt.Errorf("pinn.PoissonBox: %d-D box, want 1-, 2- or 3-D", d)
	}
	if len(faceBC) != 2*d {
		return nil, nil, fmt.Errorf("pinn.PoissonBox: %d face conditions for the %d faces of a %d-D box", len(faceBC), 2*d, d)
	}
	allNeumann := true
	for f, bc := range faceBC {
		switch bc {
		case "dirichlet", "robin":
			allNeumann = false
		case "neumann":
		default:
			return nil, nil, fmt.Errorf("pinn.PoissonBox: face %s: boundary condition %q (want dirichlet, neumann or robin)", FaceNames(box)[f], bc)
		}
	}
	if allNeumann {
		return nil, nil, errors.New("pinn.PoissonBox: Neumann data on every face determine u only up to a constant (make a face dirichlet or robin)")
	}
	exact := func(p []float64) float64 {
		u := 1.0
		for _, v := range p {
			u *= math.Sin(math.Pi * v)
		}
		return u
	}
	// ∂u*/∂x_a = π cos πx_a Π_{i≠a} sin πx_i
	partial := func(p []float64, a int) float64 {
		g := math.Pi
		for i, v := range p {
			if i == a {
				g *= math.Cos(math.Pi * v)
			} else {
				g *= math.Sin(math.Pi * v)
			}
		}
		return g
	}
	names := FaceNames(box)
	var conds []*Condition
	for axis := range d {
		for k, hi := range []bool{false, true} {
			x := box.Face(axis, hi).Sample(nb, Uniform{}, r)
			name := names[2*axis+k]
			sign := float64(2*k - 1)
			dn := func(p []float64) float64 { return sign * partial(p, axis) }
			switch faceBC[2*axis+k] {
			case "robin":
				conds = append(conds, Robin(name, x, 0, axis, sign, 1, 1, func(p []float64) float64 { return exact(p) + dn(p) }))
			case "neumann":
				conds = append(conds, Neumann(name, x, 0, axis, sign, dn))
			default:
				conds = append(conds, Dirichlet(name, x, 0, exact))
			}
		}
	}
	needs := make([]Partial, d)
	for i := range needs {
		needs[i] = D(0, i, i)
	}
	p := &Problem{
		Domain: box,
		Needs:  needs,
		Residual: func(f *Fields) []*tensor.Tensor {
			xs := make([][]float64, d)
			for i := range xs {
				xs[i] = f.Input(i).ToFloat64s()
			}
			src := make([]float64, f.N())
			for n := range src {
				s := float64(d) * math.Pi * math.Pi
				for i := range xs {
					s *= math.Sin(math.Pi * xs[i][n])
				}
				src[n] = s
			}
			lap := f.D(0, 0, 0)
			for i := 1; i < d; i++ {
				lap = tensor.Add(lap, f.D(0, i, i))
			}
			return []*tensor.Tensor{tensor.Add(lap, castTo(tensor.New(src, len(src)), lap.DType()))}
		},
		Conditions: conds,
	}
	return p, exact, nil
}

// FaceNames returns the names of a box's faces (at most 3-D), the low
// then the high face of each axis: "x=0", "x=1", "y=0", "y=1", "z=0",
// "z=1" for the unit cube (the face's coordinate, formatted %g).
func FaceNames(box Box) []string {
	var names []string
	for a := range box.Dim() {
		for _, v := range []float64{box.Lo[a], box.Hi[a]} {
			names = append(names, fmt.Sprintf("%s=%g", []string{"x", "y", "z"}[a], v))
		}
	}
	return names
}

// HeatOn is the heat equation u_t = Δu on the cylinder space × [0, t1]
// (inputs (x, y, t)) with the exact solution u* = e^{−2t} sin x sin y:
// u = u* at n0 points of the initial slice (Halton, condition "initial")
// and, on nb points of the lateral boundary (TimeSpace.Lateral), the data
// of u* as bc says (see PoissonOn): "dirichlet" and "robin" in a condition
// "lateral", "neumann" in "neumann" (normals with n·(1, 1) > 0) and
// "dirichlet" (the rest).
func HeatOn(space Shape, t1 float64, bc string, n0, nb int, r *rand.Rand) (*Problem, func(p []float64) float64, error) {
	if space.Dim() != 2 {
		return nil, nil, fmt.Errorf("pinn.HeatOn: %d-D space, want 2-D", space.Dim())
	}
	exact := func(p []float64) float64 { return math.Exp(-2*p[2]) * math.Sin(p[0]) * math.Sin(p[1]) }
	dn := func(p, n []float64) float64 { // n·∇u*
		e := math.Exp(-2 * p[2])
		sx, cx := math.Sincos(p[0])
		sy, cy := math.Sincos(p[1])
		return e * (n[0]*cx*sy + n[1]*sx*cy)
	}
	dom := TimeSpace{Space: space, T0: 0, T1: t1}
	conds := []*Condition{Dirichlet("initial", dom.Initial(n0, Halton{}, r), 0, exact)}
	x, nrm := dom.Lateral(nb, r)
	switch bc {
	case "dirichlet", "neumann", "robin":
		conds = append(conds, normalData("lateral", bc, x, nrm, exact, dn)...)
	default:
		return nil, nil, fmt.Errorf("pinn.HeatOn: boundary condition %q (want dirichlet, neumann or robin)", bc)
	}

	p := &Problem{
		Domain: dom,
		Needs:  []Partial{D(0, 2), D(0, 0, 0), D(0, 1, 1)},
		Residual: func(f *Fields) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Sub(f.D(0, 2), tensor.Add(f.D(0, 0, 0), f.D(0, 1, 1)))}
		},
		Conditions: conds,
	}
	return p, exact, nil
}

// Convection is PINNsFormer's convection problem u_t + β u_x = 0 on
// x ∈ [0, 2π], t ∈ [0, 1], u(x, 0) = sin x, u(0, t) = u(2π, t), with exact
// solution sin(x − βt); n0 initial and nb boundary pairs on grids.
func Convection(beta float64, n0, nb int) (*Problem, func(x, t float64) float64) {
	dom := Box{Lo: []float64{0, 0}, Hi: []float64{2 * math.Pi, 1}}
	x0, xl, xr := gridFace(dom, 1, false, n0), gridFace(dom, 0, false, nb), gridFace(dom, 0, true, nb)
	p := &Problem{
		Domain: dom,
		Needs:  []Partial{D(0, 0), D(0, 1)},
		Residual: func(f *Fields) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Add(f.D(0, 1), tensor.Scale(f.D(0, 0), beta))}
		},
		Conditions: []*Condition{
			Dirichlet("initial", x0, 0, func(x []float64) float64 { return math.Sin(x[0]) }),
			Periodic("periodic", xl, xr, 0, 0, 0),
		},
	}
	return p, func(x, t float64) float64 { return math.Sin(x - beta*t) }
}

// Reaction is PINNsFormer's reaction problem u_t − ρu(1 − u) = 0 on
// [0, 2π] × [0, 1], u(x, 0) = h(x) = exp(−(x − π)²/(2(π/4)²)), periodic in
// x, with exact solution h e^{ρt}/(h e^{ρt} + 1 − h).
func Reaction(rho float64, n0, nb int) (*Problem, func(x, t float64) float64) {
	dom := Box{Lo: []float64{0, 0}, Hi: []float64{2 * math.Pi, 1}}
	h := func(x float64) float64 {
		return math.Exp(-(x - math.Pi) * (x - math.Pi) / (2 * math.Pi * math.Pi / 16))
	}
	x0, xl, xr := gridFace(dom, 1, false, n0), gridFace(dom, 0, false, nb), gridFace(dom, 0, true, nb)
	p := &Problem{
		Domain: dom,
		Needs:  []Partial{D(0), D(0, 1)},
		Residual: func(f *Fields) []*tensor.Tensor {
			u := f.D(0)
			return []*tensor.Tensor{tensor.Sub(f.D(0, 1), tensor.Scale(tensor.Mul(u, tensor.AddScalar(tensor.Neg(u), 1)), rho))}
		},
		Conditions: []*Condition{
			Dirichlet("initial", x0, 0, func(x []float64) float64 { return h(x[0]) }),
			Periodic("periodic", xl, xr, 0, 0, 0),
		},
	}
	return p, func(x, t float64) float64 {
		e := h(x) * math.Exp(rho*t)
		return e / (e + 1 - h(x))
	}
}

// Wave is PINNsFormer's 1-D wave problem u_tt = 4u_xx on [0, 1]²,
// u(x, 0) = sin πx + ½ sin 3πx, u_t(x, 0) = 0, u(0, t) = u(1, t) = 0, with
// exact solution sin πx cos 2πt + ½ sin 3πx cos 6πt.
func Wave(n0, nb int) (*Problem, func(x, t float64) float64) {
	dom := Box{Lo: []float64{0, 0}, Hi: []float64{1, 1}}
	x0, xl, xr := gridFace(dom, 1, false, n0), gridFace(dom, 0, false, nb), gridFace(dom, 0, true, nb)
	p := &Problem{
		Domain: dom,
		Needs:  []Partial{D(0, 0, 0), D(0, 1, 1)},
		Residual: func(f *Fields) []*tensor.Tensor {
			return []*tensor.Tensor{tensor.Sub(f.D(0, 1, 1), tensor.Scale(f.D(0, 0, 0), 4))}
		},
		Conditions: []*Condition{
			Dirichlet("initial", x0, 0, func(x []float64) float64 {
				return math.Sin(math.Pi*x[0]) + 0.5*math.Sin(3*math.Pi*x[0])
			}),
			Neumann("initial_velocity", x0, 0, 1, 1, nil),
			Dirichlet("left", xl, 0, nil),
			Dirichlet("right", xr, 0, nil),
		},
	}
	return p, func(x, t float64) float64 {
		return math.Sin(math.Pi*x)*math.Cos(2*math.Pi*t) + 0.5*math.Sin(3*math.Pi*x)*math.Cos(6*math.Pi*t)
	}
}

// gridFace returns n equispaced points on a face of a 2-D box (along the
// free axis, endpoints included).
func gridFace(b Box, axis int, hi bool, n int) *tensor.Tensor {
	f := b.Face(axis, hi)
	free := 1 - axis
	p := make([]float64, 0, 2*n)
	for _, v := range Linspace(f.Lo[free], f.Hi[free], n) {
		row := []float64{f.Lo[0], f.Lo[1]}
		row[free] = v
		p = append(p, row...)
	}
	return tensor.New(p, n, 2)
}

// normalData returns the conditions giving u*'s data at the boundary
// points x ([n, d]) with outward normals nrm, value u and normal derivative
// dn, as bc says: "dirichlet" (u) or "robin" (u + ∂u/∂n) in one condition
// named name, or "neumann" (∂u/∂n) on the points whose normal has
// n₀ + n₁ > 0 and "dirichlet" (u) on the rest.
func normalData(name, bc string, x, nrm *tensor.Tensor, u func([]float64) float64, dn func(p, n []float64) float64) []*Condition {
	nb, d := x.Dim(0), x.Dim(1)
	xs, ns := x.Float64s(), nrm.Float64s()
	switch bc {
	case "dirichlet":
		return []*Condition{Dirichlet(name, x, 0, u)}
	case "robin":
		c := RobinNormal(name, x, nrm, 0, 1, 1, nil)
		g := make([]float64, nb)
		for i := range g {
			g[i] = u(xs[d*i:d*i+d]) + dn(xs[d*i:d*i+d], ns[d*i:d*i+d])
		}
		c.Target = tensor.New(g, nb)
		return []*Condition{c}
	}
	var conds []*Condition
	var xn, nn, gn, xd []float64
	for i := range nb {
		p, n := xs[d*i:d*i+d], ns[d*i:d*i+d]
		if n[0]+n[1] > 0 {
			xn, nn, gn = append(xn, p...), append(nn, n...), append(gn, dn(p, n))
		} else {
			xd = append(xd, p...)
		}
	}
	if len(gn) > 0 {
		c := NeumannNormal("neumann", tensor.New(xn, len(gn), d), tensor.New(nn, len(gn), d), 0, nil)
		c.Target = tensor.New(gn, len(gn))
		conds = append(conds, c)
	}
	if len(xd) > 0 {
		conds = append(conds, Dirichlet("dirichlet", tensor.New(xd, len(xd)/d, d), 0, u))
	}
	return conds
}
