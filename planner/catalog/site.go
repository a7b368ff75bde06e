package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed site
var siteFS embed.FS

var (
	siteCSS, siteJS string
	templates       *template.Template
)

func init() {
	css, err := siteFS.ReadFile("site/catalog.css")
	if err != nil {
		panic(err)
	}
	js, err := siteFS.ReadFile("site/search.js")
	if err != nil {
		panic(err)
	}
	siteCSS, siteJS = string(css), string(js)
	templates = template.Must(template.New("catalog").Funcs(funcs).ParseFS(siteFS, "site/*.tmpl"))
}

// page is what every template sees: the catalog, and the way back to the
// site's root from the page ("" or "../").
type page struct {
	C    *Catalog
	Root string
	CSS  template.CSS
	JS   template.JS
}

type indexPage struct {
	page
	Groups []indexGroup
}

type indexGroup struct {
	Domain   Domain
	Products []*Product
}

type productPage struct {
	page
	P *Product
	// DomainInfo is the product's domain; nil when not declared.
	DomainInfo *Domain
	Graph      graph
}

// Render returns the files of c's site, keyed by slash-separated path
// below the site's root: index.html, catalog.json and
// products/<name>.html for every product.
func Render(c *Catalog) (map[string][]byte, error) {
	files := map[string][]byte{}
	doc, err := EncodeJSON(c)
	if err != nil {
		return nil, err
	}
	files["catalog.json"] = doc

	products := map[string]*Product{}
	for i := range c.Products {
		products[c.Products[i].Name] = &c.Products[i]
	}
	base := page{C: c, CSS: template.CSS(siteCSS)}
	idx := indexPage{page: base}
	idx.JS = template.JS(siteJS)
	for _, d := range c.Domains {
		g := indexGroup{Domain: d}
		for _, name := range d.Products {
			if p := products[name]; p != nil {
				g.Products = append(g.Products, p)
			}
		}
		if len(g.Products) > 0 {
			idx.Groups = append(idx.Groups, g)
		}
	}
	if files["index.html"], err = execute("index.html.tmpl", idx); err != nil {
		return nil, err
	}

	for i := range c.Products {
		p := &c.Products[i]
		if !validPageName(p.Name) {
			return nil, fmt.Errorf("product %q cannot name a file", p.Name)
		}
		pp := productPage{page: base, P: p, Graph: lineageGraph(c, p.Name)}
		pp.Root = "../"
		for j := range c.Domains {
			if c.Domains[j].Name == p.Domain {
				pp.DomainInfo = &c.Domains[j]
			}
		}
		name := "products/" + p.Name + ".html"
		if files[name], err = execute("product.html.tmpl", pp); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// EncodeJSON returns catalog.json: indented, HTML characters unescaped,
// one trailing newline.
func EncodeJSON(c *Catalog) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func execute(name string, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, name, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// validPageName reports whether a product name can name its page: names
// are HCL identifiers, so this only guards against a model built by hand.
func validPageName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`+"\x00")
}

// Write writes c's site into dir, creating it. It refuses a folder that
// holds files but no catalog.json, so that a mistyped --out never mixes
// the site into other files, and it removes the pages of products that
// left the catalog since the last build. Each file is replaced atomically.
func Write(dir string, c *Catalog) error {
	files, err := Render(c)
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, "catalog.json")); err != nil {
			return fmt.Errorf("%s is not empty and holds no catalog.json: write the catalog into an empty folder or over a previous catalog", dir)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "products"), 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(name)), files[name]); err != nil {
			return err
		}
	}
	old, err := filepath.Glob(filepath.Join(dir, "products", "*.html"))
	if err != nil {
		return err
	}
	for _, path := range old {
		if _, ok := files["products/"+filepath.Base(path)]; !ok {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeFile replaces path with b through a temporary file and a rename,
// so that a browser never reads half a page.
func writeFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".catalog-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

var funcs = template.FuncMap{
	"when":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ago":   ago,
	"num":   func(n any) string { return thousands(fmt.Sprint(n)) },
	"bytes": humanBytes,
	"join":  strings.Join,
	"statusLabel": func(s string) string {
		switch s {
		case StatusNotDeployed:
			return "not deployed"
		case StatusNoSLA:
			return "no SLA"
		case StatusMissing:
			return "nothing published"
		}
		return s
	},
	"resultLabel": func(s string) string {
		if s == ResultNotRun {
			return "not run"
		}
		return s
	},
	"sensitive": func(tag string) bool {
		t := strings.ToLower(tag)
		return t == "pii" || t == "sensitive" || t == "confidential" || strings.HasPrefix(t, "pii:")
	},
	"searchText":  searchText,
	"productHref": func(root, name string) string { return root + "products/" + name + ".html" },
	"refHref": func(root string, r Ref) string {
		if r.Kind == "product" {
			return root + "products/" + r.Name + ".html"
		}
		return root + "index.html#source-" + r.Name
	},
	"originHref": func(root string, o Origin) string {
		kind, name, _ := splitAddr(o.From)
		if kind == "product" {
			return root + "products/" + name + ".html#col-" + o.Column
		}
		return root + "index.html#source-" + name
	},
	"textX":  func(n graphNode) int { return n.X + graphPadX },
	"labelY": func(n graphNode) int { return n.Y + 19 },
	"subY":   func(n graphNode) int { return n.Y + 35 },
}

// searchText is what the index's search box matches: the words a
// consumer looks a product up by, lower-cased. Column tags are in it, so
// that a search for "pii" finds the products that publish some.
func searchText(p *Product) string {
	parts := []string{p.Name, p.Description, p.Owner, p.Team, p.Domain}
	parts = append(parts, p.Tags...)
	var tags []string
	for _, c := range p.Columns {
		parts = append(parts, c.Name)
		for _, t := range c.Tags {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
	}
	parts = append(parts, tags...)
	return strings.ToLower(strings.Join(parts, " "))
}

// ago prints a duration in seconds the way people read an age: the two
// largest units ("3d 4h", "2h 5m", "40s").
func ago(secs int64) string {
	d := time.Duration(secs) * time.Second
	days := int64(d / (24 * time.Hour))
	h := int64(d/time.Hour) % 24
	m := int64(d/time.Minute) % 60
	s := int64(d/time.Second) % 60
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// thousands groups the digits of an integer: 1234567 → 1,234,567.
func thousands(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// humanBytes prints a size in binary units: 512 B, 1.5 KiB, 3.2 MiB.
func humanBytes(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	for _, unit := range []string{"KiB", "MiB", "GiB", "TiB"} {
		v /= 1024
		if v < 1024 || unit == "TiB" {
			return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
		}
	}
	return ""
}
