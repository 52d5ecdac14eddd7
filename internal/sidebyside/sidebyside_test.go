package sidebyside

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	// A reference whose steps take 1, 2, 3, … "ms".
	ref := []string{"sh", "-c", `echo ready; n=1; while read l; do echo $n; n=$((n+1)); done`}
	calls := [2]int{}
	r, err := Run(ref, []func(){func() { calls[0]++ }, func() { calls[1]++ }}, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	if calls != [2]int{9, 9} { // 3 rounds of 3 steps, the first untimed
		t.Fatalf("step calls %v, want 9 each", calls)
	}
	if r.Rounds != 3 || r.PerTurn != 3 {
		t.Fatalf("rounds %d, per turn %d", r.Rounds, r.PerTurn)
	}
	if len(r.Ours) != 2 || len(r.Ours[0]) != 6 || len(r.Ours[1]) != 6 {
		t.Fatalf("our times %v", r.Ours)
	}
	want := []float64{2, 3, 5, 6, 8, 9} // steps 1, 4, 7 are the untimed first of a turn
	if got := r.Theirs; len(got) != len(want) {
		t.Fatalf("reference times %v, want %v", got, want)
	}
	for i, w := range want {
		if r.Theirs[i] != w {
			t.Fatalf("reference times %v, want %v", r.Theirs, want)
		}
	}
	if m := Median(r.Theirs); m != 5.5 {
		t.Fatalf("median %v", m)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Fatalf("median of 4 values %v", m)
	}
	if rs := r.Ratios(0); len(rs) != 6 || rs[0] != r.Ours[0][0]/2 {
		t.Fatalf("ratios %v", rs)
	}
}

func TestRunErrors(t *testing.T) {
	for _, c := range []struct {
		script, want string
	}{
		{`echo hello`, `said "hello"`},
		{`echo oops >&2; exit 1`, "oops"},
		{`echo ready; read l; echo 1; read l; echo soon`, `step time "soon"`},
	} {
		_, err := Run([]string{"sh", "-c", c.script}, []func(){func() {}}, 2, 2)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.script, err, c.want)
		}
	}
}

func TestEnvAndSummary(t *testing.T) {
	t.Setenv("SCIML_TORCH", "")
	t.Setenv("SCIML_BENCH_ROUNDS", "")
	t.Setenv("SCIML_BENCH_TURN", "x")
	if py, rounds, turn := Env(); py != "" || rounds != 8 || turn != 3 {
		t.Fatalf("defaults: %q %d %d", py, rounds, turn)
	}
	t.Setenv("SCIML_TORCH", "/usr/bin/python3")
	t.Setenv("SCIML_BENCH_ROUNDS", "5")
	t.Setenv("SCIML_BENCH_TURN", "4")
	if py, rounds, turn := Env(); py != "/usr/bin/python3" || rounds != 5 || turn != 4 {
		t.Fatalf("set: %q %d %d", py, rounds, turn)
	}
	r := Result{Ours: [][]float64{{1, 2, 3}}, Theirs: []float64{4, 4, 4}, Rounds: 3, PerTurn: 2}
	want := `{"name":"x","per_turn":2,"ratio_median":0.5,"rounds":3,"step_ms_median":2,"threads":2,"torch_ms_median":4}`
	if got := r.Summary("x", 0, 2); got != want {
		t.Fatalf("summary %s, want %s", got, want)
	}
}
