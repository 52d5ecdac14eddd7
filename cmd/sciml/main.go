package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
)

// version is the toolkit version; release builds set it with
// -ldflags "-X main.version=v0.x.y".
var version = "v0.1.0-dev"

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx := interruptContext(context.Background(), sigs, os.Stderr, os.Exit)
	root := &cobra.Command{
		Use:           "sciml",
		Short:         "Scientific machine learning on PDEs: solvers, HDF5 datasets, neural operators, PINNs, INRs",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var cpuProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof)")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if cpuProfile == "" {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		return pprof.StartCPUProfile(f)
	}
	root.PersistentPostRun = func(cmd *cobra.Command, args []string) {
		if cpuProfile != "" {
			pprof.StopCPUProfile()
		}
	}
	root.AddCommand(versionCmd(), benchCmd(), demoCmd(), inrCmd(), generateCmd(), inspectCmd(), mergeCmd(), runCmd(), trainCmd(), evalCmd(), predictCmd())
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sciml:", err)
		os.Exit(1)
	}
}

// interruptContext returns a context cancelled by the first signal on
// sigs: commands then stop at their next step, batch or sample and save
// their state (checkpoints, journals, partial datasets). A second signal
// exits at once with status 130, for work that does not look at the
// context for minutes (one sample of a large evaluation); every file is
// written atomically, so that loses the work since the last save, never a
// file.
func interruptContext(parent context.Context, sigs <-chan os.Signal, stderr io.Writer, exit func(int)) context.Context {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		<-sigs
		cancel()
		fmt.Fprintln(stderr, "sciml: interrupted: stopping at the next step and saving the state (interrupt again to quit at once)")
		<-sigs
		fmt.Fprintln(stderr, "sciml: interrupted again: quitting without waiting (the files saved so far are complete)")
		exit(130)
	}()
	return ctx
}
