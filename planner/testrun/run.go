package testrun

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/meshctl/meshctl/executor"
	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/eval"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/meshtest"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/lang/suggest"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/plans"
)

// Options is what running tests needs.
type Options struct {
	// Workspace is the loaded workspace (with its --policies governance
	// policies); Compiled holds its products that compiled, at least
	// those the tests name and what they read.
	Workspace *configs.Workspace
	Compiled  *compile.Result
	// Readers read source schemas when a policy test's snippet is
	// compiled; Getenv is what env() sees when the workspace's copy is
	// loaded for it (configs.Options.Getenv).
	Readers sourceschema.Readers
	Getenv  func(name string) (string, bool)
	// Env is what expressions read besides their input: now(), the mask
	// key of mask = "hash".
	Env eval.Env
	// Workers is the executor's number of goroutines; 0 means one, which
	// keeps the order of tied rows the same from run to run.
	Workers int
	// Now stamps the plans policy tests make (time.Now when nil).
	Now func() time.Time
}

// Result is the outcome of one test.
type Result struct {
	Case   meshtest.Case
	Passed bool
	// Subject says what was tested: "the output of product.orders_clean",
	// "transform \"adults\" of product.x", "policy.pii_is_masked on
	// product.leaky".
	Subject string
	// Diff is set when a product test compared rows: the rows that
	// matched, were missing or came unexpectedly.
	Diff *RowDiff
	// Failure says why a policy test failed, on one or more lines.
	Failure string
	// Violations are the tested policy's violations for the tested
	// products (policy tests).
	Violations []plans.Violation
	// Diags are the problems that kept the test from running (an unknown
	// input, a value that does not fit its column); the test failed.
	Diags diag.Diagnostics
}

// Select returns the cases whose names match one of patterns, in their
// order (every case when there is no pattern). A pattern with *, ? or [ is
// a glob (path.Match) over the whole name; any other pattern matches the
// names that contain it. unmatched lists the patterns no case matched.
func Select(cases []meshtest.Case, patterns []string) (selected []meshtest.Case, unmatched []string, err error) {
	if len(patterns) == 0 {
		return cases, nil, nil
	}
	hits := make([]bool, len(patterns))
	for _, c := range cases {
		name := c.TestName()
		take := false
		for i, p := range patterns {
			var ok bool
			if strings.ContainsAny(p, "*?[") {
				if ok, err = path.Match(p, name); err != nil {
					return nil, nil, fmt.Errorf("pattern %q: %w", p, err)
				}
			} else {
				ok = strings.Contains(name, p)
			}
			if ok {
				hits[i], take = true, true
			}
		}
		if take {
			selected = append(selected, c)
		}
	}
	for i, p := range patterns {
		if !hits[i] {
			unmatched = append(unmatched, p)
		}
	}
	return selected, unmatched, nil
}

// Run runs the cases, one after the other, and returns their results in
// the same order.
func Run(ctx context.Context, cases []meshtest.Case, opts Options) []Result {
	if opts.Workers <= 0 {
		opts.Workers = 1
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	out := make([]Result, 0, len(cases))
	for _, c := range cases {
		var res Result
		switch c := c.(type) {
		case *meshtest.ProductTest:
			res = productTest(ctx, c, opts)
		case *meshtest.PolicyTest:
			res = policyTest(ctx, c, opts)
		}
		res.Case = c
		out = append(out, res)
	}
	return out
}

func errorAt(rng diag.Range, summary, detail string, args ...any) diag.Diagnostics {
	return diag.Diagnostics{diag.New(diag.Error, rng, summary, fmt.Sprintf(detail, args...))}
}

// product finds a compiled product a test names.
func product(name string, at diag.Range, opts Options) (*ir.Product, diag.Diagnostics) {
	if p := opts.Compiled.Products[name]; p != nil {
		return p, nil
	}
	if opts.Workspace.Products[name] == nil {
		return nil, errorAt(at, "Unknown product", "The workspace declares no product named %q.%s", name,
			orElse(suggest.DidYouMean(name, opts.Workspace.ProductOrder), " Its products are "+suggest.List(opts.Workspace.ProductOrder, 12)+"."))
	}
	return nil, errorAt(at, "Product does not compile", "product.%s has errors (reported above); fix them to run this test.", name)
}

func productTest(ctx context.Context, t *meshtest.ProductTest, opts Options) Result {
	var res Result
	p, diags := product(t.Product, hcldiag.Range(t.ProductRange), opts)
	if p == nil {
		res.Diags = diags
		return res
	}
	node, schema := p.Output.Root, p.Output.Schema
	res.Subject = "the output of product." + p.Name
	if name := t.Expect.Transform; name != "" {
		node = nil
		var names []string
		for _, tr := range p.Transforms {
			names = append(names, tr.Name)
			if tr.Name == name {
				node, schema = tr.Root, tr.Root.Schema()
			}
		}
		if node == nil {
			res.Diags = errorAt(hcldiag.Range(t.Expect.TransformRange), "Unknown transform", "product.%s has no transform %q.%s", p.Name, name,
				orElse(suggest.DidYouMean(name, names), " Its transforms are "+suggest.List(names, 12)+"."))
			return res
		}
		res.Subject = fmt.Sprintf("transform %q of product.%s", name, p.Name)
	}
	tables, diags := givenTables(t, p, node, res.Subject)
	cols, want, more := expectedRows(t, schema, res.Subject)
	if diags = append(diags, more...); diags.HasErrors() {
		diags.Sort()
		res.Diags = diags
		return res
	}
	got, err := compute(ctx, p, node, tables, opts)
	if err != nil {
		res.Diags = runError(t, err)
		return res
	}
	columns := make([]string, len(cols))
	wantCols := make([]int, len(cols))
	for k, i := range cols {
		columns[k] = schema[i].Name
		wantCols[k] = k
	}
	ws, gs := rowSet{b: want, cols: wantCols}, rowSet{b: got, cols: cols}
	if ordered, ties := sortOrder(node); ordered {
		res.Diff = compareOrdered(columns, ws, gs, ties)
	} else {
		res.Diff = compareUnordered(columns, ws, gs)
	}
	res.Passed = res.Diff.Equal()
	return res
}

// givenTables converts the given rows of each input to a batch typed with
// the schema the input is read with, and checks that every input node
// reads has rows.
func givenTables(t *meshtest.ProductTest, p *ir.Product, node ir.Node, subject string) (map[*ir.Source]*vector.Batch, diag.Diagnostics) {
	var diags diag.Diagnostics
	// The schemas come from the scans of every plan of the product, so
	// that an input the compared transform does not read is checked too.
	scanned := map[*ir.Source]types.Schema{}
	roots := []ir.Node{p.Output.Root}
	for _, tr := range p.Transforms {
		roots = append(roots, tr.Root)
	}
	for _, r := range roots {
		ir.WalkNodes(r, func(n ir.Node) {
			if s, ok := n.(*ir.Scan); ok {
				scanned[s.Source] = s.Out
			}
		})
	}
	inputs := map[string]*ir.Source{}
	var inputNames []string
	for _, in := range p.Inputs {
		inputs[in.Name] = in.Source
		inputNames = append(inputNames, in.Name)
	}
	tables := map[*ir.Source]*vector.Batch{}
	givenAs := map[*ir.Source]string{}
	for _, g := range t.Given {
		src := inputs[g.Input]
		if src == nil {
			diags = append(diags, errorAt(hcldiag.Range(g.InputRange), "Unknown input", "product.%s has no input %q.%s", p.Name, g.Input,
				orElse(suggest.DidYouMean(g.Input, inputNames), " Its inputs are "+suggest.List(inputNames, 12)+"."))...)
			continue
		}
		if other, dup := givenAs[src]; dup {
			diags = append(diags, errorAt(hcldiag.Range(g.InputRange), "Input given twice", "Inputs %q and %q both read %s: give its rows once.", other, g.Input, sourceAddr(src))...)
			continue
		}
		givenAs[src] = g.Input
		in, ok := scanned[src]
		if !ok {
			continue // nothing reads the input
		}
		b, ds := table(in, g.Rows, fmt.Sprintf("test %q, given %q", t.Name, g.Input), fmt.Sprintf("input %q (%s)", g.Input, sourceAddr(src)), true)
		diags = append(diags, ds...)
		tables[src] = b
	}
	read := map[*ir.Source]bool{}
	ir.WalkNodes(node, func(n ir.Node) {
		if s, ok := n.(*ir.Scan); ok {
			read[s.Source] = true
		}
	})
	for _, in := range p.Inputs {
		if _, given := givenAs[in.Source]; read[in.Source] && !given {
			diags = append(diags, errorAt(hcldiag.Range(t.Range), fmt.Sprintf("Missing rows for input %q", in.Name),
				"Test %q gives no rows for input %q, which %s reads. Tests never read real data: add given %q { rows = [] } for an empty input.", t.Name, in.Name, subject, in.Name)...)
		}
	}
	return tables, diags
}

// expectedRows resolves the columns the expected rows name — all of
// schema's when they name none — to indexes of schema, in schema's order,
// and converts the rows to a batch of those columns.
func expectedRows(t *meshtest.ProductTest, schema types.Schema, subject string) ([]int, *vector.Batch, diag.Diagnostics) {
	var diags diag.Diagnostics
	rows := t.Expect.Rows
	named := map[int]string{}
	for _, name := range rows.Columns {
		i, problem := columnIndex(schema, name)
		if i < 0 {
			detail := fmt.Sprintf("test %q, expect: %s has no column %q.%s", t.Name, subject, name,
				orElse(suggest.DidYouMean(name, schema.Names()), " Its columns are "+suggest.List(schema.Names(), 12)+"."))
			if problem != "" {
				detail = fmt.Sprintf("test %q, expect: %s.", t.Name, problem)
			}
			diags = append(diags, errorAt(hcldiag.Range(firstCell(rows, name).NameRange), fmt.Sprintf("Unknown column %q", name), "%s", detail)...)
			continue
		}
		named[i] = name
	}
	if len(rows.Columns) == 0 {
		for i, c := range schema {
			named[i] = c.Name
		}
	}
	var cols []int
	var sub types.Schema
	for i := range schema {
		if name, ok := named[i]; ok {
			cols = append(cols, i)
			sub = append(sub, types.Column{Name: name, Type: schema[i].Type, Nullable: true})
		}
	}
	want, ds := table(sub, rows, fmt.Sprintf("test %q, expect", t.Name), subject, false)
	return cols, want, append(diags, ds...)
}

func sourceAddr(s *ir.Source) string {
	if s.Kind == ir.SourceProduct {
		return "product." + s.Name
	}
	return "source." + s.Name
}

// compute runs node of p over the given tables with the executor and
// returns every row it yields.
func compute(ctx context.Context, p *ir.Product, node ir.Node, tables map[*ir.Source]*vector.Batch, opts Options) (*vector.Batch, error) {
	sc := &memScanner{tables: tables}
	eo := executor.Options{
		Workers: opts.Workers,
		// Every kind of input, products included, reads the given rows:
		// a test never reads real data nor computes upstream products.
		Scanners: map[ir.SourceKind]dataio.Scanner{ir.SourceCSV: sc, ir.SourceParquet: sc, ir.SourcePostgres: sc, ir.SourceProduct: sc},
		Env:      opts.Env,
	}
	plan, err := executor.Compile(&ir.Product{Name: p.Name, Output: ir.Output{Root: node, Schema: node.Schema()}}, eo)
	if err != nil {
		return nil, err
	}
	w := &collector{rows: vector.NewBatch(node.Schema(), 0)}
	if _, err := plan.Run(ctx, w); err != nil {
		return nil, err
	}
	return w.rows, nil
}

// collector is a dataio.Writer that keeps every row.
type collector struct {
	rows *vector.Batch
}

func (c *collector) Write(_ context.Context, b *vector.Batch) error {
	for i, v := range b.Cols {
		c.rows.Cols[i].Append(v, 0, b.Len)
	}
	c.rows.Len += b.Len
	return nil
}

func (c *collector) Close(context.Context) ([]dataio.File, error) { return nil, nil }
func (c *collector) Abort()                                       {}

// runError turns a failure of the computation into a diagnostic: at the
// expression that failed when the data broke one, else at the test.
func runError(t *meshtest.ProductTest, err error) diag.Diagnostics {
	var ee *eval.Error
	if errors.As(err, &ee) && !ee.Src.IsZero() {
		return errorAt(ee.Src, "Computing the product failed", "test %q: %s: %s (row %d of the batch).", t.Name, ee.Expr, ee.Msg, ee.Row)
	}
	return errorAt(hcldiag.Range(t.Range), "Computing the product failed", "test %q: %v.", t.Name, err)
}
