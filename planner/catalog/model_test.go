package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/planner/state"
)

// testHCL is a small workspace with every shape the catalog shows: a
// product read by another, a join of a product and a source, a contract
// with a mask and an implicit not-null check, checks of both severities,
// an SLA, readers, a product with no SLA, and a domain without products.
const testHCL = `
mesh {
  name        = "m"
  description = "The test mesh"
}

domain "d" {
  owner       = "d@example.com"
  team        = "org/d"
  description = "Domain D"
}

domain "e" {
  owner = "e@example.com"
}

source "people" {
  type        = "csv"
  domain      = domain.d
  path        = "data/people.csv"
  description = "People"
  schema {
    infer = false
    column "id" {
      type        = "int64"
      nullable    = false
      description = "Person id"
    }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "age" { type = "int32" }
  }
}

source "visits" {
  type = "csv"
  path = "data/visits/"
  schema {
    infer = false
    column "person" { type = "int64" }
  }
}

product "base" {
  domain      = domain.d
  owner       = "base@example.com"
  description = "Every person"
  version     = "1.0.0"
  tags        = ["tier:gold"]
  input "people" {
    from = source.people
  }
  transform "t" {
    from = input.people
    select {
      columns = {
        id    = id
        email = email
        age   = age
      }
    }
  }
  output {
    path = "lake/base/"
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
  }
  check "has_rows" {
    assert      = row_count() > 0
    description = "never empty"
  }
  check "adults" {
    assert   = min(age) >= 18
    severity = "warn"
  }
  sla {
    freshness = "24h"
  }
  access {
    readers = ["team-a", "team-b"]
  }
}

product "counts" {
  domain = domain.d
  input "base" {
    from = product.base
  }
  input "visits" {
    from = source.visits
  }
  transform "j" {
    from = input.base
    join {
      with = input.visits
      on   = base.id == visits.person
    }
    aggregate {
      group_by = [id]
      columns = {
        n      = count()
        oldest = max(age)
      }
    }
  }
  output {
    path = "lake/counts/"
  }
  contract {
    column "oldest" {
      type     = "int32"
      nullable = false
    }
  }
  sla {
    freshness = "1d"
  }
}

product "report" {
  domain = domain.e
  input "c" {
    from = product.counts
  }
  transform "all" {
    from = input.c
    select {
      columns = {
        id = id
        n  = n
      }
    }
  }
  output {
    path = "lake/report/"
  }
}
`

var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// testState has base applied 2h before testNow (fresh, a warn check
// failed) and counts 30h before (stale against its 1d SLA); report was
// never applied.
func testState() *state.State {
	return &state.State{FormatVersion: 1, Lineage: "lin", Serial: 7, Products: map[string]*state.Product{
		"base": {
			Metadata:  state.Metadata{Version: "0.9.0"},
			Output:    state.Output{Format: "parquet", Path: "lake/base/", VersionID: "v1", Rows: 1234567, Bytes: 2048, Files: []state.File{{Path: "a"}, {Path: "b"}}},
			Checks:    []state.Check{{Name: "has_rows", Severity: "error", Passed: true}, {Name: "adults", Severity: "warn", Passed: false}},
			AppliedAt: testNow.Add(-2 * time.Hour),
		},
		"counts": {
			Output:    state.Output{Format: "parquet", Path: "lake/counts/", VersionID: "v2", Rows: 3},
			Checks:    []state.Check{{Name: "contract_not_null_oldest", Severity: "error", Passed: true}},
			AppliedAt: testNow.Add(-30 * time.Hour),
		},
	}}
}

func loadTest(t *testing.T, src string) (*configs.Workspace, *compile.Result) {
	t.Helper()
	ws, diags := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	res, diags := compile.Compile(context.Background(), ws, compile.Options{})
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags)
	}
	return ws, res
}

func tp(t time.Time) *time.Time { return &t }

func TestBuild(t *testing.T) {
	ws, res := loadTest(t, testHCL)
	c := Build(Options{Workspace: ws, Compiled: res.Products, State: testState(), Now: testNow, GeneratedBy: "meshctl test"})

	if c.FormatVersion != "1.0" || c.Mesh != "m" || c.Description != "The test mesh" || !c.GeneratedAt.Equal(testNow) || c.GeneratedBy != "meshctl test" {
		t.Errorf("header: %+v", c)
	}
	if diff := cmp.Diff(&StateRef{Lineage: "lin", Serial: 7}, c.State); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	wantDomains := []Domain{
		{Name: "d", Owner: "d@example.com", Team: "org/d", Description: "Domain D", Products: []string{"base", "counts"}},
		{Name: "e", Owner: "e@example.com", Products: []string{"report"}},
	}
	if diff := cmp.Diff(wantDomains, c.Domains); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	wantSources := []Source{
		{Name: "people", Type: "csv", Domain: "d", Description: "People", Location: "data/people.csv", Downstream: []string{"base"}},
		{Name: "visits", Type: "csv", Location: "data/visits/", Downstream: []string{"counts"}},
	}
	if diff := cmp.Diff(wantSources, c.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}

	got := map[string]Product{}
	var names []string
	for _, p := range c.Products {
		got[p.Name] = p
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"base", "counts", "report"}, names); diff != "" {
		t.Fatalf("products (-want +got):\n%s", diff)
	}

	wantBase := Product{
		Name: "base", Domain: "d", Owner: "base@example.com", Team: "org/d", Description: "Every person", Version: "1.0.0",
		Tags:   []string{"tier:gold"},
		Output: Output{Format: "parquet", Location: "lake/base/", PartitionBy: []string{}},
		Columns: []Column{
			{Name: "id", Type: "int64", Description: "Person id", Tags: []string{}, Contract: true,
				Lineage: []Origin{{Input: "people", From: "source.people", Column: "id"}}},
			// The mask clears the pii tag: the published value is a hash.
			{Name: "email", Type: "string", Nullable: true, Tags: []string{}, Mask: "hash", Contract: true,
				Lineage: []Origin{{Input: "people", From: "source.people", Column: "email"}}},
			{Name: "age", Type: "int32", Nullable: true, Tags: []string{},
				Lineage: []Origin{{Input: "people", From: "source.people", Column: "age"}}},
		},
		Checks: []Check{
			{Name: "has_rows", Severity: "error", Assert: "row_count() > 0", Description: "never empty", Result: ResultPassed},
			{Name: "adults", Severity: "warn", Assert: "min(age) >= 18", Result: ResultFailed},
		},
		SLA:        &SLA{Freshness: "24h", FreshnessSeconds: 86400},
		Freshness:  Freshness{Status: StatusFresh, PublishedAt: tp(testNow.Add(-2 * time.Hour)), AgeSeconds: 7200, StaleAt: tp(testNow.Add(22 * time.Hour))},
		Deployment: &Deployment{AppliedAt: testNow.Add(-2 * time.Hour), Version: "0.9.0", VersionID: "v1", Location: "lake/base/", Rows: 1234567, Bytes: 2048, Files: 2},
		Access:     &Access{Readers: []string{"team-a", "team-b"}},
		Upstream:   []Ref{{Kind: "source", Name: "people", Input: "people"}},
		Downstream: []Ref{{Kind: "product", Name: "counts", Input: "base"}},
	}
	if diff := cmp.Diff(wantBase, got["base"]); diff != "" {
		t.Errorf("product base (-want +got):\n%s", diff)
	}

	counts := got["counts"]
	if counts.Owner != "d@example.com" {
		t.Errorf("counts: owner %q, want the domain's", counts.Owner)
	}
	if diff := cmp.Diff([]Ref{{Kind: "product", Name: "base", Input: "base"}, {Kind: "source", Name: "visits", Input: "visits"}}, counts.Upstream); diff != "" {
		t.Errorf("counts upstream (-want +got):\n%s", diff)
	}
	wantCountCols := []Column{
		// The description travels with the value, from the source through base.
		{Name: "id", Type: "int64", Description: "Person id", Tags: []string{}, Lineage: []Origin{{Input: "base", From: "product.base", Column: "id"}}},
		{Name: "n", Type: "int64", Tags: []string{}, Lineage: []Origin{}},
		{Name: "oldest", Type: "int32", Tags: []string{}, Contract: true, Lineage: []Origin{{Input: "base", From: "product.base", Column: "age"}}},
	}
	if diff := cmp.Diff(wantCountCols, counts.Columns); diff != "" {
		t.Errorf("counts columns (-want +got):\n%s", diff)
	}
	wantCountChecks := []Check{{Name: "contract_not_null_oldest", Severity: "error", Implicit: true, Result: ResultPassed,
		Description: "the contract says oldest is never null; the compiler cannot prove it, so apply counts the nulls"}}
	if diff := cmp.Diff(wantCountChecks, counts.Checks); diff != "" {
		t.Errorf("counts checks (-want +got):\n%s", diff)
	}
	if counts.Freshness.Status != StatusStale || counts.Freshness.AgeSeconds != 30*3600 || !counts.Freshness.StaleAt.Equal(testNow.Add(-6*time.Hour)) {
		t.Errorf("counts freshness: %+v", counts.Freshness)
	}
	if counts.Access != nil {
		t.Errorf("counts has no access block, got %+v", counts.Access)
	}

	report := got["report"]
	if report.Deployment != nil || report.Freshness != (Freshness{Status: StatusNotDeployed}) || report.SLA != nil {
		t.Errorf("report was never applied: deployment %+v, freshness %+v, sla %+v", report.Deployment, report.Freshness, report.SLA)
	}
	if report.Team != "" || report.Owner != "e@example.com" || len(report.Downstream) != 0 || report.Downstream == nil {
		t.Errorf("report: team %q, owner %q, downstream %#v", report.Team, report.Owner, report.Downstream)
	}
}

func TestBuildWithoutStateOrCompiledProducts(t *testing.T) {
	ws, _ := loadTest(t, testHCL)
	c := Build(Options{Workspace: ws, Now: testNow})
	if c.State != nil {
		t.Errorf("state: %+v, want nil", c.State)
	}
	// A fresh state (nothing saved yet) is no state either.
	if c := Build(Options{Workspace: ws, State: state.New("x"), Now: testNow}); c.State != nil {
		t.Errorf("state of an empty state: %+v, want nil", c.State)
	}
	for _, p := range c.Products {
		if p.Deployment != nil || p.Freshness.Status != StatusNotDeployed {
			t.Errorf("%s: deployment %+v, freshness %q", p.Name, p.Deployment, p.Freshness.Status)
		}
		for _, ch := range p.Checks {
			if ch.Result != ResultNotRun {
				t.Errorf("%s: check %s: %q, want not_run", p.Name, ch.Name, ch.Result)
			}
		}
	}
	// Without the compiled product, the contract shows as declared.
	want := []Column{
		{Name: "id", Type: "int64", Tags: []string{}, Contract: true, Lineage: []Origin{}},
		{Name: "email", Type: "string", Nullable: true, Tags: []string{}, Mask: "hash", Contract: true, Lineage: []Origin{}},
	}
	if diff := cmp.Diff(want, c.Products[0].Columns); diff != "" {
		t.Errorf("base columns (-want +got):\n%s", diff)
	}
	if got := c.Products[2].Columns; got == nil || len(got) != 0 {
		t.Errorf("report without a contract or a compiled plan: columns %#v, want []", got)
	}
}

func TestFreshness(t *testing.T) {
	const src = `
mesh {
  name = "m"
}
domain "d" {
  owner = "d@example.com"
}
source "s" {
  type = "csv"
  path = "s.csv"
  schema {
    infer = false
    column "x" { type = "int64" }
  }
}
product "p" {
  domain = domain.d
  input "s" {
    from = source.s
  }
  output {
    path = "lake/p/"
  }
  sla {
    freshness = "24h"
  }
}
product "q" {
  domain = domain.d
  input "s" {
    from = source.s
  }
  output {
    path = "lake/q/"
  }
}
`
	ws, _ := loadTest(t, src)
	applied := func(ago time.Duration, version string) *state.Product {
		return &state.Product{AppliedAt: testNow.Add(-ago), Output: state.Output{VersionID: version}}
	}
	tests := []struct {
		name    string
		product string
		rec     *state.Product
		want    Freshness
	}{
		{"never applied", "p", nil, Freshness{Status: StatusNotDeployed}},
		{"never applied, no sla", "q", nil, Freshness{Status: StatusNotDeployed}},
		{"no sla", "q", applied(time.Hour, "v1"), Freshness{Status: StatusNoSLA, PublishedAt: tp(testNow.Add(-time.Hour)), AgeSeconds: 3600}},
		{"fresh", "p", applied(time.Hour, "v1"), Freshness{Status: StatusFresh, PublishedAt: tp(testNow.Add(-time.Hour)), AgeSeconds: 3600, StaleAt: tp(testNow.Add(23 * time.Hour))}},
		{"exactly the sla is still fresh", "p", applied(24*time.Hour, "v1"), Freshness{Status: StatusFresh, PublishedAt: tp(testNow.Add(-24 * time.Hour)), AgeSeconds: 86400, StaleAt: tp(testNow)}},
		{"a second over is stale", "p", applied(24*time.Hour+time.Second, "v1"), Freshness{Status: StatusStale, PublishedAt: tp(testNow.Add(-24*time.Hour - time.Second)), AgeSeconds: 86401, StaleAt: tp(testNow.Add(-time.Second))}},
		// An apply that only changed metadata an hour ago leaves the data
		// as old as its version, published two days before.
		{"the data's age, not the last apply's", "p", applied(time.Hour, "20260308T120000Z-0a1b2c"), Freshness{Status: StatusStale, PublishedAt: tp(testNow.Add(-48 * time.Hour)), AgeSeconds: 48 * 3600, StaleAt: tp(testNow.Add(-24 * time.Hour))}},
		{"applied, nothing published", "p", applied(time.Hour, ""), Freshness{Status: StatusMissing}},
		{"applied after the build (clock skew) is age 0", "p", applied(-time.Minute, "v1"), Freshness{Status: StatusFresh, PublishedAt: tp(testNow.Add(time.Minute)), StaleAt: tp(testNow.Add(24*time.Hour + time.Minute))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &state.State{FormatVersion: 1, Lineage: "l", Serial: 1, Products: map[string]*state.Product{}}
			if tt.rec != nil {
				st.Products[tt.product] = tt.rec
			}
			c := Build(Options{Workspace: ws, State: st, Now: testNow})
			var got *Freshness
			for _, p := range c.Products {
				if p.Name == tt.product {
					got = &p.Freshness
				}
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitAddr(t *testing.T) {
	tests := []struct {
		in         string
		kind, name string
		ok         bool
	}{
		{"product.orders_clean", "product", "orders_clean", true},
		{"source.crm", "source", "crm", true},
		{"product.", "", "", false},
		{"orders", "", "", false},
		{"thing.x", "", "", false},
	}
	for _, tt := range tests {
		kind, name, ok := splitAddr(tt.in)
		if kind != tt.kind || name != tt.name || ok != tt.ok {
			t.Errorf("splitAddr(%q) = %q, %q, %v; want %q, %q, %v", tt.in, kind, name, ok, tt.kind, tt.name, tt.ok)
		}
	}
}
