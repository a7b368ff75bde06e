package meshtest

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/diag"
)

// Suite is every test of a workspace.
type Suite struct {
	// Files holds the source of every test file and CSV fixture, keyed by
	// the name used in ranges, for diagnostic snippets.
	Files diag.Sources
	// Cases are in file order (files sorted by path), then in the order
	// written.
	Cases []Case
}

// Case is one test. The set is closed: *ProductTest and *PolicyTest.
type Case interface {
	// TestName is the test's label, unique in the suite.
	TestName() string
	// DeclRange is the block's header (test "name"), for file:line.
	DeclRange() hcl.Range
	isCase()
}

// ProductTest runs a product's transforms on given rows and compares what
// comes out with the expected rows.
type ProductTest struct {
	Name        string
	Description string
	// Product is the name of the product under test (product.NAME).
	Product      string
	ProductRange hcl.Range
	// Given are the rows of the product's inputs, in the order written.
	Given  []*Given
	Expect *Expect
	Range  hcl.Range
}

// Given is the data one input of the product reads in a test.
type Given struct {
	// Input is the input's name (the block's label).
	Input      string
	InputRange hcl.Range
	Rows       *Rows
	Range      hcl.Range
}

// Expect is the rows a test expects.
type Expect struct {
	// Transform names the transform whose rows are compared; "" means the
	// product's output.
	Transform      string
	TransformRange hcl.Range
	Rows           *Rows
	Range          hcl.Range
}

// Rows are rows written inline (rows = [...]) or read from a CSV file
// (csv = "fixtures/x.csv").
type Rows struct {
	// Columns are the column names in the order they first appear (the
	// header of a CSV file).
	Columns []string
	Rows    []Row
	// CSV is the fixture's path as written, relative to the test file's
	// folder; "" for inline rows. CSVFile is its name as used in ranges.
	CSV     string
	CSVFile string
	// Range is the rows or csv attribute's value.
	Range hcl.Range
}

// Row is one row: the values it gives, by column.
type Row struct {
	Cells []Cell
	Range hcl.Range
}

// Cell returns the cell of column name, or nil.
func (r *Row) Cell(name string) *Cell {
	for i := range r.Cells {
		if r.Cells[i].Column == name {
			return &r.Cells[i]
		}
	}
	return nil
}

// Cell is one value of a row. Value is a string, a number, a bool or a
// null; the runner converts it to the column's type. A CSV field is a
// string, or a null when empty.
type Cell struct {
	Column    string
	Value     cty.Value
	NameRange hcl.Range
	Range     hcl.Range
}

// Outcome is what a policy test expects of its policy.
type Outcome string

// Policy test outcomes.
const (
	Pass Outcome = "pass"
	Fail Outcome = "fail"
)

// PolicyTest evaluates one policy against a product and checks whether it
// passes or fails.
type PolicyTest struct {
	Name        string
	Description string
	// Policy is the policy's name (policy.NAME).
	Policy      string
	PolicyRange hcl.Range
	// Product names an existing product; when Snippet is set instead, the
	// products the snippet declares are the ones tested.
	Product      string
	Snippet      *Snippet
	ProductRange hcl.Range
	Expect       Outcome
	ExpectRange  hcl.Range
	// Message, when HasMessage, must be part of one of the violations'
	// messages (expect = "fail" only).
	Message      string
	HasMessage   bool
	MessageRange hcl.Range
	Range        hcl.Range
}

// Snippet is HCL written in a policy test (a heredoc) that is loaded as
// one more configuration file of a copy of the workspace.
type Snippet struct {
	// File is the test file's name. Src is the test file's content with
	// everything but the snippet blanked out (newlines kept), so that
	// positions in the snippet are those of the test file.
	File string
	Src  []byte
	// Range covers the snippet's lines.
	Range hcl.Range
}

// TestName implements Case.
func (t *ProductTest) TestName() string { return t.Name }

// TestName implements Case.
func (t *PolicyTest) TestName() string { return t.Name }

// DeclRange implements Case.
func (t *ProductTest) DeclRange() hcl.Range { return t.Range }

// DeclRange implements Case.
func (t *PolicyTest) DeclRange() hcl.Range { return t.Range }

func (*ProductTest) isCase() {}
func (*PolicyTest) isCase()  {}
