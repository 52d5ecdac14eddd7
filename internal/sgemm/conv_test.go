package sgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refConv is Conv's documented chain, element by element.
func refConv(y []float32, ldy int, x []float32, plane, wp, ci, kh, kw int, w []float32, co, n int) {
	for o := range co {
		for t := range n {
			var s float32
			for c := range ci {
				for m := range kh {
					for j := range kw {
						s = fma32(w[((o*ci+c)*kh+m)*kw+j], x[c*plane+m*wp+j+t], s)
					}
				}
			}
			y[o*ldy+t] = s
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
			x := randSlice(r, nx)
			w := randSlice(r, c.co*c.ci*c.kh*c.kw)
			wpk := make([]float32, ConvPackedLen(c.co, c.ci, c.kh, c.kw))
			PackConv(wpk, w, c.co, c.ci, c.kh, c.kw)
			ldy := c.n + 3
			const sentinel = 12345
			y := make([]float32, (c.co+1)*ldy)
			for i := range y {
				y[i] = sentinel
			}
			want := make([]float32, len(y))
			copy(want, y)
			refConv(want, ldy, x, plane, c.wp, c.ci, c.kh, c.kw, w, c.co, c.n)
			Conv(y[:c.co*ldy], ldy, x, plane, c.wp, c.ci, c.kh, c.kw, wpk, c.co, c.n)
			for i := range y {
				if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
					t.Fatalf("y[%d] (row %d, column %d) = %v, want %v", i, i/ldy, i%ldy, y[i], want[i])
				}
			}
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
	for name, f := range map[string]func(){
		"x too short": func() { Conv(y, 20, x, 50, 10, 2, 3, 3, wpk, 6, 20) },
		"y too short": func() { Conv(y[:100], 20, x, 50, 10, 1, 3, 3, wpk, 6, 20) },
		"wp < kw":     func() { Conv(y, 20, x, 50, 2, 1, 3, 3, wpk, 6, 20) },
		"wpk short":   func() { Conv(y, 20, x, 50, 10, 1, 3, 3, wpk[:10], 6, 20) },
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
