package configs_test

import (
	"maps"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/internal/diagtest"
)

// dgMarker marks, in a case's HCL, where the expected diagnostic's subject
// starts. It is removed before the files are loaded. FuzzLoad uses it too.
const dgMarker = diagtest.Marker

// dgCase is one bad workspace and the diagnostic it must produce.
type dgCase struct {
	name string
	// files maps a file name to its source. Exactly one file holds the
	// marker, unless the diagnostic has no subject.
	files map[string]string
	// gov holds governance files by name, such as "../gov/pii.mesh.hcl";
	// each belongs to the governance folder its name is in. A marker may
	// be in one of them instead of in files.
	gov map[string]string
	env map[string]string
	// summary is compared for equality, severity too.
	summary  string
	severity diag.Severity
	// detail lists substrings the Detail must contain.
	detail []string
	// exactDetail, when set, is the whole Detail.
	exactDetail string
}

// dgPrepare strips markers, returning the files to load and the expected
// position (nil when no file holds a marker). Files of gov are governance
// files of the folder their name is in.
func dgPrepare(t *testing.T, files, gov map[string]string) ([]configs.File, *diagtest.Pos) {
	t.Helper()
	var out []configs.File
	var want *diagtest.Pos
	add := func(files map[string]string, governance func(name string) string) {
		for _, name := range slices.Sorted(maps.Keys(files)) {
			src, pos := diagtest.StripMarker(t, name, files[name])
			if pos != nil {
				if want != nil {
					t.Fatalf("markers in two files: %s and %s", want.File, name)
				}
				want = pos
			}
			out = append(out, configs.File{Name: name, Src: []byte(src), Governance: governance(name)})
		}
	}
	add(files, func(string) string { return "" })
	add(gov, path.Dir)
	return out, want
}

func dgGetenv(env map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// dgHead is a valid start of a workspace: a mesh, a domain and a source.
const dgHead = `mesh {
  name = "t"
}

domain "sales" {
  owner = "sales@example.com"
}

source "crm" {
  type = "csv"
  path = "data/crm.csv"
}
`

// dgProduct is a valid product over source.crm.
const dgProduct = `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
}
`

func dgOne(src string) map[string]string { return map[string]string{"main.mesh.hcl": src} }

// TestDiagnosticsBase guards the cases below: the workspace they start from
// loads without any diagnostic.
func TestDiagnosticsBase(t *testing.T) {
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(dgHead + dgProduct)}}, configs.Options{})
	if len(ds) > 0 {
		t.Fatalf("diagnostics on the base workspace:%s", diagtest.Describe(ds))
	}
	if ws.Products["p"] == nil {
		t.Fatal("product p not loaded")
	}
}

// TestPostgresOutputLocation: a postgres output that loads cleanly keeps
// its DSN as the variable's name, and its location names that variable
// and the table (schema public when none is written), never the DSN.
func TestPostgresOutputLocation(t *testing.T) {
	for _, tc := range []struct{ table, want string }{
		{"analytics.orders", "postgres://WAREHOUSE_DSN/analytics.orders"},
		{"orders", "postgres://WAREHOUSE_DSN/public.orders"},
	} {
		src := dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format = "postgres"
    table  = "` + tc.table + `"
    dsn    = env("WAREHOUSE_DSN")
  }
}
`
		ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
		if len(ds) > 0 {
			t.Fatalf("table %q: diagnostics:%s", tc.table, diagtest.Describe(ds))
		}
		o := ws.Products["p"].Output
		if o.DSN == nil || o.DSN.Env != "WAREHOUSE_DSN" || o.DSN.Literal != "" {
			t.Errorf("table %q: DSN = %+v, want env WAREHOUSE_DSN", tc.table, o.DSN)
		}
		if got := o.Location(); got != tc.want {
			t.Errorf("table %q: Location() = %q, want %q", tc.table, got, tc.want)
		}
	}
}

func TestLoadDiagnostics(t *testing.T) {
	dgRun(t, dgLoadCases())
}

// dgLoadCases are the bad workspaces of TestLoadDiagnostics; FuzzLoad
// starts from them too.
func dgLoadCases() []dgCase {
	return []dgCase{
		// ---- syntax and file structure ------------------------------
		{
			name: "syntax error",
			files: dgOne(`mesh {
  name = "t"
}
domain "sales" {
  owner = «}
`),
			summary: "Invalid expression",
			detail:  []string{"Expected the start of an expression"},
		},
		{
			name: "two attributes on one line",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  contract {
    column "id" { type = "int64" «nullable = false }
  }
}
`),
			summary: "Invalid single-argument block definition",
		},
		{
			name: "missing mesh block",
			files: dgOne(`domain "sales" {
  owner = "sales@example.com"
}
`),
			summary: "Missing mesh block",
		},
		{
			name: "duplicate mesh",
			files: dgOne(dgHead + `
«mesh {
  name = "u"
}
`),
			summary: "Duplicate mesh block",
			detail:  []string{"main.mesh.hcl:1:1"},
		},
		{
			name: "duplicate product across files",
			files: map[string]string{
				"a.mesh.hcl": dgHead + dgProduct,
				"b.mesh.hcl": `
product «"p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p2/" }
}
`,
			},
			summary: `Duplicate product "p"`,
			detail:  []string{"a.mesh.hcl:14:1"},
		},
		{
			name: "invalid product name",
			files: dgOne(dgHead + `
product «"adult customers" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid product name",
			detail:  []string{`"adult customers"`},
		},
		{
			name: "invalid domain name",
			files: dgOne(dgHead + `
domain «"1sales" {
  owner = "x@example.com"
}
`),
			summary: "Invalid domain name",
		},
		{
			name: "invalid transform name",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform «"by-country!" {
    from = input.crm
  }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid input or transform name",
		},
		{
			name: "unknown block type",
			files: dgOne(dgHead + `
«widget "x" {
}
`),
			summary: "Unsupported block type",
			detail:  []string{`"widget"`},
		},
		{
			name: "unknown block type in a transform",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "t" {
    from = input.crm
    «fliter {
      where = true
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Unsupported block type",
			detail:  []string{`Did you mean "filter"?`},
		},
		{
			name: "unsupported attribute with did-you-mean",
			files: dgOne(`mesh {
  name = "t"
}
domain "sales" {
  owner      = "sales@example.com"
  «descripton = "Sales"
}
`),
			summary: "Unsupported argument",
			detail:  []string{`Did you mean "description"?`},
		},

		// ---- required attributes -------------------------------------
		{
			name: "missing domain owner",
			files: dgOne(`mesh {
  name = "t"
}
domain "sales" «{
  team = "acme/sales"
}
`),
			summary: "Missing required argument",
			detail:  []string{`"owner"`},
		},
		{
			name: "missing product domain",
			files: dgOne(dgHead + `
product "p" «{
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
}
`),
			summary: "Missing required argument",
			detail:  []string{`"domain"`},
		},
		{
			name: "missing source type",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" «{
  path = "data/crm.csv"
}
`),
			summary: "Missing required argument",
			detail:  []string{`"type"`},
		},
		{
			name: "missing filter where",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "t" {
    from = input.crm
    filter «{
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Missing required argument",
			detail:  []string{`"where"`},
		},
		{
			name: "missing join on",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  input "more" { from = source.crm }
  transform "t" {
    from = input.crm
    join «{
      with = input.more
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Missing required argument",
			detail:  []string{`"on"`},
		},
		{
			name: "missing check assert",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  check "has_rows" «{
    severity = "warn"
  }
}
`),
			summary: "Missing required argument",
			detail:  []string{`"assert"`},
		},
		{
			name: "missing policy condition",
			files: dgOne(dgHead + `
policy "owned" «{
  applies_to = "product"
}
`),
			summary: "Missing required argument",
			detail:  []string{`"condition"`},
		},
		{
			name: "missing input from",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" «{
  }
  output { path = "lake/p/" }
}
`),
			summary: "Missing required argument",
			detail:  []string{`"from"`},
		},

		// ---- attribute types -----------------------------------------
		{
			name: "string given a number",
			files: dgOne(`mesh {
  name = "t"
}
domain "sales" {
  owner = «42
}
`),
			summary: "Incorrect attribute value type",
			detail:  []string{"owner must be a string, not a number."},
		},
		{
			name: "bool given a string",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  lifecycle {
    prevent_destroy = «"yes"
  }
}
`),
			summary: "Incorrect attribute value type",
			detail:  []string{"prevent_destroy must be a bool (true or false), not a string."},
		},
		{
			name: "tags not a list",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  tags   = «"tier:gold"
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
}
`),
			summary: "Incorrect attribute value type",
			detail:  []string{"tags must be a list of strings, not a string."},
		},
		{
			name: "tags holding a number",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  tags   = «["tier:gold", 3]
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
}
`),
			summary: "Incorrect attribute value type",
			detail:  []string{"tags must be a list of strings."},
		},
		{
			name: "limit count negative",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "t" {
    from = input.crm
    limit {
      count = «-1
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid value for count",
			detail:  []string{"zero or more"},
		},
		{
			name: "limit count fractional",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "t" {
    from = input.crm
    limit {
      count = «2.5
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid value for count",
		},
		{
			name: "null attribute",
			files: dgOne(`mesh {
  name = "t"
}
domain "sales" {
  owner = «null
}
`),
			summary: "Invalid value for owner",
		},

		// ---- enums ----------------------------------------------------
		{
			name: "invalid source type",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = «"postgress"
  dsn   = env("CRM_DSN")
  table = "public.customers"
}
`),
			summary: "Invalid type",
			detail:  []string{`"postgress" is not a valid type`, `Did you mean "postgres"?`},
		},
		{
			name: "invalid join type",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  input "more" { from = source.crm }
  transform "t" {
    from = input.crm
    join {
      with = input.more
      type = «"lft"
      on   = crm.id == more.id
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid type",
			detail:  []string{`Did you mean "left"?`},
		},
		{
			name: "invalid output format",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format = «"parqet"
    path   = "lake/p/"
  }
}
`),
			summary: "Invalid format",
			detail:  []string{`Did you mean "parquet"?`},
		},
		{
			name: "invalid check severity",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  check "has_rows" {
    assert   = row_count() > 0
    severity = «"warnn"
  }
}
`),
			summary: "Invalid severity",
			detail:  []string{`Did you mean "warn"?`},
		},
		{
			name: "invalid policy enforcement",
			files: dgOne(dgHead + `
policy "owned" {
  enforcement = «"hard-mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
}
`),
			summary: "Invalid enforcement",
			detail:  []string{`Did you mean "hard_mandatory"?`},
		},
		{
			name: "invalid policy applies_to",
			files: dgOne(dgHead + `
policy "owned" {
  applies_to = «"products"
  condition  = product.owner != ""
}
`),
			summary: "Invalid applies_to",
			detail:  []string{`Did you mean "product"?`},
		},
		{
			name: "invalid on_error",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type     = "csv"
  path     = "data/crm.csv"
  on_error = «"skipp"
}
`),
			summary: "Invalid on_error",
			detail:  []string{`Did you mean "skip"?`},
		},
		{
			name: "invalid state backend",
			files: dgOne(`mesh {
  name = "t"
  state {
    backend = «"s4"
  }
}
`),
			summary: "Invalid backend",
			detail:  []string{`Did you mean "s3"?`},
		},
		{
			name: "invalid mask",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  contract {
    column "email" {
      type = "string"
      mask = «"hsh"
    }
  }
}
`),
			summary: "Invalid mask",
			detail:  []string{`Did you mean "hash"?`},
		},

		// ---- values ---------------------------------------------------
		{
			name: "version not semver",
			files: dgOne(dgHead + `
product "p" {
  domain  = domain.sales
  version = «"1.2"
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid version",
			detail:  []string{`"1.2" is not`},
		},
		{
			name: "invalid freshness",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  sla {
    freshness = «"1 day"
  }
}
`),
			summary: "Invalid freshness",
			detail:  []string{`"1 day" is not`},
		},
		{
			name: "zero freshness",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  sla {
    freshness = «"0h"
  }
}
`),
			summary: "Invalid freshness",
		},
		{
			name: "invalid expiry date",
			files: dgOne(dgHead + dgProduct + `
policy "owned" {
  applies_to = "product"
  condition  = product.owner != ""
}

exemption "legacy" {
  policy  = policy.owned
  target  = product.p
  reason  = "DATA-412"
  expires = «"31/03/2027"
}
`),
			summary: "Invalid expiry date",
		},
		{
			name: "empty exemption reason",
			files: dgOne(dgHead + dgProduct + `
policy "owned" {
  applies_to = "product"
  condition  = product.owner != ""
}

exemption "legacy" {
  policy  = policy.owned
  target  = product.p
  reason  = «"  "
  expires = "2027-03-31"
}
`),
			summary: "Empty reason",
		},
		{
			name: "invalid delimiter",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type      = "csv"
  path      = "data/crm.csv"
  delimiter = «";;"
}
`),
			summary: "Invalid delimiter",
		},

		// ---- column types ----------------------------------------------
		{
			name: "integer suggests int32 in a declared schema",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type = "csv"
  path = "data/crm.csv"
  schema {
    infer = false
    column "id" {
      type = «"integer"
    }
  }
}
`),
			summary: "Invalid column type",
			detail:  []string{`did you mean "int32"?`},
		},
		{
			name: "integer suggests int32 in an inferred schema",
			// The detail ends in one punctuation mark, not "?.".
			exactDetail: `Unknown type "integer"; did you mean "int32"?`,
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type = "csv"
  path = "data/crm.csv"
  schema {
    column "id" {
      type = «"integer"
    }
  }
}
`),
			summary: "Invalid column type",
			detail:  []string{`did you mean "int32"?`},
		},
		{
			name: "decimal precision out of range",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  contract {
    column "amount" {
      type = «"decimal(40,2)"
    }
  }
}
`),
			summary: "Invalid column type",
			detail:  []string{"precision 40 is out of range", "38"},
		},
		{
			name: "contract column without type",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  contract {
    «column "amount" {
      description = "Order amount"
    }
  }
}
`),
			summary: "Missing column type",
		},
		{
			name: "mask outside a contract",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type = "csv"
  path = "data/crm.csv"
  schema {
    column "email" {
      «mask = "hash"
    }
  }
}
`),
			summary: "Mask outside a contract",
		},
		{
			name: "empty declared schema",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type = "csv"
  path = "data/crm.csv"
  «schema {
    infer = false
  }
}
`),
			summary: "Empty schema",
		},
		{
			name: "declared schema column without type",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type = "csv"
  path = "data/crm.csv"
  schema {
    infer = false
    «column "id" {
      nullable = false
    }
  }
}
`),
			summary: "Missing column type",
		},

		{
			name: "duplicate domain in one file",
			files: dgOne(dgHead + `
domain «"sales" {
  owner = "other@example.com"
}
`),
			summary: `Duplicate domain "sales"`,
			detail:  []string{"main.mesh.hcl:5:1"},
		},

		// ---- positions ----------------------------------------------------
		{
			// Columns count characters, not bytes.
			name: "position after non-ASCII text",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  /* Ventes é */ input "crm" { from = «source.crn }
  output { path = "lake/p/" }
}
`),
			summary: "Reference to undeclared source",
		},
		{
			name: "position in a file with CRLF line ends",
			files: dgOne(strings.ReplaceAll(dgHead+`
product "p" {
  domain = domain.sales
  input "crm" { from = «source.crn }
  output { path = "lake/p/" }
}
`, "\n", "\r\n")),
			summary: "Reference to undeclared source",
		},

		// ---- references ------------------------------------------------
		{
			name: "undeclared domain",
			files: dgOne(dgHead + `
product "p" {
  domain = «domain.sale
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
}
`),
			summary: "Reference to undeclared domain",
			detail:  []string{`No domain named "sale"`, "Did you mean domain.sales?"},
		},
		{
			name: "undeclared source",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = «source.crn }
  output { path = "lake/p/" }
}
`),
			summary: "Reference to undeclared source",
			detail:  []string{"Did you mean source.crm?"},
		},
		{
			name: "undeclared source without a close name",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = «source.warehouse }
  output { path = "lake/p/" }
}
`),
			summary: "Reference to undeclared source",
			detail:  []string{`Declared: "crm".`},
		},
		{
			name: "undeclared product",
			files: dgOne(dgHead + `
product "orders" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/orders/" }
}

product "p" {
  domain = domain.sales
  input "o" { from = «product.orderz }
  output { path = "lake/p/" }
}
`),
			summary: "Reference to undeclared product",
			detail:  []string{"Did you mean product.orders?"},
		},
		{
			name: "undeclared policy",
			files: dgOne(dgHead + dgProduct + `
policy "pii_is_masked" {
  applies_to = "column"
  condition  = column.mask != null
}

exemption "legacy" {
  policy  = «policy.pii_is_maskd
  target  = product.p
  reason  = "DATA-412"
  expires = "2027-03-31"
}
`),
			summary: "Reference to undeclared policy",
			detail:  []string{"Did you mean policy.pii_is_masked?"},
		},
		{
			name: "hash mask without a key",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  contract {
    column "email" {
      type = "string"
      mask = «"hash"
    }
  }
}
`),
			summary:  "Hash mask without a key",
			severity: diag.Warning,
			detail:   []string{"p.email is published as a plain SHA-256", `mask_key = env("MESH_MASK_KEY")`},
		},
		{
			name: "exemption from a governance policy without --policies",
			files: dgOne(dgHead + dgProduct + `
exemption "legacy" {
  policy  = «policy.no_pii_for_everyone
  target  = product.p
  reason  = "DATA-412"
  expires = "2027-03-31"
}
`),
			summary:  "Exemption from an unknown policy",
			severity: diag.Warning,
			detail:   []string{`No policy named "no_pii_for_everyone" is declared in this workspace`, "run with --policies DIR"},
		},
		{
			name: "reference of the wrong kind",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = «domain.sales }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid reference",
			detail:  []string{"from must refer to source.NAME or product.NAME", `"domain.sales"`},
		},
		{
			name: "quoted reference",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = «"source.crm" }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid reference",
			detail:  []string{"write source.crm without quotes"},
		},
		{
			name: "reference with too many parts",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = «source.crm.id }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid reference",
		},
		{
			name: "input used for a transform",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "adults" {
    from = input.crm
  }
  transform "by_country" {
    from = «input.adults
  }
  output { path = "lake/p/" }
}
`),
			summary: "Reference to undeclared input",
			detail:  []string{"write transform.adults"},
		},
		{
			name: "transform used for an input",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "adults" {
    from = «transform.crm
  }
  output { path = "lake/p/" }
}
`),
			summary: "Reference to undeclared transform",
			detail:  []string{"write input.crm"},
		},
		{
			name: "undeclared transform with suggestion",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "adults" {
    from = input.crm
  }
  output {
    from = «transform.adult
    path = "lake/p/"
  }
}
`),
			summary: "Reference to undeclared transform",
			detail:  []string{"Did you mean transform.adults?"},
		},
		{
			name: "product cycle",
			files: dgOne(dgHead + `
product "a" {
  domain = domain.sales
  input "b" { from = product.b }
  output { path = "lake/a/" }
}

product "b" {
  domain = domain.sales
  input "a" { from = «product.a }
  output { path = "lake/b/" }
}
`),
			summary: "Cycle between products",
			detail:  []string{"product.a → product.b → product.a"},
		},
		{
			name: "product reads itself",
			files: dgOne(dgHead + `
product "a" {
  domain = domain.sales
  input "a" { from = «product.a }
  output { path = "lake/a/" }
}
`),
			summary: `Product "a" reads itself`,
		},
		{
			name: "transform cycle",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "one" {
    from = transform.two
  }
  transform "two" {
    from = «transform.one
  }
  output { path = "lake/p/" }
}
`),
			summary: "Cycle between transforms",
			detail:  []string{"transform.one → transform.two → transform.one"},
		},
		{
			name: "transform cycle through a join",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "one" {
    from = input.crm
    join {
      with = transform.two
      on   = crm.id == two.id
    }
  }
  transform "two" {
    from = «transform.one
  }
  output { path = "lake/p/" }
}
`),
			summary: "Cycle between transforms",
			detail:  []string{"transform.one → transform.two → transform.one"},
		},

		// ---- environment and secrets -----------------------------------
		{
			name: "env of an unset variable",
			files: dgOne(`mesh {
  name = «env("MESH_NAME")
}
`),
			summary: "Error in function call",
			detail:  []string{"MESH_NAME is not set"},
		},
		{
			name: "env of a set variable is fine, unknown function is not",
			env:  map[string]string{"MESH_NAME": "t"},
			files: dgOne(`mesh {
  name = env("MESH_NAME")
}
domain "sales" {
  owner = «getenv("OWNER")
}
`),
			summary: "Call to unknown function",
			detail:  []string{`no function named "getenv"`},
		},
		{
			// The mesh schema accepts description, but nothing decodes it,
			// so a wrong value passes silently.
			name: "mesh description given a number",
			files: dgOne(`mesh {
  name        = "t"
  description = «42
}
`),
			summary: "Incorrect attribute value type",
			detail:  []string{"description must be a string, not a number."},
		},
		{
			name: "invalid env call for a secret",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = "postgres"
  dsn   = «env(CRM_DSN)
  table = "public.customers"
}
`),
			summary: "Invalid env() call",
		},
		{
			name: "secret dsn with a password",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = "postgres"
  dsn   = «"postgres://app:hunter2@db:5432/crm"
  table = "public.customers"
}
`),
			summary:  "Secret written in plain text",
			severity: diag.Warning,
		},

		// ---- what each block needs ---------------------------------------
		{
			name: "csv source without path",
			files: dgOne(`mesh {
  name = "t"
}
«source "crm" {
  type = "csv"
}
`),
			summary: "Missing path",
		},
		{
			name: "postgres source without dsn",
			files: dgOne(`mesh {
  name = "t"
}
«source "crm" {
  type  = "postgres"
  table = "public.customers"
}
`),
			summary: "Missing dsn",
		},
		{
			name: "postgres source with both table and query",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  table = "public.customers"
  «query = "SELECT id FROM public.customers"
}
`),
			summary:     "Both table and query",
			exactDetail: "A postgres source reads either a table or the result of a query, not both: remove one of them.",
		},
		{
			name: "postgres source with query before table",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  query = "SELECT id FROM public.customers"
  «table = "public.customers"
}
`),
			summary: "Both table and query",
		},
		{
			name: "postgres source with neither table nor query",
			files: dgOne(`mesh {
  name = "t"
}
«source "crm" {
  type = "postgres"
  dsn  = env("CRM_DSN")
}
`),
			summary: "Missing table or query",
			detail:  []string{`table, such as "public.customers"`, "or query, such as"},
		},
		{
			name: "postgres source with an empty query",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  query = «"  "
}
`),
			summary: "Empty query",
		},
		{
			name: "postgres source with an empty table",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  table = «""
}
`),
			summary: "Empty table",
		},
		{
			name: "query on a csv source",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = "csv"
  path  = "data/crm.csv"
  «query = "SELECT 1"
}
`),
			summary: "Attribute not used by a csv source",
			detail:  []string{"table, query and dsn apply to postgres sources only."},
		},
		{
			name: "postgres source with path",
			files: dgOne(`mesh {
  name = "t"
}
source "crm" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  table = "public.customers"
  «path  = "data/crm.csv"
}
`),
			summary: "Attribute not used by a postgres source",
		},
		{
			name: "csv option on a parquet source",
			files: dgOne(`mesh {
  name = "t"
}
source "orders" {
  type      = "parquet"
  path      = "data/orders.parquet"
  «delimiter = ";"
}
`),
			summary: "Attribute not used by a parquet source",
		},
		{
			name: "csv without header needs a schema",
			files: dgOne(`mesh {
  name = "t"
}
«source "crm" {
  type   = "csv"
  path   = "data/crm.csv"
  header = false
}
`),
			summary: "Schema needed for a CSV file without a header",
		},
		{
			name: "s3 state without bucket",
			files: dgOne(`mesh {
  name = "t"
  «state {
    backend = "s3"
  }
}
`),
			summary: "Missing bucket",
		},
		{
			name: "output missing path",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  «output {
    format = "csv"
  }
}
`),
			summary: "Missing output path",
		},
		{
			name: "postgres output missing table",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  «output {
    format = "postgres"
    dsn    = env("WAREHOUSE_DSN")
  }
}
`),
			summary: "Missing output table",
		},
		{
			name: "postgres output without dsn",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  «output {
    format = "postgres"
    table  = "analytics.p"
  }
}
`),
			summary:     "Missing dsn",
			exactDetail: `A postgres output needs dsn = env("NAME"), the variable holding the connection string of the database it publishes into.`,
		},
		{
			name: "postgres output with a literal dsn",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format = "postgres"
    table  = "analytics.p"
    dsn    = «"postgres://warehouse/analytics"
  }
}
`),
			summary: "Output dsn must come from env()",
			detail:  []string{`dsn = env("NAME")`, "postgres://NAME/<schema>.<table>", "never the DSN itself"},
		},
		{
			// One error, not also the plain-text warning of sources.
			name: "postgres output with a literal dsn holding a password",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format = "postgres"
    table  = "analytics.p"
    dsn    = «"postgres://app:hunter2@db/analytics"
  }
}
`),
			summary: "Output dsn must come from env()",
		},
		{
			name: "postgres output with an invalid env call",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format = "postgres"
    table  = "analytics.p"
    dsn    = «env(WAREHOUSE_DSN)
  }
}
`),
			summary: "Invalid env() call",
		},
		{
			name: "dsn on a parquet output",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path = "lake/p/"
    «dsn  = env("WAREHOUSE_DSN")
  }
}
`),
			summary:     "Attribute not used by a parquet output",
			exactDetail: "dsn applies to postgres outputs only.",
		},
		{
			name: "path on a postgres output",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format = "postgres"
    table  = "analytics.p"
    dsn    = env("WAREHOUSE_DSN")
    «path   = "lake/p/"
  }
}
`),
			summary: "Attribute not used by a postgres output",
		},
		{
			name: "postgres output table with two dots",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format = "postgres"
    table  = «"db.analytics.p"
    dsn    = env("WAREHOUSE_DSN")
  }
}
`),
			summary: "Invalid output table",
			detail:  []string{`"db.analytics.p" is not`},
		},
		{
			name: "iceberg output",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format = «"iceberg"
    path   = "lake/p/"
  }
}
`),
			summary: "Iceberg output is not supported yet",
		},
		{
			name: "product without inputs",
			files: dgOne(dgHead + `
«product "p" {
  domain = domain.sales
  output { path = "lake/p/" }
}
`),
			summary: "Product without inputs",
		},
		{
			name: "product without output",
			files: dgOne(dgHead + `
«product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
}
`),
			summary: "Missing output block",
		},
		{
			name: "two outputs",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  «output { path = "lake/q/" }
}
`),
			summary: "Duplicate output block",
			detail:  []string{"main.mesh.hcl:17:3"},
		},
		{
			name: "ambiguous output",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  input "more" { from = source.crm }
  «output { path = "lake/p/" }
}
`),
			summary: "Output source is ambiguous",
		},
		{
			name: "duplicate input names",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  input «"crm" { from = source.crm }
  output { path = "lake/p/" }
}
`),
			summary: `Duplicate input or transform "crm"`,
			detail:  []string{"main.mesh.hcl:16:3"},
		},
		{
			name: "transform named like an input",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform «"crm" {
    from = input.crm
  }
  output { path = "lake/p/" }
}
`),
			summary: `Duplicate input or transform "crm"`,
		},
		{
			name: "duplicate check names",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  check "rows" { assert = row_count() > 0 }
  check «"rows" { assert = row_count() < 10 }
}
`),
			summary: `Duplicate check "rows"`,
		},
		{
			name: "duplicate contract column",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  contract {
    column "id" { type = "int64" }
    column «"id" { type = "int64" }
  }
}
`),
			summary: `Duplicate column "id"`,
			detail:  []string{"main.mesh.hcl:19:5"},
		},
		{
			name: "duplicate select column",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "t" {
    from = input.crm
    select {
      columns = {
        id = id
        «id = name
      }
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: `Duplicate column "id"`,
		},
		{
			name: "select columns neither object nor list",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "t" {
    from = input.crm
    select {
      columns = «id
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid columns",
		},
		{
			name: "aggregate columns as a list",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "t" {
    from = input.crm
    aggregate {
      columns = «[count()]
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid columns",
		},
		{
			name: "empty select",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  transform "t" {
    from = input.crm
    select {
      columns = «{}
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "No columns",
		},
		{
			name: "partition_by with an expression",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path         = "lake/p/"
    partition_by = [«year(signup_date)]
  }
}
`),
			summary: "Invalid column name",
		},
		{
			name: "invalid join alias",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  input "more" { from = source.crm }
  transform "t" {
    from = input.crm
    join {
      with = input.more
      as   = «"the other"
      on   = crm.id == more.id
    }
  }
  output { path = "lake/p/" }
}
`),
			summary: "Invalid join alias",
		},

		// ---- access ---------------------------------------------------
		{
			name: "two access blocks",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  access { readers = ["everyone"] }
  «access { readers = ["team-finance"] }
}
`),
			summary: "Duplicate access block",
			detail:  []string{"main.mesh.hcl:18:3"},
		},
		{
			name: "access without readers",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  access «{}
}
`),
			summary: "Missing required argument",
			detail:  []string{`"readers" is required`},
		},
		{
			name: "readers not a list",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  access { readers = «"everyone" }
}
`),
			summary:     "Incorrect attribute value type",
			exactDetail: "readers must be a list of strings, not a string.",
		},
		{
			name: "empty reader",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  access { readers = ["everyone", «" "] }
}
`),
			summary: "Empty reader",
		},
		{
			name: "duplicate reader is a warning",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  access {
    readers = ["everyone", "team-finance", «"everyone"]
  }
}
`),
			summary:     `Duplicate reader "everyone"`,
			severity:    diag.Warning,
			exactDetail: `"everyone" is already listed at main.mesh.hcl:19:16.`,
		},

		// ---- output encryption ----------------------------------------
		{
			name: "invalid encryption",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path       = "s3://lake/p/"
    encryption = «"aws-kms"
  }
}
`),
			summary: "Invalid encryption",
			detail:  []string{`"aws-kms" is not a valid encryption: use one of "AES256", "aws:kms".`, `Did you mean "aws:kms"?`},
		},
		{
			name: "kms_key_id without encryption",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path       = "s3://lake/p/"
    «kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/k"
  }
}
`),
			summary: "kms_key_id without aws:kms encryption",
			detail:  []string{`encryption = "aws:kms"`},
		},
		{
			name: "kms_key_id with AES256",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path       = "s3://lake/p/"
    encryption = "AES256"
    «kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/k"
  }
}
`),
			summary: "kms_key_id without aws:kms encryption",
		},
		{
			name: "empty kms_key_id",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path       = "s3://lake/p/"
    encryption = "aws:kms"
    kms_key_id = «""
  }
}
`),
			summary: "Empty kms_key_id",
		},
		{
			name: "encryption on a local output is a warning",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path       = "lake/p/"
    encryption = «"AES256"
  }
}
`),
			summary:  "Encryption has no effect here",
			severity: diag.Warning,
			detail:   []string{"only takes effect for S3 outputs", `path "lake/p/"`},
		},
		{
			name: "encryption on a postgres output is a warning",
			files: dgOne(dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    format     = "postgres"
    table      = "analytics.p"
    dsn        = env("WAREHOUSE_DSN")
    encryption = «"aws:kms"
  }
}
`),
			summary:  "Encryption has no effect here",
			severity: diag.Warning,
			detail:   []string{"only takes effect for S3 outputs", "a postgres output"},
		},

		// ---- governance folders and exemptions -------------------------
		{
			name:  "mesh block in a governance folder",
			files: dgOne(dgHead + dgProduct),
			gov: map[string]string{"../gov/main.mesh.hcl": `«mesh {
  name = "governance"
}
`},
			summary:     "Block not allowed in a governance folder",
			exactDetail: "A governance folder holds policies and exemptions only; this mesh block belongs in a workspace, not in ../gov.",
		},
		{
			name:  "product in a governance folder",
			files: dgOne(dgHead + dgProduct),
			gov: map[string]string{"../gov/p.mesh.hcl": `«product "q" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/q/" }
}
`},
			summary: "Block not allowed in a governance folder",
			detail:  []string{"this product block"},
		},
		{
			// The governance folder sorts after the workspace file: the
			// workspace policy is still the one reported.
			name: "workspace policy overriding a governance policy",
			files: dgOne(dgHead + dgProduct + `
policy «"pii_is_masked" {
  applies_to = "column"
  condition  = true
}
`),
			gov: map[string]string{"zgov/pii.mesh.hcl": `# the mesh's rules
policy "pii_is_masked" {
  enforcement = "soft_mandatory"
  applies_to  = "column"
  when        = contains(column.tags, "pii")
  condition   = column.mask != null
}
`},
			summary: `Policy "pii_is_masked" overrides a governance policy`,
			exactDetail: `Policy "pii_is_masked" is defined by the governance policies in zgov (zgov/pii.mesh.hcl:2:1); ` +
				`a workspace cannot override the mesh's rules. Rename this policy, or change the governance one there.`,
		},
		{
			name:  "policy in two governance folders",
			files: dgOne(dgHead + dgProduct),
			gov: map[string]string{
				"../a/owner.mesh.hcl": `policy "has_owner" {
  applies_to = "product"
  condition  = product.owner != ""
}
`,
				"../b/owner.mesh.hcl": `policy «"has_owner" {
  applies_to = "product"
  condition  = true
}
`,
			},
			summary:     `Duplicate policy "has_owner"`,
			exactDetail: `Policy "has_owner" is defined by both governance folders ../a (../a/owner.mesh.hcl:1:1) and ../b; names are unique across all governance folders.`,
		},
		{
			name:  "policy twice in one governance folder",
			files: dgOne(dgHead + dgProduct),
			gov: map[string]string{
				"../gov/a.mesh.hcl": `policy "has_owner" {
  applies_to = "product"
  condition  = true
}
`,
				"../gov/b.mesh.hcl": `policy «"has_owner" {
  applies_to = "product"
  condition  = true
}
`,
			},
			summary: `Duplicate policy "has_owner"`,
			detail:  []string{"already declared at ../gov/a.mesh.hcl:1:1"},
		},
		{
			name: "exemption from a hard_mandatory policy",
			files: dgOne(dgHead + dgProduct + `
policy "has_owner" {
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
}

exemption "legacy" {
  policy  = «policy.has_owner
  target  = product.p
  reason  = "DATA-412"
  expires = "2027-03-31"
}
`),
			summary:     "Exemption from a hard_mandatory policy",
			exactDetail: `Policy "has_owner" is hard_mandatory: no exemption is possible. Only soft_mandatory (and advisory) policies can be exempted.`,
		},
		{
			name: "workspace exemption from a hard_mandatory governance policy",
			files: dgOne(dgHead + dgProduct + `
exemption "legacy" {
  policy  = «policy.has_owner
  target  = product.p
  reason  = "DATA-412"
  expires = "2027-03-31"
}
`),
			gov: map[string]string{"../gov/owner.mesh.hcl": `policy "has_owner" {
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
}
`},
			summary: "Exemption from a hard_mandatory policy",
		},
		{
			name: "governance exemption from a workspace policy",
			files: dgOne(dgHead + dgProduct + `
policy "local_rule" {
  enforcement = "soft_mandatory"
  applies_to  = "product"
  condition   = true
}
`),
			gov: map[string]string{"../gov/exemptions.mesh.hcl": `exemption "legacy" {
  policy  = «policy.local_rule
  target  = product.p
  reason  = "DATA-412"
  expires = "2027-03-31"
}
`},
			summary: "Governance exemption from a workspace policy",
			detail:  []string{"declared by this workspace (main.mesh.hcl:", "an exemption in ../gov can only name governance policies"},
		},
		{
			name:  "governance exemption from an undeclared policy",
			files: dgOne(dgHead + dgProduct),
			gov: map[string]string{"../gov/exemptions.mesh.hcl": `policy "pii_is_masked" {
  enforcement = "soft_mandatory"
  applies_to  = "column"
  condition   = column.mask != null
}

exemption "legacy" {
  policy  = «policy.pii_is_maskd
  target  = product.p
  reason  = "DATA-412"
  expires = "2027-03-31"
}
`},
			summary: "Reference to undeclared policy",
			detail:  []string{"Did you mean policy.pii_is_masked?"},
		},
	}
}

func dgRun(t *testing.T, cases []dgCase) {
	t.Helper()
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			files, want := dgPrepare(t, tc.files, tc.gov)
			_, ds := configs.LoadFiles(files, configs.Options{Getenv: dgGetenv(tc.env)})
			t.Logf("diagnostics:%s", diagtest.Describe(ds))
			diagtest.CheckOne(t, ds, want, tc.summary, tc.severity, tc.detail, tc.exactDetail)
		})
	}
}
