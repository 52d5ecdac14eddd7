// Package yamldoc parses a YAML config file into one document node,
// refusing what yaml.v3 would otherwise drop without a word: text after a
// flow-style ({…} or […]) top-level collection, which yaml.v3 stops
// reading at its closing bracket (a JSON config with block-style keys
// appended below it), and a second document after "---".
package yamldoc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parse returns the document node of src (its DocumentNode; no Content
// when src is empty or only comments). Errors carry yaml.v3's text
// ("yaml: line N: …") or, for content that would be ignored,
// "line N: …" naming its first line.
func Parse(src []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &yaml.Node{Kind: yaml.DocumentNode}, nil
		}
		return nil, err
	}
	var next yaml.Node
	err := dec.Decode(&next)
	switch {
	case errors.Is(err, io.EOF):
		return &doc, nil
	case err == nil:
		return nil, fmt.Errorf("line %d: a second YAML document starts here (---); a config is one document", max(next.Line, 1))
	}
	// The only way for a first document to decode and the stream to fail
	// after it is text after a flow collection at the top level.
	line := trailingLine(src)
	return nil, fmt.Errorf("line %d: text after the closing bracket of the top-level {…} would be ignored; "+
		"put these keys inside the braces, or write the whole file in block style (key: value lines)", line)
}

// trailingLine is the first line holding something other than blanks
// and comments after the shortest prefix of src that parses on its own
// (the top-level flow collection); 1 when there is none.
func trailingLine(src []byte) int {
	lines := strings.SplitAfter(string(src), "\n")
	for k := 1; k <= len(lines); k++ {
		var n yaml.Node
		if yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n) != nil || len(n.Content) == 0 {
			continue
		}
		for j := k; j < len(lines); j++ {
			if t := strings.TrimSpace(lines[j]); t != "" && !strings.HasPrefix(t, "#") {
				return j + 1
			}
		}
		break
	}
	return 1
}
