//go:build purego

package taylor

const (
	levelGo = iota
	levelGeneric
	levelAVX2
)

var level = levelGo

func levelName(int) string { return "Go" }

func forwardRange(_ int, k *kernel, p0, p1 int, out, _, scratch []float64) {
	forwardGo(k, p0, p1, out, scratch)
}

func backwardRange(_ int, k *kernel, p0, p1 int, g, gparams, gs0, _, scratch []float64) {
	backwardGo(k, p0, p1, g, gparams, gs0, scratch)
}
