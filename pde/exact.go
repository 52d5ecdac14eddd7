package pde

import (
	"fmt"
	"math"
)

// ShellMode is one real Fourier mode of a periodic field on the unit torus:
// Cos·cos(2π k·x) + Sin·sin(2π k·x) with integer wave vector k = (KX, KY).
type ShellMode struct {
	KX, KY   int
	Cos, Sin float64
}

func (m ShellMode) at(x, y float64) float64 {
	a := 2 * math.Pi * (float64(m.KX)*x + float64(m.KY)*y)
	return m.Cos*math.Cos(a) + m.Sin*math.Sin(a)
}

// ShellFlow is an exact solution of the forced 2-D Navier–Stokes vorticity
// equation on the unit torus (the equation of NavierStokes) whose initial
// vorticity and forcing lie in one eigenspace of −Δ, i.e. all their wave
// vectors have the same length |k|. Then ψ = w/(4π²|k|²) and u·∇w = 0
// identically, so w_t = νΔw + f is linear and
//
//	w(t) = e^{−λt} w0 + (1 − e^{−λt})/λ · f,  λ = 4π²|k|²ν.
//
// Taylor–Green vortices, Kolmogorov flows and the FNO forcing
// 0.1(sin 2π(x+y) + cos 2π(x+y)) (|k|² = 2) are of this kind.
type ShellFlow struct {
	// Viscosity ν.
	Viscosity float64
	// Initial is w0.
	Initial []ShellMode
	// Forcing is f (time independent).
	Forcing []ShellMode
}

// TaylorGreen returns the decaying Taylor–Green vortex
// w = A sin(2πkx) sin(2πky) e^{−8π²k²νt}, written on the shell |k|² = 2k².
func TaylorGreen(k int, amplitude, viscosity float64) ShellFlow {
	// sin a sin b = ½cos(a−b) − ½cos(a+b).
	return ShellFlow{Viscosity: viscosity, Initial: []ShellMode{
		{KX: k, KY: -k, Cos: amplitude / 2},
		{KX: k, KY: k, Cos: -amplitude / 2},
	}}
}

// Kolmogorov returns the Kolmogorov flow w0 = A sin(2πky) driven by
// f = F sin(2πky); it relaxes to the steady w = F/(4π²k²ν) sin(2πky).
func Kolmogorov(k int, amplitude, forcing, viscosity float64) ShellFlow {
	return ShellFlow{Viscosity: viscosity,
		Initial: []ShellMode{{KY: k, Sin: amplitude}},
		Forcing: []ShellMode{{KY: k, Sin: forcing}},
	}
}

// FNOForcedShell returns the exact solution driven by the FNO forcing
// 0.1(sin 2π(x+y) + cos 2π(x+y)) from an initial vorticity on the same
// shell |k|² = 2: w0 = A cos(2π(x−y)) + B sin(2π(x+y)).
func FNOForcedShell(a, b, viscosity float64) ShellFlow {
	return ShellFlow{Viscosity: viscosity,
		Initial: []ShellMode{{KX: 1, KY: -1, Cos: a}, {KX: 1, KY: 1, Sin: b}},
		Forcing: []ShellMode{{KX: 1, KY: 1, Sin: 0.1, Cos: 0.1}},
	}
}

// Validate checks that all modes share one nonzero |k|² and ν > 0.
func (s ShellFlow) Validate() error {
	if !(s.Viscosity > 0) {
		return fmt.Errorf("pde.ShellFlow: viscosity must be positive, got %v", s.Viscosity)
	}
	k2 := -1
	for _, m := range append(append([]ShellMode(nil), s.Initial...), s.Forcing...) {
		q := m.KX*m.KX + m.KY*m.KY
		if q == 0 {
			return fmt.Errorf("pde.ShellFlow: mode (%d, %d) is the mean mode", m.KX, m.KY)
		}
		if k2 >= 0 && q != k2 {
			return fmt.Errorf("pde.ShellFlow: modes on different shells |k|² = %d and %d", k2, q)
		}
		k2 = q
	}
	if k2 < 0 {
		return fmt.Errorf("pde.ShellFlow: no modes")
	}
	return nil
}

func (s ShellFlow) lambda() float64 {
	var m ShellMode
	if len(s.Initial) > 0 {
		m = s.Initial[0]
	} else if len(s.Forcing) > 0 {
		m = s.Forcing[0]
	}
	return 4 * math.Pi * math.Pi * float64(m.KX*m.KX+m.KY*m.KY) * s.Viscosity
}

// Vorticity returns w(x, y, t).
func (s ShellFlow) Vorticity(x, y, t float64) float64 {
	l := s.lambda()
	e := math.Exp(-l * t)
	w := 0.0
	for _, m := range s.Initial {
		w += e * m.at(x, y)
	}
	if len(s.Forcing) > 0 {
		g := -math.Expm1(-l*t) / l
		for _, m := range s.Forcing {
			w += g * m.at(x, y)
		}
	}
	return w
}

// ForcingAt returns f(x, y).
func (s ShellFlow) ForcingAt(x, y float64) float64 {
	f := 0.0
	for _, m := range s.Forcing {
		f += m.at(x, y)
	}
	return f
}

// Grid returns w(·, ·, t) on the n×n grid x_ij = (i/n, j/n), row-major.
func (s ShellFlow) Grid(n int, t float64) []float64 {
	w := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w[i*n+j] = s.Vorticity(float64(i)/float64(n), float64(j)/float64(n), t)
		}
	}
	return w
}

// DarcyManufactured is a manufactured solution of −∇·(a∇u) = f on (0,1)²
// with zero Dirichlet data and a steep but smooth two-phase coefficient:
//
//	u(x,y) = sin(πx) sin(πy),
//	a(x,y) = Low + (High − Low)·(1 + tanh(ψ(x,y)/Width))/2,
//	ψ(x,y) = R² − (x−X0)² − (y−Y0)²,
//
// a disc of coefficient High in a background of Low whose edge has width
// ~Width (a "discontinuous-looking" coefficient that a fine enough grid
// resolves), and f = −a Δu − ∇a·∇u computed analytically.
type DarcyManufactured struct {
	// Low and High are the coefficients outside and inside the disc.
	Low, High float64
	// Width is the width of the tanh transition.
	Width float64
	// X0, Y0 is the centre of the disc and R its radius.
	X0, Y0, R float64
}

// DefaultDarcyManufactured returns Low = 3, High = 12 (the FNO phases),
// Width = 0.02, a disc of radius 0.3 centred at (0.45, 0.55).
func DefaultDarcyManufactured() DarcyManufactured {
	return DarcyManufactured{Low: 3, High: 12, Width: 0.02, X0: 0.45, Y0: 0.55, R: 0.3}
}

// U returns u(x, y).
func (m DarcyManufactured) U(x, y float64) float64 {
	return math.Sin(math.Pi*x) * math.Sin(math.Pi*y)
}

// A returns a(x, y).
func (m DarcyManufactured) A(x, y float64) float64 {
	a, _, _ := m.coef(x, y)
	return a
}

func (m DarcyManufactured) coef(x, y float64) (a, ax, ay float64) {
	dx, dy := x-m.X0, y-m.Y0
	psi := m.R*m.R - dx*dx - dy*dy
	th := math.Tanh(psi / m.Width)
	a = m.Low + (m.High-m.Low)*(1+th)/2
	g := (m.High - m.Low) / 2 * (1 - th*th) / m.Width
	return a, g * (-2 * dx), g * (-2 * dy)
}

// F returns f(x, y) = −∇·(a∇u)(x, y).
func (m DarcyManufactured) F(x, y float64) float64 {
	a, ax, ay := m.coef(x, y)
	sx, cx := math.Sincos(math.Pi * x)
	sy, cy := math.Sincos(math.Pi * y)
	ux, uy := math.Pi*cx*sy, math.Pi*sx*cy
	lap := -2 * math.Pi * math.Pi * sx * sy
	return -(a*lap + ax*ux + ay*uy)
}

// Grid returns a, f and u on the n×n node grid x_ij = (i h, j h),
// h = 1/(n−1), row-major.
func (m DarcyManufactured) Grid(n int) (a, f, u []float64) {
	a, f, u = make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	h := 1 / float64(n-1)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x, y := float64(i)*h, float64(j)*h
			p := i*n + j
			a[p], f[p], u[p] = m.A(x, y), m.F(x, y), m.U(x, y)
		}
	}
	return a, f, u
}
