package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/data"
)

func inspectCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect file.h5",
		Short: "Show a dataset file: shapes, dtypes, chunking, compression, attributes, statistics of input/output",
		Long: `Inspect prints the datasets of an HDF5 file (shape, element type, chunks,
filters), its root attributes, and summary statistics of the data (min, max,
mean, std over finite values; NaN and Inf counts) of sciml files (input,
output) and PDEBench files (tensor, nu). A partial file of an interrupted
'sciml generate' is reported as such. --json prints one JSON object.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := data.Inspect(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			return r.WriteText(cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}
