package odcs

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// readYAML parses the block YAML this package writes — nested mappings
// and sequences indented by two spaces, "- " items whose first key
// shares the dash's line, plain and double-quoted scalars — into
// map[string]any, []any, string, bool and int64. It rejects anything
// else (tabs, flow collections, odd indentation, a key twice), so that a
// test reading a document back also checks its structure. It is not a
// YAML parser: it is the inverse of writeYAML, written independently.
func readYAML(doc string) (map[string]any, error) {
	var lines []yLine
	for i, text := range strings.Split(strings.TrimSuffix(doc, "\n"), "\n") {
		if strings.ContainsRune(text, '\t') {
			return nil, fmt.Errorf("line %d: a tab", i+1)
		}
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" {
			return nil, fmt.Errorf("line %d: empty", i+1)
		}
		lines = append(lines, yLine{no: i + 1, indent: len(text) - len(trimmed), text: trimmed})
	}
	r := &yReader{lines: lines}
	v, err := r.block(0)
	if err != nil {
		return nil, err
	}
	if r.pos < len(r.lines) {
		return nil, fmt.Errorf("line %d: unexpected indentation", r.lines[r.pos].no)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is not a mapping")
	}
	return m, nil
}

type yLine struct {
	no, indent int
	text       string
}

type yReader struct {
	lines []yLine
	pos   int
}

// block reads the mapping or sequence whose lines start at indent.
func (r *yReader) block(indent int) (any, error) {
	if r.pos >= len(r.lines) || r.lines[r.pos].indent != indent {
		return nil, fmt.Errorf("expected a block at indentation %d", indent)
	}
	if strings.HasPrefix(r.lines[r.pos].text, "- ") {
		return r.seq(indent)
	}
	return r.mapping(indent, map[string]any{})
}

func (r *yReader) seq(indent int) ([]any, error) {
	var out []any
	for r.pos < len(r.lines) && r.lines[r.pos].indent == indent {
		l := r.lines[r.pos]
		rest, ok := strings.CutPrefix(l.text, "- ")
		if !ok {
			return nil, fmt.Errorf("line %d: a sequence item without a dash", l.no)
		}
		if _, _, isKey := splitKey(rest); isKey {
			// "- key: ..." starts a mapping whose other keys are at indent+2.
			m := map[string]any{}
			r.lines[r.pos] = yLine{no: l.no, indent: indent + 2, text: rest}
			if _, err := r.mapping(indent+2, m); err != nil {
				return nil, err
			}
			out = append(out, m)
			continue
		}
		v, err := readScalar(rest)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.no, err)
		}
		out = append(out, v)
		r.pos++
	}
	return out, nil
}

func (r *yReader) mapping(indent int, m map[string]any) (map[string]any, error) {
	for r.pos < len(r.lines) && r.lines[r.pos].indent == indent {
		l := r.lines[r.pos]
		key, val, ok := splitKey(l.text)
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not a key", l.no, l.text)
		}
		if _, dup := m[key]; dup {
			return nil, fmt.Errorf("line %d: key %q twice", l.no, key)
		}
		r.pos++
		if val == "" {
			// Only the two-space step is written.
			if r.pos >= len(r.lines) || r.lines[r.pos].indent != indent+2 {
				return nil, fmt.Errorf("line %d: key %q without a block indented by two under it", l.no, key)
			}
			v, err := r.block(indent + 2)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", l.no, err)
			}
			m[key] = v
			continue
		}
		v, err := readScalar(val)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.no, err)
		}
		m[key] = v
	}
	return m, nil
}

// splitKey splits "key: value" or "key:"; keys are plain identifiers.
func splitKey(s string) (key, val string, ok bool) {
	i := strings.Index(s, ":")
	if i <= 0 {
		return "", "", false
	}
	key = s[:i]
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return "", "", false
		}
	}
	rest := s[i+1:]
	if rest == "" {
		return key, "", true
	}
	if !strings.HasPrefix(rest, " ") {
		return "", "", false
	}
	return key, rest[1:], true
}

func readScalar(s string) (any, error) {
	switch {
	case strings.HasPrefix(s, `"`):
		var out string
		if err := json.Unmarshal([]byte(s), &out); err != nil {
			return nil, fmt.Errorf("bad double-quoted scalar %s: %v", s, err)
		}
		return out, nil
	case s == "true" || s == "false":
		return s == "true", nil
	case s == "{}":
		return map[string]any{}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if problem := plainProblem(s); problem != "" {
		return nil, fmt.Errorf("plain scalar %q would not read back as that string: %s", s, problem)
	}
	return s, nil
}

// plainProblem says why a plain scalar would not be read as the string it
// spells, by the YAML 1.1 and 1.2 rules (an independent statement of what
// plainSafe must guarantee); "" when it would be.
func plainProblem(s string) string {
	switch {
	case s == "":
		return "empty"
	case strings.TrimSpace(s) != s:
		return "leading or trailing space"
	case strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`"):
		return "starts with an indicator"
	case strings.ContainsAny(s[:1], "0123456789.+"):
		return "may read as a number"
	case strings.Contains(s, ": ") || strings.HasSuffix(s, ":"):
		return "a colon reads as a key"
	case strings.Contains(s, " #"):
		return "a comment"
	case strings.ContainsAny(s, "\n\r"):
		return "a line break"
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~":
		return "reads as a boolean or null"
	}
	return ""
}
