// Package diagtest is test support for lang's diagnostic table tests
// (TestLoadDiagnostics in lang/configs, TestCompileDiagnostics in
// lang/compile): each case is HCL with a Marker where the expected
// diagnostic's subject starts, and must produce exactly that one diagnostic.
// It is imported only by tests.
package diagtest

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshctl/meshctl/lang/diag"
)

// Marker marks, in a case's HCL, where the expected diagnostic's subject
// starts. StripMarker removes it before the source is loaded.
const Marker = "«"

// Pos is where a subject starts, as a user reads it: a file name and a
// 1-based line and column.
type Pos struct {
	File      string
	Line, Col int
}

// String prints p as file:line:col.
func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// StripMarker removes the Marker from src, the source of file, and returns
// the source without it and the Marker's position (nil when src holds
// none). It fails t when src holds more than one Marker.
//
// Lines and columns count from 1. Lines end at "\n", so in CRLF source the
// "\r" ends the line before and is not part of the Marker's column. Columns
// count characters (runes), not bytes, so non-ASCII text before the Marker
// counts one column a character, as in HCL. (HCL counts grapheme clusters:
// the two only differ after a combining sequence on the Marker's line.)
func StripMarker(t testing.TB, file, src string) (string, *Pos) {
	t.Helper()
	i := strings.Index(src, Marker)
	if i < 0 {
		return src, nil
	}
	if strings.Count(src, Marker) > 1 {
		t.Fatalf("more than one marker in %q", src)
	}
	before := src[:i]
	line := strings.Count(before, "\n") + 1
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
	return before + src[i+len(Marker):], &Pos{File: file, Line: line, Col: col}
}

// FindSummary returns the diagnostics whose summary is exactly summary.
func FindSummary(ds diag.Diagnostics, summary string) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range ds {
		if d.Summary == summary {
			out = append(out, d)
		}
	}
	return out
}

// Describe lists ds for a test log or failure message, one diagnostic a
// line, each line starting with a newline: severity, subject ("(no
// subject)" when there is none), quoted summary and detail.
func Describe(ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		subj := "(no subject)"
		if d.Subject != nil {
			subj = d.Subject.String()
		}
		fmt.Fprintf(&b, "\n  %s %s: %q — %s", d.Severity, subj, d.Summary, d.Detail)
	}
	return b.String()
}

// CheckOne asserts that ds holds exactly one diagnostic with the case's
// summary, and no other diagnostic. That diagnostic must have severity sev;
// its subject must start at want (and there must be no subject when want is
// nil); its Detail must contain every string of detail, and be exactly
// exactDetail when that is not empty. It stops the test (t.Fatalf) only when
// no diagnostic has the summary; every other mismatch is reported with
// t.Errorf, checking the first diagnostic with the summary.
func CheckOne(t testing.TB, ds diag.Diagnostics, want *Pos, summary string, sev diag.Severity, detail []string, exactDetail string) {
	t.Helper()
	found := FindSummary(ds, summary)
	switch {
	case len(found) == 0:
		t.Fatalf("no diagnostic %q; got:%s", summary, Describe(ds))
	case len(found) > 1:
		t.Errorf("diagnostic %q reported %d times:%s", summary, len(found), Describe(found))
	}
	d := found[0]
	if d.Severity != sev {
		t.Errorf("severity = %s, want %s", d.Severity, sev)
	}
	switch {
	case want == nil && d.Subject != nil:
		t.Errorf("subject = %s, want none", d.Subject)
	case want != nil && d.Subject == nil:
		t.Errorf("no subject, want %s", want)
	case want != nil:
		got := Pos{File: d.Subject.Filename, Line: d.Subject.Start.Line, Col: d.Subject.Start.Column}
		if got != *want {
			t.Errorf("subject starts at %s, want %s", got, want)
		}
	}
	for _, s := range detail {
		if !strings.Contains(d.Detail, s) {
			t.Errorf("detail %q does not contain %q", d.Detail, s)
		}
	}
	if exactDetail != "" && d.Detail != exactDetail {
		t.Errorf("detail = %q, want %q", d.Detail, exactDetail)
	}
	// Nothing else: no follow-on error, and no warning either, in particular
	// none caused by the error (an input that looks unused because
	// compilation stopped).
	var others diag.Diagnostics
	for _, o := range ds {
		if o.Summary != summary {
			others = append(others, o)
		}
	}
	if len(others) > 0 {
		t.Errorf("other diagnostics besides %q:%s", summary, Describe(others))
	}
}
