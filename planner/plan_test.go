package planner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// fakeLake serves fingerprints and manifests from maps.
type fakeLake struct {
	fingerprints map[string]string
	manifests    map[string]*lakeio.Manifest
	problems     map[string][]string
}

func (l *fakeLake) Fingerprint(_ context.Context, path string) (string, error) {
	return l.fingerprints[path], nil
}
func (l *fakeLake) Current(_ context.Context, path string) (*lakeio.Manifest, string, error) {
	m := l.manifests[path]
	if m == nil {
		return nil, "", lakeio.ErrNotPublished
	}
	return m, "sum-" + m.VersionID, nil
}
func (l *fakeLake) Verify(_ context.Context, path string, _ *lakeio.Manifest, _ bool) ([]string, error) {
	return l.problems[path], nil
}
func (l *fakeLake) Stage(context.Context, string, string) (string, error)   { return "", nil }
func (l *fakeLake) Publish(context.Context, string, *lakeio.Manifest) error { return nil }
func (l *fakeLake) Discard(context.Context, string, string) error           { return nil }
func (l *fakeLake) Prune(context.Context, string, int) error                { return nil }
func (l *fakeLake) Delete(context.Context, string) error                    { return nil }

const wsSrc = `mesh {
  name = "m"
}
domain "sales" {
  owner = "sales@example.com"
  team  = "acme/sales"
}
source "orders" {
  type = "csv"
  path = "data/orders.csv"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "amount" {
      type = "decimal(10,2)"
    }
  }
}
product "clean" {
  domain  = domain.sales
  version = "1.0.0"
  input "orders" {
    from = source.orders
  }
  transform "valid" {
    from = input.orders
    filter {
      where = amount > 0
    }
  }
  output {
    path = "lake/clean/"
  }
}
product "total" {
  domain = domain.sales
  owner  = "finance@example.com"
  input "clean" {
    from = product.clean
  }
  transform "sum" {
    from = input.clean
    aggregate {
      columns = {
        total = sum(amount)
      }
    }
  }
  output {
    path = "lake/total/"
  }
}
`

func planOf(t *testing.T, src string, prior *state.State, lake *fakeLake) *plans.Plan {
	t.Helper()
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	return planWorkspace(t, ws, prior, lake)
}

// planWorkspace compiles a loaded workspace and plans it at 2026-11-25.
func planWorkspace(t *testing.T, ws *configs.Workspace, prior *state.State, lake *fakeLake) *plans.Plan {
	t.Helper()
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	p, err := Plan(context.Background(), Options{Workspace: ws, Compiled: res, Prior: prior, Lake: lake,
		Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// applied pretends apply published every change: the state apply writes.
func applied(p *plans.Plan, lake *fakeLake, prior *state.State) *state.State {
	s := &state.State{FormatVersion: state.FormatVersion, Lineage: prior.Lineage, Serial: prior.Serial + 1, Products: map[string]*state.Product{}}
	for n, r := range prior.Products {
		s.Products[n] = r
	}
	for i, c := range p.Changes {
		switch c.Action {
		case plans.Delete:
			delete(s.Products, c.Product)
		case plans.Create, plans.Replace:
			rec := *c.After
			// Apply records the upstream version it actually read.
			rec.Inputs = map[string]state.Input{}
			for name, in := range c.After.Inputs {
				if up := s.Products[strings.TrimPrefix(in.From, "product.")]; strings.HasPrefix(in.From, "product.") && up != nil {
					in.Fingerprint = "version:" + up.Output.VersionID
				}
				rec.Inputs[name] = in
			}
			rec.Output.VersionID = "v" + string(rune('a'+i)) + p.ID
			rec.Output.ManifestSHA256 = "sum-" + rec.Output.VersionID
			lake.manifests[rec.Output.Path] = &lakeio.Manifest{VersionID: rec.Output.VersionID}
			s.Products[c.Product] = &rec
		case plans.Update:
			rec := *c.After
			rec.Output = c.Before.Output
			s.Products[c.Product] = &rec
		}
	}
	return s
}

func actions(p *plans.Plan) string {
	var b []string
	for _, c := range p.Changes {
		b = append(b, c.Product+":"+c.Action.Word())
	}
	return strings.Join(b, " ")
}

func TestPlanLifecycle(t *testing.T) {
	lake := &fakeLake{fingerprints: map[string]string{"data/orders.csv": "files:1"}, manifests: map[string]*lakeio.Manifest{}, problems: map[string][]string{}}
	s0 := state.New("test")

	p := planOf(t, wsSrc, s0, lake)
	if got := actions(p); got != "clean:create total:create" {
		t.Fatalf("first plan: %s", got)
	}
	if d := p.Change("clean").Downstream; len(d) != 1 || d[0].Product != "total" || d[0].Owner != "finance@example.com" || !d[0].Direct {
		t.Errorf("downstream of clean = %+v", d)
	}
	s1 := applied(p, lake, s0)

	if p := planOf(t, wsSrc, s1, lake); p.HasChanges() {
		t.Fatalf("second plan has changes: %s", actions(p))
	}

	// The input's data changes: clean is replaced, total cascades.
	lake.fingerprints["data/orders.csv"] = "files:2"
	p = planOf(t, wsSrc, s1, lake)
	if got := actions(p); got != "clean:replace total:replace" {
		t.Fatalf("after a data change: %s", got)
	}
	if r := p.Change("total").Reasons[0]; r.Kind != plans.ReasonUpstream || r.Subject != "product.clean" {
		t.Errorf("total's reason = %+v", r)
	}
	s2 := applied(p, lake, s1)

	// An owner change is an update; a transform change a replace with the
	// transform named.
	src := strings.Replace(wsSrc, `owner  = "finance@example.com"`, `owner  = "cfo@example.com"`, 1)
	src = strings.Replace(src, "where = amount > 0", "where = amount > 1", 1)
	p = planOf(t, src, s2, lake)
	if got := actions(p); got != "clean:replace total:replace" {
		t.Fatalf("after edits: %s", got)
	}
	if r := p.Change("clean").Reasons[0]; r.Subject != "transform.valid" {
		t.Errorf("clean's reason = %+v", r)
	}
	src2 := strings.Replace(wsSrc, `owner  = "finance@example.com"`, `owner  = "cfo@example.com"`, 1)
	p = planOf(t, src2, s2, lake)
	if got := actions(p); got != "clean:no-op total:update" {
		t.Fatalf("owner change: %s", got)
	}

	// Drift: the published output vanished.
	delete(lake.manifests, "lake/clean/")
	p = planOf(t, wsSrc, s2, lake)
	if c := p.Change("clean"); c.Action != plans.Replace || c.Reasons[0].Kind != plans.ReasonDrift {
		t.Errorf("drift: %s %+v", c.Action.Word(), c.Reasons)
	}
	s3 := applied(p, lake, s2)

	// A contract change: a column removed is breaking and needs a major
	// bump; without it, a warning.
	src3 := strings.Replace(wsSrc, `    aggregate {
      columns = {
        total = sum(amount)
      }
    }`, `    aggregate {
      columns = {
        sum_total = sum(amount)
      }
    }`, 1)
	p = planOf(t, src3, s3, lake)
	c := p.Change("total")
	if c.Action != plans.Replace || !c.Breaking || c.RequiredBump != plans.BumpMajor {
		t.Errorf("renamed column: %s breaking=%v bump=%s %+v", c.Action.Word(), c.Breaking, c.RequiredBump, c.ContractChanges)
	}

	// Removing a product protected in state is refused.
	s3.Products["total"].PreventDestroy = true
	onlyClean := wsSrc[:strings.Index(wsSrc, `product "total"`)]
	p = planOf(t, onlyClean, s3, lake)
	if c := p.Change("total"); c.Action != plans.Delete || c.Refused == "" {
		t.Errorf("protected delete: %s refused=%q", c.Action.Word(), c.Refused)
	}
}

// TestDatabaseSourceFingerprint plans a product reading a PostgreSQL
// table: its fingerprint comes from Options.FingerprintSource, once per
// source, and a change replaces the product.
func TestDatabaseSourceFingerprint(t *testing.T) {
	const src = `mesh {
  name = "m"
}
domain "d" {
  owner = "d@example.com"
}
source "crm" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  table = "public.customers"
  schema {
    infer = false
    column "id" { type = "int64" }
  }
}
product "a" {
  domain = domain.d
  input "crm" { from = source.crm }
  output { path = "lake/a/" }
}
product "b" {
  domain = domain.d
  input "crm" { from = source.crm }
  output { path = "lake/b/" }
}
`
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	lake := &fakeLake{fingerprints: map[string]string{}, manifests: map[string]*lakeio.Manifest{}, problems: map[string][]string{}}
	print, calls := "pg:1", 0
	plan := func(prior *state.State) *plans.Plan {
		p, err := Plan(context.Background(), Options{Workspace: ws, Compiled: res, Prior: prior, Lake: lake,
			Now: func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) },
			FingerprintSource: func(_ context.Context, s *ir.Source) (string, error) {
				calls++
				if s.Table != "public.customers" || s.DSNEnv != "CRM_DSN" {
					t.Errorf("fingerprinted %+v", s)
				}
				return print, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	s0 := state.New("test")
	p := plan(s0)
	if calls != 1 {
		t.Errorf("%d fingerprints for one source read by two products", calls)
	}
	if got := p.Change("a").After.Inputs["crm"].Fingerprint; got != "pg:1" {
		t.Errorf("fingerprint recorded %q", got)
	}
	s1 := applied(p, lake, s0)
	if p := plan(s1); p.HasChanges() {
		t.Fatalf("unchanged table: %s", actions(p))
	}
	print = "pg:2"
	p = plan(s1)
	if got := actions(p); got != "a:replace b:replace" {
		t.Fatalf("changed table: %s", got)
	}
	if r := p.Change("a").Reasons; len(r) != 1 || r[0].Kind != plans.ReasonInput || r[0].Subject != "input.crm" {
		t.Errorf("reasons %+v", r)
	}
}
