package executor

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/eval"
	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// The differential harness: a query is a small workspace (the shared
// preamble of declared sources plus product blocks), compiled with the
// real compiler and run through both the columnar executor, in many
// configurations, and the reference interpreter. Outputs are compared row
// by row, in order; checks and failures are compared too.

// diffQuery is one query of the differential suite.
type diffQuery struct {
	name string
	// hcl holds product blocks; the product run is "q" unless product
	// says otherwise.
	hcl     string
	product string
	// approx compares floats with a relative tolerance: the query sums or
	// averages floats, whose last bits depend on the order of additions.
	approx bool
	// wantErr: the query must fail in both implementations.
	wantErr bool
	// large reads the big tables: it runs a smaller configuration matrix.
	large bool
	// mutate edits the compiled plan before it runs (what HCL cannot say).
	mutate func(t *testing.T, p *ir.Product)
}

// diffConfig is one way of running the executor.
type diffConfig struct {
	workers, batch, morsel int
	enc                    stringEncoding
}

// stringEncoding is how memScanner hands out string columns.
type stringEncoding int

const (
	encFlat       stringEncoding = iota // offsets and bytes
	encDict                             // a dictionary per batch
	encSharedDict                       // one dictionary for the whole table
)

func (e stringEncoding) String() string { return [...]string{"flat", "dict", "shared"}[e] }

func (c diffConfig) String() string {
	return fmt.Sprintf("w%d_b%d_m%d_%s", c.workers, c.batch, c.morsel, c.enc)
}

var (
	diffWorkers   = []int{1, 2, 4}
	diffBatches   = []int{7, 100, 65536}
	diffMorsels   = []int{1, 13, 10000}
	diffEncodings = []stringEncoding{encFlat, encDict, encSharedDict}
)

// defaultMatrix is every combination of workers, batch size and string
// encoding (27), each with morsels of 13 or 10,000 rows (alternating, so
// that every morsel size meets every value of the other dimensions), plus
// three runs with one-row morsels (which cost a goroutine hand-off per
// row) covering each worker count, batch size and encoding once: 30 runs.
func defaultMatrix() []diffConfig {
	var out []diffConfig
	for wi, w := range diffWorkers {
		for bi, b := range diffBatches {
			for ei, e := range diffEncodings {
				out = append(out, diffConfig{w, b, diffMorsels[1+(wi+bi+ei)%2], e})
			}
		}
	}
	return append(out,
		diffConfig{1, 7, 1, encSharedDict},
		diffConfig{2, 65536, 1, encFlat},
		diffConfig{4, 100, 1, encDict})
}

// pairwiseMatrix covers every pair of values of any two of the four
// dimensions (an orthogonal array L9(3^4)): 9 runs, for -short.
func pairwiseMatrix() []diffConfig {
	l9 := [9][4]int{{0, 0, 0, 0}, {0, 1, 1, 1}, {0, 2, 2, 2}, {1, 0, 1, 2}, {1, 1, 2, 0}, {1, 2, 0, 1}, {2, 0, 2, 1}, {2, 1, 0, 2}, {2, 2, 1, 0}}
	var out []diffConfig
	for _, r := range l9 {
		out = append(out, diffConfig{diffWorkers[r[0]], diffBatches[r[1]], diffMorsels[r[2]], diffEncodings[r[3]]})
	}
	return out
}

// largeMatrix is for the 20,000-row inputs: one-row morsels only once.
func largeMatrix() []diffConfig {
	return []diffConfig{
		{1, 65536, 10000, encFlat},
		{4, 7, 13, encDict},
		{2, 100, 13, encSharedDict},
		{4, 65536, 10000, encSharedDict},
		{2, 7, 1, encDict},
	}
}

// diffEnv is what expressions read besides their input.
var diffEnv = struct {
	now time.Time
	key []byte
}{time.Date(2024, 6, 15, 12, 30, 45, 123456000, time.UTC), []byte("diff-key")}

// compileDiff compiles the preamble plus src; t fails on error diagnostics.
func compileDiff(t testing.TB, src string) *compile.Result {
	t.Helper()
	ws, diags := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(diffPreamble() + src)}}, configs.Options{})
	if !diags.HasErrors() {
		var more diag.Diagnostics
		var res *compile.Result
		res, more = compile.Compile(context.Background(), ws, compile.Options{})
		diags = append(diags, more...)
		if !diags.HasErrors() {
			return res
		}
	}
	var b strings.Builder
	(&diag.TextWriter{W: &b, Sources: ws.Files}).WriteDiagnostics(diags)
	t.Fatalf("the workspace does not compile:\n%s", b.String())
	return nil
}

// referenceTables returns the source tables plus, for every product input
// of p (recursively), the reference's output of that product.
func referenceTables(t testing.TB, res *compile.Result, p *ir.Product) reference.Tables {
	t.Helper()
	_, base := diffData()
	tables := reference.Tables{}
	for k, v := range base {
		tables[k] = v
	}
	var add func(p *ir.Product)
	add = func(p *ir.Product) {
		for _, in := range p.Inputs {
			if in.Source.Kind != ir.SourceProduct {
				continue
			}
			if _, done := tables[in.Source.Name]; done {
				continue
			}
			up := res.Products[in.Source.Name]
			if up == nil {
				t.Fatalf("no product %q", in.Source.Name)
			}
			add(up)
			rows, err := reference.Run(up.Output.Root, tables, refEnv())
			if err != nil {
				t.Fatalf("reference run of upstream product %s: %v", up.Name, err)
			}
			tables[up.Name] = rows
		}
	}
	add(p)
	return tables
}

func refEnv() reference.Env { return reference.Env{Now: diffEnv.now, MaskKey: diffEnv.key} }

// refResult is what the reference computed for a query.
type refResult struct {
	rows   []reference.Row
	checks []CheckResult
	// obsTypes are the types of each check's observations.
	obsTypes [][]types.Type
	err      error
}

func runReference(res *compile.Result, p *ir.Product, tables reference.Tables) refResult {
	rows, err := reference.Run(p.Output.Root, tables, refEnv())
	if err != nil {
		return refResult{err: err}
	}
	out := refResult{rows: rows}
	for _, c := range p.Checks {
		ok, err := reference.Check(c, tables, refEnv())
		if err != nil {
			return refResult{err: err}
		}
		aggs, err := reference.CheckAggregates(c, tables, refEnv())
		if err != nil {
			return refResult{err: err}
		}
		schema := c.Root.(*ir.Project).Input.Schema()
		var seen []Observation
		var typs []types.Type
		for i, v := range aggs {
			o := Observation{Name: schema[i].Name, Null: v == nil}
			if v != nil {
				if o.Value, err = reference.Text(v, schema[i].Type); err != nil {
					return refResult{err: err}
				}
			}
			seen = append(seen, o)
			typs = append(typs, schema[i].Type)
		}
		out.checks = append(out.checks, CheckResult{Name: c.Name, Severity: c.Severity, Implicit: c.Implicit, Column: c.Column, Passed: ok, Observed: seen})
		out.obsTypes = append(out.obsTypes, typs)
	}
	return out
}

// collectWriter keeps the rows written, checking every batch against the
// output schema (a decimal's scale is invisible in its representation).
type collectWriter struct {
	schema types.Schema
	rows   []reference.Row
	err    error
}

func (w *collectWriter) Write(_ context.Context, b *vector.Batch) error {
	if len(b.Cols) != len(w.schema) {
		w.err = fmt.Errorf("a batch has %d columns for %d", len(b.Cols), len(w.schema))
		return w.err
	}
	for i, c := range b.Cols {
		if c == nil {
			w.err = fmt.Errorf("column %s of a batch is nil", w.schema[i].Name)
			return w.err
		}
		if c.Type != w.schema[i].Type {
			w.err = fmt.Errorf("column %s of a batch is %s, the schema says %s", w.schema[i].Name, c.Type, w.schema[i].Type)
			return w.err
		}
	}
	w.rows = append(w.rows, fromBatch(b)...)
	return nil
}

func (w *collectWriter) Close(context.Context) ([]dataio.File, error) { return nil, nil }
func (w *collectWriter) Abort()                                       {}

// execResult is what the executor computed in one configuration.
type execResult struct {
	rows   []reference.Row
	checks []CheckResult
	err    error
	stats  []Stat
}

// diffOptions configures a run: memScanner serves every source kind, and
// product inputs are computed from res's compiled products.
func diffOptions(res *compile.Result, c diffConfig) Options {
	_, tables := diffData()
	ms := memScanner{tables: tables, morselRows: c.morsel, dict: c.enc != encFlat, sharedDict: c.enc == encSharedDict}
	return Options{
		Workers:   c.workers,
		BatchSize: c.batch,
		Scanners:  map[ir.SourceKind]dataio.Scanner{ir.SourceCSV: ms, ir.SourceParquet: ms},
		Products:  res.Products,
		Env:       eval.Env{Now: diffEnv.now, MaskKey: diffEnv.key},
	}
}

func runExecutor(res *compile.Result, p *ir.Product, c diffConfig) execResult {
	return runWithOptions(p, diffOptions(res, c))
}

// runWithOptions runs p's output and checks, collecting the rows.
func runWithOptions(p *ir.Product, opts Options) execResult {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	plan, err := Compile(p, opts)
	if err != nil {
		return execResult{err: fmt.Errorf("compile: %w", err)}
	}
	w := &collectWriter{schema: p.Output.Root.Schema()}
	r, err := plan.Run(ctx, w)
	if w.err != nil {
		return execResult{err: fmt.Errorf("harness: %w", w.err)}
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("the run did not finish in 60 s (deadlock?): %w", err)
		}
		return execResult{err: err}
	}
	if r.Rows != int64(len(w.rows)) {
		return execResult{err: fmt.Errorf("harness: Result.Rows is %d but %d rows were written", r.Rows, len(w.rows))}
	}
	// explain --analyze counts the output operator's rows as the output.
	st := r.Stats()
	if len(st) == 0 || st[0].Rows != r.Rows {
		return execResult{err: fmt.Errorf("harness: Stats() %+v does not count the %d output rows first", st, r.Rows)}
	}
	return execResult{rows: w.rows, checks: r.Checks, stats: st}
}

// ---- comparison ------------------------------------------------------------

// valueEqual compares two cells: floats with == (so -0 equals 0) or a
// relative tolerance when approx, NaN equal to NaN; everything else
// exactly. -0 and 0 are one value in the total order both sides use:
// grouping and distinct publish the key of a group of zeros as 0.0
// (hashagg), the reference as the first row's; elsewhere the signs agree
// (a sign-strict comparison fails distinct_all_columns only).
func valueEqual(a, b any, approx bool) bool {
	fa, ok1 := a.(float64)
	fb, ok2 := b.(float64)
	if ok1 && ok2 {
		return floatEqual(fa, fb, approx)
	}
	return a == b
}

func floatEqual(a, b float64, approx bool) bool {
	if a == b || (math.IsNaN(a) && math.IsNaN(b)) {
		return true
	}
	if !approx || math.IsInf(a, 0) || math.IsInf(b, 0) || math.IsNaN(a) || math.IsNaN(b) {
		return false
	}
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// diffRowLists describes how got differs from want ("" when equal): the
// row counts and the first few differing rows.
func diffRowLists(names []string, want, got []reference.Row, approx bool) string {
	var b strings.Builder
	if len(want) != len(got) {
		fmt.Fprintf(&b, "%d rows, want %d\n", len(got), len(want))
	}
	shown := 0
	for i := 0; i < max(len(want), len(got)) && shown < 5; i++ {
		var w, g reference.Row
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if rowEqual(w, g, approx) {
			continue
		}
		shown++
		fmt.Fprintf(&b, "row %d (-want +got):\n%s", i, cmp.Diff(showRow(names, w), showRow(names, g)))
	}
	if shown == 0 && b.Len() == 0 {
		return ""
	}
	return b.String()
}

func rowEqual(a, b reference.Row, approx bool) bool {
	if a == nil || b == nil || len(a) != len(b) {
		return a == nil && b == nil
	}
	for i := range a {
		if !valueEqual(a[i], b[i], approx) {
			return false
		}
	}
	return true
}

// showRow renders a row's cells with their column names and Go types,
// for diffs.
func showRow(names []string, r reference.Row) []string {
	if r == nil {
		return nil
	}
	out := make([]string, len(r))
	for i, v := range r {
		out[i] = showValue(v)
		if i < len(names) {
			out[i] = names[i] + ": " + out[i]
		}
	}
	return out
}

func showValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case decimal.Int128:
		return "int128 " + v.Format(0)
	case string:
		return fmt.Sprintf("string %q", v)
	case float64:
		return fmt.Sprintf("float64 %v (%x)", v, math.Float64bits(v))
	}
	return fmt.Sprintf("%T %v", v, v)
}

// positionRE finds source positions in error messages.
var positionRE = regexp.MustCompile(`main\.mesh\.hcl:\d+:\d+`)

// ---- running a query -------------------------------------------------------

// runDiffQuery compiles q once, computes the reference's answer, and runs
// the executor in every configuration of matrix as a subtest.
func runDiffQuery(t *testing.T, q diffQuery, matrix []diffConfig) {
	res := compileDiff(t, q.hcl)
	name := q.product
	if name == "" {
		name = "q"
	}
	p := res.Products[name]
	if p == nil {
		t.Fatalf("no product %q", name)
	}
	if q.mutate != nil {
		q.mutate(t, p)
	}
	want := runReference(res, p, referenceTables(t, res, p))
	if q.wantErr && want.err == nil {
		t.Fatalf("the reference computed %d rows; the query is meant to fail", len(want.rows))
	}
	if !q.wantErr && want.err != nil {
		t.Fatalf("the reference failed: %v", want.err)
	}
	if testing.Verbose() {
		if want.err != nil {
			t.Logf("reference error: %v", want.err)
		} else {
			t.Logf("reference: %d rows", len(want.rows))
		}
	}
	var first *execResult
	var firstCfg diffConfig
	for _, c := range matrix {
		t.Run(c.String(), func(t *testing.T) {
			got := runExecutor(res, p, c)
			compareResults(t, q, p.Output.Root.Schema().Names(), want, got)
			// Every configuration must also give exactly what the first
			// gave (floats included: the executor promises identical
			// results whatever the parallelism).
			if first == nil {
				first, firstCfg = &got, c
				return
			}
			if got.err == nil && first.err == nil {
				if d := diffRowLists(p.Output.Root.Schema().Names(), first.rows, got.rows, false); d != "" {
					t.Errorf("output differs from configuration %s:\n%s", firstCfg, d)
				}
			}
		})
	}
}

// compareResults compares one executor run with the reference.
func compareResults(t *testing.T, q diffQuery, names []string, want refResult, got execResult) {
	t.Helper()
	if want.err != nil {
		if got.err == nil {
			t.Fatalf("the executor computed %d rows; the reference failed: %v", len(got.rows), want.err)
		}
		if testing.Verbose() {
			t.Logf("executor error: %v", got.err)
		}
		if pos := positionRE.FindString(want.err.Error()); pos != "" && !strings.Contains(got.err.Error(), pos) {
			t.Errorf("the executor's error does not name %s (the reference's position):\n executor:  %v\n reference: %v", pos, got.err, want.err)
		}
		return
	}
	if got.err != nil {
		t.Fatalf("the executor failed: %v", got.err)
	}
	if d := diffRowLists(names, want.rows, got.rows, q.approx); d != "" {
		t.Errorf("output differs from the reference:\n%s", d)
	}
	if d := cmp.Diff(want.checks, sameFloats(want, got.checks, q.approx)); d != "" {
		t.Errorf("checks differ from the reference (-reference +executor):\n%s", d)
	}
}

// sameFloats returns got's checks with each float observation that equals
// the reference's (as valueEqual compares floats) replaced by the
// reference's text: -0 and 0, and the last bits of a sum when approx.
func sameFloats(want refResult, got []CheckResult, approx bool) []CheckResult {
	if len(got) == 0 || len(got) != len(want.checks) {
		return got
	}
	out := make([]CheckResult, len(got))
	for i, c := range got {
		c.Observed = append([]Observation(nil), c.Observed...)
		w := want.checks[i].Observed
		for j := range c.Observed {
			if j >= len(w) || want.obsTypes[i][j].Kind != types.Float64 || c.Observed[j].Null || w[j].Null {
				continue
			}
			a, err1 := strconv.ParseFloat(w[j].Value, 64)
			b, err2 := strconv.ParseFloat(c.Observed[j].Value, 64)
			if err1 == nil && err2 == nil && floatEqual(a, b, approx) {
				c.Observed[j].Value = w[j].Value
			}
		}
		out[i] = c
	}
	return out
}

// findSort returns the first Sort node under n.
func findSort(n ir.Node) *ir.Sort {
	if s, ok := n.(*ir.Sort); ok {
		return s
	}
	for _, c := range n.Children() {
		if s := findSort(c); s != nil {
			return s
		}
	}
	return nil
}
