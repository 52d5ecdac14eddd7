package data

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseHeader feeds arbitrary attribute values to the reader's header
// handling: it must return an error or a consistent header, never panic or
// accept a header that describes an impossible file.
func FuzzParseHeader(f *testing.F) {
	for _, name := range PDEs {
		s := smallSpec(f, name)
		f.Add(s.canonicalJSON(), int64(s.N), int64(0), int64(1), int64(s.N), []byte{}, int64(1), Format)
		f.Add(s.canonicalJSON(), int64(2), int64(1), int64(3), int64(1), []byte{0, 0, 0, 0, 0, 0, 0, 1}, int64(1), Format)
	}
	f.Add(`{"pde":"burgers","n":-1}`, int64(1), int64(0), int64(1), int64(0), []byte{}, int64(1), Format)
	f.Add(`{"pde":"darcy","n":1,"resolution":1000000000,"dtype":"float32","darcy":{"solve_resolution":1000000001}}`,
		int64(1), int64(0), int64(1), int64(0), []byte{}, int64(1), Format)
	f.Add(`null`, int64(0), int64(0), int64(0), int64(0), []byte{1}, int64(2), "x")
	f.Fuzz(func(t *testing.T, spec string, count, start, step, done int64, pending []byte, schema int64, format string) {
		attrs := map[string]any{
			attrFormat: format, attrSchema: schema, attrSpec: spec,
			attrCount: count, attrStart: start, attrStep: step, attrDone: done,
		}
		var p []int64
		for len(pending) >= 8 {
			p = append(p, int64(binary.BigEndian.Uint64(pending)))
			pending = pending[8:]
		}
		attrs[attrPending] = p
		h, err := parseHeader(attrs)
		if err != nil {
			return
		}
		if h.count < 0 || h.done > h.count || h.step < 1 || (h.count > 0 && h.global(h.count-1) >= h.spec.N) {
			t.Fatalf("inconsistent header accepted: %+v", h)
		}
		if err := h.spec.Validate(); err != nil {
			t.Fatalf("invalid spec accepted: %v", err)
		}
		if h.spec.sampleValues() > maxSampleValues {
			t.Fatalf("oversized samples accepted: %v", h.spec.sampleValues())
		}
	})
}

// TestOpenCorrupt opens a valid file cut short at many lengths and with
// bytes of its superblock and metadata flipped: each open must fail with an
// error or read consistently, never crash. (The byte-level file format is
// libhdf5's to parse: fuzzing it finds crashes inside libhdf5 1.10 itself,
// so the fuzz target of this package is its own header handling,
// FuzzParseHeader; this test keeps a fixed corpus of corruptions.)
func TestOpenCorrupt(t *testing.T) {
	s := smallSpec(t, Burgers)
	s.N = 2
	path := filepath.Join(t.TempDir(), "seed.h5")
	gen(t, s, path, Options{})
	raw, err := os.ReadFile(path)
	must(t, err)
	var cases [][]byte
	for _, n := range []int{0, 7, 8, 96, 512, 2048, len(raw) / 2, len(raw) - 1} {
		cases = append(cases, raw[:min(n, len(raw))])
	}
	for _, off := range []int{9, 20, 40, 60, 100, 300, 800, 1500, len(raw) - 100} {
		c := append([]byte(nil), raw...)
		if off < len(c) {
			c[off] ^= 0x5a
		}
		cases = append(cases, c)
	}
	opened := 0
	for k, b := range cases {
		p := filepath.Join(t.TempDir(), "f.h5")
		must(t, os.WriteFile(p, b, 0o644))
		d, err := Open(p)
		if err != nil {
			if !strings.Contains(err.Error(), p) {
				t.Errorf("case %d: error %q does not name the file", k, err)
			}
			continue
		}
		opened++
		l, err := d.Loader(LoaderConfig{BatchSize: 4})
		if err == nil {
			for _, err := range l.Batches(0) {
				if err != nil {
					break
				}
			}
		}
		d.Close()
	}
	if opened == len(cases) {
		t.Error("no corrupted file was refused")
	}
}
