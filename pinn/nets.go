package pinn

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/sciml-go/sciml/tensor"
)

// NetSpec describes a network by type name, for configs (NewNet): the
// settings network types share, and Options for those of one type.
type NetSpec struct {
	// Type names a registered network type ("mlp", …; NetTypes).
	Type string
	// In and Out are the input and output dimensions.
	In, Out int
	// Hidden are the widths of the hidden layers (their meaning is the
	// type's: an MLP's layers, …).
	Hidden []int
	// Activation names an activation (ActivationByName; "" the type's
	// default).
	Activation string
	// DType of the parameters (0: Float64).
	DType tensor.DType
	// Seed of the initialisation.
	Seed uint64
	// FourierFeatures and FourierScale add a random Fourier-feature input
	// map (MLPConfig), where the type supports one.
	FourierFeatures int
	FourierScale    float64
	// Options are the type's own settings (decoded from a config's
	// net.options mapping).
	Options map[string]any
}

var (
	netsMu sync.RWMutex
	nets   = map[string]func(NetSpec) (Net, error){}
)

// RegisterNet makes a network type available to NewNet under name; it
// panics on a duplicate name (a programming error, at init time).
func RegisterNet(name string, build func(NetSpec) (Net, error)) {
	netsMu.Lock()
	defer netsMu.Unlock()
	if _, dup := nets[name]; dup || name == "" {
		panic(fmt.Sprintf("pinn.RegisterNet: type %q registered twice or empty", name))
	}
	nets[name] = build
}

// NetTypes returns the registered network types, sorted.
func NetTypes() []string {
	netsMu.RLock()
	defer netsMu.RUnlock()
	var out []string
	for n := range nets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// NewNet builds the network spec describes; an unknown type or invalid
// settings are errors.
func NewNet(spec NetSpec) (Net, error) {
	netsMu.RLock()
	build, ok := nets[spec.Type]
	netsMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("pinn: unknown network type %q (known: %s)", spec.Type, strings.Join(NetTypes(), ", "))
	}
	if spec.In <= 0 || spec.Out <= 0 {
		return nil, fmt.Errorf("pinn: network dimensions %d → %d", spec.In, spec.Out)
	}
	return build(spec)
}

func init() {
	RegisterNet("mlp", func(s NetSpec) (Net, error) {
		if len(s.Options) > 0 {
			return nil, fmt.Errorf("pinn: mlp takes no options (got %d)", len(s.Options))
		}
		if len(s.Hidden) == 0 {
			return nil, fmt.Errorf("pinn: mlp needs hidden layers")
		}
		for _, w := range s.Hidden {
			if w <= 0 {
				return nil, fmt.Errorf("pinn: mlp hidden widths %v must be positive", s.Hidden)
			}
		}
		act, err := ActivationByName(s.Activation)
		if err != nil {
			return nil, err
		}
		return NewMLP(MLPConfig{In: s.In, Out: s.Out, Hidden: s.Hidden, Activation: act, DType: s.DType,
			Seed: s.Seed, FourierFeatures: s.FourierFeatures, FourierScale: s.FourierScale}), nil
	})
}
