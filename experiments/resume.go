package experiments

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/sciml-go/sciml/nn"
)

// configChanges lists the settings of cfg that differ from those of the run
// whose checkpoint is ck, among the keys that shape the training (data,
// model, train), one "key: old → new" each: a run resumed with another
// config goes on with the new one (more epochs, say), which should not
// happen unnoticed. The checkpoint's config is decoded by this build, so
// keys added since it was written, at their defaults, are no change.
func configChanges(ck string, cfg *Config) ([]string, error) {
	c, err := nn.LoadCheckpoint(ck)
	if err != nil {
		return nil, err
	}
	if len(c.Config) == 0 {
		return nil, nil
	}
	old, err := Decode(c.Config, ck+" (config)", "")
	if err != nil {
		return nil, err
	}
	flat := func(c *Config) (map[string]string, error) {
		j, err := c.JSON()
		if err != nil {
			return nil, err
		}
		var v map[string]any
		if err := json.Unmarshal(j, &v); err != nil {
			return nil, err
		}
		out := map[string]string{}
		for _, k := range []string{"data", "model", "train"} {
			flatten(out, k, v[k])
		}
		return out, nil
	}
	a, err := flat(old)
	if err != nil {
		return nil, err
	}
	b, err := flat(cfg)
	if err != nil {
		return nil, err
	}
	var changes []string
	for k, v := range b {
		if w, ok := a[k]; !ok {
			changes = append(changes, fmt.Sprintf("%s: (unset) → %s", k, v))
		} else if w != v {
			changes = append(changes, fmt.Sprintf("%s: %s → %s", k, w, v))
		}
	}
	for k, w := range a {
		if _, ok := b[k]; !ok {
			changes = append(changes, fmt.Sprintf("%s: %s → (unset)", k, w))
		}
	}
	slices.Sort(changes)
	return changes, nil
}

// flatten adds the leaves of v under prefix to out as dotted keys, each
// value as JSON (lists whole).
func flatten(out map[string]string, prefix string, v any) {
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			flatten(out, prefix+"."+k, x)
		}
		return
	}
	if v == nil {
		return
	}
	b, _ := json.Marshal(v) // decoded from JSON: always encodes
	out[prefix] = strings.TrimSpace(string(b))
}
