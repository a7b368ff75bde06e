package odcs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// yMap is a YAML mapping whose keys keep the order they were added in.
type yMap []yField

// yField is one key of a yMap. Value is a string, bool, int64, yMap or
// yList; an empty string, list or map is left out when written, and so is
// a nil value.
type yField struct {
	Key   string
	Value any
}

// yList is a YAML sequence.
type yList []any

// add appends a field.
func (m *yMap) add(key string, v any) { *m = append(*m, yField{key, v}) }

// empty reports whether v is written as nothing.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case yMap:
		for _, f := range v {
			if !empty(f.Value) {
				return false
			}
		}
		return true
	case yList:
		return len(v) == 0
	}
	return false
}

// writeYAML writes m as a block-style YAML document.
func writeYAML(w io.Writer, m yMap) error {
	var b bytes.Buffer
	writeMap(&b, m, 0, false)
	_, err := w.Write(b.Bytes())
	return err
}

// writeMap writes m's fields at indent; when inItem, the first field
// follows a "- " already written.
func writeMap(b *bytes.Buffer, m yMap, indent int, inItem bool) {
	first := true
	for _, f := range m {
		if empty(f.Value) {
			continue
		}
		if !(first && inItem) {
			b.WriteString(strings.Repeat(" ", indent))
		}
		first = false
		b.WriteString(scalar(f.Key))
		b.WriteByte(':')
		switch v := f.Value.(type) {
		case yMap:
			b.WriteByte('\n')
			writeMap(b, v, indent+2, false)
		case yList:
			b.WriteByte('\n')
			writeList(b, v, indent+2)
		default:
			b.WriteByte(' ')
			b.WriteString(scalar(v))
			b.WriteByte('\n')
		}
	}
}

func writeList(b *bytes.Buffer, l yList, indent int) {
	for _, item := range l {
		b.WriteString(strings.Repeat(" ", indent))
		b.WriteString("- ")
		switch v := item.(type) {
		case yMap:
			if empty(v) {
				b.WriteString("{}\n")
				continue
			}
			writeMap(b, v, indent+2, true)
		case yList:
			// Not produced by this package's documents.
			b.WriteString("[]\n")
		default:
			b.WriteString(scalar(v))
			b.WriteByte('\n')
		}
	}
}

// scalar writes a scalar: booleans and integers as such, strings plain
// when plainSafe, double-quoted otherwise.
func scalar(v any) string {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case string:
		if plainSafe(v) {
			return v
		}
		return quote(v)
	}
	return quote(fmt.Sprint(v))
}

// quote double-quotes s. A JSON string is a valid YAML double-quoted
// scalar with the same value: the escapes it uses (\" \\ \n \t \uXXXX)
// are YAML's too.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// plainSafe reports whether s can be written unquoted and be read back as
// the same string by any YAML 1.1 or 1.2 reader: it starts with a letter,
// "_" or "/", holds only letters, digits and _ . / @ + - with single
// inner spaces, and is none of the words YAML reads as a boolean or null.
// Anything else (a colon, "#", quotes, brackets, commas, a leading digit
// or dash) is quoted: quoting a safe string costs nothing, writing an
// unsafe one plain changes its meaning.
func plainSafe(s string) bool {
	if s == "" || s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		switch {
		case i == 0 && !(letter || r == '_' || r == '/'):
			return false
		case letter, r >= '0' && r <= '9', strings.ContainsRune("_./@+- ", r):
		default:
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
		return false
	}
	return true
}
