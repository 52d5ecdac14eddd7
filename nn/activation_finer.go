package nn

import (
	"math"

	"github.com/sciml-go/sciml/internal/vmath"
)

// finerFn returns F(u) = sin(φ(u)), φ(u) = ω(|u| + 1)u: FINER's
// activation with the factor |u| + 1 differentiated exactly. On each side
// of 0, φ is a quadratic (φ′ = ω(2|u| + 1), φ″ = 2ω·sign u, φ‴ = 0), so
//
//	F^(k)(u) = Σ_j k!/((k−2j)! j! 2^j) · φ′^(k−2j) · φ″^j · sin(φ + (k−j)π/2),
//
// which is the derivative tower (sign 0 = 0, as the composed |u| has it).
// The float32 value and first derivative share one pass: v = (|u| + 1)u
// rounded to float32, then vmath's sin and cos of fl32(ω·v) (the rounding
// of v and ω·v costs |φ|·2⁻²³ absolute in the angle).
func finerFn(omega float64) *smoothFn {
	w := float32(omega)
	fast := func(k int, dst, x, g []float32) {
		x = x[:len(dst)]
		for i, v := range x {
			dst[i] = (abs32(v) + 1) * v
		}
		if k == 0 {
			vmath.SinQ(dst, dst, g, w, 1, 0)
			return
		}
		vmath.SinQ(dst, dst, g, w, omega, 1)
		for i, v := range x {
			dst[i] *= 2*abs32(v) + 1
		}
	}
	return &smoothFn{name: "Finer", d: func(k int, u float64) float64 {
		s := 0.0
		if u > 0 {
			s = 1
		} else if u < 0 {
			s = -1
		}
		a := math.Abs(u)
		phi, p1, p2 := omega*(a+1)*u, omega*(2*a+1), 2*omega*s
		var v float64
		c := 1.0
		for j := 0; 2*j <= k; j++ {
			if j > 0 {
				c *= float64((k-2*j+2)*(k-2*j+1)) / float64(2*j)
			}
			v += c * math.Pow(p1, float64(k-2*j)) * math.Pow(p2, float64(j)) * sinD(k-j, phi)
		}
		return v
	}, fast32: fast, fastOrders: 2, fast32Both: func(y, d, x []float32) {
		x, d = x[:len(y)], d[:len(y)]
		for i, v := range x {
			y[i] = (abs32(v) + 1) * v
		}
		vmath.SinCos(y, d, y, w)
		for i, v := range x {
			d[i] *= w * (2*abs32(v) + 1)
		}
	}}
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }
