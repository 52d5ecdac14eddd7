package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/data"
)

func mergeCmd() *cobra.Command {
	var output string
	var force bool
	cmd := &cobra.Command{
		Use:   "merge shard.h5... -o all.h5",
		Short: "Merge shard files of 'sciml generate --shard' into one dataset",
		Long: `Merge combines the shards of one dataset into the file a single run would
have written (bitwise equal input, output and grid). It refuses shards whose
parameters differ in anything (PDE, N, resolution, seed, storage, PDE and
solver parameters), incomplete shards, overlapping shards and shard sets that
miss samples.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			start := time.Now()
			var total int
			err := data.Merge(cmd.Context(), args, output, data.MergeOptions{
				Overwrite:   force,
				CommandLine: commandLine(os.Args),
				Progress:    func(done, n int) { total = n },
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %d samples from %d files in %v\n", output, total, len(args),
				time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output HDF5 file (required)")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing output file")
	cmd.MarkFlagRequired("output")
	return cmd
}
