package fft

import (
	"math"
	"math/cmplx"
)

// Reference transforms: direct O(n²) DFTs along each axis, in float64
// with exactly reduced twiddle indices.

func prod(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func halfLen(dims []int) int {
	last := dims[len(dims)-1]
	return prod(dims) / last * (last/2 + 1)
}

// refDFT returns the unscaled DFT (sign -1, or +1 when inverse) of one
// signal x of shape dims.
func refDFT(x []complex128, dims []int, inverse bool) []complex128 {
	y := append([]complex128(nil), x...)
	for a := range dims {
		n := dims[a]
		stride := prod(dims[a+1:])
		outer := len(y) / (n * stride)
		sign := -1.0
		if inverse {
			sign = 1
		}
		w := make([]complex128, n)
		for m := range w {
			s, c := math.Sincos(2 * math.Pi * float64(m) / float64(n))
			w[m] = complex(c, sign*s)
		}
		line := make([]complex128, n)
		for o := 0; o < outer; o++ {
			for i := 0; i < stride; i++ {
				base := o*n*stride + i
				for k := 0; k < n; k++ {
					var sum complex128
					for j := 0; j < n; j++ {
						sum += y[base+j*stride] * w[(j*k)%n]
					}
					line[k] = sum
				}
				for k := 0; k < n; k++ {
					y[base+k*stride] = line[k]
				}
			}
		}
	}
	return y
}

// refRFFT returns the half spectra of howmany real signals.
func refRFFT(x []float64, dims []int, howmany int) []complex128 {
	n, nh := prod(dims), halfLen(dims)
	last := dims[len(dims)-1]
	hl := last/2 + 1
	out := make([]complex128, 0, howmany*nh)
	z := make([]complex128, n)
	for h := 0; h < howmany; h++ {
		for i := range z {
			z[i] = complex(x[h*n+i], 0)
		}
		full := refDFT(z, dims, false)
		for r := 0; r < n/last; r++ {
			out = append(out, full[r*last:r*last+hl]...)
		}
	}
	return out
}

// refBatch applies refDFT to each of howmany complex signals, scaling the
// inverse by 1/n.
func refBatch(x []complex128, dims []int, howmany int, inverse bool) []complex128 {
	n := prod(dims)
	out := make([]complex128, 0, len(x))
	for h := 0; h < howmany; h++ {
		y := refDFT(x[h*n:(h+1)*n], dims, inverse)
		if inverse {
			for i := range y {
				y[i] /= complex(float64(n), 0)
			}
		}
		out = append(out, y...)
	}
	return out
}

// refIRFFT1 is the 1-D c2r transform of an arbitrary (not necessarily
// Hermitian) half spectrum, numpy's definition: the imaginary parts of the
// DC and (even n) Nyquist bins are ignored.
func refIRFFT1(c []complex128, n int) []float64 {
	x := make([]float64, n)
	hl := n/2 + 1
	for j := range x {
		sum := real(c[0])
		for k := 1; k < hl; k++ {
			s, co := math.Sincos(2 * math.Pi * float64((j*k)%n) / float64(n))
			v := c[k] * complex(co, s)
			if 2*k == n {
				sum += real(c[k]) * co
			} else {
				sum += 2 * real(v)
			}
		}
		x[j] = sum / float64(n)
	}
	return x
}

// relErr returns max|got-want| / max|want|.
func relErr(got, want []complex128) float64 {
	var num, den float64
	for i := range want {
		num = math.Max(num, cmplx.Abs(got[i]-want[i]))
		den = math.Max(den, cmplx.Abs(want[i]))
	}
	if den == 0 {
		den = 1
	}
	return num / den
}

func relErrReal(got, want []float64) float64 {
	var num, den float64
	for i := range want {
		num = math.Max(num, math.Abs(got[i]-want[i]))
		den = math.Max(den, math.Abs(want[i]))
	}
	if den == 0 {
		den = 1
	}
	return num / den
}

func to64c(x []complex64) []complex128 {
	y := make([]complex128, len(x))
	for i, v := range x {
		y[i] = complex128(v)
	}
	return y
}

func to32c(x []complex128) []complex64 {
	y := make([]complex64, len(x))
	for i, v := range x {
		y[i] = complex64(v)
	}
	return y
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}
