package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/internal/blas"
)

// benchResult is one line of `sciml bench` output (DESIGN.md convention);
// fields that do not apply are omitted.
type benchResult struct {
	Name         string  `json:"name"`
	Config       string  `json:"config,omitempty"`
	Params       int64   `json:"params,omitempty"`
	DType        string  `json:"dtype,omitempty"`
	Threads      int     `json:"threads"`
	StepMsMedian float64 `json:"step_ms_median"`
	StepMsMin    float64 `json:"step_ms_min"`
	GFLOPS       float64 `json:"gflops,omitempty"`
	AllocsPerOp  float64 `json:"allocs_per_step,omitempty"`
	EpochS       float64 `json:"epoch_s,omitempty"` // training time an epoch implies (median step × batches)
}

// benchOptions are the flags every benchmark shares.
type benchOptions struct {
	threads int
	runs    int
	args    map[string]string // benchmark-specific --set key=value pairs
}

// benchCase is one named benchmark.
type benchCase struct {
	help string
	run  func(o benchOptions) ([]benchResult, error)
}

var benchmarks = map[string]benchCase{}

func registerBench(name, help string, run func(o benchOptions) ([]benchResult, error)) {
	benchmarks[name] = benchCase{help: help, run: run}
}

// timeSteps warms up, then times runs calls of step and returns the median
// and minimum in milliseconds, and the heap allocations per call.
func timeSteps(runs int, step func()) (median, minimum, allocs float64) {
	for range 2 {
		step()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m0 := ms.Mallocs
	times := make([]float64, runs)
	for i := range times {
		t := time.Now()
		step()
		times[i] = float64(time.Since(t).Nanoseconds()) / 1e6
	}
	runtime.ReadMemStats(&ms)
	allocs = float64(ms.Mallocs-m0) / float64(runs)
	sort.Float64s(times)
	median = times[len(times)/2]
	if len(times)%2 == 0 {
		median = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	return median, times[0], allocs
}

func benchCmd() *cobra.Command {
	var o benchOptions
	var asJSON bool
	var sets []string
	var dim string
	cmd := &cobra.Command{
		Use:   "bench <name>",
		Short: "Run a named benchmark (warm-up, then median and minimum of the timed runs)",
		Long:  "Run a named benchmark. Names:\n" + benchList(),
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bc, ok := benchmarks[args[0]]
			if !ok {
				return fmt.Errorf("unknown benchmark %q; known:\n%s", args[0], benchList())
			}
			if o.runs < 10 {
				return fmt.Errorf("--runs %d: need at least 10 timed runs", o.runs)
			}
			o.args = map[string]string{}
			for _, s := range sets {
				k, v, ok := strings.Cut(s, "=")
				if !ok {
					return fmt.Errorf("--set %q: want key=value", s)
				}
				o.args[k] = v
			}
			if dim != "" {
				o.args["dim"] = dim
			}
			if o.threads > 0 {
				runtime.GOMAXPROCS(o.threads)
				blas.SetThreads(o.threads)
			}
			o.threads = runtime.GOMAXPROCS(0)
			res, err := bc.run(o)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			enc := json.NewEncoder(out)
			for _, r := range res {
				if asJSON {
					if err := enc.Encode(r); err != nil {
						return err
					}
					continue
				}
				line := fmt.Sprintf("%-10s %-28s %-8s threads=%d  median %9.3f ms  min %9.3f ms", r.Name, r.Config, r.DType, r.Threads, r.StepMsMedian, r.StepMsMin)
				if r.GFLOPS > 0 {
					line += fmt.Sprintf("  %7.1f GFLOP/s", r.GFLOPS)
				}
				if r.Params > 0 {
					line += fmt.Sprintf("  params=%d", r.Params)
				}
				fmt.Fprintln(out, line)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&o.threads, "threads", 0, "threads for kernels (sets GOMAXPROCS; 0 = all cores)")
	cmd.Flags().IntVar(&o.runs, "runs", 10, "timed runs after warm-up (at least 10)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per line")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "benchmark-specific option key=value (repeatable)")
	cmd.Flags().StringVar(&dim, "dim", "", "grid dimension of benchmarks that have several (fno: 1 or 2; same as --set dim=)")
	return cmd
}

func benchList() string {
	names := make([]string, 0, len(benchmarks))
	for n := range benchmarks {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %-10s %s\n", n, benchmarks[n].help)
	}
	return b.String()
}

func init() {
	registerBench("gemm", "float32/float64 GEMM 4096×256×256 (--set m=,n=,k=)", func(o benchOptions) ([]benchResult, error) {
		m, n, k := 4096, 256, 256
		for key, p := range map[string]*int{"m": &m, "n": &n, "k": &k} {
			if v, ok := o.args[key]; ok {
				if _, err := fmt.Sscan(v, p); err != nil || *p <= 0 {
					return nil, fmt.Errorf("--set %s=%s: want a positive integer", key, v)
				}
			}
		}
		cfg := fmt.Sprintf("%dx%dx%d", m, n, k)
		flops := 2 * float64(m) * float64(n) * float64(k)
		var res []benchResult
		{
			a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
			for i := range a {
				a[i] = float32(i%7) * 0.1
			}
			med, mn, _ := timeSteps(o.runs, func() { blas.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) })
			res = append(res, benchResult{Name: "gemm", Config: cfg, DType: "float32", Threads: o.threads, StepMsMedian: med, StepMsMin: mn, GFLOPS: flops / mn / 1e6})
		}
		{
			a, b, c := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
			for i := range a {
				a[i] = float64(i%7) * 0.1
			}
			med, mn, _ := timeSteps(o.runs, func() { blas.Dgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) })
			res = append(res, benchResult{Name: "gemm", Config: cfg, DType: "float64", Threads: o.threads, StepMsMedian: med, StepMsMin: mn, GFLOPS: flops / mn / 1e6})
		}
		return res, nil
	})
}
