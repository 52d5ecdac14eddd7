package pde

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"

	"github.com/sciml-go/sciml/internal/fft"
)

// Sample draws one field on the grid of n points per axis (see Points) and
// returns its n^Dim values in row-major order (the last axis varies
// fastest). All randomness comes from rng, drawn in a fixed order, so equal
// sources give bitwise-equal fields.
func (g GRF) Sample(rng *rand.Rand, n int) ([]float64, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	if n < g.MinPoints() {
		return nil, fmt.Errorf("pde.GRF: %v grid needs at least %d points per axis, got %d", g.Boundary, g.MinPoints(), n)
	}
	size := 1
	for range g.Dim {
		size *= n
		if size > 1<<31 {
			return nil, fmt.Errorf("pde.GRF: %d^%d points is too many", n, g.Dim)
		}
	}
	dst := make([]float64, size)
	if g.Boundary == Periodic {
		g.samplePeriodic(rng, dst, n)
	} else {
		g.sampleSeries(rng, dst, n)
	}
	return dst, nil
}

// fftIndex returns the signed wave number of FFT index i on n points
// (numpy fftfreq order: 0, 1, …, then negative).
func fftIndex(i, n int) int {
	if 2*i < n {
		return i
	}
	return i - n
}

func (g GRF) samplePeriodic(rng *rand.Rand, dst []float64, n int) {
	d := g.Dim
	N := len(dst)
	dims := make([]int, d)
	for j := range dims {
		dims[j] = n
	}
	c := make([]complex128, N)
	k := make([]int, d)
	for idx := range c {
		r := idx
		zero, selfConj := true, true
		for j := d - 1; j >= 0; j-- {
			i := r % n
			r /= n
			k[j] = fftIndex(i, n)
			if k[j] != 0 {
				zero = false
			}
			if (2*i)%n != 0 {
				selfConj = false
			}
		}
		xi, eta := rng.NormFloat64(), rng.NormFloat64()
		if zero {
			continue
		}
		lam := math.Sqrt(g.Spectrum(k)) * float64(N)
		switch g.Convention {
		case TorchFFT:
			c[idx] = complex(math.Sqrt2*lam*xi, math.Sqrt2*lam*eta)
		default:
			if selfConj {
				lam *= math.Sqrt2
			}
			c[idx] = complex(lam*xi, -lam*eta)
		}
	}
	fft.FFT64(c, c, dims, 1, true)
	for i := range dst {
		dst[i] = real(c[i]) + g.Mean
	}
}

// sampleSeries sums the cosine (Neumann) or sine (Dirichlet) series axis by
// axis with FFTs of length M = 2(n−1) (vertex) or 2n (cell-centred).
func (g GRF) sampleSeries(rng *rand.Rand, dst []float64, n int) {
	d := g.Dim
	lo, hi := g.Modes(n)
	K := hi - lo
	shape := make([]int, d)
	total := 1
	for j := range shape {
		shape[j] = K
		total *= K
	}
	coef := make([]float64, total)
	k := make([]int, d)
	for idx := range coef {
		r := idx
		norm := 1.0
		zero := true
		for j := d - 1; j >= 0; j-- {
			k[j] = lo + r%K
			r /= K
			if k[j] != 0 {
				norm *= math.Sqrt2
				zero = false
			}
		}
		xi := rng.NormFloat64()
		if zero {
			continue // mean mode, replaced by Mean
		}
		coef[idx] = math.Sqrt(g.Spectrum(k)) * norm * xi
	}
	M := 2 * n
	shift := 0.5
	if g.Grid == Vertex {
		M = 2 * (n - 1)
		shift = 0
	}
	phase := make([]complex128, K)
	for q := range phase {
		kk := float64(lo + q)
		phase[q] = cmplx.Exp(complex(0, math.Pi*kk*shift/float64(n))) * complex(float64(M), 0)
	}
	sine := g.Boundary == Dirichlet
	cur := coef
	for a := 0; a < d; a++ {
		outer, inner := 1, 1
		for j := 0; j < a; j++ {
			outer *= shape[j]
		}
		for j := a + 1; j < d; j++ {
			inner *= shape[j]
		}
		next := make([]float64, outer*n*inner)
		lines := outer * inner
		const chunk = 64
		buf := make([]complex128, chunk*M)
		for l0 := 0; l0 < lines; l0 += chunk {
			nb := min(chunk, lines-l0)
			clear(buf[:nb*M])
			for b := 0; b < nb; b++ {
				o, in := (l0+b)/inner, (l0+b)%inner
				row := buf[b*M : (b+1)*M]
				for q := 0; q < K; q++ {
					row[lo+q] = complex(cur[(o*K+q)*inner+in], 0) * phase[q]
				}
			}
			fft.FFT64(buf[:nb*M], buf[:nb*M], []int{M}, nb, true)
			for b := 0; b < nb; b++ {
				o, in := (l0+b)/inner, (l0+b)%inner
				row := buf[b*M : (b+1)*M]
				for i := 0; i < n; i++ {
					v := real(row[i])
					if sine {
						v = imag(row[i])
						if g.Grid == Vertex && (i == 0 || i == n-1) {
							v = 0
						}
					}
					next[(o*n+i)*inner+in] = v
				}
			}
		}
		shape[a] = n
		cur = next
	}
	for i := range dst {
		dst[i] = cur[i] + g.Mean
	}
}
