package pde

import (
	"errors"
	"fmt"
	"math"

	"github.com/sciml-go/sciml/internal/fft"
)

// ColeHopf returns the exact solution of the viscous Burgers equation
// u_t + (u²/2)_x = ν u_xx on the periodic [0, L) at each of the given times,
// for the initial condition whose values on the grid x_i = iL/n are u0
// (taken as the trigonometric interpolant of those values, which must have
// zero mean). Each result has the n grid values.
//
// Method (Cole–Hopf): with U(x) = ∫₀ˣ u0 (periodic because u0 has zero
// mean), φ0 = exp(−U/(2ν)) solves the heat equation φ_t = ν φ_xx, and
// u = −2ν φ_x/φ. U is formed spectrally from u0 (Û_k = û_k/(2πik/L)), φ0 is
// evaluated on a grid refined upsample times (upsample ≤ 0 means 4) to
// suppress the aliasing of the exponential, and φ(t), φ_x(t) are
// multiplied exactly in Fourier space by exp(−ν(2πk/L)²t). U is shifted by
// its minimum so that 0 < φ ≤ 1. The evaluation is accurate to a few
// multiples of machine precision times max φ/min φ; ColeHopf returns an
// error when that ratio exceeds 1e10 (large u0/ν), where the transform is
// numerically useless.
func ColeHopf(u0 []float64, viscosity, length float64, times []float64, upsample int) ([][]float64, error) {
	n := len(u0)
	if n < 2 {
		return nil, fmt.Errorf("pde.ColeHopf: need at least 2 points, got %d", n)
	}
	if !(viscosity > 0) || !(length > 0) {
		return nil, fmt.Errorf("pde.ColeHopf: viscosity and length must be positive, got %v and %v", viscosity, length)
	}
	for _, t := range times {
		if !(t >= 0) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("pde.ColeHopf: times must be non-negative and finite, got %v", t)
		}
	}
	if upsample <= 0 {
		upsample = 4
	}
	m := n * upsample
	uh := make([]complex128, n/2+1)
	fft.RFFT64(uh, u0, []int{n}, 1)
	scale := 0.0
	for _, v := range u0 {
		scale = math.Max(scale, math.Abs(v))
	}
	if mean := real(uh[0]) / float64(n); math.Abs(mean) > 1e-10*math.Max(scale, 1e-300) {
		return nil, fmt.Errorf("pde.ColeHopf: u0 has mean %g; the Cole–Hopf potential is periodic only for zero-mean data (Burgers conserves the mean: subtract it and shift x by mean·t)", mean)
	}
	// Potential U on the fine grid, from the spectrum of u0.
	Uh := make([]complex128, m/2+1)
	for k := 1; k <= n/2; k++ {
		c := uh[k] * complex(float64(m)/float64(n), 0)
		if 2*k == n {
			// The Nyquist term a·cos(πnx/L) of u0 is half +n/2, half −n/2
			// on the finer grid, where n/2 is an ordinary mode.
			c /= 2
		}
		Uh[k] = c / complex(0, 2*math.Pi*float64(k)/length)
	}
	U := make([]float64, m)
	fft.IRFFT64(U, Uh, []int{m}, 1)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range U {
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
	}
	if (hi-lo)/(2*viscosity) > math.Log(1e10) {
		return nil, errors.New("pde.ColeHopf: exp(−∫u0/2ν) spans more than 10 orders of magnitude; the transform cannot be evaluated accurately in float64 (increase ν or decrease u0)")
	}
	phi0 := make([]float64, m)
	for i, v := range U {
		phi0[i] = math.Exp(-(v - lo) / (2 * viscosity))
	}
	ph0 := make([]complex128, m/2+1)
	fft.RFFT64(ph0, phi0, []int{m}, 1)
	ph := make([]complex128, m/2+1)
	dh := make([]complex128, m/2+1)
	phi := make([]float64, m)
	dphi := make([]float64, m)
	out := make([][]float64, len(times))
	for ti, t := range times {
		for k := range ph {
			kk := 2 * math.Pi * float64(k) / length
			e := math.Exp(-viscosity * kk * kk * t)
			ph[k] = ph0[k] * complex(e, 0)
			dh[k] = ph[k] * complex(0, kk)
			if 2*k == m {
				dh[k] = 0
			}
		}
		fft.IRFFT64(phi, ph, []int{m}, 1)
		fft.IRFFT64(dphi, dh, []int{m}, 1)
		u := make([]float64, n)
		for i := range u {
			j := i * upsample
			u[i] = -2 * viscosity * dphi[j] / phi[j]
		}
		out[ti] = u
	}
	return out, nil
}
