package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func rng(file string, line, col, byteOff, endCol int) Range {
	return Range{Filename: file, Start: Pos{Line: line, Column: col, Byte: byteOff},
		End: Pos{Line: line, Column: endCol, Byte: byteOff + endCol - col}}
}

const src = "mesh {\n  name = \"x\"\n}\n\nproduct \"p\" {\n\tdomain = domain.nope\n}\n"

func TestTextWriter(t *testing.T) {
	// domain.nope on line 6 starts after a tab and "domain = ".
	off := strings.Index(src, "domain.nope")
	d := New(Error, rng("main.mesh.hcl", 6, 11, off, 22), "Reference to undeclared domain", "No domain named \"nope\".")
	w := New(Warning, Range{}, "Something to know", "")
	var buf bytes.Buffer
	tw := &TextWriter{W: &buf, Sources: Sources{"main.mesh.hcl": []byte(src)}}
	if err := tw.WriteDiagnostics(Diagnostics{d, w}); err != nil {
		t.Fatal(err)
	}
	want := "Error: Reference to undeclared domain\n\n" +
		"  on main.mesh.hcl:6:11\n" +
		"  6: \tdomain = domain.nope\n" +
		"     \t         ^^^^^^^^^^^\n" +
		"\nNo domain named \"nope\".\n\n" +
		"Warning: Something to know\n\n"
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	buf.Reset()
	tw.Color = true
	_ = tw.WriteDiagnostics(Diagnostics{d})
	if !strings.Contains(buf.String(), "\x1b[31m") || !strings.Contains(buf.String(), "\x1b[4mdomain.nope\x1b[0m") || strings.Contains(buf.String(), "^^^") {
		t.Errorf("coloured output should be red, underline the subject and drop the carets:\n%q", buf.String())
	}
}

func TestSnippetEdges(t *testing.T) {
	srcs := Sources{"f": []byte("a\nb\n")}
	for name, d := range map[string]*Diagnostic{
		"line past the end": New(Error, rng("f", 99, 1, 500, 3), "s", ""),
		"unknown file":      New(Error, rng("g", 1, 1, 0, 2), "s", ""),
		"byte past the end": New(Error, Range{Filename: "f", Start: Pos{Line: 1, Column: 1, Byte: 40}, End: Pos{Line: 1, Column: 2, Byte: 41}}, "s", ""),
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (&TextWriter{W: &buf, Sources: srcs}).WriteDiagnostics(Diagnostics{d}); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(buf.String(), "Error: s") {
				t.Errorf("output %q", buf.String())
			}
		})
	}
}

func TestJSON(t *testing.T) {
	off := strings.Index(src, "domain.nope")
	d := New(Error, rng("main.mesh.hcl", 6, 11, off, 22), "Reference to undeclared domain", "detail")
	out, err := json.Marshal(ToJSON(Diagnostics{d}, Sources{"main.mesh.hcl": []byte(src)}))
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Severity string
		Summary  string
		Range    Range
		Snippet  Snippet
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Severity != "error" || got[0].Range.Start.Line != 6 || got[0].Range.Start.Column != 11 {
		t.Fatalf("got %+v", got)
	}
	sn := got[0].Snippet
	if sn.Code != "\tdomain = domain.nope" || sn.StartLine != 6 || sn.Code[sn.HighlightStart:sn.HighlightEnd] != "domain.nope" {
		t.Errorf("snippet %+v", sn)
	}
}

func TestSortDedupCount(t *testing.T) {
	a := New(Error, rng("b.hcl", 1, 1, 0, 2), "a", "")
	b := New(Warning, rng("a.hcl", 3, 1, 20, 2), "b", "")
	c := New(Error, rng("a.hcl", 1, 1, 0, 2), "c", "")
	n := New(Error, Range{}, "no place", "")
	ds := Diagnostics{a, b, c, n, New(Error, rng("b.hcl", 1, 1, 0, 2), "a", "")}.Dedup()
	ds.Sort()
	var order []string
	for _, d := range ds {
		order = append(order, d.Summary)
	}
	if strings.Join(order, ",") != "no place,c,b,a" {
		t.Errorf("order %v", order)
	}
	if e, w := ds.Count(); e != 3 || w != 1 {
		t.Errorf("count = %d errors, %d warnings", e, w)
	}
	if !ds.HasErrors() || ds.Err() == nil || !strings.Contains(ds.Err().Error(), "a.hcl:1:1: c") {
		t.Errorf("Err() = %v", ds.Err())
	}
	if (Diagnostics{b}).Err() != nil {
		t.Error("warnings alone are not an error")
	}
}
