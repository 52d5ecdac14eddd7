package data

import (
	"math"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// h5dumpRun runs h5dump (hdf5-tools, installed by `make deps`).
func h5dumpRun(t *testing.T, args ...string) string {
	t.Helper()
	h5dump, err := exec.LookPath("h5dump")
	if err != nil {
		t.Skip("h5dump not on PATH (make deps installs hdf5-tools)")
	}
	out, err := exec.Command(h5dump, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("h5dump %v: %v\n%s", args, err, out)
	}
	return string(out)
}

var dumpNumber = regexp.MustCompile(`[-+0-9.eEinfINFa]+`)

// dumpValues parses the DATA block of `h5dump -y -m %.17g -d name`.
func dumpValues(t *testing.T, dump string) []float64 {
	t.Helper()
	i := strings.Index(dump, "DATA {")
	j := strings.Index(dump[i:], "}")
	if i < 0 || j < 0 {
		t.Fatalf("no DATA block in\n%s", dump)
	}
	var vals []float64
	for _, tok := range dumpNumber.FindAllString(dump[i+len("DATA {"):i+j], -1) {
		v, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			t.Fatalf("h5dump value %q: %v", tok, err)
		}
		vals = append(vals, v)
	}
	return vals
}

var dumpAttr = regexp.MustCompile(`DATA \{\s*\(0\): ([^\n]*)\n`)

// The reference tool reads the files: values, attributes, chunking and
// filters as written.
func TestH5dumpInterop(t *testing.T) {
	for _, dtype := range []string{Float64, Float32} {
		s := smallSpec(t, Burgers)
		s.N = 2
		s.Resolution = 8
		s.DType = dtype
		path := gen(t, s, tmp(t, "b.h5"), Options{Version: "v1.2.3", CommandLine: "sciml generate burgers --n 2"})
		d, err := Open(path)
		must(t, err)
		for _, f := range []Field{Input, Output} {
			dump := h5dumpRun(t, "-y", "-w", "0", "-m", "%.17g", "-d", "/"+f.String(), path)
			got := dumpValues(t, dump)
			var want []float64
			for i := 0; i < d.Len(); i++ {
				v, err := d.ReadSample(f, i)
				must(t, err)
				want = append(want, v...)
			}
			if len(got) != len(want) || len(want) != map[Field]int{Input: 2 * 8, Output: 2 * 2 * 8}[f] {
				t.Fatalf("%s %s: h5dump printed %d values, the reader %d", dtype, f, len(got), len(want))
			}
			for k := range want {
				if got[k] != want[k] || math.IsNaN(want[k]) {
					t.Fatalf("%s %s[%d]: h5dump %v, reader %v", dtype, f, k, got[k], want[k])
				}
			}
		}
		d.Close()

		hdr := h5dumpRun(t, "-A", "-p", "-m", "%.17g", path)
		attrs := map[string]string{}
		for _, block := range strings.Split(hdr, `ATTRIBUTE "`)[1:] {
			name, _, _ := strings.Cut(block, `"`)
			if m := dumpAttr.FindStringSubmatch(block); m != nil {
				attrs[name] = m[1]
			}
		}
		for k, v := range map[string]string{
			"pde": `"burgers"`, "seed": "11", "n": "2", "resolution": "8", "dtype": `"` + dtype + `"`,
			"viscosity": "0.10000000000000001", "final_time": "0.20000000000000001", "record_every": "0.10000000000000001",
			"sigma": "25", "tau": "5", "gamma": "2", "solve_resolution": "64", "time_step": "0.002",
			"downsample": `"stride"`, "solver": `"burgers-etdrk4"`, "sciml_version": `"v1.2.3"`,
			"command_line": `"sciml generate burgers --n 2"`, "samples_done": "2", "shard": `"0/1"`,
			"format": `"sciml-dataset"`, "cache_key": `"` + s.CacheKey() + `"`,
		} {
			if attrs[k] != v {
				t.Errorf("%s: h5dump shows attribute %s = %s, want %s", dtype, k, attrs[k], v)
			}
		}
		for _, w := range []string{
			`DATASET "output"`, "DATASPACE  SIMPLE { ( 2, 2, 8 ) / ( H5S_UNLIMITED, 2, 8 ) }",
			"CHUNKED ( 1, 2, 8 )", "PREPROCESSING SHUFFLE", "COMPRESSION DEFLATE { LEVEL 4 }",
			`DATASET "x"`, `GROUP "grid"`,
		} {
			if !strings.Contains(hdr, w) {
				t.Errorf("%s: h5dump header lacks %q", dtype, w)
			}
		}
		wantType := map[string]string{Float64: "H5T_IEEE_F64LE", Float32: "H5T_IEEE_F32LE"}[dtype]
		if !strings.Contains(hdr, wantType) {
			t.Errorf("h5dump header lacks %s", wantType)
		}
		x := dumpValues(t, h5dumpRun(t, "-y", "-w", "0", "-m", "%.17g", "-d", "/grid/x", path))
		for i, v := range x {
			if v != float64(i)/8 {
				t.Errorf("grid/x[%d] = %v", i, v)
			}
		}
	}
}
