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
func exp(dst, x []float32)                                  { expGo(dst, x) }
func sigmoid(dst, x []float32)                              { sigmoidGo(dst, x) }
func tanh(dst, x []float32)                                 { tanhGo(dst, x) }
