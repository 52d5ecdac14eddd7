// Package sidebyside times our training steps and a reference
// implementation's alternately, step by step, on the same machine: the
// way to compare two programs on a host whose speed drifts by 10–20 %
// from one minute to the next (a shared virtual machine), where timing
// each program in a block of its own compares the drift as much as the
// programs.
//
// The reference runs as a child process speaking a line protocol on its
// standard input and output: after its set-up and warm-up it prints
// "ready"; then for each line "step" it runs one step and prints the
// step's wall time in milliseconds; end of input ends it. The PyTorch
// scripts of docs/bench take --serve for this.
package sidebyside

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Result holds the step times in milliseconds of each of our variants and
// of the reference, in the order they ran, and how they were run.
type Result struct {
	Ours            [][]float64
	Theirs          []float64
	Rounds, PerTurn int
}

// Env reads the settings of a side-by-side benchmark from the
// environment: SCIML_TORCH, the Python (with torch) that runs the
// reference ("" when unset: the benchmark is skipped), and
// SCIML_BENCH_ROUNDS and SCIML_BENCH_TURN, the rounds and the steps per
// turn (default 8 and 3).
func Env() (python string, rounds, perTurn int) {
	rounds, perTurn = 8, 3
	if n, err := strconv.Atoi(os.Getenv("SCIML_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	if n, err := strconv.Atoi(os.Getenv("SCIML_BENCH_TURN")); err == nil && n > 0 {
		perTurn = n
	}
	return os.Getenv("SCIML_TORCH"), rounds, perTurn
}

// Summary returns a JSON line for variant: its median step, the
// reference's, and the median of the step-by-step ratios.
func (r Result) Summary(name string, variant, threads int) string {
	line, _ := json.Marshal(map[string]any{
		"name": name, "threads": threads, "rounds": r.Rounds, "per_turn": r.PerTurn,
		"step_ms_median":  math.Round(Median(r.Ours[variant])*100) / 100,
		"torch_ms_median": math.Round(Median(r.Theirs)*100) / 100,
		"ratio_median":    math.Round(Median(r.Ratios(variant))*1000) / 1000,
	})
	return string(line)
}

// Median returns the median of times.
func Median(times []float64) float64 {
	s := slices.Clone(times)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Ratios returns, step by step, a variant's time over the reference's
// time at the same place in the same round.
func (r Result) Ratios(variant int) []float64 {
	out := make([]float64, len(r.Theirs))
	for i, t := range r.Theirs {
		out[i] = r.Ours[variant][i] / t
	}
	return out
}

// Run starts the reference command, waits for its "ready", then runs
// rounds rounds of: perTurn steps of every step function of ours in turn,
// then perTurn reference steps. The first step of each turn is not timed
// (it finds the caches full of the other program's data), so each round
// records perTurn−1 steps of each (perTurn < 2 is taken as 2).
func Run(command []string, ours []func(), rounds, perTurn int) (Result, error) {
	perTurn = max(perTurn, 2)
	cmd := exec.Command(command[0], command[1:]...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return Result{}, err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("sidebyside: starting %q: %w", strings.Join(command, " "), err)
	}
	defer func() {
		in.Close()
		cmd.Wait()
	}()
	out := bufio.NewScanner(outPipe)
	read := func() (string, error) {
		if !out.Scan() {
			if err := out.Err(); err != nil {
				return "", err
			}
			return "", fmt.Errorf("sidebyside: %q ended: %s", strings.Join(command, " "), stderr.String())
		}
		return strings.TrimSpace(out.Text()), nil
	}
	if line, err := read(); err != nil {
		return Result{}, err
	} else if line != "ready" {
		return Result{}, fmt.Errorf("sidebyside: %q said %q, want ready", strings.Join(command, " "), line)
	}
	r := Result{Ours: make([][]float64, len(ours)), Rounds: rounds, PerTurn: perTurn}
	for range rounds {
		for i, f := range ours {
			f()
			for range perTurn - 1 {
				t0 := time.Now()
				f()
				r.Ours[i] = append(r.Ours[i], float64(time.Since(t0).Nanoseconds())/1e6)
			}
		}
		for k := range perTurn {
			if _, err := io.WriteString(in, "step\n"); err != nil {
				return r, err
			}
			line, err := read()
			if err != nil {
				return r, err
			}
			ms, err := strconv.ParseFloat(line, 64)
			if err != nil {
				return r, fmt.Errorf("sidebyside: step time %q: %w", line, err)
			}
			if k > 0 {
				r.Theirs = append(r.Theirs, ms)
			}
		}
	}
	return r, nil
}
