package pde

import (
	"math"

	"github.com/sciml-go/sciml/internal/fft"
)

// spectralDerivs returns u_x and u_xx of periodic samples on [0,1).
func spectralDerivs(u []float64) (ux, uxx []float64) {
	n := len(u)
	h := make([]complex128, n/2+1)
	fft.RFFT64(h, u, []int{n}, 1)
	d1 := make([]complex128, len(h))
	d2 := make([]complex128, len(h))
	for k := range h {
		kk := 2 * math.Pi * float64(k)
		if 2*k != n {
			d1[k] = h[k] * complex(0, kk)
		}
		d2[k] = h[k] * complex(-kk*kk, 0)
	}
	ux, uxx = make([]float64, n), make([]float64, n)
	fft.IRFFT64(ux, d1, []int{n}, 1)
	fft.IRFFT64(uxx, d2, []int{n}, 1)
	return ux, uxx
}
