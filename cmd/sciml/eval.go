package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sciml-go/sciml/experiments"
	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/operator"
)

func evalCmd() *cobra.Command {
	var req experiments.EvalRequest
	var resolutions, via, super, samples, out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "eval --checkpoint run/model.safetensors [--data test.h5] [--resolutions 256,512,1024]",
		Short: "Evaluate a trained model at several resolutions (discretization invariance, zero-shot super-resolution)",
		Long: "Evaluate the model of a checkpoint written by `sciml run` or `sciml train` on test data at each\n" +
			"resolution: the mean relative L2 error (and relative H1 with --h1) per resolution, printed and\n" +
			"written as a Markdown table (-o, default eval-table.md next to the checkpoint). Without --data the\n" +
			"run's own test samples are used. --super 64:256 gives the model 64-point inputs and compares its\n" +
			"output, asked on the 256-point grid, with the data there (zero-shot super-resolution).\n" +
			"--via-training-grid 141,421 evaluates at 141 and 421 with the model run on its training grid (the\n" +
			"input interpolated to it, the output back): how a model tied to its grid, as MgNO, is used on others.\n" +
			"With --set eval.restriction=average the input reaches the training grid as its cell averages instead\n" +
			"(it can do better on rough inputs such as Darcy's coefficient; rows \"421×421 via 85×85, averaged\").\n" +
			"The per-sample errors are kept as they come in a journal next to the table (eval-table.journal.json):\n" +
			"an evaluation interrupted (Ctrl-C) and started again with the same checkpoint, data and settings goes on\n" +
			"from the samples done, with the same result as one uninterrupted run. The journal is removed at the end.\n" +
			"A second evaluation into the same table while one runs is refused, naming the first.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.Checkpoint == "" {
				return fmt.Errorf("--checkpoint: required")
			}
			var err error
			if req.Resolutions, err = parseInts("--resolutions", resolutions); err != nil {
				return err
			}
			if req.ViaTrainingGrid, err = parseInts("--via-training-grid", via); err != nil {
				return err
			}
			for _, s := range splitList(super) {
				a, b, ok := strings.Cut(s, ":")
				in, err1 := strconv.Atoi(a)
				o, err2 := strconv.Atoi(b)
				if !ok || err1 != nil || err2 != nil || in < 1 || o < 1 {
					return fmt.Errorf("--super %q: want input:output resolutions, e.g. 64:256", s)
				}
				req.SuperResolution = append(req.SuperResolution, experiments.SuperResolution{Input: in, Output: o})
			}
			if req.Start, req.End, err = parseSamples(samples); err != nil {
				return err
			}
			if out == "" {
				out = filepath.Join(filepath.Dir(req.Checkpoint), "eval-table.md")
			}
			req.Journal = experiments.JournalPath(out)
			w := cmd.OutOrStdout()
			progress := w
			if asJSON {
				progress = nil
			}
			ev, err := experiments.EvalCheckpoint(cmd.Context(), req, progress)
			if err != nil {
				return err
			}
			cfg, res := ev.Config, ev.Results
			var table bytes.Buffer
			if err := operator.WriteTable(&table, res, ev.Dim); err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(w)
				for _, r := range res {
					if err := enc.Encode(r); err != nil {
						return err
					}
				}
			} else {
				fmt.Fprintln(w)
				w.Write(table.Bytes())
			}
			var doc bytes.Buffer
			src := req.Data
			if src == "" {
				src = "the run's test samples"
			}
			fmt.Fprintf(&doc, "# Evaluation of %s\n\nModel: %s (%s). Data: %s.\n\n", req.Checkpoint, cfg.Name, cfg.Model.Type, src)
			doc.Write(table.Bytes())
			if err := atomicfile.WriteFile(out, doc.Bytes()); err != nil {
				return err
			}
			os.Remove(req.Journal)
			if !asJSON {
				fmt.Fprintf(w, "\ntable written to %s\n", out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Checkpoint, "checkpoint", "", "model.safetensors of a run (required)")
	cmd.Flags().StringVar(&req.Data, "data", "", "test data file (HDF5); default: the run's test samples")
	cmd.Flags().StringVar(&samples, "samples", "", "sample range start:end of --data, or of the run's test samples without it (default: all)")
	cmd.Flags().StringVar(&resolutions, "resolutions", "", "comma-separated resolutions (default: the run's)")
	cmd.Flags().StringVar(&via, "via-training-grid", "", "comma-separated resolutions to evaluate with the model run on its training grid")
	cmd.Flags().StringVar(&super, "super", "", "comma-separated zero-shot super-resolution pairs input:output")
	cmd.Flags().BoolVar(&req.H1, "h1", false, "add the relative H1 error")
	cmd.Flags().IntVar(&req.BatchSize, "batch", 0, "evaluation batch size at the training resolution (default 20); finer grids get it times the ratio of grid points (at least 1)")
	cmd.Flags().StringVar(&req.DataDir, "data-dir", "", "where the run's generated dataset is cached")
	cmd.Flags().StringVarP(&out, "output", "o", "", "Markdown table to write (default eval-table.md next to the checkpoint)")
	cmd.Flags().StringArrayVar(&req.Sets, "set", nil, "override a key of the run's config, key.path=value (repeatable), for settings\n"+
		"that change no parameter: --set model.eval_partitions=4 averages a subsampled GNO over 4 partitions")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per resolution instead of the table")
	return cmd
}

// parseSamples parses --samples start:end ("" gives 0, 0: all).
func parseSamples(s string) (start, end int, err error) {
	if s == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(s, ":")
	start, err1 := strconv.Atoi(a)
	end, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || start < 0 || end <= start {
		return 0, 0, fmt.Errorf("--samples %q: want start:end, e.g. 0:100", s)
	}
	return start, end, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseInts(flag, s string) ([]int, error) {
	var out []int
	for _, p := range splitList(s) {
		v, err := strconv.Atoi(p)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%s %q: want positive integers separated by commas", flag, s)
		}
		out = append(out, v)
	}
	return out, nil
}
