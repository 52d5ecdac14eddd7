package vmath

import "fmt"

// Backend names the kernels in use: "C, AVX2+FMA", "C, generic" or "Go".
func Backend() string { return levelName(level) }

func check(name string, dst []float32, src ...[]float32) {
	for _, s := range src {
		if s != nil && len(s) < len(dst) {
			panic(fmt.Sprintf("vmath.%s: input of length %d for output of length %d", name, len(s), len(dst)))
		}
	}
}

// Sin sets dst[i] = sin x[i] for i < len(dst).
func Sin(dst, x []float32) {
	check("Sin", dst, x)
	sinq(dst, x, nil, 1, 1, 0)
}

// Cos sets dst[i] = cos x[i] for i < len(dst).
func Cos(dst, x []float32) {
	check("Cos", dst, x)
	sinq(dst, x, nil, 1, 1, 1)
}

// SinQ sets dst[i] = a·g[i]·sin(y + q·π/2), y = float32(w)·x[i] rounded
// to float32 (as Scale would), for i < len(dst), where g == nil stands for
// ones; q is taken modulo 4, so q = 1 gives cos, q = 2 −sin and q = 3
// −cos. The product a·g[i]·sin(…) is formed in float64 and rounded once.
//
// This one kernel is an activation sin(ω·z) (g = nil, a = 1, q = 0), its
// derivative ω·g·cos(ω·z) (a = ω, q = 1), and every higher derivative.
func SinQ(dst, x, g []float32, w float32, a float64, q int) {
	check("SinQ", dst, x, g)
	sinq(dst, x, g, w, a, q&3)
}

// SinCos sets s[i] = sin y and c[i] = cos y with y = float32(w)·x[i]
// rounded to float32, for i < len(s): bitwise the results of
// SinQ(s, x, nil, w, 1, 0) and SinQ(c, x, nil, w, 1, 1) at little more
// than the cost of one (the reduction and both polynomials are shared).
func SinCos(s, c, x []float32, w float32) {
	check("SinCos", s, c, x)
	sincos(s, c, x, w)
}

// MulColSum sets dst[i] = a·g[i]·c[i] (formed in float64, rounded once)
// for i < len(dst), where dst, g and c are row-major blocks with cols
// columns, and when acc is not nil adds each row of dst to acc[:cols] in
// float64, row after row. With c = cos(ω·z) from SinCos and a = ω it is
// the gradient of sin(ω·z) and, summed, the gradient of a bias.
func MulColSum(dst, g, c []float32, cols int, a float64, acc []float64) {
	check("MulColSum", dst, g, c)
	if cols <= 0 || len(dst)%cols != 0 || (acc != nil && len(acc) < cols) {
		panic(fmt.Sprintf("vmath.MulColSum: %d elements in rows of %d, accumulator of %d", len(dst), cols, len(acc)))
	}
	mulColSum(dst, g, c, cols, a, acc)
}

// ColSum adds each row of the row-major block x (cols columns) to
// acc[:cols] in float64, row after row.
func ColSum(acc []float64, x []float32, cols int) {
	if cols <= 0 || len(x)%cols != 0 || len(acc) < cols {
		panic(fmt.Sprintf("vmath.ColSum: %d elements in rows of %d, accumulator of %d", len(x), cols, len(acc)))
	}
	colSum(acc, x, cols)
}

// Exp sets dst[i] = e^x[i] for i < len(dst).
func Exp(dst, x []float32) {
	check("Exp", dst, x)
	unary(unaryExp, dst, x)
}

// Sigmoid sets dst[i] = 1/(1 + e^−x[i]) for i < len(dst).
func Sigmoid(dst, x []float32) {
	check("Sigmoid", dst, x)
	unary(unarySigmoid, dst, x)
}

// Tanh sets dst[i] = tanh x[i] for i < len(dst).
func Tanh(dst, x []float32) {
	check("Tanh", dst, x)
	unary(unaryTanh, dst, x)
}

// GELU sets y[i] = x[i]·Φ(x[i]) for i < len(y), Φ the standard normal
// distribution function (the exact, erf-based GELU). It is evaluated in
// float32 (8 lanes with AVX2; see geluCore in ref.go): Φ(−|x|) as
// e^(−x²/2)·erfcx(|x|/√2)/2 with an exact split of x² and a degree-10
// polynomial for erfcx. The error is at most 6 ulp (5.86 measured over
// every float32, TestExhaustiveGELU; within 1 ulp for x ≥ 0); inputs below
// −16 give −0 (the true value underflows), NaN gives NaN.
func GELU(y, x []float32) {
	check("GELU", y, x)
	unary(unaryGELU, y, x)
}

// GELUGrad sets d[i] = g[i]·GELU′(x[i]) = g[i]·(Φ(x[i]) + x[i]·φ(x[i]))
// for i < len(d), with g == nil standing for ones; the product with g is
// a float32 product. GELU′ is evaluated with GELU (in float32) to an
// absolute error below 2·10⁻⁷ (1.87·10⁻⁷ measured over every float32,
// TestExhaustiveGELU) before the product.
func GELUGrad(d, x, g []float32) {
	check("GELUGrad", d, x, g)
	geluGrad(d, x, g)
}

// GELUAndGrad sets y[i] = GELU(x[i]) and d[i] = GELU′(x[i]) for
// i < len(y), bitwise as GELU and GELUGrad with g = nil, in one pass (the
// distribution function and density are shared).
func GELUAndGrad(y, d, x []float32) {
	check("GELUAndGrad", y, d, x)
	gelu2(y, d, x)
}

// Add sets d[i] = x[i] + y[i] for i < len(d); d may be x or y.
func Add(d, x, y []float32) {
	check("Add", d, x, y)
	elementwise(opAdd, d, x, y, 0)
}

// AddScalar sets d[i] = x[i] + s for i < len(d); d may be x.
func AddScalar(d, x []float32, s float32) {
	check("AddScalar", d, x)
	elementwise(opAddScalar, d, x, nil, s)
}

// Sub sets d[i] = x[i] − y[i] for i < len(d); d may be x or y.
func Sub(d, x, y []float32) {
	check("Sub", d, x, y)
	elementwise(opSub, d, x, y, 0)
}

// Neg sets d[i] = −x[i] (the sign bit flipped, NaN too) for i < len(d);
// d may be x.
func Neg(d, x []float32) {
	check("Neg", d, x)
	elementwise(opNeg, d, x, nil, 0)
}

// Mul sets d[i] = x[i]·y[i] for i < len(d); d may be x or y.
func Mul(d, x, y []float32) {
	check("Mul", d, x, y)
	elementwise(opMul, d, x, y, 0)
}

// MulScalar sets d[i] = x[i]·s for i < len(d); d may be x.
func MulScalar(d, x []float32, s float32) {
	check("MulScalar", d, x)
	elementwise(opMulScalar, d, x, nil, s)
}

// Sum returns the sum of x in float64, in a fixed order whatever the
// kernel: sixteen partial sums s[l] over the x[i] with i ≡ l (mod 16) of
// the whole blocks of sixteen, folded s[l] += s[l + w] for w = 8, 4, 2, 1,
// then the remaining elements added in order. (Sixteen independent chains
// vectorise, where one chain runs at an addition's latency.)
func Sum(x []float32) float64 { return sum(x) }

// rowsSpan panics unless rows rows of n elements, the first at offset 0,
// then every stride, the elements step apart, lie in a slice of length l.
func rowsSpan(name string, l, rows, n, stride, step int) {
	if rows < 0 || n < 0 || step < 1 || stride < 0 {
		panic(fmt.Sprintf("vmath.%s: %d rows of %d, stride %d, step %d", name, rows, n, stride, step))
	}
	if rows > 0 && n > 0 && (rows-1)*stride+(n-1)*step >= l {
		panic(fmt.Sprintf("vmath.%s: %d rows of %d (stride %d, step %d) past a slice of %d", name, rows, n, stride, step, l))
	}
}

// GatherRows sets d[r·ds + j] = s[r·ss + j·step] for r < rows and j < n:
// a strided block copied into a contiguous one (the phase planes of a
// strided convolution).
func GatherRows(d, s []float32, rows, n, ds, ss, step int) {
	rowsSpan("GatherRows", len(d), rows, n, ds, 1)
	rowsSpan("GatherRows", len(s), rows, n, ss, step)
	if rows > 0 && n > 0 {
		strided(false, d, s, rows, n, ds, ss, step)
	}
}

// ScatterAddRows adds s[r·ss + j] to d[r·ds + j·step] for r < rows and
// j < n, the adjoint of GatherRows. The positions written must not overlap.
func ScatterAddRows(d, s []float32, rows, n, ds, ss, step int) {
	rowsSpan("ScatterAddRows", len(d), rows, n, ds, step)
	rowsSpan("ScatterAddRows", len(s), rows, n, ss, 1)
	if rows > 0 && n > 0 {
		strided(true, d, s, rows, n, ds, ss, step)
	}
}
