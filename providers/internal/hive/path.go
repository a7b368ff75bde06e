package hive

import (
	"fmt"
	"strings"
)

// NullMarker is the folder value that stands for a null partition value,
// as in Hive, Spark and DuckDB. An empty string is written as a null too,
// since no folder name can hold it; a value that is this very text reads
// back as a null (the ambiguity is Hive's).
const NullMarker = "__HIVE_DEFAULT_PARTITION__"

// escaped marks the bytes that are written %XX in a folder name: the set
// of Hive's FileUtils.escapePathName and Spark's
// ExternalCatalogUtils.escapePathName — control characters (NUL included,
// which Spark leaves out but no file system takes), DEL and
// "#%'*/:=?\{[]^ — without the Windows-only additions (space, <, >, |).
// Other bytes, UTF-8 sequences included, are written as they are.
var escaped = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	for _, c := range []byte("\"#%'*/:=?\\\x7f{[]^") {
		t[c] = true
	}
	return t
}()

// AppendEscaped appends s to dst with the bytes Hive escapes in folder
// names written as %XX (upper-case hexadecimal).
func AppendEscaped[S ~string | ~[]byte](dst []byte, s S) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if escaped[c] {
			dst = append(dst, '%', hex[c>>4], hex[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// Escape returns s as a folder name writes it (see AppendEscaped).
func Escape(s string) string {
	for i := 0; i < len(s); i++ {
		if escaped[s[i]] {
			return string(AppendEscaped(make([]byte, 0, len(s)+8), s))
		}
	}
	return s
}

// Unescape undoes Escape: every %XX with two hexadecimal digits (in either
// case) becomes the byte XX. A % not followed by two hexadecimal digits is
// kept as it is, as Hive and Spark do, so that folders written by tools
// that escape less still read.
func Unescape(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, c)
	}
	return string(b)
}

// unhex reads one hexadecimal digit.
func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// AppendSegment appends the folder name of one partition, col=value, both
// escaped; an empty value (a null, or the empty string) is written as
// NullMarker. Sinks call it once per row: it does not allocate.
func AppendSegment[S ~string | ~[]byte](dst []byte, col string, value S) []byte {
	dst = AppendEscaped(dst, col)
	dst = append(dst, '=')
	if len(value) == 0 {
		return append(dst, NullMarker...)
	}
	return AppendEscaped(dst, value)
}

// Segment returns the folder name of one partition (see AppendSegment).
func Segment(col, value string) string {
	return string(AppendSegment(nil, col, value))
}

// KV is one partition folder of a file's path, unescaped.
type KV struct {
	Col string
	// Value is the partition value; empty when Null.
	Value string
	// Null is set when the folder's value is NullMarker.
	Null bool
}

// Parse returns the partition folders of a file's path relative to its
// source's root folder (slash-separated, the file's name last), in path
// order. Folders without "=" are not partitions and are passed over, so
// that data/2024/country=DE/part-0.csv has one partition; the file's own
// name is never one. A folder with "=" but no column name or no value, or
// two folders for one column, are errors.
func Parse(relPath string) ([]KV, error) {
	dir := relPath[:strings.LastIndexByte(relPath, '/')+1]
	var kvs []KV
	for dir != "" {
		seg, rest, _ := strings.Cut(dir, "/")
		dir = rest
		rawCol, rawValue, ok := strings.Cut(seg, "=")
		if !ok {
			continue
		}
		switch {
		case rawCol == "":
			return nil, fmt.Errorf("the folder %q has no column name before its \"=\"", seg)
		case rawValue == "":
			return nil, fmt.Errorf("the folder %q has no value after its \"=\" (a null partition value is written %s)", seg, NullMarker)
		}
		kv := KV{Col: Unescape(rawCol)}
		if rawValue == NullMarker {
			kv.Null = true
		} else {
			kv.Value = Unescape(rawValue)
		}
		for _, prev := range kvs {
			if prev.Col == kv.Col {
				return nil, fmt.Errorf("two folders give the partition column %q a value", kv.Col)
			}
		}
		kvs = append(kvs, kv)
	}
	return kvs, nil
}

// Lookup returns the partition of column col among kvs.
func Lookup(kvs []KV, col string) (KV, bool) {
	for _, kv := range kvs {
		if kv.Col == col {
			return kv, true
		}
	}
	return KV{}, false
}
