package vmath

import "math"

// The pure-Go kernels: the purego build runs them, and the tests compare
// the C kernels against them bit for bit. They perform exactly the double
// operations of cgo.go in the same order; every product that feeds a sum
// is wrapped in float64(·) or float32(·), which forbids the compiler to
// fuse it into a multiply-add (GOAMD64=v3 would otherwise); the fused
// multiply-adds of the sine polynomials are fma32, exact.

const (
	// round is 1.5·2⁵²: adding it to |v| < 2⁵¹ rounds v to an integer
	// held in the low bits of the mantissa; froundf is the float32 analogue.
	round  = 0x1.8p52
	fround = 0x1.8p23

	// trigMax bounds the arguments of the fast sine path, |y| ≤ 2¹³:
	// below it n = round(y·2/π) < 2¹³, so n·pio2a, n·pio2b and n·pio2c are
	// exact (11 significant bits each) and so are the first two steps of
	// the reduction (Cody–Waite).
	trigMax = 8192

	invPio2 = 0x1.45f306p-1 // 2/π in float32
	// π/2 = pio2a + pio2b + pio2c + pio2d + O(2⁻⁶³).
	pio2a = 0x1.92p+0
	pio2b = 0x1.fb4p-12
	pio2c = 0x1.444p-24
	pio2d = 0x1.68c234p-39

	// Float32 minimax polynomials on |r| ≤ π/4 + 0.002 (fitted for this
	// package; the coefficients' own error is below 0.07 ulp):
	// sin r ≈ r + r·z·(s1 + z·(s2 + z·(s3 + z·s4))) and
	// cos r ≈ 1 − z/2 + z²·(c1 + z·(c2 + z·c3)), z = r².
	s1 = -0x1.555556p-3
	s2 = 0x1.111108p-7
	s3 = -0x1.a00f64p-13
	s4 = 0x1.6ccb5cp-19
	c1 = 0x1.55554ap-5
	c2 = -0x1.6c0c18p-10
	c3 = 0x1.99e376p-16

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

// sincosRaw reduces y (|y| ≤ trigMax) in float32 arithmetic: y = n·π/2 +
// (rh + rl), the reduction exact but for its last step, whose rounding
// error rl is kept (2Sum); it returns the minimax sin and cos of the
// reduced argument and the quadrant n. The polynomials are evaluated with
// fused multiply-adds (fma32: one rounding each), as the C kernels do with
// the FMA instructions.
func sincosRaw(y float32) (s, c float32, n uint32) {
	t := fma32(y, invPio2, fround)
	fn := t - fround
	n = math.Float32bits(t)
	r := y - float32(fn*pio2a) // exact, as are the next two steps
	r = r - float32(fn*pio2b)
	a3 := -float32(fn * pio2c)
	rh := r + a3
	bb := rh - r
	rl := (r - (rh - bb)) + (a3 - bb)
	rl = fma32(fn, -pio2d, rl)
	z := rh * rh
	ps := float32(fma32(fma32(fma32(s4, z, s3), z, s2), z, s1) * z)
	s = rh + fma32(rh, ps, rl)
	if rh == 0 {
		s = rh
	}
	h := float32(0.5 * z) // exact
	t1 := 1 - h
	e := (1 - t1) - h
	pc := float32(float32(fma32(fma32(c3, z, c2), z, c1)*z) * z)
	c = t1 + (e + fma32(-rh, rl, pc))
	return s, c, n
}

// fma32 returns a·b + c rounded once to float32, as a fused multiply-add
// does, in float64 arithmetic: a·b is exact in float64, the sum is rounded
// to float64 with round-to-odd (2Sum gives its exact error; an inexact sum
// with an even last bit moves one ulp toward the exact value), and
// rounding that to float32 is then correct (53 ≥ 24 + 2 bits). The same
// operations are vm_fmaf_emul in cgo.go.
func fma32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b))
	s := p + float64(c)
	bb := s - p
	e := (p - (s - bb)) + (float64(c) - bb)
	if u := math.Float64bits(s); e != 0 && u&1 == 0 {
		if (e > 0) == (s > 0) {
			u++
		} else {
			u--
		}
		s = math.Float64frombits(u)
	}
	return float32(s)
}

// quadrant returns sin(r + n·π/2) from s = sin r and c = cos r.
func quadrant(s, c float32, n uint32) float32 {
	m := -(n & 1)
	v := (math.Float32bits(c) & m) | (math.Float32bits(s) &^ m)
	return math.Float32frombits(v ^ ((n & 2) << 30))
}

// sinqf returns sin(y + q·π/2) for |y| ≤ trigMax.
func sinqf(y float32, q uint32) float32 {
	s, c, n := sincosRaw(y)
	return quadrant(s, c, n+q)
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

func sinqGo(dst, x, g []float32, w float32, a float64, q int) {
	x = x[:len(dst)]
	if g != nil {
		g = g[:len(dst)]
	}
	plain := g == nil && a == 1
	for i, xv := range x {
		y := w * xv
		var v float32
		if math.Abs(float64(y)) <= trigMax {
			v = sinqf(y, uint32(q))
		} else {
			v = float32(sinqSlow(float64(y), q))
		}
		switch {
		case plain:
			dst[i] = v
		case g != nil:
			dst[i] = float32((a * float64(g[i])) * float64(v))
		default:
			dst[i] = float32(a * float64(v))
		}
	}
}

func sincosGo(so, co, x []float32, w float32) {
	x, co = x[:len(so)], co[:len(so)]
	for i, xv := range x {
		y := w * xv
		if math.Abs(float64(y)) <= trigMax {
			s, c, n := sincosRaw(y)
			so[i], co[i] = quadrant(s, c, n), quadrant(s, c, n+1)
		} else {
			so[i], co[i] = float32(sinqSlow(float64(y), 0)), float32(sinqSlow(float64(y), 1))
		}
	}
}

func mulColSumGo(dst, g, c []float32, cols int, a float64, acc []float64) {
	g, c = g[:len(dst)], c[:len(dst)]
	for r := 0; r < len(dst); r += cols {
		for j := range cols {
			v := float32((a * float64(g[r+j])) * float64(c[r+j]))
			dst[r+j] = v
			if acc != nil {
				acc[j] = acc[j] + float64(v)
			}
		}
	}
}

func colSumGo(acc []float64, x []float32, cols int) {
	for r := 0; r+cols <= len(x); r += cols {
		row := x[r : r+cols]
		for j, v := range row {
			acc[j] = acc[j] + float64(v)
		}
	}
}

// The function kernels of unary (their numbers are those of vm_unary in
// cgo.go).
const (
	unaryExp = iota
	unarySigmoid
	unaryTanh
	unaryGELU
)

func unaryGo(op int, d, x []float32) {
	switch op {
	case unaryExp:
		expGo(d, x)
	case unarySigmoid:
		sigmoidGo(d, x)
	case unaryTanh:
		tanhGo(d, x)
	default:
		geluGo(d, x)
	}
}

// The arithmetic kernels of elementwise (their numbers are those of
// vm_elementwise in cgo.go).
const (
	opAdd = iota
	opAddScalar
	opSub
	opMul
	opMulScalar
	opNeg
)

func elementwiseGo(op int, d, x, y []float32, s float32) {
	switch op {
	case opAdd:
		addGo(d, x, y)
	case opAddScalar:
		addsGo(d, x, s)
	case opSub:
		subGo(d, x, y)
	case opMul:
		mulGo(d, x, y)
	case opMulScalar:
		mulsGo(d, x, s)
	default:
		negGo(d, x)
	}
}

func addGo(d, x, y []float32) {
	x, y = x[:len(d)], y[:len(d)]
	for i := range d {
		d[i] = x[i] + y[i]
	}
}

func addsGo(d, x []float32, s float32) {
	x = x[:len(d)]
	for i := range d {
		d[i] = x[i] + s
	}
}

func subGo(d, x, y []float32) {
	x, y = x[:len(d)], y[:len(d)]
	for i := range d {
		d[i] = x[i] - y[i]
	}
}

func negGo(d, x []float32) {
	x = x[:len(d)]
	for i := range d {
		d[i] = -x[i]
	}
}

func mulGo(d, x, y []float32) {
	x, y = x[:len(d)], y[:len(d)]
	for i := range d {
		d[i] = x[i] * y[i]
	}
}

func mulsGo(d, x []float32, s float32) {
	x = x[:len(d)]
	for i := range d {
		d[i] = x[i] * s
	}
}

// sumGo is the sum of the C kernels: sixteen partial sums over the
// residues mod 16 of the whole blocks, folded in halves, then the tail.
func sumGo(x []float32) float64 {
	var s [16]float64
	i := 0
	for ; i+16 <= len(x); i += 16 {
		v := x[i : i+16 : i+16]
		s[0] += float64(v[0])
		s[1] += float64(v[1])
		s[2] += float64(v[2])
		s[3] += float64(v[3])
		s[4] += float64(v[4])
		s[5] += float64(v[5])
		s[6] += float64(v[6])
		s[7] += float64(v[7])
		s[8] += float64(v[8])
		s[9] += float64(v[9])
		s[10] += float64(v[10])
		s[11] += float64(v[11])
		s[12] += float64(v[12])
		s[13] += float64(v[13])
		s[14] += float64(v[14])
		s[15] += float64(v[15])
	}
	for w := 8; w >= 1; w /= 2 {
		for l := range w {
			s[l] += s[l+w]
		}
	}
	t := s[0]
	for _, v := range x[i:] {
		t += float64(v)
	}
	return t
}

func stridedGo(scatter bool, d, s []float32, rows, n, ds, ss, step int) {
	if scatter {
		scatterAddRowsGo(d, s, rows, n, ds, ss, step)
	} else {
		gatherRowsGo(d, s, rows, n, ds, ss, step)
	}
}

func gatherRowsGo(d, s []float32, rows, n, ds, ss, step int) {
	for r := range rows {
		dr := d[r*ds : r*ds+n]
		sr := s[r*ss : r*ss+(n-1)*step+1]
		for j := range dr {
			dr[j] = sr[j*step]
		}
	}
}

func scatterAddRowsGo(d, s []float32, rows, n, ds, ss, step int) {
	for r := range rows {
		sr := s[r*ss : r*ss+n]
		dr := d[r*ds : r*ds+(n-1)*step+1]
		for j, v := range sr {
			dr[j*step] += v
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

// The GELU kernels work in float32 (8 lanes with AVX2) and are the twins
// of vm_gelu_core in cgo.go, operation for operation. With a = min(|x|, 16)
// and Φ(−a) = ½·e^(−a²/2)·R(a), R(a) = erfcx(a/√2):
//
//   - e^(−a²/2) = 2ⁿ·e^r: a = ah + al with ah the leading 12 bits of a,
//     so ah²/2 is exact and a²/2 = ah²/2 + al·(a + ah)/2 (the second term
//     below 2⁻³ and rounded once); n = round(−a²/2 · log₂e); r =
//     −ah²/2 − n·ln2a (exact: ln2a has 13 bits, n at most 185, and the
//     difference is below ½ on a grid it fits) − n·ln2b − al·(a+ah)/2;
//     e^r by its Taylor polynomial of degree 7 (|r| < 0.35, truncation
//     below 6·10⁻⁹);
//   - R(a) = t·Q(t), t = 1/(1 + a/2), Q a degree-10 polynomial in
//     s = (t − 0.5555556)·2.25 ∈ [−1, 1] (least squares, relative
//     error 2·10⁻⁸ before rounding; Q's constant term set so that R(0)
//     evaluates to exactly 1);
//   - w = a·Φ(−a) and dd = Φ(−a) − a·φ(a) (φ(a) = e^(−a²/2)/√(2π)) are
//     formed at 2⁰ and scaled by 2ⁿ last, in two exact-or-once-rounded
//     steps (2^⌊n/2⌋, then 2^⌈n/2⌉), so results that are subnormal are
//     rounded once;
//   - GELU(x) = −w for x < 0, x − w otherwise; GELU′(x) = dd for x < 0,
//     1 − dd otherwise.
//
// Each product that feeds a sum is wrapped in float32(·), so the compiler
// fuses nothing.
const (
	gMax   = 16
	gLog2e = 0x1.715476p+0
	gLn2a  = 0x1.62ep-1
	gLn2b  = 0x1.0bfbe8p-15
	gK     = 0x1.988454p-2 // 1/√(2π)
	gP     = 0.5
	gC     = 0x1.1c71c8p-1
	gH     = 2.25
	// Taylor coefficients 1/k! of e^r, k = 2…7.
	ge2 = 0x1p-1
	ge3 = 0x1.555556p-3
	ge4 = 0x1.555556p-5
	ge5 = 0x1.111112p-7
	ge6 = 0x1.6c16c2p-10
	ge7 = 0x1.a01a02p-13
	// Q(s) = gq0 + gq1·s + … + gq10·s¹⁰.
	gq0  = 0x1.6b484cp-1
	gq1  = 0x1.323db6p-2
	gq2  = 0x1.ae0b7ep-7
	gq3  = -0x1.a015cep-6
	gq4  = 0x1.d7fbf2p-10
	gq5  = 0x1.82eab8p-9
	gq6  = -0x1.2e7d26p-10
	gq7  = -0x1.f489c6p-14
	gq8  = 0x1.0da574p-12
	gq9  = -0x1.45ec0cp-15
	gq10 = -0x1.a477a2p-16
)

// geluCore returns w = a·Φ(−a) and dd = Φ(−a) − a·φ(a) for a = min(|x|,
// 16), exactly as vm_gelu_core.
func geluCore(x float32) (w, dd float32) {
	a := math.Float32frombits(math.Float32bits(x) & 0x7fffffff)
	if a > gMax {
		a = gMax
	}
	ah := math.Float32frombits(math.Float32bits(a) & 0xfffff000)
	al := a - ah
	hh := float32(ah*ah) * 0.5
	lo := float32(al*float32(a+ah)) * 0.5
	y := -(hh + lo)
	t := float32(y*gLog2e) + fround
	fn := t - fround
	n := math.Float32bits(t) - math.Float32bits(fround)
	r := -hh - float32(fn*gLn2a)
	r = r - float32(fn*gLn2b)
	r = r - lo
	p := float32(ge7)
	p = float32(p*r) + ge6
	p = float32(p*r) + ge5
	p = float32(p*r) + ge4
	p = float32(p*r) + ge3
	p = float32(p*r) + ge2
	p = float32(p*r) + 1
	p = float32(p*r) + 1
	tt := 1 / (1 + float32(gP*a))
	s := float32(tt-gC) * gH
	q := float32(gq10)
	q = float32(q*s) + gq9
	q = float32(q*s) + gq8
	q = float32(q*s) + gq7
	q = float32(q*s) + gq6
	q = float32(q*s) + gq5
	q = float32(q*s) + gq4
	q = float32(q*s) + gq3
	q = float32(q*s) + gq2
	q = float32(q*s) + gq1
	q = float32(q*s) + gq0
	rx := tt * q
	n1 := uint32(int32(n) >> 1)
	n2 := n - n1
	s1 := math.Float32frombits((n1 + 127) << 23)
	s2 := math.Float32frombits((n2 + 127) << 23)
	u := float32(0.5*p) * rx
	w = float32(float32(a*u)*s1) * s2
	v := a * float32(gK*p)
	dd = float32(float32(u-v)*s1) * s2
	return w, dd
}

func geluGo(y, x []float32) {
	x = x[:len(y)]
	for i, v := range x {
		w, _ := geluCore(v)
		if v < 0 {
			y[i] = -w
		} else {
			y[i] = v - w
		}
	}
}

func geluGradGo(d, x, g []float32) {
	x = x[:len(d)]
	for i, v := range x {
		_, dd := geluCore(v)
		if !(v < 0) {
			dd = 1 - dd
		}
		if g != nil {
			dd = g[i] * dd
		}
		d[i] = dd
	}
}
