package inr

import (
	"context"
	"math"
	"math/cmplx"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sciml-go/sciml/internal/sgemm"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.10g, want %.10g (tol %g)", what, got, want, tol)
	}
}

func TestPSNRAndRelL2(t *testing.T) {
	// MSE = 1/4 with R = 1: 10·log10(4) dB.
	near(t, "PSNR", PSNR([]float64{0, 0, 0, 0}, []float64{0, 0, 0, 1}, 1), 10*math.Log10(4), 1e-12)
	// R = 2 adds 20·log10(2).
	near(t, "PSNR R=2", PSNR([]float64{0, 0, 0, 0}, []float64{0, 0, 0, 1}, 2), 10*math.Log10(16), 1e-12)
	near(t, "RelL2", RelL2([]float64{1, 2}, []float64{1, 1}), 1/math.Sqrt2, 1e-15)
	if !math.IsInf(PSNR([]float64{1, 2}, []float64{1, 2}, 1), 1) {
		t.Error("PSNR of identical signals is not +Inf")
	}
}

// ssimDirect is SSIM by the definition: a 2-D Gaussian window at every
// valid position, no separable filtering.
func ssimDirect(x, y []float64, h, w int, r float64) float64 {
	var g [11][11]float64
	var s float64
	for i := range 11 {
		for j := range 11 {
			di, dj := float64(i-5), float64(j-5)
			g[i][j] = math.Exp(-(di*di + dj*dj) / (2 * 1.5 * 1.5))
			s += g[i][j]
		}
	}
	c1, c2 := (0.01*r)*(0.01*r), (0.03*r)*(0.03*r)
	var tot float64
	for i := 0; i+11 <= h; i++ {
		for j := 0; j+11 <= w; j++ {
			var mx, my, xx, yy, xy float64
			for a := range 11 {
				for b := range 11 {
					wt := g[a][b] / s
					u, v := x[(i+a)*w+j+b], y[(i+a)*w+j+b]
					mx += wt * u
					my += wt * v
					xx += wt * u * u
					yy += wt * v * v
					xy += wt * u * v
				}
			}
			tot += (2*mx*my + c1) * (2*(xy-mx*my) + c2) / ((mx*mx + my*my + c1) * (xx - mx*mx + yy - my*my + c2))
		}
	}
	return tot / float64((h-10)*(w-10))
}

func TestSSIMHandValues(t *testing.T) {
	// Two constant 11×11 images a, b: one window, σ = 0:
	// SSIM = (2ab + C1)/(a² + b² + C1), C1 = 1e-4 for R = 1.
	x, y := make([]float64, 121), make([]float64, 121)
	for i := range x {
		x[i], y[i] = 0.2, 0.6
	}
	near(t, "SSIM constants", SSIM(x, y, 11, 11, 1, 1), (0.24+1e-4)/(0.40+1e-4), 1e-12)
	// A unit impulse at the window centre against zeros: μx = w_c,
	// σx² = w_c − w_c², μy = σy = σxy = 0, so
	// SSIM = C1·C2/((w_c² + C1)(w_c − w_c² + C2)), w_c = 1/(Σ_k e^{−k²/4.5})².
	var s float64
	for k := -5; k <= 5; k++ {
		s += math.Exp(-float64(k*k) / 4.5)
	}
	wc := 1 / (s * s)
	for i := range x {
		x[i], y[i] = 0, 0
	}
	x[60] = 1
	c1, c2 := 1e-4, 9e-4
	near(t, "SSIM impulse", SSIM(x, y, 11, 11, 1, 1), c1*c2/((wc*wc+c1)*(wc-wc*wc+c2)), 1e-12)
	near(t, "SSIM identical", SSIM(x, x, 11, 11, 1, 1), 1, 1e-12)
	if !math.IsNaN(SSIM(x[:100], y[:100], 10, 10, 1, 1)) {
		t.Error("SSIM of a 10×10 image is not NaN")
	}
}

func TestSSIMMatchesDirect(t *testing.T) {
	h, w := 17, 14
	a, b := TestImage(32).Data[:h*w], make([]float64, h*w)
	for i := range b {
		b[i] = a[i] + 0.1*math.Sin(float64(i))
	}
	near(t, "SSIM", SSIM(b, a, h, w, 1, 1), ssimDirect(b, a, h, w, 1), 1e-12)
	near(t, "SSIM R=2", SSIM(b, a, h, w, 1, 2), ssimDirect(b, a, h, w, 2), 1e-12)
	// Two channels: the mean of the per-channel values.
	ab, bb := make([]float64, 2*h*w), make([]float64, 2*h*w)
	for i := range a {
		ab[2*i], ab[2*i+1] = a[i], b[i]
		bb[2*i], bb[2*i+1] = b[i], b[i]
	}
	near(t, "SSIM 2 channels", SSIM(bb, ab, h, w, 2, 1), (ssimDirect(b, a, h, w, 1)+1)/2, 1e-12)
}

func TestGridCoords(t *testing.T) {
	x := GridCoords(tensor.Float64, 2, 3).Float64s()
	want := []float64{-1, -1, -1, 0, -1, 1, 1, -1, 1, 0, 1, 1}
	for i := range want {
		near(t, "coord", x[i], want[i], 0)
	}
}

func TestFieldDerivatives(t *testing.T) {
	// f = x² + 2y² + xy: central differences and the 3-point Laplacian are
	// exact for quadratics: ∇f = (2x + y, 4y + x), Δf = 6.
	n := 9
	f := Field{Shape: []int{n, n}, Channels: 1, Data: make([]float64, n*n)}
	c := GridCoords(tensor.Float64, n, n).Float64s()
	for p := range n * n {
		x, y := c[2*p], c[2*p+1]
		f.Data[p] = x*x + 2*y*y + x*y
	}
	g, l := f.Gradient(), f.Laplacian()
	for i := 1; i < n-1; i++ {
		for j := 1; j < n-1; j++ {
			p := i*n + j
			x, y := c[2*p], c[2*p+1]
			near(t, "f_x", g.Data[2*p], 2*x+y, 1e-12)
			near(t, "f_y", g.Data[2*p+1], 4*y+x, 1e-12)
		}
	}
	for p := range n * n {
		near(t, "Δf", l.Data[p], 6, 1e-9)
	}
}

func TestTestImage(t *testing.T) {
	a, b := TestImage(64), TestImage(64)
	if err := a.Check(); err != nil {
		t.Fatal(err)
	}
	lo, hi := 1.0, 0.0
	for i, v := range a.Data {
		if v != b.Data[i] {
			t.Fatal("TestImage is not deterministic")
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo < 0 || hi > 1 || hi-lo < 0.8 {
		t.Errorf("TestImage range [%v, %v]", lo, hi)
	}
}

func TestModelsBuildAndCount(t *testing.T) {
	for _, name := range Names() {
		for _, d := range []int{1, 2, 3} {
			cfg := Config{Model: name, InDim: d, OutDim: 2, Hidden: 12, Layers: 2, Frequencies: 4, Seed: 3}
			m, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := nn.CountParams(m), countParams(cfg.withDefaults()); got != want {
				t.Errorf("%s d=%d: %d parameters, countParams says %d", name, d, got, want)
			}
			x := tensor.RandU(nn.NewRand(1), tensor.Float32, -1, 1, 7, d)
			if s := m.Forward(x).Shape(); s[0] != 7 || s[1] != 2 {
				t.Errorf("%s d=%d: output shape %v", name, d, s)
			}
		}
	}
	if _, err := New(Config{Model: "nope"}); err == nil {
		t.Error("unknown model accepted")
	}
}

func TestSirenInit(t *testing.T) {
	m, err := New(Config{Model: "siren", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := nn.CountParams(m); n != 198401 {
		t.Errorf("SIREN 3×256: %d parameters, want 198401", n)
	}
	mm := m.(*mlp)
	bounds := []float64{1.0 / 2, math.Sqrt(6.0/256) / 30, math.Sqrt(6.0/256) / 30, math.Sqrt(6.0/256) / 30, math.Sqrt(6.0/256) / 30}
	for i, l := range mm.lins {
		var mx float64
		for _, v := range l.Weight.ToFloat64s() {
			mx = max(mx, math.Abs(v))
		}
		// the largest of n uniform draws is within a few percent of the bound
		if mx > bounds[i] || mx < 0.95*bounds[i] {
			t.Errorf("layer %d: max |W| = %v, bound %v", i, mx, bounds[i])
		}
	}
}

func TestWithBudget(t *testing.T) {
	for _, name := range Names() {
		cfg, err := WithBudget(Config{Model: name, Frequencies: 8}, 20000)
		if err != nil {
			t.Fatal(err)
		}
		n := countParams(cfg.withDefaults())
		c2 := cfg
		c2.Hidden++
		if name == "sl2a" {
			c2.Rank = max(c2.Hidden/4, 1)
		}
		if n > 20000 || countParams(c2.withDefaults()) <= 20000 {
			t.Errorf("%s: width %d has %d parameters (budget 20000)", name, cfg.Hidden, n)
		}
	}
}

// TestWireMatchesComplexMath runs WIRE in float64 against the same network
// written with complex128 arithmetic.
func TestWireMatchesComplexMath(t *testing.T) {
	cfg := Config{Model: "wire", InDim: 2, OutDim: 1, Hidden: 3, Layers: 1, Omega0: 2, Scale: 1.5, Seed: 5, DType: tensor.Float64}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := m.(*wire)
	x := []float64{0.3, -0.7}
	psi := func(z complex128) complex128 {
		return cmplx.Exp(complex(0, cfg.Omega0)*z - complex(cfg.Scale*cfg.Scale*real(z*cmplx.Conj(z)), 0))
	}
	h := make([]complex128, 3)
	fw, fb := w.first.Weight.Float64s(), w.first.Bias.Float64s()
	for o := range 3 {
		h[o] = psi(complex(fw[o*2]*x[0]+fw[o*2+1]*x[1]+fb[o], 0))
	}
	cl := func(l *complexLinear, in []complex128, out int) []complex128 {
		wr, wi, br, bi := l.re.Weight.Float64s(), l.im.Weight.Float64s(), l.re.Bias.Float64s(), l.im.Bias.Float64s()
		z := make([]complex128, out)
		for o := range out {
			z[o] = complex(br[o], bi[o])
			for i, v := range in {
				z[o] += complex(wr[o*len(in)+i], wi[o*len(in)+i]) * v
			}
		}
		return z
	}
	z := cl(w.hidden[0], h, 3)
	for i := range z {
		z[i] = psi(z[i])
	}
	want := real(cl(w.last, z, 1)[0])
	got := m.Forward(tensor.FromFloat64s(tensor.Float64, x, 1, 2)).Item()
	near(t, "WIRE output", got, want, 1e-13)
}

// TestDerivativesMatchFiniteDifferences checks the autodiff gradient and
// Laplacian of a float64 SIREN against central differences of Render, on
// a grid of more points than one chunk of Derivatives (at every 97th
// point and on both sides of the chunk boundary).
func TestDerivativesMatchFiniteDifferences(t *testing.T) {
	m, _ := New(Config{Model: "siren", Hidden: 16, Layers: 1, Omega0: 5, Seed: 2, DType: tensor.Float64})
	const nx, ny = 5, 1000
	g, l := Derivatives(m, nx, ny)
	if nx*ny <= derivChunk || len(g.Data) != 2*nx*ny || len(l.Data) != nx*ny {
		t.Fatalf("%d points (chunk %d): %d gradient values, %d Laplacian values", nx*ny, derivChunk, len(g.Data), len(l.Data))
	}
	eval := func(x, y float64) float64 {
		return m.Forward(tensor.FromFloat64s(tensor.Float64, []float64{x, y}, 1, 2)).Item()
	}
	c := GridCoords(tensor.Float64, nx, ny).Float64s()
	const h = 1e-4
	for p := range nx * ny {
		if p%97 != 0 && p != derivChunk-1 && p != derivChunk && p != nx*ny-1 {
			continue
		}
		x, y := c[2*p], c[2*p+1]
		fx := (eval(x+h, y) - eval(x-h, y)) / (2 * h)
		fy := (eval(x, y+h) - eval(x, y-h)) / (2 * h)
		f0 := eval(x, y)
		lap := (eval(x+h, y) + eval(x-h, y) + eval(x, y+h) + eval(x, y-h) - 4*f0) / (h * h)
		near(t, "∂x", g.Data[2*p], fx, 1e-6)
		near(t, "∂y", g.Data[2*p+1], fy, 1e-6)
		near(t, "Δ", l.Data[p], lap, 1e-3*max(1, math.Abs(lap)))
	}
}

func TestFitSirenImage(t *testing.T) {
	target := TestImage(32)
	cfg := Config{Model: "siren", Hidden: 32, Layers: 2, Seed: 1}
	m, _ := New(cfg)
	var first StepStats
	last, err := Fit(context.Background(), m, target, FitConfig{Steps: 300, LR: 1e-3, LogEvery: 300, DataRange: 1}, func(s StepStats) {
		if s.Step == 1 {
			first = s
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SIREN 32²: step 1 PSNR %.2f dB, step %d PSNR %.2f dB SSIM %.3f relL2 %.4f", first.PSNR, last.Step, last.PSNR, last.SSIM, last.RelL2)
	if last.PSNR < 45 || last.SSIM < 0.99 {
		t.Errorf("SIREN fit of the 32² test image: PSNR %.2f dB, SSIM %.3f; want ≥ 45 dB, ≥ 0.99", last.PSNR, last.SSIM)
	}
	// Render at the training grid reproduces the last metrics' field closely;
	// Save/Load keeps the model bit for bit.
	r := Render(m, 1, 32, 32)
	near(t, "render PSNR", PSNR(r.Data, target.Data, 1), last.PSNR, 1.0)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Save(path, m, cfg, last.Step); err != nil {
		t.Fatal(err)
	}
	m2, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r2 := Render(m2, 1, 64, 48)
	r1 := Render(m, 1, 64, 48)
	for i := range r1.Data {
		if r1.Data[i] != r2.Data[i] {
			t.Fatal("loaded model renders differently")
		}
	}
}

func TestFitAllModels(t *testing.T) {
	// A smooth 1-D signal: every model must fit it well in a few hundred steps.
	n := 64
	f := Field{Shape: []int{n}, Channels: 1, Data: make([]float64, n)}
	for i := range n {
		x := axisCoord(i, n)
		f.Data[i] = 0.5 + 0.3*math.Sin(3*x) + 0.1*math.Cos(7*x)
	}
	for _, name := range Names() {
		m, _ := New(Config{Model: name, InDim: 1, Hidden: 24, Layers: 2, Frequencies: 6, Seed: 1})
		last, err := Fit(context.Background(), m, f, FitConfig{Steps: 400, LR: 1e-3, LogEvery: 400, DataRange: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-8s PSNR %.2f dB relL2 %.4f", name, last.PSNR, last.RelL2)
		if last.PSNR < 30 {
			t.Errorf("%s: PSNR %.2f dB on a smooth 1-D signal, want ≥ 30", name, last.PSNR)
		}
	}
}

func TestPoissonFromGradient(t *testing.T) {
	target := TestImage(24)
	m, _ := New(Config{Model: "siren", Hidden: 32, Layers: 2, Seed: 1})
	last, err := FitDerivative(context.Background(), m, target, FromGradient, FitConfig{Steps: 300, LR: 1e-3, LogEvery: 300, DataRange: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Poisson (gradient) 24²: PSNR %.2f dB", last.PSNR)
	if last.PSNR < 25 {
		t.Errorf("reconstruction from the gradient: PSNR %.2f dB, want ≥ 25", last.PSNR)
	}
}

func TestPoissonFromLaplacian(t *testing.T) {
	// A smooth bump: the Laplacian fixes it up to a harmonic function, which
	// the fit starts near zero and Adam leaves small.
	n := 16
	f := Field{Shape: []int{n, n}, Channels: 1, Data: make([]float64, n*n)}
	c := GridCoords(tensor.Float64, n, n).Float64s()
	for p := range n * n {
		x, y := c[2*p], c[2*p+1]
		f.Data[p] = math.Exp(-4 * (x*x + y*y))
	}
	m, _ := New(Config{Model: "siren", Hidden: 24, Layers: 2, Omega0: 10, Seed: 1})
	var first StepStats
	last, err := FitDerivative(context.Background(), m, f, FromLaplacian, FitConfig{Steps: 200, LR: 1e-3, LogEvery: 200, DataRange: 1}, func(s StepStats) {
		if s.Step == 1 {
			first = s
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Poisson (Laplacian) 16²: loss %.3g → %.3g, PSNR %.2f → %.2f dB", first.Loss, last.Loss, first.PSNR, last.PSNR)
	if last.Loss > first.Loss/100 || last.PSNR < 25 {
		t.Errorf("Laplacian fit: loss %.3g → %.3g, PSNR %.2f → %.2f dB", first.Loss, last.Loss, first.PSNR, last.PSNR)
	}
}

func TestPlaceAtoms(t *testing.T) {
	// A vertical step edge between columns 7 and 8 of a 16×16 image: every
	// band-pass atom's ridge w·x + b = 0 must pass through a point of the
	// edge (a grid point with nonzero finite-difference gradient).
	n := 16
	f := Field{Shape: []int{n, n}, Channels: 1, Data: make([]float64, n*n)}
	for i := range n {
		for j := n / 2; j < n; j++ {
			f.Data[i*n+j] = 1
		}
	}
	m, _ := New(Config{Model: "wavelet", Hidden: 20, Layers: 1, Seed: 4, DType: tensor.Float64})
	ok, err := PlaceAtoms(m, f, 9)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	w := m.(*waveletNet).band.first
	wt, b := w.Weight.Float64s(), w.Bias.Float64s()
	g := f.Gradient()
	c := f.Coords(tensor.Float64).Float64s()
	for o := range b {
		best := math.Inf(1)
		for p := range n * n {
			if g.Data[2*p] == 0 && g.Data[2*p+1] == 0 {
				continue
			}
			best = min(best, math.Abs(wt[2*o]*c[2*p]+wt[2*o+1]*c[2*p+1]+b[o]))
		}
		if best > 1e-12 {
			t.Errorf("atom %d: ridge misses the edge by %g", o, best)
		}
	}
	if ok, _ := PlaceAtoms(newSmall(t, "siren"), f, 1); ok {
		t.Error("PlaceAtoms changed a siren")
	}
}

func newSmall(t *testing.T, name string) Model {
	m, err := New(Config{Model: name, Hidden: 8, Layers: 1})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMSEFusedSiren: a SIREN's loss goes through the fused forward and
// backward pass (tensor.SineMLPMSE) with the composition's loss and
// gradients; other models keep the composition.
func TestMSEFusedSiren(t *testing.T) {
	x := GridCoords(tensor.Float32, 96, 96) // 9,216 points: enough for the fused path
	y := tensor.Sin(tensor.Scale(tensor.Narrow(x, 1, 0, 1), 3)).Clone()
	for _, model := range []string{"siren", "finer"} {
		m, err := New(Config{Model: model, Hidden: 32, Layers: 2, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		params := nn.TrainableParams(m)
		grads := func(l *tensor.Tensor) (float64, [][]float64) {
			for _, p := range params {
				p.ZeroGrad()
			}
			l.Backward()
			var gs [][]float64
			for _, p := range params {
				gs = append(gs, p.Grad().ToFloat64s())
			}
			return l.Item(), gs
		}
		l := MSE(m, x, y)
		if fused := l.Op() == "SineMLPMSE"; fused != (model == "siren" && sgemm.Available()) {
			t.Fatalf("%s: loss recorded as %q", model, l.Op())
		}
		lf, gf := grads(l)
		lc, gc := grads(tensor.Mean(tensor.Square(tensor.Sub(m.Forward(x), y))))
		if math.Abs(lf-lc) > 1e-5*lc {
			t.Errorf("%s: loss %v, composition %v", model, lf, lc)
		}
		for i := range gc {
			var d, n float64
			for j := range gc[i] {
				d += (gf[i][j] - gc[i][j]) * (gf[i][j] - gc[i][j])
				n += gc[i][j] * gc[i][j]
			}
			if math.Sqrt(d/n) > 1e-4 {
				t.Errorf("%s: gradient %d differs from the composition's by %.3g (relative)", model, i, math.Sqrt(d/n))
			}
		}
	}
}

// TestFitResume stops fits at a report and resumes them from their state
// file: the parameters at the end equal those of the uninterrupted fit bit
// for bit, the reports continue where they stopped, and a state file of
// another fit is refused.
func TestFitResume(t *testing.T) {
	target := TestImage(16)
	for _, name := range []string{"siren", "wire", "fkan"} {
		cfg := Config{Model: name, Hidden: 16, Layers: 2, Seed: 3}
		fc := FitConfig{Steps: 24, LR: 1e-3, LogEvery: 4, DataRange: 1}
		whole, _ := New(cfg)
		want, err := Fit(context.Background(), whole, target, fc, nil)
		if err != nil {
			t.Fatal(err)
		}

		fc.StatePath, fc.StateKey = filepath.Join(t.TempDir(), "fit.state"), name
		m, _ := New(cfg)
		ctx, cancel := context.WithCancel(context.Background())
		var at8 StepStats
		_, err = Fit(ctx, m, target, fc, func(s StepStats) {
			if s.Step == 8 {
				at8 = s
				cancel()
			}
		})
		if err != context.Canceled {
			t.Fatalf("%s: interrupted fit returned %v", name, err)
		}
		ck, err := nn.LoadCheckpoint(fc.StatePath)
		if err != nil {
			t.Fatal(err)
		}
		if ns, _ := strconv.ParseInt(ck.Meta["elapsed_ns"], 10, 64); ck.Step != 8 || ns < int64(at8.Elapsed) {
			t.Errorf("%s: state at step %d with %d ns spent, want step 8 and ≥ %d ns", name, ck.Step, ns, at8.Elapsed)
		}
		resumed, _ := New(cfg) // a fresh process: a freshly initialised model
		var steps []int
		got, err := Fit(context.Background(), resumed, target, fc, func(s StepStats) { steps = append(steps, s.Step) })
		if err != nil {
			t.Fatal(err)
		}
		if steps[0] != 12 || steps[len(steps)-1] != 24 {
			t.Errorf("%s: resumed fit reported steps %v, want 12 … 24", name, steps)
		}
		if got.Loss != want.Loss || got.PSNR != want.PSNR {
			t.Errorf("%s: resumed fit ends at loss %g PSNR %g, uninterrupted %g %g", name, got.Loss, got.PSNR, want.Loss, want.PSNR)
		}
		a, b := nn.StateDict(whole), nn.StateDict(resumed)
		for k, w := range a {
			if !slicesEqual(w.ToFloat64s(), b[k].ToFloat64s()) {
				t.Errorf("%s: parameter %s differs after resuming", name, k)
			}
		}
		if got.Elapsed <= at8.Elapsed {
			t.Errorf("%s: the resumed fit ends %v into the fit, before the interrupted one stopped (%v)", name, got.Elapsed, at8.Elapsed)
		}
		// Resumed once more, the fit has no step left: it reports its last
		// step and the time it took (the inr-fit runner's time column).
		var more []int
		done, err := Fit(context.Background(), resumed, target, fc, func(s StepStats) { more = append(more, s.Step) })
		if err != nil || len(more) != 0 || done.Step != 24 || done.Elapsed < got.Elapsed {
			t.Errorf("%s: a finished fit resumed: %v, reports %v, step %d after %v (want step 24, ≥ %v)", name, err, more, done.Step, done.Elapsed, got.Elapsed)
		}

		other := fc
		other.StateKey = "another model"
		if _, err := Fit(context.Background(), resumed, target, other, nil); err == nil {
			t.Errorf("%s: a state file of another fit was accepted", name)
		}
		other = fc
		other.LR = 2e-3
		if _, err := Fit(context.Background(), resumed, target, other, nil); err == nil {
			t.Errorf("%s: a state file with another learning rate was accepted", name)
		}
	}
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}
