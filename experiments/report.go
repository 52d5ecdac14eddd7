package experiments

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// writeReport writes report.md and plots/*.png.
func writeReport(res *Result, p *pipeline, opts Options) error {
	cfg := res.Config
	plots := filepath.Join(res.Dir, PlotsDir)
	if err := os.MkdirAll(plots, 0o755); err != nil {
		return err
	}
	var figs []string
	var errs []string
	add := func(name, caption string, err error) {
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", name, err))
			return
		}
		figs = append(figs, fmt.Sprintf("![%s](%s/%s)\n\n*%s*\n", caption, PlotsDir, name, caption))
	}
	add("loss.png", "Training loss and test relative L2 error per epoch", plotLoss(res.Train.History, filepath.Join(plots, "loss.png")))
	if n := sameResolutionCount(res.Eval); n > 1 {
		add("resolution.png", "Test error against the evaluation resolution (trained at "+label(p.trainRes, p.trainRes, p.dim)+")",
			plotResolution(res.Eval, p.trainRes, filepath.Join(plots, "resolution.png")))
	}
	k := cfg.Eval.PlotSamples
	if k == 0 {
		k = 3
	}
	caption, err := plotSamples(p, k, filepath.Join(plots, "samples.png"))
	add("samples.png", caption, err)

	var b bytes.Buffer
	title := cfg.Name
	if cfg.Profile != "" {
		title += " (" + cfg.Profile + " profile)"
	}
	fmt.Fprintf(&b, "# %s\n\n", title)
	if cfg.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", strings.TrimSpace(cfg.Description))
	}
	tc := cfg.Train.WithDefaults()
	spec := cfg.Data.Generate.GenerateSpec
	dataDesc := res.DataPath
	if cfg.Data.Path == "" {
		dataDesc = fmt.Sprintf("%s: %d %s samples generated at %d points per axis (seed %d, cache key %s)",
			res.DataPath, spec.N, spec.PDE, spec.Resolution, spec.Seed, spec.CacheKey())
	}
	last := res.Train.Final()
	rows := [][2]string{
		{"model", fmt.Sprintf("%s, %d parameters", cfg.Model.Type, res.Params)},
		{"data", dataDesc},
		{"training", fmt.Sprintf("%d samples at %s, %d epochs, batch %d, %s lr %g (weight decay %g), %s schedule, %s loss (%s over the batch)",
			cfg.Data.NTrain, label(p.trainRes, p.trainRes, p.dim), tc.Epochs, tc.BatchSize, tc.Optimizer.Name, tc.Optimizer.LR,
			*tc.Optimizer.WeightDecay, tc.Schedule.Name, tc.Loss.Name, tc.Loss.Reduction)},
		{"test", fmt.Sprintf("%d samples never seen in training", p.testEnd-p.testStart)},
		{"final training loss", fmt.Sprintf("%.5f (epoch %d, %d steps)", last.TrainLoss, last.Epoch, last.Step)},
		{"machine", fmt.Sprintf("%s; %s", threadsNote(), blas.Backend())},
		{"date", time.Now().UTC().Format("2006-01-02 15:04 UTC")},
	}
	if opts.Command != "" {
		rows = append(rows, [2]string{"command", "`" + opts.Command + "`"})
	}
	b.WriteString("| | |\n|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s |\n", r[0], strings.ReplaceAll(r[1], "|", "\\|"))
	}
	b.WriteString("\n## Test error\n\n")
	if err := operator.WriteTable(&b, res.Eval, min(p.dim, 2)); err != nil {
		return err
	}
	b.WriteString("\nRelative L2: the mean over test samples of ‖ŷ − y‖₂/‖y‖₂ over the grid. ")
	b.WriteString("A row \"a → b\" gives the model inputs at a and compares its output, asked at b, with the data at b (zero-shot super-resolution).\n")
	if e := res.Expect; e != nil {
		verdict := "**met**"
		if !e.Met {
			verdict = "**not met**"
		}
		fmt.Fprintf(&b, "\nExpected relative L2 ≤ %.4g at %s: %.5f, %s.\n", e.Want, label(e.Resolution, e.Resolution, p.dim), e.Got, verdict)
	}
	b.WriteString("\n## Timings\n\n| phase | seconds |\n|---|---:|\n")
	perEpoch := 0.0
	if n := len(res.Train.History); n > 0 {
		for _, h := range res.Train.History {
			perEpoch += h.Seconds
		}
		perEpoch /= float64(n)
	}
	fmt.Fprintf(&b, "| data (generation or cache) | %.1f |\n", res.Timing.Data)
	fmt.Fprintf(&b, "| training (this session) | %.1f |\n", res.Timing.Train)
	fmt.Fprintf(&b, "| per epoch (mean, with its evaluation) | %.2f |\n", perEpoch)
	fmt.Fprintf(&b, "| evaluation | %.1f |\n", res.Timing.Eval)
	fmt.Fprintf(&b, "| total | %.1f |\n", res.Timing.Total)
	if len(figs) > 0 {
		b.WriteString("\n## Plots\n\n")
		b.WriteString(strings.Join(figs, "\n"))
	}
	if len(errs) > 0 {
		fmt.Fprintf(&b, "\nPlots not drawn: %s\n", strings.Join(errs, "; "))
	}
	y, err := cfg.YAML()
	if err != nil {
		return err
	}
	fmt.Fprintf(&b, "\n## Config\n\nThe resolved config (also in %s):\n\n```yaml\n%s```\n", ConfigFile, y)
	res.Report = filepath.Join(res.Dir, ReportFile)
	return atomicfile.WriteFile(res.Report, b.Bytes())
}

func sameResolutionCount(rs []operator.ResolutionResult) int {
	n := 0
	for _, r := range rs {
		if r.InputResolution == r.Resolution && r.Via == 0 {
			n++
		}
	}
	return n
}

var seriesColors = []color.Color{
	color.RGBA{31, 119, 180, 255}, color.RGBA{255, 127, 14, 255}, color.RGBA{44, 160, 44, 255},
	color.RGBA{214, 39, 40, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{140, 86, 75, 255},
}

// plotLoss draws the training loss and the test errors per epoch on a
// logarithmic axis.
func plotLoss(hist []operator.EpochRecord, path string) error {
	if len(hist) == 0 {
		return fmt.Errorf("no epochs")
	}
	p := plot.New()
	p.Title.Text = "Training"
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "relative error"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	series := map[string]plotter.XYs{}
	var names []string
	for _, h := range hist {
		if positive(h.TrainLoss) {
			series["train loss"] = append(series["train loss"], plotter.XY{X: float64(h.Epoch), Y: h.TrainLoss})
		}
		keys := make([]string, 0, len(h.Test))
		for k := range h.Test {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			name := "test " + k
			if positive(h.Test[k].RelL2) {
				series[name] = append(series[name], plotter.XY{X: float64(h.Epoch), Y: h.Test[k].RelL2})
			}
			if positive(h.Test[k].H1) {
				series[name+" (H1)"] = append(series[name+" (H1)"], plotter.XY{X: float64(h.Epoch), Y: h.Test[k].H1})
			}
		}
	}
	for k := range series {
		names = append(names, k)
	}
	sort.Strings(names)
	for i, n := range names {
		l, err := plotter.NewLine(series[n])
		if err != nil {
			return err
		}
		l.Color = seriesColors[i%len(seriesColors)]
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(n, l)
	}
	p.Add(plotter.NewGrid())
	return savePlot(p, 16*vg.Centimeter, 10*vg.Centimeter, path)
}

func positive(v float64) bool { return v > 0 && !math.IsInf(v, 0) }

// plotResolution draws the test errors against the resolution.
func plotResolution(rs []operator.ResolutionResult, trainRes int, path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Discretization invariance (trained at %d)", trainRes)
	p.X.Label.Text = "resolution (points per axis)"
	p.Y.Label.Text = "relative error"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = resolutionTicks{rs}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	var l2, h1, viaL2, viaH1 plotter.XYs
	averaged := false
	for _, r := range rs {
		if r.InputResolution != r.Resolution {
			continue
		}
		pl2, ph1 := &l2, &h1
		if r.Via != 0 { // the model on its training grid, resampled
			pl2, ph1 = &viaL2, &viaH1
			averaged = averaged || r.Averaged
		}
		if positive(r.RelL2) {
			*pl2 = append(*pl2, plotter.XY{X: float64(r.Resolution), Y: r.RelL2})
		}
		if positive(r.H1) {
			*ph1 = append(*ph1, plotter.XY{X: float64(r.Resolution), Y: r.H1})
		}
	}
	via := fmt.Sprintf(" via %d", trainRes)
	if averaged {
		via += ", averaged"
	}
	for i, s := range []struct {
		name string
		xy   plotter.XYs
	}{{"relative L2", l2}, {"relative H1", h1}, {"relative L2" + via, viaL2}, {"relative H1" + via, viaH1}} {
		if len(s.xy) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(s.xy)
		if err != nil {
			return err
		}
		l.Color, pts.Color = seriesColors[i], seriesColors[i]
		pts.Shape = draw.CircleGlyph{}
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	// Leave room around the points on the log axes.
	p.Y.Min, p.Y.Max = p.Y.Min/1.5, p.Y.Max*1.5
	p.X.Min, p.X.Max = p.X.Min/1.2, p.X.Max*1.2
	p.Add(plotter.NewGrid())
	return savePlot(p, 14*vg.Centimeter, 10*vg.Centimeter, path)
}

// resolutionTicks labels the evaluated resolutions.
type resolutionTicks struct{ rs []operator.ResolutionResult }

func (t resolutionTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	seen := map[int]bool{}
	for _, r := range t.rs {
		if !seen[r.Resolution] && float64(r.Resolution) >= lo && float64(r.Resolution) <= hi {
			seen[r.Resolution] = true
			out = append(out, plot.Tick{Value: float64(r.Resolution), Label: fmt.Sprint(r.Resolution)})
		}
	}
	return out
}

// plotSamples draws the prediction, the truth and the error of the first
// k test samples at the training resolution: line plots in 1-D, heat maps
// in 2-D (the last predicted snapshot for trajectories). It returns the
// figure's caption.
func plotSamples(p *pipeline, k int, path string) (string, error) {
	l, err := p.testLoader(p.trainRes, p.trainRes, 0)
	if err != nil {
		return "", err
	}
	var x, y *tensor.Tensor
	for b, err := range l.Batches(0) {
		if err != nil {
			return "", err
		}
		x, y = b.Input, b.Output
		break
	}
	if x == nil {
		return "", fmt.Errorf("no test samples")
	}
	k = min(k, x.Dim(0))
	pred := operator.Predict(p.model, tensor.Narrow(x, 0, 0, k), nil, p.inNorm, p.outNorm)
	y = tensor.Narrow(y, 0, 0, k)
	field := func(t *tensor.Tensor, i int) ([]float64, []int) {
		// The last channel of sample i, its last time slice for space-time.
		s := tensor.Narrow(tensor.Narrow(t, 0, i, 1), 1, t.Dim(1)-1, 1)
		shape := slices.Clone(s.Shape()[2:])
		if len(shape) == 3 {
			s = tensor.Narrow(s, 4, shape[2]-1, 1)
			shape = shape[:2]
		}
		return s.ToFloat64s(), shape
	}
	where := fmt.Sprintf("at %s", label(p.trainRes, p.trainRes, p.dim))
	switch p.cfg.Data.Task.Kind {
	case "rollout":
		where += ", last predicted snapshot"
	case "space_time":
		where += ", last time of the predicted space-time field"
	}
	if _, shape := field(y, 0); len(shape) == 1 {
		return fmt.Sprintf("Test samples %s: truth, prediction and error", where), plotSamples1D(pred, y, k, field, path)
	}
	return fmt.Sprintf("Test samples %s: truth, prediction and error (rows: samples)", where), plotSamples2D(pred, y, k, field, path)
}

func plotSamples1D(pred, y *tensor.Tensor, k int, field func(*tensor.Tensor, int) ([]float64, []int), path string) error {
	rows := make([][]*plot.Plot, k)
	for i := range k {
		yt, shape := field(y, i)
		yp, _ := field(pred, i)
		n := shape[0]
		truth, prd, errs := make(plotter.XYs, n), make(plotter.XYs, n), make(plotter.XYs, n)
		for j := range n {
			x := float64(j) / float64(n)
			truth[j] = plotter.XY{X: x, Y: yt[j]}
			prd[j] = plotter.XY{X: x, Y: yp[j]}
			errs[j] = plotter.XY{X: x, Y: yp[j] - yt[j]}
		}
		a := plot.New()
		a.Title.Text = fmt.Sprintf("sample %d", i+1)
		a.X.Label.Text = "x"
		lt, _ := plotter.NewLine(truth)
		lt.Color, lt.Width = seriesColors[0], vg.Points(2)
		lp, _ := plotter.NewLine(prd)
		lp.Color, lp.Dashes = seriesColors[3], []vg.Length{vg.Points(4), vg.Points(2)}
		a.Add(lt, lp)
		a.Legend.Add("truth", lt)
		a.Legend.Add("prediction", lp)
		a.Legend.Top = true
		e := plot.New()
		e.Title.Text = fmt.Sprintf("error (relative L2 %.4f)", relErr(yp, yt))
		e.X.Label.Text = "x"
		le, _ := plotter.NewLine(errs)
		le.Color = seriesColors[2]
		e.Add(le, plotter.NewGrid())
		rows[i] = []*plot.Plot{a, e}
	}
	return saveTiles(rows, 24*vg.Centimeter, vg.Length(k)*7*vg.Centimeter, path)
}

func relErr(p, t []float64) float64 {
	var num, den float64
	for i := range p {
		num += (p[i] - t[i]) * (p[i] - t[i])
		den += t[i] * t[i]
	}
	return math.Sqrt(num / den)
}

// gridZ is a 2-D field for a heat map: row-major [n0, n1], axis 0 up.
type gridZ struct {
	v      []float64
	n0, n1 int
}

func (g gridZ) Dims() (c, r int)   { return g.n1, g.n0 }
func (g gridZ) Z(c, r int) float64 { return g.v[r*g.n1+c] }
func (g gridZ) X(c int) float64    { return float64(c) }
func (g gridZ) Y(r int) float64    { return float64(r) }

func plotSamples2D(pred, y *tensor.Tensor, k int, field func(*tensor.Tensor, int) ([]float64, []int), path string) error {
	rows := make([][]*plot.Plot, k)
	for i := range k {
		yt, shape := field(y, i)
		yp, _ := field(pred, i)
		e := make([]float64, len(yt))
		for j := range e {
			e[j] = yp[j] - yt[j]
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range yt {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		emax := 0.0
		for _, v := range e {
			emax = math.Max(emax, math.Abs(v))
		}
		mk := func(title string, v []float64, diverging bool, lo, hi float64) *plot.Plot {
			return heatMapPlot(title, v, shape[0], shape[1], diverging, lo, hi)
		}
		rows[i] = []*plot.Plot{
			mk(fmt.Sprintf("truth %d  [%.3g, %.3g]", i+1, lo, hi), yt, false, lo, hi),
			mk("prediction", yp, false, lo, hi),
			mk(fmt.Sprintf("error  ±%.2g (rel. L2 %.4f)", emax, relErr(yp, yt)), e, true, -emax, emax),
		}
	}
	return saveTiles(rows, 27*vg.Centimeter, vg.Length(k)*9*vg.Centimeter, path)
}

// saveTiles draws plots in a grid and writes a PNG.
func saveTiles(rows [][]*plot.Plot, w, h vg.Length, path string) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	t := draw.Tiles{Rows: len(rows), Cols: len(rows[0]), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(rows, t, dc)
	for i := range rows {
		for j := range rows[i] {
			rows[i][j].Draw(canvases[i][j])
		}
	}
	return atomicfile.WriteFrom(path, vgimg.PngCanvas{Canvas: img})
}

// heatMapPlot draws v (n0 × n1, row-major) as a heat map titled title on
// [lo, hi]: black-body colours, or blue–red for a diverging quantity (an
// error). Values beyond the range take the end colours.
func heatMapPlot(title string, v []float64, n0, n1 int, diverging bool, lo, hi float64) *plot.Plot {
	pl := plot.New()
	pl.Title.Text = title
	var pal palette.ColorMap = moreland.ExtendedBlackBody()
	if diverging {
		pal = moreland.SmoothBlueRed()
	}
	pal.SetMin(0)
	pal.SetMax(1)
	colors := pal.Palette(255)
	hm := plotter.NewHeatMap(gridZ{v, n0, n1}, colors)
	if hi <= lo {
		hi = lo + 1e-12
	}
	hm.Min, hm.Max = lo, hi
	c := colors.Colors()
	hm.Underflow, hm.Overflow = c[0], c[len(c)-1]
	hm.Rasterized = true
	pl.Add(hm)
	pl.HideAxes()
	return pl
}

// savePlot writes p (w × h) to path atomically, in the format of path's
// extension (png, svg, pdf …).
func savePlot(p *plot.Plot, w, h vg.Length, path string) error {
	wt, err := p.WriterTo(w, h, strings.ToLower(strings.TrimPrefix(filepath.Ext(path), ".")))
	if err != nil {
		return err
	}
	return atomicfile.WriteFrom(path, wt)
}
