package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/sciml-go/sciml/data"
)

// paramUsage documents the PDE parameter flags, by config key.
var paramUsage = map[string]string{
	"viscosity":          "viscosity ν",
	"length":             "length L of the periodic domain [0, L)",
	"final_time":         "final time T",
	"record_every":       "time between stored snapshots (Burgers: 0 stores u(T) only)",
	"solve_resolution":   "grid points per axis of the solver",
	"sigma":              "σ of the input law N(m, σ²(−Δ+τ²I)^−γ)",
	"tau":                "τ of the input law",
	"gamma":              "γ of the input law",
	"mean":               "mean m of the input law",
	"time_step":          "largest solver time step",
	"downsample":         "solver grid → stored grid: stride or spectral",
	"forcing":            "constant forcing f",
	"boundary_value":     "Dirichlet boundary value g",
	"high":               "coefficient where ψ ≥ threshold",
	"low":                "coefficient where ψ < threshold",
	"threshold":          "threshold of ψ between the two phases",
	"averaging":          "face coefficients: arithmetic or harmonic",
	"tolerance":          "relative residual at which CG stops",
	"max_iterations":     "CG iteration limit",
	"forcing_amplitude":  "forcing amplitude A of A(sin 2πk(x+y) + cos 2πk(x+y))",
	"forcing_wavenumber": "forcing wave number k",
	"convention":         "input law convention: torch-fft or kl",
	"scheme":             "time integrator: cn-euler or etdrk4",
	"advection":          "advection term: advective or basdevant",
	"precision":          "solver arithmetic: float64 or float32 (not the stored dtype)",
}

// specFlag binds one flag to a field of a GenerateSpec.
type specFlag struct {
	name string                         // flag name
	key  string                         // config key path
	ptr  func(s *data.GenerateSpec) any // the field (a *int, *int64, *float64, *string or *bool)
	set  func(dst, src *data.GenerateSpec)
}

// specFlags lists the flags of a PDE: the common ones, then its parameters
// (named after their config keys, "_" → "-").
func specFlags(pde string) []specFlag {
	field := func(key string, get func(s *data.GenerateSpec) reflect.Value) specFlag {
		return specFlag{
			name: strings.ReplaceAll(key[strings.LastIndex(key, ".")+1:], "_", "-"),
			key:  key,
			ptr:  func(s *data.GenerateSpec) any { return get(s).Addr().Interface() },
			set:  func(dst, src *data.GenerateSpec) { get(dst).Set(get(src)) },
		}
	}
	top := func(key, goName string) specFlag {
		return field(key, func(s *data.GenerateSpec) reflect.Value { return reflect.ValueOf(s).Elem().FieldByName(goName) })
	}
	flags := []specFlag{
		top("n", "N"), top("resolution", "Resolution"), top("seed", "Seed"),
		top("dtype", "DType"), top("deflate", "Deflate"), top("shuffle", "Shuffle"),
	}
	sections := map[string]string{data.Burgers: "Burgers", data.Darcy: "Darcy", data.NavierStokes: "NavierStokes"}
	section := map[string]string{data.Burgers: "burgers", data.Darcy: "darcy", data.NavierStokes: "navier_stokes"}[pde]
	def, _ := data.DefaultSpec(pde)
	t := reflect.ValueOf(&def).Elem().FieldByName(sections[pde]).Elem().Type()
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		idx := i
		flags = append(flags, field(section+"."+name, func(s *data.GenerateSpec) reflect.Value {
			return reflect.ValueOf(s).Elem().FieldByName(sections[pde]).Elem().Field(idx)
		}))
	}
	return flags
}

// register adds the spec flags to fs, bound to the fields of bound (whose
// values are the defaults shown in the help).
func register(fs *pflag.FlagSet, flags []specFlag, bound *data.GenerateSpec) {
	common := map[string]string{
		"n":          "number of samples of the whole dataset (all shards)",
		"resolution": "stored grid points per spatial axis",
		"seed":       "dataset seed (sample i draws from seed and i)",
		"dtype":      "stored element type: float32 or float64",
		"deflate":    "gzip level of input and output, 1–9, 0 for none",
		"shuffle":    "byte-shuffle filter before deflate",
	}
	for _, f := range flags {
		usage := common[f.key]
		if usage == "" {
			usage = paramUsage[f.key[strings.LastIndex(f.key, ".")+1:]]
		}
		switch p := f.ptr(bound).(type) {
		case *int:
			fs.IntVar(p, f.name, *p, usage)
		case *int64:
			fs.Int64Var(p, f.name, *p, usage)
		case *float64:
			fs.Float64Var(p, f.name, *p, usage)
		case *string:
			fs.StringVar(p, f.name, *p, usage)
		case *bool:
			fs.BoolVar(p, f.name, *p, usage)
		default:
			panic(fmt.Sprintf("generate: flag %s of type %T", f.name, p))
		}
	}
}

// generateOptions are the flags that do not change the data.
type generateOptions struct {
	config    string
	output    string
	workers   int
	resume    bool
	force     bool
	shard     string
	shardMode string
	quiet     bool
}

func generateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "generate burgers|darcy|navier-stokes --n N --resolution S -o file.h5",
		Short: "Generate a PDE dataset (HDF5) with the FNO paper's setups: solve samples in parallel, stream them to disk",
		Long: `Generate solves N samples of a PDE with inputs drawn from its Gaussian random
field law and writes them to one HDF5 file (schema: docs/datasets.md).

Samples are solved in parallel and streamed to disk, so memory stays flat for
any N. Sample i depends only on (seed, i): shards and resumed runs give the
same bits. While running, the file is FILE.partial; it is renamed to FILE
when complete. After Ctrl-C or a kill, --resume continues where it stopped.

Sharding across machines: --shard i/n writes samples i, i+n, i+2n, … (or the
contiguous range i·N/n … (i+1)·N/n with --shard-mode contiguous); --shard n
takes i from SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) or
JOB_COMPLETION_INDEX (Kubernetes Indexed Job). "{shard}" in -o is replaced by
i. Combine the shards with 'sciml merge'.

Parameters come from the PDE's defaults (the FNO paper), then --config
file.yaml, then flags.`,
	}
	for _, pde := range data.PDEs {
		cmd.AddCommand(generatePDECmd(pde))
	}
	return cmd
}

func generatePDECmd(pde string) *cobra.Command {
	var opts generateOptions
	bound, err := data.DefaultSpec(pde)
	if err != nil {
		panic(err)
	}
	flags := specFlags(pde)
	def, _ := data.DefaultSpec(pde)
	cmd := &cobra.Command{
		Use:   pde + " -o file.h5",
		Short: fmt.Sprintf("Generate %s data (defaults: %d samples at resolution %d)", pde, def.N, def.Resolution),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := data.DefaultSpec(pde)
			if err != nil {
				return err
			}
			var lines map[string]int
			if opts.config != "" {
				if lines, err = data.LoadConfig(opts.config, &spec); err != nil {
					return err
				}
			}
			changed := map[string]string{}
			for _, f := range flags {
				if cmd.Flags().Changed(f.name) {
					f.set(&spec, &bound)
					changed[f.key] = f.name
				}
			}
			if err := spec.Validate(); err != nil {
				return fmt.Errorf("invalid parameters:\n%w", data.ExplainErrors(err, opts.config, lines, changed))
			}
			return runGenerate(cmd.Context(), cmd, spec, opts)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVarP(&opts.output, "output", "o", "", "output HDF5 file (required; \"{shard}\" is replaced by the shard index)")
	fs.StringVar(&opts.config, "config", "", "YAML file with parameters (keys as in docs/datasets.md); flags override it")
	register(fs, flags, &bound)
	fs.IntVar(&opts.workers, "workers", 0, "samples solved in parallel (default: all cores)")
	fs.BoolVar(&opts.resume, "resume", false, "continue an interrupted run from FILE.partial")
	fs.BoolVar(&opts.force, "force", false, "replace an existing file or partial file with other parameters")
	fs.StringVar(&opts.shard, "shard", "", "write shard i of n (\"i/n\"), or \"n\" to take i from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX")
	fs.StringVar(&opts.shardMode, "shard-mode", "strided", "strided (samples i, i+n, …) or contiguous (an index range)")
	fs.BoolVarP(&opts.quiet, "quiet", "q", false, "no progress output")
	cmd.MarkFlagRequired("output")
	return cmd
}

// parseShardFlag interprets --shard and --shard-mode.
func parseShardFlag(text, mode string, getenv func(string) string) (data.Shard, string, error) {
	var sh data.Shard
	switch mode {
	case "strided":
	case "contiguous":
		sh.Contiguous = true
	default:
		return sh, "", fmt.Errorf("--shard-mode %q: want strided or contiguous", mode)
	}
	if text == "" {
		return data.Shard{}, "", nil
	}
	if strings.Contains(text, "/") {
		s, err := data.ParseShard(text)
		if err != nil {
			return sh, "", fmt.Errorf("--shard: %w", err)
		}
		s.Contiguous = sh.Contiguous
		return s, "", nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 1 {
		return sh, "", fmt.Errorf("--shard %q: want i/n or a shard count n", text)
	}
	i, src, ok, err := data.ShardIndexFromEnv(getenv)
	if err != nil {
		return sh, "", err
	}
	if !ok {
		return sh, "", fmt.Errorf("--shard %d: no shard index: set --shard i/%d, or run as a Slurm array task (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX)", n, n)
	}
	if i < 0 || i >= n {
		return sh, "", fmt.Errorf("--shard %d: %s gives shard index %d, outside [0, %d)", n, src, i, n)
	}
	sh.Index, sh.Count = i, n
	return sh, src, nil
}

func runGenerate(ctx context.Context, cmd *cobra.Command, spec data.GenerateSpec, opts generateOptions) error {
	shard, src, err := parseShardFlag(opts.shard, opts.shardMode, os.Getenv)
	if err != nil {
		return err
	}
	path := data.ShardPath(opts.output, shard)
	out := cmd.OutOrStdout()
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
	if src != "" {
		logger.Info("shard index from environment", "variable", src, "shard", shard.String())
	}
	if data.UpToDate(spec, path, shard) {
		if !opts.quiet {
			fmt.Fprintf(out, "%s is up to date (complete, same parameters); nothing to do\n", path)
		}
		return nil
	}
	start := time.Now()
	prog := newProgressReporter(cmd.ErrOrStderr(), logger, spec.PDE, opts.quiet)
	err = data.Generate(ctx, spec, path, data.Options{
		Workers:     opts.workers,
		Shard:       shard,
		Resume:      opts.resume,
		Overwrite:   opts.force,
		Progress:    prog.update,
		Version:     moduleVersion(),
		CommandLine: commandLine(os.Args),
	})
	prog.finish()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("%w\nrerun the same command with --resume to continue", err)
		}
		return err
	}
	if !opts.quiet {
		n := prog.last.Total - prog.last.Resumed
		el := time.Since(start)
		fmt.Fprintf(out, "wrote %s: %d samples (%d new in %v, %.3g samples/s)\n", path, prog.last.Total, n,
			el.Round(time.Millisecond), float64(n)/el.Seconds())
	}
	return nil
}

// progressReporter shows Generate's progress: a bar (rate and ETA) on a
// terminal, a log line every 10 s otherwise.
type progressReporter struct {
	w       io.Writer
	logger  *slog.Logger
	pde     string
	quiet   bool
	tty     bool
	bar     *progressbar.ProgressBar
	start   time.Time
	lastLog time.Time
	last    data.Progress
}

// logEvery is the interval of progress log lines off a terminal.
const logEvery = 10 * time.Second

func newProgressReporter(w io.Writer, logger *slog.Logger, pde string, quiet bool) *progressReporter {
	p := &progressReporter{w: w, logger: logger, pde: pde, quiet: quiet, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progressReporter) update(g data.Progress) {
	first := p.last.Unit == ""
	p.last = g
	if p.quiet {
		return
	}
	if first {
		p.start, p.lastLog = time.Now(), time.Now()
		if g.Resumed > 0 {
			p.logger.Info("resuming", "file_samples", g.Resumed, "of", g.Total)
		}
		if p.tty && g.TotalUnits > 0 {
			p.bar = progressbar.NewOptions64(int64(g.TotalUnits),
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(p.pde),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString(g.Unit+"s"),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionThrottle(200*time.Millisecond),
				progressbar.OptionFullWidth(),
				progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
			)
		}
	}
	if p.bar != nil {
		p.bar.Set64(int64(g.Units))
		return
	}
	if !p.tty && time.Since(p.lastLog) >= logEvery {
		p.lastLog = time.Now()
		p.log("generating")
	}
}

// log writes one progress line.
func (p *progressReporter) log(msg string) {
	g := p.last
	el := time.Since(p.start)
	rate := float64(g.Units) / el.Seconds()
	args := []any{"pde", p.pde, "samples", g.Done, "of", g.Total,
		"percent", fmt.Sprintf("%.1f", 100*float64(g.Done)/float64(max(g.Total, 1))),
		"rate", fmt.Sprintf("%.3g %ss/s", rate, g.Unit)}
	if rate > 0 && g.Units < g.TotalUnits {
		eta := time.Duration(float64(g.TotalUnits-g.Units) / rate * float64(time.Second))
		args = append(args, "eta", eta.Round(time.Second).String())
	}
	p.logger.Info(msg, args...)
}

func (p *progressReporter) finish() {
	if p.quiet || p.last.Unit == "" {
		return
	}
	if p.bar != nil {
		if p.last.Units >= p.last.TotalUnits {
			p.bar.Finish()
		} else {
			fmt.Fprintln(p.w)
		}
		return
	}
	if !p.tty {
		if p.last.Done == p.last.Total {
			p.log("finished")
		} else {
			p.log("stopped")
		}
	}
}

// commandLine joins the arguments, quoting those that need it in a POSIX
// shell.
func commandLine(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%{}", r))
		}) < 0 {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}
