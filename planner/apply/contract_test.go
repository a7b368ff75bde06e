package apply_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/apply"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// contractHCL publishes people's columns with a contract that promises
// name is never null, which the compiler cannot prove: an implicit check.
var contractHCL = workspaceHCL[:strings.Index(workspaceHCL, `product "adults"`)] + `
product "contacts" {
  domain = domain.d
  owner  = "d@example.com"
  input "people" {
    from = source.people
  }
  output {
    format = "parquet"
    path   = "lake/contacts/"
  }
  contract {
    column "name" {
      type     = "string"
      nullable = false
    }
  }
}
`

func TestContractNotNullFailsBeforePublication(t *testing.T) {
	e := newEnvWith(t, contractHCL)
	e.write("data/people.csv", "id,name,age\n1,ann,30\n2,,12\n3,cy,45\n4,,50\n5,dee,7\n")
	res, err := apply.Run(context.Background(), e.options(e.plan(map[string]plans.Action{"contacts": plans.Create})))
	if err != nil {
		t.Fatal(err)
	}
	got := product(res, "contacts")
	want := `contract: column "name" is declared nullable = false but 2 of 5 rows are null; nothing was published`
	if got.Status != apply.StatusFailed || got.Error != want {
		t.Errorf("contacts: %s %q, want failed %q", got.Status, got.Error, want)
	}
	wantChecks := []apply.CheckResult{{
		Name: "contract_not_null_name", Severity: ir.SeverityError, Implicit: true, Column: "name", Passed: false,
		Detail:   `contract: column "name" is declared nullable = false but 2 of 5 rows are null`,
		Observed: []apply.Observation{{Name: "count()", Value: "5"}, {Name: "count(name)", Value: "3"}},
	}}
	if diff := cmp.Diff(wantChecks, got.Checks); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if e.state.Products["contacts"] != nil {
		t.Errorf("state records contacts after a failed contract")
	}
	if got := e.lake.versions("lake/contacts/"); len(got) != 0 {
		t.Errorf("versions published: %v", got)
	}
	// The -json report carries the column, the detail and the counts.
	doc, err := json.Marshal(got.Checks[0])
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"name":"contract_not_null_name","severity":"error","implicit":true,"column":"name","passed":false,` +
		`"detail":"contract: column \"name\" is declared nullable = false but 2 of 5 rows are null",` +
		`"observed":[{"name":"count()","value":"5"},{"name":"count(name)","value":"3"}]}`
	if string(doc) != wantJSON {
		t.Errorf("JSON:\n got %s\nwant %s", doc, wantJSON)
	}
}

func TestContractNotNullReplaceKeepsThePreviousVersion(t *testing.T) {
	e := newEnvWith(t, contractHCL)
	res, err := apply.Run(context.Background(), e.options(e.plan(map[string]plans.Action{"contacts": plans.Create})))
	if err != nil || !res.OK() {
		t.Fatalf("create: %v %+v", err, res)
	}
	if c := product(res, "contacts").Checks; len(c) != 1 || !c[0].Passed || c[0].Detail != "" {
		t.Errorf("checks of a clean create: %+v", c)
	}
	before := e.state.Products["contacts"].Output.VersionID
	e.write("data/people.csv", peopleV1+"4,,50\n")
	res, err = apply.Run(context.Background(), e.options(e.plan(map[string]plans.Action{"contacts": plans.Replace})))
	if err != nil {
		t.Fatal(err)
	}
	want := `contract: column "name" is declared nullable = false but 1 of 4 rows are null; version ` + before + ` stays published`
	if got := product(res, "contacts").Error; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if got := mustCurrent(t, e, "contacts").VersionID; got != before {
		t.Errorf("current version = %s, want %s", got, before)
	}
}

// TestContractVerifiedBeforePublication hands apply what the compiler never
// makes: a product whose published schema promises more than its plan and
// checks guarantee, or a plan whose contract the output does not match.
func TestContractVerifiedBeforePublication(t *testing.T) {
	tests := []struct {
		name string
		// product edits a copy of the compiled adults before the plan is
		// made from it; record edits the planned record.
		product func(p *ir.Product)
		record  func(r *state.Product)
		want    string
	}{
		{
			name: "non-null promised without a check",
			product: func(p *ir.Product) {
				p.Output.Schema = slices.Clone(p.Output.Schema)
				p.Output.Schema[p.Output.Schema.Index("name")].Nullable = false
			},
			want: `contract: column "name" is declared nullable = false but the output may hold nulls and no check verified it; nothing was published`,
		},
		{
			name:   "another type",
			record: func(r *state.Product) { r.Contract[2].Type = "int64" },
			want:   `contract: column "age" is declared int64 but the output writes int32; nothing was published`,
		},
		{
			name:   "a column the output lacks",
			record: func(r *state.Product) { r.Contract[1].Name = "full_name" },
			want:   `contract: column "full_name" is not in the output (it has id, name, age); nothing was published`,
		},
		{
			name:   "a column the contract lacks",
			record: func(r *state.Product) { r.Contract = r.Contract[:2] },
			want:   `contract: the output writes column "age", which the contract does not list; nothing was published`,
		},
		{
			name: "columns in another order",
			record: func(r *state.Product) {
				r.Contract[0], r.Contract[1] = r.Contract[1], r.Contract[0]
			},
			want: `contract: the output writes its columns in the order id, name, age, the contract lists name, id, age; nothing was published`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.product != nil {
				p := *e.products["adults"]
				tt.product(&p)
				e.products["adults"] = &p
			}
			pl := e.plan(map[string]plans.Action{"adults": plans.Create})
			for _, c := range pl.Changes {
				if c.Product == "adults" && tt.record != nil {
					tt.record(c.After)
				}
			}
			res, err := apply.Run(context.Background(), e.options(pl))
			if err != nil {
				t.Fatal(err)
			}
			got := product(res, "adults")
			if got.Status != apply.StatusFailed || got.Error != tt.want {
				t.Errorf("adults: %s %q, want failed %q", got.Status, got.Error, tt.want)
			}
			if e.state.Products["adults"] != nil || len(e.lake.versions("lake/adults/")) != 0 {
				t.Errorf("adults was published")
			}
		})
	}
}
