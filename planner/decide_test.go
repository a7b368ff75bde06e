package planner

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

func record(mut ...func(*state.Product)) *state.Product {
	p := &state.Product{
		PlanFingerprint: "plan-1",
		Transforms:      map[string]string{"adults": "t-1", "by_country": "t-2"},
		Metadata:        state.Metadata{Domain: "sales", Owner: "a@example.com", Version: "1.0.0"},
		Output:          state.Output{Format: "parquet", Path: "lake/x/", VersionID: "v1"},
		Inputs:          map[string]state.Input{"customers": {From: "source.crm", Fingerprint: "files:1"}},
		Contract:        []state.Column{{Name: "country", Type: "string"}, {Name: "n", Type: "int64"}},
	}
	for _, m := range mut {
		m(p)
	}
	return p
}

func TestDecideAction(t *testing.T) {
	tests := []struct {
		name        string
		prior, want *state.Product
		facts       facts
		action      plans.Action
		kinds       []plans.ReasonKind
		refused     bool
	}{
		{"new", nil, record(), facts{}, plans.Create, []plans.ReasonKind{plans.ReasonNew}, false},
		{"removed", record(), nil, facts{}, plans.Delete, []plans.ReasonKind{plans.ReasonRemoved}, false},
		{"removed but protected", record(func(p *state.Product) { p.PreventDestroy = true }), nil, facts{}, plans.Delete,
			[]plans.ReasonKind{plans.ReasonRemoved, plans.ReasonProtected}, true},
		{"unchanged", record(), record(), facts{}, plans.NoOp, nil, false},
		{"owner only", record(), record(func(p *state.Product) { p.Metadata.Owner = "b@example.com" }), facts{}, plans.Update,
			[]plans.ReasonKind{plans.ReasonMetadata}, false},
		{"prevent_destroy lifted", record(func(p *state.Product) { p.PreventDestroy = true }), record(), facts{}, plans.Update,
			[]plans.ReasonKind{plans.ReasonLifecycle}, false},
		{"transform changed", record(), record(func(p *state.Product) {
			p.PlanFingerprint = "plan-2"
			p.Transforms["adults"] = "t-9"
		}), facts{}, plans.Replace, []plans.ReasonKind{plans.ReasonTransform}, false},
		{"transform changed and owner", record(), record(func(p *state.Product) {
			p.PlanFingerprint = "plan-2"
			p.Transforms["adults"] = "t-9"
			p.Metadata.Owner = "c@example.com"
		}), facts{}, plans.Replace, []plans.ReasonKind{plans.ReasonTransform, plans.ReasonMetadata}, false},
		{"plan changed outside transforms", record(), record(func(p *state.Product) { p.PlanFingerprint = "plan-3" }), facts{}, plans.Replace,
			[]plans.ReasonKind{plans.ReasonPlan}, false},
		{"input data changed", record(), record(func(p *state.Product) {
			p.Inputs["customers"] = state.Input{From: "source.crm", Fingerprint: "files:2"}
		}), facts{}, plans.Replace, []plans.ReasonKind{plans.ReasonInput}, false},
		{"unfingerprinted input", record(), record(func(p *state.Product) {
			p.Inputs["customers"] = state.Input{From: "source.crm"}
		}), facts{}, plans.NoOp, nil, false},
		{"upstream replaced", record(), record(), facts{upstream: []string{"product.orders"}}, plans.Replace,
			[]plans.ReasonKind{plans.ReasonUpstream}, false},
		{"drift", record(), record(), facts{drift: []string{"nothing is published at lake/x/"}}, plans.Replace,
			[]plans.ReasonKind{plans.ReasonDrift}, false},
		{"output moved", record(), record(func(p *state.Product) { p.Output.Path = "lake/y/" }), facts{}, plans.Replace,
			[]plans.ReasonKind{plans.ReasonOutput}, false},
		{"readers of files", record(), record(func(p *state.Product) { p.Metadata.Readers = []string{"everyone"} }), facts{}, plans.Update,
			[]plans.ReasonKind{plans.ReasonMetadata}, false},
		{"readers of a table", record(func(p *state.Product) { p.Output = state.Output{Format: "postgres", Path: "postgres://DSN/public.x"} }),
			record(func(p *state.Product) {
				p.Output = state.Output{Format: "postgres", Path: "postgres://DSN/public.x"}
				p.Metadata.Readers = []string{"analysts"}
			}), facts{}, plans.Replace, []plans.ReasonKind{plans.ReasonOutput, plans.ReasonMetadata}, false},
		{"encryption added", record(), record(func(p *state.Product) { p.Output.Encryption = "AES256" }), facts{}, plans.Replace,
			[]plans.ReasonKind{plans.ReasonOutput}, false},
		{"contract description only", record(), record(func(p *state.Product) {
			p.Contract = []state.Column{{Name: "country", Type: "string", Description: "ISO code"}, {Name: "n", Type: "int64"}}
		}), facts{}, plans.Update, []plans.ReasonKind{plans.ReasonMetadata}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, reasons, refused := decideAction(tt.prior, tt.want, tt.facts)
			var kinds []plans.ReasonKind
			for _, r := range reasons {
				kinds = append(kinds, r.Kind)
				if r.Message == "" {
					t.Errorf("reason %s without a message", r.Kind)
				}
			}
			if action != tt.action || !cmp.Equal(kinds, tt.kinds) || (refused != "") != tt.refused {
				t.Errorf("decideAction = %s %v refused=%q, want %s %v refused=%v", action.Word(), kinds, refused, tt.action.Word(), tt.kinds, tt.refused)
			}
		})
	}
}

func TestContractChanges(t *testing.T) {
	col := func(name, typ string, nullable bool) state.Column {
		return state.Column{Name: name, Type: typ, Nullable: nullable}
	}
	tests := []struct {
		name        string
		prior, want []state.Column
		changes     []plans.ColumnChange
		bump        plans.Bump
	}{
		{"same", []state.Column{col("a", "int64", false)}, []state.Column{col("a", "int64", false)}, nil, plans.BumpNone},
		{"added", []state.Column{col("a", "int64", false)}, []state.Column{col("a", "int64", false), col("b", "string", true)},
			[]plans.ColumnChange{{Column: "b", Kind: plans.ColumnAdded, After: "string"}}, plans.BumpMinor},
		{"removed", []state.Column{col("a", "int64", false), col("b", "string", true)}, []state.Column{col("a", "int64", false)},
			[]plans.ColumnChange{{Column: "b", Kind: plans.ColumnRemoved, Before: "string", Breaking: true}}, plans.BumpMajor},
		{"renamed", []state.Column{col("a", "int64", false)}, []state.Column{col("b", "int64", false)},
			[]plans.ColumnChange{{Column: "b", Kind: plans.ColumnAdded, After: "int64 not null"}, {Column: "a", Kind: plans.ColumnRemoved, Before: "int64 not null", Breaking: true}}, plans.BumpMajor},
		{"widened", []state.Column{col("a", "int32", true)}, []state.Column{col("a", "int64", true)},
			[]plans.ColumnChange{{Column: "a", Kind: plans.ColumnType, Before: "int32", After: "int64"}}, plans.BumpMinor},
		{"narrowed", []state.Column{col("a", "decimal(20,2)", true)}, []state.Column{col("a", "decimal(18,2)", true)},
			[]plans.ColumnChange{{Column: "a", Kind: plans.ColumnType, Before: "decimal(20,2)", After: "decimal(18,2)", Breaking: true}}, plans.BumpMajor},
		{"to string", []state.Column{col("a", "int64", true)}, []state.Column{col("a", "string", true)},
			[]plans.ColumnChange{{Column: "a", Kind: plans.ColumnType, Before: "int64", After: "string", Breaking: true}}, plans.BumpMajor},
		{"becomes nullable", []state.Column{col("a", "int64", false)}, []state.Column{col("a", "int64", true)},
			[]plans.ColumnChange{{Column: "a", Kind: plans.ColumnNullable, Before: "not null", After: "nullable", Breaking: true}}, plans.BumpMajor},
		{"becomes not null", []state.Column{col("a", "int64", true)}, []state.Column{col("a", "int64", false)},
			[]plans.ColumnChange{{Column: "a", Kind: plans.ColumnNullable, Before: "nullable", After: "not null"}}, plans.BumpMinor},
		{"masked", []state.Column{col("a", "string", true)}, []state.Column{{Name: "a", Type: "string", Nullable: true, Mask: "hash"}},
			[]plans.ColumnChange{{Column: "a", Kind: plans.ColumnMask, After: "hash", Breaking: true}}, plans.BumpMajor},
		{"documented", []state.Column{col("a", "string", true)}, []state.Column{{Name: "a", Type: "string", Nullable: true, Description: "the a"}},
			[]plans.ColumnChange{{Column: "a", Kind: plans.ColumnDescription, After: "the a"}}, plans.BumpPatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := contractChanges(tt.prior, tt.want)
			if diff := cmp.Diff(tt.changes, got); diff != "" {
				t.Errorf("contractChanges (-want +got):\n%s", diff)
			}
			if b := requiredBump(got, false); b != tt.bump {
				t.Errorf("requiredBump = %s, want %s", b, tt.bump)
			}
		})
	}
}

func TestDeclaredBump(t *testing.T) {
	for _, tt := range []struct {
		before, after string
		want          plans.Bump
	}{
		{"1.2.0", "2.0.0", plans.BumpMajor}, {"1.2.0", "1.3.0", plans.BumpMinor}, {"1.2.0", "1.2.1", plans.BumpPatch},
		{"1.2.0", "1.2.0", plans.BumpNone}, {"1.2.0", "1.1.0", plans.BumpNone}, {"", "1.0.0", plans.BumpNone},
	} {
		if got := declaredBump(tt.before, tt.after); got != tt.want {
			t.Errorf("declaredBump(%s, %s) = %s, want %s", tt.before, tt.after, got, tt.want)
		}
	}
}
