package odcs

import (
	"io"
	"slices"
	"strings"
	"time"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// APIVersion is the ODCS version the documents follow.
const APIVersion = "v3.0.2"

// Statuses a document may have.
const (
	// StatusActive: the product is deployed (state records a published
	// version).
	StatusActive = "active"
	// StatusProposed: the product is defined but not applied yet.
	StatusProposed = "proposed"
)

// Document is an ODCS data contract: the fields meshctl fills, in the
// order the standard lists them.
type Document struct {
	APIVersion  string
	Kind        string
	ID          string
	Name        string
	Version     string
	Status      string
	Domain      string
	DataProduct string
	Tags        []string
	// Purpose is description.purpose: the product's description.
	Purpose       string
	Schema        []SchemaObject
	SLAProperties []SLAProperty
	Team          []TeamMember
	Roles         []Role
	Servers       []Server
}

// SchemaObject is a dataset: the product's published output.
type SchemaObject struct {
	Name         string
	PhysicalName string
	// PhysicalType is "table" for a PostgreSQL output, "file" otherwise.
	PhysicalType string
	Description  string
	Properties   []Property
	Quality      []Quality
}

// Property is one published column.
type Property struct {
	Name string
	// LogicalType is ODCS's: string, integer, number, boolean or date
	// (dates and timestamps: v3.0 has no timestamp).
	LogicalType string
	// PhysicalType is the column's meshctl type ("decimal(18,2)").
	PhysicalType string
	// Required is true for a column promised non-null.
	Required       bool
	Description    string
	Classification string
	Tags           []string
	// PartitionKeyPosition is the column's 1-based place in partition_by;
	// 0 when the output is not partitioned by it.
	PartitionKeyPosition int
	// TransformSourceObjects are the sources and products the column's
	// values are computed from ("source.customers").
	TransformSourceObjects []string
	CustomProperties       []CustomProperty
}

// CustomProperty is a key/value ODCS does not define.
type CustomProperty struct {
	Property string
	Value    string
}

// Quality is a check: a custom rule run by meshctl, its implementation
// the check's assertion as written.
type Quality struct {
	Name           string
	Description    string
	Severity       string
	Engine         string
	Implementation string
}

// SLAProperty is one service level: the freshness as latency.
type SLAProperty struct {
	Property string
	Value    int64
	// Unit is d, h, m or s.
	Unit string
}

// TeamMember is someone accountable for the product.
type TeamMember struct {
	Username string
	Role     string
}

// Role is a group allowed to read the output.
type Role struct {
	Role   string
	Access string
}

// Server says where and how the output is served.
type Server struct {
	Server string
	// Type is local, s3 or custom (a PostgreSQL table, whose host the
	// workspace does not know: its DSN is a secret).
	Type     string
	Format   string
	Path     string
	Location string
	Schema   string
}

// Options controls Build.
type Options struct {
	// Status is the document's status (StatusProposed when "").
	Status string
}

// Build returns the contract of product name of ws, whose compiled form
// is p: the published schema is p's output schema (with the contract's
// nullability, descriptions and tags, and the tags propagated from the
// inputs), the rest comes from the product's definition.
func Build(ws *configs.Workspace, name string, p *ir.Product, opts Options) *Document {
	cp := ws.Products[name]
	d := &Document{
		APIVersion:  APIVersion,
		Kind:        "DataContract",
		Name:        name,
		Version:     cp.Version,
		Status:      opts.Status,
		Domain:      cp.Domain.Name,
		DataProduct: name,
		Tags:        cp.Tags,
		Purpose:     cp.Description,
	}
	mesh := ""
	if ws.Mesh != nil {
		mesh = ws.Mesh.Name
	}
	d.ID = "urn:meshctl:" + mesh + ":" + name
	if d.Version == "" {
		// ODCS requires a version; an unversioned product is a draft.
		d.Version = "0.0.0"
	}
	if d.Status == "" {
		d.Status = StatusProposed
	}

	obj := SchemaObject{Name: name, PhysicalName: p.Output.Path, PhysicalType: "file", Description: cp.Description}
	if p.Output.Format == "postgres" {
		obj.PhysicalType = "table"
		obj.PhysicalName = p.Output.Table
		if !strings.Contains(obj.PhysicalName, ".") {
			obj.PhysicalName = ir.DefaultPostgresSchema + "." + obj.PhysicalName
		}
	}
	masks := map[string]string{}
	if cp.Contract != nil {
		for _, c := range cp.Contract.Columns {
			masks[c.Name] = c.Mask
		}
	}
	lineage := ir.OutputLineage(p)
	for i, c := range p.Output.Schema {
		prop := Property{
			Name:           c.Name,
			LogicalType:    logicalType(c.Type),
			PhysicalType:   c.Type.String(),
			Required:       !c.Nullable,
			Description:    c.Description,
			Classification: classification(c.Tags),
			Tags:           c.Tags,
		}
		if pos := slices.Index(p.Output.PartitionBy, c.Name); pos >= 0 {
			prop.PartitionKeyPosition = pos + 1
		}
		for _, o := range lineage[i] {
			if !slices.Contains(prop.TransformSourceObjects, o.Source) {
				prop.TransformSourceObjects = append(prop.TransformSourceObjects, o.Source)
			}
		}
		slices.Sort(prop.TransformSourceObjects)
		if m := masks[c.Name]; m != "" {
			prop.CustomProperties = append(prop.CustomProperties, CustomProperty{Property: "mask", Value: m})
		}
		obj.Properties = append(obj.Properties, prop)
	}
	for _, ch := range cp.Checks {
		sev := ch.Severity
		if sev == "" {
			sev = string(ir.SeverityError)
		}
		q := Quality{Name: ch.Name, Description: ch.Description, Severity: sev, Engine: "meshctl"}
		if ch.Assert != nil {
			rng := ch.Assert.Range()
			q.Implementation = strings.TrimSpace(string(rng.SliceBytes(ws.Files[rng.Filename])))
		}
		obj.Quality = append(obj.Quality, q)
	}
	d.Schema = []SchemaObject{obj}

	if cp.SLA != nil && cp.SLA.Freshness > 0 {
		v, unit := durationUnit(cp.SLA.Freshness)
		d.SLAProperties = append(d.SLAProperties, SLAProperty{Property: "latency", Value: v, Unit: unit})
	}

	dom := ws.Domains[cp.Domain.Name]
	owner := cp.Owner
	if owner == "" && dom != nil {
		owner = dom.Owner
	}
	if owner != "" {
		d.Team = append(d.Team, TeamMember{Username: owner, Role: "owner"})
	}
	if dom != nil {
		if dom.Owner != "" && dom.Owner != owner {
			d.Team = append(d.Team, TeamMember{Username: dom.Owner, Role: "domain owner"})
		}
		if dom.Team != "" {
			d.Team = append(d.Team, TeamMember{Username: dom.Team, Role: "domain team"})
		}
	}
	if cp.Access != nil {
		for _, r := range cp.Access.Readers {
			d.Roles = append(d.Roles, Role{Role: r, Access: "read"})
		}
	}
	d.Servers = []Server{server(p.Output)}
	return d
}

// logicalType maps a meshctl type to ODCS v3.0's logical types.
func logicalType(t types.Type) string {
	switch t.Kind {
	case types.Bool:
		return "boolean"
	case types.Int32, types.Int64:
		return "integer"
	case types.Float64, types.Decimal:
		return "number"
	case types.Date, types.Timestamp:
		return "date"
	}
	return "string"
}

// classification is a column's class: the value of a
// "classification:VALUE" tag when there is one, "restricted" for a PII
// column (tagged "pii"), none otherwise.
func classification(tags []string) string {
	for _, t := range tags {
		if v, ok := strings.CutPrefix(t, "classification:"); ok && v != "" {
			return v
		}
	}
	if slices.Contains(tags, "pii") {
		return "restricted"
	}
	return ""
}

// durationUnit writes d in the largest of days, hours, minutes and
// seconds that divides it.
func durationUnit(d time.Duration) (int64, string) {
	for _, u := range []struct {
		d    time.Duration
		unit string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if d%u.d == 0 {
			return int64(d / u.d), u.unit
		}
	}
	return int64(d.Round(time.Second) / time.Second), "s"
}

// server describes where an output is published.
func server(o ir.Output) Server {
	switch {
	case o.Format == "postgres":
		s := Server{Server: "warehouse", Type: "custom", Location: o.Path}
		if _, schema, _, err := ir.ParsePostgresLocation(o.Path); err == nil {
			s.Schema = schema
		}
		return s
	case strings.HasPrefix(o.Path, "s3://"):
		return Server{Server: "lake", Type: "s3", Format: o.Format, Location: o.Path}
	}
	return Server{Server: "lake", Type: "local", Format: o.Format, Path: o.Path}
}

// Write writes d as YAML.
func Write(w io.Writer, d *Document) error {
	var m yMap
	m.add("apiVersion", d.APIVersion)
	m.add("kind", d.Kind)
	m.add("id", d.ID)
	m.add("name", d.Name)
	m.add("version", d.Version)
	m.add("status", d.Status)
	m.add("domain", d.Domain)
	m.add("dataProduct", d.DataProduct)
	m.add("tags", list(d.Tags))
	m.add("description", yMap{{"purpose", d.Purpose}})
	var schema yList
	for _, o := range d.Schema {
		var om yMap
		om.add("name", o.Name)
		om.add("physicalName", o.PhysicalName)
		om.add("physicalType", o.PhysicalType)
		om.add("logicalType", "object")
		om.add("description", o.Description)
		var props yList
		for _, p := range o.Properties {
			var pm yMap
			pm.add("name", p.Name)
			pm.add("logicalType", p.LogicalType)
			pm.add("physicalType", p.PhysicalType)
			pm.add("required", p.Required)
			pm.add("description", p.Description)
			pm.add("classification", p.Classification)
			pm.add("tags", list(p.Tags))
			if p.PartitionKeyPosition > 0 {
				pm.add("partitioned", true)
				pm.add("partitionKeyPosition", p.PartitionKeyPosition)
			}
			pm.add("transformSourceObjects", list(p.TransformSourceObjects))
			pm.add("customProperties", customProperties(p.CustomProperties))
			props = append(props, pm)
		}
		om.add("properties", props)
		var quality yList
		for _, q := range o.Quality {
			quality = append(quality, yMap{
				{"name", q.Name}, {"description", q.Description}, {"type", "custom"},
				{"severity", q.Severity}, {"engine", q.Engine}, {"implementation", q.Implementation},
			})
		}
		om.add("quality", quality)
		schema = append(schema, om)
	}
	m.add("schema", schema)
	var sla yList
	for _, s := range d.SLAProperties {
		sla = append(sla, yMap{{"property", s.Property}, {"value", s.Value}, {"unit", s.Unit}})
	}
	m.add("slaProperties", sla)
	var team yList
	for _, t := range d.Team {
		team = append(team, yMap{{"username", t.Username}, {"role", t.Role}})
	}
	m.add("team", team)
	var roles yList
	for _, r := range d.Roles {
		roles = append(roles, yMap{{"role", r.Role}, {"access", r.Access}})
	}
	m.add("roles", roles)
	var servers yList
	for _, s := range d.Servers {
		servers = append(servers, yMap{{"server", s.Server}, {"type", s.Type}, {"format", s.Format},
			{"path", s.Path}, {"location", s.Location}, {"schema", s.Schema}})
	}
	m.add("servers", servers)
	return writeYAML(w, m)
}

func list(ss []string) yList {
	out := make(yList, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func customProperties(cps []CustomProperty) yList {
	var out yList
	for _, c := range cps {
		out = append(out, yMap{{"property", c.Property}, {"value", c.Value}})
	}
	return out
}
