package main

// End-to-end test of meshctl catalog: the site built from a copy of
// examples/sales before and after an apply, then opened in headless
// Chromium (Debian's chromium package; .ci/run installs it), which runs
// the page's script offline and dumps the DOM or takes a screenshot.

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/catalog"
)

// chromiumPath returns the headless browser to drive. Without one the test
// is skipped, except in CI (CI=true), where .ci/run installs it and its
// absence is a failure.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium is not installed (apt-get install chromium): the catalog's browser test needs it"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; .ci/run installs it in CI")
	}
	t.Skip(msg)
	return ""
}

// runChromium runs headless Chromium with a fresh profile, no GPU and no
// network (every host name fails to resolve), so that a page that needs
// anything beyond its own files shows it.
func runChromium(t *testing.T, browser string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--host-resolver-rules=MAP * ~NOTFOUND"}
	cmd := exec.CommandContext(ctx, browser, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// fileURL is the file:// address of path, with query appended when set.
func fileURL(path, query string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: query}
	return u.String()
}

var productItem = regexp.MustCompile(`<li class="product"[^>]*>`)

// shownProducts reads, from a dumped index page, which products the list
// shows (true) and which the search hid (false).
func shownProducts(t *testing.T, dom string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	name := regexp.MustCompile(`data-name="([^"]+)"`)
	for _, li := range productItem.FindAllString(dom, -1) {
		m := name.FindStringSubmatch(li)
		if m == nil {
			t.Fatalf("a product item without data-name: %s", li)
		}
		out[m[1]] = !strings.Contains(li, " hidden")
	}
	return out
}

func TestCatalogInChromium(t *testing.T) {
	t.Parallel()
	browser := chromiumPath(t)
	dir := salesWorkspace(t)

	// Before any apply, every product is listed as not deployed.
	r := meshctlExit(t, dir, 0, "catalog", "--out", "before")
	if want := "Catalog of 3 products written to " + filepath.Join("before", "index.html") + "\n"; r.stdout != want {
		t.Errorf("catalog says %q, want %q", r.stdout, want)
	}
	before := readCatalogJSON(t, filepath.Join(dir, "before", "catalog.json"))
	if before.State != nil {
		t.Errorf("catalog before apply: state %+v, want null", before.State)
	}
	for _, p := range before.Products {
		if p.Deployment != nil || p.Freshness.Status != catalog.StatusNotDeployed {
			t.Errorf("%s before apply: deployment %+v, freshness %q", p.Name, p.Deployment, p.Freshness.Status)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "before", "products", "orders_clean.html")); err != nil || !bytes.Contains(b, []byte("This product was never applied")) {
		t.Errorf("orders_clean.html before apply does not say it is not deployed (%v)", err)
	}

	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	start := time.Now().UTC()
	// Terraform's single-dash flag works too, and the site is rebuilt in place.
	meshctlExit(t, dir, 0, "catalog", "-out", "site")
	meshctlExit(t, dir, 0, "catalog", "-out", "site")
	site := filepath.Join(dir, "site")
	c := readCatalogJSON(t, filepath.Join(site, "catalog.json"))
	if c.State == nil || c.State.Serial < 1 || c.Mesh != "acme-sales" {
		t.Errorf("catalog.json: mesh %q, state %+v", c.Mesh, c.State)
	}
	var names []string
	for _, p := range c.Products {
		names = append(names, p.Name)
		d := p.Deployment
		if d == nil || d.Rows <= 0 || d.VersionID == "" || d.AppliedAt.Before(start.Add(-time.Minute)) {
			t.Errorf("%s after apply: deployment %+v", p.Name, d)
		}
		if p.Freshness.Status != catalog.StatusFresh {
			t.Errorf("%s after apply: freshness %q, want fresh", p.Name, p.Freshness.Status)
		}
		for _, ch := range p.Checks {
			if ch.Result != catalog.ResultPassed {
				t.Errorf("%s: check %s %s", p.Name, ch.Name, ch.Result)
			}
		}
	}
	if diff := cmp.Diff([]string{"adult_customers_by_country", "orders_clean", "top_customers"}, names); diff != "" {
		t.Errorf("catalog.json products (-want +got):\n%s", diff)
	}

	index := filepath.Join(site, "index.html")
	t.Run("index lists every product", func(t *testing.T) {
		dom := runChromium(t, browser, "--dump-dom", fileURL(index, ""))
		want := map[string]bool{}
		for _, p := range salesProducts {
			want[p] = true
		}
		if diff := cmp.Diff(want, shownProducts(t, dom)); diff != "" {
			t.Errorf("products shown (-want +got):\n%s", diff)
		}
		if !strings.Contains(dom, `<span id="count" aria-live="polite">3 of 3 products</span>`) {
			t.Errorf("the count does not say 3 of 3 products")
		}
	})

	t.Run("search filters the list", func(t *testing.T) {
		tests := []struct {
			query string
			shown map[string]bool
			count string
		}{
			// order_month is a column of orders_clean only.
			{"q=month", map[string]bool{"orders_clean": true, "adult_customers_by_country": false, "top_customers": false}, "1 of 3 products"},
			// Every word must match; a tag and a column name.
			{"q=tier:gold+REVENUE", map[string]bool{"orders_clean": true, "adult_customers_by_country": true, "top_customers": false}, "2 of 3 products"},
			// Column tags: top_customers publishes a pii column.
			{"q=pii", map[string]bool{"orders_clean": false, "adult_customers_by_country": false, "top_customers": true}, "1 of 3 products"},
			{"q=nothing-like-this", map[string]bool{"orders_clean": false, "adult_customers_by_country": false, "top_customers": false}, "0 of 3 products"},
		}
		for _, tt := range tests {
			dom := runChromium(t, browser, "--dump-dom", fileURL(index, tt.query))
			if diff := cmp.Diff(tt.shown, shownProducts(t, dom)); diff != "" {
				t.Errorf("?%s: products shown (-want +got):\n%s", tt.query, diff)
			}
			if !strings.Contains(dom, ">"+tt.count+"<") {
				t.Errorf("?%s: the count does not say %s", tt.query, tt.count)
			}
			noneShown := strings.Contains(dom, `<p id="none">`)
			if wantNone := tt.count == "0 of 3 products"; noneShown != wantNone {
				t.Errorf("?%s: the no-match message shown: %v, want %v", tt.query, noneShown, wantNone)
			}
		}
	})

	t.Run("a product page shows its contract and lineage", func(t *testing.T) {
		page := filepath.Join(site, "products", "adult_customers_by_country.html")
		dom := runChromium(t, browser, "--dump-dom", fileURL(page, ""))
		for _, s := range []string{
			`<tr id="col-country"><td class="mono">country</td><td class="mono">string</td><td>not null</td>`,
			`<tr id="col-customers"><td class="mono">customers</td><td class="mono">int64</td>`,
			`<tr id="col-revenue"><td class="mono">revenue</td><td class="mono">decimal(18,2)</td><td>nullable</td><td>Sum of order amounts</td>`,
			`<span class="badge fresh">fresh</span>`,
			`<dt>SLA</dt><dd>fresh within 24h</dd>`,
			`<svg class="lineage"`,
			`<g class="node product" data-node="product.orders_clean">`,
			`<text class="label" x="`, `>orders_clean</text>`,
			`<g class="node source" data-node="source.customers">`, `>customers</text>`,
			`<g class="node source" data-node="source.orders">`,
			`<g class="node product current" data-node="product.adult_customers_by_country">`,
			`data-from="product.orders_clean" data-to="product.adult_customers_by_country"`,
			`>product.orders_clean.amount</a>`,
		} {
			if !strings.Contains(dom, s) {
				t.Errorf("the page lacks %s", s)
			}
		}
	})

	t.Run("screenshots", func(t *testing.T) {
		shots := t.TempDir()
		for _, s := range []struct{ name, page string }{
			{"catalog.png", index},
			{"product.png", filepath.Join(site, "products", "orders_clean.html")},
		} {
			path := filepath.Join(shots, s.name)
			runChromium(t, browser, "--screenshot="+path, "--window-size=1280,900", fileURL(s.page, ""))
			checkScreenshot(t, path)
		}
	})
}

// checkScreenshot fails unless path is a 1280×900 PNG with something
// drawn on it: more than a handful of colours.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b != image.Rect(0, 0, 1280, 900) {
		t.Errorf("%s is %v, want 1280x900", path, b)
	}
	colours := map[[4]uint32]bool{}
	for y := 0; y < 900; y += 3 {
		for x := 0; x < 1280; x += 3 {
			r, g, b, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, b, a}] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("%s has %d colours: the page did not render", path, len(colours))
	}
}

func readCatalogJSON(t *testing.T, path string) *catalog.Catalog {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c catalog.Catalog
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &c
}

func TestCatalogFlags(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	r := meshctlExit(t, dir, 1, "catalog")
	if want := "Error: catalog needs --out DIR, the folder to write the site into (or --json to print catalog.json)\n"; !strings.HasPrefix(r.stderr, want) {
		t.Errorf("catalog without --out: %q", r.stderr)
	}
	// --json alone prints the document and writes nothing.
	r = meshctlExit(t, dir, 0, "catalog", "--json")
	var c catalog.Catalog
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || len(c.Products) != 3 || c.FormatVersion != catalog.FormatVersion {
		t.Errorf("catalog --json: %v, %d products", err, len(c.Products))
	}
	// A folder of other files is refused and left as it was.
	write(t, dir, "notes/todo.txt", "mine")
	r = meshctlExit(t, dir, 1, "catalog", "--out", "notes")
	if !strings.Contains(r.stderr, "is not empty and holds no catalog.json") {
		t.Errorf("catalog --out notes: %q", r.stderr)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "notes")); len(entries) != 1 {
		t.Errorf("notes/ holds %d entries, want its one file", len(entries))
	}
	// Paths are relative to --chdir, like every path.
	meshctlExit(t, filepath.Dir(dir), 0, "--chdir", filepath.Base(dir), "catalog", "--out", "site")
	if _, err := os.Stat(filepath.Join(dir, "site", "index.html")); err != nil {
		t.Errorf("--chdir: %v", err)
	}
}
