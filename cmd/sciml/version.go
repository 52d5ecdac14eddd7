package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/internal/blas"
)

// backends lists the native libraries in use, one "name: description" each.
func backends() [][2]string {
	b := blas.Backend()
	return [][2]string{
		{"blas", fmt.Sprintf("%s, %s kernels", b.Library, b.Core)},
		{"sgemm", sgemmBackend()},
		{"fft", fftBackend()},
		{"hdf5", hdf5Backend()},
		{"threads", fmt.Sprintf("%d (GOMAXPROCS %d)", b.Threads, runtime.GOMAXPROCS(0))},
	}
}

func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

func versionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the sciml version and the native backends in use (BLAS, FFT, HDF5, threads)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if asJSON {
				m := map[string]string{"version": moduleVersion(), "go": runtime.Version()}
				for _, kv := range backends() {
					m[kv[0]] = kv[1]
				}
				return json.NewEncoder(out).Encode(m)
			}
			fmt.Fprintf(out, "sciml %s (%s, %s/%s)\n", moduleVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			for _, kv := range backends() {
				fmt.Fprintf(out, "  %-8s %s\n", kv[0]+":", kv[1])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}
