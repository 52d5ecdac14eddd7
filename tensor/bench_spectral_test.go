package tensor

import (
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/internal/blas"
)

// fnoBench is one Fourier layer of an FNO benchmark configuration.
type fnoBench struct {
	batch, width int
	modes, sizes []int
}

var (
	// FNO-1D (Burgers): batch 20, width 64, 16 modes, s = 1024.
	fno1D = fnoBench{20, 64, []int{16}, []int{1024}}
	// FNO-2D (Darcy at 85×85, 85 = 5·17): batch 20, width 32, 12×12 modes.
	fno2D = fnoBench{20, 32, []int{12, 12}, []int{85, 85}}
)

// gelu is the exact GELU, x·Φ(x), from differentiable operations.
func gelu(x *Tensor) *Tensor {
	return Mul(Scale(x, 0.5), AddScalar(Erf(Scale(x, 1/math.Sqrt2)), 1))
}

// layerStep returns one forward+backward step of a float32 Fourier layer
// gelu(SpectralConv(x) + W·x + b) (or, with specOnly, of SpectralConv
// alone; with composed, of the unfused composition), computed in an arena
// that is reset after the step. The input requires gradients as inside a
// network; the gradients of the parameters and the input accumulate in
// place in preallocated heap tensors.
func layerStep(c fnoBench, specOnly, composed bool) func() {
	r := rng(1)
	B, C := c.batch, c.width
	x0 := RandN(r, Float32, append([]int{B, C}, c.sizes...)...)
	w := RandN(r, Complex64, append([]int{C, C}, keptShape(c.modes)...)...)
	scaleInPlace(w.Complex64s(), complex(float32(1/float64(C)), 0))
	wl := RandU(r, Float32, -1/math.Sqrt(float64(C)), 1/math.Sqrt(float64(C)), C, C)
	bias := Zeros(Float32, append([]int{C}, ones(len(c.sizes))...)...)
	params := []*Tensor{x0, w, wl, bias}
	for _, p := range params {
		p.SetRequiresGrad(true)
		p.SetGrad(Zeros(p.dtype, p.shape...))
	}
	ar := NewArena()
	return func() {
		for _, p := range params {
			p.ZeroGrad()
		}
		x := x0.In(ar)
		var spec *Tensor
		if composed {
			spec = spectralConvComposed(x, w, c.modes, c.sizes)
		} else {
			spec = SpectralConv(x, w, c.modes, c.sizes)
		}
		y := spec
		if !specOnly {
			lin := Reshape(MatMul(wl, Reshape(x, B, C, -1)), spec.shape...)
			y = gelu(Add(Add(spec, lin), bias))
		}
		Sum(y).Backward()
		ar.Reset()
	}
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

func benchLayer(b *testing.B, c fnoBench, specOnly, composed bool) {
	step := layerStep(c, specOnly, composed)
	step() // plan the transforms, fill the arena
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		step()
	}
}

// BenchmarkFNO1DLayer: forward+backward of one FNO-1D Fourier layer.
func BenchmarkFNO1DLayer(b *testing.B) { benchLayer(b, fno1D, false, false) }

// BenchmarkFNO1DSpectralConv: forward+backward of its SpectralConv alone.
func BenchmarkFNO1DSpectralConv(b *testing.B) { benchLayer(b, fno1D, true, false) }

// BenchmarkFNO1DSpectralConvComposed: the same through the unfused
// composition RFFT → TruncateModes → SpectralMix → PadModes → IRFFT.
func BenchmarkFNO1DSpectralConvComposed(b *testing.B) { benchLayer(b, fno1D, true, true) }

// BenchmarkFNO2DLayer: forward+backward of one FNO-2D Fourier layer.
func BenchmarkFNO2DLayer(b *testing.B) { benchLayer(b, fno2D, false, false) }

// BenchmarkFNO2DSpectralConv: forward+backward of its SpectralConv alone.
func BenchmarkFNO2DSpectralConv(b *testing.B) { benchLayer(b, fno2D, true, false) }

// BenchmarkFNO2DSpectralConvComposed: the unfused composition.
func BenchmarkFNO2DSpectralConvComposed(b *testing.B) { benchLayer(b, fno2D, true, true) }

// TestSpectralConvStepAllocs checks that a steady-state forward+backward
// SpectralConv step in an arena allocates no tensor storage: the heap
// bytes allocated per step (graph nodes, shapes, index tables, closures,
// BLAS bookkeeping) stay below the smallest storage buffer of the step
// (the kept modes, B·Ci·M complex numbers).
func TestSpectralConvStepAllocs(t *testing.T) {
	if strings.Contains(blas.Backend().Library, "gonum") {
		t.Skip("the pure-Go BLAS allocates per product; nothing to learn about the arena")
	}
	forEngines(t, func(engine string) {
		c := fnoBench{32, 8, []int{8, 6}, []int{48, 40}}
		step := layerStep(c, true, false)
		allocs := testing.AllocsPerRun(3, step)
		// Without collections (which empty the pools internal/fft keeps
		// its scratch in) from the warm-up on; warm up until every P's
		// pool holds scratch.
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		for range 10 {
			step()
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		const steps = 4
		for range steps {
			step()
		}
		runtime.ReadMemStats(&m1)
		perStep := float64(m1.TotalAlloc-m0.TotalAlloc) / steps
		smallest := float64(8 * c.batch * c.width * numel(keptShape(c.modes)))
		t.Logf("%s: %.0f allocations, %.0f bytes per step (smallest buffer %.0f bytes)", engine, allocs, perStep, smallest)
		// With the FFT engine, internal/fft's pooled staging buffers are
		// sometimes regrown inside the window (not ours): only logged.
		if engine != "FFT" && perStep > smallest/2 {
			t.Errorf("%s: %.0f bytes allocated per step, want < %.0f (storage must come from the arena)", engine, perStep, smallest/2)
		}
	})
}
