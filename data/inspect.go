package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/sciml-go/sciml/internal/hdf5"
)

// Report describes a dataset file: what `sciml inspect` prints.
type Report struct {
	// Path is the file inspected.
	Path string `json:"path"`
	// Layout is "sciml", "pdebench", "predictions" (sciml predict) or
	// "unknown".
	Layout string `json:"layout"`
	// Samples is the number of complete samples (sciml and PDEBench
	// layouts), Expected the number a complete sciml file holds.
	Samples  int `json:"samples"`
	Expected int `json:"expected,omitempty"`
	// Complete is false for a partial file of an interrupted run.
	Complete bool `json:"complete"`
	// Attributes are the root attributes.
	Attributes map[string]any `json:"attributes"`
	// Datasets describes every dataset in the file, by path.
	Datasets []DatasetReport `json:"datasets"`
}

// DatasetReport describes one dataset.
type DatasetReport struct {
	Name     string `json:"name"`
	DType    string `json:"dtype"`
	Shape    []int  `json:"shape"`
	MaxShape []int  `json:"max_shape"` // -1 for unlimited axes
	Layout   string `json:"layout"`
	Chunk    []int  `json:"chunk,omitempty"`
	Shuffle  bool   `json:"shuffle"`
	// Deflate is the gzip level, 0 without compression.
	Deflate int `json:"deflate"`
	// Filters names the whole filter pipeline.
	Filters []string `json:"filters,omitempty"`
	// Stats summarizes the values of the data datasets (input and output,
	// or PDEBench's tensor and nu) over the complete samples.
	Stats *Stats `json:"stats,omitempty"`
}

// Stats are summary statistics of a dataset's values. Min, Max, Mean and
// Std (population) are over the finite values and nil when there are none.
type Stats struct {
	Count int64    `json:"count"`
	Min   *float64 `json:"min"`
	Max   *float64 `json:"max"`
	Mean  *float64 `json:"mean"`
	Std   *float64 `json:"std"`
	NaN   int64    `json:"nan"`
	Inf   int64    `json:"inf"`
}

// Inspect reads the structure, attributes and value statistics of a file.
// Statistics need one pass over the data, sample by sample; ctx cancels it.
func Inspect(ctx context.Context, path string) (*Report, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("data: inspect %s: %w", path, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("data: inspect %s: %w", path, err)
	}
	f, err := hdf5.Open(path, hdf5.ReadOnly)
	if err != nil {
		return nil, fmt.Errorf("data: inspect %s: %s: %w", path, openFailure(err), err)
	}
	defer f.Close()
	r := &Report{Path: path, Layout: "unknown", Attributes: map[string]any{}}
	names, err := f.AttrNames()
	if err != nil {
		return nil, fmt.Errorf("data: inspect %s: %w", path, err)
	}
	for _, n := range names {
		v, err := f.Attr(n)
		if err != nil {
			r.Attributes[n] = fmt.Sprintf("(unreadable: %v)", err)
			continue
		}
		r.Attributes[n] = jsonSafe(v)
	}
	var dsNames []string
	if err := walk(&f.Group, "", &dsNames); err != nil {
		return nil, fmt.Errorf("data: inspect %s: %w", path, err)
	}
	statRows := map[string]int{} // dataset → rows to summarise
	if d, err := Open(path); err == nil {
		r.Layout = d.layout.String()
		r.Samples = d.n
		r.Complete = true
		if d.layout == Sciml {
			r.Expected = d.h.count
			r.Complete = d.h.complete()
		}
		statRows[d.in.name] = d.n
		statRows[d.out.name] = d.n
		d.Close()
	} else if isSciml(f) {
		return nil, fmt.Errorf("data: inspect: %w", err)
	} else if _, ok := r.Attributes["checkpoint"]; ok && slices.Contains(dsNames, "prediction") && slices.Contains(dsNames, "target") {
		// The predictions of `sciml predict` (ArrayWriter).
		ds, err := f.OpenDataset("prediction")
		if err != nil {
			return nil, fmt.Errorf("data: inspect %s: %w", path, err)
		}
		dims, err := ds.Dims()
		ds.Close()
		if err != nil || len(dims) == 0 {
			return nil, fmt.Errorf("data: inspect %s: dataset \"prediction\": dimensions %v: %v", path, dims, err)
		}
		r.Layout, r.Samples, r.Complete = "predictions", dims[0], true
		statRows["prediction"], statRows["target"] = dims[0], dims[0]
	}
	for _, name := range dsNames {
		ds, err := f.OpenDataset(name)
		if err != nil {
			return nil, fmt.Errorf("data: inspect %s: %w", path, err)
		}
		info, err := ds.Info()
		if err != nil {
			return nil, fmt.Errorf("data: inspect %s: %w", path, err)
		}
		dr := DatasetReport{Name: name, DType: info.Type, Shape: info.Dims, MaxShape: info.MaxDims,
			Layout: info.Layout.String(), Chunk: info.Chunk, Shuffle: info.Shuffle()}
		dr.Deflate, _ = info.Deflate()
		for _, fl := range info.Filters {
			dr.Filters = append(dr.Filters, fl.Name)
		}
		if rows, ok := statRows[name]; ok {
			st, err := datasetStats(ctx, ds, info, rows)
			if err != nil {
				return nil, fmt.Errorf("data: inspect %s: dataset %q: %w", path, name, err)
			}
			dr.Stats = st
		}
		ds.Close()
		r.Datasets = append(r.Datasets, dr)
	}
	return r, nil
}

// walk lists the datasets below g (paths relative to the root).
func walk(g *hdf5.Group, prefix string, out *[]string) error {
	members, err := g.Members()
	if err != nil {
		return err
	}
	for _, m := range members {
		k, err := g.Kind(m)
		if err != nil {
			return err
		}
		switch k {
		case hdf5.KindDataset:
			*out = append(*out, prefix+m)
		case hdf5.KindGroup:
			sub, err := g.OpenGroup(m)
			if err != nil {
				return err
			}
			err = walk(sub, prefix+m+"/", out)
			sub.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// datasetStats summarises the first rows entries along axis 0.
func datasetStats(ctx context.Context, ds *hdf5.Dataset, info hdf5.Info, rows int) (*Stats, error) {
	if info.DType != hdf5.Float32 && info.DType != hdf5.Float64 {
		return nil, nil
	}
	if len(info.Dims) == 0 {
		return nil, nil
	}
	rows = min(rows, info.Dims[0])
	per := prod(info.Dims[1:])
	start := make([]int, len(info.Dims))
	count := slices.Clone(info.Dims)
	count[0] = 1
	var acc moments
	st := &Stats{}
	lo, hi := math.Inf(1), math.Inf(-1)
	buf64 := make([]float64, per)
	var buf32 []float32
	if info.DType == hdf5.Float32 {
		buf32 = make([]float32, per)
	}
	for i := 0; i < rows; i++ {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		start[0] = i
		if buf32 != nil {
			if err := ds.ReadSlab(start, count, buf32); err != nil {
				return nil, err
			}
			for k, v := range buf32 {
				buf64[k] = float64(v)
			}
		} else if err := ds.ReadSlab(start, count, buf64); err != nil {
			return nil, err
		}
		n, s := 0.0, 0.0
		for _, v := range buf64 {
			switch {
			case math.IsNaN(v):
				st.NaN++
			case math.IsInf(v, 0):
				st.Inf++
			default:
				n++
				s += v
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if n == 0 {
			continue
		}
		mu := s / n
		m2 := 0.0
		for _, v := range buf64 {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				m2 += (v - mu) * (v - mu)
			}
		}
		acc.add(n, []float64{mu}, []float64{m2})
	}
	st.Count = int64(rows) * int64(per)
	if acc.count > 0 {
		mean, std := acc.mean[0], math.Sqrt(acc.m2[0]/acc.count)
		st.Min, st.Max, st.Mean, st.Std = &lo, &hi, &mean, &std
	}
	return st, nil
}

// jsonSafe replaces non-finite floats (which JSON cannot hold) by strings.
func jsonSafe(v any) any {
	fix := func(x float64) any {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
		return x
	}
	switch x := v.(type) {
	case float64:
		return fix(x)
	case []float64:
		out := make([]any, len(x))
		bad := false
		for i, e := range x {
			out[i] = fix(e)
			if _, ok := out[i].(string); ok {
				bad = true
			}
		}
		if bad {
			return out
		}
	}
	return v
}

// WriteText prints the report for a person.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	state := ""
	switch {
	case r.Layout == "sciml" && r.Complete:
		state = fmt.Sprintf(", %d samples, complete", r.Samples)
	case r.Layout == "sciml":
		state = fmt.Sprintf(", PARTIAL: %d of %d samples (an interrupted run; generate --resume continues it)", r.Samples, r.Expected)
	case r.Layout == "pdebench":
		state = fmt.Sprintf(", %d samples", r.Samples)
	case r.Layout == "predictions":
		state = fmt.Sprintf(", %d samples (sciml predict)", r.Samples)
	}
	fmt.Fprintf(&b, "%s: %s layout%s\n", r.Path, r.Layout, state)
	b.WriteString("\ndatasets:\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, d := range r.Datasets {
		comp := "none"
		switch {
		case d.Deflate > 0 && d.Shuffle:
			comp = fmt.Sprintf("shuffle+deflate(%d)", d.Deflate)
		case d.Deflate > 0:
			comp = fmt.Sprintf("deflate(%d)", d.Deflate)
		case len(d.Filters) > 0:
			comp = strings.Join(d.Filters, "+")
		}
		layout := d.Layout
		if d.Chunk != nil {
			layout = "chunks " + dimString(d.Chunk)
		}
		fmt.Fprintf(tw, "  /%s\t%s\t%s\tmax %s\t%s\t%s\n", d.Name, d.DType, dimString(d.Shape), dimString(d.MaxShape), layout, comp)
	}
	tw.Flush()
	shown := false
	for _, d := range r.Datasets {
		if d.Stats == nil {
			continue
		}
		if !shown {
			b.WriteString("\nstatistics (finite values; std over all of them):\n")
			tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "  dataset\tcount\tmin\tmax\tmean\tstd\tNaN\tInf\n")
			shown = true
		}
		s := d.Stats
		f := func(p *float64) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprintf("%.6g", *p)
		}
		fmt.Fprintf(tw, "  /%s\t%d\t%s\t%s\t%s\t%s\t%d\t%d\n", d.Name, s.Count, f(s.Min), f(s.Max), f(s.Mean), f(s.Std), s.NaN, s.Inf)
	}
	if shown {
		tw.Flush()
	}
	b.WriteString("\nattributes:\n")
	keys := make([]string, 0, len(r.Attributes))
	for k := range r.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, k := range keys {
		v := r.Attributes[k]
		text := fmt.Sprint(v)
		if s, ok := v.(string); ok {
			if strings.ContainsAny(s, "\n") || len(s) > 100 {
				text = fmt.Sprintf("%q", s)
				if len(text) > 200 {
					text = text[:197] + "…"
				}
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\n", k, text)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

// dimString formats dims as (a, b, c), with ∞ for unlimited axes.
func dimString(d []int) string {
	parts := make([]string, len(d))
	for i, x := range d {
		if x == hdf5.Unlimited {
			parts[i] = "∞"
		} else {
			parts[i] = fmt.Sprint(x)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
