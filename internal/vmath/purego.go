//go:build purego

package vmath

const (
	levelGo = iota
	levelGeneric
	levelAVX2
)

var level = levelGo

func bestLevel() int { return levelGo }

func levelName(int) string { return "Go" }

func sinq(dst, x, g []float32, w float32, a float64, q int) { sinqGo(dst, x, g, w, a, q) }

func sincos(s, c, x []float32, w float32) { sincosGo(s, c, x, w) }

func mulColSum(dst, g, c []float32, cols int, a float64, acc []float64) {
	mulColSumGo(dst, g, c, cols, a, acc)
}

func colSum(acc []float64, x []float32, cols int) { colSumGo(acc, x, cols) }

func geluGrad(d, x, g []float32) { geluGradGo(d, x, g) }

func gelu2(y, d, x []float32) {
	geluGo(y, x)
	geluGradGo(d, x, nil)
}

func sum(x []float32) float64 { return sumGo(x) }

func elementwise(op int, d, x, y []float32, s float32) { elementwiseGo(op, d, x, y, s) }
func unary(op int, d, x []float32)                     { unaryGo(op, d, x) }
func strided(scatter bool, d, s []float32, rows, n, ds, ss, step int) {
	stridedGo(scatter, d, s, rows, n, ds, ss, step)
}
