package meshtest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/hcldiag"
)

// csvRows reads the CSV file a csv attribute names, relative to the test
// file's folder. The first line names the columns; every field is a
// string, an empty field a null and a quoted empty field ("") an empty
// string. Each cell keeps its file:line:col, so that a value that does
// not fit its column is reported where it is written.
func (d *decoder) csvRows(a *hcl.Attribute) *Rows {
	v, hd := a.Expr.Value(nil)
	if !d.hcl(hd) {
		return nil
	}
	if v.IsNull() || v.Type() != cty.String || v.AsString() == "" {
		d.errorf(a.Expr.Range(), "Invalid csv", "csv is the path of a CSV file relative to the test file, such as csv = \"fixtures/orders.csv\".")
		return nil
	}
	written := v.AsString()
	if path.IsAbs(written) {
		d.errorf(a.Expr.Range(), "Invalid csv", "%s is an absolute path; a fixture's path is relative to the test file, so that the tests run from any checkout.", written)
		return nil
	}
	rel := path.Join(path.Dir(d.rel), written)
	if !fs.ValidPath(rel) {
		d.errorf(a.Expr.Range(), "Invalid csv", "%s is outside the workspace; keep fixtures next to the tests that use them.", written)
		return nil
	}
	src, err := fs.ReadFile(d.fsys, rel)
	if err != nil {
		d.errorf(a.Expr.Range(), "Cannot read CSV file", "%s: %v (the path is relative to the test file's folder).", path.Join(d.opts.DisplayDir, rel), unwrapPath(err))
		return nil
	}
	name := path.Join(d.opts.DisplayDir, rel)
	d.suite.Files[name] = src
	out := &Rows{CSV: written, CSVFile: name, Range: a.Expr.Range()}
	if !d.parseCSV(out, src) {
		return nil
	}
	return out
}

func (d *decoder) parseCSV(out *Rows, src []byte) bool {
	lines := lineStarts(src)
	at := func(line, col, length int) hcl.Range {
		start := min(lines[line-1]+col-1, len(src))
		end := min(start+length, len(src))
		if i := bytes.IndexByte(src[start:end], '\n'); i >= 0 {
			end = start + i
		}
		chars := utf8.RuneCount(src[lines[line-1]:start]) + 1
		return hcl.Range{Filename: out.CSVFile,
			Start: hcl.Pos{Line: line, Column: chars, Byte: start},
			End:   hcl.Pos{Line: line, Column: chars + utf8.RuneCount(src[start:end]), Byte: end}}
	}
	lineRange := func(line int) hcl.Range {
		start := lines[line-1]
		end := len(src)
		if line < len(lines) {
			end = lines[line] - 1
		}
		if end > start && src[end-1] == '\r' {
			end--
		}
		return hcl.Range{Filename: out.CSVFile,
			Start: hcl.Pos{Line: line, Column: 1, Byte: start},
			End:   hcl.Pos{Line: line, Column: 1 + utf8.RuneCount(src[start:end]), Byte: end}}
	}
	parseErr := func(err error) {
		var pe *csv.ParseError
		if errors.As(err, &pe) && pe.Line >= 1 && pe.Line <= len(lines) {
			d.errorf(at(pe.Line, max(pe.Column, 1), 1), "Invalid CSV file", "%s, line %d: %v.", out.CSVFile, pe.Line, pe.Err)
			return
		}
		d.errorf(out.Range, "Invalid CSV file", "%s: %v.", out.CSVFile, err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(src, []byte("\ufeff"))))
	bom := len(src) - len(bytes.TrimPrefix(src, []byte("\ufeff")))
	header, err := r.Read()
	if err == io.EOF {
		d.errorf(out.Range, "Empty CSV file", "%s is empty: its first line names the columns.", out.CSVFile)
		return false
	}
	if err != nil {
		parseErr(err)
		return false
	}
	fieldAt := func(i int, field string) hcl.Range {
		line, col := r.FieldPos(i)
		if line == 1 {
			col += bom
		}
		start := min(lines[line-1]+col-1, len(src))
		n := len(field)
		if start < len(src) && src[start] == '"' {
			n += 2
		}
		return at(line, col, n)
	}
	quoted := func(rng hcl.Range) bool { return rng.Start.Byte < len(src) && src[rng.Start.Byte] == '"' }
	seen := map[string]hcl.Range{}
	ok := true
	names := make([]hcl.Range, len(header))
	for i, h := range header {
		names[i] = fieldAt(i, h)
		switch first, dup := seen[h]; {
		case h == "":
			d.errorf(names[i], "Invalid CSV header", "%s: column %d of the header has no name.", out.CSVFile, i+1)
			ok = false
		case dup:
			d.errorf(names[i], fmt.Sprintf("Duplicate column %q", h), "%s names column %q twice; the first is at %s.", out.CSVFile, h, hcldiag.Range(first))
			ok = false
		}
		seen[h] = names[i]
	}
	if !ok {
		return false
	}
	out.Columns = header
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, csv.ErrFieldCount) {
			line, _ := r.FieldPos(0)
			d.errorf(lineRange(line), "Invalid CSV file", "%s, line %d has %d fields; the header names %d columns.", out.CSVFile, line, len(rec), len(header))
			ok = false
			continue
		}
		if err != nil {
			parseErr(err)
			return false
		}
		line, _ := r.FieldPos(0)
		row := Row{Range: lineRange(line)}
		for i, field := range rec {
			rng := fieldAt(i, field)
			val := cty.StringVal(field)
			if field == "" && !quoted(rng) {
				val = cty.NullVal(cty.String)
			}
			row.Cells = append(row.Cells, Cell{Column: header[i], Value: val, NameRange: names[i], Range: rng})
		}
		out.Rows = append(out.Rows, row)
	}
	return ok
}

// lineStarts returns the byte offset of each line's first byte.
func lineStarts(src []byte) []int {
	out := []int{0}
	for i, c := range src {
		if c == '\n' {
			out = append(out, i+1)
		}
	}
	return out
}
