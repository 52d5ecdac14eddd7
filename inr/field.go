package inr

import (
	"fmt"
	"image"
	"image/png"
	"math"
	"os"

	"github.com/sciml-go/sciml/tensor"
)

// Field is a signal sampled on a regular grid: Shape holds the 1–3 grid
// sizes, Channels the values per point, and Data the values row-major with
// the channel last (Data[(i·Shape[1]+j)·Channels+c] in 2-D). Grid point
// j of an axis of size n sits at the coordinate −1 + 2j/(n−1) (−1…1 at any
// resolution, as SIREN's get_mgrid).
type Field struct {
	Shape    []int
	Channels int
	Data     []float64
}

// Points returns the number of grid points.
func (f Field) Points() int {
	n := 1
	for _, s := range f.Shape {
		n *= s
	}
	return n
}

// Check reports a Field whose sizes do not match its data.
func (f Field) Check() error {
	if len(f.Shape) < 1 || len(f.Shape) > 3 || f.Channels < 1 {
		return fmt.Errorf("inr: field of shape %v with %d channels: want 1–3 axes and ≥ 1 channel", f.Shape, f.Channels)
	}
	for _, s := range f.Shape {
		if s < 2 {
			return fmt.Errorf("inr: field of shape %v: every axis needs ≥ 2 points", f.Shape)
		}
	}
	if len(f.Data) != f.Points()*f.Channels {
		return fmt.Errorf("inr: field of shape %v×%d holds %d values", f.Shape, f.Channels, len(f.Data))
	}
	return nil
}

// Range returns max − min over the data (1 when the field is constant).
func (f Field) Range() float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range f.Data {
		lo, hi = min(lo, v), max(hi, v)
	}
	if !(hi > lo) {
		return 1
	}
	return hi - lo
}

// Values returns the data as a tensor of shape [Points, Channels].
func (f Field) Values(d tensor.DType) *tensor.Tensor {
	return tensor.FromFloat64s(d, f.Data, f.Points(), f.Channels)
}

// Coords returns the field's grid coordinates (GridCoords of its shape).
func (f Field) Coords(d tensor.DType) *tensor.Tensor { return GridCoords(d, f.Shape...) }

// GridCoords returns the coordinates of the grid of the given sizes as a
// tensor [Π sizes, len(sizes)], row-major over the grid, each axis sampled
// at −1 + 2j/(n−1).
func GridCoords(d tensor.DType, sizes ...int) *tensor.Tensor {
	n := 1
	for _, s := range sizes {
		n *= s
	}
	nd := len(sizes)
	v := make([]float64, n*nd)
	idx := make([]int, nd)
	for p := range n {
		for a := range nd {
			v[p*nd+a] = axisCoord(idx[a], sizes[a])
		}
		for a := nd - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < sizes[a] {
				break
			}
			idx[a] = 0
		}
	}
	return tensor.FromFloat64s(d, v, n, nd)
}

func axisCoord(j, n int) float64 {
	if n == 1 {
		return 0
	}
	return -1 + 2*float64(j)/float64(n-1)
}

// SSIM returns the mean SSIM of pred against f over 2-D images (a 3-D
// field is averaged over its slices along axis 0; 1-D fields give NaN).
func (f Field) SSIM(pred []float64, dataRange float64) float64 {
	switch len(f.Shape) {
	case 2:
		return SSIM(pred, f.Data, f.Shape[0], f.Shape[1], f.Channels, dataRange)
	case 3:
		m := f.Shape[1] * f.Shape[2] * f.Channels
		var s float64
		for i := range f.Shape[0] {
			s += SSIM(pred[i*m:(i+1)*m], f.Data[i*m:(i+1)*m], f.Shape[1], f.Shape[2], f.Channels, dataRange)
		}
		return s / float64(f.Shape[0])
	}
	return math.NaN()
}

// Gradient returns the gradient of channel 0 of f in coordinate units by
// finite differences (second-order central inside, first-order one-sided
// at the ends): a field with len(Shape) channels.
func (f Field) Gradient() Field {
	nd := len(f.Shape)
	g := Field{Shape: f.Shape, Channels: nd, Data: make([]float64, f.Points()*nd)}
	strides := make([]int, nd)
	s := 1
	for a := nd - 1; a >= 0; a-- {
		strides[a] = s
		s *= f.Shape[a]
	}
	for p := range f.Points() {
		for a := range nd {
			n := f.Shape[a]
			h := 2 / float64(n-1)
			j := (p / strides[a]) % n
			at := func(k int) float64 { return f.Data[(p+(k-j)*strides[a])*f.Channels] }
			var d float64
			switch {
			case j == 0:
				d = (at(1) - at(0)) / h
			case j == n-1:
				d = (at(n-1) - at(n-2)) / h
			default:
				d = (at(j+1) - at(j-1)) / (2 * h)
			}
			g.Data[p*nd+a] = d
		}
	}
	return g
}

// Laplacian returns Σ_a ∂²f/∂x_a² of channel 0 by the three-point stencil
// (the ends copy their neighbour's value), in coordinate units.
func (f Field) Laplacian() Field {
	nd := len(f.Shape)
	l := Field{Shape: f.Shape, Channels: 1, Data: make([]float64, f.Points())}
	strides := make([]int, nd)
	s := 1
	for a := nd - 1; a >= 0; a-- {
		strides[a] = s
		s *= f.Shape[a]
	}
	for p := range f.Points() {
		var sum float64
		for a := range nd {
			n := f.Shape[a]
			h := 2 / float64(n-1)
			j := (p / strides[a]) % n
			c := min(max(j, 1), n-2)
			at := func(k int) float64 { return f.Data[(p+(k-j)*strides[a])*f.Channels] }
			if n >= 3 {
				sum += (at(c+1) - 2*at(c) + at(c-1)) / (h * h)
			}
		}
		l.Data[p] = sum
	}
	return l
}

// TestImage returns a deterministic n×n grey-scale test scene in [0, 1]
// made for INR fitting: a smooth shaded background, a Gaussian bump, a
// sharp-edged disc, a dark rectangle, a triangle with a slanted edge, and a
// chirp (sin 2π(8u + 30u²), local frequency 8–68 cycles per image width)
// that probes high frequencies below the Nyquist limit of a 256² grid.
// Each pixel averages 3×3 sub-samples (box anti-aliasing).
func TestImage(n int) Field {
	f := Field{Shape: []int{n, n}, Channels: 1, Data: make([]float64, n*n)}
	const ss = 3
	for i := range n {
		for j := range n {
			var s float64
			for a := range ss {
				for b := range ss {
					v := (float64(i) + (float64(a)+0.5)/ss) / float64(n) // row ∈ [0,1)
					u := (float64(j) + (float64(b)+0.5)/ss) / float64(n) // column
					s += scene(u, v)
				}
			}
			f.Data[i*n+j] = s / (ss * ss)
		}
	}
	return f
}

// scene is the continuous test image at (u, v) ∈ [0, 1)² (u across, v
// down).
func scene(u, v float64) float64 {
	val := 0.35 + 0.2*u + 0.1*math.Sin(2*math.Pi*v)
	val += 0.3 * math.Exp(-((u-0.25)*(u-0.25)+(v-0.75)*(v-0.75))/(2*0.08*0.08))
	if (u-0.3)*(u-0.3)+(v-0.3)*(v-0.3) < 0.18*0.18 {
		val = 0.9
	}
	if u > 0.58 && u < 0.9 && v > 0.1 && v < 0.38 {
		val = 0.08
	}
	// triangle with vertices (0.45,0.95), (0.6,0.5), (0.75,0.95)
	if v < 0.95 && v > 0.5+3*math.Abs(u-0.6) {
		val = 0.7 - 0.4*(v-0.5)
	}
	if u > 0.1 && u < 0.95 && v > 0.42 && v < 0.48 {
		val = 0.5 + 0.4*math.Sin(2*math.Pi*(8*u+30*u*u))
	}
	return min(max(val, 0), 1)
}

// LoadPNG reads a PNG image as a field in [0, 1]: one channel for grey
// images, three (RGB) otherwise; alpha is dropped.
func LoadPNG(path string) (Field, error) {
	fh, err := os.Open(path)
	if err != nil {
		return Field{}, fmt.Errorf("inr: %w", err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		return Field{}, fmt.Errorf("inr: decode %s: %w", path, err)
	}
	b := img.Bounds()
	h, w := b.Dy(), b.Dx()
	c := 3
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		c = 1
	}
	f := Field{Shape: []int{h, w}, Channels: c, Data: make([]float64, h*w*c)}
	for i := range h {
		for j := range w {
			r, g, bl, _ := img.At(b.Min.X+j, b.Min.Y+i).RGBA()
			p := (i*w + j) * c
			if c == 1 {
				f.Data[p] = float64(r) / 0xffff
				continue
			}
			f.Data[p], f.Data[p+1], f.Data[p+2] = float64(r)/0xffff, float64(g)/0xffff, float64(bl)/0xffff
		}
	}
	return f, f.Check()
}
