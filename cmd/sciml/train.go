package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/experiments"
)

func trainCmd() *cobra.Command {
	var f runFlags
	var dataPath, testPath string
	var nTrain, nTest int
	cmd := &cobra.Command{
		Use:   "train <name|config.yaml>",
		Short: "Train a model from an experiment config, on generated data or your own (--data)",
		Long: "Train the model of an experiment config, evaluating the test samples at the training resolution after\n" +
			"each epoch. The run directory gets config.yaml, metrics.jsonl (one JSON object per epoch) and\n" +
			"model.safetensors (checkpoints every train.checkpoint_every epochs, at the end and on Ctrl-C;\n" +
			"continue with --resume). With --data the samples come from your HDF5 file (sciml or PDEBench\n" +
			"layout): the first n_train for training and the last n_test for testing, or --test-data.\n" +
			"Evaluate afterwards at other resolutions with `sciml eval`.\n\nEmbedded experiments:\n" + experimentList(),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, label, err := f.source(args[0])
			if err != nil {
				return err
			}
			cfg, err := experiments.ParseSource(src, label, f.profile)
			if err != nil {
				return err
			}
			if dataPath != "" {
				cfg.Data.Path = dataPath
			}
			if testPath != "" {
				cfg.Data.TestPath = testPath
			}
			if nTrain > 0 {
				cfg.Data.NTrain = nTrain
			}
			if nTest > 0 {
				cfg.Data.NTest = nTest
			}
			if err := cfg.Validate(); err != nil {
				return fmt.Errorf("experiment %s: %w", cfg.Name, err)
			}
			res, err := experiments.Train(cmd.Context(), cfg, f.options(cmd))
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			last := res.Train.Final()
			fmt.Fprintf(out, "trained %d epochs (%d steps) in %.0f s: train loss %.5f", last.Epoch, last.Step, res.Timing.Train, last.TrainLoss)
			for name, m := range last.Test {
				fmt.Fprintf(out, ", test %s relative L2 %.5f", name, m.RelL2)
			}
			fmt.Fprintf(out, "\ncheckpoint: %s\n", res.Train.Checkpoint)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&dataPath, "data", "", "training data file (HDF5; replaces the config's data)")
	cmd.Flags().StringVar(&testPath, "test-data", "", "test data file (default: the last n_test samples of the training file)")
	cmd.Flags().IntVar(&nTrain, "n-train", 0, "number of training samples (the first ones)")
	cmd.Flags().IntVar(&nTest, "n-test", 0, "number of test samples")
	return cmd
}
