package fft

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

const (
	tol64 = 1e-12
	tol32 = 1e-5
)

var shapes = []struct {
	dims    []int
	howmany int
}{
	{[]int{1}, 3},
	{[]int{2}, 3},
	{[]int{8}, 5},
	{[]int{85}, 3},
	{[]int{421}, 2},
	{[]int{1024}, 3},
	{[]int{85}, 1000}, // several chunks and a short tail chunk
	{[]int{12, 85}, 2},
	{[]int{16, 16}, 3},
	{[]int{7, 1}, 2},
	{[]int{1, 9}, 2},
	{[]int{6, 8, 10}, 2},
	{[]int{3, 5, 7}, 2},
}

func name(dims []int, howmany int) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = fmt.Sprint(d)
	}
	return strings.Join(s, "x") + fmt.Sprintf("*%d", howmany)
}

func randReal(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()*2 - 1
	}
	return x
}

func randComplex(rng *rand.Rand, n int) []complex128 {
	x := make([]complex128, n)
	for i := range x {
		x[i] = complex(rng.Float64()*2-1, rng.Float64()*2-1)
	}
	return x
}

func TestBackend(t *testing.T) {
	b := Backend()
	if b == "" {
		t.Fatal("empty Backend()")
	}
	t.Log(b)
}

func TestRealTransforms(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range shapes {
		t.Run(name(c.dims, c.howmany), func(t *testing.T) {
			n, nh := prod(c.dims), halfLen(c.dims)

			// float64
			x := randReal(rng, c.howmany*n)
			want := refRFFT(x, c.dims, c.howmany)
			got := make([]complex128, c.howmany*nh)
			RFFT64(got, x, c.dims, c.howmany)
			if e := relErr(got, want); e > tol64 {
				t.Errorf("RFFT64: relative error %.3g > %g", e, tol64)
			}
			spec := slices.Clone(want)
			back := make([]float64, len(x))
			IRFFT64(back, spec, c.dims, c.howmany)
			if e := relErrReal(back, x); e > tol64 {
				t.Errorf("IRFFT64(ref spectrum): relative error %.3g > %g", e, tol64)
			}
			if !slices.Equal(spec, want) {
				t.Errorf("IRFFT64 modified src")
			}
			IRFFT64(back, got, c.dims, c.howmany)
			if e := relErrReal(back, x); e > tol64 {
				t.Errorf("IRFFT64(RFFT64(x)) round trip: relative error %.3g > %g", e, tol64)
			}

			// float32: the reference is the float64 DFT of the float32 data.
			x32 := to32(x)
			want = refRFFT(to64(x32), c.dims, c.howmany)
			got32 := make([]complex64, c.howmany*nh)
			RFFT32(got32, x32, c.dims, c.howmany)
			if e := relErr(to64c(got32), want); e > tol32 {
				t.Errorf("RFFT32: relative error %.3g > %g", e, tol32)
			}
			spec32 := to32c(want)
			orig := slices.Clone(spec32)
			back32 := make([]float32, len(x32))
			IRFFT32(back32, spec32, c.dims, c.howmany)
			if e := relErrReal(to64(back32), to64(x32)); e > tol32 {
				t.Errorf("IRFFT32(ref spectrum): relative error %.3g > %g", e, tol32)
			}
			if !bitsEqual(spec32, orig) {
				t.Errorf("IRFFT32 modified src")
			}
			IRFFT32(back32, got32, c.dims, c.howmany)
			if e := relErrReal(to64(back32), to64(x32)); e > tol32 {
				t.Errorf("IRFFT32(RFFT32(x)) round trip: relative error %.3g > %g", e, tol32)
			}
		})
	}
}

func TestComplexTransforms(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range shapes {
		t.Run(name(c.dims, c.howmany), func(t *testing.T) {
			n := prod(c.dims)
			x := randComplex(rng, c.howmany*n)
			x32 := to32c(x)
			x32as64 := to64c(x32)
			for _, inverse := range []bool{false, true} {
				want := refBatch(x, c.dims, c.howmany, inverse)
				got := make([]complex128, len(x))
				src := slices.Clone(x)
				FFT64(got, src, c.dims, c.howmany, inverse)
				if e := relErr(got, want); e > tol64 {
					t.Errorf("FFT64(inverse=%v): relative error %.3g > %g", inverse, e, tol64)
				}
				if !slices.Equal(src, x) {
					t.Errorf("FFT64(inverse=%v) modified src", inverse)
				}
				FFT64(src, src, c.dims, c.howmany, inverse) // in place
				if !bitsEqual(src, got) {
					t.Errorf("FFT64(inverse=%v): in place differs from out of place", inverse)
				}
				FFT64(src, src, c.dims, c.howmany, !inverse)
				if e := relErr(src, x); e > tol64 {
					t.Errorf("FFT64 round trip (inverse=%v first): relative error %.3g > %g", inverse, e, tol64)
				}

				want = refBatch(x32as64, c.dims, c.howmany, inverse)
				got32 := make([]complex64, len(x))
				src32 := slices.Clone(x32)
				FFT32(got32, src32, c.dims, c.howmany, inverse)
				if e := relErr(to64c(got32), want); e > tol32 {
					t.Errorf("FFT32(inverse=%v): relative error %.3g > %g", inverse, e, tol32)
				}
				if !bitsEqual(src32, x32) {
					t.Errorf("FFT32(inverse=%v) modified src", inverse)
				}
				FFT32(src32, src32, c.dims, c.howmany, inverse)
				if !bitsEqual(src32, got32) {
					t.Errorf("FFT32(inverse=%v): in place differs from out of place", inverse)
				}
				FFT32(src32, src32, c.dims, c.howmany, !inverse)
				if e := relErr(to64c(src32), x32as64); e > tol32 {
					t.Errorf("FFT32 round trip (inverse=%v first): relative error %.3g > %g", inverse, e, tol32)
				}
			}
		})
	}
}

// TestIRFFTNonHermitian pins the 1-D c2r convention for spectra that are
// not the half of a Hermitian one: numpy's, which ignores the imaginary
// parts of the DC and Nyquist bins.
func TestIRFFTNonHermitian(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 7, 8, 85, 1024} {
		hl := n/2 + 1
		const howmany = 3
		c := randComplex(rng, howmany*hl)
		want := make([]float64, 0, howmany*n)
		for h := 0; h < howmany; h++ {
			want = append(want, refIRFFT1(c[h*hl:(h+1)*hl], n)...)
		}
		got := make([]float64, howmany*n)
		IRFFT64(got, c, []int{n}, howmany)
		if e := relErrReal(got, want); e > tol64 {
			t.Errorf("IRFFT64 n=%d: relative error %.3g > %g", n, e, tol64)
		}
		c32 := to32c(c)
		want = want[:0]
		for h := 0; h < howmany; h++ {
			want = append(want, refIRFFT1(to64c(c32[h*hl:(h+1)*hl]), n)...)
		}
		got32 := make([]float32, howmany*n)
		IRFFT32(got32, c32, []int{n}, howmany)
		if e := relErrReal(to64(got32), want); e > tol32 {
			t.Errorf("IRFFT32 n=%d: relative error %.3g > %g", n, e, tol32)
		}
	}
}

func bitsEqual[T complex64 | complex128 | float32 | float64](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	var z T
	size := int(unsafe.Sizeof(z))
	ab := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(a))), len(a)*size)
	bb := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(b))), len(b)*size)
	return string(ab) == string(bb)
}

// offset returns a copy of x that starts off elements into a fresh
// allocation, so that its address has a different alignment.
func offset[T any](x []T, off int) []T {
	y := make([]T, len(x)+off)
	copy(y[off:], x)
	return y[off : off+len(x)]
}

// TestAddressIndependence checks that results do not depend on the
// alignment of the arrays (FFTW plans are made for aligned arrays, others
// are staged through aligned scratch).
func TestAddressIndependence(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, dims := range [][]int{{85}, {1024}, {12, 85}, {6, 8, 10}} {
		const howmany = 5
		n, nh := prod(dims), halfLen(dims)
		x := to32(randReal(rng, howmany*n))
		ref := make([]complex64, howmany*nh)
		RFFT32(ref, x, dims, howmany)
		refBack := make([]float32, howmany*n)
		IRFFT32(refBack, ref, dims, howmany)
		z := to32c(randComplex(rng, howmany*n))
		refZ := make([]complex64, len(z))
		FFT32(refZ, z, dims, howmany, true)
		for off := 1; off <= 8; off++ {
			got := offset(make([]complex64, len(ref)), off)
			RFFT32(got, offset(x, off), dims, howmany)
			if !bitsEqual(got, ref) {
				t.Errorf("RFFT32 %v offset %d: bits differ", dims, off)
			}
			back := offset(make([]float32, len(refBack)), off)
			IRFFT32(back, offset(ref, off), dims, howmany)
			if !bitsEqual(back, refBack) {
				t.Errorf("IRFFT32 %v offset %d: bits differ", dims, off)
			}
			zz := offset(z, off)
			FFT32(zz, zz, dims, howmany, true)
			if !bitsEqual(zz, refZ) {
				t.Errorf("FFT32 %v offset %d in place: bits differ", dims, off)
			}
		}
	}
}

// TestDeterminismGOMAXPROCS checks that results are bitwise identical
// for any GOMAXPROCS.
func TestDeterminismGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(9, 10))
	type result struct {
		r32  []complex64
		b32  []float32
		r64  []complex128
		b64  []float64
		c32  []complex64
		c64  []complex128
		c64i []complex128
	}
	cases := []struct {
		dims    []int
		howmany int
	}{{[]int{1024}, 300}, {[]int{64, 64}, 40}, {[]int{85}, 1601}, {[]int{6, 8, 10}, 300}, {[]int{8192}, 9}}
	for _, c := range cases {
		n, nh := prod(c.dims), halfLen(c.dims)
		x := randReal(rng, c.howmany*n)
		x32 := to32(x)
		z := randComplex(rng, c.howmany*n)
		z32 := to32c(z)
		compute := func() result {
			var r result
			r.r32 = make([]complex64, c.howmany*nh)
			RFFT32(r.r32, x32, c.dims, c.howmany)
			r.b32 = make([]float32, c.howmany*n)
			IRFFT32(r.b32, r.r32, c.dims, c.howmany)
			r.r64 = make([]complex128, c.howmany*nh)
			RFFT64(r.r64, x, c.dims, c.howmany)
			r.b64 = make([]float64, c.howmany*n)
			IRFFT64(r.b64, r.r64, c.dims, c.howmany)
			r.c32 = make([]complex64, c.howmany*n)
			FFT32(r.c32, z32, c.dims, c.howmany, false)
			r.c64 = make([]complex128, c.howmany*n)
			FFT64(r.c64, z, c.dims, c.howmany, false)
			r.c64i = slices.Clone(z)
			FFT64(r.c64i, r.c64i, c.dims, c.howmany, true)
			return r
		}
		runtime.GOMAXPROCS(1)
		ref := compute()
		for _, procs := range []int{2, 4, 3} {
			runtime.GOMAXPROCS(procs)
			got := compute()
			ok := bitsEqual(got.r32, ref.r32) && bitsEqual(got.b32, ref.b32) &&
				bitsEqual(got.r64, ref.r64) && bitsEqual(got.b64, ref.b64) &&
				bitsEqual(got.c32, ref.c32) && bitsEqual(got.c64, ref.c64) &&
				bitsEqual(got.c64i, ref.c64i)
			if !ok {
				t.Errorf("%s: GOMAXPROCS=%d differs bitwise from GOMAXPROCS=1", name(c.dims, c.howmany), procs)
			}
		}
	}
}

// TestConcurrentCallers runs many transforms of different shapes at once
// (fresh plans are created concurrently) and compares with serial results.
func TestConcurrentCallers(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	type job struct {
		dims    []int
		howmany int
		x       []float32
		want    []complex64
	}
	var jobs []job
	for i, dims := range [][]int{{33}, {64}, {100}, {4, 33}, {5, 6, 7}, {2048}, {31, 31}, {40}} {
		howmany := 20 + 37*i
		x := to32(randReal(rng, howmany*prod(dims)))
		jobs = append(jobs, job{dims: dims, howmany: howmany, x: x})
	}
	var wg sync.WaitGroup
	results := make([][]complex64, len(jobs)*4)
	for g := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := jobs[g%len(jobs)]
			out := make([]complex64, j.howmany*halfLen(j.dims))
			RFFT32(out, j.x, j.dims, j.howmany)
			results[g] = out
		}()
	}
	wg.Wait()
	for g, got := range results {
		j := jobs[g%len(jobs)]
		want := make([]complex64, len(got))
		RFFT32(want, j.x, j.dims, j.howmany)
		if !bitsEqual(got, want) {
			t.Errorf("goroutine %d (%s): concurrent result differs from serial", g, name(j.dims, j.howmany))
		}
	}
}

func TestZeroHowmany(t *testing.T) {
	RFFT32(nil, nil, []int{16}, 0)
	IRFFT64(nil, nil, []int{4, 4}, 0)
	FFT64(nil, nil, []int{3, 3, 3}, 0, true)
}

func TestPanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"RFFT32 src", func() { RFFT32(make([]complex64, 9), make([]float32, 15), []int{16}, 1) }, "len(src) = 15"},
		{"RFFT32 dst", func() { RFFT32(make([]complex64, 8), make([]float32, 16), []int{16}, 1) }, "len(dst) = 8, want howmany*halfspectrum = 1*9 = 9"},
		{"RFFT64 2d", func() { RFFT64(make([]complex128, 23), make([]float64, 2*4*4), []int{4, 4}, 2) }, "len(dst) = 23, want howmany*halfspectrum = 2*12 = 24 for dims [4 4]"},
		{"IRFFT64 src", func() { IRFFT64(make([]float64, 32), make([]complex128, 17), []int{16}, 2) }, "len(src) = 17, want howmany*halfspectrum = 2*9 = 18 for dims [16]"},
		{"IRFFT32 dst", func() { IRFFT32(make([]float32, 31), make([]complex64, 18), []int{16}, 2) }, "len(dst) = 31"},
		{"FFT32", func() { FFT32(make([]complex64, 6), make([]complex64, 6), []int{2, 2}, 2, false) }, "want howmany*prod(dims) = 2*4 = 8 for dims [2 2]"},
		{"FFT64 overlap", func() { x := make([]complex128, 20); FFT64(x[1:11], x[:10], []int{10}, 1, false) }, "overlap"},
		{"rank 0", func() { FFT64(nil, nil, nil, 0, false) }, "rank 0"},
		{"rank 4", func() { FFT64(nil, nil, []int{1, 1, 1, 1}, 1, false) }, "rank 4"},
		{"zero dim", func() { FFT64(nil, nil, []int{4, 0}, 1, false) }, "dimension 1 is 0"},
		{"negative howmany", func() { FFT64(nil, nil, []int{4}, -1, false) }, "howmany = -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if msg := fmt.Sprint(r); !strings.Contains(msg, c.want) {
					t.Errorf("panic %q does not contain %q", msg, c.want)
				}
			}()
			c.f()
		})
	}
}

// TestAllocs checks that executing planned transforms allocates nothing.
func TestAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("allocation counts are not meaningful under -cover or -race")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(13, 14))
	x := to32(randReal(rng, 64*1024))
	spec := make([]complex64, 64*513)
	back := make([]float32, len(x))
	z := to32c(randComplex(rng, 20*64*64))
	zd := make([]complex64, len(z))
	xd := randReal(rng, 8192)
	sd := make([]complex128, 4097)
	bd := make([]float64, 8192)
	xm := offset(to32(randReal(rng, 1000*85)), 1) // misaligned: staged through scratch
	sm := offset(make([]complex64, 1000*43), 1)
	calls := []struct {
		name string
		f    func()
	}{
		{"RFFT32 1024*64", func() { RFFT32(spec, x, []int{1024}, 64) }},
		{"IRFFT32 1024*64", func() { IRFFT32(back, spec, []int{1024}, 64) }},
		{"FFT32 64x64*20 in place", func() { FFT32(z, z, []int{64, 64}, 20, false) }},
		{"FFT32 64x64*20 inverse", func() { FFT32(zd, z, []int{64, 64}, 20, true) }},
		{"RFFT64 8192", func() { RFFT64(sd, xd, []int{8192}, 1) }},
		{"IRFFT64 8192", func() { IRFFT64(bd, sd, []int{8192}, 1) }},
		{"RFFT32 85*1000 misaligned", func() { RFFT32(sm, xm, []int{85}, 1000) }},
	}
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, c := range calls {
			c.f() // plan
			a := testing.AllocsPerRun(20, c.f)
			t.Logf("GOMAXPROCS=%d %-28s %.0f allocs/op", procs, c.name, a)
			if a != 0 {
				t.Errorf("GOMAXPROCS=%d %s: %.0f allocs per call, want 0", procs, c.name, a)
			}
		}
	}
}
