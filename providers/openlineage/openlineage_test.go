package openlineage

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
)

// testMesh reads a PostgreSQL table and a Parquet file; by_country joins
// the table with a product and publishes to S3; contacts masks a PII
// column and publishes a PostgreSQL table.
const testMesh = `mesh {
  name = "shop"
}

domain "sales" {
  owner = "sales@example.com"
}

source "crm" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  table = "customers"
  schema {
    infer = false
    column "id" { type = "int64" }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "country" { type = "string" }
  }
}

source "orders" {
  type = "parquet"
  path = "data/orders.parquet"
  schema {
    infer = false
    column "customer_id" { type = "int64" }
    column "amount" { type = "float64" }
  }
}

product "orders_clean" {
  domain = domain.sales
  input "orders" { from = source.orders }
  transform "t" {
    from = input.orders
    filter {
      where = amount > 0
    }
  }
  output { path = "lake/orders_clean/" }
}

product "by_country" {
  domain = domain.sales
  input "customers" { from = source.crm }
  input "orders" { from = product.orders_clean }
  transform "t" {
    from = input.customers
    join {
      with = input.orders
      on   = customers.id == orders.customer_id
    }
    aggregate {
      group_by = [country]
      columns = {
        revenue = sum(amount)
        buyers  = count_distinct(id)
        rows    = count()
      }
    }
  }
  output { path = "s3://lake/sales/by_country/" }
}

product "contacts" {
  domain = domain.sales
  input "customers" { from = source.crm }
  transform "t" {
    from = input.customers
    select {
      columns = { email = email }
    }
  }
  output {
    format = "postgres"
    table  = "marts.contacts"
    dsn    = env("WAREHOUSE_DSN")
  }
  contract {
    column "email" {
      type = "string"
      mask = "hash"
    }
  }
}
`

func compileMesh(t *testing.T) map[string]*ir.Product {
	t.Helper()
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(testMesh)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatalf("load: %v", ds)
	}
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds)
	}
	return res.Products
}

var env = map[string]string{
	"CRM_DSN":       "postgres://reader:s3cret@crm.internal:6432/crm?sslmode=require",
	"WAREHOUSE_DSN": "host=wh.internal port=5433 dbname=analytics user=x password=y",
}

func getenv(name string) (string, bool) {
	v, ok := env[name]
	return v, ok
}

var clock = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func newTestEmitter(tr Transport) *Emitter {
	return New(Options{Transport: tr, Namespace: "shop", Version: "v1.2.3", Root: "/ws", Getenv: getenv,
		Now: func() time.Time { return clock }})
}

// readLines decodes every line of a JSON-lines file.
func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", len(out)+1, err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// get walks a decoded JSON document: keys for objects, ints for arrays.
func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: not an object: %v", path, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at %v: not a list of more than %d: %v", path, k, v)
			}
			v = l[k]
		}
	}
	return v
}

func TestFileEvents(t *testing.T) {
	products := compileMesh(t)
	path := filepath.Join(t.TempDir(), "sub", "lineage.jsonl")
	e := newTestEmitter(File{Path: path})
	byCountry := Job{Product: products["by_country"], Description: "Revenue per country", Owner: "sales@example.com"}
	contacts := Job{Product: products["contacts"], Masks: map[string]string{"email": "hash"}}
	e.Start(byCountry)
	e.Start(contacts)
	e.Complete(byCountry, Outcome{Rows: 12, Bytes: 3456, VersionID: "20261125T120000Z-000001"})
	e.Fail(contacts, errors.New("check has_rows failed"))
	if errs := e.Close(context.Background()); len(errs) > 0 {
		t.Fatalf("Close: %v", errs)
	}
	e.Start(byCountry) // after Close: dropped
	lines := readLines(t, path)

	var seq []string
	runs := map[string][]string{}
	for _, l := range lines {
		job := get(t, l, "job", "name").(string)
		seq = append(seq, job+" "+get(t, l, "eventType").(string))
		runs[job] = append(runs[job], get(t, l, "run", "runId").(string))
		for k, want := range map[string]any{"producer": DefaultProducer, "schemaURL": RunEventSchemaURL, "eventTime": "2026-11-25T12:00:00Z"} {
			if l[k] != want {
				t.Errorf("%s %s = %v, want %v", job, k, l[k], want)
			}
		}
		if ns := get(t, l, "job", "namespace"); ns != "shop" {
			t.Errorf("job namespace = %v, want shop", ns)
		}
	}
	if diff := cmp.Diff([]string{"by_country START", "contacts START", "by_country COMPLETE", "contacts FAIL"}, seq); diff != "" {
		t.Errorf("event sequence (-want +got):\n%s", diff)
	}
	uuid7 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for job, ids := range runs {
		if len(ids) != 2 || ids[0] != ids[1] || !uuid7.MatchString(ids[0]) {
			t.Errorf("%s run ids %v: want one UUIDv7 shared by START and its end", job, ids)
		}
	}
	if runs["by_country"][0] == runs["contacts"][0] {
		t.Error("two products share a run id")
	}

	complete := lines[2]
	type dsName struct{ Namespace, Name string }
	var inputs []dsName
	for _, in := range get(t, complete, "inputs").([]any) {
		inputs = append(inputs, dsName{get(t, in, "namespace").(string), get(t, in, "name").(string)})
	}
	wantInputs := []dsName{
		{"postgres://crm.internal:6432", "crm.public.customers"},
		{"file", "/ws/lake/orders_clean"},
	}
	if diff := cmp.Diff(wantInputs, inputs); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	out := get(t, complete, "outputs", 0)
	if got := (dsName{get(t, out, "namespace").(string), get(t, out, "name").(string)}); got != (dsName{"s3://lake", "sales/by_country"}) {
		t.Errorf("output dataset = %v", got)
	}
	wantLineage := map[string]any{
		"country": map[string]any{"inputFields": []any{
			map[string]any{"namespace": "postgres://crm.internal:6432", "name": "crm.public.customers", "field": "country"},
		}},
		"revenue": map[string]any{"inputFields": []any{
			map[string]any{"namespace": "file", "name": "/ws/lake/orders_clean", "field": "amount"},
		}},
		"buyers": map[string]any{"inputFields": []any{
			map[string]any{"namespace": "postgres://crm.internal:6432", "name": "crm.public.customers", "field": "id"},
		}},
	}
	if diff := cmp.Diff(wantLineage, get(t, out, "facets", "columnLineage", "fields")); diff != "" {
		t.Errorf("columnLineage fields (-want +got):\n%s", diff)
	}
	if u := get(t, out, "facets", "columnLineage", "_schemaURL"); u != columnLineageURL {
		t.Errorf("columnLineage _schemaURL = %v", u)
	}
	var schema []string
	for _, f := range get(t, out, "facets", "schema", "fields").([]any) {
		schema = append(schema, get(t, f, "name").(string)+" "+get(t, f, "type").(string))
	}
	if diff := cmp.Diff([]string{"country string", "revenue float64", "buyers int64", "rows int64"}, schema); diff != "" {
		t.Errorf("output schema (-want +got):\n%s", diff)
	}
	stats := get(t, out, "outputFacets", "outputStatistics")
	if get(t, stats, "rowCount") != float64(12) || get(t, stats, "size") != float64(3456) {
		t.Errorf("outputStatistics = %v", stats)
	}
	if v := get(t, out, "facets", "version", "datasetVersion"); v != "20261125T120000Z-000001" {
		t.Errorf("dataset version = %v", v)
	}
	if d := get(t, complete, "job", "facets", "documentation", "description"); d != "Revenue per country" {
		t.Errorf("documentation = %v", d)
	}
	if o := get(t, complete, "job", "facets", "ownership", "owners", 0, "name"); o != "sales@example.com" {
		t.Errorf("owner = %v", o)
	}
	if v := get(t, complete, "run", "facets", "processing_engine", "version"); v != "v1.2.3" {
		t.Errorf("processing_engine version = %v", v)
	}
	// The START event names the datasets but has no statistics yet.
	if _, ok := get(t, lines[0], "outputs", 0).(map[string]any)["outputFacets"]; ok {
		t.Error("START has output statistics")
	}

	fail := lines[3]
	if m := get(t, fail, "run", "facets", "errorMessage", "message"); m != "check has_rows failed" {
		t.Errorf("FAIL error message = %v", m)
	}
	failOut := get(t, fail, "outputs", 0)
	if got := (dsName{get(t, failOut, "namespace").(string), get(t, failOut, "name").(string)}); got != (dsName{"postgres://wh.internal:5433", "analytics.marts.contacts"}) {
		t.Errorf("contacts output = %v", got)
	}
	wantMasked := map[string]any{"email": map[string]any{"inputFields": []any{map[string]any{
		"namespace": "postgres://crm.internal:6432", "name": "crm.public.customers", "field": "email",
		"transformations": []any{map[string]any{"type": "DIRECT", "subtype": "TRANSFORMATION", "description": "mask hash", "masking": true}},
	}}}}
	if diff := cmp.Diff(wantMasked, get(t, failOut, "facets", "columnLineage", "fields")); diff != "" {
		t.Errorf("masked lineage (-want +got):\n%s", diff)
	}
	raw, _ := os.ReadFile(path)
	for _, secret := range []string{"s3cret", "password", "reader:"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the events hold %q from a DSN", secret)
		}
	}
}

func TestHTTPEvents(t *testing.T) {
	products := compileMesh(t)
	type request struct {
		method, path, contentType, auth, eventType, job string
	}
	var mu sync.Mutex
	var got []request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev RunEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Errorf("body is not a run event: %v", err)
		}
		mu.Lock()
		got = append(got, request{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), string(ev.EventType), ev.Job.Name})
		mu.Unlock()
		if ev.EventType == Complete {
			http.Error(w, "lineage store is read-only", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()

	e := newTestEmitter(HTTP{URL: srv.URL + "/api/v1/lineage", APIKey: "k3y"})
	job := Job{Product: products["orders_clean"]}
	e.Start(job)
	e.Complete(job, Outcome{Rows: 3})
	errs := e.Close(context.Background())
	want := []request{
		{"POST", "/api/v1/lineage", "application/json", "Bearer k3y", "START", "orders_clean"},
		{"POST", "/api/v1/lineage", "application/json", "Bearer k3y", "COMPLETE", "orders_clean"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(request{})); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "COMPLETE event of orders_clean") ||
		!strings.Contains(errs[0].Error(), "503 Service Unavailable: lineage store is read-only") {
		t.Errorf("errors = %v, want the COMPLETE event's 503 with its body", errs)
	}
}

func TestHTTPUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + "/api/v1/lineage"
	srv.Close()
	e := newTestEmitter(HTTP{URL: url})
	e.Start(Job{Product: compileMesh(t)["orders_clean"]})
	errs := e.Close(context.Background())
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "START event of orders_clean: OpenLineage:") {
		t.Errorf("errors = %v", errs)
	}
}

// blocking is a transport that waits until its context ends.
type blocking struct{ started chan struct{} }

func (b blocking) Send(ctx context.Context, _ *RunEvent) error {
	b.started <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

func TestCloseGivesUp(t *testing.T) {
	tr := blocking{started: make(chan struct{}, 10)}
	e := newTestEmitter(tr)
	job := Job{Product: compileMesh(t)["orders_clean"]}
	e.Start(job)
	e.Complete(job, Outcome{})
	e.Start(job)
	<-tr.started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	errs := e.Close(ctx)
	if len(errs) != 2 || !errors.Is(errs[0], context.Canceled) || !strings.Contains(errs[1].Error(), "2 events not sent") {
		t.Errorf("errors = %v, want the abandoned send and 2 dropped", errs)
	}
}

func TestDatasetNames(t *testing.T) {
	n := namer{root: "/ws", getenv: getenv}
	for _, tc := range []struct {
		loc, ns, name string
	}{
		{"lake/x/", "file", "/ws/lake/x"},
		{"/data/y.csv", "file", "/data/y.csv"},
		{"../shared/z", "file", "/shared/z"},
		{"data/*.csv", "file", "/ws/data/*.csv"},
		{"s3://bucket/a/b/", "s3://bucket", "a/b"},
		{"postgres://WAREHOUSE_DSN/marts.t", "postgres://wh.internal:5433", "analytics.marts.t"},
		{"postgres://UNSET_DSN/public.t", "postgres://UNSET_DSN", "public.t"},
	} {
		ns, name := n.location(tc.loc)
		if ns != tc.ns || name != tc.name {
			t.Errorf("location(%q) = %q, %q; want %q, %q", tc.loc, ns, name, tc.ns, tc.name)
		}
	}
	for _, tc := range []struct {
		src      ir.Source
		ns, name string
	}{
		{ir.Source{Kind: ir.SourcePostgres, Name: "q", DSN: "postgresql://u@db:5432/shop", Query: "SELECT 1"}, "postgres://db:5432", "shop.query.q"},
		{ir.Source{Kind: ir.SourcePostgres, Name: "t", DSN: "host=h1,h2 dbname=x", Table: "s.t"}, "postgres://h1:5432", "x.s.t"},
		{ir.Source{Kind: ir.SourcePostgres, Name: "t", DSN: "dbname=x", Table: "t"}, "postgres://localhost:5432", "x.public.t"},
		{ir.Source{Kind: ir.SourceCSV, Path: "data/c.csv"}, "file", "/ws/data/c.csv"},
		{ir.Source{Kind: ir.SourceProduct, Name: "p", Path: "s3://b/p/"}, "s3://b", "p"},
	} {
		ns, name := n.source(&tc.src)
		if ns != tc.ns || name != tc.name {
			t.Errorf("source(%+v) = %q, %q; want %q, %q", tc.src, ns, name, tc.ns, tc.name)
		}
	}
}
