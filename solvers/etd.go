package solvers

import (
	"math"
	"math/cmplx"
)

// etdCoefficients holds the ETDRK4 coefficients (Cox–Matthews scheme,
// Kassam–Trefethen evaluation) of a diagonal real linear operator L for one
// time step h, one value per Fourier mode.
type etdCoefficients struct {
	h                    float64
	e, e2, q, f1, f2, f3 []float64
}

// etdPoints is the default number of contour points.
const etdPoints = 64

// newETDCoefficients evaluates, for each l = L_k,
//
//	e  = e^{hl},  e2 = e^{hl/2},
//	q  = h·φ((e^{z/2}−1)/z),
//	f1 = h·φ((−4 − z + e^z(4 − 3z + z²))/z³),
//	f2 = h·φ((2 + z + e^z(z − 2))/z³),
//	f3 = h·φ((−4 − 3z − z² + e^z(4 − z))/z³),
//
// where φ(g) is the mean of g(hl + r_j) over m points r_j = e^{2πi(j+½)/m}
// of the unit circle centred at hl (Kassam & Trefethen 2005): the contour
// mean equals g(hl) by Cauchy's formula and avoids the cancellation of the
// direct formulas for |hl| ≲ 1. Since hl is real, g(conj z) = conj g(z) and
// the real part of the mean is taken over the m/2 points of the upper half.
func newETDCoefficients(L []float64, h float64, m int) *etdCoefficients {
	if m <= 0 {
		m = etdPoints
	}
	n := len(L)
	c := &etdCoefficients{h: h,
		e: make([]float64, n), e2: make([]float64, n), q: make([]float64, n),
		f1: make([]float64, n), f2: make([]float64, n), f3: make([]float64, n)}
	m = (m + 1) / 2 * 2
	roots := make([]complex128, m/2)
	for j := range roots {
		roots[j] = cmplx.Exp(complex(0, 2*math.Pi*(float64(j)+0.5)/float64(m)))
	}
	for k, l := range L {
		hl := h * l
		c.e[k] = math.Exp(hl)
		c.e2[k] = math.Exp(hl / 2)
		var q, f1, f2, f3 complex128
		for _, r := range roots {
			z := complex(hl, 0) + r
			ez := cmplx.Exp(z)
			z3 := z * z * z
			q += (cmplx.Exp(z/2) - 1) / z
			f1 += (-4 - z + ez*(4-3*z+z*z)) / z3
			f2 += (2 + z + ez*(z-2)) / z3
			f3 += (-4 - 3*z - z*z + ez*(4-z)) / z3
		}
		s := h / float64(m/2)
		c.q[k] = s * real(q)
		c.f1[k] = s * real(f1)
		c.f2[k] = s * real(f2)
		c.f3[k] = s * real(f3)
	}
	return c
}
