package inr

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/tensor"
)

// waveletNet is the complex-wavelet INR prescription of Roddenberry et al.
// (2024): the signal is split into a low-pass network and a band-pass
// network whose outputs add. Both are WIRE networks of half the width; the
// low-pass one uses ω0 = 0 and s0/10, so its atoms are wide Gaussians
// exp(−(s0 z/10)²) (a scaling function), the band-pass one complex Gabor atoms
// exp(iω0z − s0²z²). PlaceAtoms moves the band-pass first-layer atoms onto
// the target's singularities (edges).
type waveletNet struct {
	low, band *wire
}

// halfWire is the config of one branch: half the width, frequency omega,
// and for the low-pass branch (omega = 0) atoms ten times wider (s0/10).
func halfWire(c Config, omega float64) Config {
	c.Hidden = max(c.Hidden/2, 1)
	c.Omega0 = omega
	if omega == 0 {
		c.Scale /= 10
	}
	return c
}

func newWavelet(c Config, r *rand.Rand) *waveletNet {
	return &waveletNet{low: newWire(halfWire(c, 0), r), band: newWire(halfWire(c, c.Omega0), r)}
}

// Forward returns low(x) + band(x).
func (m *waveletNet) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.Add(m.low.Forward(x), m.band.Forward(x))
}

// Visit declares low and band.
func (m *waveletNet) Visit(v *nn.Visitor) {
	v.Module("low", m.low)
	v.Module("band", m.band)
}

// PlaceAtoms initialises the first-layer atoms of a "wavelet" model at the
// singularities of target: atom o, z_o = w_o·x + b_o, is centred on a grid
// point t_o drawn with probability proportional to |∇target| (channel 0)
// by setting b_o = −w_o·t_o, so that its ridge passes through an edge.
// Draws use seed. Other models are left unchanged (it returns false).
func PlaceAtoms(m Model, target Field, seed uint64) (bool, error) {
	w, ok := m.(*waveletNet)
	if !ok {
		return false, nil
	}
	if err := target.Check(); err != nil {
		return false, err
	}
	d := len(target.Shape)
	if w.band.first.In != d {
		return false, fmt.Errorf("inr: PlaceAtoms: model input %d, field has %d axes", w.band.first.In, d)
	}
	g := target.Gradient()
	cum := make([]float64, target.Points())
	var s float64
	for p := range cum {
		var q float64
		for a := range d {
			q += g.Data[p*d+a] * g.Data[p*d+a]
		}
		s += math.Sqrt(q)
		cum[p] = s
	}
	if !(s > 0) {
		return true, nil // a constant field has no singularities
	}
	coords := target.Coords(w.band.first.Weight.DType()).ToFloat64s()
	r := nn.NewRand(seed)
	wt := w.band.first.Weight.ToFloat64s()
	b := w.band.first.Bias.ToFloat64s()
	for o := range b {
		u := r.Float64() * s
		lo, hi := 0, len(cum)-1
		for lo < hi {
			mid := (lo + hi) / 2
			if cum[mid] < u {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		var z float64
		for a := range d {
			z += wt[o*d+a] * coords[lo*d+a]
		}
		b[o] = -z
	}
	w.band.first.Bias.CopyFrom(tensor.FromFloat64s(w.band.first.Bias.DType(), b, len(b)))
	return true, nil
}
