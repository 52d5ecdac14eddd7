package operator

import (
	"testing"

	"github.com/sciml-go/sciml/tensor"
)

func TestGridFeatures(t *testing.T) {
	g := GridFeatures(tensor.Float64, Closed, 2, 3, 5)
	if s := g.Shape(); len(s) != 4 || s[0] != 2 || s[1] != 2 || s[2] != 3 || s[3] != 5 {
		t.Fatalf("shape %v", s)
	}
	for b := range 2 {
		if v := g.At(b, 0, 2, 1); v != 1 {
			t.Fatalf("x at row 2 of 3 (closed) = %v, want 1", v)
		}
		if v := g.At(b, 1, 0, 4); v != 1 {
			t.Fatalf("y at column 4 of 5 (closed) = %v, want 1", v)
		}
		if v := g.At(b, 1, 1, 2); v != 0.5 {
			t.Fatalf("y at column 2 of 5 = %v, want 0.5", v)
		}
	}
	p := GridFeatures(tensor.Float32, Periodic, 1, 4)
	want := []float32{0, 0.25, 0.5, 0.75}
	for i, v := range p.Float32s() {
		if v != want[i] {
			t.Fatalf("periodic coords %v, want %v", p.Float32s(), want)
		}
	}
	if _, err := ParseGridKind("torus"); err == nil {
		t.Fatal("ParseGridKind accepted torus")
	}
}

func TestRoughDuration(t *testing.T) {
	for sec, want := range map[float64]string{3: "3 s", 89: "89 s", 95: "2 min", 3000: "50 min", 5400: "1.5 h", 19440: "5.4 h"} {
		if got := roughDuration(sec); got != want {
			t.Errorf("roughDuration(%v) = %q, want %q", sec, got, want)
		}
	}
}
