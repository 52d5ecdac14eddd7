package sgemm

import (
	"strings"
	"testing"
)

// TestNewSegments checks that malformed groupings are refused with the
// reason, and that the sums check their operands' lengths.
func TestNewSegments(t *testing.T) {
	ptr, idx, from, wt := []int{0, 2, 3}, []int{0, 2, 1}, []int{1, 0, 1}, []float64{1, 1, 1}
	if _, err := NewSegments(ptr, idx, from, wt, 4, 16, 2); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		ptr, idx, from []int
		wt             []float64
		k, w, nIn      int
		want           string
	}{
		"w > 16":         {ptr, idx, from, wt, 4, 17, 2, "w=17"},
		"weights":        {ptr, idx, from, wt[:2], 4, 3, 2, "2 weights"},
		"ptr end":        {[]int{0, 2, 2}, idx, from, wt, 4, 3, 2, "3 grouped edges"},
		"ptr decreasing": {[]int{0, 3, 2, 3}, idx, from, wt, 4, 3, 2, "before they start"},
		"edge index":     {ptr, []int{0, 3, 1}, from, wt, 4, 3, 2, "edge 3 of 3"},
		"source":         {ptr, idx, []int{1, 2, 0}, wt, 4, 3, 2, "from node 2 of 2"},
		"no features":    {ptr, idx, from, wt, 0, 3, 2, "k=0"},
	} {
		if _, err := NewSegments(c.ptr, c.idx, c.from, c.wt, c.k, c.w, c.nIn); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one with %q", name, err, c.want)
		}
	}
	if !Available() {
		return
	}
	s, _ := NewSegments(ptr, idx, from, wt, 4, 3, 2)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "SegmentSums") {
			t.Errorf("short h: panic %v", r)
		}
	}()
	SegmentSums(make([]float32, 2*4*3), make([]float32, 11), make([]float32, 6), s, 0, 2, make([]float32, s.SumsScratch()))
}
