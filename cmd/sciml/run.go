package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/experiments"
	"github.com/sciml-go/sciml/internal/blas"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// runFlags are the flags `sciml run` and `sciml train` share.
type runFlags struct {
	profile string
	out     string
	dataDir string
	resume  bool
	force   bool
	workers int
	threads int
	verbose bool
	sets    []string
}

func (f *runFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.profile, "profile", "", "profile of the config to apply (quick, paper, …; default: none, the config as written)")
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "run directory (default runs/<name>-<profile>)")
	cmd.Flags().StringVar(&f.dataDir, "data-dir", "", "where generated datasets are cached (default $SCIML_DATA_DIR or the user cache directory)")
	cmd.Flags().BoolVar(&f.resume, "resume", false, "continue the run in the directory from its checkpoint (the data, model and train settings changed since it are listed)")
	cmd.Flags().BoolVar(&f.force, "force", false, "start over in a directory that holds a previous run")
	cmd.Flags().IntVar(&f.workers, "workers", 0, "samples generated at once (default: all cores)")
	cmd.Flags().IntVar(&f.threads, "threads", 0, "threads for kernels (sets GOMAXPROCS; 0 = all cores)")
	cmd.Flags().BoolVarP(&f.verbose, "verbose", "v", false, "log checkpoints and data caching")
	cmd.Flags().StringArrayVar(&f.sets, "set", nil, "override a config key after the profile: key.path=value, the value in YAML\n"+
		"(--set train.epochs=10 --set 'models=[siren, finer]'; repeatable; --show-config prints the result)")
}

// source reads the experiment named by arg and records the --set overrides.
func (f *runFlags) source(arg string) (src []byte, label string, err error) {
	src, label, err = experiments.ReadSource(arg)
	if err != nil {
		return nil, "", err
	}
	src, err = experiments.ApplySets(src, f.sets)
	return src, label, err
}

// options applies the thread count and returns the runner's options.
func (f *runFlags) options(cmd *cobra.Command) experiments.Options {
	if f.threads > 0 {
		runtime.GOMAXPROCS(f.threads)
		blas.SetThreads(f.threads)
		tensor.SetThreads(f.threads)
	}
	var log *slog.Logger
	if f.verbose {
		log = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
	}
	return experiments.Options{Dir: f.out, DataDir: f.dataDir, Resume: f.resume, Force: f.force, Workers: f.workers,
		Progress: progressWriter(cmd), Log: log, Command: strings.Join(os.Args, " ")}
}

// progressWriter returns the command's output, or os.Stdout itself (so a
// terminal gets progress bars).
func progressWriter(cmd *cobra.Command) io.Writer {
	if w := cmd.OutOrStdout(); w != os.Stdout {
		return w
	}
	return os.Stdout
}

// experimentList describes the embedded experiments for help texts.
func experimentList() string {
	var b strings.Builder
	for _, n := range experiments.Names() {
		src, _ := experiments.Source(n)
		kind, _ := experiments.KindOf(src, n)
		fmt.Fprintf(&b, "  %-16s %-9s profiles: %s\n", n, kind, strings.Join(experiments.ProfileNames(src), ", "))
	}
	return b.String()
}

func runCmd() *cobra.Command {
	var f runFlags
	var show bool
	cmd := &cobra.Command{
		Use:   "run <name|file.yaml>",
		Short: "Run an experiment: generate the data if missing, train, evaluate at every resolution, write a report",
		Long: "Run an experiment end to end: generate its dataset if it is not cached, train (resumable: --resume),\n" +
			"evaluate the test samples at every configured resolution, and write report.md, eval.json, metrics.jsonl,\n" +
			"model.safetensors and plots/*.png in the run directory.\n\nEmbedded experiments:\n" + experimentList(),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			src, label, err := f.source(args[0])
			if err != nil {
				return err
			}
			kind, err := experiments.KindOf(src, label)
			if err != nil {
				return err
			}
			if k, ok := experiments.LookupKind(kind); ok {
				if show {
					y, err := k.Resolve(src, label, f.profile)
					if err != nil {
						return err
					}
					_, err = out.Write(y)
					return err
				}
				summary, err := k.Run(cmd.Context(), src, label, f.profile, f.options(cmd))
				if err != nil {
					return err
				}
				fmt.Fprintln(out, strings.TrimRight(summary, "\n"))
				return nil
			}
			cfg, err := experiments.Decode(src, label, f.profile)
			if err != nil {
				return err
			}
			if show {
				y, err := cfg.YAML()
				if err != nil {
					return err
				}
				_, err = out.Write(y)
				return err
			}
			opts := f.options(cmd)
			res, err := experiments.Run(cmd.Context(), cfg, opts)
			if err != nil {
				return err
			}
			fmt.Fprintln(out)
			if err := operator.WriteTable(out, res.Eval, res.Dim); err != nil {
				return err
			}
			if e := res.Expect; e != nil {
				verdict := "met"
				if !e.Met {
					verdict = "NOT met"
				}
				fmt.Fprintf(out, "\ntest relative L2 at %d: %.5f (expected ≤ %.4g: %s)\n", e.Resolution, e.Got, e.Want, verdict)
			}
			fmt.Fprintf(out, "report: %s (%.0f s in all)\n", res.Report, res.Timing.Total)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&show, "show-config", false, "print the resolved config and exit")
	return cmd
}
