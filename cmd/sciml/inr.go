package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot/vg"

	"github.com/sciml-go/sciml/data"
	"github.com/sciml-go/sciml/inr"
	"github.com/sciml-go/sciml/nn"
)

// inrCmd groups the implicit-neural-representation commands.
func inrCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inr",
		Short: "Implicit neural representations: fit a field or an image, render it at any resolution",
	}
	cmd.AddCommand(inrFitCmd())
	return cmd
}

type inrFitFlags struct {
	png, image, data, field string
	sample                  int
	nsTime                  float64
	size                    int
	models                  string
	cfg                     inr.Config
	budget                  int
	fit                     inr.FitConfig
	from                    string
	out                     string
	render                  string
}

func inrFitCmd() *cobra.Command {
	var f inrFitFlags
	cmd := &cobra.Command{
		Use:   "fit",
		Short: "Fit an INR to a field (PNG image, procedural test image, Navier–Stokes snapshot or dataset sample)",
		Long: `Fit an implicit neural representation by full-batch Adam and report PSNR, SSIM and
relative L2 as it trains. The target is one of
  --png file.png                 an image (grey or RGB, values in [0, 1])
  --image test                   the procedural test scene (--size, default 256)
  --image ns                     a Navier–Stokes vorticity snapshot from our solver (--size, --ns-time)
  --data file.h5 --sample i --field input|output   a dataset sample (data.Open)
--model takes one name or a comma-separated list (or "all"); with --budget every model is
sized to that many parameters. --from gradient|laplacian fits from the field's derivatives
(the SIREN Poisson experiment). With --out DIR it writes, per model, the checkpoint
<model>.safetensors, the metrics <model>.jsonl and the figure <model>.png (target, fit,
error, |∇f| and Δf by autodiff), and with --render WxH a rendering <model>_render.png.
Models: ` + strings.Join(inr.Names(), ", "),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runInrFit(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.png, "png", "", "target PNG image")
	fl.StringVar(&f.image, "image", "", `built-in target: "test" (procedural scene) or "ns" (Navier–Stokes vorticity)`)
	fl.StringVar(&f.data, "data", "", "target dataset file (HDF5)")
	fl.IntVar(&f.sample, "sample", 0, "sample index in --data")
	fl.StringVar(&f.field, "field", "output", "field name in --data")
	fl.IntVar(&f.size, "size", 256, "grid size of --image targets")
	fl.Float64Var(&f.nsTime, "ns-time", 10, "final time of the --image ns snapshot")
	fl.StringVar(&f.models, "model", "siren", "model name(s), comma-separated, or all")
	fl.IntVar(&f.cfg.Hidden, "hidden", 0, "hidden width (default 256)")
	fl.IntVar(&f.cfg.Layers, "layers", 0, "hidden layers after the first (default 3)")
	fl.Float64Var(&f.cfg.Omega0, "omega0", 0, "ω0 of siren/finer (30) and wire (20)")
	fl.Float64Var(&f.cfg.Scale, "scale", 0, "s of gauss (10) and s0 of wire (30)")
	fl.IntVar(&f.cfg.Frequencies, "frequencies", 0, "PE bands (10), FKAN terms / SL2A degree (64)")
	fl.Uint64Var(&f.cfg.Seed, "seed", 0, "initialisation seed")
	fl.IntVar(&f.budget, "budget", 0, "parameter budget: size every model to at most this many parameters")
	fl.IntVar(&f.fit.Steps, "steps", 2000, "Adam steps")
	fl.Float64Var(&f.fit.LR, "lr", 1e-4, "Adam learning rate")
	fl.IntVar(&f.fit.LogEvery, "log-every", 0, "steps between reports (default steps/20)")
	fl.Float64Var(&f.fit.DataRange, "data-range", 0, "data range R of PSNR/SSIM (default max − min of the target)")
	fl.StringVar(&f.from, "from", "", `fit from derivatives: "gradient" or "laplacian"`)
	fl.StringVar(&f.out, "out", "", "output directory (checkpoint, metrics, figures)")
	fl.StringVar(&f.render, "render", "", "render the fitted model at WxH (e.g. 1024x1024) into --out")
	return cmd
}

func inrTarget(cmd *cobra.Command, f inrFitFlags) (inr.Field, string, error) {
	n := 0
	for _, s := range []string{f.png, f.image, f.data} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return inr.Field{}, "", fmt.Errorf("give exactly one of --png, --image, --data")
	}
	switch {
	case f.png != "":
		t, err := inr.LoadPNG(f.png)
		return t, filepath.Base(f.png), err
	case f.image == "test":
		return inr.TestImage(f.size), fmt.Sprintf("test image %d²", f.size), nil
	case f.image == "ns":
		t, err := inr.NavierStokesSnapshot(cmd.Context(), f.size, f.nsTime, f.cfg.Seed)
		return t, fmt.Sprintf("Navier–Stokes vorticity %d², T=%g", f.size, f.nsTime), err
	case f.image != "":
		return inr.Field{}, "", fmt.Errorf("--image %q: want test or ns", f.image)
	}
	return loadDataField(f.data, f.sample, f.field)
}

// loadDataField reads sample i of a dataset field ("input" or "output") as
// a one-channel field: a leading axis of size 1 is dropped, and the
// remaining 1–3 axes (space, or time and space) are the field's axes.
func loadDataField(path string, sample int, field string) (inr.Field, string, error) {
	var fld data.Field
	switch field {
	case "input":
		fld = data.Input
	case "output":
		fld = data.Output
	default:
		return inr.Field{}, "", fmt.Errorf("--field %q: want input or output", field)
	}
	ds, err := data.Open(path)
	if err != nil {
		return inr.Field{}, "", err
	}
	defer ds.Close()
	v, err := ds.ReadSample(fld, sample)
	if err != nil {
		return inr.Field{}, "", err
	}
	shape := ds.Shape(fld)
	if len(shape) > 1 && shape[0] == 1 {
		shape = shape[1:]
	}
	if len(shape) > 3 {
		return inr.Field{}, "", fmt.Errorf("--data %s: %s has shape %v; want 1–3 axes", path, field, shape)
	}
	f := inr.Field{Shape: shape, Channels: 1, Data: v}
	return f, fmt.Sprintf("%s sample %d %s", filepath.Base(path), sample, field), f.Check()
}

func parseSize(s string) ([]int, error) {
	var sizes []int
	for _, p := range strings.Split(s, "x") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 2 {
			return nil, fmt.Errorf("--render %q: want sizes like 1024x1024", s)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

func runInrFit(cmd *cobra.Command, f inrFitFlags) error {
	out := cmd.OutOrStdout()
	target, desc, err := inrTarget(cmd, f)
	if err != nil {
		return err
	}
	if err := target.Check(); err != nil {
		return err
	}
	names := strings.Split(f.models, ",")
	if f.models == "all" {
		names = inr.Names()
	}
	var renderSize []int
	if f.render != "" {
		if renderSize, err = parseSize(f.render); err != nil {
			return err
		}
		if len(renderSize) != len(target.Shape) {
			return fmt.Errorf("--render %s: the target has %d axes", f.render, len(target.Shape))
		}
		if f.out == "" {
			return fmt.Errorf("--render needs --out")
		}
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return err
		}
	}
	if f.fit.DataRange == 0 {
		f.fit.DataRange = target.Range()
	}
	fmt.Fprintf(out, "target: %s, shape %v × %d channels, data range %.4g\n", desc, target.Shape, target.Channels, f.fit.DataRange)
	type row struct {
		name   string
		params int
		last   inr.StepStats
	}
	var rows []row
	for _, name := range names {
		cfg := f.cfg
		cfg.Model = strings.TrimSpace(name)
		cfg.InDim, cfg.OutDim = len(target.Shape), target.Channels
		if f.from != "" {
			cfg.OutDim = 1
		}
		if f.budget > 0 {
			if cfg, err = inr.WithBudget(cfg, f.budget); err != nil {
				return err
			}
		}
		m, err := inr.New(cfg)
		if err != nil {
			return err
		}
		if _, err := inr.PlaceAtoms(m, target, cfg.Seed); err != nil {
			return err
		}
		params := nn.CountParams(m)
		fmt.Fprintf(out, "%s: %d parameters (hidden width %d)\n", cfg.Model, params, cmp.Or(cfg.Hidden, 256))
		var log *os.File
		if f.out != "" {
			if log, err = os.Create(filepath.Join(f.out, cfg.Model+".jsonl")); err != nil {
				return err
			}
		}
		report := func(s inr.StepStats) {
			fmt.Fprintf(out, "  step %5d  loss %.4e  PSNR %6.2f dB  SSIM %.4f  relL2 %.4e  %v\n", s.Step, s.Loss, s.PSNR, s.SSIM, s.RelL2, s.Elapsed.Round(time.Millisecond))
			if log != nil {
				b, _ := json.Marshal(s)
				log.Write(append(b, '\n'))
			}
		}
		var last inr.StepStats
		if f.from != "" {
			last, err = inr.FitDerivative(cmd.Context(), m, target, inr.Derivative(f.from), f.fit, report)
		} else {
			last, err = inr.Fit(cmd.Context(), m, target, f.fit, report)
		}
		if log != nil {
			log.Close()
		}
		if err != nil {
			return err
		}
		rows = append(rows, row{cfg.Model, params, last})
		if f.out == "" {
			continue
		}
		if err := inr.Save(filepath.Join(f.out, cfg.Model+".safetensors"), m, cfg, last.Step); err != nil {
			return err
		}
		if err := inr.SaveFitFigure(filepath.Join(f.out, cfg.Model+".png"), m, target, f.from != ""); err != nil {
			return err
		}
		if renderSize != nil {
			r := inr.Render(m, cfg.OutDim, renderSize...)
			grey := len(target.Shape) == 2 && f.image != "ns"
			if err := inr.SavePNG(filepath.Join(f.out, cfg.Model+"_render.png"), 8*vg.Inch, inr.Panel{Title: fmt.Sprintf("%s at %s", cfg.Model, f.render), Field: r, Grey: grey}); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(out, "\n| model | params | PSNR (dB) | SSIM | rel. L2 | time (s) |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(out, "| %s | %d | %.2f | %.4f | %.3e | %.0f |\n", r.name, r.params, r.last.PSNR, r.last.SSIM, r.last.RelL2, r.last.Elapsed.Seconds())
	}
	return nil
}
