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
	const sentinel = 12345
	y := make([]float32, (co+1)*ldy)
	for i := range y {
		y[i] = sentinel
	}
	want := make([]float32, len(y))
	copy(want, y)
	refConv(want, ldy, x, taps, w, co, n)
	Conv(y[:co*ldy], ldy, x, taps, wpk, co, n)
	for i := range y {
		if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
			t.Fatalf("y[%d] (row %d, column %d) = %v, want %v", i, i/ldy, i%ldy, y[i], want[i])
		}
	}
}

// TestConv checks Conv bit for bit against the chain for channel counts
// around the 6-row tile, position counts around the 16-wide one (masked
// tails), several kernel shapes and x exactly as long as the reads need;
// y's padding columns and the rows past co keep their sentinel.
func TestConv(t *testing.T) {
	if !Available() {
		t.Skip("kernels not available")
	}
	r := rand.New(rand.NewPCG(7, 8))
	type cs struct{ co, ci, kh, kw, wp, n int }
	cases := []cs{
		{24, 24, 3, 3, 87, 455}, {1, 1, 3, 3, 5, 1}, {5, 2, 3, 3, 9, 15}, {7, 3, 3, 3, 10, 17},
		{13, 2, 1, 3, 12, 33}, {6, 4, 4, 2, 8, 16}, {12, 1, 2, 5, 6, 40}, {3, 5, 1, 1, 4, 7},
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
