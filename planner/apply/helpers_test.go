package apply_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshctl/meshctl/executor"
	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/apply"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/providers/csv"
	"github.com/meshctl/meshctl/providers/parquet"
)

// workspaceHCL is the test workspace: adults and minors read the source
// people, names reads the product adults, visit_count reads the source
// visits.
const workspaceHCL = `
mesh {
  name = "t"
}

domain "d" {
  owner = "d@example.com"
}

source "people" {
  type     = "csv"
  domain   = domain.d
  path     = "data/people.csv"
  on_error = "quarantine"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "name" { type = "string" }
    column "age" { type = "int32" }
  }
}

source "visits" {
  type   = "csv"
  domain = domain.d
  path   = "data/visits/"
  schema {
    infer = false
    column "person" { type = "int64" }
  }
}

product "adults" {
  domain = domain.d
  owner  = "d@example.com"
  input "people" {
    from = source.people
  }
  transform "grown" {
    from = input.people
    filter {
      where = age >= 18
    }
  }
  output {
    from   = transform.grown
    format = "parquet"
    path   = "lake/adults/"
  }
  check "has_rows" {
    assert = row_count() > 0
  }
  check "plausible_age" {
    assert = max(age) < 130
  }
  check "few" {
    assert   = row_count() < 1000
    severity = "warn"
  }
}

product "names" {
  domain = domain.d
  owner  = "d@example.com"
  input "adults" {
    from = product.adults
  }
  transform "n" {
    from = input.adults
    select {
      columns = {
        name = upper(name)
      }
    }
    sort {
      by = [name]
    }
  }
  output {
    from   = transform.n
    format = "csv"
    path   = "lake/names/"
  }
}

product "minors" {
  domain = domain.d
  owner  = "d@example.com"
  input "people" {
    from = source.people
  }
  transform "young" {
    from = input.people
    filter {
      where = age < 18
    }
  }
  output {
    from   = transform.young
    format = "parquet"
    path   = "lake/minors/"
  }
}

product "visit_count" {
  domain = domain.d
  owner  = "d@example.com"
  input "visits" {
    from = source.visits
  }
  transform "c" {
    from = input.visits
    aggregate {
      columns = {
        visits = count()
      }
    }
  }
  output {
    from   = transform.c
    format = "parquet"
    path   = "lake/visit_count/"
  }
}
`

const peopleV1 = "id,name,age\n1,ann,30\n2,bob,12\n3,cy,45\n"

// env is a workspace in a temporary folder, its lake and its state.
type env struct {
	t    *testing.T
	root string
	lake *dirLake
	// lk is the lake apply uses: lake unless a test sets another.
	lk       lakeio.Lake
	products map[string]*ir.Product
	order    []string
	state    *state.State
	mtime    time.Time

	mu       sync.Mutex
	saves    []*state.State // a copy of each saved document
	failSave func(n int) error
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, workspaceHCL)
}

// newEnvWith is newEnv with another workspace (reading the same data).
func newEnvWith(t *testing.T, hcl string) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{t: t, root: root, lake: newDirLake(root), state: state.New("test"), mtime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e.lk = e.lake
	e.write("data/people.csv", peopleV1)
	e.write("data/visits/part-1.csv", "person\n1\n3\n1\n")
	ws, diags := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(hcl)}}, configs.Options{})
	if diags.HasErrors() {
		t.Fatalf("load: %v", diags)
	}
	res, diags := compile.Compile(context.Background(), ws, compile.Options{})
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags)
	}
	e.products, e.order = res.Products, res.Order
	return e
}

// write writes a data file with a modification time later than any
// before, so that fingerprints see the change.
func (e *env) write(rel, content string) {
	e.t.Helper()
	p := filepath.Join(e.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.mtime = e.mtime.Add(time.Second)
	if err := os.Chtimes(p, e.mtime, e.mtime); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) read(rel string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.root, filepath.FromSlash(rel)))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// save is Options.Save: it increments the serial, as state.Store.Save
// does, and keeps a copy of what was saved.
func (e *env) save(ctx context.Context, s *state.State) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.failSave != nil {
		if err := e.failSave(len(e.saves) + 1); err != nil {
			return err
		}
	}
	s.Serial++
	doc, err := state.Encode(s)
	if err != nil {
		return err
	}
	cp, err := state.Decode(doc, "test state")
	if err != nil {
		return err
	}
	e.saves = append(e.saves, cp)
	return nil
}

// desired is the record a plan would want for a product: its contract,
// output location and the fingerprints of its inputs now.
func (e *env) desired(name string) *state.Product {
	e.t.Helper()
	p := e.products[name]
	rec := &state.Product{
		DefinitionHash:  "def-" + name,
		PlanFingerprint: "plan-" + name,
		Metadata:        state.Metadata{Domain: "d", Owner: "d@example.com"},
		Output:          state.Output{Format: p.Output.Format, Path: p.Output.Path, PartitionBy: p.Output.PartitionBy},
		Inputs:          map[string]state.Input{},
	}
	for _, c := range p.Output.Schema {
		rec.Contract = append(rec.Contract, state.Column{Name: c.Name, Type: c.Type.String(), Nullable: c.Nullable})
	}
	for _, in := range p.Inputs {
		if in.Source.Kind == ir.SourceProduct {
			fp := ""
			if up := e.state.Products[in.Source.Name]; up != nil {
				fp = "version:" + up.Output.VersionID
			}
			rec.Inputs[in.Name] = state.Input{From: "product." + in.Source.Name, Fingerprint: fp}
			continue
		}
		fp, err := e.lk.Fingerprint(context.Background(), in.Source.Path)
		if err != nil {
			e.t.Fatal(err)
		}
		rec.Inputs[in.Name] = state.Input{From: "source." + in.Source.Name, Fingerprint: fp}
	}
	return rec
}

// plan builds a plan by hand: the given actions for the workspace's
// products (upstream first), no-op for the others, and a delete for each
// product named with plans.Delete.
func (e *env) plan(actions map[string]plans.Action) *plans.Plan {
	e.t.Helper()
	p := &plans.Plan{ID: "plan-1", CreatedAt: time.Now(), Lineage: e.state.Lineage, Serial: e.state.Serial}
	for _, name := range e.order {
		a, ok := actions[name]
		if !ok {
			a = plans.NoOp
		}
		c := &plans.ProductChange{Product: name, Action: a, Before: e.state.Products[name]}
		if a != plans.Delete {
			c.After = e.desired(name)
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}

// options are the options of an apply of p on e.
func (e *env) options(p *plans.Plan) apply.Options {
	return apply.Options{
		Plan:     p,
		Products: e.products,
		State:    e.state,
		Save:     e.save,
		Lake:     e.lk,
		Sinkers:  map[string]dataio.Sinker{"parquet": parquet.Sinker{}, "csv": csv.Sinker{}},
		Executor: executor.Options{
			Workers: 2,
			Scanners: map[ir.SourceKind]dataio.Scanner{
				ir.SourceCSV:     csv.Scanner{Dir: e.root},
				ir.SourceParquet: parquet.Scanner{Dir: e.root},
			},
		},
		Quarantine: func(dir, name string) (apply.RejectFile, error) {
			return csv.NewQuarantineSink(dir, name)
		},
		MeshctlVersion: "0.test",
		Now:            time.Now,
	}
}

// createAll applies the creation of every product and fails the test on
// any failure.
func (e *env) createAll() *apply.Result {
	e.t.Helper()
	acts := map[string]plans.Action{}
	for _, n := range e.order {
		acts[n] = plans.Create
	}
	res, err := apply.Run(context.Background(), e.options(e.plan(acts)))
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	if !res.OK() {
		e.t.Fatalf("apply: %+v", res.Products)
	}
	return res
}

// statuses maps each product of a result to its status.
func statuses(r *apply.Result) map[string]apply.Status {
	out := map[string]apply.Status{}
	for _, p := range r.Products {
		out[p.Product] = p.Status
	}
	return out
}

func product(r *apply.Result, name string) apply.ProductResult {
	for _, p := range r.Products {
		if p.Product == name {
			return p
		}
	}
	return apply.ProductResult{}
}

// events collects apply events.
type events struct {
	mu   sync.Mutex
	list []apply.Event
	// on, when set, is called with each event (under no lock of ours).
	on func(apply.Event)
}

func (ev *events) add(e apply.Event) {
	ev.mu.Lock()
	ev.list = append(ev.list, e)
	ev.mu.Unlock()
	if ev.on != nil {
		ev.on(e)
	}
}

// lines renders the events as "kind product" lines, progress left out.
func (ev *events) lines() []string {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var out []string
	for _, e := range ev.list {
		if e.Kind != apply.ProductProgress {
			out = append(out, e.Kind.String()+" "+e.Product)
		}
	}
	return out
}

// gateScanner wraps a scanner: opens of the sources named in block wait
// until ctx is done; opens of every source wait, when barrier > 0, until
// barrier opens are in progress at once (or fail after a while).
type gateScanner struct {
	dataio.Scanner
	block   map[string]bool
	barrier int

	mu      sync.Mutex
	cond    *sync.Cond
	waiting int
	arrived int
}

func (g *gateScanner) Open(ctx context.Context, req dataio.ScanRequest) (dataio.Scan, error) {
	if g.block[req.Source.Name] {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if g.barrier > 0 {
		g.mu.Lock()
		if g.cond == nil {
			g.cond = sync.NewCond(&g.mu)
		}
		g.arrived++
		if g.arrived >= g.barrier {
			g.cond.Broadcast()
		}
		deadline := time.AfterFunc(5*time.Second, func() {
			g.mu.Lock()
			g.cond.Broadcast()
			g.mu.Unlock()
		})
		start := time.Now()
		for g.arrived < g.barrier && time.Since(start) < 5*time.Second {
			g.cond.Wait()
		}
		ok := g.arrived >= g.barrier
		deadline.Stop()
		g.mu.Unlock()
		if !ok {
			return nil, errors.New("gate: the other scans never started")
		}
	}
	return g.Scanner.Open(ctx, req)
}

// slowSinker delays every batch written, so that progress is reported.
type slowSinker struct {
	dataio.Sinker
	delay time.Duration
}

func (s slowSinker) Create(ctx context.Context, req dataio.SinkRequest) (dataio.Writer, error) {
	w, err := s.Sinker.Create(ctx, req)
	if err != nil {
		return nil, err
	}
	return slowWriter{Writer: w, delay: s.delay}, nil
}

type slowWriter struct {
	dataio.Writer
	delay time.Duration
}

func (w slowWriter) Write(ctx context.Context, b *vector.Batch) error {
	time.Sleep(w.delay)
	return w.Writer.Write(ctx, b)
}

func joinLines(s []string) string { return strings.Join(s, "\n") }
