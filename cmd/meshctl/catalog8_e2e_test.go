package main

// End-to-end tests of issue 8's interoperability commands on the real
// binary: graph (golden files of every format, with and without
// --columns), export odcs, status, and the OpenLineage events of apply.

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/state"
)

// TestGraphGolden renders examples/sales in every format, with and
// without --columns, and compares each with testdata/e2e/graph_*; refresh
// them with go test ./cmd/meshctl -run GraphGolden -update.
func TestGraphGolden(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"graph_sales.dot", []string{"graph"}},
		{"graph_sales_columns.dot", []string{"graph", "--columns"}},
		{"graph_sales.mmd", []string{"graph", "--format", "mermaid"}},
		{"graph_sales_columns.mmd", []string{"graph", "--columns", "-format=mermaid"}},
		{"graph_sales.json", []string{"graph", "--format", "json"}},
		{"graph_sales_columns.json", []string{"--json", "graph", "--columns"}},
	} {
		r := meshctlExit(t, dir, 0, tc.args...)
		if r.stderr != "" {
			t.Errorf("meshctl %s wrote to stderr:\n%s", strings.Join(tc.args, " "), r.stderr)
		}
		golden(t, tc.golden, r.stdout)
	}

	// The facts the goldens hold, asserted so that a refreshed golden
	// cannot bless a wrong graph.
	r := meshctlExit(t, dir, 0, "graph", "--columns", "--format", "json")
	var g struct {
		FormatVersion string `json:"format_version"`
		Nodes         []struct {
			ID      string `json:"id"`
			Domain  string `json:"domain"`
			Columns []struct {
				Name string `json:"name"`
				From []struct{ Node, Input, Column string }
			} `json:"columns"`
		} `json:"nodes"`
		Edges []struct{ From, To, Input string } `json:"edges"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &g); err != nil {
		t.Fatalf("graph JSON: %v", err)
	}
	var ids []string
	from := map[string][]string{}
	for _, n := range g.Nodes {
		ids = append(ids, n.ID)
		if n.Domain != "sales" {
			t.Errorf("%s is in domain %q, want sales", n.ID, n.Domain)
		}
		for _, c := range n.Columns {
			for _, o := range c.From {
				from[n.ID+"."+c.Name] = append(from[n.ID+"."+c.Name], o.Node+"."+o.Column)
			}
		}
	}
	if diff := cmp.Diff([]string{"source.customers", "source.orders", "product.adult_customers_by_country", "product.orders_clean", "product.top_customers"}, ids); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	if len(g.Edges) != 5 {
		t.Errorf("%d edges, want 5: %+v", len(g.Edges), g.Edges)
	}
	for col, want := range map[string][]string{
		// An aggregate over a join: each side's column.
		"product.adult_customers_by_country.customers": {"source.customers.id"},
		"product.adult_customers_by_country.revenue":   {"product.orders_clean.amount"},
		"product.adult_customers_by_country.country":   {"source.customers.country"},
		// An expression over both sides of a join.
		// (Origins are sorted by input name: customers, then orders.)
		"product.top_customers.customer_for": {"source.customers.signup_date", "product.orders_clean.ordered_at"},
		// count() reads no column.
		"product.top_customers.orders":     nil,
		"product.orders_clean.order_month": {"source.orders.ordered_at"},
	} {
		if diff := cmp.Diff(want, from[col]); diff != "" {
			t.Errorf("%s comes from (-want +got):\n%s", col, diff)
		}
	}

	if r := meshctlExit(t, dir, 1, "graph", "--format", "svg"); !strings.Contains(r.stderr, `--format "svg" is not a graph format: use dot, mermaid or json`) {
		t.Errorf("graph --format svg: %s", r.stderr)
	}
}

// TestExportODCS exports a product's contract before and after apply.
func TestExportODCS(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	r := meshctlExit(t, dir, 0, "export", "odcs", "adult_customers_by_country")
	golden(t, "odcs_adult_customers_by_country.yaml", r.stdout)
	for _, want := range []string{
		"apiVersion: v3.0.2\nkind: DataContract\nid: \"urn:meshctl:acme-sales:adult_customers_by_country\"\n",
		"version: \"1.2.0\"\nstatus: proposed\ndomain: sales\ndataProduct: adult_customers_by_country\n",
		"      - name: revenue\n        logicalType: number\n        physicalType: \"decimal(18,2)\"\n        required: false\n        description: Sum of order amounts\n",
		"        implementation: \"null_count(country) == 0\"\n",
		"slaProperties:\n  - property: latency\n    value: 1\n    unit: d\n",
		"team:\n  - username: sales-data@acme.example\n    role: owner\n  - username: acme/sales-data\n    role: domain team\n",
		"servers:\n  - server: lake\n    type: local\n    format: parquet\n    path: lake/adult_customers_by_country/\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the document lacks %q:\n%s", want, r.stdout)
		}
	}

	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	r = meshctlExit(t, dir, 0, "export", "odcs", "product.top_customers", "--out", "contracts/top.yaml")
	if r.stdout != "Wrote the ODCS contract of product.top_customers to contracts/top.yaml.\n" {
		t.Errorf("export --out said %q", r.stdout)
	}
	b, err := os.ReadFile(filepath.Join(dir, "contracts", "top.yaml"))
	if os.IsNotExist(err) {
		t.Fatal("--out into a missing folder wrote nothing")
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"status: active\n", "        classification: restricted\n        tags:\n          - pii\n", "roles:\n  - role: acme/account-managers\n    access: read\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("top.yaml lacks %q:\n%s", want, b)
		}
	}

	if r := meshctlExit(t, dir, 1, "export", "odcs", "top_customer"); !strings.Contains(r.stderr, `No product "top_customer"`) || !strings.Contains(r.stderr, `Did you mean "top_customers"?`) {
		t.Errorf("export of an unknown product: %s", r.stderr)
	}
}

// TestStatusFreshness checks freshness before any apply, after one, and once the
// state says the data is old.
func TestStatusFreshness(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	r := meshctlExit(t, dir, 2, "status")
	if !strings.Contains(r.stdout, "MISSING: nothing published") || !strings.Contains(r.stdout, "3 of 3 products with an SLA break it") {
		t.Errorf("status before apply:\n%s", r.stdout)
	}

	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	r = meshctlExit(t, dir, 0, "status")
	if !strings.Contains(r.stdout, "All 3 products with an SLA are fresh.") {
		t.Errorf("status after apply:\n%s", r.stdout)
	}

	// orders_clean (SLA 6h) was applied 7 hours ago, the others 2 hours
	// ago (SLA 24h).
	st, _ := loadState(t, dir)
	now := time.Now().UTC()
	for name, rec := range st.Products {
		rec.AppliedAt = now.Add(-2 * time.Hour)
		if name == "orders_clean" {
			rec.AppliedAt = now.Add(-7 * time.Hour)
		}
	}
	b, err := state.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stateFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
	r = meshctlExit(t, dir, 2, "status")
	lines := strings.Split(r.stdout, "\n")
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "PRODUCT ") ||
		!strings.Contains(lines[2], "orders_clean") || !strings.Contains(lines[2], "  7h  ") || !strings.Contains(lines[2], "STALE by 1h") ||
		!strings.Contains(lines[1], "adult_customers_by_country") || !strings.HasSuffix(lines[1], "fresh") {
		t.Errorf("status table:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "1 of 3 products with an SLA break it: orders_clean.") {
		t.Errorf("status verdict:\n%s", r.stdout)
	}

	r = meshctlExit(t, dir, 2, "status", "--json")
	var doc struct {
		FormatVersion string `json:"format_version"`
		Fresh         bool   `json:"fresh"`
		Products      []struct {
			Product        string `json:"product"`
			SLA            string `json:"sla"`
			SLASeconds     int64  `json:"sla_seconds"`
			AgeSeconds     int64  `json:"age_seconds"`
			OverdueSeconds int64  `json:"overdue_seconds"`
			Status         string `json:"status"`
		} `json:"products"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	if doc.FormatVersion != "1.0" || doc.Fresh || len(doc.Products) != 3 {
		t.Fatalf("status --json: %+v", doc)
	}
	p := doc.Products[1]
	if p.Product != "orders_clean" || p.Status != "stale" || p.SLA != "6h" || p.SLASeconds != 21600 ||
		p.AgeSeconds < 7*3600 || p.AgeSeconds > 7*3600+60 || p.OverdueSeconds < 3600 || p.OverdueSeconds > 3600+60 {
		t.Errorf("orders_clean: %+v", p)
	}
	if doc.Products[0].Status != "fresh" || doc.Products[2].Status != "fresh" {
		t.Errorf("the others: %+v", doc.Products)
	}
}

// olEvent is what the test reads of an OpenLineage run event.
type olEvent struct {
	EventType string `json:"eventType"`
	Run       struct {
		RunID  string                     `json:"runId"`
		Facets map[string]json.RawMessage `json:"facets"`
	} `json:"run"`
	Job struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"job"`
	Inputs  []olDataset `json:"inputs"`
	Outputs []olDataset `json:"outputs"`
}

type olDataset struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Facets    struct {
		ColumnLineage struct {
			Fields map[string]struct {
				InputFields []struct{ Namespace, Name, Field string } `json:"inputFields"`
			} `json:"fields"`
		} `json:"columnLineage"`
	} `json:"facets"`
}

// TestApplyEmitsOpenLineage applies examples/sales with its events going
// to a file, then with a failing check, then to an HTTP endpoint that
// refuses them: the apply's outcome never depends on the events.
func TestApplyEmitsOpenLineage(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	editFile(t, dir, "main.mesh.hcl", `name = "acme-sales"`, `name = "acme-sales"
  lineage {
    file = "lineage/events.jsonl"
  }`)
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	events := readEvents(t, filepath.Join(dir, "lineage", "events.jsonl"))
	seq := map[string][]string{}
	runs := map[string]map[string]bool{}
	for _, e := range events {
		if e.Job.Namespace != "acme-sales" {
			t.Errorf("job namespace %q", e.Job.Namespace)
		}
		seq[e.Job.Name] = append(seq[e.Job.Name], e.EventType)
		if runs[e.Job.Name] == nil {
			runs[e.Job.Name] = map[string]bool{}
		}
		runs[e.Job.Name][e.Run.RunID] = true
	}
	for _, p := range salesProducts {
		if diff := cmp.Diff([]string{"START", "COMPLETE"}, seq[p]); diff != "" {
			t.Errorf("%s events (-want +got):\n%s", p, diff)
		}
		if len(runs[p]) != 1 {
			t.Errorf("%s: run ids %v, want one", p, runs[p])
		}
	}
	// orders_clean runs first: its COMPLETE comes before its readers start.
	if events[0].Job.Name != "orders_clean" || events[1].Job.Name != "orders_clean" {
		t.Errorf("first events: %s %s, %s %s", events[0].EventType, events[0].Job.Name, events[1].EventType, events[1].Job.Name)
	}
	var adult *olEvent
	for i := range events {
		if events[i].Job.Name == "adult_customers_by_country" && events[i].EventType == "COMPLETE" {
			adult = &events[i]
		}
	}
	if adult == nil || len(adult.Inputs) != 2 || len(adult.Outputs) != 1 {
		t.Fatalf("adult_customers_by_country COMPLETE: %+v", adult)
	}
	wantIn := []string{"file " + filepath.ToSlash(dir) + "/data/customers.csv", "file " + filepath.ToSlash(dir) + "/lake/orders_clean"}
	wantOut := "file " + filepath.ToSlash(dir) + "/lake/adult_customers_by_country"
	gotIn := []string{adult.Inputs[0].Namespace + " " + adult.Inputs[0].Name, adult.Inputs[1].Namespace + " " + adult.Inputs[1].Name}
	if diff := cmp.Diff(wantIn, gotIn); diff != "" {
		t.Errorf("inputs (-want +got):\n%s", diff)
	}
	out := adult.Outputs[0]
	if out.Namespace+" "+out.Name != wantOut {
		t.Errorf("output %s %s, want %s", out.Namespace, out.Name, wantOut)
	}
	rev := out.Facets.ColumnLineage.Fields["revenue"].InputFields
	if len(rev) != 1 || rev[0].Name != filepath.ToSlash(dir)+"/lake/orders_clean" || rev[0].Field != "amount" {
		t.Errorf("revenue's lineage: %+v", rev)
	}

	// A failing check: the product's run ends with FAIL and its error.
	editFile(t, dir, "products/top_customers.mesh.hcl", "assert = row_count() <= 20", "assert = row_count() <= 0")
	appendCustomer(t, dir)
	meshctlExit(t, dir, 1, "apply", "-auto-approve")
	events = readEvents(t, filepath.Join(dir, "lineage", "events.jsonl"))[len(events):]
	var fail *olEvent
	for i := range events {
		if events[i].Job.Name == "top_customers" && events[i].EventType == "FAIL" {
			fail = &events[i]
		}
	}
	if fail == nil {
		t.Fatalf("no FAIL event for top_customers in %d new events", len(events))
	}
	var msg struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(fail.Run.Facets["errorMessage"], &msg)
	if !strings.Contains(msg.Message, "check at_most_20 failed") {
		t.Errorf("FAIL error message %q", msg.Message)
	}

	// An HTTP endpoint: events are posted there; one that answers 500
	// makes warnings, not a failed apply.
	var mu sync.Mutex
	var got []string
	fail500 := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var e olEvent
		_ = json.Unmarshal(body, &e)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+e.EventType+" "+e.Job.Name)
		if fail500 {
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	editFile(t, dir, "main.mesh.hcl", `file = "lineage/events.jsonl"`, `url     = "`+srv.URL+`"
    api_key = env("OL_KEY")`)
	editFile(t, dir, "products/top_customers.mesh.hcl", "assert = row_count() <= 0", "assert = row_count() <= 20")
	r := meshctlEnvExit(t, dir, []string{"OL_KEY=secret-key"}, 0, "apply", "-auto-approve")
	if strings.Contains(r.stderr, "OpenLineage") {
		t.Errorf("warnings with a working endpoint:\n%s", r.stderr)
	}
	mu.Lock()
	want := []string{
		"POST /api/v1/lineage Bearer secret-key START top_customers",
		"POST /api/v1/lineage Bearer secret-key COMPLETE top_customers",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	fail500, got = true, nil
	mu.Unlock()
	appendCustomer(t, dir)
	r = meshctlEnvExit(t, dir, []string{"OL_KEY=secret-key"}, 0, "apply", "-auto-approve")
	if !strings.Contains(r.stderr, "Warning: OpenLineage: START event of ") || !strings.Contains(r.stderr, "answered 500 Internal Server Error: down for maintenance") {
		t.Errorf("apply against a failing endpoint: stderr\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "secret-key") {
		t.Errorf("a warning shows the API key:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "Apply complete: 2 done, 0 failed") {
		t.Errorf("apply report:\n%s", r.stdout)
	}
}

func readEvents(t *testing.T, path string) []olEvent {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []olEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e olEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s line %d: %v", path, len(out)+1, err)
		}
		out = append(out, e)
	}
	return out
}
