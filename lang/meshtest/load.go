package meshtest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/discover"
	"github.com/meshctl/meshctl/lang/hcldiag"
)

// Options controls loading.
type Options struct {
	// DisplayDir, when set, prefixes the file names used in ranges (as
	// configs.Options.DisplayDir does), so that file:line:col opens from
	// where the user ran meshctl.
	DisplayDir string
}

// Load reads every *.meshtest.hcl file of fsys, and the CSV fixtures they
// name, and decodes the tests. The suite is returned even with errors, as
// complete as it could be made.
func Load(fsys fs.FS, opts Options) (*Suite, diag.Diagnostics) {
	s := &Suite{Files: diag.Sources{}}
	names, err := discover.TestFiles(fsys)
	if err != nil {
		return s, diag.Diagnostics{diag.New(diag.Error, diag.Range{}, "Cannot read the workspace", err.Error())}
	}
	d := &decoder{fsys: fsys, opts: opts, suite: s, seen: map[string]hcl.Range{}}
	for _, n := range names {
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			d.diags = append(d.diags, diag.New(diag.Error, diag.Range{}, "Cannot read test file", fmt.Sprintf("%s: %v", n, unwrapPath(err))))
			continue
		}
		d.file(n, src)
	}
	d.diags = d.diags.Dedup()
	d.diags.Sort()
	return s, d.diags
}

type decoder struct {
	fsys  fs.FS
	opts  Options
	suite *Suite
	diags diag.Diagnostics
	// seen holds the declaration of every test name, across files.
	seen map[string]hcl.Range
	// rel is the path of the file being decoded, relative to fsys; name
	// and src its name in ranges and its content.
	rel, name string
	src       []byte
}

func (d *decoder) errorf(rng hcl.Range, summary, detail string, args ...any) {
	d.diags = append(d.diags, diag.New(diag.Error, hcldiag.Range(rng), summary, fmt.Sprintf(detail, args...)))
}

func (d *decoder) hcl(hd hcl.Diagnostics) bool {
	d.diags = append(d.diags, hcldiag.Diags(hd)...)
	return !hd.HasErrors()
}

var fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "test", LabelNames: []string{"name"}},
	{Type: "policy_test", LabelNames: []string{"name"}},
}}

var testSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "product", Required: true}, {Name: "description"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "given", LabelNames: []string{"input"}}, {Type: "expect"}},
}

var givenSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "rows"}, {Name: "csv"}}}

var expectSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "transform"}, {Name: "rows"}, {Name: "csv"}}}

var policyTestSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "policy", Required: true},
	{Name: "product", Required: true},
	{Name: "expect", Required: true},
	{Name: "expect_message"},
	{Name: "description"},
}}

func (d *decoder) file(rel string, src []byte) {
	d.rel, d.name, d.src = rel, path.Join(d.opts.DisplayDir, rel), src
	d.suite.Files[d.name] = src
	f, hd := hclsyntax.ParseConfig(src, d.name, hcl.InitialPos)
	if !d.hcl(hd) || f == nil {
		return // a file that does not parse contributes nothing
	}
	content, hd := f.Body.Content(fileSchema)
	d.hcl(hd)
	for _, b := range content.Blocks {
		if !d.testName(b) {
			continue
		}
		// A test that did not decode is left out (its problems are
		// reported); a typed nil must not become a non-nil Case.
		switch b.Type {
		case "test":
			if t := d.productTest(b); t != nil {
				d.suite.Cases = append(d.suite.Cases, t)
			}
		case "policy_test":
			if t := d.policyTest(b); t != nil {
				d.suite.Cases = append(d.suite.Cases, t)
			}
		}
	}
}

// testName checks a test's label: a valid name, not used by another test.
func (d *decoder) testName(b *hcl.Block) bool {
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		d.errorf(b.LabelRanges[0], "Invalid test name",
			"%q is not a valid name: a name starts with a letter and holds only letters, digits, underscores and dashes.", name)
		return false
	}
	if first, ok := d.seen[name]; ok {
		d.errorf(b.LabelRanges[0], fmt.Sprintf("Duplicate test %q", name),
			"A test named %q is already declared at %s. Test names are unique across all test files.", name, hcldiag.Range(first))
		return false
	}
	d.seen[name] = b.DefRange
	return true
}

func (d *decoder) productTest(b *hcl.Block) *ProductTest {
	content, hd := b.Body.Content(testSchema)
	ok := d.hcl(hd)
	t := &ProductTest{Name: b.Labels[0], Range: b.DefRange}
	if a := content.Attributes["product"]; a != nil {
		name, good := d.productRef(a)
		t.Product, t.ProductRange, ok = name, a.Expr.Range(), ok && good
	}
	desc, good := d.str(content.Attributes, "description")
	t.Description, ok = desc, ok && good
	given := map[string]hcl.Range{}
	var expectAt *hcl.Range
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "given":
			g := d.given(blk, given)
			if g == nil {
				ok = false
				continue
			}
			t.Given = append(t.Given, g)
		case "expect":
			if expectAt != nil {
				d.errorf(blk.DefRange, "Duplicate expect block", "A test has one expect block; the first is at %s.", hcldiag.Range(*expectAt))
				ok = false
				continue
			}
			expectAt = &blk.DefRange
			if t.Expect = d.expect(blk); t.Expect == nil {
				ok = false
			}
		}
	}
	if expectAt == nil {
		d.errorf(b.DefRange, "Missing expect block",
			"Test %q expects nothing. Add the rows the product's output should hold:\n\n  expect {\n    rows = [\n      { country = \"DE\", customers = 1 },\n    ]\n  }", t.Name)
		return nil
	}
	if !ok {
		return nil
	}
	return t
}

func (d *decoder) given(b *hcl.Block, seen map[string]hcl.Range) *Given {
	name := b.Labels[0]
	if first, dup := seen[name]; dup {
		d.errorf(b.LabelRanges[0], fmt.Sprintf("Duplicate given %q", name), "Rows for input %q are already given at %s.", name, hcldiag.Range(first))
		return nil
	}
	seen[name] = b.DefRange
	content, hd := b.Body.Content(givenSchema)
	if !d.hcl(hd) {
		return nil
	}
	rows := d.rows(b, content.Attributes)
	if rows == nil {
		return nil
	}
	return &Given{Input: name, InputRange: b.LabelRanges[0], Rows: rows, Range: b.DefRange}
}

func (d *decoder) expect(b *hcl.Block) *Expect {
	content, hd := b.Body.Content(expectSchema)
	if !d.hcl(hd) {
		return nil
	}
	e := &Expect{Range: b.DefRange}
	if a := content.Attributes["transform"]; a != nil {
		s, ok := d.str(content.Attributes, "transform")
		if !ok {
			return nil
		}
		if !hclsyntax.ValidIdentifier(s) {
			d.errorf(a.Expr.Range(), "Invalid transform name", "transform names one transform of the product, such as transform = \"adults\"; %q is not a name.", s)
			return nil
		}
		e.Transform, e.TransformRange = s, a.Expr.Range()
	}
	e.Rows = d.rows(b, content.Attributes)
	if e.Rows == nil {
		return nil
	}
	return e
}

// rows decodes the rows or csv attribute of a given or expect block:
// exactly one of them.
func (d *decoder) rows(b *hcl.Block, attrs hcl.Attributes) *Rows {
	inline, file := attrs["rows"], attrs["csv"]
	what := b.Type
	if b.Type == "given" {
		what = fmt.Sprintf("given %q", b.Labels[0])
	}
	switch {
	case inline != nil && file != nil:
		d.errorf(file.NameRange, "Conflicting rows", "The %s block has rows already (at %s): give rows inline or in a CSV file, not both.", what, hcldiag.Range(inline.NameRange))
		return nil
	case inline == nil && file == nil:
		d.errorf(b.DefRange, "Missing rows", "The %s block gives no rows. Write them inline, or name a CSV file relative to the test file:\n\n  rows = [\n    { id = 1, country = \"de\" },\n  ]\n\n  csv = \"fixtures/orders.csv\"", what)
		return nil
	case inline != nil:
		return d.inlineRows(inline)
	}
	return d.csvRows(file)
}

const rowsExample = "rows = [\n    { id = 1, country = \"de\" },\n    { id = 2, country = null },\n  ]"

func (d *decoder) inlineRows(a *hcl.Attribute) *Rows {
	tup, ok := a.Expr.(*hclsyntax.TupleConsExpr)
	if !ok {
		d.errorf(a.Expr.Range(), "Invalid rows", "rows must be a list of objects, one per row, such as:\n\n  %s", rowsExample)
		return nil
	}
	out := &Rows{Range: a.Expr.Range()}
	known := map[string]bool{}
	ok = true
	for i, e := range tup.Exprs {
		obj, isObj := e.(*hclsyntax.ObjectConsExpr)
		if !isObj {
			d.errorf(e.Range(), "Invalid row", "Row %d must be an object of column values, such as { id = 1, country = \"de\" }.", i+1)
			ok = false
			continue
		}
		row := Row{Range: obj.Range()}
		seen := map[string]hcl.Range{}
		for _, item := range obj.Items {
			name, good := d.columnName(item.KeyExpr, i+1)
			if !good {
				ok = false
				continue
			}
			if first, dup := seen[name]; dup {
				d.errorf(item.KeyExpr.Range(), fmt.Sprintf("Duplicate column %q", name), "Row %d gives column %q twice; the first is at %s.", i+1, name, hcldiag.Range(first))
				ok = false
				continue
			}
			seen[name] = item.KeyExpr.Range()
			v, hd := item.ValueExpr.Value(nil)
			if !d.hcl(hd) {
				ok = false
				continue
			}
			if !v.IsNull() && !v.Type().IsPrimitiveType() {
				d.errorf(item.ValueExpr.Range(), "Invalid value", "Row %d, column %q: a value is a string, a number, a bool or null, not %s.", i+1, name, typeName(v.Type()))
				ok = false
				continue
			}
			row.Cells = append(row.Cells, Cell{Column: name, Value: v, NameRange: item.KeyExpr.Range(), Range: item.ValueExpr.Range()})
			if !known[name] {
				known[name] = true
				out.Columns = append(out.Columns, name)
			}
		}
		out.Rows = append(out.Rows, row)
	}
	if !ok {
		return nil
	}
	return out
}

// columnName reads an object key: a bare name (id = 1) or a quoted one
// ("order id" = 1).
func (d *decoder) columnName(key hcl.Expression, row int) (string, bool) {
	if name := hcl.ExprAsKeyword(key); name != "" {
		return name, true
	}
	v, hd := key.Value(nil)
	if hd.HasErrors() || v.IsNull() || v.Type() != cty.String {
		d.errorf(key.Range(), "Invalid column name", "Row %d: a column is named by a bare name (id = 1) or a quoted string (\"order id\" = 1).", row)
		return "", false
	}
	return v.AsString(), true
}

func typeName(t cty.Type) string {
	switch {
	case t.IsTupleType() || t.IsListType() || t.IsSetType():
		return "a list"
	case t.IsObjectType() || t.IsMapType():
		return "an object"
	}
	return t.FriendlyName()
}

// str decodes an optional string attribute; false after reporting a
// problem.
func (d *decoder) str(attrs hcl.Attributes, name string) (string, bool) {
	a, ok := attrs[name]
	if !ok {
		return "", true
	}
	v, hd := a.Expr.Value(nil)
	if !d.hcl(hd) {
		return "", false
	}
	if v.IsNull() || v.Type() != cty.String {
		d.errorf(a.Expr.Range(), "Incorrect attribute value type", "%s must be a string.", name)
		return "", false
	}
	return v.AsString(), true
}

// ref decodes a reference kind.NAME.
func (d *decoder) ref(a *hcl.Attribute, kind string) (string, bool) {
	want := kind + ".NAME"
	if t, ok := a.Expr.(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
		v, _ := t.Value(nil)
		d.errorf(a.Expr.Range(), "Invalid reference", "%s must be a reference such as %s, not a string: write %s.%s without quotes.", a.Name, want, kind, v.AsString())
		return "", false
	}
	trav, hd := hcl.AbsTraversalForExpr(a.Expr)
	if hd.HasErrors() || len(trav) != 2 || trav.RootName() != kind {
		d.errorf(a.Expr.Range(), "Invalid reference", "%s must be a reference such as %s.", a.Name, want)
		return "", false
	}
	step, ok := trav[1].(hcl.TraverseAttr)
	if !ok {
		d.errorf(a.Expr.Range(), "Invalid reference", "%s must be a reference such as %s.", a.Name, want)
		return "", false
	}
	return step.Name, true
}

func (d *decoder) productRef(a *hcl.Attribute) (string, bool) { return d.ref(a, "product") }

func (d *decoder) policyTest(b *hcl.Block) *PolicyTest {
	content, hd := b.Body.Content(policyTestSchema)
	ok := d.hcl(hd)
	t := &PolicyTest{Name: b.Labels[0], Range: b.DefRange}
	if a := content.Attributes["policy"]; a != nil {
		name, good := d.ref(a, "policy")
		t.Policy, t.PolicyRange, ok = name, a.Expr.Range(), ok && good
	}
	if a := content.Attributes["product"]; a != nil {
		t.ProductRange = a.Expr.Range()
		_, isTemplate := a.Expr.(*hclsyntax.TemplateExpr)
		switch {
		case isHeredoc(d.src, a.Expr.Range()):
			t.Snippet = d.snippet(a.Expr.Range())
			ok = ok && t.Snippet != nil
		case isTemplate:
			d.errorf(a.Expr.Range(), "Invalid product",
				"product is a reference to a product of the workspace (product = product.orders_clean), or the HCL of a product in a heredoc:\n\n  product = <<-EOT\n    product \"pii_unmasked\" {\n      ...\n    }\n  EOT")
			ok = false
		default:
			name, good := d.productRef(a)
			t.Product, ok = name, ok && good
		}
	}
	if a := content.Attributes["expect"]; a != nil {
		s, good := d.str(content.Attributes, "expect")
		switch {
		case !good:
			ok = false
		case s == string(Pass) || s == string(Fail):
			t.Expect, t.ExpectRange = Outcome(s), a.Expr.Range()
		default:
			d.errorf(a.Expr.Range(), "Invalid expect", "expect is \"pass\" or \"fail\" (whether the policy should pass or fail for the product), not %q.", s)
			ok = false
		}
	}
	if a := content.Attributes["expect_message"]; a != nil {
		s, good := d.str(content.Attributes, "expect_message")
		switch {
		case !good:
			ok = false
		case t.Expect == Pass:
			d.errorf(a.NameRange, "expect_message without a failure", "expect_message is part of the message of a failing policy; this test expects the policy to pass.")
			ok = false
		default:
			t.Message, t.HasMessage, t.MessageRange = s, true, a.Expr.Range()
		}
	}
	desc, good := d.str(content.Attributes, "description")
	t.Description, ok = desc, ok && good
	if !ok {
		return nil
	}
	return t
}

// isHeredoc reports whether the expression at rng is written as a heredoc
// (<<EOT or <<-EOT).
func isHeredoc(src []byte, rng hcl.Range) bool {
	return rng.Start.Byte+2 <= len(src) && string(src[rng.Start.Byte:rng.Start.Byte+2]) == "<<"
}

// snippet takes the lines between a heredoc's opening and closing markers
// as they are written — interpolations included, so that the product's
// HCL reads as it would in a *.mesh.hcl file — with positions kept.
func (d *decoder) snippet(rng hcl.Range) *Snippet {
	raw := d.src[rng.Start.Byte:rng.End.Byte]
	first := bytes.IndexByte(raw, '\n')
	last := bytes.LastIndexByte(raw, '\n')
	if first < 0 || last <= first {
		d.errorf(rng, "Empty product snippet", "The heredoc holds no HCL: write the product block between its markers.")
		return nil
	}
	start, end := rng.Start.Byte+first+1, rng.Start.Byte+last+1
	blank := make([]byte, len(d.src))
	for i, c := range d.src {
		switch {
		case i >= start && i < end, c == '\n', c == '\r':
			blank[i] = c
		default:
			blank[i] = ' '
		}
	}
	body := hcl.Range{Filename: d.name,
		Start: hcl.Pos{Line: rng.Start.Line + 1, Column: 1, Byte: start},
		End:   hcl.Pos{Line: rng.End.Line, Column: 1, Byte: end}}
	if strings.TrimSpace(string(d.src[start:end])) == "" {
		d.errorf(rng, "Empty product snippet", "The heredoc holds no HCL: write the product block between its markers.")
		return nil
	}
	return &Snippet{File: d.name, Src: blank, Range: body}
}

// unwrapPath drops the path an fs.PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
