package freshness

import (
	"slices"
	"time"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/planner/state"
)

// Status is a product's freshness.
type Status string

// Statuses. Stale and Missing break the SLA; Fresh and NoSLA do not.
const (
	// Fresh: the published data is younger than the SLA's freshness.
	Fresh Status = "fresh"
	// Stale: the published data is older than the SLA allows.
	Stale Status = "stale"
	// Missing: the product has an SLA but nothing is published (never
	// applied, or its first apply failed).
	Missing Status = "missing"
	// NoSLA: the product promises no freshness.
	NoSLA Status = "no_sla"
)

// Breaks reports whether s breaks an SLA.
func (s Status) Breaks() bool { return s == Stale || s == Missing }

// Product is one product's freshness.
type Product struct {
	Name   string `json:"product"`
	Domain string `json:"domain,omitempty"`
	Owner  string `json:"owner,omitempty"`
	// SLA is the freshness as written ("24h"); "" without one.
	SLA        string        `json:"sla,omitempty"`
	SLADur     time.Duration `json:"-"`
	SLASeconds int64         `json:"sla_seconds,omitempty"`
	// AppliedAt is state's last apply of the product.
	AppliedAt *time.Time `json:"applied_at,omitempty"`
	// PublishedAt is when the published data was computed: the apply
	// that published its version. A metadata-only update moves AppliedAt,
	// not PublishedAt.
	PublishedAt *time.Time `json:"published_at,omitempty"`
	// Age is the time since PublishedAt (0 when nothing is published).
	Age        time.Duration `json:"-"`
	AgeSeconds int64         `json:"age_seconds,omitempty"`
	// Overdue is, for a stale product, how much older the data is than the
	// SLA allows.
	Overdue        time.Duration `json:"-"`
	OverdueSeconds int64         `json:"overdue_seconds,omitempty"`
	Status         Status        `json:"status"`
	// InCode is false for a product still in state but no longer declared.
	InCode bool `json:"in_code"`
}

// Report is the freshness of every product of a workspace and its state.
type Report struct {
	Now      time.Time `json:"now"`
	Products []Product `json:"products"`
}

// Breaking returns the products that break their SLA.
func (r *Report) Breaking() []Product {
	var out []Product
	for _, p := range r.Products {
		if p.Status.Breaks() {
			out = append(out, p)
		}
	}
	return out
}

// Count returns how many products have status s.
func (r *Report) Count(s Status) int {
	n := 0
	for _, p := range r.Products {
		if p.Status == s {
			n++
		}
	}
	return n
}

// Check compares, at now, every product declared in ws or recorded in st
// with its SLA, sorted by name. The SLA is the code's when the product is
// declared (what the team promises now), else the one state recorded.
func Check(ws *configs.Workspace, st *state.State, now time.Time) *Report {
	now = now.UTC()
	r := &Report{Now: now, Products: []Product{}}
	names := slices.Clone(ws.ProductOrder)
	for _, n := range st.Names() {
		if ws.Products[n] == nil {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		p := Product{Name: name}
		rec := st.Products[name]
		if cp := ws.Products[name]; cp != nil {
			p.InCode = true
			p.Domain, p.Owner = cp.Domain.Name, cp.Owner
			if p.Owner == "" && ws.Domains[cp.Domain.Name] != nil {
				p.Owner = ws.Domains[cp.Domain.Name].Owner
			}
			if cp.SLA != nil && cp.SLA.Freshness > 0 {
				p.SLA, p.SLADur = cp.SLA.FreshnessText, cp.SLA.Freshness
			}
		} else if rec != nil {
			p.Domain, p.Owner = rec.Metadata.Domain, rec.Metadata.Owner
			if d, err := configs.ParseDuration(rec.Metadata.Freshness); err == nil && d > 0 {
				p.SLA, p.SLADur = rec.Metadata.Freshness, d
			}
		}
		p.SLASeconds = int64(p.SLADur / time.Second)
		if rec != nil && !rec.AppliedAt.IsZero() {
			at := rec.AppliedAt.UTC()
			p.AppliedAt = &at
		}
		if pub, ok := publishedAt(rec); ok {
			p.PublishedAt = &pub
			p.Age = now.Sub(pub)
			if p.Age < 0 {
				p.Age = 0
			}
			p.AgeSeconds = int64(p.Age / time.Second)
		}
		switch {
		case p.SLADur == 0:
			p.Status = NoSLA
		case p.PublishedAt == nil:
			p.Status = Missing
		case p.Age > p.SLADur:
			p.Status = Stale
			p.Overdue = p.Age - p.SLADur
			p.OverdueSeconds = int64(p.Overdue / time.Second)
		default:
			p.Status = Fresh
		}
		r.Products = append(r.Products, p)
	}
	return r
}

// versionTimeLayout starts the version ids apply writes
// ("20261125T161500Z-0a1b2c"): the time the version was made.
const versionTimeLayout = "20060102T150405Z"

// publishedAt is when rec's published data was computed: the time its
// version id starts with, or the last apply when the id does not start
// with one, whichever is earlier — an update after the publication moves
// AppliedAt but leaves the data as old as it was. ok is false when
// nothing is published.
func publishedAt(rec *state.Product) (time.Time, bool) {
	if rec == nil || rec.Output.VersionID == "" {
		return time.Time{}, false
	}
	at := rec.AppliedAt.UTC()
	if len(rec.Output.VersionID) >= len(versionTimeLayout) {
		if t, err := time.Parse(versionTimeLayout, rec.Output.VersionID[:len(versionTimeLayout)]); err == nil && (at.IsZero() || t.Before(at)) {
			at = t
		}
	}
	return at, !at.IsZero()
}
