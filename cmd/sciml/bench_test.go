package main

import (
	"strings"
	"testing"
)

// TestBenchOperator times a small experiment's step and checks the epoch
// it reports, and refuses data it cannot shape.
func TestBenchOperator(t *testing.T) {
	r, err := benchOperator("darcy-deeponet", "quick", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Params != 256001 || r.StepMsMedian <= 0 || r.StepMsMin > r.StepMsMedian {
		t.Fatalf("result %+v", r)
	}
	// quick: 250 training samples in batches of 20 → 13 batches.
	if want := r.StepMsMedian * 13 / 1e3; r.EpochS != want {
		t.Fatalf("epoch %v s, want 13 × the median step = %v s", r.EpochS, want)
	}
	if _, err := benchOperator("ns-fno2d", "quick", 0, 10); err == nil || !strings.Contains(err.Error(), "Burgers and Darcy") {
		t.Fatalf("ns-fno2d: error %v", err)
	}
}
