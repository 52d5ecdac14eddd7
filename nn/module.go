package nn

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/sciml-go/sciml/tensor"
)

// Module is anything that holds parameters: a layer or a whole model. Visit
// declares the module's parameters, buffers and submodules to v, always in
// the same order; the package derives names, counts, freezing, state dicts
// and train/eval mode from it. A composite model implements it in a few
// lines:
//
//	func (m *Model) Visit(v *nn.Visitor) {
//		v.Module("lift", m.Lift)
//		nn.VisitList(v, "layers", m.Layers) // layers.0…, layers.1…
//		v.Param("scale", m.Scale)
//	}
type Module interface {
	Visit(v *Visitor)
}

// Layer is a module with a single-input forward pass.
type Layer interface {
	Module
	Forward(x *tensor.Tensor) *tensor.Tensor
}

// TrainingMode is implemented by modules whose forward pass differs between
// training and evaluation (BatchNorm, Dropout). SetTraining reaches every
// such module of a model.
type TrainingMode interface {
	SetTraining(on bool)
}

// Visitor receives the declarations of a module's Visit method and keeps
// track of the dotted name prefix of the submodule being visited.
type Visitor struct {
	prefix string
	tensor func(name string, t *tensor.Tensor, buffer bool)
	module func(name string, m Module)
}

// Param declares a trainable parameter: a leaf tensor, normally with
// requires-grad set (a frozen parameter has it off). A nil t is skipped, so
// optional parameters (a bias) need no test at the call site.
func (v *Visitor) Param(name string, t *tensor.Tensor) {
	if t != nil && v.tensor != nil {
		v.tensor(v.name(name), t, false)
	}
}

// Buffer declares a tensor that belongs to the module's state (saved in
// state dicts) but is not trained, such as BatchNorm's running statistics.
// A nil t is skipped.
func (v *Visitor) Buffer(name string, t *tensor.Tensor) {
	if t != nil && v.tensor != nil {
		v.tensor(v.name(name), t, true)
	}
}

// Module declares a submodule; its entries are named name.<entry>. A nil m
// (also a nil pointer in the interface) is skipped.
func (v *Visitor) Module(name string, m Module) {
	if isNil(m) {
		return
	}
	full := v.name(name)
	if v.module != nil {
		v.module(full, m)
	}
	sub := Visitor{prefix: full + ".", tensor: v.tensor, module: v.module}
	m.Visit(&sub)
}

func (v *Visitor) name(n string) string {
	if n == "" {
		panic(fmt.Sprintf("nn.Visitor: empty name under %q", v.prefix))
	}
	return v.prefix + n
}

func isNil(m Module) bool {
	if m == nil {
		return true
	}
	rv := reflect.ValueOf(m)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// VisitList declares the modules of a list as name.0, name.1, …
func VisitList[M Module](v *Visitor, name string, ms []M) {
	for i, m := range ms {
		v.Module(name+"."+strconv.Itoa(i), m)
	}
}

// NamedParam is a parameter or buffer with its dotted name.
type NamedParam struct {
	Name   string
	Tensor *tensor.Tensor
}

// entry is one declared tensor.
type entry struct {
	name   string
	t      *tensor.Tensor
	buffer bool
}

// entries lists the tensors m declares, in visit order. It panics when two
// tensors share a name.
func entries(m Module) []entry {
	var out []entry
	seen := map[string]bool{}
	v := Visitor{tensor: func(name string, t *tensor.Tensor, buffer bool) {
		if seen[name] {
			panic(fmt.Sprintf("nn: two tensors are named %q", name))
		}
		seen[name] = true
		out = append(out, entry{name, t, buffer})
	}}
	if !isNil(m) {
		m.Visit(&v)
	}
	return out
}

// Walk calls f for every parameter and buffer of m in visit order, with
// its dotted name and whether it is a buffer.
func Walk(m Module, f func(name string, t *tensor.Tensor, buffer bool)) {
	for _, e := range entries(m) {
		f(e.name, e.t, e.buffer)
	}
}

// Modules returns m's submodules, depth first in visit order, with their
// dotted names (m itself is not included).
func Modules(m Module) []NamedModule {
	var out []NamedModule
	v := Visitor{module: func(name string, sub Module) { out = append(out, NamedModule{name, sub}) }}
	if !isNil(m) {
		m.Visit(&v)
	}
	return out
}

// NamedModule is a submodule with its dotted name.
type NamedModule struct {
	Name   string
	Module Module
}

// NamedParams returns the parameters of m (frozen ones included, buffers
// excluded) in visit order. A tensor declared under several names (tied
// weights) appears once, under its first name.
func NamedParams(m Module) []NamedParam {
	var out []NamedParam
	seen := map[*tensor.Tensor]bool{}
	for _, e := range entries(m) {
		if e.buffer || seen[e.t] {
			continue
		}
		seen[e.t] = true
		out = append(out, NamedParam{e.name, e.t})
	}
	return out
}

// NamedBuffers returns the buffers of m in visit order.
func NamedBuffers(m Module) []NamedParam {
	var out []NamedParam
	for _, e := range entries(m) {
		if e.buffer {
			out = append(out, NamedParam{e.name, e.t})
		}
	}
	return out
}

// Params returns the parameter tensors of m (frozen ones included), each
// once, in visit order.
func Params(m Module) []*tensor.Tensor {
	np := NamedParams(m)
	out := make([]*tensor.Tensor, len(np))
	for i, p := range np {
		out[i] = p.Tensor
	}
	return out
}

// TrainableParams returns the parameters of m that require gradients (the
// ones an optimizer updates), each once, in visit order.
func TrainableParams(m Module) []*tensor.Tensor {
	var out []*tensor.Tensor
	for _, p := range NamedParams(m) {
		if p.Tensor.RequiresGrad() {
			out = append(out, p.Tensor)
		}
	}
	return out
}

// numReals is the number of real numbers in t: a complex element counts
// twice.
func numReals(t *tensor.Tensor) int {
	if t.DType().IsComplex() {
		return 2 * t.Numel()
	}
	return t.Numel()
}

// CountParams returns the number of real parameters of m, frozen ones
// included and buffers excluded. A complex parameter counts as two reals,
// which is how the published parameter counts of Fourier neural operators
// are made.
func CountParams(m Module) int {
	n := 0
	for _, p := range NamedParams(m) {
		n += numReals(p.Tensor)
	}
	return n
}

// CountTrainable is CountParams restricted to the parameters that require
// gradients.
func CountTrainable(m Module) int {
	n := 0
	for _, t := range TrainableParams(m) {
		n += numReals(t)
	}
	return n
}

// under reports whether name is prefix or lies below it ("" matches all).
func under(name, prefix string) bool {
	return prefix == "" || name == prefix || strings.HasPrefix(name, prefix+".")
}

func setGrad(m Module, prefix string, on bool, fn string) error {
	n := 0
	for _, p := range NamedParams(m) {
		if under(p.Name, prefix) {
			p.Tensor.SetRequiresGrad(on)
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("nn.%s: no parameter is named %q or lies under it", fn, prefix)
	}
	return nil
}

// Freeze stops training of the parameters named prefix or lying under it
// (prefix "lift" matches "lift.weight" and "lift.bias", not "lifter.w"; ""
// matches every parameter) by turning their requires-grad flag off. It
// returns an error when no parameter matches.
func Freeze(m Module, prefix string) error { return setGrad(m, prefix, false, "Freeze") }

// Unfreeze undoes Freeze: the matching parameters require gradients again.
func Unfreeze(m Module, prefix string) error { return setGrad(m, prefix, true, "Unfreeze") }

// ZeroGrad clears the accumulated gradients of all parameters of m.
func ZeroGrad(m Module) {
	for _, p := range NamedParams(m) {
		p.Tensor.ZeroGrad()
	}
}

// SetTraining puts every module of m (m included) that has a training mode
// into training (on) or evaluation (off) mode. Layers start in training
// mode, as in PyTorch.
func SetTraining(m Module, on bool) {
	if isNil(m) {
		return
	}
	if t, ok := m.(TrainingMode); ok {
		t.SetTraining(on)
	}
	for _, sub := range Modules(m) {
		if t, ok := sub.Module.(TrainingMode); ok {
			t.SetTraining(on)
		}
	}
}

// StateDict returns every parameter and buffer of m by dotted name. The
// tensors share storage with the model (detached from the autodiff graph):
// they change as the model trains; Clone them to keep a snapshot.
func StateDict(m Module) map[string]*tensor.Tensor {
	sd := map[string]*tensor.Tensor{}
	for _, e := range entries(m) {
		sd[e.name] = e.t.Detach()
	}
	return sd
}

// LoadStateDict copies the tensors of sd into the parameters and buffers of
// m with the same names. Every name of m must be in sd and every key of sd
// must name a tensor of m, with the same shape; float32 and float64 convert
// into each other, and so do complex64 and complex128. On any mismatch it
// returns an error that lists each missing key, unexpected key and shape
// or dtype mismatch, and loads nothing.
func LoadStateDict(m Module, sd map[string]*tensor.Tensor) error {
	es := entries(m)
	var problems []string
	known := map[string]bool{}
	for _, e := range es {
		known[e.name] = true
		src, ok := sd[e.name]
		switch {
		case !ok || src == nil:
			problems = append(problems, fmt.Sprintf("missing key %q (%v%v)", e.name, e.t.DType(), e.t.Shape()))
		case !slices.Equal(src.Shape(), e.t.Shape()):
			problems = append(problems, fmt.Sprintf("%q: shape %v in the state dict, %v in the model", e.name, src.Shape(), e.t.Shape()))
		case src.DType().IsComplex() != e.t.DType().IsComplex():
			problems = append(problems, fmt.Sprintf("%q: dtype %v in the state dict, %v in the model", e.name, src.DType(), e.t.DType()))
		}
	}
	var extra []string
	for k := range sd {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		problems = append(problems, fmt.Sprintf("unexpected key %q", k))
	}
	if len(problems) > 0 {
		errs := make([]error, len(problems))
		for i, p := range problems {
			errs[i] = errors.New(p)
		}
		return fmt.Errorf("nn.LoadStateDict: %w", errors.Join(errs...))
	}
	for _, e := range es {
		copyConvert(e.t, sd[e.name])
	}
	return nil
}

// copyConvert copies src into dst in place, converting between the real
// (or between the complex) dtypes.
func copyConvert(dst, src *tensor.Tensor) {
	if dst.DType() == src.DType() {
		dst.CopyFrom(src)
		return
	}
	switch d := dst.DType(); d {
	case tensor.Float32:
		conv(tensor.Data[float32](dst), tensor.Data[float64](src), func(v float64) float32 { return float32(v) })
	case tensor.Float64:
		conv(tensor.Data[float64](dst), tensor.Data[float32](src), func(v float32) float64 { return float64(v) })
	case tensor.Complex64:
		conv(tensor.Data[complex64](dst), tensor.Data[complex128](src), func(v complex128) complex64 { return complex64(v) })
	case tensor.Complex128:
		conv(tensor.Data[complex128](dst), tensor.Data[complex64](src), func(v complex64) complex128 { return complex128(v) })
	}
}

func conv[D, S any](dst []D, src []S, f func(S) D) {
	for i, v := range src {
		dst[i] = f(v)
	}
}

// Sequential is a chain of layers applied in order; its entries are named
// by position ("0.weight", "1.weight", …), as PyTorch's nn.Sequential.
type Sequential []Layer

// Forward applies the layers in order.
func (s Sequential) Forward(x *tensor.Tensor) *tensor.Tensor {
	for _, l := range s {
		x = l.Forward(x)
	}
	return x
}

// Visit declares the layers as submodules 0, 1, …
func (s Sequential) Visit(v *Visitor) {
	for i, l := range s {
		v.Module(strconv.Itoa(i), l)
	}
}

// Func turns a parameter-free function (an activation) into a Layer.
type Func func(x *tensor.Tensor) *tensor.Tensor

// Forward returns f(x).
func (f Func) Forward(x *tensor.Tensor) *tensor.Tensor { return f(x) }

// Visit declares nothing.
func (Func) Visit(*Visitor) {}
