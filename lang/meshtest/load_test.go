package meshtest

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/diag"
)

// diagLines renders diagnostics as "file:line:col: summary: detail".
func diagLines(ds diag.Diagnostics) []string {
	var out []string
	for _, d := range ds {
		at := "-"
		if d.Subject != nil {
			at = d.Subject.String()
		}
		out = append(out, at+": "+d.Summary+": "+d.Detail)
	}
	return out
}

const goodTests = `test "adults_are_counted" {
  description = "adults only"
  product     = product.adult_customers_by_country
  given "customers" {
    rows = [
      { id = 1, age = 30, country = "de", email = "a@x" },
      { id = 2, "age" = -12, country = "de", email = null, vip = true },
    ]
  }
  given "orders" { csv = "fixtures/orders.csv" }
  expect {
    transform = "adults"
    rows = []
  }
}

policy_test "pii_must_be_masked" {
  policy  = policy.pii_is_masked
  product = <<-EOT
    product "leaky" {
      tags = ["${x}"]
    }
  EOT
  expect         = "fail"
  expect_message = "must be masked"
}

policy_test "owned" {
  policy  = policy.products_have_owner
  product = product.orders_clean
  expect  = "pass"
}
`

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"tests/products.meshtest.hcl": {Data: []byte(goodTests)},
		"tests/fixtures/orders.csv":   {Data: []byte("customer_id,amount,note\n1,12.50,\n2,,\"\"\n")},
		"main.mesh.hcl":               {Data: []byte("not a test file {")},
	}
	s, diags := Load(fsys, Options{DisplayDir: "ws"})
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%s", strings.Join(diagLines(diags), "\n"))
	}
	if len(s.Cases) != 3 {
		t.Fatalf("got %d cases, want 3", len(s.Cases))
	}
	pt := s.Cases[0].(*ProductTest)
	if pt.Name != "adults_are_counted" || pt.Product != "adult_customers_by_country" || pt.Description != "adults only" {
		t.Errorf("product test = %q of %q (%q)", pt.Name, pt.Product, pt.Description)
	}
	if got := pt.Range.String(); !strings.HasPrefix(got, "ws/tests/products.meshtest.hcl:1,1-") {
		t.Errorf("test range = %s", got)
	}
	inline := pt.Given[0].Rows
	if diff := cmp.Diff([]string{"id", "age", "country", "email", "vip"}, inline.Columns); diff != "" {
		t.Errorf("inline columns (-want +got):\n%s", diff)
	}
	age := inline.Rows[1].Cell("age")
	if age == nil || !age.Value.RawEquals(cty.NumberIntVal(-12)) || age.Range.Start.Line != 7 || age.Range.Start.Column != 25 {
		t.Errorf("row 2 age = %#v", age)
	}
	if email := inline.Rows[1].Cell("email"); email == nil || !email.Value.IsNull() {
		t.Errorf("row 2 email = %#v, want null", email)
	}
	csvRows := pt.Given[1].Rows
	if csvRows.CSVFile != "ws/tests/fixtures/orders.csv" || csvRows.CSV != "fixtures/orders.csv" {
		t.Errorf("csv file = %q (%q)", csvRows.CSVFile, csvRows.CSV)
	}
	type cellView struct {
		Col, Val, At string
	}
	var cells []cellView
	for _, r := range csvRows.Rows {
		for _, c := range r.Cells {
			v := "null"
			if !c.Value.IsNull() {
				v = `"` + c.Value.AsString() + `"`
			}
			cells = append(cells, cellView{c.Column, v, c.Range.String()})
		}
	}
	wantCells := []cellView{
		{"customer_id", `"1"`, "ws/tests/fixtures/orders.csv:2,1-2"},
		{"amount", `"12.50"`, "ws/tests/fixtures/orders.csv:2,3-8"},
		{"note", "null", "ws/tests/fixtures/orders.csv:2,9-9"},
		{"customer_id", `"2"`, "ws/tests/fixtures/orders.csv:3,1-2"},
		{"amount", "null", "ws/tests/fixtures/orders.csv:3,3-3"},
		{"note", `""`, "ws/tests/fixtures/orders.csv:3,4-6"},
	}
	if diff := cmp.Diff(wantCells, cells); diff != "" {
		t.Errorf("CSV cells (-want +got):\n%s", diff)
	}
	if pt.Expect.Transform != "adults" || len(pt.Expect.Rows.Rows) != 0 {
		t.Errorf("expect = %+v", pt.Expect)
	}
	if _, ok := s.Files["ws/tests/fixtures/orders.csv"]; !ok {
		t.Errorf("the fixture is not among the suite's sources")
	}

	pol := s.Cases[1].(*PolicyTest)
	if pol.Policy != "pii_is_masked" || pol.Expect != Fail || !pol.HasMessage || pol.Message != "must be masked" || pol.Snippet == nil {
		t.Fatalf("policy test = %+v", pol)
	}
	sn := pol.Snippet
	if len(sn.Src) != len(goodTests) || sn.File != "ws/tests/products.meshtest.hcl" {
		t.Errorf("snippet source is %d bytes of %s; want the test file's %d", len(sn.Src), sn.File, len(goodTests))
	}
	// Everything but the snippet's lines is blank; they stay where they were.
	lines := strings.Split(string(sn.Src), "\n")
	snippetLines := map[int]string{19: `    product "leaky" {`, 20: `      tags = ["${x}"]`, 21: `    }`}
	for i, l := range lines {
		want, inSnippet := snippetLines[i]
		if !inSnippet && strings.TrimSpace(l) != "" || inSnippet && l != want {
			t.Errorf("snippet source line %d = %q", i+1, l)
		}
	}
	if sn.Range.Start.Line != 20 || sn.Range.End.Line != 23 {
		t.Errorf("snippet lines %d-%d, want 20-23", sn.Range.Start.Line, sn.Range.End.Line)
	}
	ref := s.Cases[2].(*PolicyTest)
	if ref.Product != "orders_clean" || ref.Snippet != nil || ref.Expect != Pass || ref.HasMessage {
		t.Errorf("reference policy test = %+v", ref)
	}
}

func TestLoadDiagnostics(t *testing.T) {
	const file = "t.meshtest.hcl"
	for _, tc := range []struct {
		name  string
		src   string
		files map[string]string
		want  []string
	}{
		{
			name: "syntax error",
			src:  "test \"a\" {\n  product = \n}\n",
			want: []string{`t.meshtest.hcl:2:13: Invalid expression: Expected the start of an expression, but found an invalid expression token.`},
		},
		{
			name: "unknown block and attribute",
			src:  "tset \"a\" {}\ntest \"b\" {\n  product = product.p\n  rows = []\n  expect { rows = [] }\n}\n",
			want: []string{
				`t.meshtest.hcl:1:1: Unsupported block type: Blocks of type "tset" are not expected here. Did you mean "test"?`,
				`t.meshtest.hcl:4:3: Unsupported argument: An argument named "rows" is not expected here.`,
			},
		},
		{
			name: "missing product and expect",
			src:  "test \"a\" {\n  given \"x\" { rows = [] }\n}\n",
			want: []string{
				`t.meshtest.hcl:1:1: Missing expect block: Test "a" expects nothing. Add the rows the product's output should hold:

  expect {
    rows = [
      { country = "DE", customers = 1 },
    ]
  }`,
				`t.meshtest.hcl:1:10: Missing required argument: The argument "product" is required, but no definition was found.`,
			},
		},
		{
			name: "product as a string",
			src:  "test \"a\" {\n  product = \"orders\"\n  expect { rows = [] }\n}\n",
			want: []string{`t.meshtest.hcl:2:13: Invalid reference: product must be a reference such as product.NAME, not a string: write product.orders without quotes.`},
		},
		{
			name: "reference to a source",
			src:  "test \"a\" {\n  product = source.orders\n  expect { rows = [] }\n}\n",
			want: []string{`t.meshtest.hcl:2:13: Invalid reference: product must be a reference such as product.NAME.`},
		},
		{
			name: "duplicate names",
			src:  "test \"a\" {\n  product = product.p\n  expect { rows = [] }\n}\npolicy_test \"a\" {\n  policy = policy.p\n  product = product.p\n  expect = \"pass\"\n}\n",
			want: []string{`t.meshtest.hcl:5:13: Duplicate test "a": A test named "a" is already declared at t.meshtest.hcl:1:1. Test names are unique across all test files.`},
		},
		{
			name: "invalid name",
			src:  "test \"a b\" {\n  product = product.p\n  expect { rows = [] }\n}\n",
			want: []string{`t.meshtest.hcl:1:6: Invalid test name: "a b" is not a valid name: a name starts with a letter and holds only letters, digits, underscores and dashes.`},
		},
		{
			name: "given twice, expect twice",
			src:  "test \"a\" {\n  product = product.p\n  given \"x\" { rows = [] }\n  given \"x\" { rows = [] }\n  expect { rows = [] }\n  expect { rows = [] }\n}\n",
			want: []string{
				`t.meshtest.hcl:4:9: Duplicate given "x": Rows for input "x" are already given at t.meshtest.hcl:3:3.`,
				`t.meshtest.hcl:6:3: Duplicate expect block: A test has one expect block; the first is at t.meshtest.hcl:5:3.`,
			},
		},
		{
			name: "rows and csv, neither",
			src:  "test \"a\" {\n  product = product.p\n  given \"x\" {\n    rows = []\n    csv  = \"x.csv\"\n  }\n  expect {}\n}\n",
			want: []string{
				`t.meshtest.hcl:5:5: Conflicting rows: The given "x" block has rows already (at t.meshtest.hcl:4:5): give rows inline or in a CSV file, not both.`,
				`t.meshtest.hcl:7:3: Missing rows: The expect block gives no rows. Write them inline, or name a CSV file relative to the test file:

  rows = [
    { id = 1, country = "de" },
  ]

  csv = "fixtures/orders.csv"`,
			},
		},
		{
			name: "rows not a list",
			src:  "test \"a\" {\n  product = product.p\n  expect { rows = { id = 1 } }\n}\n",
			want: []string{`t.meshtest.hcl:3:19: Invalid rows: rows must be a list of objects, one per row, such as:

  rows = [
    { id = 1, country = "de" },
    { id = 2, country = null },
  ]`},
		},
		{
			name: "bad rows",
			src: "test \"a\" {\n  product = product.p\n  expect {\n    rows = [\n      [1, 2],\n      { id = 1, id = 2 },\n" +
				"      { id = [1] },\n      { id = x },\n      { (1) = 2 },\n    ]\n  }\n}\n",
			want: []string{
				`t.meshtest.hcl:5:7: Invalid row: Row 1 must be an object of column values, such as { id = 1, country = "de" }.`,
				`t.meshtest.hcl:6:17: Duplicate column "id": Row 2 gives column "id" twice; the first is at t.meshtest.hcl:6:9.`,
				`t.meshtest.hcl:7:14: Invalid value: Row 3, column "id": a value is a string, a number, a bool or null, not a list.`,
				`t.meshtest.hcl:8:14: Variables not allowed: Variables may not be used here.`,
				`t.meshtest.hcl:9:9: Invalid column name: Row 5: a column is named by a bare name (id = 1) or a quoted string ("order id" = 1).`,
			},
		},
		{
			name: "transform not a name",
			src:  "test \"a\" {\n  product = product.p\n  expect {\n    transform = \"a b\"\n    rows = []\n  }\n}\n",
			want: []string{`t.meshtest.hcl:4:17: Invalid transform name: transform names one transform of the product, such as transform = "adults"; "a b" is not a name.`},
		},
		{
			name: "csv missing, absolute, outside",
			src: "test \"a\" {\n  product = product.p\n  given \"x\" { csv = \"nope.csv\" }\n  given \"y\" { csv = \"/etc/passwd\" }\n" +
				"  given \"z\" { csv = \"../up.csv\" }\n  expect { csv = \"\" }\n}\n",
			want: []string{
				`t.meshtest.hcl:3:21: Cannot read CSV file: nope.csv: file does not exist (the path is relative to the test file's folder).`,
				`t.meshtest.hcl:4:21: Invalid csv: /etc/passwd is an absolute path; a fixture's path is relative to the test file, so that the tests run from any checkout.`,
				`t.meshtest.hcl:5:21: Invalid csv: ../up.csv is outside the workspace; keep fixtures next to the tests that use them.`,
				`t.meshtest.hcl:6:18: Invalid csv: csv is the path of a CSV file relative to the test file, such as csv = "fixtures/orders.csv".`,
			},
		},
		{
			name:  "bad CSV files",
			src:   "test \"a\" {\n  product = product.p\n  given \"x\" { csv = \"dup.csv\" }\n  given \"y\" { csv = \"short.csv\" }\n  given \"z\" { csv = \"empty.csv\" }\n  expect { csv = \"quote.csv\" }\n}\n",
			files: map[string]string{"dup.csv": "id,name,id\n", "short.csv": "id,name\n1,a\n2\n", "empty.csv": "", "quote.csv": "id\n\"unterminated\n"},
			want: []string{
				`dup.csv:1:9: Duplicate column "id": dup.csv names column "id" twice; the first is at dup.csv:1:1.`,
				`quote.csv:2:15: Invalid CSV file: quote.csv, line 2: extraneous or missing " in quoted-field.`,
				`short.csv:3:1: Invalid CSV file: short.csv, line 3 has 1 fields; the header names 2 columns.`,
				`t.meshtest.hcl:5:21: Empty CSV file: empty.csv is empty: its first line names the columns.`,
			},
		},
		{
			name: "policy test problems",
			src: "policy_test \"a\" {\n  policy  = \"pii\"\n  product = \"product x {}\"\n  expect  = \"passes\"\n}\n" +
				"policy_test \"b\" {\n  policy         = policy.p\n  product        = product.p\n  expect         = \"pass\"\n  expect_message = \"x\"\n}\n" +
				"policy_test \"c\" {\n  product = <<-EOT\n  EOT\n}\n",
			want: []string{
				`t.meshtest.hcl:2:13: Invalid reference: policy must be a reference such as policy.NAME, not a string: write policy.pii without quotes.`,
				`t.meshtest.hcl:3:13: Invalid product: product is a reference to a product of the workspace (product = product.orders_clean), or the HCL of a product in a heredoc:

  product = <<-EOT
    product "pii_unmasked" {
      ...
    }
  EOT`,
				`t.meshtest.hcl:4:13: Invalid expect: expect is "pass" or "fail" (whether the policy should pass or fail for the product), not "passes".`,
				`t.meshtest.hcl:10:3: expect_message without a failure: expect_message is part of the message of a failing policy; this test expects the policy to pass.`,
				`t.meshtest.hcl:12:17: Missing required argument: The argument "policy" is required, but no definition was found.`,
				`t.meshtest.hcl:12:17: Missing required argument: The argument "expect" is required, but no definition was found.`,
				`t.meshtest.hcl:13:13: Empty product snippet: The heredoc holds no HCL: write the product block between its markers.`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{file: {Data: []byte(tc.src)}}
			for n, src := range tc.files {
				fsys[n] = &fstest.MapFile{Data: []byte(src)}
			}
			_, diags := Load(fsys, Options{})
			if diff := cmp.Diff(tc.want, diagLines(diags)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadNoFiles(t *testing.T) {
	s, diags := Load(fstest.MapFS{"main.mesh.hcl": {}}, Options{})
	if len(diags) != 0 || len(s.Cases) != 0 {
		t.Errorf("Load of a workspace without tests: %d cases, diagnostics %v", len(s.Cases), diagLines(diags))
	}
}
