package diag

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a diagnostic stops the run (Error) or only informs
// (Warning).
type Severity int

const (
	// Error blocks the command: validate exits 1, plan refuses to plan.
	Error Severity = iota
	// Warning is reported but changes no outcome.
	Warning
)

// String returns "error" or "warning", the words used in text and JSON.
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Pos is a position in a source file. Line and Column count from 1; Column
// counts Unicode characters (as HCL does), Byte is the 0-based byte offset.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Range is a span of a source file, End exclusive.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// String prints the range as file:line:col, the form editors jump to.
func (r Range) String() string {
	if r.Filename == "" && r.Start.Line == 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// IsZero reports whether the range names no place.
func (r Range) IsZero() bool { return r == Range{} }

// Diagnostic is one problem found in what the user wrote.
type Diagnostic struct {
	Severity Severity
	Summary  string
	Detail   string
	// Subject is the exact range the problem is about (nil when there is no
	// source, such as a flag error).
	Subject *Range
	// Context optionally widens Subject for the snippet (the whole block an
	// attribute is missing from, say).
	Context *Range
}

// Error makes a single Diagnostic usable as an error.
func (d *Diagnostic) Error() string {
	var b strings.Builder
	if d.Subject != nil {
		b.WriteString(d.Subject.String())
		b.WriteString(": ")
	}
	b.WriteString(d.Summary)
	if d.Detail != "" {
		b.WriteString("; ")
		b.WriteString(d.Detail)
	}
	return b.String()
}

// Diagnostics is a list of diagnostics; the zero value is an empty list.
type Diagnostics []*Diagnostic

// Errorf returns a one-element error list about rng.
func Errorf(rng Range, summary string, detail string, args ...any) Diagnostics {
	return Diagnostics{New(Error, rng, summary, fmt.Sprintf(detail, args...))}
}

// New builds a diagnostic about rng; a zero rng means no source location.
func New(sev Severity, rng Range, summary, detail string) *Diagnostic {
	d := &Diagnostic{Severity: sev, Summary: summary, Detail: detail}
	if !rng.IsZero() {
		r := rng
		d.Subject = &r
	}
	return d
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of errors and warnings.
func (ds Diagnostics) Count() (errs, warns int) {
	for _, d := range ds {
		if d.Severity == Error {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

// Sort orders diagnostics by file, then position, errors before warnings at
// the same place, so that output is stable from run to run. Diagnostics
// without a subject come first.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b *Diagnostic) int {
		if (a.Subject == nil) != (b.Subject == nil) {
			if a.Subject == nil {
				return -1
			}
			return 1
		}
		if a.Subject != nil {
			if c := cmp.Compare(a.Subject.Filename, b.Subject.Filename); c != 0 {
				return c
			}
			if c := cmp.Compare(a.Subject.Start.Byte, b.Subject.Start.Byte); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Severity, b.Severity)
	})
}

// Dedup removes diagnostics that repeat an earlier one exactly (same
// severity, summary, detail and subject); compiling a transform that several
// others share must not report its problems twice.
func (ds Diagnostics) Dedup() Diagnostics {
	type key struct {
		sev             Severity
		summary, detail string
		rng             Range
	}
	seen := make(map[key]bool, len(ds))
	out := ds[:0]
	for _, d := range ds {
		k := key{sev: d.Severity, summary: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			k.rng = *d.Subject
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}

// Err returns the errors among ds as a single error, or nil when there are
// none. Warnings are dropped.
func (ds Diagnostics) Err() error {
	var errs []error
	for _, d := range ds {
		if d.Severity == Error {
			errs = append(errs, d)
		}
	}
	return errors.Join(errs...)
}
