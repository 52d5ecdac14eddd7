package experiments

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/sciml-go/sciml/internal/yamldoc"
)

// KindOperator is the kind of the operator-learning experiments that
// Config describes (data → operator → evaluation at several
// resolutions); a config without a kind key is one.
const KindOperator = "operator"

// Kind is a family of experiments with its own config schema and runner
// — physics-informed networks, implicit neural representations — run by
// `sciml run` like the operator experiments. A config selects its kind
// with a top-level key, `kind: pinn`.
type Kind struct {
	// Name is the value of the config's kind key.
	Name string
	// Describe says in a few words what the kind runs (for help texts).
	Describe string
	// Resolve decodes and validates the config source with the profile
	// applied (with DecodeStrict, so errors name label, line and key) and
	// returns the resolved config as YAML.
	Resolve func(src []byte, label, profile string) ([]byte, error)
	// Run decodes, validates and runs the config with the profile
	// applied, writing its outputs (report.md, metrics.jsonl, plots, the
	// model) under opts.Dir (default runs/<name>-<profile>), and returns
	// the lines to print at the end: the result, the expectation met or
	// not, and the report's path.
	Run func(ctx context.Context, src []byte, label, profile string, opts Options) (summary string, err error)
}

var (
	kindsMu sync.RWMutex
	kinds   = map[string]Kind{}
)

// RegisterKind adds a kind of experiment; it panics on a duplicate or
// an incomplete Kind (a programming error, at init time).
func RegisterKind(k Kind) {
	if k.Name == "" || k.Name == KindOperator || k.Resolve == nil || k.Run == nil {
		panic(fmt.Sprintf("experiments.RegisterKind: invalid kind %q (name, Resolve and Run are required; %q is built in)", k.Name, KindOperator))
	}
	kindsMu.Lock()
	defer kindsMu.Unlock()
	if _, dup := kinds[k.Name]; dup {
		panic(fmt.Sprintf("experiments.RegisterKind: kind %q registered twice", k.Name))
	}
	kinds[k.Name] = k
}

// Kinds returns the names of the registered kinds, operator first.
func Kinds() []string {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	var out []string
	for n := range kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return append([]string{KindOperator}, out...)
}

// LookupKind returns the registered kind name ("operator" and "" are the
// built-in kind, for which it returns false).
func LookupKind(name string) (Kind, bool) {
	kindsMu.RLock()
	defer kindsMu.RUnlock()
	k, ok := kinds[name]
	return k, ok
}

// KindOf returns the kind a config source declares (its top-level kind
// key), KindOperator without one. An unknown kind is an error naming
// label, the line and the known kinds.
func KindOf(src []byte, label string) (string, error) {
	root, err := yamldoc.Parse(src)
	if err != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return KindOperator, nil // decoding reports the problem
	}
	doc := root.Content[0]
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value != "kind" {
			continue
		}
		v := doc.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("experiment: %s:%d: kind: want a name (%s)", label, v.Line, strings.Join(Kinds(), ", "))
		}
		if v.Value == "" || v.Value == KindOperator {
			return KindOperator, nil
		}
		if _, ok := LookupKind(v.Value); !ok {
			return "", fmt.Errorf("experiment: %s:%d: kind: unknown kind %q (known: %s)", label, v.Line, v.Value, strings.Join(Kinds(), ", "))
		}
		return v.Value, nil
	}
	return KindOperator, nil
}
