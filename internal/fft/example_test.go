package fft_test

import (
	"fmt"
	"math"

	"github.com/sciml-go/sciml/internal/fft"
)

// r rounds away the last bits (they differ between backends) and -0.
func r(v float64) float64 { return math.Round(v*1e9)/1e9 + 0 }

func sep(i, n int) string {
	if i == n-1 {
		return "\n"
	}
	return " "
}

func ExampleRFFT64() {
	// Two real signals of length 4, back to back.
	x := []float64{1, 2, 3, 4, 1, 0, 0, 0}
	spec := make([]complex128, 2*(4/2+1))
	fft.RFFT64(spec, x, []int{4}, 2)
	for i, c := range spec {
		fmt.Printf("%g%+gi%s", r(real(c)), r(imag(c)), sep(i, len(spec)))
	}

	back := make([]float64, len(x))
	fft.IRFFT64(back, spec, []int{4}, 2) // scaled by 1/4: the round trip is the identity
	for i, v := range back {
		fmt.Print(r(v), sep(i, len(back)))
	}
	// Output:
	// 10+0i -2+2i -2+0i 1+0i 1+0i 1+0i
	// 1 2 3 4 1 0 0 0
}

func ExampleFFT64() {
	// One 2×2 complex field, transformed in place.
	z := []complex128{1, 2i, 3, 4}
	fft.FFT64(z, z, []int{2, 2}, 1, false)
	fmt.Println(z)
	fft.FFT64(z, z, []int{2, 2}, 1, true)
	fmt.Println(z)
	// Output:
	// [(8+2i) (0-2i) (-6+2i) (2-2i)]
	// [(1+0i) (0+2i) (3+0i) (4+0i)]
}
