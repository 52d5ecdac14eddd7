package experiments

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/sciml-go/sciml/data"
	"github.com/sciml-go/sciml/fno"
	"github.com/sciml-go/sciml/internal/yamldoc"
	"github.com/sciml-go/sciml/operator"
)

//go:embed configs/*.yaml
var configFS embed.FS

// Config is an experiment: the data (generated or read), the model, the
// training recipe, the evaluation and the error it is expected to reach.
// Load reads one, applying a profile.
type Config struct {
	// Kind is the kind of experiment: "operator" (or empty) for operator
	// learning, which this type describes; configs of other kinds
	// (RegisterKind) have their own types.
	Kind string `yaml:"kind,omitempty"`
	// Name names the experiment (the runs directory defaults to it).
	Name string `yaml:"name"`
	// Description says what it reproduces.
	Description string `yaml:"description,omitempty"`
	// Profile is the profile applied (set by Load).
	Profile string `yaml:"profile,omitempty"`
	// Data says where the samples come from and how they are split.
	Data DataConfig `yaml:"data"`
	// Model is the operator: a type and that type's config.
	Model ModelConfig `yaml:"model"`
	// Train is the training recipe.
	Train operator.TrainConfig `yaml:"train"`
	// Eval lists the evaluations after training.
	Eval EvalConfig `yaml:"eval"`
	// Expect states the test error the run should reach.
	Expect *Expectation `yaml:"expect,omitempty"`

	src   string         // the file, for messages
	lines map[string]int // the line of each key path ("train.optimizer.lr")
}

// DataConfig describes the dataset and how samples become batches.
type DataConfig struct {
	// Path is a dataset file to read (HDF5, written by `sciml generate` or
	// in the PDEBench layout). Empty: the file Generate describes, made if
	// missing and cached under its parameters' key.
	Path string `yaml:"path,omitempty"`
	// TestPath is a separate file of test samples (empty: the last NTest
	// samples of the training file).
	TestPath string `yaml:"test_path,omitempty"`
	// Generate is the dataset's generation spec (data.GenerateSpec, over
	// data.DefaultSpec of its pde).
	Generate GenerateSection `yaml:"generate"`
	// NTrain is the number of training samples (the first ones); NTest
	// the number of test samples (the last ones, or the first ones of
	// TestPath).
	NTrain int `yaml:"n_train"`
	NTest  int `yaml:"n_test"`
	// Resolution is the training resolution (points per axis; 0: the
	// stored one).
	Resolution int `yaml:"resolution"`
	// Resample moves samples between resolutions: "stride" (default,
	// every k-th point, as the FNO scripts) or "spectral" (periodic data).
	Resample string `yaml:"resample,omitempty"`
	// Normalize selects the normalisers.
	Normalize NormalizeConfig `yaml:"normalize"`
	// Task says what the model maps to what.
	Task TaskConfig `yaml:"task"`
}

// NormalizeConfig selects the input and output normalisers: "none"
// (default), "gaussian" (one mean and deviation per channel, fitted on the
// training samples: valid at every resolution) or "pointwise" (per grid
// point, as the FNO Darcy script; resampled to other resolutions by
// interpolation).
type NormalizeConfig struct {
	Input  string `yaml:"input"`
	Output string `yaml:"output"`
}

// TaskConfig says how a stored sample becomes a model input and target.
type TaskConfig struct {
	// Kind is "map" (default: the stored input to the stored output),
	// "inverse" (the stored output to the stored input: recover the
	// coefficient from the solutions, e.g. Darcy data with sources),
	// "rollout" (trajectories: the first Window snapshots in, the next
	// Steps out, the model applied autoregressively — FNO-2D for
	// Navier–Stokes) or "space_time" (trajectories: the first Window
	// snapshots repeated along a time axis in, the next Steps snapshots
	// as one space-time field out — FNO-3D).
	Kind string `yaml:"kind"`
	// Window is the number of snapshots given (rollout, space_time).
	Window int `yaml:"window,omitempty"`
	// Steps is the number of snapshots predicted (0: all after Window).
	Steps int `yaml:"steps,omitempty"`
}

// EvalConfig lists the evaluations after training.
type EvalConfig struct {
	// Resolutions are the test resolutions (default: the training one).
	Resolutions []int `yaml:"resolutions,omitempty"`
	// SuperResolution lists zero-shot super-resolution evaluations: the
	// input at Input points per axis, the output asked and compared at
	// Output.
	SuperResolution []SuperResolution `yaml:"super_resolution,omitempty"`
	// ViaTrainingGrid are test resolutions at which the model runs on
	// its training grid instead (operator.Resampled): the input is
	// interpolated to the training resolution and the output back. It is
	// how a model tied to its grid (MgNO) is used on other grids; the
	// rows are reported as "421×421 via 85×85", beside the direct ones.
	// Tasks map and inverse only.
	ViaTrainingGrid []int `yaml:"via_training_grid,omitempty"`
	// Restriction is how a finer input reaches the training grid, for
	// ViaTrainingGrid and Surrogate.PredictOnTrainingGrid: "interpolate"
	// (the default; on a nested grid it is subsampling, the training
	// data's own restriction) or "average", the mean over each training
	// grid cell (tensor.CellAverage), which can be better for rough
	// inputs such as Darcy's piecewise-constant coefficient (the MgNO
	// Darcy paper run: 0.0031 at 421 against 0.0039). Its rows read
	// "421×421 via 85×85, averaged".
	Restriction string `yaml:"restriction,omitempty"`
	// H1 adds the relative H¹ error.
	H1 bool `yaml:"h1"`
	// BatchSize of the evaluation at the training resolution (default 20);
	// at a finer grid the batch is this times the ratio of the numbers of
	// grid points (at least 1), so that memory stays that of the training
	// grid. The errors do not depend on it.
	BatchSize int `yaml:"batch_size,omitempty"`
	// PlotSamples is the number of test samples plotted (default 3).
	PlotSamples int `yaml:"plot_samples,omitempty"`
}

// SuperResolution is one zero-shot super-resolution evaluation.
type SuperResolution struct {
	Input  int `yaml:"input"`
	Output int `yaml:"output"`
}

// Expectation is the error a run should reach: the mean relative L2 test
// error at Resolution (default: the training resolution) at most RelL2.
type Expectation struct {
	RelL2      float64 `yaml:"rel_l2"`
	Resolution int     `yaml:"resolution,omitempty"`
}

// GenerateSection is a data.GenerateSpec decoded over data.DefaultSpec of
// its pde, so a config lists only what differs from the FNO paper's setup.
type GenerateSection struct {
	data.GenerateSpec `yaml:",inline"`
}

// UnmarshalYAML decodes the section strictly over the pde's defaults.
func (g *GenerateSection) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: generate: want a mapping (pde, n, resolution, …)", n.Line)
	}
	pde := ""
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "pde" {
			pde = n.Content[i+1].Value
		}
	}
	if pde == "" {
		return fmt.Errorf("line %d: generate: missing pde (%s)", n.Line, strings.Join(data.PDEs, ", "))
	}
	spec, err := data.DefaultSpec(pde)
	if err != nil {
		return fmt.Errorf("line %d: generate: %v", n.Line, err)
	}
	if err := checkKnown(n, reflect.TypeOf(spec), "data.generate"); err != nil {
		return err
	}
	if err := n.Decode(&spec); err != nil {
		return err
	}
	g.GenerateSpec = spec
	return nil
}

// MarshalYAML encodes the whole spec (defaults included).
func (g GenerateSection) MarshalYAML() (any, error) { return g.GenerateSpec, nil }

// ---------------------------------------------------------------------------
// Models

// ModelConfig is the model section: a registered type and its config,
// decoded strictly into the type's config struct.
type ModelConfig struct {
	// Type names a registered model ("fno").
	Type string
	// Spec is the decoded config (fno.Config for "fno").
	Spec any
}

type modelEntry struct {
	newConfig func() any
	build     func(cfg any, r *rand.Rand) (operator.Operator, error)
}

var (
	modelsMu sync.RWMutex
	models   = map[string]modelEntry{}
)

// RegisterModel makes a model type available to configs: the model
// section's keys other than "type" decode strictly into a C (its yaml
// tags), and build makes the operator from it with the initial weights
// drawn from r. It panics if name is taken.
func RegisterModel[C any](name string, build func(cfg C, r *rand.Rand) (operator.Operator, error)) {
	modelsMu.Lock()
	defer modelsMu.Unlock()
	if _, ok := models[name]; ok {
		panic("experiments: model type " + name + " registered twice")
	}
	models[name] = modelEntry{
		newConfig: func() any { return new(C) },
		build:     func(cfg any, r *rand.Rand) (operator.Operator, error) { return build(*cfg.(*C), r) },
	}
}

// Models returns the registered model types, sorted.
func Models() []string {
	modelsMu.RLock()
	defer modelsMu.RUnlock()
	names := make([]string, 0, len(models))
	for n := range models {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func init() {
	RegisterModel("fno", func(c fno.Config, r *rand.Rand) (operator.Operator, error) { return fno.New(c, r) })
}

// Build returns the model with weights drawn from r.
func (m ModelConfig) Build(r *rand.Rand) (operator.Operator, error) {
	modelsMu.RLock()
	e, ok := models[m.Type]
	modelsMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("model type %q: want one of %s", m.Type, strings.Join(Models(), ", "))
	}
	cfg := e.newConfig()
	sv := reflect.ValueOf(m.Spec)
	for sv.Kind() == reflect.Pointer && !sv.IsNil() {
		sv = sv.Elem()
	}
	if !sv.IsValid() || sv.Type() != reflect.TypeOf(cfg).Elem() {
		return nil, fmt.Errorf("model: type %s wants a %v config, have %T", m.Type, reflect.TypeOf(cfg).Elem(), m.Spec)
	}
	reflect.ValueOf(cfg).Elem().Set(sv)
	op, err := e.build(cfg, r)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return op, nil
}

// UnmarshalYAML reads the type and decodes the other keys strictly into
// the type's config.
func (m *ModelConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: model: want a mapping with a type", n.Line)
	}
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: n.Line, Column: n.Column}
	typ, line := "", n.Line
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "type" {
			typ, line = n.Content[i+1].Value, n.Content[i].Line
			continue
		}
		rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
	}
	if typ == "" {
		return fmt.Errorf("line %d: model: missing type (%s)", n.Line, strings.Join(Models(), ", "))
	}
	modelsMu.RLock()
	e, ok := models[typ]
	modelsMu.RUnlock()
	if !ok {
		return fmt.Errorf("line %d: model: unknown type %q (want %s)", line, typ, strings.Join(Models(), ", "))
	}
	cfg := e.newConfig()
	if err := checkKnown(rest, reflect.TypeOf(cfg), "model"); err != nil {
		return err
	}
	if err := rest.Decode(cfg); err != nil {
		return err
	}
	m.Type = typ
	m.Spec = reflect.ValueOf(cfg).Elem().Interface()
	return nil
}

// MarshalYAML writes the type followed by the config's keys.
func (m ModelConfig) MarshalYAML() (any, error) {
	var n yaml.Node
	if err := n.Encode(m.Spec); err != nil {
		return nil, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("model config %T does not encode as a mapping", m.Spec)
	}
	t := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "type"}
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: m.Type}
	n.Content = append([]*yaml.Node{t, v}, n.Content...)
	return &n, nil
}

// ---------------------------------------------------------------------------
// Loading

// Names returns the names of the embedded experiments, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(configFS, "configs")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// Source returns the YAML of an embedded experiment.
func Source(name string) ([]byte, error) {
	b, err := configFS.ReadFile("configs/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no experiment %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return b, nil
}

// Load reads an experiment — the name of an embedded one ("burgers-fno")
// or a YAML file — applies a profile ("" for none) and validates it.
// Decoding is strict: unknown keys, wrong types and invalid values are
// errors naming the file, the line and the key.
func Load(nameOrPath, profile string) (*Config, error) {
	c, err := Parse(nameOrPath, profile)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", c.Name, err)
	}
	return c, nil
}

// Parse is Load without the validation, for callers that change the
// config first (then call Validate).
func Parse(nameOrPath, profile string) (*Config, error) {
	src, label, err := ReadSource(nameOrPath)
	if err != nil {
		return nil, err
	}
	return decode(src, label, profile)
}

// ParseSource is Parse on the bytes of a config (from ReadSource, perhaps
// with ApplySets); label names it in errors.
func ParseSource(src []byte, label, profile string) (*Config, error) {
	return decode(src, label, profile)
}

// ReadSource returns the YAML of an experiment — the name of an embedded
// one or a file — and the label that names it in messages.
func ReadSource(nameOrPath string) (src []byte, label string, err error) {
	label = nameOrPath
	if strings.HasSuffix(nameOrPath, ".yaml") || strings.HasSuffix(nameOrPath, ".yml") || strings.ContainsRune(nameOrPath, os.PathSeparator) {
		b, err := os.ReadFile(nameOrPath)
		if err != nil {
			return nil, "", fmt.Errorf("experiment: %w", err)
		}
		return b, label, nil
	}
	b, err := Source(nameOrPath)
	if err != nil {
		if _, serr := os.Stat(nameOrPath); serr == nil {
			b, err = os.ReadFile(nameOrPath)
		}
		if err != nil {
			return nil, "", fmt.Errorf("experiment: %w", err)
		}
		return b, label, nil
	}
	return b, "experiments/configs/" + nameOrPath + ".yaml", nil
}

var lineRE = regexp.MustCompile(`line (\d+): `)

// Decode is Load on the bytes of a config; label names it in errors.
func Decode(src []byte, label, profile string) (*Config, error) {
	c, err := decode(src, label, profile)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("experiment %s: %w", label, err)
	}
	return c, nil
}

func decode(src []byte, label, profile string) (*Config, error) {
	var c Config
	lines, err := DecodeStrict(src, label, profile, &c)
	if err != nil {
		return nil, err
	}
	c.src, c.lines = label, lines
	if profile != "" {
		c.Profile = profile
	}
	return &c, nil
}

// DecodeStrict decodes the YAML config src into out (a pointer to a
// struct with yaml tags) after merging the profile's overrides (the
// top-level "profiles" mapping; "" applies none). Unknown keys and wrong
// types are errors naming label, the line and the key. It returns the
// line of each key path ("train.optimizer.lr"), for messages of later
// validation. Every kind of experiment decodes its config with it.
func DecodeStrict(src []byte, label, profile string, out any) (map[string]int, error) {
	fail := func(err error) (map[string]int, error) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
		msg = strings.ReplaceAll(msg, "line 0: ", setsKey+": ")
		msg = lineRE.ReplaceAllString(msg, label+":$1: ")
		msg = strings.ReplaceAll(msg, "\n  ", "\n")
		if !strings.Contains(msg, label) {
			msg = label + ": " + msg
		}
		return nil, errors.New("experiment: " + msg)
	}
	rv := reflect.ValueOf(out)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("experiments.DecodeStrict: out is %T, want a pointer to a struct", out))
	}
	root, err := yamldoc.Parse(src)
	if err != nil {
		return fail(err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return fail(errors.New("line 1: want a mapping (name, data, model, train, …)"))
	}
	doc := root.Content[0]
	var profiles, sets *yaml.Node
	for i := 0; i+1 < len(doc.Content); {
		switch doc.Content[i].Value {
		case "profiles":
			profiles = doc.Content[i+1]
		case setsKey:
			sets = doc.Content[i+1]
			zeroLines(sets)
		default:
			i += 2
			continue
		}
		doc.Content = slices.Delete(doc.Content, i, i+2)
	}
	if profile != "" {
		var names []string
		var p *yaml.Node
		if profiles != nil && profiles.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(profiles.Content); i += 2 {
				names = append(names, profiles.Content[i].Value)
				if profiles.Content[i].Value == profile {
					p = profiles.Content[i+1]
				}
			}
		}
		if p == nil {
			return fail(fmt.Errorf("no profile %q (profiles: %s)", profile, strings.Join(names, ", ")))
		}
		if p.Kind != yaml.MappingNode {
			return fail(fmt.Errorf("line %d: profile %s: want a mapping of overrides", p.Line, profile))
		}
		merge(doc, p, false)
	}
	if sets != nil {
		if sets.Kind != yaml.MappingNode {
			return fail(errors.New("line 0: want key=value overrides"))
		}
		merge(doc, sets, true)
	}
	if err := checkKnown(doc, rv.Elem().Type(), ""); err != nil {
		return fail(err)
	}
	if err := doc.Decode(out); err != nil {
		return fail(err)
	}
	lines := map[string]int{}
	collectLines(doc, "", lines)
	return lines, nil
}

// setsKey is the top-level key under which ApplySets records the
// command line's overrides; no config field has this name.
const setsKey = "--set"

// ApplySets returns src with the overrides sets ("key.path=value", the
// value in YAML: 100, 1e-4, true, [siren, finer], {lr: 0.001}) recorded
// at its end, so that the file's lines stay as they are. Every decoder
// (DecodeStrict) applies them after the profile: a --set wins over the
// config and its profile. Unknown keys and wrong types are reported as
// for the file, named "--set". A flow-style source (JSON, as a checkpoint
// holds its config) is first rewritten in block style, after which a
// block can follow.
func ApplySets(src []byte, sets []string) ([]byte, error) {
	if len(sets) == 0 {
		return src, nil
	}
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) == nil && len(doc.Content) > 0 && doc.Content[0].Style&yaml.FlowStyle != 0 {
		blockStyle(&doc)
		b, err := yaml.Marshal(&doc)
		if err != nil {
			return nil, fmt.Errorf("experiment: --set: %w", err)
		}
		src = b
	}
	over := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, s := range sets {
		key, val, ok := strings.Cut(s, "=")
		path := strings.Split(strings.TrimSpace(key), ".")
		if !ok || slices.Contains(path, "") {
			return nil, fmt.Errorf("experiment: --set %q: want key.path=value (e.g. train.epochs=10)", s)
		}
		if p := path[0]; p == "kind" || p == "profiles" || p == setsKey {
			return nil, fmt.Errorf("experiment: --set %s: not settable from the command line (use --profile for profiles)", key)
		}
		var v yaml.Node
		if err := yaml.Unmarshal([]byte(val), &v); err != nil {
			return nil, fmt.Errorf("experiment: --set %s: %v", key, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		vn := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
		if len(v.Content) > 0 {
			vn = v.Content[0]
		}
		n := over
		for i, p := range path {
			var child *yaml.Node
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == p {
					child = n.Content[j+1]
					if i == len(path)-1 || child.Kind != yaml.MappingNode {
						child = nil
						n.Content = slices.Delete(n.Content, j, j+2)
					}
					break
				}
			}
			if i == len(path)-1 {
				child = vn
			} else if child == nil {
				child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			} else {
				n = child
				continue
			}
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p}, child)
			n = child
		}
	}
	b, err := yaml.Marshal(&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: setsKey}, over}})
	if err != nil {
		return nil, fmt.Errorf("experiment: --set: %w", err)
	}
	out := append([]byte(nil), src...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, b...), nil
}

// blockStyle clears the flow style of the mappings and sequences of a
// tree, so that it marshals as block YAML.
func blockStyle(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style &^= yaml.FlowStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// zeroLines sets the line of every node of a tree to 0 (the --set
// overrides: messages name them "--set" instead of a line).
func zeroLines(n *yaml.Node) {
	n.Line, n.Column = 0, 0
	for _, c := range n.Content {
		zeroLines(c)
	}
}

// ProfileNames returns the profiles a config source defines.
func ProfileNames(src []byte) []string {
	var root struct {
		Profiles yaml.Node `yaml:"profiles"`
	}
	if yaml.Unmarshal(src, &root) != nil {
		return nil
	}
	var out []string
	for i := 0; i+1 < len(root.Profiles.Content); i += 2 {
		out = append(out, root.Profiles.Content[i].Value)
	}
	return out
}

// merge overrides the mapping dst with src: mappings merge key by key,
// anything else is replaced — and so is a mapping whose "type" differs
// (a profile that switches the model to another type). With keys, a
// replaced entry takes src's key node too (its line: 0 for --set).
func merge(dst, src *yaml.Node, keys bool) {
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		found := false
		for j := 0; j+1 < len(dst.Content); j += 2 {
			if dst.Content[j].Value == k.Value {
				found = true
				if dst.Content[j+1].Kind == yaml.MappingNode && v.Kind == yaml.MappingNode && sameType(dst.Content[j+1], v) {
					merge(dst.Content[j+1], v, keys)
				} else {
					dst.Content[j+1] = v
					if keys {
						dst.Content[j] = k
					}
				}
				break
			}
		}
		if !found {
			dst.Content = append(dst.Content, k, v)
		}
	}
}

// sameType reports whether two mappings do not name different "type"s.
func sameType(a, b *yaml.Node) bool {
	get := func(n *yaml.Node) string {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "type" {
				return n.Content[i+1].Value
			}
		}
		return ""
	}
	tb := get(b)
	return tb == "" || tb == get(a)
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkKnown reports the keys of the mapping n that name no field of t
// (by yaml tag), recursively, with their lines — the strictness
// yaml.Decoder.KnownFields gives, for a node.
func checkKnown(n *yaml.Node, t reflect.Type, path string) error {
	var errs []string
	walkKnown(n, t, path, &errs)
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

func walkKnown(n *yaml.Node, t reflect.Type, path string, errs *[]string) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) || t.Implements(unmarshalerType) {
		return // decodes (and checks) itself
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		if reflect.PointerTo(t).Implements(unmarshalerType) {
			return
		}
	}
	if t == reflect.TypeFor[yaml.Node]() {
		return
	}
	if want := scalarWant(t); want != "" {
		// The decoder's own message ("cannot unmarshal !!str `abc` into
		// int") names neither the key nor what is wanted.
		if n.Kind != yaml.ScalarNode {
			*errs = append(*errs, fmt.Sprintf("line %d: %s: want %s, got %s", n.Line, path, want, nodeKind(n)))
			return
		}
		if n.ShortTag() != "!!null" && n.Decode(reflect.New(t).Interface()) != nil {
			*errs = append(*errs, fmt.Sprintf("line %d: %s: want %s, got %q", n.Line, path, want, n.Value))
			return
		}
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		// yaml.v3 truncates floats into integers; a fraction is an error.
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!float" {
			var f float64
			if n.Decode(&f) == nil && f != math.Trunc(f) {
				*errs = append(*errs, fmt.Sprintf("line %d: %s: %s is not an integer", n.Line, path, n.Value))
			}
		}
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!null" {
				*errs = append(*errs, fmt.Sprintf("line %d: %s: want a mapping, got %s", n.Line, orConfig(path), nodeKind(n)))
			}
			return
		}
		fields := map[string]reflect.Type{}
		yamlFields(t, fields)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			ft, ok := fields[k]
			key := k
			if path != "" {
				key = path + "." + k
			}
			if !ok {
				known := make([]string, 0, len(fields))
				for f := range fields {
					known = append(known, f)
				}
				slices.Sort(known)
				where := "the config"
				if path != "" {
					where = path
				}
				*errs = append(*errs, fmt.Sprintf("line %d: unknown key %q in %s (known: %s)", n.Content[i].Line, k, where, strings.Join(known, ", ")))
				continue
			}
			walkKnown(n.Content[i+1], ft, key, errs)
		}
	case reflect.Slice, reflect.Array:
		if n.Kind == yaml.SequenceNode {
			for i, e := range n.Content {
				walkKnown(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				walkKnown(n.Content[i+1], t.Elem(), path+"."+n.Content[i].Value, errs)
			}
		}
	}
}

// scalarWant describes the scalar values a field of type t takes ("an
// integer"), or returns "" for other types.
func scalarWant(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	}
	return ""
}

// nodeKind names the kind of a YAML node for messages.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

func orConfig(path string) string {
	if path == "" {
		return "the config"
	}
	return path
}

// yamlFields collects the yaml keys of a struct type, inline fields
// flattened.
func yamlFields(t reflect.Type, out map[string]reflect.Type) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				yamlFields(ft, out)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
}

// ---------------------------------------------------------------------------
// Validation and resolution

// collectLines records the line of each key path of a mapping, and of
// each element of a sequence as "key[i]".
func collectLines(n *yaml.Node, prefix string, lines map[string]int) {
	if n.Kind == yaml.SequenceNode && prefix != "" {
		for i, e := range n.Content {
			path := fmt.Sprintf("%s[%d]", strings.TrimSuffix(prefix, "."), i)
			lines[path] = e.Line
			collectLines(e, path+".", lines)
		}
		return
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		path := prefix + k.Value
		lines[path] = k.Line
		collectLines(v, path+".", lines)
	}
}

// where returns "file:line: " for a key path (or its closest parent
// present in the source), or "" when unknown.
func (c *Config) where(key string) string { return Where(c.src, c.lines, key) }

// Where returns "label:line: " for the key path (or the nearest enclosing
// key that has a line), or "" when none has: the prefix of a validation
// message about that key.
func Where(label string, lines map[string]int, key string) string {
	for k := key; k != ""; {
		if l, ok := lines[k]; ok {
			if l == 0 {
				return setsKey + ": "
			}
			return fmt.Sprintf("%s:%d: ", label, l)
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return ""
}

// Validate reports every invalid field, named by its key (and its file
// and line when the config was read from one).
func (c *Config) Validate() error {
	var errs []string
	bad := func(key, format string, args ...any) {
		errs = append(errs, c.where(key)+key+": "+fmt.Sprintf(format, args...))
	}
	if c.Name == "" {
		bad("name", "missing")
	}
	if c.Kind != "" && c.Kind != KindOperator {
		bad("kind", "%q is not an operator experiment (this config type describes kind %q)", c.Kind, KindOperator)
	}
	d := &c.Data
	if d.Path == "" && d.Generate.PDE == "" {
		bad("data", "give a dataset file (path) or how to generate one (generate)")
	} else if d.Path == "" {
		if err := d.Generate.Validate(); err != nil {
			var fes []*data.FieldError
			collectFieldErrors(err, &fes)
			for _, fe := range fes {
				bad("data.generate."+fe.Key, "%s", fe.Msg)
			}
			if len(fes) == 0 {
				bad("data.generate", "%v", err)
			}
		}
	}
	if d.NTrain < 1 {
		bad("data.n_train", "%d: want ≥ 1", d.NTrain)
	}
	if d.NTest < 1 {
		bad("data.n_test", "%d: want ≥ 1", d.NTest)
	}
	if d.Path == "" && d.TestPath == "" && d.NTrain+d.NTest > d.Generate.N {
		bad("data", "n_train %d + n_test %d exceed the %d samples generated (generate.n)", d.NTrain, d.NTest, d.Generate.N)
	}
	if d.Resolution < 0 {
		bad("data.resolution", "%d: want ≥ 0", d.Resolution)
	}
	if _, err := data.ParseMethod(orDefault(d.Resample, "stride")); err != nil {
		bad("data.resample", "%v", err)
	}
	for key, v := range map[string]string{"data.normalize.input": d.Normalize.Input, "data.normalize.output": d.Normalize.Output} {
		switch v {
		case "", "none", "gaussian", "pointwise":
		default:
			bad(key, "%q: want none, gaussian or pointwise", v)
		}
	}
	switch d.Task.Kind {
	case "", "map", "inverse":
		if d.Task.Window != 0 || d.Task.Steps != 0 {
			bad("data.task", "window and steps apply to rollout and space_time tasks")
		}
	case "rollout", "space_time":
		if d.Task.Window < 1 {
			bad("data.task.window", "%d: want ≥ 1", d.Task.Window)
		}
		if d.Task.Steps < 0 {
			bad("data.task.steps", "%d: want ≥ 0", d.Task.Steps)
		}
	default:
		bad("data.task.kind", "%q: want map, inverse, rollout or space_time", d.Task.Kind)
	}
	if c.Model.Type == "" {
		bad("model", "missing")
	} else if err := c.Model.validate(); err != nil {
		bad("model", "%v", err)
	}
	if err := c.Train.Validate(); err != nil {
		for _, e := range strings.Split(strings.TrimPrefix(err.Error(), "train: "), "\n") {
			key, msg, _ := strings.Cut(e, ": ")
			bad("train."+key, "%s", msg)
		}
	}
	for _, r := range c.Eval.Resolutions {
		if r < 1 {
			bad("eval.resolutions", "%v: want positive resolutions", c.Eval.Resolutions)
			break
		}
	}
	for _, r := range c.Eval.ViaTrainingGrid {
		if r < 1 {
			bad("eval.via_training_grid", "%v: want positive resolutions", c.Eval.ViaTrainingGrid)
			break
		}
	}
	if msg := c.viaTaskProblem(); msg != "" {
		bad("eval.via_training_grid", "%s", msg)
	}
	if r := c.Eval.Restriction; r != "" && r != "interpolate" && r != "average" {
		bad("eval.restriction", "%q: want interpolate or average", r)
	}
	for _, s := range c.Eval.SuperResolution {
		if s.Input < 1 || s.Output < 1 {
			bad("eval.super_resolution", "%+v: want positive input and output resolutions", s)
		}
	}
	if len(c.Eval.SuperResolution) > 0 && c.Model.Type != "" && c.Model.validate() == nil {
		// Zero-shot super-resolution asks the model for its output on
		// another grid (operator.SuperResolver, as fno.FNO).
		if m, err := c.Model.Build(rand.New(rand.NewPCG(0, 0))); err == nil {
			if _, ok := m.(operator.SuperResolver); !ok {
				bad("eval.super_resolution", "model type %s cannot sample its output on another grid than its input's", c.Model.Type)
			}
		}
	}
	if c.Eval.BatchSize < 0 || c.Eval.PlotSamples < 0 {
		bad("eval", "batch_size %d, plot_samples %d: want ≥ 0", c.Eval.BatchSize, c.Eval.PlotSamples)
	}
	if c.Expect != nil && !(c.Expect.RelL2 > 0) {
		bad("expect.rel_l2", "%v: want > 0", c.Expect.RelL2)
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// collectFieldErrors gathers the data.FieldErrors of a joined error.
func collectFieldErrors(err error, out *[]*data.FieldError) {
	switch e := err.(type) {
	case nil:
	case *data.FieldError:
		*out = append(*out, e)
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			collectFieldErrors(x, out)
		}
	case interface{ Unwrap() error }:
		collectFieldErrors(e.Unwrap(), out)
	}
}

// validate checks the model config by building the model once.
func (m ModelConfig) validate() error {
	if v, ok := m.Spec.(interface{ Validate() error }); ok {
		return v.Validate()
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// YAML returns the resolved config (defaults filled in) as YAML.
func (c *Config) YAML() ([]byte, error) {
	r := *c
	r.Train = c.Train.WithDefaults()
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&r); err != nil {
		return nil, err
	}
	enc.Close()
	return b.Bytes(), nil
}

// JSON returns the resolved config as JSON (what checkpoints store; a
// JSON document is YAML, so Decode reads it back).
func (c *Config) JSON() (json.RawMessage, error) {
	y, err := c.YAML()
	if err != nil {
		return nil, err
	}
	var v any
	if err := yaml.Unmarshal(y, &v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// runDir returns the default run directory of a config.
func (c *Config) runDir() string {
	name := c.Name
	if c.Profile != "" {
		name += "-" + c.Profile
	}
	return filepath.Join("runs", name)
}

// averageRestriction says whether the input reaches the training grid by
// cell averages (eval.restriction: average).
func (c *Config) averageRestriction() bool { return c.Eval.Restriction == "average" }

// viaTaskProblem says why eval.via_training_grid cannot apply to the
// task ("" when it can): the model runs on the training grid only for
// the map and inverse tasks.
func (c *Config) viaTaskProblem() string {
	if k := c.Data.Task.Kind; len(c.Eval.ViaTrainingGrid) > 0 && k != "" && k != "map" && k != "inverse" {
		return fmt.Sprintf("task %s: only the map and inverse tasks", k)
	}
	return ""
}
