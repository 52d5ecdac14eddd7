package experiments

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/nn"
	"github.com/sciml-go/sciml/operator"
	"github.com/sciml-go/sciml/tensor"
)

// EvalJournalFile is the journal of a run's final evaluation, in the run
// directory while the evaluation is under way.
const EvalJournalFile = "eval-journal.json"

// JournalPath is the journal `sciml eval` keeps for the table out:
// eval-421.md → eval-421.journal.json.
func JournalPath(out string) string {
	return strings.TrimSuffix(out, filepath.Ext(out)) + ".journal.json"
}

// evalJournal records the per-sample errors of an evaluation as it goes,
// written atomically after every batch, so that an interrupted evaluation
// (Ctrl-C, a machine that goes away) continues where it stopped instead
// of starting over: the per-sample errors do not depend on the batch, so
// the resumed evaluation's metrics are bit for bit the uninterrupted
// one's. Key identifies what was evaluated (the model's weights and
// normalisers, its config, the test samples); a journal with another key
// is discarded.
type evalJournal struct {
	path string
	Key  string       `json:"key"`
	Rows []journalRow `json:"rows"`
}

// journalRow is one evaluation (one resolution, or a super-resolution or
// via-training-grid pair) of a journal.
type journalRow struct {
	Name string `json:"name"`
	operator.SampleErrors
	// Samples is the number of samples the row evaluates (0 in journals
	// of session 15, which did not record it).
	Samples int `json:"samples,omitempty"`
	// Seconds is the wall time spent on the row, over all attempts.
	Seconds float64 `json:"seconds"`
	// Done is set when every sample is evaluated.
	Done bool `json:"done"`
}

// JournalProgress is how far one evaluation of a journal has got.
type JournalProgress struct {
	// Name is the evaluation: "421×421", "85×85 → 421×421", "421×421 via 85×85".
	Name string `json:"name"`
	// Evaluated of Samples test samples are done (Samples 0: not recorded).
	Evaluated int `json:"evaluated"`
	Samples   int `json:"samples,omitempty"`
	// Seconds is the wall time spent on it so far.
	Seconds float64 `json:"seconds"`
	// Done: every sample is evaluated.
	Done bool `json:"done"`
}

// ReadJournalProgress reads the evaluation journal at path (an
// EvalJournalFile in a run directory, or the <table>.journal.json of
// `sciml eval`) and says how far each of its evaluations has got.
func ReadJournalProgress(path string) ([]JournalProgress, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var j evalJournal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("evaluation journal %s: %v", path, err)
	}
	out := make([]JournalProgress, len(j.Rows))
	for i, r := range j.Rows {
		out[i] = JournalProgress{Name: r.Name, Evaluated: len(r.RelL2), Samples: r.Samples, Seconds: r.Seconds, Done: r.Done}
	}
	return out, nil
}

// openJournal reads the journal at path, or starts an empty one when there
// is none or it holds another evaluation (key differs; said on progress).
func openJournal(path, key string, progress io.Writer) (*evalJournal, error) {
	j := &evalJournal{path: path, Key: key}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return j, nil
	}
	if err != nil {
		return nil, fmt.Errorf("evaluation journal: %w", err)
	}
	var old evalJournal
	if err := json.Unmarshal(b, &old); err != nil {
		return nil, fmt.Errorf("evaluation journal %s: %v (delete it to evaluate from the start)", path, err)
	}
	if old.Key != key {
		if progress != nil {
			fmt.Fprintf(progress, "%s is the journal of another model, config or test set; evaluating from the start\n", path)
		}
		return j, nil
	}
	for _, r := range old.Rows {
		if len(r.H1) != 0 && len(r.H1) != len(r.RelL2) {
			return nil, fmt.Errorf("evaluation journal %s: row %q has %d L2 and %d H1 errors (delete it to evaluate from the start)",
				path, r.Name, len(r.RelL2), len(r.H1))
		}
	}
	old.path = path
	return &old, nil
}

// row returns the row named name, added when missing.
func (j *evalJournal) row(name string) *journalRow {
	for i := range j.Rows {
		if j.Rows[i].Name == name {
			return &j.Rows[i]
		}
	}
	j.Rows = append(j.Rows, journalRow{Name: name})
	return &j.Rows[len(j.Rows)-1]
}

// save writes the journal atomically.
func (j *evalJournal) save() error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(j.path, append(b, '\n')); err != nil {
		return fmt.Errorf("evaluation journal: %w", err)
	}
	return nil
}

// remove deletes the journal once its evaluation is reported.
func (j *evalJournal) remove() {
	if j != nil {
		os.Remove(j.path)
	}
}

// journalKey identifies an evaluation of p's model (its weights and
// normalisers as loaded) on its test samples: everything a per-sample
// error depends on. The evaluation settings other than H1 are left out:
// rows are matched by name, and the batch size changes no error.
func (p *pipeline) journalKey() (string, error) {
	h := sha256.New()
	c := *p.cfg
	c.Eval = EvalConfig{H1: p.cfg.Eval.H1}
	cj, err := c.JSON()
	if err != nil {
		return "", err
	}
	h.Write(cj)
	path, err := filepath.Abs(p.test.Path())
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "\x00%s\x00%d\x00%d\x00", path, p.testStart, p.testEnd)
	hashTensors(h, "model.", nn.StateDict(p.base))
	if p.inNorm != nil {
		hashTensors(h, "input_norm.", p.inNorm.State())
	}
	if p.outNorm != nil {
		hashTensors(h, "output_norm.", p.outNorm.State())
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashTensors writes the tensors of m to h in the order of their names,
// each as its name, shape and values.
func hashTensors(h hash.Hash, prefix string, m map[string]*tensor.Tensor) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		t := m[k]
		fmt.Fprintf(h, "%s%s%v%v\x00", prefix, k, t.DType(), t.Shape())
		var data any
		switch t.DType() {
		case tensor.Float32:
			data = t.Float32s()
		case tensor.Float64:
			data = t.Float64s()
		case tensor.Complex64:
			data = t.Complex64s()
		case tensor.Complex128:
			data = t.Complex128s()
		}
		binary.Write(h, binary.LittleEndian, data) // a hash.Hash never fails
	}
}
