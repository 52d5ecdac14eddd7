package nn

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/sciml-go/sciml/tensor"
)

// Activation is a named activation function: a Layer whose Forward applies
// the function and whose Visit declares its learnable parameters (none for
// most), so that CountParams, state dicts, Freeze and optimizers see them.
//
// Activations come from a catalogue (see ActivationNames and
// docs/activations.md) and are selected by name, in Go or from a YAML
// config:
//
//	act, err := nn.NewActivation(nn.ActivationSpec{Name: "gelu"})
//	act := nn.MustActivation("{name: snake, a: 0.5, learnable: true}", nn.WithDType(tensor.Float64))
//
//	# YAML
//	activation: gelu
//	activation: {name: snake, a: 0.5, learnable: true}
//
// Elementwise activations accept any real input shape. Their derivatives
// are exact to every order (their forward passes are built from
// differentiable tensor operations or from fused kernels whose backward
// rules are themselves differentiable), so they can sit inside PINN
// residuals, except for the documented surrogates: helu, finer and the
// few-bit backward (fewbit). The GLU family and polynorm act along an axis.
//
// Parameters are float32 unless the activation is built WithDType(Float64);
// an activation with learnable parameters then needs inputs of that dtype.
// Fixed (non-learnable) parameters are plain numbers and work with either
// dtype.
type Activation interface {
	Layer
	// Name returns the catalogue name ("gelu", "snake", …).
	Name() string
	// Spec returns the activation's specification with every parameter,
	// defaults included.
	Spec() ActivationSpec
}

// ActivationSpec selects an activation of the catalogue and sets its
// parameters. Params holds numbers by parameter name; integer parameters
// (axis, channels, fewbit, grid, …) must hold integral values, and
// boolean ones (learnable, exact) 0 or 1. Parameters left out take their
// defaults.
//
// In YAML a spec is either a bare name or a mapping with the key name and
// one key per parameter (booleans as true/false):
//
//	activation: gelu
//	activation: {name: snake, a: 0.5, learnable: true}
//
// Unknown names, unknown parameters and invalid values are errors that
// name them (and the YAML line).
type ActivationSpec struct {
	Name   string
	Params map[string]float64

	line  int            // YAML line of the spec, 0 when built in Go
	lines map[string]int // YAML lines of the parameters
}

// ParseActivation parses a spec from YAML text: a bare name ("gelu") or a
// flow mapping ("{name: snake, a: 0.5}").
func ParseActivation(s string) (ActivationSpec, error) {
	var spec ActivationSpec
	if err := yaml.Unmarshal([]byte(s), &spec); err != nil {
		return ActivationSpec{}, err
	}
	if spec.Name == "" {
		return ActivationSpec{}, fmt.Errorf("nn: empty activation spec %q", s)
	}
	return spec, nil
}

// MustActivation parses s as ParseActivation does and builds the
// activation; it panics on any error (for activations fixed in Go code).
func MustActivation(s string, opts ...Option) Activation {
	spec, err := ParseActivation(s)
	if err != nil {
		panic(err)
	}
	a, err := NewActivation(spec, opts...)
	if err != nil {
		panic(err)
	}
	return a
}

// ActivationNames returns the names NewActivation accepts (aliases
// included), sorted.
func ActivationNames() []string {
	var out []string
	for n := range activationAliases {
		out = append(out, n)
	}
	for _, e := range activationCatalogue {
		out = append(out, e.name)
	}
	slices.Sort(out)
	return out
}

// ActivationParams returns the parameter names the activation name
// accepts with their default values, in declaration order, or an error
// for an unknown name.
func ActivationParams(name string) ([]string, []float64, error) {
	e, err := lookupActivation(name, 0)
	if err != nil {
		return nil, nil, err
	}
	var ns []string
	var ds []float64
	for _, p := range e.allParams() {
		ns = append(ns, p.name)
		ds = append(ds, p.def)
	}
	return ns, ds, nil
}

// NewActivation builds the activation spec selects. Options: WithDType
// sets the dtype of learnable parameters; other options are ignored (no
// activation of the catalogue draws random numbers: every learnable
// parameter starts from a documented value).
func NewActivation(spec ActivationSpec, opts ...Option) (Activation, error) {
	e, err := lookupActivation(spec.Name, spec.line)
	if err != nil {
		return nil, err
	}
	vals, err := e.resolve(spec)
	if err != nil {
		return nil, err
	}
	o := newOptions(opts)
	b := &actBuilder{e: e, vals: vals, o: o}
	b.learn = vals["learnable"] == 1
	b.channels = 1
	if _, ok := vals["channels"]; ok {
		b.channels = int(vals["channels"])
		b.axis = int(vals["axis"])
	}
	act := &activation{name: e.name, vals: vals, dtype: o.dtype}
	b.act = act
	act.fwd = e.build(b)
	if bits := int(vals["fewbit"]); bits > 0 {
		if len(act.params) > 0 {
			return nil, specErr(e.name, spec.line, "fewbit needs fixed parameters (set learnable: false)")
		}
		fb, err := NewFewBit(act, bits)
		if err != nil {
			return nil, err
		}
		return fb, nil
	}
	return act, nil
}

// activation is the catalogue's implementation of Activation: a forward
// function closed over the parameters.
type activation struct {
	name   string
	vals   map[string]float64
	dtype  tensor.DType
	params []*paramCell
	fwd    func(x *tensor.Tensor) *tensor.Tensor
}

// paramCell holds a learnable parameter; the forward function reads the
// tensor from the cell at every call.
type paramCell struct {
	name string
	t    *tensor.Tensor
}

// Forward applies the activation.
func (a *activation) Forward(x *tensor.Tensor) *tensor.Tensor {
	if len(a.params) > 0 && x.DType().Real() != a.dtype {
		panic(fmt.Sprintf("nn.Activation(%s): input %v%v, parameters %v", a.name, x.DType(), x.Shape(), a.dtype))
	}
	return a.fwd(x)
}

// Visit declares the learnable parameters.
func (a *activation) Visit(v *Visitor) {
	for _, p := range a.params {
		v.Param(p.name, p.t)
	}
}

// Name returns the catalogue name.
func (a *activation) Name() string { return a.name }

// Spec returns the spec with every parameter.
func (a *activation) Spec() ActivationSpec {
	return ActivationSpec{Name: a.name, Params: maps.Clone(a.vals)}
}

// String returns the spec in YAML flow form.
func (a *activation) String() string { return a.Spec().String() }

// paramKind is the type of an activation parameter.
type paramKind uint8

const (
	realParam paramKind = iota
	intParam
	boolParam
)

// actParam declares one parameter of a catalogue entry.
type actParam struct {
	name  string
	def   float64
	kind  paramKind
	learn bool                 // becomes a tensor when learnable is on
	check func(float64) string // "" when the value is valid
}

// actEntry is one activation of the catalogue.
type actEntry struct {
	name   string
	params []actParam
	// learnable is the default of the learnable switch: −1 when the entry
	// has no learnable parameters, 0 off, 1 on.
	learnable int
	// elementwise entries accept fewbit; perChannel ones (scalar learnable
	// parameters) accept channels and axis.
	elementwise, perChannel bool
	build                   func(b *actBuilder) func(x *tensor.Tensor) *tensor.Tensor
}

// allParams lists the entry's parameters with the common ones it accepts.
func (e *actEntry) allParams() []actParam {
	ps := slices.Clone(e.params)
	if e.learnable >= 0 {
		ps = append(ps, actParam{name: "learnable", def: float64(e.learnable), kind: boolParam})
	}
	if e.perChannel {
		ps = append(ps,
			actParam{name: "channels", def: 1, kind: intParam, check: atLeast(1)},
			actParam{name: "axis", def: 1, kind: intParam})
	}
	if e.elementwise {
		ps = append(ps, actParam{name: "fewbit", def: 0, kind: intParam, check: func(v float64) string {
			if v < 0 || v > 4 {
				return "must be 0 (off) or 1 to 4 bits"
			}
			return ""
		}})
	}
	return ps
}

func (e *actEntry) param(name string) (actParam, bool) {
	for _, p := range e.allParams() {
		if p.name == name {
			return p, true
		}
	}
	return actParam{}, false
}

func (e *actEntry) paramNames() string {
	var ns []string
	for _, p := range e.allParams() {
		ns = append(ns, p.name)
	}
	if len(ns) == 0 {
		return "none"
	}
	return strings.Join(ns, ", ")
}

// resolve checks the spec's parameters and fills in the defaults.
func (e *actEntry) resolve(spec ActivationSpec) (map[string]float64, error) {
	vals := map[string]float64{}
	for _, p := range e.allParams() {
		vals[p.name] = p.def
	}
	keys := make([]string, 0, len(spec.Params))
	for k := range spec.Params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var errs []error
	for _, k := range keys {
		v := spec.Params[k]
		line := spec.line
		if l, ok := spec.lines[k]; ok {
			line = l
		}
		p, ok := e.param(k)
		if !ok {
			errs = append(errs, specErr(e.name, line, fmt.Sprintf("unknown parameter %q (parameters: %s)", k, e.paramNames())))
			continue
		}
		if msg := checkParam(p, v); msg != "" {
			errs = append(errs, specErr(e.name, line, fmt.Sprintf("parameter %s = %v: %s", k, v, msg)))
			continue
		}
		vals[k] = v
	}
	if len(errs) == 0 && vals["channels"] > 1 && vals["learnable"] != 1 {
		errs = append(errs, specErr(e.name, spec.line, "channels > 1 needs learnable: true"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return vals, nil
}

func checkParam(p actParam, v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "not a finite number"
	}
	switch p.kind {
	case intParam:
		if v != math.Trunc(v) {
			return "must be an integer"
		}
	case boolParam:
		if v != 0 && v != 1 {
			return "must be a boolean (0 or 1; true or false in YAML)"
		}
	}
	if p.check != nil {
		return p.check(v)
	}
	return ""
}

func atLeast(lo float64) func(float64) string {
	return func(v float64) string {
		if v < lo {
			return fmt.Sprintf("must be ≥ %v", lo)
		}
		return ""
	}
}

func positive(v float64) string {
	if v <= 0 {
		return "must be positive"
	}
	return ""
}

func nonzero(v float64) string {
	if v == 0 {
		return "must be nonzero"
	}
	return ""
}

func specErr(name string, line int, msg string) error {
	if line > 0 {
		return fmt.Errorf("nn: line %d: activation %q: %s", line, name, msg)
	}
	return fmt.Errorf("nn: activation %q: %s", name, msg)
}

func lookupActivation(name string, line int) (*actEntry, error) {
	if n, ok := activationAliases[name]; ok {
		name = n
	}
	for _, e := range activationCatalogue {
		if e.name == name {
			return e, nil
		}
	}
	if name == "" {
		return nil, specErr(name, line, "no name")
	}
	return nil, specErr(name, line, "unknown activation (known: "+strings.Join(ActivationNames(), ", ")+")")
}

// UnmarshalYAML decodes a bare name or a mapping {name: …, param: value,
// …} and checks the name and the parameters against the catalogue; errors
// carry the line of the offending node.
func (s *ActivationSpec) UnmarshalYAML(n *yaml.Node) error {
	*s = ActivationSpec{line: n.Line}
	switch n.Kind {
	case yaml.ScalarNode:
		s.Name = n.Value
		_, err := lookupActivation(s.Name, n.Line)
		return err
	case yaml.MappingNode:
	default:
		return fmt.Errorf("nn: line %d: activation: want a name or a mapping {name: …, parameter: value}", n.Line)
	}
	var nameNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "name" {
			nameNode = n.Content[i+1]
		}
	}
	if nameNode == nil || nameNode.Kind != yaml.ScalarNode || nameNode.Value == "" {
		return fmt.Errorf("nn: line %d: activation: mapping without a name", n.Line)
	}
	s.Name = nameNode.Value
	e, err := lookupActivation(s.Name, nameNode.Line)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return specErr(s.Name, k.Line, fmt.Sprintf("parameter %q given twice", k.Value))
		}
		seen[k.Value] = true
		if k.Value == "name" {
			continue
		}
		p, ok := e.param(k.Value)
		if !ok {
			return specErr(s.Name, k.Line, fmt.Sprintf("unknown parameter %q (parameters: %s)", k.Value, e.paramNames()))
		}
		var x float64
		if p.kind == boolParam {
			var b bool
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Decode(&b) != nil {
				return specErr(s.Name, v.Line, fmt.Sprintf("parameter %s: want true or false, got %q", k.Value, v.Value))
			}
			if b {
				x = 1
			}
		} else if v.Kind != yaml.ScalarNode || (v.Tag != "!!int" && v.Tag != "!!float") || v.Decode(&x) != nil {
			return specErr(s.Name, v.Line, fmt.Sprintf("parameter %s: want a number, got %q", k.Value, v.Value))
		}
		if s.Params == nil {
			s.Params, s.lines = map[string]float64{}, map[string]int{}
		}
		s.Params[k.Value] = x
		s.lines[k.Value] = v.Line
	}
	_, err = e.resolve(*s)
	return err
}

// MarshalYAML writes the bare name when there are no parameters and a
// flow mapping (name first, then the parameters in the catalogue's order)
// otherwise.
func (s ActivationSpec) MarshalYAML() (any, error) {
	if len(s.Params) == 0 {
		return s.Name, nil
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	add := func(k, v, tag string) {
		m.Content = append(m.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: k},
			&yaml.Node{Kind: yaml.ScalarNode, Value: v, Tag: tag})
	}
	add("name", s.Name, "!!str")
	for _, k := range s.paramOrder() {
		v := s.Params[k]
		if p, ok := s.entryParam(k); ok && p.kind == boolParam {
			add(k, strconv.FormatBool(v != 0), "!!bool")
			continue
		}
		tag := "!!float"
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			tag = "!!int"
		}
		add(k, strconv.FormatFloat(v, 'g', -1, 64), tag)
	}
	return m, nil
}

// String returns the spec in YAML flow form: "gelu" or
// "{name: snake, a: 0.5}".
func (s ActivationSpec) String() string {
	if len(s.Params) == 0 {
		return s.Name
	}
	var b strings.Builder
	b.WriteString("{name: ")
	b.WriteString(s.Name)
	for _, k := range s.paramOrder() {
		v := s.Params[k]
		b.WriteString(", ")
		b.WriteString(k)
		b.WriteString(": ")
		if p, ok := s.entryParam(k); ok && p.kind == boolParam {
			b.WriteString(strconv.FormatBool(v != 0))
		} else {
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	b.WriteByte('}')
	return b.String()
}

// paramOrder lists the spec's keys in the catalogue's order, unknown ones
// last and sorted.
func (s ActivationSpec) paramOrder() []string {
	var out []string
	known := map[string]bool{}
	if e, err := lookupActivation(s.Name, 0); err == nil {
		for _, p := range e.allParams() {
			known[p.name] = true
			if _, ok := s.Params[p.name]; ok {
				out = append(out, p.name)
			}
		}
	}
	var rest []string
	for k := range s.Params {
		if !known[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

func (s ActivationSpec) entryParam(k string) (actParam, bool) {
	e, err := lookupActivation(s.Name, 0)
	if err != nil {
		return actParam{}, false
	}
	return e.param(k)
}

// actBuilder hands a catalogue entry its resolved parameters and creates
// the learnable ones.
type actBuilder struct {
	e        *actEntry
	vals     map[string]float64
	o        *options
	act      *activation
	learn    bool
	channels int
	axis     int
}

// f returns the value of a parameter.
func (b *actBuilder) f(name string) float64 { return b.vals[name] }

// n returns the value of an integer parameter.
func (b *actBuilder) n(name string) int { return int(b.vals[name]) }

// declare registers a learnable tensor under name, filled from init
// (repeated over the leading axes when shorter).
func (b *actBuilder) declare(name string, init []float64, shape ...int) *paramCell {
	t := b.o.param(shape...)
	vals := make([]float64, t.Numel())
	for i := range vals {
		vals[i] = init[i%len(init)]
	}
	t.CopyFrom(tensor.FromFloat64s(b.o.dtype, vals, shape...))
	c := &paramCell{name, t}
	b.act.params = append(b.act.params, c)
	return c
}

// p returns parameter name as a pv: learnable (one value per channel)
// when the switch is on and the parameter is one that learns, fixed
// otherwise.
func (b *actBuilder) p(name string) pv {
	v := b.vals[name]
	spec, _ := b.e.param(name)
	if !b.learn || !spec.learn {
		return pv{c: v}
	}
	return pv{c: v, cell: b.declare(name, []float64{v}, b.channels), idx: -1, axis: b.axis, act: b.e.name}
}

// vec returns a vector parameter of len(init) entries (learnable as one
// tensor of that length, or fixed) as the pvs of its entries.
func (b *actBuilder) vec(name string, init []float64) []pv {
	out := make([]pv, len(init))
	var cell *paramCell
	if b.learn {
		cell = b.declare(name, init, len(init))
	}
	for i, v := range init {
		out[i] = pv{c: v, cell: cell, idx: i, act: b.e.name}
	}
	return out
}

// pv is a parameter value: the fixed number c, or a learnable tensor (in
// cell): one value per channel along axis (idx −1) or entry idx of a
// vector parameter.
type pv struct {
	c    float64
	cell *paramCell
	idx  int
	axis int
	act  string
}

func (p pv) fixed() bool { return p.cell == nil }

// on returns the parameter as a tensor that broadcasts against x.
func (p pv) on(x *tensor.Tensor) *tensor.Tensor {
	if p.cell == nil {
		return tensor.Full(x.DType().Real(), p.c)
	}
	t := p.cell.t
	switch {
	case p.idx >= 0:
		return tensor.Reshape(tensor.Narrow(t, 0, p.idx, 1))
	case t.Numel() == 1:
		return tensor.Reshape(t)
	}
	return channelView(t, x, p.axis, p.act)
}

// channelView reshapes t, whose leading axis holds one entry per channel,
// so that it broadcasts against x with the channels along axis (trailing
// axes of t follow x's axes).
func channelView(t, x *tensor.Tensor, axis int, act string) *tensor.Tensor {
	c := t.Dim(0)
	nd := x.NDim()
	ax := axis
	if ax < 0 {
		ax += nd
	}
	if ax < 0 || ax >= nd || x.Dim(ax) != c {
		panic(fmt.Sprintf("nn.Activation(%s): %d channels along axis %d, input shape %v", act, c, axis, x.Shape()))
	}
	shape := make([]int, nd, nd+t.NDim()-1)
	for i := range shape {
		shape[i] = 1
	}
	shape[ax] = c
	shape = append(shape, t.Shape()[1:]...)
	return tensor.Reshape(t, shape...)
}

// mulP returns x·p.
func mulP(x *tensor.Tensor, p pv) *tensor.Tensor {
	if p.fixed() {
		if p.c == 1 {
			return x
		}
		return tensor.Scale(x, p.c)
	}
	return tensor.Mul(x, p.on(x))
}

// addP returns x + p.
func addP(x *tensor.Tensor, p pv) *tensor.Tensor {
	if p.fixed() {
		if p.c == 0 {
			return x
		}
		return tensor.AddScalar(x, p.c)
	}
	return tensor.Add(x, p.on(x))
}

// divP returns x/p.
func divP(x *tensor.Tensor, p pv) *tensor.Tensor {
	if p.fixed() {
		return tensor.Scale(x, 1/p.c)
	}
	return tensor.Div(x, p.on(x))
}
