package experiments

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sciml-go/sciml/operator"
)

// countdownCtx is cancelled from its n-th Err call on: Evaluate asks once
// a batch, so an evaluation stops after n−1 batches.
type countdownCtx struct {
	context.Context
	n atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.n.Add(-1) <= 0 {
		return context.Canceled
	}
	return nil
}

// cancelOnWrite cancels when a line containing match is written to it.
type cancelOnWrite struct {
	bytes.Buffer
	match  string
	cancel func()
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte(w.match)) {
		w.cancel()
	}
	return w.Buffer.Write(p)
}

func readJournal(t *testing.T, path string) evalJournal {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j evalJournal
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	return j
}

// checkEvalResume checks, on the finished run res of tiny-burgers, that an
// evaluation interrupted in the middle of a resolution goes on from its
// journal to the uninterrupted numbers bit for bit, that complete rows are
// taken from the journal, that a journal of another evaluation is not
// used, and that a run interrupted in its final evaluation resumes it.
func checkEvalResume(t *testing.T, res *Result, opts Options) {
	ck := filepath.Join(res.Dir, operator.CheckpointFile)
	jpath := JournalPath(filepath.Join(t.TempDir(), "eval-x.md"))
	if !strings.HasSuffix(jpath, "eval-x.journal.json") {
		t.Errorf("JournalPath: %s", jpath)
	}
	req := EvalRequest{Checkpoint: ck, DataDir: opts.DataDir, Resolutions: []int{64, 256}, H1: true, BatchSize: 1, Journal: jpath}
	want := map[int]operator.Metrics{}
	for _, r := range res.Eval {
		if r.InputResolution == r.Resolution && r.Via == 0 {
			want[r.Resolution] = r.Metrics
		}
	}

	// Interrupted after 12 + 3 of the 2 × 12 batches of 1 sample.
	ctx := &countdownCtx{Context: context.Background()}
	ctx.n.Store(16)
	if _, err := EvalCheckpoint(ctx, req, nil); err == nil || !strings.Contains(err.Error(), "canceled") ||
		!strings.Contains(err.Error(), "interrupted after 3 of 12 samples, whose errors are kept in "+jpath) {
		t.Fatalf("interrupted evaluation: %v", err)
	}
	j := readJournal(t, jpath)
	if len(j.Rows) != 2 || !j.Rows[0].Done || len(j.Rows[0].RelL2) != 12 || len(j.Rows[0].H1) != 12 ||
		j.Rows[1].Done || len(j.Rows[1].RelL2) != 3 || len(j.Rows[1].H1) != 3 {
		t.Fatalf("journal of the interrupted evaluation: %+v", j.Rows)
	}
	if prog, err := ReadJournalProgress(jpath); err != nil || len(prog) != 2 ||
		prog[0] != (JournalProgress{Name: "64", Evaluated: 12, Samples: 12, Seconds: prog[0].Seconds, Done: true}) ||
		prog[1] != (JournalProgress{Name: "256", Evaluated: 3, Samples: 12, Seconds: prog[1].Seconds}) || !(prog[1].Seconds > 0) {
		t.Errorf("ReadJournalProgress of the interrupted evaluation: %+v, %v", prog, err)
	}
	var progress bytes.Buffer
	evalProgressEvery = 0 // a line after every batch
	ev, err := EvalCheckpoint(context.Background(), req, &progress)
	evalProgressEvery = 30 * time.Second
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("resumed:\n%s", progress.String())
	if !strings.Contains(progress.String(), "256: 3 of 12 samples in the journal") ||
		!strings.Contains(progress.String(), "from the journal)") ||
		!strings.Contains(progress.String(), "test 256: 11 of 12 samples, ") || strings.Contains(progress.String(), "12 of 12") {
		t.Errorf("progress of the resumed evaluation:\n%s", progress.String())
	}
	for _, r := range ev.Results {
		if r.Metrics != want[r.Resolution] || !(r.Seconds > 0) {
			t.Errorf("resumed evaluation at %d: %+v, %.3g s; uninterrupted: %+v", r.Resolution, r.Metrics, r.Seconds, want[r.Resolution])
		}
	}
	j = readJournal(t, jpath)
	if len(j.Rows) != 2 || !j.Rows[1].Done || len(j.Rows[1].RelL2) != 12 {
		t.Errorf("journal of the finished evaluation: %+v", j.Rows)
	}

	// A complete row is taken from the journal: planted errors come back.
	for i := range j.Rows[0].RelL2 {
		j.Rows[0].RelL2[i], j.Rows[0].H1[i] = 0.5, 0.25
	}
	j.path = jpath
	if err := j.save(); err != nil {
		t.Fatal(err)
	}
	req.Resolutions = []int{64}
	if ev, err = EvalCheckpoint(context.Background(), req, nil); err != nil || ev.Results[0].RelL2 != 0.5 || ev.Results[0].H1 != 0.25 {
		t.Fatalf("evaluation with a complete row in the journal: %+v, %v", ev, err)
	}
	// Another model (a --set that changes the rebuilt model) does not
	// use it, and replaces it.
	req.Sets = []string{"model.activation=tanh"}
	progress.Reset()
	if ev, err = EvalCheckpoint(context.Background(), req, &progress); err != nil || ev.Results[0].RelL2 == 0.5 ||
		!strings.Contains(progress.String(), "journal of another model") {
		t.Fatalf("evaluation of another model with the journal: %+v, %v\n%s", ev, err, progress.String())
	}
	if j2 := readJournal(t, jpath); j2.Key == j.Key || len(j2.Rows) != 1 || j2.Rows[0].RelL2[0] == 0.5 {
		t.Errorf("the journal of the other evaluation: %+v", j2)
	}
	// A second evaluation into the same journal, while one holds it, is
	// refused with the holder named; the lock file goes with the holder.
	unlock, err := lockJournal(jpath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := EvalCheckpoint(context.Background(), req, nil); err == nil ||
		!strings.Contains(err.Error(), "evaluation journal "+jpath+" is in use by pid ") {
		t.Errorf("evaluation into a journal in use: %v", err)
	}
	unlock()
	if _, err := os.Stat(jpath + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the journal's lock file is left after unlock (%v)", err)
	}
	if _, err := EvalCheckpoint(context.Background(), req, nil); err != nil {
		t.Errorf("evaluation after the lock is dropped: %v", err)
	}
	if _, err := os.Stat(jpath + ".lock"); !os.IsNotExist(err) {
		t.Errorf("an evaluation left its journal's lock file (%v)", err)
	}
	// A journal that is not JSON is named.
	os.WriteFile(jpath, []byte("{"), 0o644)
	if _, err := EvalCheckpoint(context.Background(), req, nil); err == nil || !strings.Contains(err.Error(), jpath) {
		t.Errorf("evaluation with a broken journal: %v", err)
	}

	// A run interrupted in its final evaluation, after the first
	// resolution, resumes it from the run's journal.
	rctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelOnWrite{match: "relative L2", cancel: cancel}
	o := opts
	o.Resume, o.Progress = true, w
	if _, err := Run(rctx, res.Config, o); err == nil {
		t.Fatalf("run interrupted in its evaluation: no error\n%s", w.String())
	}
	rj := filepath.Join(res.Dir, EvalJournalFile)
	if j := readJournal(t, rj); len(j.Rows) < 1 || !j.Rows[0].Done {
		t.Fatalf("run's journal: %+v", j.Rows)
	}
	var out bytes.Buffer
	o.Progress = &out
	again, err := Run(context.Background(), res.Config, o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "from the journal)") {
		t.Errorf("resumed run's progress:\n%s", out.String())
	}
	checkSame(t, res, again)
	if _, err := os.Stat(rj); err == nil {
		t.Errorf("%s left after the run", rj)
	}
}
