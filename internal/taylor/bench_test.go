package taylor

import "testing"

// The Burgers PINN's network and streams: 8×20 tanh, 10,000 points, u, u_x,
// u_t, u_xx.
func benchSetup() (Net, Streams, []float64, int) {
	w := []int{2, 20, 20, 20, 20, 20, 20, 20, 20, 1}
	st := Streams{First: 2, Pairs: [][2]int{{0, 0}}}
	n := 10000
	s0, _ := inputStreams(st, []int{0, 1}, n, 2, 1)
	return testNet(Tanh, w, 1), st, s0, n
}

func BenchmarkForward(b *testing.B) {
	net, st, s0, n := benchSetup()
	out := make([]float64, st.K()*n)
	saved := make([]float64, SavedLen(net, n))
	for b.Loop() {
		Forward(net, st, s0, n, out, saved)
	}
}

func BenchmarkBackward(b *testing.B) {
	net, st, s0, n := benchSetup()
	g := make([]float64, st.K()*n)
	for i := range g {
		g[i] = 1e-3
	}
	gp := make([]float64, len(net.Params))
	saved := make([]float64, SavedLen(net, n))
	Forward(net, st, s0, n, make([]float64, st.K()*n), saved)
	for b.Loop() {
		Backward(net, st, s0, n, g, gp, nil, saved)
	}
}
