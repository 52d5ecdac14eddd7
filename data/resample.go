package data

import (
	"fmt"

	"github.com/sciml-go/sciml/internal/fft"
)

// Method selects how a Loader moves samples from the stored resolution to
// the requested one.
type Method int

const (
	// Stride keeps every k-th point per spatial axis, as the FNO scripts
	// subsample: n = k·s points on periodic grids (Burgers 8192 → 8192/k),
	// n − 1 = k·(s − 1) on grids with both endpoints (Darcy 421 → 85 for
	// k = 5). It can only coarsen.
	Stride Method = iota
	// Spectral resamples periodic data by its Fourier series: the modes
	// |k| < min(n, s)/2 are kept (coarsening drops the target's Nyquist
	// mode, refining splits the source's Nyquist mode evenly between ±n/2)
	// and evaluated on s equispaced points. Any s ≥ 2 is reachable, up or
	// down, but only for periodic data.
	Spectral
)

// String returns "stride" or "spectral".
func (m Method) String() string {
	switch m {
	case Stride:
		return "stride"
	case Spectral:
		return "spectral"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod parses "stride" or "spectral".
func ParseMethod(s string) (Method, error) {
	switch s {
	case "stride":
		return Stride, nil
	case "spectral":
		return Spectral, nil
	}
	return 0, fmt.Errorf("data: unknown resampling method %q (want stride or spectral)", s)
}

// strideStep returns the step k that takes n points to s by striding, or
// an error naming the reachable sizes. periodic grids x_i = i/n need
// n = k·s; endpoint grids x_i = i/(n−1) need n−1 = k·(s−1).
func strideStep(n, s int, periodic bool) (int, error) {
	if s == n {
		return 1, nil
	}
	if s < 1 || s > n {
		return 0, fmt.Errorf("striding cannot turn %d points into %d (it only coarsens)", n, s)
	}
	if periodic {
		if n%s == 0 {
			return n / s, nil
		}
		return 0, fmt.Errorf("striding cannot turn %d periodic points into %d: %d is not a multiple of %d (reachable: %s)",
			n, s, n, s, strideChoices(n, 0))
	}
	if s >= 2 && (n-1)%(s-1) == 0 {
		return (n - 1) / (s - 1), nil
	}
	return 0, fmt.Errorf("striding cannot turn %d grid nodes into %d: %d−1 is not a multiple of %d−1 (reachable: %s)",
		n, s, n, s, strideChoices(n-1, 1))
}

// strideGrid copies every k-th point of the trailing `rank` axes (each of
// length n) of src into dst (each of length s = len per axis), for `lead`
// leading fields (e.g. time snapshots) stored back to back.
func strideGrid[D, S float32 | float64](dst []D, src []S, lead, rank, n, s, k int) {
	switch rank {
	case 1:
		for l := 0; l < lead; l++ {
			so, do := l*n, l*s
			for i := 0; i < s; i++ {
				dst[do+i] = D(src[so+i*k])
			}
		}
	case 2:
		for l := 0; l < lead; l++ {
			so, do := l*n*n, l*s*s
			for i := 0; i < s; i++ {
				row := so + i*k*n
				for j := 0; j < s; j++ {
					dst[do+i*s+j] = D(src[row+j*k])
				}
			}
		}
	default:
		panic(fmt.Sprintf("data: strideGrid: rank %d", rank))
	}
}

// modeMap says where each target Fourier index takes its coefficient from:
// src[q] (−1 for none) with weight w[q].
type modeMap struct {
	src []int
	w   []float64
}

// signedIndex is the signed wave number of FFT index i on n points.
func signedIndex(i, n int) int {
	if 2*i < n {
		return i
	}
	return i - n
}

// axisMap maps the Fourier indices of an axis of n points to one of m
// points: the full (two-sided, FFT order) axis, or with half the
// non-negative half 0 ≤ k ≤ m/2 of a real transform's last axis.
func axisMap(n, m int, half bool) modeMap {
	count := m
	if half {
		count = m/2 + 1
	}
	mm := modeMap{src: make([]int, count), w: make([]float64, count)}
	for q := range count {
		k := q
		if !half {
			k = signedIndex(q, m)
		}
		ak := max(k, -k)
		src, w := -1, 0.0
		switch {
		case n == m:
			src, w = q, 1
		case 2*ak < n && 2*ak < m:
			src, w = k, 1
			if k < 0 {
				src = k + n
			}
		case m > n && 2*ak == n:
			// refining: the source's Nyquist mode is split between ±n/2
			src, w = n/2, 0.5
		}
		mm.src[q], mm.w[q] = src, w
	}
	return mm
}

// spectralPlan resamples periodic fields of `rank` (1 or 2) axes from n to
// m points per axis by Fourier interpolation/truncation.
type spectralPlan struct {
	rank, n, m int
	rows, cols modeMap // rows: the full first axis (rank 2); cols: the half last axis
	srcSpec    []complex128
	dstSpec    []complex128
	srcBuf     []float64
	dstBuf     []float64
}

func newSpectralPlan(rank, n, m int) *spectralPlan {
	p := &spectralPlan{rank: rank, n: n, m: m, cols: axisMap(n, m, true)}
	hn, hm := n/2+1, m/2+1
	if rank == 2 {
		p.rows = axisMap(n, m, false)
		p.srcSpec = make([]complex128, n*hn)
		p.dstSpec = make([]complex128, m*hm)
		p.srcBuf = make([]float64, n*n)
		p.dstBuf = make([]float64, m*m)
	} else {
		p.srcSpec = make([]complex128, hn)
		p.dstSpec = make([]complex128, hm)
		p.srcBuf = make([]float64, n)
		p.dstBuf = make([]float64, m)
	}
	return p
}

// resample transforms the field src (n^rank values) into dst (m^rank values).
func (p *spectralPlan) resample(dst, src []float64) {
	n, m := p.n, p.m
	hn, hm := n/2+1, m/2+1
	if p.rank == 1 {
		fft.RFFT64(p.srcSpec, src, []int{n}, 1)
		scale := float64(m) / float64(n)
		for c := 0; c < hm; c++ {
			if s := p.cols.src[c]; s >= 0 {
				p.dstSpec[c] = p.srcSpec[s] * complex(p.cols.w[c]*scale, 0)
			} else {
				p.dstSpec[c] = 0
			}
		}
		fft.IRFFT64(dst, p.dstSpec, []int{m}, 1)
		return
	}
	fft.RFFT64(p.srcSpec, src, []int{n, n}, 1)
	scale := float64(m*m) / float64(n*n)
	for r := 0; r < m; r++ {
		sr := p.rows.src[r]
		for c := 0; c < hm; c++ {
			sc := p.cols.src[c]
			if sr < 0 || sc < 0 {
				p.dstSpec[r*hm+c] = 0
				continue
			}
			p.dstSpec[r*hm+c] = p.srcSpec[sr*hn+sc] * complex(p.rows.w[r]*p.cols.w[c]*scale, 0)
		}
	}
	fft.IRFFT64(dst, p.dstSpec, []int{m, m}, 1)
}

// resampleFields applies the plan to `lead` fields stored back to back,
// converting element types on the way.
func resampleFields[D, S float32 | float64](p *spectralPlan, dst []D, src []S, lead int) {
	ns, ms := len(p.srcBuf), len(p.dstBuf)
	for l := 0; l < lead; l++ {
		for i, v := range src[l*ns : (l+1)*ns] {
			p.srcBuf[i] = float64(v)
		}
		p.resample(p.dstBuf, p.srcBuf)
		for i, v := range p.dstBuf {
			dst[l*ms+i] = D(v)
		}
	}
}
