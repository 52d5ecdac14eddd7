package pde

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sciml-go/sciml/internal/fft"
)

// basis returns the n×K matrix of the unnormalised 1-D eigenfunctions
// (cos or sin) at the grid points and the wave numbers of its columns.
func basis(g GRF, n int) (*mat.Dense, []int) {
	lo, hi := g.Modes(n)
	x := g.Points(n)
	B := mat.NewDense(n, hi-lo, nil)
	ks := make([]int, 0, hi-lo)
	for q := 0; q < hi-lo; q++ {
		k := lo + q
		ks = append(ks, k)
		for i, xi := range x {
			if g.Boundary == Neumann {
				B.Set(i, q, math.Cos(math.Pi*float64(k)*xi))
			} else {
				B.Set(i, q, math.Sin(math.Pi*float64(k)*xi))
			}
		}
	}
	return B, ks
}

// seriesCoefficients inverts the cosine/sine synthesis of a sampled field.
func seriesCoefficients(t *testing.T, g GRF, u []float64, n int) ([]float64, []int) {
	B, ks := basis(g, n)
	K := len(ks)
	rows := make([]int, 0, n)
	for i := 0; i < n; i++ {
		if g.Boundary == Dirichlet && g.Grid == Vertex && (i == 0 || i == n-1) {
			continue
		}
		rows = append(rows, i)
	}
	Bs := mat.NewDense(len(rows), K, nil)
	for r, i := range rows {
		for q := 0; q < K; q++ {
			Bs.Set(r, q, B.At(i, q))
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(Bs); err != nil {
		t.Fatal(err)
	}
	// Apply inv along each axis: shape n^d (rows subset) -> K^d.
	cur := u
	shape := make([]int, g.Dim)
	for j := range shape {
		shape[j] = n
	}
	for a := 0; a < g.Dim; a++ {
		outer, inner := 1, 1
		for j := 0; j < a; j++ {
			outer *= shape[j]
		}
		for j := a + 1; j < g.Dim; j++ {
			inner *= shape[j]
		}
		next := make([]float64, outer*K*inner)
		for o := 0; o < outer; o++ {
			for in := 0; in < inner; in++ {
				for q := 0; q < K; q++ {
					s := 0.0
					for r, i := range rows {
						s += inv.At(q, r) * cur[(o*shape[a]+i)*inner+in]
					}
					next[(o*K+q)*inner+in] = s
				}
			}
		}
		shape[a] = K
		cur = next
	}
	return cur, ks
}

func TestGRFSeriesSpectrum(t *testing.T) {
	type tc struct {
		dim  int
		b    Boundary
		grid Placement
		n    int
	}
	cases := []tc{
		{1, Neumann, Vertex, 17}, {1, Neumann, CellCentred, 16}, {1, Dirichlet, Vertex, 18}, {1, Dirichlet, CellCentred, 15},
		{2, Neumann, Vertex, 9}, {2, Neumann, CellCentred, 8}, {2, Dirichlet, Vertex, 10}, {2, Dirichlet, CellCentred, 8},
		{3, Neumann, CellCentred, 5}, {3, Dirichlet, Vertex, 6},
	}
	const samples = 600
	for _, c := range cases {
		t.Run(fmt.Sprintf("%dd-%v-%v", c.dim, c.b, c.grid), func(t *testing.T) {
			g := GRF{Dim: c.dim, Boundary: c.b, Grid: c.grid, Sigma: 2, Tau: 2, Gamma: 1.2}
			if c.b == Neumann {
				g.Mean = 0.7
			}
			var acc []float64
			var ks []int
			for s := 0; s < samples; s++ {
				u, err := g.Sample(NewRand(11, s), c.n)
				if err != nil {
					t.Fatal(err)
				}
				var coef []float64
				coef, ks = seriesCoefficients(t, g, u, c.n)
				if acc == nil {
					acc = make([]float64, len(coef))
				}
				if c.b == Neumann && math.Abs(coef[0]-g.Mean) > 1e-10 {
					t.Fatalf("mean mode %v, want %v", coef[0], g.Mean)
				}
				for i, v := range coef {
					acc[i] += v * v
				}
			}
			K := len(ks)
			k := make([]int, c.dim)
			total, count := 0.0, 0
			for idx := range acc {
				r, norm2 := idx, 1.0
				zero := true
				for j := c.dim - 1; j >= 0; j-- {
					k[j] = ks[r%K]
					r /= K
					if k[j] != 0 {
						norm2 *= 2
						zero = false
					}
				}
				if zero {
					continue
				}
				// Coefficient of the orthonormal eigenfunction: c/√norm2.
				ratio := acc[idx] / samples / norm2 / g.Spectrum(k)
				if math.Abs(ratio-1) > 6*math.Sqrt(2.0/samples) {
					t.Errorf("mode %v: variance ratio %.3f", k, ratio)
				}
				total += ratio
				count++
			}
			mean := total / float64(count)
			if math.Abs(mean-1) > 4*math.Sqrt(2.0/samples/float64(count))+1e-3 {
				t.Errorf("mean variance ratio over %d modes %.4f, want 1", count, mean)
			}
		})
	}
}

func TestGRFPeriodicSpectrum(t *testing.T) {
	const samples = 400
	for _, c := range []struct {
		dim, n int
		conv   Convention
	}{{1, 64, KL}, {1, 33, KL}, {2, 16, KL}, {2, 16, TorchFFT}, {3, 8, KL}, {1, 64, TorchFFT}} {
		t.Run(fmt.Sprintf("%dd-n%d-%v", c.dim, c.n, c.conv), func(t *testing.T) {
			g := GRF{Dim: c.dim, Sigma: 3, Tau: 4, Gamma: 1.5, Mean: -0.25, Convention: c.conv}
			N := 1
			dims := make([]int, c.dim)
			for j := range dims {
				dims[j] = c.n
				N *= c.n
			}
			acc := make([]float64, N)
			buf := make([]complex128, N)
			for s := 0; s < samples; s++ {
				u, err := g.Sample(NewRand(5, s), c.n)
				if err != nil {
					t.Fatal(err)
				}
				for i, v := range u {
					buf[i] = complex(v, 0)
				}
				fft.FFT64(buf, buf, dims, 1, false)
				if m := real(buf[0]) / float64(N); math.Abs(m-g.Mean) > 1e-12 {
					t.Fatalf("mean %v, want %v", m, g.Mean)
				}
				for i, v := range buf {
					a := v / complex(float64(N), 0)
					acc[i] += real(a)*real(a) + imag(a)*imag(a)
				}
			}
			want := 1.0
			if c.conv == TorchFFT {
				want = 2
			}
			k := make([]int, c.dim)
			total, count := 0.0, 0
			for idx := 1; idx < N; idx++ {
				r := idx
				selfConj := true
				for j := c.dim - 1; j >= 0; j-- {
					k[j] = fftIndex(r%c.n, c.n)
					if 2*(r%c.n)%c.n != 0 {
						selfConj = false
					}
					r /= c.n
				}
				ratio := acc[idx] / samples / g.Spectrum(k)
				if selfConj && c.conv == KL {
					// The grid cannot tell +n/2 from −n/2: both
					// continuum modes land on this one.
					ratio /= 2
				}
				if math.Abs(ratio-want) > want*7*math.Sqrt(2.0/samples) {
					t.Errorf("mode %v: E|û_k|²/spectrum = %.3f, want %v", k, ratio, want)
				}
				total += ratio
				count++
			}
			if mean := total / float64(count); math.Abs(mean-want) > want*(4*math.Sqrt(2.0/samples/float64(count))+1e-3) {
				t.Errorf("mean ratio %.4f, want %v", mean, want)
			}
		})
	}
}

func TestGRFDeterministicAndErrors(t *testing.T) {
	g := NavierStokesGRF()
	a, err := g.Sample(NewRand(1, 2), 32)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := g.Sample(NewRand(1, 2), 32)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("not reproducible")
		}
	}
	if _, err := g.Sample(NewRand(1, 2), 1); err == nil {
		t.Error("n = 1: no error")
	}
	if _, err := (GRF{Dim: 2, Sigma: -1, Tau: 1, Gamma: 1}).Sample(NewRand(1, 1), 8); err == nil {
		t.Error("negative sigma: no error")
	}
	// Dirichlet vertex fields vanish on the boundary.
	d := GRF{Dim: 2, Boundary: Dirichlet, Sigma: 1, Tau: 1, Gamma: 2}
	u, _ := d.Sample(NewRand(1, 1), 9)
	for i := 0; i < 9; i++ {
		for _, v := range []float64{u[i], u[8*9+i], u[i*9], u[i*9+8]} {
			if v != 0 {
				t.Fatal("Dirichlet field nonzero on the boundary")
			}
		}
	}
}

// The FNO MATLAB GRF.m law (cell-centred, σ = τ^(γ−1)) agrees with the
// Darcy default apart from the placement.
func TestDarcyGRFMatchesGRFm(t *testing.T) {
	g := DarcyGRF()
	if g.Sigma != math.Pow(g.Tau, g.Gamma-1) {
		t.Errorf("σ = %v, want τ^(γ−1)", g.Sigma)
	}
	// GRF.m: L = s·coef·ξ, U = idct2(L) (orthonormal), coef = τ^(α−1)(π²|k|²+τ²)^(−α/2).
	// Its value at cell centres is Σ s·w(k1)w(k2)·coef·ξ·cos·cos with
	// w(0)=√(1/s), w(k)=√(2/s): the KL coefficient σ√(λ)·Π(√2 if k>0).
	s := 6
	g.Grid = CellCentred
	u, _ := g.Sample(NewRand(3, 0), s)
	rng := NewRand(3, 0)
	x := g.Points(s)
	want := make([]float64, s*s)
	for k1 := 0; k1 < s; k1++ {
		for k2 := 0; k2 < s; k2++ {
			xi := rng.NormFloat64()
			if k1 == 0 && k2 == 0 {
				continue
			}
			w := func(k int) float64 {
				if k == 0 {
					return math.Sqrt(1 / float64(s))
				}
				return math.Sqrt(2 / float64(s))
			}
			coef := math.Pow(3, 1) * math.Pow(math.Pi*math.Pi*float64(k1*k1+k2*k2)+9, -1)
			L := float64(s) * coef * xi
			for i := 0; i < s; i++ {
				for j := 0; j < s; j++ {
					want[i*s+j] += w(k1) * w(k2) * L * math.Cos(math.Pi*float64(k1)*x[i]) * math.Cos(math.Pi*float64(k2)*x[j])
				}
			}
		}
	}
	for i := range u {
		if math.Abs(u[i]-want[i]) > 1e-12 {
			t.Fatalf("point %d: %v, GRF.m formula %v", i, u[i], want[i])
		}
	}
}
