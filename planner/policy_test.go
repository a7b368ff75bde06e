package planner

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// polWorkspace is the workspace policies are tested on: a CSV source with
// PII, a PostgreSQL source, a gold product that masks one PII column and
// lets another through, and a product reading it.
const polWorkspace = `mesh {
  name = "m"
}
domain "sales" {
  owner = "sales@example.com"
  team  = "acme/sales"
}
source "crm" {
  type        = "csv"
  domain      = domain.sales
  description = "CRM export"
  path        = "data/crm.csv"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "name" {
      type = "string"
      tags = ["pii"]
    }
    column "country" { type = "string" }
  }
}
source "billing" {
  type  = "postgres"
  dsn   = env("BILLING_DSN")
  table = "public.invoices"
  schema {
    infer = false
    column "id" { type = "int64" }
  }
}
source "adhoc" {
  type        = "postgres"
  domain      = domain.sales
  description = "An analyst's query"
  dsn         = env("BILLING_DSN")
  query       = "SELECT * FROM invoices"
  schema {
    infer = false
    column "id" { type = "int64" }
  }
}
product "customers" {
  domain      = domain.sales
  description = "Customers, masked"
  version     = "1.0.0"
  tags        = ["gold"]
  input "crm" { from = source.crm }
  transform "pick" {
    from = input.crm
    select {
      columns = {
        id      = id
        email   = email
        label   = "${name} (${country})"
        country = country
      }
    }
  }
  output {
    path       = "s3://lake/customers/"
    encryption = "aws:kms"
    kms_key_id = "arn:aws:kms:eu-west-1:1:key/k"
  }
  contract {
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "email" {
      type = "string"
      mask = "hash"
    }
    column "label" { type = "string" }
  }
  check "has_rows" { assert = row_count() > 0 }
  check "ids" {
    assert   = null_count(id) == 0
    severity = "warn"
  }
  sla { freshness = "36h" }
  access { readers = ["everyone"] }
  lifecycle { prevent_destroy = true }
}
product "by_country" {
  domain = domain.sales
  owner  = "bi@example.com"
  input "customers" { from = product.customers }
  transform "agg" {
    from = input.customers
    aggregate {
      group_by = [country]
      columns  = { customers = count() }
    }
  }
  output {
    path         = "lake/by_country/"
    partition_by = ["country"]
  }
}
`

func polLake() *fakeLake {
	return &fakeLake{fingerprints: map[string]string{"data/crm.csv": "files:1"}, manifests: map[string]*lakeio.Manifest{}, problems: map[string][]string{}}
}

// violations renders a plan's violations one per line: object, enforcement,
// message and, when set, the exemption.
func violations(p *plans.Plan) []string {
	var out []string
	for _, v := range p.Violations {
		s := fmt.Sprintf("%s [%s] %s", v.Object, v.Enforcement, v.Message)
		if v.Exemption != "" {
			s += " (exempted by " + v.Exemption + ")"
		}
		out = append(out, s)
	}
	return out
}

// TestPolicyObjectModel evaluates policies that, together, read every
// attribute of the object model, on the first plan of polWorkspace.
func TestPolicyObjectModel(t *testing.T) {
	tests := []struct {
		name, policy string
		want         []string
	}{
		{name: "product identity", policy: `
  applies_to = "product"
  condition  = product.domain == "sales" && product.team == "acme/sales" && product.owner == "bi@example.com"
  message    = "${product.name}: ${product.owner}/${product.description}/${product.version}"`,
			want: []string{`product.customers [advisory] customers: sales@example.com/Customers, masked/1.0.0`}},
		{name: "tags, inputs, prevent_destroy", policy: `
  applies_to = "product"
  when       = contains(product.tags, "gold")
  condition  = !product.prevent_destroy
  message    = "${product.name} reads ${join(",", product.inputs)}"`,
			want: []string{`product.customers [advisory] customers reads source.crm`}},
		{name: "gold needs an sla and two checks", policy: `
  applies_to = "product"
  condition  = product.sla != null && length(product.checks) >= 3
  message    = "${product.name}: ${product.sla != null ? product.sla.freshness : "no sla"}, ${length(product.checks)} checks"`,
			want: []string{`product.customers [advisory] customers: 36h, 2 checks`, `product.by_country [advisory] by_country: no sla, 0 checks`}},
		{name: "sla hours and check severities", policy: `
  applies_to = "product"
  when       = product.sla != null
  condition  = product.sla.freshness_hours <= 24 && alltrue([for c in product.checks : c.severity == "error"])
  message    = "${product.sla.freshness_hours}h; ${join(",", [for c in product.checks : "${c.name}=${c.severity}"])}"`,
			want: []string{`product.customers [advisory] 36h; has_rows=error,ids=warn`}},
		{name: "contract and columns", policy: `
  applies_to = "product"
  condition  = !product.has_contract || length(product.contract) == length(product.columns)
  message    = "${length(product.contract)} of ${length(product.columns)} columns promised: ${join(",", [for c in product.contract : c.name])}"`,
			want: []string{`product.customers [advisory] 3 of 4 columns promised: id,email,label`}},
		{name: "no PII to everyone", policy: `
  applies_to  = "product"
  enforcement = "soft_mandatory"
  condition   = !contains(product.access.readers, "everyone") || !anytrue([for c in product.columns : contains(c.tags, "pii")])
  message     = "${product.name} is readable by everyone but publishes PII: ${join(", ", [for c in product.columns : c.name if contains(c.tags, "pii")])}"`,
			want: []string{`product.customers [soft_mandatory] customers is readable by everyone but publishes PII: label`}},
		{name: "pii columns masked", policy: `
  applies_to = "column"
  when       = contains(column.tags, "pii")
  condition  = column.mask != null
  message    = "${product.name}.${column.name} (${column.type}, nullable=${column.nullable}, contract=${column.contract}) carries PII from ${join(", ", column.tag_sources)}"`,
			want: []string{`product.customers.column.label [advisory] customers.label (string, nullable=true, contract=true) carries PII from source.crm.name`}},
		{name: "masked columns", policy: `
  applies_to = "column"
  when       = column.mask != null
  condition  = length(column.tags) > 0 || column.description != ""
  message    = "${column.name} is masked by ${column.mask} and has no tags left"`,
			want: []string{`product.customers.column.email [advisory] email is masked by hash and has no tags left`}},
		{name: "output settings", policy: `
  applies_to = "output"
  condition  = output.format == "parquet" && (startswith(output.path, "s3://") ? output.encryption != null : true) && output.table == ""
  message    = "unused"`},
		{name: "partitioned outputs", policy: `
  applies_to = "output"
  condition  = length(output.partition_by) == 0
  message    = "${product.name} partitions by ${join(",", output.partition_by)} over ${length(output.columns)} columns"`,
			want: []string{`product.by_country.output [advisory] by_country partitions by country over 2 columns`}},
		{name: "kms", policy: `
  applies_to = "output"
  when       = output.encryption == "aws:kms"
  condition  = output.kms_key_id == null
  message    = "key ${output.kms_key_id}"`,
			want: []string{`product.customers.output [advisory] key arn:aws:kms:eu-west-1:1:key/k`}},
		{name: "sources", policy: `
  applies_to  = "source"
  enforcement = "hard_mandatory"
  condition   = source.type != "postgres" || source.dsn_from_env
  message     = "unused"`},
		{name: "source fields", policy: `
  applies_to = "source"
  condition  = source.domain != "" && source.description != ""
  message    = "${source.name} (${source.type}, ${source.table}${source.path}${source.endpoint}) dsn=${source.has_dsn} columns=${join(",", [for c in source.columns : c.name])}"`,
			want: []string{`source.billing [advisory] billing (postgres, public.invoices) dsn=true columns=id`}},
		{name: "query sources", policy: `
  applies_to = "source"
  when       = source.type == "postgres"
  condition  = source.query == "" || !can(regex("(?i)\\bselect \\*", source.query))
  message    = "${source.name} selects *: ${source.query}"`,
			want: []string{`source.adhoc [advisory] adhoc selects *: SELECT * FROM invoices`}},
		{name: "source pii", policy: `
  applies_to = "source"
  condition  = !anytrue([for c in source.columns : contains(c.tags, "pii")])
  message    = "${source.name} holds PII in ${join(",", [for c in source.columns : c.name if contains(c.tags, "pii")])}"`,
			want: []string{`source.crm [advisory] crm holds PII in email,name`}},
		{name: "snake case with regex", policy: `
  applies_to = "product"
  condition  = can(regex("^[a-z]+$", product.name))
  message    = "${product.name} is not one lowercase word"`,
			want: []string{`product.by_country [advisory] by_country is not one lowercase word`}},
		{name: "default message from description", policy: `
  applies_to  = "product"
  description = "Products need a description"
  condition   = product.description != ""`,
			want: []string{`product.by_country [advisory] product.by_country: Products need a description`}},
		{name: "an error in the condition fails closed", policy: `
  applies_to = "product"
  condition  = product.sla.freshness != ""`,
			want: []string{`product.by_country [advisory] policy "p" could not be evaluated for product.by_country: Attempt to get attribute from null value: This value is null, so it does not have any attributes.`}},
		{name: "creates are changes", policy: `
  applies_to = "change"
  condition  = change.action != "create"
  message    = "${product.name}: ${change.action} (${join("; ", change.reasons)}) downstream ${join(",", change.downstream)}"`,
			want: []string{`product.customers [advisory] customers: create (not deployed yet) downstream by_country`, `product.by_country [advisory] by_country: create (not deployed yet) downstream `}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := polWorkspace + "policy \"p\" {" + tt.policy + "\n}\n"
			p := planOf(t, src, state.New("test"), polLake())
			if diff := cmp.Diff(tt.want, violations(p)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPolicyChanges evaluates change policies on a second plan where
// customers drops a column, unmasks another and keeps its version.
func TestPolicyChanges(t *testing.T) {
	const policies = `
policy "no_silent_breaking_changes" {
  applies_to  = "change"
  enforcement = "soft_mandatory"
  condition   = !change.breaking || change.major_version_bumped
  message     = "${product.name} ${change.version_before} → ${change.version_after}: breaking (${change.required_bump} needed, ${change.declared_bump} declared), removes ${join(",", change.removed_columns)}, adds ${join(",", change.added_columns)}, changes ${join(",", change.changed_columns)}"
}
policy "masks_stay" {
  applies_to  = "change"
  enforcement = "hard_mandatory"
  condition   = length(change.masks_removed) == 0
  message     = "${product.name} unmasks ${join(",", change.masks_removed)}: ${join("; ", [for c in change.column_changes : "${c.column} ${c.kind} ${c.before}→${c.after} breaking=${c.breaking}" if c.kind == "mask"])}"
}
`
	lake := polLake()
	s0 := state.New("test")
	p1 := planOf(t, polWorkspace+policies, s0, lake)
	if got := violations(p1); len(got) != 0 {
		t.Fatalf("first plan: %q", got)
	}
	s1 := applied(p1, lake, s0)

	edited := strings.Replace(polWorkspace, `    column "email" {
      type = "string"
      mask = "hash"
    }
    column "label" { type = "string" }`, `    column "email" { type = "string" }`, 1)
	edited = strings.Replace(edited, `        label   = "${name} (${country})"`, `        region  = country`, 1)
	p2 := planOf(t, edited+policies, s1, lake)
	want := []string{
		`product.customers [soft_mandatory] customers 1.0.0 → 1.0.0: breaking (major needed, none declared), removes label, adds region, changes email`,
		`product.customers [hard_mandatory] customers unmasks email: email mask hash→ breaking=true`,
	}
	if diff := cmp.Diff(want, violations(p2)); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if s := p2.Summary(); s.Violations != 2 || s.Blocking != 2 || s.Exempted != 0 {
		t.Errorf("summary %+v", s)
	}
	for _, v := range p2.Violations {
		if !strings.HasPrefix(v.PolicyAt, "main.mesh.hcl:") || !strings.HasPrefix(v.ObjectAt, "main.mesh.hcl:") || v.Product != "customers" {
			t.Errorf("violation %s lacks its locations: %+v", v.Policy, v)
		}
	}
}

// TestExemptions covers enforcement levels against active and expired
// exemptions, by product and by domain. The plans' clock is 2026-11-25.
func TestExemptions(t *testing.T) {
	policy := func(enf string) string {
		return `
policy "described" {
  applies_to  = "product"
  enforcement = "` + enf + `"
  condition   = product.description != ""
  message     = "${product.name} has no description"
}
`
	}
	exemption := func(target, expires string) string {
		return `
exemption "later" {
  policy  = policy.described
  target  = ` + target + `
  reason  = "DATA-412"
  expires = "` + expires + `"
}
`
	}
	tests := []struct {
		name, src string
		want      []string
		blocking  int
		active    []plans.Exemption
	}{
		{name: "advisory warns", src: policy("advisory"),
			want: []string{`product.by_country [advisory] by_country has no description`}},
		{name: "soft blocks", src: policy("soft_mandatory"), blocking: 1,
			want: []string{`product.by_country [soft_mandatory] by_country has no description`}},
		{name: "hard blocks", src: policy("hard_mandatory"), blocking: 1,
			want: []string{`product.by_country [hard_mandatory] by_country has no description`}},
		{name: "soft exempted by product", src: policy("soft_mandatory") + exemption("product.by_country", "2026-12-25"),
			want:   []string{`product.by_country [soft_mandatory] by_country has no description (exempted by later)`},
			active: []plans.Exemption{{Name: "later", Policy: "described", Target: "product.by_country", Reason: "DATA-412", Expires: "2026-12-25", DaysLeft: 30, Used: 1}}},
		{name: "soft exempted by domain, last day", src: policy("soft_mandatory") + exemption("domain.sales", "2026-11-25"),
			want:   []string{`product.by_country [soft_mandatory] by_country has no description (exempted by later)`},
			active: []plans.Exemption{{Name: "later", Policy: "described", Target: "domain.sales", Reason: "DATA-412", Expires: "2026-11-25", DaysLeft: 0, Used: 1}}},
		{name: "exemption for another product", src: policy("soft_mandatory") + exemption("product.customers", "2026-12-25"), blocking: 1,
			want:   []string{`product.by_country [soft_mandatory] by_country has no description`},
			active: []plans.Exemption{{Name: "later", Policy: "described", Target: "product.customers", Reason: "DATA-412", Expires: "2026-12-25", DaysLeft: 30}}},
		{name: "expired exemption", src: policy("soft_mandatory") + exemption("product.by_country", "2026-11-24"), blocking: 2,
			want: []string{
				`product.by_country [soft_mandatory] by_country has no description`,
				`product.by_country [soft_mandatory] exemption "later" from policy "described" for product.by_country expired on 2026-11-24; renew it with a new expires date or remove it (reason given: DATA-412)`,
			}},
		{name: "expired exemption of an advisory policy", src: policy("advisory") + exemption("product.by_country", "2025-01-01"),
			want: []string{
				`product.by_country [advisory] by_country has no description`,
				`product.by_country [advisory] exemption "later" from policy "described" for product.by_country expired on 2025-01-01; renew it with a new expires date or remove it (reason given: DATA-412)`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planOf(t, polWorkspace+tt.src, state.New("test"), polLake())
			if diff := cmp.Diff(tt.want, violations(p)); diff != "" {
				t.Errorf("violations (-want +got):\n%s", diff)
			}
			if got := len(p.Blocking()); got != tt.blocking {
				t.Errorf("%d blocking, want %d", got, tt.blocking)
			}
			for i := range p.Exemptions {
				if !strings.HasPrefix(p.Exemptions[i].At, "main.mesh.hcl:") {
					t.Errorf("exemption at %q", p.Exemptions[i].At)
				}
				p.Exemptions[i].At = ""
			}
			if diff := cmp.Diff(tt.active, p.Exemptions); diff != "" {
				t.Errorf("active exemptions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGovernancePolicies evaluates a policy loaded from a governance
// folder next to the workspace's: the violation names the folder and the
// file the policy is in.
func TestGovernancePolicies(t *testing.T) {
	ws, ds := configs.LoadFiles([]configs.File{
		{Name: "main.mesh.hcl", Src: []byte(polWorkspace)},
		{Name: "../gov/owners.mesh.hcl", Governance: "../gov", Src: []byte(`policy "owned" {
  applies_to  = "product"
  enforcement = "hard_mandatory"
  condition   = product.owner != "bi@example.com"
  message     = "${product.name} is owned by BI"
}
`)},
	}, configs.Options{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	p := planWorkspace(t, ws, state.New("test"), polLake())
	if len(p.Violations) != 1 {
		t.Fatalf("violations: %q", violations(p))
	}
	v := p.Violations[0]
	if v.Governance != "../gov" || v.PolicyAt != "../gov/owners.mesh.hcl:1:1" || v.Object != "product.by_country" || !v.Blocking() {
		t.Errorf("governance violation %+v", v)
	}
	if !slices.Contains(violations(p), "product.by_country [hard_mandatory] by_country is owned by BI") {
		t.Errorf("violations: %q", violations(p))
	}
}
