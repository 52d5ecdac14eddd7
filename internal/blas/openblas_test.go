//go:build !purego

package blas

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"

	gblas "gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// TestMatchesGonum checks the OpenBLAS path against gonum's native BLAS
// (the purego twin) on the same inputs.
func TestMatchesGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var g gonum.Implementation
	m, n, k := 97, 83, 131
	a := make([]float64, m*k)
	b := make([]float64, k*n)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	for i := range b {
		b[i] = r.NormFloat64()
	}
	c1 := make([]float64, m*n)
	c2 := make([]float64, m*n)
	Dgemm(false, true, m, n, k/2, 1.5, a, k, b, k, 0, c1, n)
	g.Dgemm(gblas.NoTrans, gblas.Trans, m, n, k/2, 1.5, a, k, b, k, 0, c2, n)
	for i := range c1 {
		if math.Abs(c1[i]-c2[i]) > 1e-12*math.Max(1, math.Abs(c2[i])) {
			t.Fatalf("Dgemm differs from gonum at %d: %v vs %v", i, c1[i], c2[i])
		}
	}
	as := make([]float32, len(a))
	bs := make([]float32, len(b))
	for i := range a {
		as[i] = float32(a[i])
	}
	for i := range b {
		bs[i] = float32(b[i])
	}
	s1 := make([]float32, m*n)
	s2 := make([]float32, m*n)
	Sgemm(false, false, m, n, k/2, 1, as, k, bs, n, 0, s1, n)
	g.Sgemm(gblas.NoTrans, gblas.NoTrans, m, n, k/2, 1, as, k, bs, n, 0, s2, n)
	for i := range s1 {
		if math.Abs(float64(s1[i]-s2[i])) > 1e-4*math.Max(1, math.Abs(float64(s2[i]))) {
			t.Fatalf("Sgemm differs from gonum at %d: %v vs %v", i, s1[i], s2[i])
		}
	}
}

// TestCoreType checks that the package chose fast kernels the CPU can run.
func TestCoreType(t *testing.T) {
	inf := Backend()
	if !strings.HasPrefix(inf.Library, "OpenBLAS") {
		t.Fatalf("library %q", inf.Library)
	}
	want := os.Getenv("OPENBLAS_CORETYPE")
	if want != "" && chosen != "" {
		t.Errorf("OPENBLAS_CORETYPE=%s left in the environment after loading the library", want)
	}
	if want == "" {
		want = chosen
	}
	if want != "" && !strings.EqualFold(strings.Fields(inf.Core)[0], want) {
		t.Errorf("OPENBLAS_CORETYPE=%s but OpenBLAS runs %q kernels", want, inf.Core)
	}
	if ct := coreType(); ct != "" && chosen != "" && ct != chosen {
		t.Errorf("chose %q, CPU supports %q", chosen, ct)
	}
	t.Logf("%+v", inf)
}

// TestSgemmFlushesSubnormals checks that float32 products read subnormal
// inputs as zero and flush subnormal results (DAZ, FTZ on x86-64), and
// that the floating-point mode of the calling thread is restored: Go's
// own arithmetic afterwards still produces subnormals.
func TestSgemmFlushesSubnormals(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("DAZ/FTZ are set on x86-64 only")
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tiny := float32(math.Ldexp(1, -140)) // subnormal
	c := []float32{0, 0}
	// [tiny, 1] · [1, tiny]ᵀ-like products: a subnormal input, and a
	// normal product whose result is subnormal.
	Sgemm(false, false, 1, 2, 1, 1, []float32{tiny}, 1, []float32{1, 1}, 2, 0, c, 2)
	if c[0] != 0 || c[1] != 0 {
		t.Errorf("subnormal input: got %g, %g, want 0 (DAZ)", c[0], c[1])
	}
	small := float32(math.Ldexp(1, -70))
	Sgemm(false, false, 1, 1, 1, 1, []float32{small}, 1, []float32{small}, 1, 0, c, 1)
	if c[0] != 0 {
		t.Errorf("subnormal result 2⁻¹⁴⁰: got %g, want 0 (FTZ)", c[0])
	}
	x := []float32{small}
	if y := x[0] * x[0]; y == 0 {
		t.Error("Go arithmetic after Sgemm flushes subnormals: the thread's MXCSR was not restored")
	}
}
