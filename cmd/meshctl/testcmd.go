package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/meshtest"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/testrun"
)

func newTestCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "test [PATTERN...]",
		Short: "Run the product and policy tests of the workspace's *.meshtest.hcl files",
		Long: `Test runs the tests written in *.meshtest.hcl files below the workspace
root. A product test gives rows for a product's inputs (inline, or a small
CSV file next to the test) and the rows expected of its output, or of one
transform; the rows are computed by the same compiler and executor as
apply, and compared in any order unless the product sorts. A policy test
names a policy, a product (a reference, or a snippet of HCL) and whether
the policy should pass or fail for it.

Each PATTERN selects the tests whose names contain it, or match it as a
glob (adults_*). Every test prints PASS or FAIL with its file:line; a
failing product test prints a row diff: "-" for an expected row that did
not come out, "+" for a row that was not expected.

Exits 0 when every test passes, 1 otherwise.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			root, err := g.root()
			if err != nil {
				return err
			}
			suite, diags := meshtest.Load(os.DirFS(root), meshtest.Options{DisplayDir: g.displayDir()})
			if diags.HasErrors() {
				return g.testReport(nil, diags, suite.Files)
			}
			cases, unmatched, err := testrun.Select(suite.Cases, args)
			if err != nil {
				return err
			}
			if len(unmatched) > 0 {
				var names []string
				for _, c := range suite.Cases {
					names = append(names, c.TestName())
				}
				return fmt.Errorf("no test matches %s (tests: %s)", strings.Join(unmatched, ", "), orNone(strings.Join(names, ", ")))
			}
			if len(cases) == 0 {
				if g.json {
					return g.testReport(nil, nil, nil)
				}
				fmt.Fprintln(g.streams.Out, "No tests: there is no *.meshtest.hcl file in this folder or below it.")
				return nil
			}
			w, err := g.loadWorkspace(ctx, testedProducts(cases))
			if err != nil {
				return err
			}
			srcs := diag.Sources{}
			maps.Copy(srcs, w.sources())
			maps.Copy(srcs, suite.Files)
			if w.compiled == nil {
				return g.testReport(nil, w.diags, srcs)
			}
			results := testrun.Run(ctx, cases, testrun.Options{
				Workspace: w.config,
				Compiled:  w.compiled,
				Readers:   g.readers(w.root),
				Getenv:    g.lookup,
				Env:       g.executorOptions(w, 0).Env,
			})
			return g.testReport(results, w.diags, srcs)
		},
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// testedProducts are the products the tests name, to compile (with what
// they read) and no more.
func testedProducts(cases []meshtest.Case) []string {
	var out []string
	for _, c := range cases {
		switch c := c.(type) {
		case *meshtest.ProductTest:
			out = append(out, c.Product)
		case *meshtest.PolicyTest:
			if c.Product != "" {
				out = append(out, c.Product)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// testReport prints the results (text or JSON) after the diagnostics that
// came before them, and chooses the exit status.
func (g *globals) testReport(results []testrun.Result, diags diag.Diagnostics, srcs diag.Sources) error {
	failed := 0
	for _, r := range results {
		if !r.Passed {
			failed++
		}
	}
	if g.json {
		if err := writeTestJSON(g.streams.Out, results, diags, srcs); err != nil {
			return err
		}
	} else {
		g.printDiags(diags, srcs)
		g.writeTestText(results, srcs)
	}
	if failed > 0 || diags.HasErrors() {
		return exitCode(exitError)
	}
	return nil
}

func (g *globals) writeTestText(results []testrun.Result, srcs diag.Sources) {
	if len(results) == 0 {
		return
	}
	out := g.streams.Out
	color := g.color(out)
	paint := func(s, code string) string {
		if !color {
			return s
		}
		return code + s + "\x1b[0m"
	}
	const red, green, bold = "\x1b[31m", "\x1b[32m", "\x1b[1m"
	var b strings.Builder
	failed := 0
	for _, r := range results {
		status := paint("PASS", green)
		if !r.Passed {
			status = paint("FAIL", bold+red)
			failed++
		}
		at := r.Case.DeclRange()
		fmt.Fprintf(&b, "%s %s (%s:%d)\n", status, r.Case.TestName(), at.Filename, at.Start.Line)
		if r.Passed {
			continue
		}
		if len(r.Diags) > 0 {
			var buf bytes.Buffer
			tw := &diag.TextWriter{W: &buf, Sources: srcs, Color: color}
			_ = tw.WriteDiagnostics(r.Diags)
			b.WriteString(indent(strings.TrimRight(buf.String(), "\n"), "  "))
			b.WriteString("\n")
		}
		if r.Failure != "" {
			b.WriteString(indent(r.Failure, "  "))
			b.WriteString("\n")
		}
		if d := r.Diff; d != nil && !d.Equal() {
			order := "in any order"
			if d.Ordered {
				order = "in order: the rows are sorted"
			}
			fmt.Fprintf(&b, "  %s: %s (%s)\n", r.Subject, d.Summary(), order)
			for _, line := range strings.SplitAfter(d.Text("    "), "\n") {
				switch {
				case strings.HasPrefix(line, "    -"):
					line = paint(strings.TrimSuffix(line, "\n"), red) + "\n"
				case strings.HasPrefix(line, "    +"):
					line = paint(strings.TrimSuffix(line, "\n"), green) + "\n"
				}
				b.WriteString(line)
			}
		}
	}
	passed := len(results) - failed
	fmt.Fprintf(&b, "\n%s: %d passed, %d failed.\n", count(len(results), "test"), passed, failed)
	_, _ = io.WriteString(out, b.String())
}

// indent prefixes every non-empty line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

// testJSON is the stable JSON output of meshctl test.
type testJSON struct {
	FormatVersion string                `json:"format_version"`
	Passed        int                   `json:"passed"`
	Failed        int                   `json:"failed"`
	Tests         []testResultJSON      `json:"tests"`
	Diagnostics   []diag.JSONDiagnostic `json:"diagnostics"`
}

type testResultJSON struct {
	Name string `json:"name"`
	// Kind is "product" or "policy".
	Kind        string                `json:"kind"`
	File        string                `json:"file"`
	Line        int                   `json:"line"`
	Passed      bool                  `json:"passed"`
	Subject     string                `json:"subject,omitempty"`
	Failure     string                `json:"failure,omitempty"`
	Diff        *diffJSON             `json:"diff,omitempty"`
	Violations  []plans.Violation     `json:"violations,omitempty"`
	Diagnostics []diag.JSONDiagnostic `json:"diagnostics,omitempty"`
}

type diffJSON struct {
	Columns    []string      `json:"columns"`
	Ordered    bool          `json:"ordered"`
	Missing    int           `json:"missing"`
	Unexpected int           `json:"unexpected"`
	Rows       []diffRowJSON `json:"rows"`
}

type diffRowJSON struct {
	// Op is " " (as expected), "-" (missing) or "+" (unexpected).
	Op     string    `json:"op"`
	Values []*string `json:"values"`
}

func writeTestJSON(w io.Writer, results []testrun.Result, diags diag.Diagnostics, srcs diag.Sources) error {
	out := testJSON{FormatVersion: "1.0", Tests: []testResultJSON{}, Diagnostics: diag.ToJSON(diags, srcs)}
	for _, r := range results {
		at := r.Case.DeclRange()
		t := testResultJSON{Name: r.Case.TestName(), Kind: "product", File: at.Filename, Line: at.Start.Line, Passed: r.Passed,
			Subject: r.Subject, Failure: r.Failure, Violations: r.Violations}
		if _, ok := r.Case.(*meshtest.PolicyTest); ok {
			t.Kind = "policy"
		}
		if len(r.Diags) > 0 {
			t.Diagnostics = diag.ToJSON(r.Diags, srcs)
		}
		if d := r.Diff; d != nil && !d.Equal() {
			dj := &diffJSON{Columns: d.Columns, Ordered: d.Ordered, Missing: d.Missing, Unexpected: d.Unexpected}
			for _, l := range d.Lines {
				row := diffRowJSON{Op: string(rune(l.Op))}
				for _, c := range l.Cells {
					if c.Null {
						row.Values = append(row.Values, nil)
					} else {
						row.Values = append(row.Values, &c.Text)
					}
				}
				dj.Rows = append(dj.Rows, row)
			}
			t.Diff = dj
		}
		if r.Passed {
			out.Passed++
		} else {
			out.Failed++
		}
		out.Tests = append(out.Tests, t)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
