package catalog

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/freshness"
	"github.com/meshctl/meshctl/planner/state"
)

// FormatVersion is the version of catalog.json's schema (JSON.md): fields
// are only added within a major version.
const FormatVersion = "1.0"

// Freshness statuses (Freshness.Status).
const (
	StatusFresh       = "fresh"
	StatusStale       = "stale"
	StatusNoSLA       = "no_sla"
	StatusMissing     = "missing"
	StatusNotDeployed = "not_deployed"
)

// Check results (Check.Result).
const (
	ResultPassed = "passed"
	ResultFailed = "failed"
	ResultNotRun = "not_run"
)

// Catalog is everything the site shows, and the document catalog.json
// holds. Lists are never nil, so that they encode as [].
type Catalog struct {
	FormatVersion string `json:"format_version"`
	// Mesh and Description come from the mesh block.
	Mesh        string `json:"mesh"`
	Description string `json:"description"`
	// GeneratedAt is the build time freshness was judged at.
	GeneratedAt time.Time `json:"generated_at"`
	GeneratedBy string    `json:"generated_by"`
	// State identifies the deployed state read; nil when nothing was ever
	// applied.
	State    *StateRef `json:"state"`
	Domains  []Domain  `json:"domains"`
	Sources  []Source  `json:"sources"`
	Products []Product `json:"products"`
}

// StateRef names the state document a catalog was built from.
type StateRef struct {
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
}

// Domain is a team's area of ownership and the products it holds.
type Domain struct {
	Name        string `json:"name"`
	Owner       string `json:"owner"`
	Team        string `json:"team"`
	Description string `json:"description"`
	// Products are the names of the domain's products, sorted.
	Products []string `json:"products"`
}

// Source is a system the mesh reads from.
type Source struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Domain      string `json:"domain"`
	Description string `json:"description"`
	// Location is the path or table read; a query source says "query".
	// Secrets (DSNs) never enter the catalog.
	Location string `json:"location"`
	// Downstream are the products that read the source, sorted.
	Downstream []string `json:"downstream"`
}

// Product is one data product as its consumers see it.
type Product struct {
	Name   string `json:"name"`
	Domain string `json:"domain"`
	// Owner falls back to the domain's, as in plans and policies.
	Owner       string   `json:"owner"`
	Team        string   `json:"team"`
	Description string   `json:"description"`
	Version     string   `json:"version"`
	Tags        []string `json:"tags"`
	Output      Output   `json:"output"`
	// Columns are the published columns, in output order.
	Columns []Column `json:"columns"`
	Checks  []Check  `json:"checks"`
	// SLA is nil when the product declares none.
	SLA       *SLA      `json:"sla"`
	Freshness Freshness `json:"freshness"`
	// Deployment is what the last apply published; nil when the product
	// was never applied.
	Deployment *Deployment `json:"deployment"`
	// Access is nil when the product has no access block.
	Access *Access `json:"access"`
	// Upstream are the product's inputs, in declaration order.
	Upstream []Ref `json:"upstream"`
	// Downstream are the inputs of other products that read this one,
	// sorted by product and input.
	Downstream []Ref `json:"downstream"`
}

// Output is where a product publishes.
type Output struct {
	Format      string   `json:"format"`
	Location    string   `json:"location"`
	PartitionBy []string `json:"partition_by"`
}

// Column is one published column.
type Column struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Nullable    bool     `json:"nullable"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
	Mask        string   `json:"mask"`
	// Contract says the contract declares the column: consumers may rely
	// on it. Other published columns may change without a major version.
	Contract bool `json:"contract"`
	// Lineage are the input columns the column is computed from.
	Lineage []Origin `json:"lineage"`
}

// Origin is an input column a published column is computed from.
type Origin struct {
	// Input is the product's input name; From what it reads
	// ("source.customers", "product.orders_clean").
	Input  string `json:"input"`
	From   string `json:"from"`
	Column string `json:"column"`
}

// Check is a quality check and its result at the last apply.
type Check struct {
	Name     string `json:"name"`
	Severity string `json:"severity"`
	// Assert is the assertion as written; "" for an implicit check.
	Assert      string `json:"assert"`
	Description string `json:"description"`
	// Implicit marks the checks the compiler adds to enforce the
	// contract's nullable = false.
	Implicit bool `json:"implicit"`
	// Result is passed, failed or not_run (not deployed, or added since
	// the last apply).
	Result string `json:"result"`
}

// SLA is a product's service level.
type SLA struct {
	// Freshness is the duration as written ("24h").
	Freshness        string `json:"freshness"`
	FreshnessSeconds int64  `json:"freshness_seconds"`
}

// Freshness is a product's freshness at the catalog's build time, as
// meshctl status judges it (planner/freshness): the age of the published
// data against the SLA.
type Freshness struct {
	// Status is fresh, stale, no_sla (deployed, no SLA to judge against),
	// missing (deployed with an SLA, but nothing published) or
	// not_deployed.
	Status string `json:"status"`
	// PublishedAt is when the published data was computed: the apply that
	// published its version (a metadata-only apply since does not make
	// the data younger); nil when nothing is published.
	PublishedAt *time.Time `json:"published_at"`
	// AgeSeconds is the time from PublishedAt to the build time.
	AgeSeconds int64 `json:"age_seconds"`
	// StaleAt is when the product becomes (or became) stale: PublishedAt
	// plus the SLA; nil without both.
	StaleAt *time.Time `json:"stale_at"`
}

// Deployment is what the last apply of a product published.
type Deployment struct {
	AppliedAt time.Time `json:"applied_at"`
	// Version is the product's version at that apply, which may differ
	// from the definition's until the next apply.
	Version string `json:"version"`
	// VersionID names the published version of the output.
	VersionID string `json:"version_id"`
	Location  string `json:"location"`
	Rows      int64  `json:"rows"`
	Bytes     int64  `json:"bytes"`
	Files     int    `json:"files"`
}

// Access says who may read a product's output.
type Access struct {
	Readers []string `json:"readers"`
}

// Ref is one edge of the product graph, seen from a product: the other
// end (a source or a product) and the input that makes the edge.
type Ref struct {
	// Kind is "source" or "product".
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Input is the input's name in the reading product.
	Input string `json:"input"`
}

// Addr is the end's address ("product.orders_clean").
func (r Ref) Addr() string { return r.Kind + "." + r.Name }

// Options are what a catalog is built from.
type Options struct {
	// Workspace is the loaded configuration; required.
	Workspace *configs.Workspace
	// Compiled are the products that compiled, by name. A product missing
	// from it shows its contract as declared and no column lineage.
	Compiled map[string]*ir.Product
	// State is the deployed state; nil when there is none.
	State *state.State
	// Now is the build time freshness is judged at.
	Now time.Time
	// GeneratedBy names the tool and version ("meshctl 1.2.0").
	GeneratedBy string
}

// Build returns the catalog of every product the workspace defines.
// Products deleted from the definitions but still in state are not listed:
// the next plan deletes them.
func Build(opts Options) *Catalog {
	ws := opts.Workspace
	now := opts.Now.UTC()
	c := &Catalog{
		FormatVersion: FormatVersion,
		GeneratedAt:   now,
		GeneratedBy:   opts.GeneratedBy,
		Domains:       []Domain{},
		Sources:       []Source{},
		Products:      []Product{},
	}
	if ws.Mesh != nil {
		c.Mesh, c.Description = ws.Mesh.Name, ws.Mesh.Description
	}
	st := opts.State
	if st != nil && st.Serial > 0 {
		c.State = &StateRef{Lineage: st.Lineage, Serial: st.Serial}
	}

	downstream := map[string][]Ref{} // by upstream address
	for _, name := range ws.ProductOrder {
		for _, in := range ws.Products[name].Inputs {
			addr := in.From.String()
			downstream[addr] = append(downstream[addr], Ref{Kind: "product", Name: name, Input: in.Name})
		}
	}
	for _, refs := range downstream {
		slices.SortFunc(refs, func(a, b Ref) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Input, b.Input)) })
	}

	if st == nil {
		st = &state.State{Products: map[string]*state.Product{}}
	}
	fresh := map[string]freshness.Product{}
	for _, f := range freshness.Check(ws, st, now).Products {
		fresh[f.Name] = f
	}

	byDomain := map[string][]string{}
	for _, name := range sortedNames(ws.Products) {
		cp := ws.Products[name]
		rec := st.Products[name]
		p := buildProduct(ws, cp, opts.Compiled[name], rec)
		p.Freshness = freshnessOf(fresh[name], rec)
		p.Downstream = nonNil(downstream["product."+name])
		c.Products = append(c.Products, p)
		byDomain[p.Domain] = append(byDomain[p.Domain], name)
	}

	for _, name := range sortedNames(ws.Domains) {
		d := ws.Domains[name]
		c.Domains = append(c.Domains, Domain{Name: name, Owner: d.Owner, Team: d.Team, Description: d.Description,
			Products: nonNil(byDomain[name])})
		delete(byDomain, name)
	}
	// A product whose domain is not declared (only after an error) still
	// gets a group, so that every product is listed.
	for _, name := range sortedNames(byDomain) {
		c.Domains = append(c.Domains, Domain{Name: name, Products: byDomain[name]})
	}

	for _, name := range sortedNames(ws.Sources) {
		s := ws.Sources[name]
		src := Source{Name: name, Type: s.Type, Description: s.Description, Location: s.Path}
		if s.Domain != nil {
			src.Domain = s.Domain.Name
		}
		switch {
		case s.Table != "":
			src.Location = s.Table
		case s.Query != "":
			src.Location = "query"
		}
		for _, r := range downstream["source."+name] {
			if !slices.Contains(src.Downstream, r.Name) {
				src.Downstream = append(src.Downstream, r.Name)
			}
		}
		src.Downstream = nonNil(src.Downstream)
		c.Sources = append(c.Sources, src)
	}
	return c
}

func buildProduct(ws *configs.Workspace, cp *configs.Product, p *ir.Product, rec *state.Product) Product {
	out := Product{
		Name:        cp.Name,
		Domain:      cp.Domain.Name,
		Owner:       cp.Owner,
		Description: cp.Description,
		Version:     cp.Version,
		Tags:        nonNil(slices.Clone(cp.Tags)),
		Columns:     []Column{},
		Checks:      []Check{},
		Upstream:    []Ref{},
	}
	if d := ws.Domains[cp.Domain.Name]; d != nil {
		out.Team = d.Team
		if out.Owner == "" {
			out.Owner = d.Owner
		}
	}
	out.Output = Output{PartitionBy: []string{}}
	if o := cp.Output; o != nil {
		out.Output = Output{Format: o.Format, Location: o.Location(), PartitionBy: nonNil(slices.Clone(o.PartitionBy))}
	}
	if p != nil && p.Output.Format != "" {
		out.Output.Format = p.Output.Format
	}
	for _, in := range cp.Inputs {
		out.Upstream = append(out.Upstream, Ref{Kind: in.From.Kind.String(), Name: in.From.Name, Input: in.Name})
	}
	out.Columns = columns(cp, p)
	out.Checks = checks(ws, cp, p, rec)
	if cp.SLA != nil && cp.SLA.Freshness > 0 {
		out.SLA = &SLA{Freshness: cp.SLA.FreshnessText, FreshnessSeconds: int64(cp.SLA.Freshness / time.Second)}
	}
	if rec != nil {
		loc := rec.Output.Path
		if loc == "" {
			loc = rec.Output.Table
		}
		out.Deployment = &Deployment{AppliedAt: rec.AppliedAt.UTC(), Version: rec.Metadata.Version, VersionID: rec.Output.VersionID,
			Location: loc, Rows: rec.Output.Rows, Bytes: rec.Output.Bytes, Files: len(rec.Output.Files)}
	}
	if cp.Access != nil {
		out.Access = &Access{Readers: nonNil(slices.Clone(cp.Access.Readers))}
	}
	return out
}

// columns lists the published columns: the compiled output schema with
// its lineage when the product compiled, else the contract as declared.
func columns(cp *configs.Product, p *ir.Product) []Column {
	declared := map[string]*configs.Column{}
	if cp.Contract != nil {
		for _, c := range cp.Contract.Columns {
			declared[c.Name] = c
		}
	}
	out := []Column{}
	if p == nil {
		if cp.Contract == nil {
			return out
		}
		for _, d := range cp.Contract.Columns {
			col := Column{Name: d.Name, Nullable: d.Nullable == nil || *d.Nullable, Description: d.Description,
				Tags: nonNil(slices.Clone(d.Tags)), Mask: d.Mask, Contract: true, Lineage: []Origin{}}
			if d.HasType {
				col.Type = d.Type.String()
			}
			out = append(out, col)
		}
		return out
	}
	lineage := ir.OutputLineage(p)
	for i, sc := range p.Output.Schema {
		col := Column{Name: sc.Name, Type: sc.Type.String(), Nullable: sc.Nullable, Description: sc.Description,
			Tags: nonNil(slices.Clone(sc.Tags)), Lineage: []Origin{}}
		if d := declared[sc.Name]; d != nil {
			col.Contract, col.Mask = true, d.Mask
		}
		if i < len(lineage) {
			for _, o := range lineage[i] {
				col.Lineage = append(col.Lineage, Origin{Input: o.Input, From: o.Source, Column: o.Column})
			}
		}
		out = append(out, col)
	}
	return out
}

// checks lists the declared checks, then the implicit ones the compiler
// added, each with its result in state.
func checks(ws *configs.Workspace, cp *configs.Product, p *ir.Product, rec *state.Product) []Check {
	results := map[string]bool{}
	if rec != nil {
		for _, r := range rec.Checks {
			results[r.Name] = r.Passed
		}
	}
	result := func(name string) string {
		passed, ok := results[name]
		switch {
		case !ok:
			return ResultNotRun
		case passed:
			return ResultPassed
		}
		return ResultFailed
	}
	out := []Check{}
	for _, ch := range cp.Checks {
		c := Check{Name: ch.Name, Severity: ch.Severity, Description: ch.Description, Result: result(ch.Name)}
		if ch.Assert != nil {
			c.Assert = sourceText(ws, ch.Assert.Range())
		}
		out = append(out, c)
	}
	if p != nil {
		for _, ch := range p.Checks {
			if ch.Implicit {
				out = append(out, Check{Name: ch.Name, Severity: string(ch.Severity), Implicit: true, Result: result(ch.Name),
					Description: "the contract says " + ch.Column + " is never null; the compiler cannot prove it, so apply counts the nulls"})
			}
		}
	}
	return out
}

// freshnessOf is the catalog's view of a product's freshness: that of
// meshctl status, except that a product never applied is not_deployed
// (status says missing when it has an SLA, no_sla otherwise).
func freshnessOf(f freshness.Product, rec *state.Product) Freshness {
	if rec == nil {
		return Freshness{Status: StatusNotDeployed}
	}
	out := Freshness{Status: string(f.Status), AgeSeconds: f.AgeSeconds}
	if f.PublishedAt != nil {
		at := f.PublishedAt.UTC()
		out.PublishedAt = &at
		if f.SLADur > 0 {
			staleAt := at.Add(f.SLADur)
			out.StaleAt = &staleAt
		}
	}
	return out
}

// sourceText returns the source text a range covers, trimmed; "" when
// the file is unknown.
func sourceText(ws *configs.Workspace, r hcl.Range) string {
	src := ws.Files[r.Filename]
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte >= r.End.Byte {
		return ""
	}
	return strings.TrimSpace(string(src[r.Start.Byte:r.End.Byte]))
}

// splitAddr splits an address such as "product.orders_clean" into its
// kind and name; ok is false for anything else.
func splitAddr(addr string) (kind, name string, ok bool) {
	k, n, found := strings.Cut(addr, ".")
	if !found || n == "" {
		return "", "", false
	}
	if _, known := addrs.KindByName(k); !known {
		return "", "", false
	}
	return k, n, true
}

func sortedNames[T any](m map[string]T) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// nonNil returns s, or an empty slice for nil, so that JSON says [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
