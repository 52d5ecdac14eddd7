package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/sciml-go/sciml/internal/atomicfile"
	"github.com/sciml-go/sciml/tensor"
)

// CheckpointFormat and CheckpointVersion identify sciml checkpoints in the
// "format" and "format_version" metadata entries.
const (
	CheckpointFormat  = "sciml.checkpoint"
	CheckpointVersion = 1
)

// maxHeaderBytes bounds the JSON header, as the safetensors library does.
const maxHeaderBytes = 100_000_000

// Checkpoint is everything needed to resume training exactly: the model's
// parameters and buffers, the optimizer's state, the schedule, the model
// config, the random number generators' states and the position in the
// run. A resumed run that restores all of it reproduces the uninterrupted
// run bit for bit.
type Checkpoint struct {
	Model    map[string]*tensor.Tensor // parameters and buffers by name (nn.StateDict)
	Extra    map[string]*tensor.Tensor // other tensors (normalizer statistics, …)
	Optim    *OptimState               // optimizer state (Optimizer.State, LBFGS.State)
	Schedule json.RawMessage           // the learning-rate schedule (MarshalSchedule)
	Config   json.RawMessage           // the model/experiment config, any JSON value
	// RNG holds the states of named random sources, as their MarshalBinary
	// returns them (math/rand/v2's PCG and ChaCha8 implement it):
	//
	//	b, _ := pcg.MarshalBinary()           // save
	//	err := pcg.UnmarshalBinary(ck.RNG["data"]) // restore
	RNG   map[string][]byte
	Step  int64             // optimizer steps taken
	Epoch int64             // epochs completed
	Meta  map[string]string // free-form metadata (keys other than the reserved ones below)
}

// reservedMeta are the metadata keys a checkpoint writes itself.
var reservedMeta = []string{"format", "format_version", "step", "epoch", "config", "schedule", "optimizer", "rng", "complex", "crc32c"}

// crcTable is the CRC-32C (Castagnoli) table used for tensor checksums.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// optimMeta is the JSON of the "optimizer" metadata entry.
type optimMeta struct {
	Kind  string           `json:"kind"`
	Hyper json.RawMessage  `json:"hyper"`
	Ints  map[string]int64 `json:"ints"`
}

// SaveCheckpoint writes ck to path in the safetensors format, atomically:
// it writes a temporary file in the same directory, syncs it and renames it
// over path, so path always holds a complete checkpoint.
//
// # File format
//
// A safetensors file (https://github.com/huggingface/safetensors): an
// 8-byte little-endian unsigned header length N, N bytes of JSON header
// (padded with spaces to a multiple of 8), then the tensor data, each
// tensor's elements row-major, little-endian and contiguous. The header
// maps every tensor name to {"dtype": "F32"|"F64", "shape": [...],
// "data_offsets": [begin, end]} (byte offsets into the data, which the
// tensors cover without gaps, in name order), and "__metadata__" to a
// string→string map. Tensors are named
//
//	model.<name>   Checkpoint.Model (parameters and buffers)
//	optim.<name>   Checkpoint.Optim.Tensors ("optim.0.exp_avg", "optim.d", …)
//	extra.<name>   Checkpoint.Extra
//
// safetensors has no complex dtype: a complex64 (complex128) tensor of
// shape S is stored as F32 (F64) of shape S + [2], real part first (the
// layout of torch.view_as_real), and its name is listed in the "complex"
// metadata entry. The metadata entries are
//
//	format          "sciml.checkpoint"
//	format_version  "1"
//	step, epoch     decimal integers
//	config          the model config (JSON)
//	schedule        the schedule (JSON, MarshalSchedule)
//	optimizer       {"kind": …, "hyper": {…}, "ints": {…}} (JSON)
//	rng             {name: base64 state} (JSON)
//	complex         [tensor names] (JSON)
//	crc32c          {tensor name: CRC-32C of its bytes, 8 hex digits} (JSON)
//
// plus the user's Meta. The checksums let LoadCheckpoint tell a corrupt
// tensor from a valid one; other safetensors readers ignore them. In Python, safetensors.torch.load_file(path) reads
// the tensors (then torch.view_as_complex for the complex ones) and
// safetensors.safe_open(path, "pt").metadata() the metadata; without the
// safetensors package, the format is simple enough to read by hand:
//
//	import json, struct, torch
//	def load(path):
//	    with open(path, "rb") as f:
//	        n, = struct.unpack("<Q", f.read(8))
//	        header = json.loads(f.read(n))
//	        data = bytearray(f.read())
//	    meta = header.pop("__metadata__", {})
//	    cplx = set(json.loads(meta.get("complex", "[]")))
//	    dt = {"F32": torch.float32, "F64": torch.float64}
//	    out = {}
//	    for name, info in header.items():
//	        b, e = info["data_offsets"]
//	        t = torch.frombuffer(data[b:e], dtype=dt[info["dtype"]]) if e > b else torch.empty(0)
//	        t = t.reshape(info["shape"])
//	        out[name] = torch.view_as_complex(t) if name in cplx else t
//	    return out, meta
func SaveCheckpoint(path string, ck *Checkpoint) error {
	if ck == nil {
		return fmt.Errorf("save checkpoint %s: nil checkpoint", path)
	}
	if err := atomicfile.Write(path, func(w io.Writer) error { return encodeCheckpoint(w, ck) }); err != nil {
		return fmt.Errorf("save checkpoint %s: %w", path, err)
	}
	return nil
}

// ckEntry is one tensor of a checkpoint file.
type ckEntry struct {
	name    string
	t       *tensor.Tensor
	dtype   string // "F32" or "F64"
	shape   []int  // stored shape (complex: + [2])
	bytes   int
	complex bool
}

// encodeCheckpoint writes ck in the safetensors layout.
func encodeCheckpoint(w io.Writer, ck *Checkpoint) error {
	var entries []ckEntry
	add := func(prefix string, m map[string]*tensor.Tensor) error {
		for name, t := range m {
			if name == "" {
				return fmt.Errorf("%s tensor with an empty name", strings.TrimSuffix(prefix, "."))
			}
			if t == nil {
				return fmt.Errorf("tensor %q is nil", prefix+name)
			}
			e := ckEntry{name: prefix + name, t: t, shape: slices.Clone(t.Shape())}
			switch t.DType() {
			case tensor.Float32:
				e.dtype = "F32"
			case tensor.Float64:
				e.dtype = "F64"
			case tensor.Complex64:
				e.dtype, e.complex = "F32", true
			case tensor.Complex128:
				e.dtype, e.complex = "F64", true
			default:
				return fmt.Errorf("tensor %q has unsupported dtype %v", prefix+name, t.DType())
			}
			if e.complex {
				e.shape = append(e.shape, 2)
			}
			e.bytes = t.Numel() * t.DType().Size()
			entries = append(entries, e)
		}
		return nil
	}
	if err := add("model.", ck.Model); err != nil {
		return err
	}
	if err := add("extra.", ck.Extra); err != nil {
		return err
	}
	meta := map[string]string{
		"format":         CheckpointFormat,
		"format_version": strconv.Itoa(CheckpointVersion),
		"step":           strconv.FormatInt(ck.Step, 10),
		"epoch":          strconv.FormatInt(ck.Epoch, 10),
	}
	if ck.Optim != nil {
		if err := add("optim.", ck.Optim.Tensors); err != nil {
			return err
		}
		hyper := ck.Optim.Hyper
		if len(hyper) == 0 {
			hyper = json.RawMessage("null")
		}
		b, err := json.Marshal(optimMeta{Kind: ck.Optim.Kind, Hyper: hyper, Ints: ck.Optim.Ints})
		if err != nil {
			return fmt.Errorf("optimizer state: %w", err)
		}
		meta["optimizer"] = string(b)
	}
	for key, raw := range map[string]json.RawMessage{"config": ck.Config, "schedule": ck.Schedule} {
		if len(raw) == 0 {
			continue
		}
		if !json.Valid(raw) {
			return fmt.Errorf("%s is not valid JSON", key)
		}
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		meta[key] = b.String()
	}
	if len(ck.RNG) > 0 {
		b, _ := json.Marshal(ck.RNG)
		meta["rng"] = string(b)
	}
	for k, v := range ck.Meta {
		if slices.Contains(reservedMeta, k) {
			return fmt.Errorf("metadata key %q is reserved", k)
		}
		meta[k] = v
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	var complexNames []string
	for _, e := range entries {
		if e.complex {
			complexNames = append(complexNames, e.name)
		}
	}
	if len(complexNames) > 0 {
		b, _ := json.Marshal(complexNames)
		meta["complex"] = string(b)
	}

	// Checksums of each tensor's bytes (a first encoding pass).
	buf := make([]byte, 0, 1<<16)
	sums := make(map[string]string, len(entries))
	for _, e := range entries {
		h := crc32.New(crcTable)
		if err := encodeTensor(h, buf, e.t); err != nil {
			return err
		}
		sums[e.name] = fmt.Sprintf("%08x", h.Sum32())
	}
	if len(sums) > 0 {
		b, _ := json.Marshal(sums)
		meta["crc32c"] = string(b)
	}

	// Header: metadata first, then tensors in name order (offsets in that
	// order), JSON without HTML escaping, space-padded to a multiple of 8.
	var h bytes.Buffer
	h.WriteString(`{"__metadata__":`)
	writeJSON(&h, meta)
	off := 0
	for _, e := range entries {
		h.WriteByte(',')
		writeJSON(&h, e.name)
		fmt.Fprintf(&h, `:{"dtype":"%s","shape":[`, e.dtype)
		for i, s := range e.shape {
			if i > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(s))
		}
		fmt.Fprintf(&h, `],"data_offsets":[%d,%d]}`, off, off+e.bytes)
		off += e.bytes
	}
	h.WriteByte('}')
	for (8+h.Len())%8 != 0 {
		h.WriteByte(' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(h.Len()))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(h.Bytes()); err != nil {
		return err
	}
	for _, e := range entries {
		if err := encodeTensor(w, buf, e.t); err != nil {
			return err
		}
	}
	return nil
}

// encodeTensor writes t's real components little-endian: straight from
// memory on little-endian machines, through buf otherwise.
func encodeTensor(w io.Writer, buf []byte, t *tensor.Tensor) error {
	if t.Numel() == 0 {
		return nil
	}
	if littleEndian {
		_, err := w.Write(rawBytes(t))
		return err
	}
	if t.DType().Real() == tensor.Float32 {
		return writeLE(w, buf, reals32(t), func(b []byte, v float32) []byte {
			return binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		})
	}
	return writeLE(w, buf, reals64(t), func(b []byte, v float64) []byte {
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	})
}

// littleEndian reports whether the machine stores numbers little-endian,
// as safetensors files do.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// rawBytes returns the storage of a non-empty tensor as bytes (shared).
func rawBytes(t *tensor.Tensor) []byte {
	n := t.Numel() * t.DType().Size()
	if t.DType().Real() == tensor.Float32 {
		return unsafe.Slice((*byte)(unsafe.Pointer(&reals32(t)[0])), n)
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&reals64(t)[0])), n)
}

// writeJSON appends v as JSON without HTML escaping and without a newline.
func writeJSON(b *bytes.Buffer, v any) {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // strings and string maps always encode
	}
	b.Write(bytes.TrimRight(tmp.Bytes(), "\n"))
}

// writeLE writes xs little-endian through buf in chunks.
func writeLE[T float32 | float64](w io.Writer, buf []byte, xs []T, put func([]byte, T) []byte) error {
	for len(xs) > 0 {
		buf = buf[:0]
		k := min(len(xs), cap(buf)/8)
		for _, v := range xs[:k] {
			buf = put(buf, v)
		}
		xs = xs[k:]
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by SaveCheckpoint. It checks the
// whole file first: the header length against the file size, the JSON
// header (no duplicate names), every tensor's dtype, shape and byte count,
// and that the data offsets lie within the file and tile the data section
// without overlaps, gaps or trailing bytes. A truncated or corrupt file
// gives an error naming the file and, where one is at fault, the tensor.
//
// A safetensors file without sciml metadata (one written by PyTorch users
// with safetensors.torch.save_file, say) also loads: all its tensors go
// into Model under their own names. Only F32 and F64 tensors are read.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint: %w", err)
	}
	ck, err := decodeCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("load checkpoint %s: %w", path, err)
	}
	return ck, nil
}

// ckInfo is a tensor entry of the header.
type ckInfo struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

type ckHeaderEntry struct {
	name  string
	info  ckInfo
	begin int64
	end   int64
}

// parseHeader parses the JSON header strictly: an object of tensor
// entries and an optional "__metadata__" string map, no duplicate keys, no
// unknown fields, nothing after the object.
func parseHeader(h []byte) ([]ckHeaderEntry, map[string]string, error) {
	if len(h) == 0 || h[0] != '{' {
		return nil, nil, errors.New("header is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(h))
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	var entries []ckHeaderEntry
	var meta map[string]string
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("header: %w", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, nil, fmt.Errorf("header: unexpected %v", tok)
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("header: duplicate entry %q", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, fmt.Errorf("header: entry %q: %w", name, err)
		}
		if name == "__metadata__" {
			if err := strictJSON(raw, &meta); err != nil {
				return nil, nil, fmt.Errorf("header: __metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var info ckInfo
		if err := strictJSON(raw, &info); err != nil {
			return nil, nil, fmt.Errorf("tensor %q: header entry: %w", name, err)
		}
		entries = append(entries, ckHeaderEntry{name: name, info: info})
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, fmt.Errorf("header: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("header: data after the JSON object")
	}
	return entries, meta, nil
}

// strictJSON decodes raw into v, rejecting unknown fields and null.
func strictJSON(raw []byte, v any) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return errors.New("null")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// decodeCheckpoint parses a checkpoint file's bytes.
func decodeCheckpoint(data []byte) (*Checkpoint, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("file is %d bytes, too short for the 8-byte header length (truncated?)", len(data))
	}
	hn := binary.LittleEndian.Uint64(data[:8])
	if hn > uint64(len(data)-8) {
		return nil, fmt.Errorf("header length %d exceeds the %d bytes that follow it (truncated or not a safetensors file)", hn, len(data)-8)
	}
	if hn > maxHeaderBytes {
		return nil, fmt.Errorf("header length %d exceeds the limit of %d bytes", hn, maxHeaderBytes)
	}
	entries, meta, err := parseHeader(data[8 : 8+hn])
	if err != nil {
		return nil, err
	}
	body := data[8+hn:]

	// Validate each entry, then the tiling of the data section.
	for i := range entries {
		e := &entries[i]
		size := 0
		switch e.info.DType {
		case "F32":
			size = 4
		case "F64":
			size = 8
		default:
			return nil, fmt.Errorf("tensor %q: dtype %q is not supported (F32 and F64 are)", e.name, e.info.DType)
		}
		if e.info.Shape == nil {
			return nil, fmt.Errorf("tensor %q: missing shape", e.name)
		}
		numel := int64(1)
		for _, s := range e.info.Shape {
			if s < 0 {
				return nil, fmt.Errorf("tensor %q: negative dimension in shape %v", e.name, e.info.Shape)
			}
			if s != 0 && numel > int64(len(body))/s {
				return nil, fmt.Errorf("tensor %q: shape %v needs more bytes than the file's %d-byte data section", e.name, e.info.Shape, len(body))
			}
			numel *= s
		}
		if len(e.info.DataOffsets) != 2 {
			return nil, fmt.Errorf("tensor %q: data_offsets %v is not [begin, end]", e.name, e.info.DataOffsets)
		}
		e.begin, e.end = e.info.DataOffsets[0], e.info.DataOffsets[1]
		if e.begin < 0 || e.end < e.begin {
			return nil, fmt.Errorf("tensor %q: invalid data_offsets [%d, %d]", e.name, e.begin, e.end)
		}
		if e.end > int64(len(body)) {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] run past the %d-byte data section (truncated?)", e.name, e.begin, e.end, len(body))
		}
		if want := numel * int64(size); e.end-e.begin != want {
			return nil, fmt.Errorf("tensor %q: %s%v needs %d bytes, data_offsets [%d, %d] give %d", e.name, e.info.DType, e.info.Shape, want, e.begin, e.end, e.end-e.begin)
		}
	}
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ea, eb := entries[order[a]], entries[order[b]]
		if ea.begin != eb.begin {
			return ea.begin < eb.begin
		}
		return ea.end < eb.end
	})
	pos := int64(0)
	prev := ""
	for _, i := range order {
		e := entries[i]
		if e.begin < pos {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap tensor %q", e.name, e.begin, e.end, prev)
		}
		if e.begin > pos {
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] leave a gap of %d bytes before it", e.name, e.begin, e.end, e.begin-pos)
		}
		pos = e.end
		prev = e.name
	}
	if pos != int64(len(body)) {
		return nil, fmt.Errorf("%d bytes after the last tensor's data (corrupt file)", int64(len(body))-pos)
	}

	// Metadata.
	ck := &Checkpoint{}
	ours := false
	if f, ok := meta["format"]; ok {
		if f != CheckpointFormat {
			return nil, fmt.Errorf("metadata: format %q is not %q", f, CheckpointFormat)
		}
		ours = true
		v, err := strconv.Atoi(meta["format_version"])
		if err != nil || v < 1 {
			return nil, fmt.Errorf("metadata: bad format_version %q", meta["format_version"])
		}
		if v > CheckpointVersion {
			return nil, fmt.Errorf("metadata: format_version %d is newer than this reader's %d", v, CheckpointVersion)
		}
		if ck.Step, err = strconv.ParseInt(meta["step"], 10, 64); err != nil {
			return nil, fmt.Errorf("metadata: bad step %q", meta["step"])
		}
		if ck.Epoch, err = strconv.ParseInt(meta["epoch"], 10, 64); err != nil {
			return nil, fmt.Errorf("metadata: bad epoch %q", meta["epoch"])
		}
	}
	complexNames := map[string]bool{}
	if s, ok := meta["complex"]; ok {
		var names []string
		if err := json.Unmarshal([]byte(s), &names); err != nil {
			return nil, fmt.Errorf("metadata: complex: %w", err)
		}
		for _, n := range names {
			complexNames[n] = true
		}
	}
	if s, ok := meta["crc32c"]; ok {
		var sums map[string]string
		if err := json.Unmarshal([]byte(s), &sums); err != nil {
			return nil, fmt.Errorf("metadata: crc32c: %w", err)
		}
		for _, e := range entries {
			want, ok := sums[e.name]
			if !ok {
				return nil, fmt.Errorf("tensor %q: no checksum in the crc32c metadata", e.name)
			}
			if got := fmt.Sprintf("%08x", crc32.Checksum(body[e.begin:e.end], crcTable)); got != want {
				return nil, fmt.Errorf("tensor %q: checksum %s, header says %s (corrupt data)", e.name, got, want)
			}
		}
		if len(sums) != len(entries) {
			return nil, fmt.Errorf("metadata: crc32c has %d checksums for %d tensors", len(sums), len(entries))
		}
	}
	if ours {
		for _, key := range []string{"config", "schedule"} {
			if s, ok := meta[key]; ok {
				if !json.Valid([]byte(s)) {
					return nil, fmt.Errorf("metadata: %s is not valid JSON", key)
				}
				if key == "config" {
					ck.Config = json.RawMessage(s)
				} else {
					ck.Schedule = json.RawMessage(s)
				}
			}
		}
		if s, ok := meta["rng"]; ok {
			if err := json.Unmarshal([]byte(s), &ck.RNG); err != nil {
				return nil, fmt.Errorf("metadata: rng: %w", err)
			}
		}
		if s, ok := meta["optimizer"]; ok {
			var om optimMeta
			if err := strictJSON([]byte(s), &om); err != nil {
				return nil, fmt.Errorf("metadata: optimizer: %w", err)
			}
			ck.Optim = &OptimState{Kind: om.Kind, Hyper: om.Hyper, Ints: om.Ints, Tensors: map[string]*tensor.Tensor{}}
			if ck.Optim.Ints == nil {
				ck.Optim.Ints = map[string]int64{}
			}
		}
	}
	for k, v := range meta {
		if !slices.Contains(reservedMeta, k) {
			if ck.Meta == nil {
				ck.Meta = map[string]string{}
			}
			ck.Meta[k] = v
		}
	}

	// Tensors.
	for _, e := range entries {
		shape := make([]int, len(e.info.Shape))
		for i, s := range e.info.Shape {
			shape[i] = int(s)
		}
		raw := body[e.begin:e.end]
		var t *tensor.Tensor
		if complexNames[e.name] {
			if len(shape) == 0 || shape[len(shape)-1] != 2 {
				return nil, fmt.Errorf("tensor %q: listed as complex but shape %v does not end in 2", e.name, shape)
			}
			delete(complexNames, e.name)
			shape = shape[:len(shape)-1]
			if e.info.DType == "F32" {
				t = tensor.Zeros(tensor.Complex64, shape...)
				readLE(reals32(t), raw)
			} else {
				t = tensor.Zeros(tensor.Complex128, shape...)
				readLE(reals64(t), raw)
			}
		} else if e.info.DType == "F32" {
			t = tensor.Zeros(tensor.Float32, shape...)
			readLE(t.Float32s(), raw)
		} else {
			t = tensor.Zeros(tensor.Float64, shape...)
			readLE(t.Float64s(), raw)
		}
		name := e.name
		switch {
		case !ours:
			putTensor(&ck.Model, name, t)
		case strings.HasPrefix(name, "model."):
			putTensor(&ck.Model, strings.TrimPrefix(name, "model."), t)
		case strings.HasPrefix(name, "extra."):
			putTensor(&ck.Extra, strings.TrimPrefix(name, "extra."), t)
		case strings.HasPrefix(name, "optim.") && ck.Optim != nil:
			ck.Optim.Tensors[strings.TrimPrefix(name, "optim.")] = t
		default:
			return nil, fmt.Errorf("tensor %q: name has no model., optim. (with optimizer metadata) or extra. prefix", name)
		}
	}
	if len(complexNames) > 0 {
		names := make([]string, 0, len(complexNames))
		for n := range complexNames {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("metadata: complex lists tensors not in the file: %q", names)
	}
	return ck, nil
}

func putTensor(m *map[string]*tensor.Tensor, name string, t *tensor.Tensor) {
	if *m == nil {
		*m = map[string]*tensor.Tensor{}
	}
	(*m)[name] = t
}

// readLE decodes little-endian floats from raw into dst (len(raw) is
// len(dst) times the element size).
func readLE[T float32 | float64](dst []T, raw []byte) {
	if len(dst) == 0 {
		return
	}
	if littleEndian {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&dst[0])), len(raw)), raw)
		return
	}
	switch d := any(dst).(type) {
	case []float32:
		for i := range d {
			d[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case []float64:
		for i := range d {
			d[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	}
}
