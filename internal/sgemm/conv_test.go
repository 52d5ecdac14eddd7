package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refConv is Conv's documented chain, element by element.
func refConv(y []float32, ldy int, x []float32, taps []int, w []float32, co, n int) {
	for o := range co {
		for t := range n {
			var s float32
			for k, off := range taps {
				s = fma32(w[o*len(taps)+k], x[off+t], s)
			}
			y[o*ldy+t] = s
		}
	}
}

// checkConv runs Conv on x through taps and compares every element of y,
// with its padding columns and a row past co holding a sentinel, bit for
// bit with refConv.
func checkConv(t *testing.T, r *rand.Rand, x []float32, taps []int, co, n int) {
	t.Helper()
	w := randSlice(r, co*len(taps))
	wpk := make([]float32, (co+MR-1)/MR*MR*len(taps))
	PackConv(wpk, w, co, len(taps), 1, 1)
	ldy := n + 3
	y, want := sentinels((co + 1) * ldy)
	refConv(want, ldy, x, taps, w, co, n)
	Conv(y[:co*ldy], ldy, x, taps, wpk, co, n)
	sameBits(t, "y", y, want, ldy)
}

// sentinels returns two slices of n sentinel values: one for the kernel,
// one for the reference.
func sentinels(n int) (got, want []float32) {
	got, want = make([]float32, n), make([]float32, n)
	for i := range got {
		got[i], want[i] = 12345, 12345
	}
	return got, want
}

// sameBits fails the test at the first element of got (rows ld apart)
// whose bits differ from want's.
func sameBits(t *testing.T, name string, got, want []float32, ld int) {
	t.Helper()
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s[%d] (row %d, column %d) = %v, want %v", name, i, i/ld, i%ld, got[i], want[i])
		}
	}
}

// TestConv checks Conv bit for bit against the chain for channel counts
// around the 6-row tile, position counts around the 16- and 32-wide ones (masked
// tails), several kernel shapes and x exactly as long as the reads need;
// y's padding columns and the rows past co keep their sentinel.
func TestConv(t *testing.T) { eachLevel(t, testConv) }

func testConv(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type cs struct{ co, ci, kh, kw, wp, n int }
	cases := []cs{
		{24, 24, 3, 3, 87, 455}, {1, 1, 3, 3, 5, 1}, {5, 2, 3, 3, 9, 15}, {7, 3, 3, 3, 10, 17},
		{13, 2, 1, 3, 12, 33}, {6, 4, 4, 2, 8, 16}, {12, 1, 2, 5, 6, 40}, {3, 5, 1, 1, 4, 7},
		{6, 2, 3, 3, 8, 32}, {7, 2, 3, 3, 9, 47}, {2, 3, 3, 3, 11, 64},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			plane := (c.kh-1)*c.wp + c.kw - 1 + c.n + r.IntN(5)
			nx := (c.ci-1)*plane + (c.kh-1)*c.wp + c.kw - 1 + c.n
			checkConv(t, r, randSlice(r, nx), StrideOneTaps(plane, c.wp, c.ci, c.kh, c.kw), c.co, c.n)
		})
	}
	// Arbitrary offsets (the phase planes of strided convolutions), in any
	// order and repeated, the largest reading x to its last element.
	for _, c := range []struct{ co, taps, n int }{{6, 1, 16}, {7, 9, 37}, {24, 50, 100}, {1, 4, 3}} {
		t.Run(fmt.Sprintf("taps%+v", c), func(t *testing.T) {
			nx := 200 + c.n
			taps := make([]int, c.taps)
			for k := range taps {
				taps[k] = r.IntN(nx - c.n + 1)
			}
			taps[c.taps/2] = nx - c.n
			checkConv(t, r, randSlice(r, nx), taps, c.co, c.n)
		})
	}
}

func TestConvPanics(t *testing.T) {
	if !Available() {
		t.Skip("kernels not available")
	}
	x := make([]float32, 100)
	wpk := make([]float32, ConvPackedLen(6, 1, 3, 3))
	y := make([]float32, 6*20)
	taps := StrideOneTaps(50, 10, 1, 3, 3)
	for name, f := range map[string]func(){
		"x too short":     func() { Conv(y, 20, x[:41], taps, wpk, 6, 20) },
		"y too short":     func() { Conv(y[:100], 20, x, taps, wpk, 6, 20) },
		"negative offset": func() { Conv(y, 20, x, []int{0, -1}, wpk, 6, 20) },
		"no taps":         func() { Conv(y, 20, x, nil, wpk, 6, 20) },
		"wpk short":       func() { Conv(y, 20, x, taps, wpk[:10], 6, 20) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// refConvWeight is ConvWeight's documented sums: per lane a chain over
// the positions in order, the lanes added in the documented tree.
func refConvWeight(dw []float32, ldw int, x []float32, taps []int, wp int, gy []float32, ldg, co, rows, wo int) {
	for k, off := range taps {
		for c := range co {
			var l [16]float32
			for i := range rows {
				for j := range wo {
					l[j%16] = fma32(gy[c*ldg+i*wo+j], x[off+i*wp+j], l[j%16])
				}
			}
			var s [8]float32
			for m := range s {
				s[m] = l[m] + l[m+8]
			}
			dw[k*ldw+c] = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]))
		}
	}
}

// TestConvWeight checks ConvWeight bit for bit against its sums for tap
// and channel counts around the 6 × 2 and 6 × 4 tiles, row widths around
// the 16-lane block and its 8-lane halves (masked tails) and x and gy
// exactly as long as the reads need; dw's padding columns keep their
// sentinel.
func TestConvWeight(t *testing.T) {
	if !Available() {
		t.Skip("kernels not available")
	}
	has512 := use512
	defer func() { use512 = has512 }()
	r := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct {
		taps, co, rows, wo, wp int
		w5                     bool // the 4-channel AVX-512 tiles
	}{
		{216, 24, 13, 85, 87, false}, {27, 24, 3, 43, 45, false}, {1, 1, 1, 1, 1, false}, {7, 3, 2, 8, 9, false},
		{12, 5, 4, 16, 18, false}, {5, 2, 3, 7, 8, false}, {13, 1, 5, 23, 30, false}, {6, 2, 1, 9, 9, false},
		{216, 24, 13, 85, 87, true}, {27, 23, 3, 43, 45, true}, {1, 1, 1, 1, 1, true}, {7, 3, 2, 8, 9, true},
		{12, 5, 4, 16, 18, true}, {5, 2, 3, 7, 8, true}, {13, 6, 5, 23, 30, true}, {6, 7, 1, 9, 9, true},
		{4, 3, 2, 31, 33, false}, {8, 5, 3, 33, 34, false}, {3, 2, 2, 17, 17, false}, {2, 4, 3, 32, 32, false},
		{4, 3, 2, 31, 33, true}, {8, 5, 3, 33, 34, true}, {3, 2, 2, 17, 17, true}, {2, 4, 3, 32, 32, true},
	} {
		if c.w5 && !has512 {
			continue
		}
		use512 = c.w5
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			nx := 300 + (c.rows-1)*c.wp + c.wo
			taps := make([]int, c.taps)
			for k := range taps {
				taps[k] = r.IntN(nx - (c.rows-1)*c.wp - c.wo + 1)
			}
			taps[c.taps/2] = nx - (c.rows-1)*c.wp - c.wo
			x := randSlice(r, nx)
			ldg := c.rows*c.wo + r.IntN(3)
			gy := randSlice(r, (c.co-1)*ldg+c.rows*c.wo)
			ldw := c.co + 2
			dw, want := sentinels(c.taps * ldw)
			refConvWeight(want, ldw, x, taps, c.wp, gy, ldg, c.co, c.rows, c.wo)
			ConvWeight(dw[:(c.taps-1)*ldw+c.co], ldw, x, taps, c.wp, gy, ldg, c.co, c.rows, c.wo)
			sameBits(t, "dw (tap, channel)", dw, want, ldw)
		})
	}
}

func TestConvWeightPanics(t *testing.T) {
	if !Available() {
		t.Skip("kernels not available")
	}
	x, gy, dw := make([]float32, 100), make([]float32, 40), make([]float32, 18)
	taps := []int{0, 1, 2}
	for name, f := range map[string]func(){
		"x too short":  func() { ConvWeight(dw, 6, x[:50], []int{0, 40}, 10, gy, 20, 2, 2, 10) },
		"gy too short": func() { ConvWeight(dw, 6, x, taps, 10, gy[:30], 20, 2, 2, 10) },
		"dw too short": func() { ConvWeight(dw[:10], 6, x, taps, 10, gy, 20, 2, 2, 10) },
		"wp < wo":      func() { ConvWeight(dw, 6, x, taps, 8, gy, 20, 2, 2, 10) },
		"no taps":      func() { ConvWeight(dw, 6, x, nil, 10, gy, 20, 2, 2, 10) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// BenchmarkConvKernels runs the direct kernels on an MgNO-sized stride-1
// 3×3 convolution (24 → 24 channels, 64×64 outputs on a padded 66×66
// sample, one thread): the forward product (on each level) and the
// filter gradient.
func BenchmarkConvKernels(b *testing.B) {
	if !Available() {
		b.Skip("kernels not available")
	}
	const ci, co, n, k = 24, 24, 64, 3
	wp, hp := n+k-1, n+k-1
	r := rand.New(rand.NewPCG(1, 2))
	x := randSlice(r, ci*hp*wp)
	taps := StrideOneTaps(hp*wp, wp, ci, k, k)
	np := (n-1)*wp + n
	flops := 2.0 * ci * co * k * k * n * n
	wpk := make([]float32, ConvPackedLen(co, ci, k, k))
	PackConv(wpk, randSlice(r, co*ci*k*k), co, ci, k, k)
	y := make([]float32, co*np)
	benchLevels(b, "forward", func(b *testing.B) {
		for b.Loop() {
			Conv(y, np, x, taps, wpk, co, np)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
	benchLevels(b, "filter-gradient", func(b *testing.B) {
		gy := randSlice(r, co*n*n)
		dw := make([]float32, len(taps)*co)
		for b.Loop() {
			ConvWeight(dw, co, x, taps, wp, gy, n*n, co, n, n)
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}
