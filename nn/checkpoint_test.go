package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

// sampleCheckpoint has tensors of every dtype, a 0-d and empty tensors,
// special values, optimizer state and all the metadata.
func sampleCheckpoint() *Checkpoint {
	r := rand.New(rand.NewPCG(11, 11))
	pcg := rand.NewPCG(1, 2)
	pcg.Uint64()
	rngState, _ := pcg.MarshalBinary()
	f64 := tensor.RandN(r, tensor.Float64, 2, 3)
	f64.Float64s()[0], f64.Float64s()[1], f64.Float64s()[2] = math.Inf(-1), math.Copysign(0, -1), math.NaN()
	sched, _ := MarshalSchedule(Warmup{Steps: 5, Then: StepLR{Base: 1e-3, StepSize: 100, Gamma: 0.5}})
	return &Checkpoint{
		Model: map[string]*tensor.Tensor{
			"lift.weight":               tensor.RandN(r, tensor.Float32, 4, 3),
			"lift.bias":                 tensor.RandN(r, tensor.Float32, 4),
			"layers.0.spectral.weight":  tensor.RandN(r, tensor.Complex64, 2, 2, 3),
			"layers.0.spectral.weight2": tensor.RandN(r, tensor.Complex128, 3),
			"norm.running_mean":         f64,
			"scale":                     tensor.Full(tensor.Float64, 2.5),
			"empty":                     tensor.Zeros(tensor.Float32, 2, 0),
		},
		Extra: map[string]*tensor.Tensor{"normalizer.mean": tensor.RandN(r, tensor.Float32, 5)},
		Optim: &OptimState{
			Kind:    "adam",
			Hyper:   json.RawMessage(`{"lr":0.001,"betas":[0.9,0.999],"eps":1e-8,"weight_decay":0.0001,"decoupled":false}`),
			Ints:    map[string]int64{"0.step": 7, "1.step": 1 << 40},
			Tensors: map[string]*tensor.Tensor{"0.exp_avg": tensor.RandN(r, tensor.Float32, 4, 3), "t": tensor.Full(tensor.Float64, 0.25)},
		},
		Schedule: sched,
		Config:   json.RawMessage(`{"model": "fno", "width": 32, "modes": [12, 12], "note": "<&>"}`),
		RNG:      map[string][]byte{"data": rngState, "dropout": {0, 1, 2}},
		Step:     1234,
		Epoch:    56,
		Meta:     map[string]string{"git": "abc123", "host": "ünïcode"},
	}
}

func equalMaps(t *testing.T, what string, got, want map[string]*tensor.Tensor) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d tensors, want %d", what, len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: missing %q", what, k)
			continue
		}
		if g.DType() != w.DType() || !slices.Equal(g.Shape(), w.Shape()) || !sameBits(g, w) {
			t.Errorf("%s %q: got %v, want %v", what, k, g, w)
		}
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	ck := sampleCheckpoint()
	if err := SaveCheckpoint(path, ck); err != nil {
		t.Fatal(err)
	}
	got, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	equalMaps(t, "model", got.Model, ck.Model)
	equalMaps(t, "extra", got.Extra, ck.Extra)
	equalMaps(t, "optim", got.Optim.Tensors, ck.Optim.Tensors)
	if got.Optim.Kind != "adam" || string(got.Optim.Hyper) != string(ck.Optim.Hyper) || !mapsEqual(got.Optim.Ints, ck.Optim.Ints) {
		t.Errorf("optimizer state %+v", got.Optim)
	}
	if string(got.Schedule) != string(ck.Schedule) {
		t.Errorf("schedule %s, want %s", got.Schedule, ck.Schedule)
	}
	var cfg, wantCfg any
	json.Unmarshal(got.Config, &cfg)
	json.Unmarshal(ck.Config, &wantCfg)
	if b1, b2 := mustJSON(cfg), mustJSON(wantCfg); b1 != b2 {
		t.Errorf("config %s, want %s", got.Config, ck.Config)
	}
	if len(got.RNG) != 2 || !bytes.Equal(got.RNG["data"], ck.RNG["data"]) || !bytes.Equal(got.RNG["dropout"], ck.RNG["dropout"]) {
		t.Errorf("RNG %v, want %v", got.RNG, ck.RNG)
	}
	if got.Step != 1234 || got.Epoch != 56 || !mapsEqual(got.Meta, ck.Meta) {
		t.Errorf("step %d epoch %d meta %v", got.Step, got.Epoch, got.Meta)
	}
	// Saving is deterministic and leaves no temporary files.
	if err := SaveCheckpoint(path+"2", ck); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(path + "2")
	if !bytes.Equal(a, b) {
		t.Error("two saves of the same checkpoint differ")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("directory holds %d entries, want 2", len(ents))
	}
}

func mapsEqual[V comparable](a, b map[string]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// TestCheckpointLayout checks the safetensors layout byte by byte on a
// small file: the header length, the padded JSON header and the data.
func TestCheckpointLayout(t *testing.T) {
	var buf bytes.Buffer
	ck := &Checkpoint{Model: map[string]*tensor.Tensor{
		"b": tensor.New([]float64{1.5}, 1),
		"a": tensor.New([]complex64{complex(1, -2)}, 1),
	}}
	if err := encodeCheckpoint(&buf, ck); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	n := binary.LittleEndian.Uint64(data)
	if (8+n)%8 != 0 {
		t.Errorf("data section starts at %d, not 8-byte aligned", 8+n)
	}
	var header map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	if got, want := string(header["model.a"]), `{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}`; got != want {
		t.Errorf("model.a: %s, want %s", got, want)
	}
	if got, want := string(header["model.b"]), `{"dtype":"F64","shape":[1],"data_offsets":[8,16]}`; got != want {
		t.Errorf("model.b: %s, want %s", got, want)
	}
	var meta map[string]string
	json.Unmarshal(header["__metadata__"], &meta)
	if meta["format"] != "sciml.checkpoint" || meta["format_version"] != "1" || meta["complex"] != `["model.a"]` {
		t.Errorf("metadata %v", meta)
	}
	body := data[8+n:]
	want := binary.LittleEndian.AppendUint32(nil, math.Float32bits(1))
	want = binary.LittleEndian.AppendUint32(want, math.Float32bits(-2))
	want = binary.LittleEndian.AppendUint64(want, math.Float64bits(1.5))
	if !bytes.Equal(body, want) {
		t.Errorf("data % x, want % x", body, want)
	}
}

// TestCheckpointForeignFile loads a plain safetensors file (as Python's
// safetensors.torch.save_file writes it): tensors land in Model unprefixed.
func TestCheckpointForeignFile(t *testing.T) {
	data := rawSafetensors(`{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
		binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, math.Float32bits(1)), math.Float32bits(2)))
	_, err := decodeCheckpoint(data)
	if err == nil || !strings.Contains(err.Error(), `format "pt"`) {
		t.Errorf("foreign format metadata: %v", err)
	}
	data = rawSafetensors(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`,
		binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, math.Float32bits(1)), math.Float32bits(2)))
	ck, err := decodeCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	if w := ck.Model["w"]; w == nil || w.Float32s()[1] != 2 || ck.Optim != nil {
		t.Errorf("plain safetensors file decoded as %+v", ck)
	}
}

// rawSafetensors assembles a file from a header and data.
func rawSafetensors(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

// TestCheckpointTruncated: every proper prefix of a checkpoint is rejected,
// and the error names the file.
func TestCheckpointTruncated(t *testing.T) {
	var buf bytes.Buffer
	if err := encodeCheckpoint(&buf, sampleCheckpoint()); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	for n := range len(full) {
		if _, err := decodeCheckpoint(full[:n]); err == nil {
			t.Fatalf("prefix of %d of %d bytes decoded", n, len(full))
		}
	}
	path := filepath.Join(t.TempDir(), "cut.safetensors")
	os.WriteFile(path, full[:len(full)-3], 0o644)
	_, err := LoadCheckpoint(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated file: %v", err)
	}
	_, err = LoadCheckpoint(filepath.Join(t.TempDir(), "missing"))
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestCheckpointCorrupt: damaged headers and data give errors that name the
// problem and the tensor.
func TestCheckpointCorrupt(t *testing.T) {
	d8 := make([]byte, 8)
	d16 := make([]byte, 16)
	cases := []struct {
		name, header string
		data         []byte
		want         string
	}{
		{"dtype", `{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, d8, `tensor "x": dtype "I64"`},
		{"byte count", `{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, d8, `tensor "x": F32[3] needs 12 bytes`},
		{"past end", `{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}`, d8, `tensor "x": data_offsets [0, 16] run past`},
		{"overlap", `{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, d16, `overlap tensor "x"`},
		{"gap", `{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, d8, `tensor "x": data_offsets [4, 8] leave a gap`},
		{"trailing", `{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, d8, `4 bytes after the last tensor`},
		{"reversed", `{"x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}`, d8, `tensor "x": invalid data_offsets`},
		{"offsets", `{"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}}`, d8, `tensor "x": data_offsets [0] is not`},
		{"negative dim", `{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, d8, `tensor "x": negative dimension`},
		{"huge shape", `{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, d8, `tensor "x": shape`},
		{"no shape", `{"x":{"dtype":"F32","data_offsets":[0,8]}}`, d8, `tensor "x": missing shape`},
		{"unknown field", `{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}`, d8, `tensor "x": header entry`},
		{"duplicate", `{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, d8, `duplicate entry "x"`},
		{"not JSON", `{"x":`, d8, `header`},
		{"not an object", `[1, 2]`, d8, `not a JSON object`},
		{"after object", `{} {}`, nil, `after the JSON object`},
		{"metadata type", `{"__metadata__":{"a":1}}`, nil, `__metadata__ must map strings to strings`},
		{"version", `{"__metadata__":{"format":"sciml.checkpoint","format_version":"9","step":"0","epoch":"0"}}`, nil, `format_version 9 is newer`},
		{"step", `{"__metadata__":{"format":"sciml.checkpoint","format_version":"1","step":"x","epoch":"0"}}`, nil, `bad step`},
		{"complex shape", `{"__metadata__":{"complex":"[\"x\"]"},"x":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]}}`, d8, `tensor "x": listed as complex`},
		{"complex missing", `{"__metadata__":{"complex":"[\"y\"]"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, d8, `complex lists tensors not in the file`},
		{"prefix", `{"__metadata__":{"format":"sciml.checkpoint","format_version":"1","step":"0","epoch":"0"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, d8, `tensor "x": name has no model.`},
		{"optimizer", `{"__metadata__":{"format":"sciml.checkpoint","format_version":"1","step":"0","epoch":"0","optimizer":"{\"kind\":1}"}}`, nil, `metadata: optimizer`},
		{"checksum", `{"__metadata__":{"crc32c":"{\"x\":\"00000000\"}"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, []byte{1, 2, 3, 4, 5, 6, 7, 8}, `tensor "x": checksum`},
	}
	for _, c := range cases {
		_, err := decodeCheckpoint(rawSafetensors(c.header, c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// A header length beyond the file, or beyond the format's limit.
	huge := binary.LittleEndian.AppendUint64(nil, 1<<62)
	if _, err := decodeCheckpoint(append(huge, "{}"...)); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("huge header length: %v", err)
	}
	// A flipped bit in a saved tensor is caught by its checksum.
	var buf bytes.Buffer
	encodeCheckpoint(&buf, sampleCheckpoint())
	data := buf.Bytes()
	data[len(data)-5] ^= 0x10
	path := filepath.Join(t.TempDir(), "flip.safetensors")
	os.WriteFile(path, data, 0o644)
	_, err := LoadCheckpoint(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "checksum") || !strings.Contains(err.Error(), "tensor ") {
		t.Errorf("flipped bit: %v", err)
	}
}

// TestCheckpointAtomic: a failed save leaves the previous file intact and
// no temporary file behind.
func TestCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	if err := SaveCheckpoint(path, sampleCheckpoint()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := []*Checkpoint{
		{Meta: map[string]string{"step": "7"}},
		{Config: json.RawMessage(`{"a":`)},
		{Model: map[string]*tensor.Tensor{"w": nil}},
		{Model: map[string]*tensor.Tensor{"": tensor.Zeros(tensor.Float32, 1)}},
		nil,
	}
	for _, ck := range bad {
		if err := SaveCheckpoint(path, ck); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("SaveCheckpoint(%+v): %v", ck, err)
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed save changed the existing checkpoint")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries after failed saves, want 1", len(ents))
	}
	if err := SaveCheckpoint(filepath.Join(dir, "no", "such", "dir", "ck"), sampleCheckpoint()); err == nil {
		t.Error("save into a missing directory succeeded")
	}
}

// tinyMLP is a 2-layer tanh network built from tensor operations.
type tinyMLP struct{ w1, b1, w2, b2 *tensor.Tensor }

func newTinyMLP(seed uint64, d tensor.DType) *tinyMLP {
	r := rand.New(rand.NewPCG(seed, 9))
	p := func(s ...int) *tensor.Tensor {
		return tensor.Scale(tensor.RandN(r, d, s...), 0.5).SetRequiresGrad(true)
	}
	return &tinyMLP{p(8, 2), p(8), p(1, 8), p(1)}
}

func (m *tinyMLP) params() []*tensor.Tensor { return []*tensor.Tensor{m.w1, m.b1, m.w2, m.b2} }

func (m *tinyMLP) state() map[string]*tensor.Tensor {
	return map[string]*tensor.Tensor{"fc1.weight": m.w1, "fc1.bias": m.b1, "fc2.weight": m.w2, "fc2.bias": m.b2}
}

func (m *tinyMLP) load(t *testing.T, sd map[string]*tensor.Tensor) {
	for k, p := range m.state() {
		src, ok := sd[k]
		if !ok {
			t.Fatalf("checkpoint lacks %q", k)
		}
		p.CopyFrom(src)
	}
}

func (m *tinyMLP) forward(x *tensor.Tensor) *tensor.Tensor {
	h := tensor.Tanh(tensor.Add(tensor.MatMulT(x, m.w1, false, true), m.b1))
	return tensor.Add(tensor.MatMulT(h, m.w2, false, true), m.b2)
}

// mlpData is a regression of y = sin(2x₀)·x₁ on 64 points.
func mlpData(d tensor.DType) (x, y []float64) {
	r := rand.New(rand.NewPCG(21, 21))
	for range 64 {
		a, b := 2*r.Float64()-1, 2*r.Float64()-1
		x = append(x, a, b)
		y = append(y, math.Sin(2*a)*b)
	}
	return
}

func mse(pred, y *tensor.Tensor) *tensor.Tensor {
	return tensor.Mean(tensor.Square(tensor.Sub(pred, y)))
}

// TestResumeAdamExact: ten Adam steps with a step schedule and random
// minibatches equal five steps, a checkpoint on disk, a fresh model,
// optimizer and generator restored from it, and five more steps — bit for
// bit.
func TestResumeAdamExact(t *testing.T) {
	for _, d := range []tensor.DType{tensor.Float32, tensor.Float64} {
		xs, ys := mlpData(d)
		batch := func(r *rand.Rand) (*tensor.Tensor, *tensor.Tensor) {
			var bx, by []float64
			for range 16 {
				i := r.IntN(64)
				bx = append(bx, xs[2*i], xs[2*i+1])
				by = append(by, ys[i])
			}
			return tensor.FromFloat64s(d, bx, 16, 2), tensor.FromFloat64s(d, by, 16, 1)
		}
		sched := StepLR{Base: 0.05, StepSize: 3, Gamma: 0.5}
		train := func(m *tinyMLP, opt *Adam, sched Schedule, pcg *rand.PCG, from, to int) {
			r := rand.New(pcg)
			for step := from; step < to; step++ {
				ApplySchedule(opt, sched, step)
				x, y := batch(r)
				opt.ZeroGrad()
				mse(m.forward(x), y).Backward()
				ClipGradNorm(m.params(), 1)
				opt.Step()
			}
		}
		// Uninterrupted.
		m := newTinyMLP(1, d)
		opt := NewAdam(m.params(), AdamConfig{LR: 0.05, WeightDecay: 1e-3})
		train(m, opt, sched, rand.NewPCG(5, 6), 0, 10)
		want := m.params()

		// Interrupted at step 5.
		m2 := newTinyMLP(1, d)
		opt2 := NewAdam(m2.params(), AdamConfig{LR: 0.05, WeightDecay: 1e-3})
		pcg := rand.NewPCG(5, 6)
		train(m2, opt2, sched, pcg, 0, 5)
		rngState, _ := pcg.MarshalBinary()
		schedJSON, _ := MarshalSchedule(sched)
		path := filepath.Join(t.TempDir(), "ck.safetensors")
		err := SaveCheckpoint(path, &Checkpoint{Model: m2.state(), Optim: opt2.State(), Schedule: schedJSON,
			Config: json.RawMessage(`{"hidden":8}`), RNG: map[string][]byte{"batches": rngState}, Step: 5})
		if err != nil {
			t.Fatal(err)
		}

		ck, err := LoadCheckpoint(path)
		if err != nil {
			t.Fatal(err)
		}
		m3 := newTinyMLP(99, d) // different initial weights, overwritten by the checkpoint
		m3.load(t, ck.Model)
		opt3 := NewAdam(m3.params(), AdamConfig{LR: 1})
		if err := opt3.LoadState(ck.Optim); err != nil {
			t.Fatal(err)
		}
		s3, err := UnmarshalSchedule(ck.Schedule)
		if err != nil {
			t.Fatal(err)
		}
		pcg3 := rand.NewPCG(0, 0)
		if err := pcg3.UnmarshalBinary(ck.RNG["batches"]); err != nil {
			t.Fatal(err)
		}
		train(m3, opt3, s3, pcg3, int(ck.Step), 10)
		for i, p := range m3.params() {
			if !sameBits(p, want[i]) {
				t.Errorf("%v: parameter %d after resuming differs from the uninterrupted run", d, i)
			}
		}
		// The run moved: the check is not vacuous.
		if sameBits(want[0], newTinyMLP(1, d).w1) {
			t.Fatalf("%v: training did not change the parameters", d)
		}
	}
}

// TestResumeLBFGSExact: L-BFGS (float64, strong Wolfe) resumes mid-run from
// a checkpoint on disk, history included, bit for bit.
func TestResumeLBFGSExact(t *testing.T) {
	xs, ys := mlpData(tensor.Float64)
	x, y := tensor.FromFloat64s(tensor.Float64, xs, 64, 2), tensor.FromFloat64s(tensor.Float64, ys, 64, 1)
	cfg := LBFGSConfig{LineSearch: "strong_wolfe", MaxIter: 5, HistorySize: 4}
	steps := func(m *tinyMLP, opt *LBFGS, n int) float64 {
		closure := func() float64 {
			opt.ZeroGrad()
			l := mse(m.forward(x), y)
			l.Backward()
			return l.Item()
		}
		loss := 0.0
		for range n {
			loss = opt.Step(closure)
		}
		return loss
	}
	m := newTinyMLP(3, tensor.Float64)
	opt := NewLBFGS(m.params(), cfg)
	loss0 := steps(m, opt, 1)
	lossEnd := steps(m, opt, 5)
	if !(lossEnd < loss0/10) {
		t.Fatalf("L-BFGS did not train: loss %g -> %g", loss0, lossEnd)
	}
	m2 := newTinyMLP(3, tensor.Float64)
	opt2 := NewLBFGS(m2.params(), cfg)
	steps(m2, opt2, 3)
	path := filepath.Join(t.TempDir(), "pinn.safetensors")
	if err := SaveCheckpoint(path, &Checkpoint{Model: m2.state(), Optim: opt2.State(), Step: 3}); err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if ck.Optim.Tensors["old_dirs"].Dim(0) != 4 {
		t.Errorf("checkpointed history holds %d pairs, want 4", ck.Optim.Tensors["old_dirs"].Dim(0))
	}
	m3 := newTinyMLP(42, tensor.Float64)
	m3.load(t, ck.Model)
	opt3 := NewLBFGS(m3.params(), LBFGSConfig{})
	if err := opt3.LoadState(ck.Optim); err != nil {
		t.Fatal(err)
	}
	steps(m3, opt3, 3)
	for i, p := range m3.params() {
		if !sameBits(p, m.params()[i]) {
			t.Errorf("parameter %d after resuming L-BFGS differs from the uninterrupted run", i)
		}
	}
	if opt3.Iterations() != opt.Iterations() || opt3.Evaluations() != opt.Evaluations() {
		t.Errorf("counters %d/%d, want %d/%d", opt3.Iterations(), opt3.Evaluations(), opt.Iterations(), opt.Evaluations())
	}
}

// FuzzLoadCheckpoint: the decoder never panics, and what it accepts
// survives a save/load round trip.
func FuzzLoadCheckpoint(f *testing.F) {
	var buf bytes.Buffer
	small := &Checkpoint{
		Model: map[string]*tensor.Tensor{"w": tensor.New([]float32{1, 2}, 2), "z": tensor.New([]complex128{1i}, 1)},
		Optim: &OptimState{Kind: "sgd", Hyper: json.RawMessage(`{"lr":0.1}`), Ints: map[string]int64{"0.step": 1}},
		Step:  3,
	}
	encodeCheckpoint(&buf, small)
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:40])
	f.Add(rawSafetensors(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, []byte{0, 0, 128, 63}))
	f.Add(rawSafetensors(`{"__metadata__":{"complex":"[\"x\"]"},"x":{"dtype":"F64","shape":[0,2],"data_offsets":[0,0]}}`, nil))
	f.Add(rawSafetensors(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, []byte{1, 2, 3, 4}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		ck, err := decodeCheckpoint(data)
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := encodeCheckpoint(&out, ck); err != nil {
			return // e.g. a foreign file whose metadata uses reserved keys
		}
		ck2, err := decodeCheckpoint(out.Bytes())
		if err != nil {
			t.Fatalf("re-encoded checkpoint does not decode: %v", err)
		}
		equalMaps(t, "model", ck2.Model, ck.Model)
		equalMaps(t, "extra", ck2.Extra, ck.Extra)
	})
}

func BenchmarkCheckpoint(b *testing.B) {
	ps := benchParams(tensor.Float32)
	o := NewAdam(ps, AdamConfig{})
	o.Step()
	model := map[string]*tensor.Tensor{}
	for i, p := range ps {
		model[stateKey(i, "w")] = p
	}
	ck := &Checkpoint{Model: model, Optim: o.State()}
	path := filepath.Join(b.TempDir(), "bench.safetensors")
	b.Run("save", func(b *testing.B) {
		for range b.N {
			if err := SaveCheckpoint(path, ck); err != nil {
				b.Fatal(err)
			}
		}
		fi, _ := os.Stat(path)
		b.SetBytes(fi.Size())
	})
	b.Run("load", func(b *testing.B) {
		fi, _ := os.Stat(path)
		b.SetBytes(fi.Size())
		for range b.N {
			if _, err := LoadCheckpoint(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
