package tensor

import (
	"fmt"
	"math"
	"math/cmplx"
	"testing"
)

// fftShapes are the tensor shapes the transform tests use: a batch axis
// (or none) and 1 to 3 transformed axes, even and odd.
var fftShapes = []struct {
	shape []int
	d     int
}{
	{[]int{2, 8}, 1}, {[]int{3, 7}, 1}, {[]int{1}, 1}, {[]int{2}, 1}, {[]int{5}, 1},
	{[]int{2, 4, 6}, 2}, {[]int{2, 5, 3}, 2}, {[]int{3, 4}, 2},
	{[]int{2, 3, 4, 5}, 3}, {[]int{2, 2, 3, 4}, 3}, {[]int{3, 1, 5}, 3},
}

// unravel returns the multi-index of flat index i in dims.
func unravel(i int, dims []int) []int {
	idx := make([]int, len(dims))
	for a := len(dims) - 1; a >= 0; a-- {
		idx[a] = i % dims[a]
		i /= dims[a]
	}
	return idx
}

// phase returns exp(sign·2πi k·j/n).
func phase(k, j, dims []int, sign float64) complex128 {
	t := 0.0
	for a := range dims {
		t += float64(k[a]*j[a]%dims[a]) / float64(dims[a])
	}
	s, c := math.Sincos(sign * 2 * math.Pi * t)
	return complex(c, s)
}

// dftRef is the direct multidimensional DFT over the trailing dims of z
// (howmany signals back to back): Σ_j z[j]·exp(sign·2πi k·j/n), unscaled.
func dftRef(z []complex128, dims []int, sign float64) []complex128 {
	n := numel(dims)
	out := make([]complex128, len(z))
	for b := 0; b < len(z)/n; b++ {
		for k := range n {
			kk := unravel(k, dims)
			var s complex128
			for j := range n {
				s += z[b*n+j] * phase(kk, unravel(j, dims), dims, sign)
			}
			out[b*n+k] = s
		}
	}
	return out
}

// irfftRef is the direct formula x[j] = (1/N) Re Σ_{k in half} c_k z[k]
// exp(+2πi k·j/n) for any half spectra z of real signals of sizes dims.
func irfftRef(z []complex128, dims []int) []float64 {
	d := len(dims)
	n := numel(dims)
	hd := halfShape(dims)
	nh := numel(hd)
	out := make([]float64, len(z)/nh*n)
	for b := 0; b < len(z)/nh; b++ {
		for j := range n {
			jj := unravel(j, dims)
			var s complex128
			for k := range nh {
				kk := unravel(k, hd)
				c := 2.0
				if l := kk[d-1]; l == 0 || 2*l == dims[d-1] {
					c = 1
				}
				s += complex(c, 0) * z[b*nh+k] * phase(kk, jj, dims, 1)
			}
			out[b*n+j] = real(s) / float64(n)
		}
	}
	return out
}

// halfOf keeps the half spectrum of full spectra over dims.
func halfOf(full []complex128, dims []int) []complex128 {
	n := numel(dims)
	hd := halfShape(dims)
	nh := numel(hd)
	var out []complex128
	for b := 0; b < len(full)/n; b++ {
		for k := range nh {
			kk := unravel(k, hd)
			f := 0
			for a := range dims {
				f = f*dims[a] + kk[a]
			}
			out = append(out, full[b*n+f])
		}
	}
	return out
}

func toC128(t *Tensor) []complex128 {
	out := make([]complex128, t.Numel())
	switch x := t.data.(type) {
	case []float32:
		for i, v := range x {
			out[i] = complex(float64(v), 0)
		}
	case []float64:
		for i, v := range x {
			out[i] = complex(v, 0)
		}
	case []complex64:
		for i, v := range x {
			out[i] = complex128(v)
		}
	case []complex128:
		copy(out, x)
	}
	return out
}

// maxRel returns max|got−want| / max(max|want|, 1e-300).
func maxRel(got, want []complex128) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var num, den float64
	for i := range want {
		num = math.Max(num, cmplx.Abs(got[i]-want[i]))
		den = math.Max(den, cmplx.Abs(want[i]))
	}
	return num / math.Max(den, 1e-300)
}

func realsToC(x []float64) []complex128 {
	out := make([]complex128, len(x))
	for i, v := range x {
		out[i] = complex(v, 0)
	}
	return out
}

func randC(seed uint64, shape ...int) *Tensor { return RandN(rng(seed), Complex128, shape...) }

func TestTransformsMatchDirectDFT(t *testing.T) {
	for i, c := range fftShapes {
		name := fmt.Sprintf("%v/d=%d", c.shape, c.d)
		dims := c.shape[len(c.shape)-c.d:]
		x := randT(uint64(100+i), c.shape...)
		z := randC(uint64(200+i), c.shape...)
		hs := append(append([]int(nil), c.shape[:len(c.shape)-c.d]...), halfShape(dims)...)
		zh := randC(uint64(300+i), hs...)
		n := float64(numel(dims))

		wantR := halfOf(dftRef(toC128(x), dims, -1), dims)
		wantF := dftRef(toC128(z), dims, -1)
		wantI := dftRef(toC128(z), dims, 1)
		for j := range wantI {
			wantI[j] /= complex(n, 0)
		}
		wantIR := realsToC(irfftRef(toC128(zh), dims))

		for _, prec := range []struct {
			name string
			cast func(*Tensor, DType) *Tensor
			tol  float64
		}{{"64", func(t *Tensor, _ DType) *Tensor { return t }, 1e-12}, {"32", castTo, 2e-6}} {
			xr := prec.cast(x, Float32)
			zc := prec.cast(z, Complex64)
			zhc := prec.cast(zh, Complex64)
			if e := maxRel(toC128(RFFT(xr, c.d)), wantR); e > prec.tol {
				t.Errorf("%s RFFT%s: relative error %.3g", name, prec.name, e)
			}
			if e := maxRel(toC128(FFT(zc, c.d)), wantF); e > prec.tol {
				t.Errorf("%s FFT%s: relative error %.3g", name, prec.name, e)
			}
			if e := maxRel(toC128(IFFT(zc, c.d)), wantI); e > prec.tol {
				t.Errorf("%s IFFT%s: relative error %.3g", name, prec.name, e)
			}
			if e := maxRel(toC128(IRFFT(zhc, dims...)), wantIR); e > prec.tol {
				t.Errorf("%s IRFFT%s of a non-Hermitian half spectrum: relative error %.3g", name, prec.name, e)
			}
		}
		// FFT of a real tensor promotes it.
		if e := maxRel(toC128(FFT(x, c.d)), dftRef(toC128(x), dims, -1)); e > 1e-12 {
			t.Errorf("%s FFT of real input: relative error %.3g", name, e)
		}
	}
}

// castTo converts a float64/complex128 tensor to float32/complex64 (the
// real dtype given is used for real tensors, its complex twin otherwise).
func castTo(x *Tensor, d DType) *Tensor {
	switch v := x.data.(type) {
	case []float64:
		out := Zeros(Float32, x.shape...)
		for i, f := range v {
			out.Float32s()[i] = float32(f)
		}
		return out
	case []complex128:
		out := Zeros(Complex64, x.shape...)
		for i, f := range v {
			out.Complex64s()[i] = complex64(f)
		}
		return out
	}
	return x
}

func TestTransformRoundTrips(t *testing.T) {
	for i, c := range fftShapes {
		dims := c.shape[len(c.shape)-c.d:]
		x := randT(uint64(400+i), c.shape...)
		z := randC(uint64(500+i), c.shape...)
		if e := maxRel(toC128(IRFFT(RFFT(x, c.d), dims...)), toC128(x)); e > 1e-14 {
			t.Errorf("%v: IRFFT(RFFT(x)) relative error %.3g", c.shape, e)
		}
		if e := maxRel(toC128(IFFT(FFT(z, c.d), c.d)), toC128(z)); e > 1e-14 {
			t.Errorf("%v: IFFT(FFT(z)) relative error %.3g", c.shape, e)
		}
		if e := maxRel(toC128(FFT(IFFT(z, c.d), c.d)), toC128(z)); e > 1e-14 {
			t.Errorf("%v: FFT(IFFT(z)) relative error %.3g", c.shape, e)
		}
		x32 := castTo(x, Float32)
		if e := maxRel(toC128(IRFFT(RFFT(x32, c.d), dims...)), toC128(x32)); e > 1e-6 {
			t.Errorf("%v: float32 IRFFT(RFFT(x)) relative error %.3g", c.shape, e)
		}
	}
}

func TestTransformGradients(t *testing.T) {
	for i, c := range fftShapes {
		dims := c.shape[len(c.shape)-c.d:]
		d := c.d
		name := fmt.Sprintf("%v/d=%d", c.shape, d)
		hs := append(append([]int(nil), c.shape[:len(c.shape)-d]...), halfShape(dims)...)
		check(t, name+" RFFT", func(xs []*Tensor) *Tensor { return RFFT(xs[0], d) }, randT(uint64(600+i), c.shape...))
		check(t, name+" IRFFT", func(xs []*Tensor) *Tensor { return IRFFT(xs[0], dims...) }, randC(uint64(700+i), hs...))
		check(t, name+" FFT", func(xs []*Tensor) *Tensor { return FFT(xs[0], d) }, randC(uint64(800+i), c.shape...))
		check(t, name+" IFFT", func(xs []*Tensor) *Tensor { return IFFT(xs[0], d) }, randC(uint64(900+i), c.shape...))
		check(t, name+" FFT(real)", func(xs []*Tensor) *Tensor { return FFT(xs[0], d) }, randT(uint64(1000+i), c.shape...))
	}
}

// The transforms are linear, so their second derivatives vanish; these
// nonlinear compositions check that the backward rules are differentiable
// (double backward through RFFT, IRFFT, FFT and IFFT).
func TestTransformSecondOrder(t *testing.T) {
	for i, c := range fftShapes {
		if numel(c.shape) > 40 {
			continue
		}
		dims := c.shape[len(c.shape)-c.d:]
		d := c.d
		name := fmt.Sprintf("%v/d=%d", c.shape, d)
		checkBoth(t, name+" IRFFT(RFFT(x)²)", func(xs []*Tensor) *Tensor {
			z := RFFT(xs[0], d)
			return IRFFT(Mul(z, z), dims...)
		}, randT(uint64(1100+i), c.shape...))
		checkBoth(t, name+" IFFT(FFT(z)·z)", func(xs []*Tensor) *Tensor {
			return IFFT(Mul(FFT(xs[0], d), xs[0]), d)
		}, randC(uint64(1200+i), c.shape...))
	}
}

func TestTransformPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("RFFT of complex", func() { RFFT(randC(1, 4), 1) })
	mustPanic("RFFT of 4 axes", func() { RFFT(randT(1, 2, 2, 2, 2), 4) })
	mustPanic("RFFT of more axes than the tensor has", func() { RFFT(randT(1, 4), 2) })
	mustPanic("IRFFT size mismatch", func() { IRFFT(randC(1, 2, 4), 8) })
	mustPanic("IRFFT of real", func() { IRFFT(randT(1, 2, 5), 8) })
}

func TestTransformsInArena(t *testing.T) {
	ar := NewArena()
	x := randT(7, 3, 6, 5)
	want := IRFFT(RFFT(x, 2), 6, 5).Float64s()
	for range 3 {
		got := IRFFT(RFFT(x.In(ar), 2), 6, 5)
		if got.Arena() != ar {
			t.Fatal("result not allocated in the arena")
		}
		for i, v := range got.Float64s() {
			if v != want[i] {
				t.Fatalf("arena result differs at %d: %v vs %v", i, v, want[i])
			}
		}
		ar.Reset()
	}
}
