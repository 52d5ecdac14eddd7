package vmath

import "math"

// The pure-Go kernels: the purego build runs them, and the tests compare
// the C kernels against them bit for bit. They perform exactly the double
// operations of cgo.go in the same order; every product that feeds a sum
// is wrapped in float64(·), which forbids the compiler to fuse it into a
// multiply-add (GOAMD64=v3 would otherwise).

const (
	// round is 1.5·2⁵²: adding it to |v| < 2⁵¹ rounds v to an integer
	// held in the low bits of the mantissa.
	round = 0x1.8p52
	// trigMax bounds the arguments of the fast sine path: below it the
	// reduction by π/2 is accurate to about 2⁻⁷⁰ absolute.
	trigMax = 0x1p27

	invPio2 = 0x1.45f306dc9c883p-1 // 2/π rounded to double
	// π/2 = pio2a + pio2b + pio2c with pio2a and pio2b of 25 significant
	// bits, so n·pio2a and n·pio2b are exact for |n| < 2²⁸ (Cody–Waite).
	pio2a = 0x1.921fb5p+0
	pio2b = 0x1.110b46p-26
	pio2c = 0x1.1a62633145c07p-54

	// Minimax polynomials on |r| ≤ π/4 (FreeBSD msun k_sinf.c, k_cosf.c):
	// |sin r/r − s(r)| < 2⁻³⁷·⁵ and |cos r − c(r)| < 2⁻³⁴·¹.
	s1 = -0x15555554cbac77.0p-55
	s2 = 0x111110896efbb2.0p-59
	s3 = -0x1a00f9e2cae774.0p-65
	s4 = 0x16cd878c3b46a7.0p-71
	c0 = -0x1ffffffd0c5e81.0p-54
	c1 = 0x155553e1053a42.0p-57
	c2 = -0x16c087e80f1e27.0p-62
	c3 = 0x199342e0ee5069.0p-68

	log2e = 0x1.71547652b82fep+0 // 1/ln 2
	// ln 2 = ln2hi + ln2lo with ln2hi of 32 significant bits (fdlibm).
	ln2hi = 0x1.62e42feep-1
	ln2lo = 0x1.a39ef35793c76p-33

	// Taylor coefficients 1/k! (k = 11 … 2) of e^r on |r| ≤ ln2/2:
	// truncation error below 2⁻⁴².
	e11 = 0x1.ae64567f544e4p-26
	e10 = 0x1.27e4fb7789f5cp-22
	e9  = 0x1.71de3a556c734p-19
	e8  = 0x1.a01a01a01a01ap-16
	e7  = 0x1.a01a01a01a01ap-13
	e6  = 0x1.6c16c16c16c17p-10
	e5  = 0x1.1111111111111p-7
	e4  = 0x1.5555555555555p-5
	e3  = 0x1.5555555555555p-3

	// tanh a ≈ a + a³(t3 + a²(t5 + a² t7)) for a < 1/16 (Taylor; the
	// next term is below 2⁻³⁷ relative).
	t3 = -0x1.5555555555555p-2
	t5 = 0x1.1111111111111p-3
	t7 = -0x1.ba1ba1ba1ba1cp-5
)

// sinq1 returns sin(y + q·π/2) for |y| ≤ trigMax: y = n·π/2 + r with
// |r| ≤ π/4, then ±sin r or ±cos r by the quadrant n + q.
func sinq1(y float64, q int) float64 {
	t := float64(y*invPio2) + round
	fn := t - round
	n := math.Float64bits(t) + uint64(q)
	r := y - float64(fn*pio2a)
	r = r - float64(fn*pio2b)
	r = r - float64(fn*pio2c)
	z := r * r
	w := z * z
	s := r * (1 + float64(z*(float64(s1+float64(z*s2))+float64(w*(s3+float64(z*s4))))))
	c := ((1 + float64(z*c0)) + float64(w*c1)) + float64((w*z)*(c2+float64(z*c3)))
	m := -(n & 1)
	v := (math.Float64bits(c) & m) | (math.Float64bits(s) &^ m)
	return math.Float64frombits(v ^ ((n & 2) << 62))
}

// sinqSlow is sin(y + q·π/2) for large or non-finite y.
func sinqSlow(y float64, q int) float64 {
	var v float64
	if q&1 != 0 {
		v = math.Cos(y)
	} else {
		v = math.Sin(y)
	}
	if q&2 != 0 {
		v = -v
	}
	return v
}

func clamp(y, c float64) float64 {
	if y > c {
		y = c
	}
	if y < -c {
		y = -c
	}
	return y
}

// exp1 returns e^y for |y| ≤ 120 (or NaN): y = k·ln2 + r, e^y = 2^k·e^r.
func exp1(y float64) float64 {
	t := float64(y*log2e) + round
	fn := t - round
	k := math.Float64bits(t) - math.Float64bits(round)
	r := y - float64(fn*ln2hi)
	r = r - float64(fn*ln2lo)
	p := float64(e11)
	p = float64(p*r) + e10
	p = float64(p*r) + e9
	p = float64(p*r) + e8
	p = float64(p*r) + e7
	p = float64(p*r) + e6
	p = float64(p*r) + e5
	p = float64(p*r) + e4
	p = float64(p*r) + e3
	p = float64(p*r) + 0.5
	p = float64(p*r) + 1
	p = float64(p*r) + 1
	return p * math.Float64frombits((k+1023)<<52)
}

// tanh1 returns tanh y = sign(y)·(1 − 2/(e^{2|y|} + 1)), by Taylor series
// for |y| < 1/16.
func tanh1(y float64) float64 {
	a := math.Abs(y)
	if a > 20 {
		a = 20
	}
	e := exp1(2 * a)
	t := 1 - 2/(e+1)
	z := a * a
	p := a + float64((a*z)*(t3+float64(z*(t5+float64(z*t7)))))
	v := t
	if a < 0.0625 {
		v = p
	}
	return math.Float64frombits(math.Float64bits(v) | math.Float64bits(y)&(1<<63))
}

func sinqGo(dst, x, g []float32, w, a float64, q int) {
	x = x[:len(dst)]
	if g != nil {
		g = g[:len(dst)]
	}
	for i, v := range x {
		y := w * float64(v)
		f := a
		if g != nil {
			f = a * float64(g[i])
		}
		if math.Abs(y) <= trigMax {
			dst[i] = float32(f * sinq1(y, q))
		} else {
			dst[i] = float32(f * sinqSlow(y, q))
		}
	}
}

func expGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(exp1(clamp(float64(v), 120)))
	}
}

func sigmoidGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(1 / (1 + exp1(clamp(-float64(v), 120))))
	}
}

func tanhGo(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = float32(tanh1(float64(v)))
	}
}
