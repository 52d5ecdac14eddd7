package main

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/data"
)

func inspectCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect file.h5 | model.safetensors | run-dir | runs-dir",
		Short: "Show a dataset file (shapes, chunking, attributes, statistics) or a run's checkpoint (status, epochs, errors)",
		Long: `Inspect prints the datasets of an HDF5 file (shape, element type, chunks,
filters), its root attributes, and summary statistics of the data (min, max,
mean, std over finite values; NaN and Inf counts) of sciml files (input,
output) and PDEBench files (tensor, nu). A partial file of an interrupted
'sciml generate' is reported as such.

Given a checkpoint (model.safetensors) or a run directory, it shows the
run: experiment, status (running, interrupted, done) and epochs, the
model's tensors, optimizer and normaliser statistics, and from the
metrics.jsonl beside it the last epoch and the one with the lowest test
error. Given a directory of run directories (runs/), it shows one line
for each run. --json prints one JSON object (one per run).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if ck, ok := isCheckpoint(args[0]); ok {
				r, err := inspectCheckpoint(ck)
				if err != nil {
					return err
				}
				return writeReport(cmd.OutOrStdout(), r, asJSON)
			}
			if runs, err := runDirs(args[0]); err == nil && len(runs) > 0 {
				return inspectRuns(cmd.OutOrStdout(), runs, asJSON)
			}
			r, err := data.Inspect(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return writeReport(cmd.OutOrStdout(), r, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// writeReport prints r as text, or as one indented JSON object.
func writeReport(w io.Writer, r interface{ WriteText(io.Writer) error }, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.WriteText(w)
}
