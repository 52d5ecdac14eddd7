package data

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sciml-go/sciml/pde"
	"github.com/sciml-go/sciml/solvers"
)

func TestDarcySourceModes(t *testing.T) {
	got := DarcySourceModes(7)
	want := [][2]int{{0, 0}, {1, 0}, {0, 1}, {2, 0}, {1, 1}, {0, 2}, {3, 0}}
	if !slices.Equal(got, want) {
		t.Fatalf("modes %v, want %v", got, want)
	}
}

// TestDarcySources: with Sources = K the output holds K solutions per
// sample; the first is the usual one (constant forcing), and solution k
// is the solver's for the forcing Forcing·cos(p_k πx)cos(q_k πy) with the
// same coefficient, strided to the stored grid. The spec key of
// Sources = 0 is unchanged (older caches stay valid).
func TestDarcySources(t *testing.T) {
	dir := t.TempDir()
	base := smallSpec(t, Darcy)
	base.N = 2
	s := base.clone()
	s.Darcy.Sources = 3
	if s.CacheKey() == base.CacheKey() {
		t.Fatal("Sources does not change the cache key")
	}
	if k := base.canonicalJSON(); strings.Contains(k, "sources") {
		t.Fatalf("spec without sources encodes them: %s", k)
	}
	single, err := Open(gen(t, base, filepath.Join(dir, "one.h5"), Options{}))
	must(t, err)
	defer single.Close()
	multi, err := Open(gen(t, s, filepath.Join(dir, "three.h5"), Options{}))
	must(t, err)
	defer multi.Close()
	S, n := s.Resolution, s.Darcy.SolveResolution
	if got := multi.Shape(Output); !slices.Equal(got, []int{3, S, S}) {
		t.Fatalf("output shape %v, want [3 %d %d]", got, S, S)
	}
	p := pde.DefaultDarcy()
	p.Grid = n
	sv := solvers.Darcy{Params: p}
	stride := (n - 1) / (S - 1)
	for i := range s.N {
		out, err := multi.ReadSample(Output, i)
		must(t, err)
		one, err := single.ReadSample(Output, i)
		must(t, err)
		if d := maxDiff(out[:S*S], one); d != 0 {
			t.Errorf("sample %d: u_0 differs from the single-source solution by %g", i, d)
		}
		psi, err := p.Field.Sample(pde.NewRand(uint64(s.Seed), i), n)
		must(t, err)
		a := make([]float64, n*n)
		p.Coefficient(a, psi)
		for k, pq := range DarcySourceModes(3) {
			f := make([]float64, n*n)
			for r := range n {
				for c := range n {
					f[r*n+c] = math.Cos(float64(pq[0])*math.Pi*float64(r)/float64(n-1)) * math.Cos(float64(pq[1])*math.Pi*float64(c)/float64(n-1))
				}
			}
			sol, err := sv.SolveForcing(context.Background(), a, f)
			must(t, err)
			var d float64
			for r := range S {
				for c := range S {
					want := float64(float32(sol.U[r*stride*n+c*stride])) // stored as float32
					d = max(d, math.Abs(out[k*S*S+r*S+c]-want))
				}
			}
			if d != 0 {
				t.Errorf("sample %d, source %d %v: differs from the solver by %g", i, k, pq, d)
			}
		}
	}
	bad := base.clone()
	bad.Darcy.Sources = -1
	if bad.Validate() == nil {
		t.Error("sources -1 accepted")
	}
}

func maxDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}
