package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/providers/csv"
	"github.com/meshctl/meshctl/providers/parquet"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden from the catalog's output")

// salesCatalog builds the catalog of examples/sales with a state in which
// orders_clean is fresh, adult_customers_by_country stale with a failed
// check, and top_customers was never applied.
func salesCatalog(t *testing.T) *Catalog {
	t.Helper()
	root := filepath.Join("..", "..", "examples", "sales")
	ws, diags := configs.Load(os.DirFS(root), configs.Options{})
	if diags.HasErrors() {
		t.Fatalf("load examples/sales: %v", diags)
	}
	readers := sourceschema.Readers{ir.SourceCSV: csv.SchemaReader{Dir: root}, ir.SourceParquet: parquet.SchemaReader{Dir: root}}
	res, diags := compile.Compile(context.Background(), ws, compile.Options{Readers: readers})
	if diags.HasErrors() {
		t.Fatalf("compile examples/sales: %v", diags)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	st := &state.State{FormatVersion: 1, Lineage: "0123456789abcdef", Serial: 4, Products: map[string]*state.Product{
		"orders_clean": {
			Metadata:  state.Metadata{Version: "1.0.0"},
			Output:    state.Output{Format: "parquet", Path: "lake/orders_clean/", VersionID: "20261125T090000Z-000001", Rows: 840, Bytes: 14530, Files: []state.File{{Path: "part-00000.parquet"}}},
			Checks:    []state.Check{{Name: "has_rows", Severity: "error", Passed: true}, {Name: "order_ids_unique", Severity: "error", Passed: true}},
			AppliedAt: now.Add(-3 * time.Hour),
		},
		"adult_customers_by_country": {
			Metadata:  state.Metadata{Version: "1.1.0"},
			Output:    state.Output{Format: "parquet", Path: "lake/adult_customers_by_country/", VersionID: "20261123T073000Z-000002", Rows: 9, Bytes: 4500, Files: make([]state.File, 9)},
			Checks:    []state.Check{{Name: "has_rows", Severity: "error", Passed: true}, {Name: "country_present", Severity: "error", Passed: false}},
			AppliedAt: now.Add(-52*time.Hour - 30*time.Minute),
		},
	}}
	return Build(Options{Workspace: ws, Compiled: res.Products, State: st, Now: now, GeneratedBy: "meshctl test"})
}

func TestGoldenSales(t *testing.T) {
	files, err := Render(salesCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"catalog.json", "index.html", "products/adult_customers_by_country.html", "products/orders_clean.html", "products/top_customers.html"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	for _, name := range []string{"catalog.json", "index.html", "products/adult_customers_by_country.html"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "golden", "sales", filepath.FromSlash(name))
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, files[name], 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			golden, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./planner/catalog -update to create it)", err)
			}
			if diff := cmp.Diff(string(golden), string(files[name])); diff != "" {
				t.Errorf("%s differs from %s (run with -update if the change is intended) (-want +got):\n%s", name, path, diff)
			}
		})
	}
}

// TestSalesPages checks, besides the golden files, what a reader of the
// pages relies on, so that a golden refreshed by mistake cannot hide it.
func TestSalesPages(t *testing.T) {
	c := salesCatalog(t)
	files, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	index := string(files["index.html"])
	for _, p := range c.Products {
		if !strings.Contains(index, `<li class="product" id="product-`+p.Name+`" data-name="`+p.Name+`"`) ||
			!strings.Contains(index, `href="products/`+p.Name+`.html"`) {
			t.Errorf("index.html does not list %s with a link to its page", p.Name)
		}
	}
	for _, s := range []string{
		`<span class="badge fresh">fresh</span>`, `<span class="badge stale">stale</span>`, `<span class="badge not_deployed">not deployed</span>`,
		`data-search="adult_customers_by_country adult customers per country, with the revenue of their orders sales-data@acme.example acme/sales-data sales tier:gold country customers revenue"`,
		`<tr id="source-customers">`,
	} {
		if !strings.Contains(index, s) {
			t.Errorf("index.html lacks %s", s)
		}
	}
	if strings.Count(index, "<script") != 1 || strings.Contains(index, "http://") || strings.Contains(index, "https://") {
		t.Errorf("index.html loads something other than its inline script, or from the network")
	}

	page := string(files["products/adult_customers_by_country.html"])
	for _, s := range []string{
		`<tr id="col-revenue"><td class="mono">revenue</td><td class="mono">decimal(18,2)</td><td>nullable</td><td>Sum of order amounts</td>`,
		`<dt>SLA</dt><dd>fresh within 24h</dd>`,
		`<dt>data published</dt><dd><time datetime="2026-11-23T07:30:00Z">2026-11-23 07:30:00 UTC</time> <span class="muted">(2d 4h old at build time)</span></dd>`,
		`<dt>stale since</dt><dd><time datetime="2026-11-24T07:30:00Z">2026-11-24 07:30:00 UTC</time></dd>`,
		`<dt>rows</dt><dd>9</dd>`,
		`<td class="mono">country_present</td><td>error</td><td><code>null_count(country) == 0</code></td><td class="result failed">failed</td>`,
		`<svg class="lineage"`,
		`<g class="node product" data-node="product.orders_clean"><title>product.orders_clean: Orders that count as revenue: not cancelled, with their month</title><a href="orders_clean.html">`,
		`<g class="node source" data-node="source.customers">`,
		`<g class="node product current" data-node="product.adult_customers_by_country">`,
		`<path class="edge" data-from="product.orders_clean" data-to="product.adult_customers_by_country"`,
		`<a class="mono" href="../products/orders_clean.html#col-amount">product.orders_clean.amount</a>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("the product page lacks %s", s)
		}
	}
	if strings.Contains(page, "<script") {
		t.Errorf("a product page needs no script")
	}

	top := string(files["products/top_customers.html"])
	for _, s := range []string{
		`This product was never applied`,
		`<td class="result not_run">not run</td>`,
		`<span class="tag sensitive">pii</span>`,
		`<li class="mono">acme/account-managers</li>`,
	} {
		if !strings.Contains(top, s) {
			t.Errorf("top_customers.html lacks %s", s)
		}
	}

	var doc map[string]any
	if err := json.Unmarshal(files["catalog.json"], &doc); err != nil {
		t.Fatalf("catalog.json: %v", err)
	}
	if doc["format_version"] != "1.0" || len(doc["products"].([]any)) != 3 {
		t.Errorf("catalog.json: format %v, %d products", doc["format_version"], len(doc["products"].([]any)))
	}
}

// hostile is text a definition may hold that must reach a page as text.
const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>'&`

func TestUserTextIsEscaped(t *testing.T) {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	h := q(hostile)
	src := strings.NewReplacer(
		`"The test mesh"`, h,
		`"Domain D"`, h,
		`"org/d"`, h,
		`"People"`, h,
		`"base@example.com"`, h,
		`"Every person"`, h,
		`"tier:gold"`, h,
		`"Person id"`, h,
		`"never empty"`, h,
		`"team-a"`, h,
	).Replace(testHCL)
	ws, res := loadTest(t, src)
	files, err := Render(Build(Options{Workspace: ws, Compiled: res.Products, State: testState(), Now: testNow, GeneratedBy: hostile}))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		s := string(b)
		if name == "catalog.json" {
			if !strings.Contains(s, `"<script>alert(1)</script>\"><img src=x onerror=alert(2)>'&"`) {
				t.Errorf("catalog.json does not hold the text as written")
			}
			continue
		}
		if strings.Contains(s, "<img") || strings.Contains(s, "alert(1)</script>") || strings.Contains(s, "<script>alert") {
			t.Errorf("%s lets markup from the definitions through", name)
		}
		if n := strings.Count(s, "<script"); (name == "index.html" && n != 1) || (name != "index.html" && n != 0) {
			t.Errorf("%s has %d script elements", name, n)
		}
		if !strings.Contains(s, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the text escaped", name)
		}
	}
	base := string(files["products/base.html"])
	for _, want := range []string{
		// element content: the description, a column's description, a reader
		`<p class="lead">&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;</p>`,
		`<td>&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;</td>`,
		`<li class="mono">&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;</li>`,
		// an attribute: the generator meta
		`<meta name="generator" content="&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;">`,
	} {
		if !strings.Contains(base, want) {
			t.Errorf("base.html lacks %s", want)
		}
	}
	// The search text is an attribute value.
	e := "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;"
	if want := `data-search="base ` + e + " " + e + " " + e + " d " + e + ` id email age"`; !strings.Contains(string(files["index.html"]), want) {
		t.Errorf("index.html lacks %s", want)
	}
}

func TestWrite(t *testing.T) {
	ws, res := loadTest(t, testHCL)
	c := Build(Options{Workspace: ws, Compiled: res.Products, State: testState(), Now: testNow})
	dir := filepath.Join(t.TempDir(), "site", "nested")
	if err := Write(dir, c); err != nil {
		t.Fatal(err)
	}
	want := []string{"catalog.json", "index.html", "products/base.html", "products/counts.html", "products/report.html"}
	if diff := cmp.Diff(want, listFiles(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	files, err := Render(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || string(b) != string(files[name]) {
			t.Errorf("%s is not what Render returns (%v)", name, err)
		}
	}

	// Writing again over the catalog replaces it, and a product that left
	// the workspace loses its page.
	c.Products = c.Products[:2]
	if err := Write(dir, c); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:4], listFiles(t, dir)); diff != "" {
		t.Errorf("after a product left (-want +got):\n%s", diff)
	}

	// A folder with other files is not a catalog: it is left alone.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = Write(other, c)
	if err == nil || err.Error() != other+" is not empty and holds no catalog.json: write the catalog into an empty folder or over a previous catalog" {
		t.Errorf("Write into a folder of other files: %v", err)
	}
	if diff := cmp.Diff([]string{"notes.txt"}, listFiles(t, other)); diff != "" {
		t.Errorf("the refused folder changed (-want +got):\n%s", diff)
	}
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

func TestRenderRefusesAPathAsAName(t *testing.T) {
	c := &Catalog{Products: []Product{{Name: "../x"}}}
	if _, err := Render(c); err == nil || err.Error() != `product "../x" cannot name a file` {
		t.Errorf("Render: %v", err)
	}
}

func TestFormatting(t *testing.T) {
	agoTests := []struct {
		secs int64
		want string
	}{
		{0, "0s"}, {59, "59s"}, {61, "1m 1s"}, {3600, "1h 0m"}, {7380, "2h 3m"}, {86400, "1d 0h"}, {190000, "2d 4h"},
	}
	for _, tt := range agoTests {
		if got := ago(tt.secs); got != tt.want {
			t.Errorf("ago(%d) = %q, want %q", tt.secs, got, tt.want)
		}
	}
	numTests := map[string]string{"0": "0", "999": "999", "1000": "1,000", "1234567": "1,234,567", "-1234": "-1,234"}
	for in, want := range numTests {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%s) = %q, want %q", in, got, want)
		}
	}
	byteTests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {14530, "14.2 KiB"}, {5 << 20, "5.0 MiB"}, {3 << 40, "3.0 TiB"}, {5 << 50, "5120.0 TiB"},
	}
	for _, tt := range byteTests {
		if got := humanBytes(tt.n); got != tt.want {
			t.Errorf("humanBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
