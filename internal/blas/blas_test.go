package blas

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"
)

// refGemm is the textbook triple loop in complex128.
func refGemm(tA, tB bool, m, n, k int, alpha complex128, a []complex128, lda int, b []complex128, ldb int, beta complex128, c []complex128, ldc int) {
	for i := range m {
		for j := range n {
			var s complex128
			for l := range k {
				var x, y complex128
				if tA {
					x = a[l*lda+i]
				} else {
					x = a[i*lda+l]
				}
				if tB {
					y = b[j*ldb+l]
				} else {
					y = b[l*ldb+j]
				}
				s += x * y
			}
			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
		}
	}
}

func randC(r *rand.Rand, n int, complexValued bool) []complex128 {
	x := make([]complex128, n)
	for i := range x {
		if complexValued {
			x[i] = complex(r.NormFloat64(), r.NormFloat64())
		} else {
			x[i] = complex(r.NormFloat64(), 0)
		}
	}
	return x
}

func conv[T element](x []complex128) []T {
	out := make([]T, len(x))
	for i, v := range x {
		switch p := any(&out[i]).(type) {
		case *float32:
			*p = float32(real(v))
		case *float64:
			*p = real(v)
		case *complex64:
			*p = complex64(v)
		case *complex128:
			*p = v
		}
	}
	return out
}

func back[T element](x []T) []complex128 {
	out := make([]complex128, len(x))
	for i, v := range x {
		switch p := any(v).(type) {
		case float32:
			out[i] = complex(float64(p), 0)
		case float64:
			out[i] = complex(p, 0)
		case complex64:
			out[i] = complex128(p)
		case complex128:
			out[i] = p
		}
	}
	return out
}

// relErr is ‖x−y‖∞ / max(1, ‖y‖∞).
func relErr(x, y []complex128) float64 {
	var d, s float64
	for i := range x {
		d = math.Max(d, cmplx.Abs(x[i]-y[i]))
		s = math.Max(s, cmplx.Abs(y[i]))
	}
	return d / math.Max(1, s)
}

type gemmFunc[T element] func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// checkAgainstRef runs f on random problems and compares with refGemm.
func checkAgainstRef[T element](t *testing.T, name string, f gemmFunc[T], cplx bool, tol float64) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 9, 33}, {64, 64, 64}, {130, 70, 45}, {300, 257, 19}, {5, 600, 40}}
	for _, sz := range sizes {
		m, n, k := sz[0], sz[1], sz[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				lda, ldb, ldc := k+2, n+1, n+3
				if tA {
					lda = m + 2
				}
				if tB {
					ldb = k + 1
				}
				ar := m
				if tA {
					ar = k
				}
				br := k
				if tB {
					br = n
				}
				a := randC(r, ar*lda, cplx)
				b := randC(r, br*ldb, cplx)
				c := randC(r, m*ldc, cplx)
				alpha, beta := complex(0.7, 0), complex(-0.3, 0)
				if cplx {
					alpha, beta = complex(0.7, -0.2), complex(-0.3, 0.4)
				}
				want := append([]complex128(nil), c...)
				refGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
				got := conv[T](c)
				f(tA, tB, m, n, k, conv[T]([]complex128{alpha})[0], conv[T](a), lda, conv[T](b), ldb, conv[T]([]complex128{beta})[0], got, ldc)
				if e := relErr(back(got), want) / math.Sqrt(float64(k)); e > tol {
					t.Errorf("%s %v tA=%v tB=%v: relative error %.3g > %.3g", name, sz, tA, tB, e, tol)
				}
			}
		}
	}
}

func TestGemmAgainstReference(t *testing.T) {
	checkAgainstRef(t, "Sgemm", Sgemm, false, 1e-6)
	checkAgainstRef(t, "Dgemm", Dgemm, false, 1e-14)
	checkAgainstRef(t, "Cgemm", Cgemm, true, 1e-6)
	checkAgainstRef(t, "Zgemm", Zgemm, true, 1e-14)
}

// TestGemmDeterministic checks that large, split products give bitwise the
// same result whatever the thread count.
func TestGemmDeterministic(t *testing.T) {
	defer SetThreads(0)
	r := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][3]int{{1000, 300, 200}, {40, 2000, 300}, {4096, 256, 256}} {
		m, n, k := sz[0], sz[1], sz[2]
		a := conv[float32](randC(r, m*k, false))
		b := conv[float32](randC(r, k*n, false))
		var ref []float32
		for _, th := range []int{1, 2, 3, 8} {
			SetThreads(th)
			c := make([]float32, m*n)
			Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			if ref == nil {
				ref = c
				continue
			}
			for i := range c {
				if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("%v: threads=%d differs from threads=1 at %d: %v vs %v", sz, th, i, c[i], ref[i])
				}
			}
		}
	}
}

func TestBatched(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	m, n, k, count := 7, 5, 9, 40
	a := randC(r, count*m*k, true)
	b := randC(r, count*k*n, true)
	c := make([]complex64, count*m*n)
	CgemmBatched(false, true, m, n, k, 1, conv[complex64](a), k, m*k, conv[complex64](b), k, k*n, 0, c, n, m*n, count)
	for i := range count {
		want := make([]complex128, m*n)
		refGemm(false, true, m, n, k, 1, a[i*m*k:], k, b[i*k*n:], k, 0, want, n)
		if e := relErr(back(c[i*m*n:(i+1)*m*n]), want); e > 1e-5 {
			t.Fatalf("batch %d: error %g", i, e)
		}
	}
	// Shared B (stride 0), float64, large enough to run in parallel.
	m, n, k, count = 64, 64, 64, 64
	ad := conv[float64](randC(r, count*m*k, false))
	bd := conv[float64](randC(r, k*n, false))
	cd := make([]float64, count*m*n)
	DgemmBatched(false, false, m, n, k, 2, ad, k, m*k, bd, n, 0, 0, cd, n, m*n, count)
	for i := range count {
		want := make([]float64, m*n)
		Dgemm(false, false, m, n, k, 2, ad[i*m*k:], k, bd, n, 0, want, n)
		for j := range want {
			if want[j] != cd[i*m*n+j] {
				t.Fatalf("DgemmBatched batch %d differs from Dgemm", i)
			}
		}
	}
}

func TestLevel1And2(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	m, n := 13, 29
	a := conv[float64](randC(r, m*n, false))
	x := conv[float64](randC(r, m, false))
	y := conv[float64](randC(r, n, false))
	want := make([]float64, n)
	for j := range n {
		want[j] = 0.5 * y[j]
		for i := range m {
			want[j] += 2 * a[i*n+j] * x[i]
		}
	}
	Dgemv(true, m, n, 2, a, n, x, 1, 0.5, y, 1)
	for j := range n {
		if math.Abs(y[j]-want[j]) > 1e-12 {
			t.Fatalf("Dgemv: %v vs %v", y[j], want[j])
		}
	}
	xs := []float32{1, 2, 3, 4}
	ys := []float32{1, 1, 1, 1}
	Saxpy(2, 3, xs, 2, ys, 1)
	if ys[0] != 4 || ys[1] != 10 || ys[2] != 1 {
		t.Fatalf("Saxpy stride: %v", ys)
	}
	if d := Sdot(4, xs, 1, xs, 1); d != 30 {
		t.Fatalf("Sdot = %v, want 30", d)
	}
	if d := Ddot(3, []float64{1, 2, 3}, 1, []float64{4, 5, 6}, 1); d != 32 {
		t.Fatalf("Ddot = %v, want 32", d)
	}
	v := []float64{1, 2, 3}
	Dscal(3, -2, v, 1)
	Daxpy(3, 1, []float64{2, 4, 6}, 1, v, 1)
	if v[0] != 0 || v[1] != 0 || v[2] != 0 {
		t.Fatalf("Dscal/Daxpy: %v", v)
	}
	w := []float32{1, 2}
	Sscal(2, 0.5, w, 1)
	sy := []float32{0, 0}
	Sgemv(false, 2, 2, 1, []float32{1, 2, 3, 4}, 2, w, 1, 0, sy, 1)
	if sy[0] != 2.5 || sy[1] != 5.5 {
		t.Fatalf("Sgemv: %v", sy)
	}
}

func TestShapePanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"short A", func() {
			Sgemm(false, false, 4, 4, 4, 1, make([]float32, 15), 4, make([]float32, 16), 4, 0, make([]float32, 16), 4)
		}, "A is 4×4"},
		{"small ldc", func() {
			Dgemm(false, false, 4, 4, 4, 1, make([]float64, 16), 4, make([]float64, 16), 4, 0, make([]float64, 16), 3)
		}, "leading dimension 3"},
		{"negative", func() { Sgemm(false, false, -1, 4, 4, 1, nil, 4, nil, 4, 0, nil, 4) }, "negative size"},
		{"short x", func() { Saxpy(3, 1, make([]float32, 2), 1, make([]float32, 3), 1) }, "x of 3 elements"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), c.want) {
					t.Fatalf("panic %v, want one mentioning %q", r, c.want)
				}
			}()
			c.f()
		})
	}
}

func TestBackend(t *testing.T) {
	inf := Backend()
	if inf.Library == "" || inf.Threads < 1 {
		t.Fatalf("Backend() = %+v", inf)
	}
	t.Log(inf.String())
}
