package yamldoc

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		src, err string // err: a substring of the error; "" for none
		keys     int    // top-level keys when it parses
	}{
		{"a: 1\nb: 2\n", "", 2},
		{"{\"a\": 1, \"b\": 2}\n", "", 2},
		{"{a: 1,\n b: 2}\n\n# the end\n", "", 2},
		{"", "", -1},
		{"# only a comment\n", "", -1},
		{"{\"a\": 1}\nb: 2\n", "line 2: text after the closing bracket", 0},
		{"{\"a\": 1,\n \"c\": 3}\n\n# more\n  b: 2\n", "line 5: text after the closing bracket", 0},
		{"a: 1\n---\nb: 2\n", "line 2: a second YAML document", 0},
		{"a: [1\n", "yaml: line", 0},
	} {
		doc, err := Parse([]byte(c.src))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want one with %q", c.src, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if c.keys < 0 {
			if len(doc.Content) != 0 {
				t.Errorf("%q: content %v, want none", c.src, doc.Content)
			}
			continue
		}
		if len(doc.Content) != 1 || len(doc.Content[0].Content) != 2*c.keys {
			t.Errorf("%q: %d top-level nodes, want a mapping of %d keys", c.src, len(doc.Content), c.keys)
		}
	}
}
