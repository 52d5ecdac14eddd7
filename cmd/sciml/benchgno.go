package main

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// gnoScalingPoint is one measurement of `sciml bench gno`.
type gnoScalingPoint struct {
	series string // "neighbours" (radius shrinking with N) or "radius" (fixed radius)
	n      int
	radius float64
	edges  int
	graph  float64 // ms to build the radius graph (cell lists)
	fwd    [3]float64
	fwdBwd [3]float64 // wall median, wall min, CPU min (ms)
}

// gnoScaling times a GNO (width 16, κ hidden 32, 4 iterations, batch 1,
// float32) on n uniform random points of the unit square: the radius-graph
// construction, a forward pass, and a forward + backward pass (the graph
// prebuilt; fewer timed runs for slow steps), for each n, (a) at the radius giving about k neighbours a
// point, r = √(k/(πn)), and (b) at the fixed radius r0 (neighbours growing
// with n), the latter up to n ≤ maxFixed.
func gnoScaling(ns []int, k, r0 float64, maxFixed, runs int) ([]gnoScalingPoint, int, error) {
	cfg := operator.GNOConfig{Common: operator.Common{Dim: 2, In: 1, Out: 1}, Stack: operator.Stack{Width: 16, Layers: 4, Projection: 32},
		KernelHidden: []int{32}, Radius: 1}
	m, err := operator.NewGNO(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return nil, 0, err
	}
	var out []gnoScalingPoint
	for _, n := range ns {
		r := rand.New(rand.NewPCG(3, uint64(n)))
		pts := make([]float64, 2*n)
		for i := range pts {
			pts[i] = r.Float64()
		}
		a := tensor.RandN(r, tensor.Float32, 1, 1, n)
		for _, s := range []struct {
			name string
			r    float64
		}{{"neighbours", math.Sqrt(k / (math.Pi * float64(n)))}, {"radius", r0}} {
			if s.name == "radius" && n > maxFixed {
				continue
			}
			var g *operator.Graph
			gMed, _, _ := timeSteps(1, func() { g = operator.RadiusGraph(pts, 2, s.r) })
			p := gnoScalingPoint{series: s.name, n: n, radius: s.r, edges: len(g.Src), graph: gMed}
			ar := tensor.NewArena()
			ar.SetGrad(false)
			med, mn, cpu := timeCPU(runs, func() {
				m.ForwardGraph(pts, g, a.In(ar))
				ar.Reset()
			})
			p.fwd = [3]float64{med, mn, cpu}
			ar = tensor.NewArena()
			med, mn, cpu = timeCPU(runs, func() {
				nn.ZeroGrad(m)
				y := m.ForwardGraph(pts, g, a.In(ar))
				tensor.Mean(tensor.Mul(y, y)).Backward()
				ar.Reset()
			})
			p.fwdBwd = [3]float64{med, mn, cpu}
			out = append(out, p)
		}
	}
	return out, nn.CountParams(m), nil
}

// timeCPU times step like timeSteps — runs timed calls after 2 warm-up
// ones, fewer for a step of over 0.2 s (about 3 s of timing, at least 3)
// — and returns the median and minimum wall time and the minimum CPU time
// of the process (user + system, all threads), in ms. Under load from
// other processes the CPU time is the steadier measure of the work.
func timeCPU(runs int, step func()) (median, minimum, cpu float64) {
	t := time.Now()
	step()
	if d := time.Since(t).Seconds(); d > 0.2 {
		runs = min(runs, max(3, int(3/d)))
	}
	step()
	walls := make([]float64, runs)
	cpu = math.Inf(1)
	for i := range walls {
		c0 := cpuMs()
		t := time.Now()
		step()
		walls[i] = float64(time.Since(t).Nanoseconds()) / 1e6
		cpu = min(cpu, cpuMs()-c0)
	}
	slices.Sort(walls)
	return walls[len(walls)/2], walls[0], cpu
}

// cpuMs returns the CPU time (user + system) of the process in ms.
func cpuMs() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

// plotGNOScaling writes the log–log plot of the times per point against n.
func plotGNOScaling(pts []gnoScalingPoint, path string) error {
	p := plot.New()
	p.Title.Text = "GNO cost against the number of points (CPU time, best of the runs)"
	p.X.Label.Text = "points N"
	p.Y.Label.Text = "CPU time, all threads (ms)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	colors := []color.Color{color.RGBA{31, 119, 180, 255}, color.RGBA{214, 39, 40, 255}, color.RGBA{44, 160, 44, 255}, color.RGBA{148, 103, 189, 255}, color.RGBA{127, 127, 127, 255}}
	ci := 0
	for _, series := range []string{"neighbours", "radius"} {
		for _, what := range []string{"forward", "forward + backward", "graph"} {
			if what == "graph" && series == "radius" {
				continue
			}
			var xy plotter.XYs
			for _, q := range pts {
				if q.series != series {
					continue
				}
				v := q.fwd[2]
				switch what {
				case "forward + backward":
					v = q.fwdBwd[2]
				case "graph":
					v = q.graph
				}
				xy = append(xy, plotter.XY{X: float64(q.n), Y: math.Max(v, 1e-3)})
			}
			if len(xy) == 0 {
				continue
			}
			l, s, err := plotter.NewLinePoints(xy)
			if err != nil {
				return err
			}
			l.Color, s.Color = colors[ci%len(colors)], colors[ci%len(colors)]
			if series == "radius" {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			ci++
			p.Add(l, s)
			label := what + ", ≈ const. neighbours"
			if series == "radius" {
				label = what + ", fixed radius"
			}
			if what == "graph" {
				label = "radius graph (cell lists)"
			}
			p.Legend.Add(label, l, s)
		}
	}
	return p.Save(7*vg.Inch, 5*vg.Inch, path)
}

func init() {
	registerBench("gno", "GNO forward and forward+backward against the number of random points in the unit square, at a radius keeping about k neighbours a point and at a fixed radius; --set ns=500,1000,…, k=16, r=0.05, max_fixed=8000, plot=file.png", func(o benchOptions) ([]benchResult, error) {
		ns := []int{500, 1000, 2000, 4000, 8000, 16000}
		if v, ok := o.args["ns"]; ok {
			ns = nil
			for _, f := range strings.Split(v, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || n < 1 {
					return nil, fmt.Errorf("--set ns=%s: want positive integers", v)
				}
				ns = append(ns, n)
			}
		}
		k, r0, maxFixed := 16.0, 0.05, 8000.0
		for key, p := range map[string]*float64{"k": &k, "r": &r0, "max_fixed": &maxFixed} {
			if v, ok := o.args[key]; ok {
				if _, err := fmt.Sscan(v, p); err != nil || !(*p > 0) {
					return nil, fmt.Errorf("--set %s=%s: want a positive number", key, v)
				}
			}
		}
		pts, params, err := gnoScaling(ns, k, r0, int(maxFixed), o.runs)
		if err != nil {
			return nil, err
		}
		if path := o.args["plot"]; path != "" {
			if err := plotGNOScaling(pts, path); err != nil {
				return nil, err
			}
		}
		var out []benchResult
		for _, q := range pts {
			cfg := fmt.Sprintf("%s N=%d r=%.4g edges=%d (%.1f a point) graph=%.1fms", q.series, q.n, q.radius, q.edges, float64(q.edges)/float64(q.n), q.graph)
			fmt.Fprintf(os.Stderr, "%s: CPU forward %.1f ms, forward+backward %.1f ms\n", cfg, q.fwd[2], q.fwdBwd[2])
			out = append(out,
				benchResult{Name: "gno-forward", Config: cfg, Params: int64(params), DType: "float32", Threads: o.threads, StepMsMedian: q.fwd[0], StepMsMin: q.fwd[1]},
				benchResult{Name: "gno-forward-backward", Config: cfg, Params: int64(params), DType: "float32", Threads: o.threads, StepMsMedian: q.fwdBwd[0], StepMsMin: q.fwdBwd[1]})
		}
		return out, nil
	})
}
