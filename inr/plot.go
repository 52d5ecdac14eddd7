package inr

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/sciml-go/sciml/internal/atomicfile"
)

// Panel is one image of a figure: channel Channel of a 1-D or 2-D field
// (a 3-D field shows its middle slice along axis 0). Grey selects a grey
// colour map (images); otherwise a diverging blue–red map (errors,
// derivatives, vorticity).
type Panel struct {
	Title   string
	Field   Field
	Channel int
	Grey    bool
}

// grid adapts a 2-D field channel to plotter.GridXYZ, row 0 at the top.
type grid struct {
	f     Field
	c, h  int
	w     int
	slice int
}

func (g grid) Dims() (c, r int)   { return g.w, g.h }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }
func (g grid) Z(c, r int) float64 { return g.f.Data[(g.slice+(g.h-1-r)*g.w+c)*g.f.Channels+g.c] }

type greys struct{ n int }

func (p greys) Colors() []color.Color {
	cs := make([]color.Color, p.n)
	for i := range cs {
		cs[i] = color.Gray{Y: uint8(255 * i / (p.n - 1))}
	}
	return cs
}

func panelPlot(p Panel) (*plot.Plot, error) {
	f := p.Field
	if err := f.Check(); err != nil {
		return nil, err
	}
	pl := plot.New()
	pl.Title.Text = p.Title
	if len(f.Shape) == 1 {
		pts := make(plotter.XYs, f.Shape[0])
		for i := range pts {
			pts[i].X, pts[i].Y = axisCoord(i, f.Shape[0]), f.Data[i*f.Channels+p.Channel]
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		pl.Add(l)
		return pl, nil
	}
	g := grid{f: f, c: p.Channel, h: f.Shape[len(f.Shape)-2], w: f.Shape[len(f.Shape)-1]}
	if len(f.Shape) == 3 {
		g.slice = f.Shape[0] / 2 * g.h * g.w
	}
	var pal palette.Palette = greys{256}
	if !p.Grey {
		pal = moreland.SmoothBlueRed().Palette(255)
	}
	hm := plotter.NewHeatMap(g, pal)
	hm.Rasterized = true
	if !p.Grey {
		// symmetric limits so that zero is white
		m := math.Max(math.Abs(hm.Min), math.Abs(hm.Max))
		if m == 0 {
			m = 1
		}
		hm.Min, hm.Max = -m, m
	}
	pl.Add(hm)
	pl.HideAxes()
	return pl, nil
}

// SavePNG draws the panels side by side (each size×size points) and writes
// them as a PNG file, atomically.
func SavePNG(path string, size vg.Length, panels ...Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("inr: SavePNG %s: no panels", path)
	}
	plots := make([][]*plot.Plot, 1)
	for _, p := range panels {
		pl, err := panelPlot(p)
		if err != nil {
			return fmt.Errorf("inr: SavePNG %s: panel %q: %w", path, p.Title, err)
		}
		plots[0] = append(plots[0], pl)
	}
	img := vgimg.New(size*vg.Length(len(panels)), size)
	dc := draw.New(img)
	t := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Millimeter}
	canvases := plot.Align(plots, t, dc)
	for j, pl := range plots[0] {
		pl.Draw(canvases[0][j])
	}
	if err := atomicfile.WriteFrom(path, vgimg.PngCanvas{Canvas: img}); err != nil {
		return fmt.Errorf("inr: write %s: %w", path, err)
	}
	return nil
}

// SaveFitFigure draws target, the fit of m on the target's grid, the error
// fit − target, |∇f| and Δf (channel 0, by autodiff) side by side into a
// PNG file. With shift the fit is first moved to the target's mean (a
// field reconstructed from its derivatives is known up to a constant).
func SaveFitFigure(path string, m Model, target Field, shift bool) error {
	if err := target.Check(); err != nil {
		return err
	}
	fit := Render(m, target.Channels, target.Shape...)
	if shift {
		var a, b float64
		for i := range fit.Data {
			a += fit.Data[i]
			b += target.Data[i]
		}
		for i := range fit.Data {
			fit.Data[i] += (b - a) / float64(len(fit.Data))
		}
	}
	errf := Field{Shape: target.Shape, Channels: target.Channels, Data: make([]float64, len(target.Data))}
	for i := range errf.Data {
		errf.Data[i] = fit.Data[i] - target.Data[i]
	}
	grad, lap := Derivatives(m, target.Shape...)
	mag := Field{Shape: target.Shape, Channels: 1, Data: make([]float64, target.Points())}
	nd := grad.Channels
	for p := range mag.Data {
		var s float64
		for a := range nd {
			s += grad.Data[p*nd+a] * grad.Data[p*nd+a]
		}
		mag.Data[p] = math.Sqrt(s)
	}
	grey := target.Channels == 1
	return SavePNG(path, 3*vg.Inch,
		Panel{Title: "target", Field: target, Grey: grey},
		Panel{Title: "fit", Field: fit, Grey: grey},
		Panel{Title: "error", Field: errf},
		Panel{Title: "|grad f|", Field: mag, Grey: true},
		Panel{Title: "Laplacian f", Field: lap})
}
