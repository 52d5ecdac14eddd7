package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/experiments"
)

func predictCmd() *cobra.Command {
	var req experiments.PredictRequest
	var samples string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "predict --checkpoint run/model.safetensors -o predictions.h5 [--data file.h5] [--resolution 421]",
		Short: "Write a trained model's predictions for the samples of a dataset to HDF5 (input, prediction, target)",
		Long: "Predict runs the model of a checkpoint written by `sciml run` or `sciml train` on the samples of a\n" +
			"dataset (sciml's HDF5 schema; default: the run's own test samples) resampled to --resolution points\n" +
			"per axis (default: the training resolution), and writes an HDF5 file with the datasets input (the\n" +
			"model's input as the run's task makes it), prediction and target, one row a sample, in the data's\n" +
			"units (h5py: f['prediction'][i]). It prints the relative L2 error against the targets. The file\n" +
			"appears only when complete. --on-training-grid runs a grid-tied model (MgNO) on its training grid\n" +
			"(add --set eval.restriction=average to give it the input's cell averages there).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.Checkpoint == "" || req.Output == "" {
				return fmt.Errorf("--checkpoint and -o are required")
			}
			var err error
			if req.Start, req.End, err = parseSamples(samples); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			progress := w
			if asJSON {
				progress = nil
			}
			res, err := experiments.PredictFile(cmd.Context(), req, progress)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(w).Encode(res)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Checkpoint, "checkpoint", "", "model.safetensors of a run (required)")
	cmd.Flags().StringVarP(&req.Output, "output", "o", "", "HDF5 file to write (required)")
	cmd.Flags().StringVar(&req.Data, "data", "", "dataset (HDF5); default: the run's test samples")
	cmd.Flags().StringVar(&samples, "samples", "", "sample range start:end of --data, or of the run's test samples without it (default: all)")
	cmd.Flags().IntVar(&req.Resolution, "resolution", 0, "grid points per axis the samples are resampled to (default: the training resolution)")
	cmd.Flags().IntVar(&req.BatchSize, "batch", 0, "samples a model call (default: the run's evaluation batch, smaller on finer grids)")
	cmd.Flags().BoolVar(&req.OnTrainingGrid, "on-training-grid", false, "run the model on its training grid (input interpolated to it, output back)")
	cmd.Flags().StringVar(&req.DataDir, "data-dir", "", "where the run's generated dataset is cached")
	cmd.Flags().StringArrayVar(&req.Sets, "set", nil, "override a key of the run's config that changes no parameter, key.path=value (repeatable)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as one JSON object")
	return cmd
}
