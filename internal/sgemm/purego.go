//go:build purego

package sgemm

const available = false

func gemm(m, n, k int, a []float32, lda int, trans bool, bp, c []float32, ldc int, mode int, bias []float32, pf [3][]float32) {
	panic("sgemm: not available in the purego build")
}

func pack(dst, b []float32, k, n, ldb int, trans bool) {
	panic("sgemm: not available in the purego build")
}

func conv(x []float32, taps []int, wpk []float32, co int, y []float32, ldy, n int) {
	panic("sgemm: not available in the purego build")
}

func convWeight(x []float32, taps []int, wp int, gy []float32, ldg, co, rows, wo int, dw []float32, ldw int) {
	panic("sgemm: not available in the purego build")
}

var use512 = false

func segSums(m, h, vt []float32, s *Segments, lo, hi int, hx, vx []float32) {
	panic("sgemm: not available in the purego build")
}

func segGrads(dh, dve, g, h, vt []float32, s *Segments, lo, hi int, hx, vx, rh, rv, pk []float32) {
	panic("sgemm: not available in the purego build")
}
