package freshness

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/planner/state"
)

const workspace = `mesh {
  name = "t"
}

domain "sales" {
  owner = "sales@example.com"
}

source "crm" {
  type = "csv"
  path = "crm.csv"
}
` + product + `
product "fresh" {
  domain = domain.sales
  owner  = "fresh@example.com"
  input "crm" { from = source.crm }
  output { path = "lake/fresh/" }
  sla { freshness = "24h" }
}

product "stale" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/stale/" }
  sla { freshness = "6h" }
}

product "updated_only" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/updated/" }
  sla { freshness = "1d" }
}

product "never" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/never/" }
  sla { freshness = "1h" }
}

product "edge" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/edge/" }
  sla { freshness = "2h" }
}
`

const product = `
product "no_sla" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/no_sla/" }
}
`

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func rec(applied time.Time, version string, freshness string) *state.Product {
	return &state.Product{AppliedAt: applied, Output: state.Output{VersionID: version}, Metadata: state.Metadata{Domain: "old", Owner: "gone@example.com", Freshness: freshness}}
}

func TestCheck(t *testing.T) {
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(workspace)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatalf("load: %v", ds)
	}
	st := &state.State{Products: map[string]*state.Product{
		"fresh": rec(now.Add(-2*time.Hour), "20261125T100000Z-000001", "24h"),
		// Applied 7h ago, SLA 6h: overdue by 1h.
		"stale": rec(now.Add(-7*time.Hour), "20261125T050000Z-000002", "6h"),
		// A metadata update an hour ago; the data is from two days ago.
		"updated_only": rec(now.Add(-time.Hour), "20261123T120000Z-000003", "1d"),
		// Exactly at the SLA: still fresh.
		"edge":   rec(now.Add(-2*time.Hour), "not-a-time", "2h"),
		"no_sla": rec(now.Add(-100*time.Hour), "20261121T080000Z-000004", ""),
		// Removed from the code: state's SLA applies.
		"removed": rec(now.Add(-50*time.Hour), "20261123T100000Z-000005", "2d"),
	}}
	r := Check(ws, st, now.In(time.FixedZone("CET", 3600)))
	tp := func(t time.Time) *time.Time { return &t }
	want := []Product{
		{Name: "edge", Domain: "sales", Owner: "sales@example.com", SLA: "2h", SLADur: 2 * time.Hour, SLASeconds: 7200,
			AppliedAt: tp(now.Add(-2 * time.Hour)), PublishedAt: tp(now.Add(-2 * time.Hour)), Age: 2 * time.Hour, AgeSeconds: 7200,
			Status: Fresh, InCode: true},
		{Name: "fresh", Domain: "sales", Owner: "fresh@example.com", SLA: "24h", SLADur: 24 * time.Hour, SLASeconds: 86400,
			AppliedAt: tp(now.Add(-2 * time.Hour)), PublishedAt: tp(now.Add(-2 * time.Hour)), Age: 2 * time.Hour, AgeSeconds: 7200,
			Status: Fresh, InCode: true},
		{Name: "never", Domain: "sales", Owner: "sales@example.com", SLA: "1h", SLADur: time.Hour, SLASeconds: 3600,
			Status: Missing, InCode: true},
		{Name: "no_sla", Domain: "sales", Owner: "sales@example.com",
			AppliedAt: tp(now.Add(-100 * time.Hour)), PublishedAt: tp(now.Add(-100 * time.Hour)), Age: 100 * time.Hour, AgeSeconds: 360000,
			Status: NoSLA, InCode: true},
		{Name: "removed", Domain: "old", Owner: "gone@example.com", SLA: "2d", SLADur: 48 * time.Hour, SLASeconds: 172800,
			AppliedAt: tp(now.Add(-50 * time.Hour)), PublishedAt: tp(now.Add(-50 * time.Hour)), Age: 50 * time.Hour, AgeSeconds: 180000,
			Overdue: 2 * time.Hour, OverdueSeconds: 7200, Status: Stale},
		{Name: "stale", Domain: "sales", Owner: "sales@example.com", SLA: "6h", SLADur: 6 * time.Hour, SLASeconds: 21600,
			AppliedAt: tp(now.Add(-7 * time.Hour)), PublishedAt: tp(now.Add(-7 * time.Hour)), Age: 7 * time.Hour, AgeSeconds: 25200,
			Overdue: time.Hour, OverdueSeconds: 3600, Status: Stale, InCode: true},
		{Name: "updated_only", Domain: "sales", Owner: "sales@example.com", SLA: "1d", SLADur: 24 * time.Hour, SLASeconds: 86400,
			AppliedAt: tp(now.Add(-time.Hour)), PublishedAt: tp(now.Add(-48 * time.Hour)), Age: 48 * time.Hour, AgeSeconds: 172800,
			Overdue: 24 * time.Hour, OverdueSeconds: 86400, Status: Stale, InCode: true},
	}
	if diff := cmp.Diff(want, r.Products); diff != "" {
		t.Errorf("products (-want +got):\n%s", diff)
	}
	if !r.Now.Equal(now) || r.Now.Location() != time.UTC {
		t.Errorf("Now = %v, want %v in UTC", r.Now, now)
	}
	var breaking []string
	for _, p := range r.Breaking() {
		breaking = append(breaking, p.Name)
	}
	if diff := cmp.Diff([]string{"never", "removed", "stale", "updated_only"}, breaking); diff != "" {
		t.Errorf("Breaking (-want +got):\n%s", diff)
	}
	if r.Count(Fresh) != 2 || r.Count(NoSLA) != 1 || r.Count(Stale) != 3 || r.Count(Missing) != 1 {
		t.Errorf("counts: fresh %d, no_sla %d, stale %d, missing %d", r.Count(Fresh), r.Count(NoSLA), r.Count(Stale), r.Count(Missing))
	}
}

func TestAllFreshWithEmptyState(t *testing.T) {
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(`mesh {
  name = "t"
}

domain "sales" {
  owner = "sales@example.com"
}

source "crm" {
  type = "csv"
  path = "crm.csv"
}
` + product)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatalf("load: %v", ds)
	}
	r := Check(ws, &state.State{Products: map[string]*state.Product{}}, now)
	if len(r.Breaking()) != 0 || len(r.Products) != 1 || r.Products[0].Status != NoSLA {
		t.Errorf("a product without an SLA and never applied: %+v", r.Products)
	}
}
