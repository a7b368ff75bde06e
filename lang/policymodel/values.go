package policymodel

import "github.com/zclconf/go-cty/cty"

// Column is the Go form of ColumnType. An empty Mask is null.
type Column struct {
	Name, Type, Description string
	Nullable                bool
	Tags, TagSources        []string
	Mask                    string
	Contract                bool
}

// Output is the Go form of OutputType. Empty Encryption and KMSKeyID are
// null.
type Output struct {
	Format, Path, Table  string
	PartitionBy          []string
	Encryption, KMSKeyID string
	Columns              []Column
}

// SLA is the Go form of SLAType.
type SLA struct {
	Freshness string
	Hours     float64
}

// Check is the Go form of CheckType.
type Check struct{ Name, Severity string }

// Product is the Go form of ProductType. A nil SLA is null.
type Product struct {
	Name, Domain, Owner, Team, Description, Version string
	Tags, Inputs                                    []string
	Columns, Contract                               []Column
	HasContract                                     bool
	Output                                          Output
	Checks                                          []Check
	SLA                                             *SLA
	Readers                                         []string
	PreventDestroy                                  bool
}

// Source is the Go form of SourceType.
type Source struct {
	Name, Type, Domain, Description, Path, Table, Query, Endpoint string
	HasDSN, DSNFromEnv                                            bool
	Columns                                                       []Column
}

// ColumnChange is the Go form of ColumnChangeType.
type ColumnChange struct {
	Column, Kind, Before, After string
	Breaking                    bool
}

// Change is the Go form of ChangeType.
type Change struct {
	Action                                       string
	Breaking, MajorVersionBumped                 bool
	RequiredBump, DeclaredBump                   string
	VersionBefore, VersionAfter                  string
	Reasons                                      []string
	RemovedColumns, AddedColumns, ChangedColumns []string
	MasksRemoved                                 []string
	ColumnChanges                                []ColumnChange
	Downstream                                   []string
}

// Value returns the column as a ColumnType value.
func (c Column) Value() cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"name":        cty.StringVal(c.Name),
		"type":        cty.StringVal(c.Type),
		"nullable":    cty.BoolVal(c.Nullable),
		"description": cty.StringVal(c.Description),
		"tags":        stringList(c.Tags),
		"tag_sources": stringList(c.TagSources),
		"mask":        nullable(c.Mask),
		"contract":    cty.BoolVal(c.Contract),
	})
}

// Value returns the output as an OutputType value.
func (o Output) Value() cty.Value { return o.value(columns(o.Columns)) }

func (o Output) value(cols cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"format":       cty.StringVal(o.Format),
		"path":         cty.StringVal(o.Path),
		"table":        cty.StringVal(o.Table),
		"partition_by": stringList(o.PartitionBy),
		"encryption":   nullable(o.Encryption),
		"kms_key_id":   nullable(o.KMSKeyID),
		"columns":      cols,
	})
}

// Value returns the product as a ProductType value.
func (p Product) Value() cty.Value {
	v, _, _ := p.Values()
	return v
}

// Values returns the product as a ProductType value, with its output and
// its columns' values, which share the same column values: a policy
// engine evaluating every column builds each once.
func (p Product) Values() (product, output cty.Value, cols []cty.Value) {
	cols = make([]cty.Value, len(p.Columns))
	for i, c := range p.Columns {
		cols[i] = c.Value()
	}
	colList := list(ColumnType, cols)
	contract := colList
	if len(p.Contract) != len(p.Columns) {
		contract = columns(p.Contract)
	}
	output = p.Output.value(colList)
	sla := cty.NullVal(SLAType)
	if p.SLA != nil {
		sla = cty.ObjectVal(map[string]cty.Value{
			"freshness":       cty.StringVal(p.SLA.Freshness),
			"freshness_hours": cty.NumberFloatVal(p.SLA.Hours),
		})
	}
	checks := make([]cty.Value, len(p.Checks))
	for i, c := range p.Checks {
		checks[i] = cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(c.Name), "severity": cty.StringVal(c.Severity)})
	}
	product = cty.ObjectVal(map[string]cty.Value{
		"name":            cty.StringVal(p.Name),
		"domain":          cty.StringVal(p.Domain),
		"owner":           cty.StringVal(p.Owner),
		"team":            cty.StringVal(p.Team),
		"description":     cty.StringVal(p.Description),
		"version":         cty.StringVal(p.Version),
		"tags":            stringList(p.Tags),
		"inputs":          stringList(p.Inputs),
		"columns":         colList,
		"contract":        contract,
		"has_contract":    cty.BoolVal(p.HasContract),
		"output":          output,
		"checks":          list(CheckType, checks),
		"sla":             sla,
		"access":          cty.ObjectVal(map[string]cty.Value{"readers": stringList(p.Readers)}),
		"prevent_destroy": cty.BoolVal(p.PreventDestroy),
	})
	return product, output, cols
}

// Value returns the source as a SourceType value.
func (s Source) Value() cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"name":         cty.StringVal(s.Name),
		"type":         cty.StringVal(s.Type),
		"domain":       cty.StringVal(s.Domain),
		"description":  cty.StringVal(s.Description),
		"path":         cty.StringVal(s.Path),
		"table":        cty.StringVal(s.Table),
		"query":        cty.StringVal(s.Query),
		"endpoint":     cty.StringVal(s.Endpoint),
		"has_dsn":      cty.BoolVal(s.HasDSN),
		"dsn_from_env": cty.BoolVal(s.DSNFromEnv),
		"columns":      columns(s.Columns),
	})
}

// Value returns the change as a ChangeType value.
func (c Change) Value() cty.Value {
	ccs := make([]cty.Value, len(c.ColumnChanges))
	for i, cc := range c.ColumnChanges {
		ccs[i] = cty.ObjectVal(map[string]cty.Value{
			"column":   cty.StringVal(cc.Column),
			"kind":     cty.StringVal(cc.Kind),
			"before":   cty.StringVal(cc.Before),
			"after":    cty.StringVal(cc.After),
			"breaking": cty.BoolVal(cc.Breaking),
		})
	}
	return cty.ObjectVal(map[string]cty.Value{
		"action":               cty.StringVal(c.Action),
		"breaking":             cty.BoolVal(c.Breaking),
		"required_bump":        cty.StringVal(c.RequiredBump),
		"declared_bump":        cty.StringVal(c.DeclaredBump),
		"major_version_bumped": cty.BoolVal(c.MajorVersionBumped),
		"version_before":       cty.StringVal(c.VersionBefore),
		"version_after":        cty.StringVal(c.VersionAfter),
		"reasons":              stringList(c.Reasons),
		"removed_columns":      stringList(c.RemovedColumns),
		"added_columns":        stringList(c.AddedColumns),
		"changed_columns":      stringList(c.ChangedColumns),
		"masks_removed":        stringList(c.MasksRemoved),
		"column_changes":       list(ColumnChangeType, ccs),
		"downstream":           stringList(c.Downstream),
	})
}

func nullable(s string) cty.Value {
	if s == "" {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(s)
}

func stringList(ss []string) cty.Value {
	vs := make([]cty.Value, len(ss))
	for i, s := range ss {
		vs[i] = cty.StringVal(s)
	}
	return list(cty.String, vs)
}

func columns(cs []Column) cty.Value {
	vs := make([]cty.Value, len(cs))
	for i, c := range cs {
		vs[i] = c.Value()
	}
	return list(ColumnType, vs)
}

func list(t cty.Type, vs []cty.Value) cty.Value {
	if len(vs) == 0 {
		return cty.ListValEmpty(t)
	}
	return cty.ListVal(vs)
}
