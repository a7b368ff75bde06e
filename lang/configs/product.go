package configs

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/ir"
)

var productSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "domain", Required: true}, {Name: "owner"}, {Name: "description"}, {Name: "version"}, {Name: "tags"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "input", LabelNames: []string{"name"}},
		{Type: "transform", LabelNames: []string{"name"}},
		{Type: "output"}, {Type: "contract"},
		{Type: "check", LabelNames: []string{"name"}},
		{Type: "sla"}, {Type: "lifecycle"}, {Type: "access"},
	},
}

func (d *decoder) product(b *hcl.Block) *Product {
	c, hd := b.Body.Content(productSchema)
	d.hcl(hd)
	p := &Product{Name: b.Labels[0], Range: b.DefRange, Block: blockRange(b)}
	p.Domain, p.DomainRange, _ = d.ref(c.Attributes, "domain", addrs.DomainKind)
	p.Owner, _ = d.str(c.Attributes, "owner")
	p.Description, _ = d.str(c.Attributes, "description")
	if v, ok := d.str(c.Attributes, "version"); ok {
		p.VersionRange = c.Attributes["version"].Expr.Range()
		if _, err := semver.StrictNewVersion(v); err != nil {
			d.errorf(p.VersionRange, "Invalid version", "version must be a semantic version MAJOR.MINOR.PATCH, such as \"1.2.0\"; %q is not.", v)
		} else {
			p.Version = v
		}
	}
	p.Tags, _ = d.strList(c.Attributes, "tags")

	locals := map[string]hcl.Range{} // inputs and transforms share one namespace
	checks := map[string]hcl.Range{}
	var first = map[string]hcl.Range{}
	for _, blk := range c.Blocks {
		switch blk.Type {
		case "input":
			if d.localName(blk, "input or transform", locals) {
				p.Inputs = append(p.Inputs, d.input(blk))
			}
		case "transform":
			if d.localName(blk, "input or transform", locals) {
				p.Transforms = append(p.Transforms, d.transform(blk))
			}
		case "check":
			if d.localName(blk, "check", checks) {
				p.Checks = append(p.Checks, d.check(blk))
			}
		case "output", "contract", "sla", "lifecycle", "access":
			r, seen := first[blk.Type]
			if !d.single(blk, r, seen) {
				continue
			}
			first[blk.Type] = blk.DefRange
			switch blk.Type {
			case "output":
				p.Output = d.output(blk)
			case "contract":
				p.Contract = d.contract(blk)
			case "sla":
				p.SLA = d.sla(blk)
			case "lifecycle":
				p.Lifecycle = d.lifecycle(blk)
			case "access":
				p.Access = d.access(blk)
			}
		}
	}
	if len(p.Inputs) == 0 {
		d.errorf(b.DefRange, "Product without inputs", "Product %q reads nothing: add an input block, such as input \"customers\" { from = source.crm }.", p.Name)
	}
	if p.Output == nil {
		d.errorf(b.DefRange, "Missing output block", "Product %q publishes nothing: add an output block with a path, such as output { path = \"lake/%s/\" }.", p.Name, p.Name)
	}
	return p
}

// blockRange covers a block from its type keyword to its closing brace.
func blockRange(b *hcl.Block) hcl.Range {
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		return hcl.RangeBetween(b.DefRange, sb.SrcRange)
	}
	return b.DefRange
}

var inputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}, {Name: "description"}}}

func (d *decoder) input(b *hcl.Block) *Input {
	c, hd := b.Body.Content(inputSchema)
	d.hcl(hd)
	in := &Input{Name: b.Labels[0], Range: b.DefRange}
	in.From, in.FromRange, _ = d.ref(c.Attributes, "from", addrs.SourceKind, addrs.ProductKind)
	return in
}

var transformSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}, {Name: "description"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "filter"}, {Type: "select"}, {Type: "join"}, {Type: "aggregate"},
		{Type: "sort"}, {Type: "limit"}, {Type: "distinct"}, {Type: "union"},
	},
}

// OperatorKinds lists the operator blocks of a transform.
var OperatorKinds = []string{"filter", "select", "join", "aggregate", "sort", "limit", "distinct", "union"}

var opSchemas = map[string]*hcl.BodySchema{
	"filter": {Attributes: []hcl.AttributeSchema{{Name: "where", Required: true}}},
	"select": {Attributes: []hcl.AttributeSchema{{Name: "columns", Required: true}}},
	"join": {Attributes: []hcl.AttributeSchema{
		{Name: "with", Required: true}, {Name: "type"}, {Name: "on", Required: true}, {Name: "as"}}},
	"aggregate": {Attributes: []hcl.AttributeSchema{{Name: "group_by"}, {Name: "columns", Required: true}}},
	"sort":      {Attributes: []hcl.AttributeSchema{{Name: "by", Required: true}}},
	"limit":     {Attributes: []hcl.AttributeSchema{{Name: "count", Required: true}, {Name: "offset"}}},
	"distinct":  {},
	"union":     {Attributes: []hcl.AttributeSchema{{Name: "with", Required: true}, {Name: "distinct"}}},
}

func (d *decoder) transform(b *hcl.Block) *Transform {
	c, hd := b.Body.Content(transformSchema)
	d.hcl(hd)
	t := &Transform{Name: b.Labels[0], Range: b.DefRange}
	t.From, t.FromRange, _ = d.ref(c.Attributes, "from", addrs.InputKind, addrs.TransformKind)
	for _, ob := range c.Blocks {
		if op := d.operator(ob); op != nil {
			t.Operators = append(t.Operators, op)
		}
	}
	return t
}

func (d *decoder) operator(b *hcl.Block) Operator {
	c, hd := b.Body.Content(opSchemas[b.Type])
	d.hcl(hd)
	base := OpBase{Range: b.DefRange}
	a := c.Attributes
	switch b.Type {
	case "filter":
		return &Filter{OpBase: base, Where: expr(a, "where")}
	case "select":
		op := &Select{OpBase: base}
		if at, ok := a["columns"]; ok {
			op.Columns = d.namedExprs(at, true)
		}
		return op
	case "join":
		op := &Join{OpBase: base, Type: "inner", On: expr(a, "on")}
		op.With, op.WithRange, _ = d.ref(a, "with", addrs.InputKind, addrs.TransformKind)
		if at, ok := a["type"]; ok {
			op.TypeRange = at.Expr.Range()
			op.Type = d.enum(a, "type", "inner", "inner", "left", "right", "full", "semi", "anti")
		}
		if as, ok := d.str(a, "as"); ok {
			if !hclsyntax.ValidIdentifier(as) {
				d.errorf(a["as"].Expr.Range(), "Invalid join alias", "as must be a name usable in expressions such as %s.id.", "o")
			} else {
				op.As = as
			}
		}
		return op
	case "aggregate":
		op := &Aggregate{OpBase: base}
		if at, ok := a["group_by"]; ok {
			op.GroupBy = d.exprList(at)
		}
		if at, ok := a["columns"]; ok {
			op.Columns = d.namedExprs(at, false)
		}
		return op
	case "sort":
		op := &Sort{OpBase: base}
		if at, ok := a["by"]; ok {
			op.By = d.exprList(at)
		}
		return op
	case "limit":
		op := &Limit{OpBase: base}
		op.Count, _ = d.integer(a, "count")
		op.Offset, _ = d.integer(a, "offset")
		return op
	case "distinct":
		return &Distinct{OpBase: base}
	case "union":
		op := &Union{OpBase: base}
		op.Distinct, _ = d.boolean(a, "distinct")
		if at, ok := a["with"]; ok {
			for _, e := range d.exprList(at) {
				if r, ok := d.refExpr(e, "with", addrs.InputKind, addrs.TransformKind); ok {
					op.With = append(op.With, r)
					op.WithRanges = append(op.WithRanges, e.Range())
				}
			}
		}
		return op
	}
	return nil
}

// exprList returns the elements of a list expression [a, b]; a single
// expression stands for a list of one.
func (d *decoder) exprList(a *hcl.Attribute) []hcl.Expression {
	if _, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok {
		es, hd := hcl.ExprList(a.Expr)
		d.hcl(hd)
		return es
	}
	return []hcl.Expression{a.Expr}
}

// namedExprs decodes columns = { name = expr, … }, keeping the written
// order. With allowList, the short form columns = [a, b] stands for
// { a = a, b = b }.
func (d *decoder) namedExprs(a *hcl.Attribute, allowList bool) []NamedExpr {
	switch e := a.Expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		out := make([]NamedExpr, 0, len(e.Items))
		seen := map[string]hcl.Range{}
		for _, item := range e.Items {
			name, ok := objectKey(item.KeyExpr)
			rng := item.KeyExpr.Range()
			if !ok {
				d.errorf(rng, "Invalid column name", "A column name is a plain name (or a quoted string), such as country = upper(country).")
				continue
			}
			if first, dup := seen[name]; dup {
				d.errorf(rng, fmt.Sprintf("Duplicate column %q", name), "Column %q is already defined at %s.", name, hcldiag.Range(first))
				continue
			}
			seen[name] = rng
			out = append(out, NamedExpr{Name: name, NameRange: rng, Expr: item.ValueExpr})
		}
		if len(out) == 0 && len(e.Items) == 0 {
			d.errorf(a.Expr.Range(), "No columns", "%s must name at least one column.", a.Name)
		}
		return out
	case *hclsyntax.TupleConsExpr:
		if allowList {
			out := make([]NamedExpr, 0, len(e.Exprs))
			seen := map[string]hcl.Range{}
			for _, item := range e.Exprs {
				trav, hd := hcl.AbsTraversalForExpr(item)
				if hd.HasErrors() {
					d.errorf(item.Range(), "Invalid column in list", "In the list form columns = [a, b], each item is a column name; to derive a column use the object form, columns = { name = expression }.")
					continue
				}
				name := trav.RootName()
				if len(trav) > 1 {
					if step, ok := trav[len(trav)-1].(hcl.TraverseAttr); ok {
						name = step.Name
					}
				}
				if first, dup := seen[name]; dup {
					d.errorf(item.Range(), fmt.Sprintf("Duplicate column %q", name), "Column %q is already listed at %s.", name, hcldiag.Range(first))
					continue
				}
				seen[name] = item.Range()
				out = append(out, NamedExpr{Name: name, NameRange: item.Range(), Expr: item})
			}
			if len(out) == 0 && len(e.Exprs) == 0 {
				d.errorf(a.Expr.Range(), "No columns", "%s must name at least one column.", a.Name)
			}
			return out
		}
	}
	if allowList {
		d.errorf(a.Expr.Range(), "Invalid columns", "columns must be an object { name = expression, … } or a list of column names [a, b].")
	} else {
		d.errorf(a.Expr.Range(), "Invalid columns", "columns must be an object { name = aggregate, … }, such as { customers = count_distinct(id) }.")
	}
	return nil
}

// objectKey returns the name of an object constructor key: a bare word or
// a literal string.
func objectKey(e hclsyntax.Expression) (string, bool) {
	if k, ok := e.(*hclsyntax.ObjectConsKeyExpr); ok {
		if k.ForceNonLiteral {
			return "", false
		}
		if name := hcl.ExprAsKeyword(k.Wrapped); name != "" {
			return name, true
		}
		e = k.Wrapped
	}
	if t, ok := e.(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
		v, _ := t.Value(nil)
		if s := v.AsString(); s != "" {
			return s, true
		}
	}
	return "", false
}

var outputSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "from"}, {Name: "format"}, {Name: "path"}, {Name: "table"}, {Name: "dsn"}, {Name: "endpoint"},
	{Name: "partition_by"}, {Name: "compression"}, {Name: "encryption"}, {Name: "kms_key_id"},
}}

// Encryptions lists the values of an output's encryption: S3's server-side
// encryption modes.
var Encryptions = []string{"AES256", "aws:kms"}

// OutputFormats lists the output formats meshctl knows.
var OutputFormats = []string{"parquet", "csv", "postgres", "iceberg"}

func (d *decoder) output(b *hcl.Block) *Output {
	c, hd := b.Body.Content(outputSchema)
	d.hcl(hd)
	o := &Output{Range: b.DefRange, Format: "parquet", Compression: "snappy"}
	a := c.Attributes
	if r, rng, ok := d.ref(a, "from", addrs.TransformKind, addrs.InputKind); ok {
		o.From, o.FromRange = &r, rng
	}
	if at, ok := a["format"]; ok {
		o.FormatRange = at.Expr.Range()
		o.Format = d.enum(a, "format", "parquet", OutputFormats...)
	}
	o.Path, _ = d.str(a, "path")
	o.Table, _ = d.str(a, "table")
	o.DSN = d.outputDSN(b, a, o.Format)
	o.Endpoint, _ = d.str(a, "endpoint")
	if at, ok := a["partition_by"]; ok {
		o.PartitionRange = at.Expr.Range()
		o.PartitionBy, _ = d.strListOrRefs(at)
	}
	o.Compression = d.enum(a, "compression", "snappy", "snappy", "zstd", "gzip", "none")
	d.encryption(o, a)
	switch o.Format {
	case "parquet", "csv":
		if o.Path == "" {
			d.errorf(b.DefRange, "Missing output path", "A %s output needs path: a folder or an s3:// prefix, such as \"lake/sales/orders/\".", o.Format)
		}
	case "postgres":
		if o.Table == "" {
			d.errorf(b.DefRange, "Missing output table", "A postgres output needs table, such as \"analytics.orders\".")
		}
		if loc := o.Location(); loc != "" {
			if _, _, _, err := ir.ParsePostgresLocation(loc); err != nil {
				d.errorf(a["table"].Expr.Range(), "Invalid output table", "table must be schema.table or a table of the public schema, such as \"analytics.orders\", each name at most 63 bytes without dots: %q is not.", o.Table)
			}
		}
		if at, ok := a["path"]; ok {
			d.errorf(at.NameRange, "Attribute not used by a postgres output", "A postgres output is published into its table, which the output's location names; remove path.")
		}
	case "iceberg":
		d.errorf(o.FormatRange, "Iceberg output is not supported yet", "Write parquet for now; Iceberg tables come in a later release.")
	}
	return o
}

// outputDSN decodes the dsn of an output: required for postgres outputs
// and refused for others. It must be env("NAME"), never a literal: the
// output's location, stored in state and shown in plans, is built from
// it (Location), and the variable's name is what keeps the DSN out of
// both.
func (d *decoder) outputDSN(b *hcl.Block, a hcl.Attributes, format string) *Secret {
	at, written := a["dsn"]
	switch {
	case !written:
		if format == "postgres" {
			d.errorf(b.DefRange, "Missing dsn", "A postgres output needs dsn = env(\"NAME\"), the variable holding the connection string of the database it publishes into.")
		}
		return nil
	case format != "postgres":
		d.errorf(at.NameRange, "Attribute not used by a "+format+" output", "dsn applies to postgres outputs only.")
		return nil
	}
	if call, ok := at.Expr.(*hclsyntax.FunctionCallExpr); !ok || call.Name != "env" {
		d.errorf(at.Expr.Range(), "Output dsn must come from env()",
			"Write dsn = env(\"NAME\"): a postgres output is known by the location postgres://NAME/<schema>.<table>, which state records and plans show, so it must name the variable holding the DSN, never the DSN itself.")
		return nil
	}
	return d.secret(a, "dsn")
}

// Location is where the output is published, as lakes, state and plans
// know it: Path, or for a postgres output postgres://<DSN variable>/
// <schema>.<table> (ir.PostgresLocation), "" when the output names
// neither (after an error).
func (o *Output) Location() string {
	if o.Format != "postgres" {
		return o.Path
	}
	if o.DSN == nil || o.DSN.Env == "" || o.Table == "" {
		return ""
	}
	return ir.PostgresLocation(o.DSN.Env, o.Table)
}

// encryption decodes an output's server-side encryption. It is stored for
// every output, so that policies see what was asked, but only S3 applies
// it: elsewhere it is a warning, not an error, since the same product may
// publish locally in development.
func (d *decoder) encryption(o *Output, a hcl.Attributes) {
	enc, written := a["encryption"]
	if written {
		o.EncryptionRange = enc.Expr.Range()
		o.Encryption = d.enum(a, "encryption", "", Encryptions...)
	}
	if kms, ok := a["kms_key_id"]; ok {
		id, valid := d.str(a, "kms_key_id")
		switch {
		case !valid:
		case o.Encryption != "aws:kms" && (!written || o.Encryption != ""):
			d.errorf(kms.NameRange, "kms_key_id without aws:kms encryption",
				"A KMS key only applies to SSE-KMS: set encryption = \"aws:kms\" next to kms_key_id, or remove kms_key_id.")
		case strings.TrimSpace(id) == "":
			d.errorf(kms.Expr.Range(), "Empty kms_key_id",
				"kms_key_id names a KMS key, such as \"arn:aws:kms:eu-west-1:111122223333:key/…\"; leave it out to use the bucket's default key.")
		default:
			o.KMSKeyID = id
		}
	}
	if o.Encryption != "" && !strings.HasPrefix(o.Path, "s3://") {
		where := fmt.Sprintf("path %q", o.Path)
		if o.Path == "" {
			where = "a " + o.Format + " output"
		}
		d.warnf(o.EncryptionRange, "Encryption has no effect here",
			"encryption only takes effect for S3 outputs (path = \"s3://…\"); %s is written without it. The setting is kept for policies.", where)
	}
}

// strListOrRefs decodes a list of column names written either as strings
// ["country"] or as bare names [country].
func (d *decoder) strListOrRefs(a *hcl.Attribute) ([]string, bool) {
	var out []string
	for _, e := range d.exprList(a) {
		if name := hcl.ExprAsKeyword(e); name != "" {
			out = append(out, name)
			continue
		}
		if t, ok := e.(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
			v, _ := t.Value(nil)
			out = append(out, v.AsString())
			continue
		}
		d.errorf(e.Range(), "Invalid column name", "%s lists column names, such as [\"country\"].", a.Name)
		return nil, false
	}
	return out, true
}

var contractSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "column", LabelNames: []string{"name"}}}}

func (d *decoder) contract(b *hcl.Block) *Contract {
	c, hd := b.Body.Content(contractSchema)
	d.hcl(hd)
	ct := &Contract{Range: b.DefRange}
	seen := map[string]hcl.Range{}
	for _, cb := range c.Blocks {
		if col := d.column(cb, seen, true); col != nil {
			ct.Columns = append(ct.Columns, col)
		}
	}
	return ct
}

var checkSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "assert", Required: true}, {Name: "severity"}, {Name: "description"},
}}

func (d *decoder) check(b *hcl.Block) *Check {
	c, hd := b.Body.Content(checkSchema)
	d.hcl(hd)
	ch := &Check{Name: b.Labels[0], Range: b.DefRange, Assert: expr(c.Attributes, "assert")}
	ch.Severity = d.enum(c.Attributes, "severity", "error", "error", "warn")
	ch.Description, _ = d.str(c.Attributes, "description")
	return ch
}

var slaSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "freshness"}}}

func (d *decoder) sla(b *hcl.Block) *SLA {
	c, hd := b.Body.Content(slaSchema)
	d.hcl(hd)
	s := &SLA{Range: b.DefRange}
	if f, ok := d.str(c.Attributes, "freshness"); ok {
		dur, err := ParseDuration(f)
		if err != nil || dur <= 0 {
			d.errorf(c.Attributes["freshness"].Expr.Range(), "Invalid freshness", "freshness is a duration such as \"30m\", \"24h\" or \"7d\"; %q is not.", f)
		} else {
			s.Freshness, s.FreshnessText = dur, f
		}
	}
	return s
}

var lifecycleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "prevent_destroy"}}}

var accessSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "readers", Required: true}}}

func (d *decoder) access(b *hcl.Block) *Access {
	c, hd := b.Body.Content(accessSchema)
	d.hcl(hd)
	ac := &Access{Range: b.DefRange}
	a, ok := c.Attributes["readers"]
	if !ok {
		return ac
	}
	ac.ReadersRange = a.Expr.Range()
	readers, ok := d.strList(c.Attributes, "readers")
	if !ok {
		return ac
	}
	// Point at the offending item when the list is written out.
	at := func(i int) hcl.Range {
		if t, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok && len(t.Exprs) == len(readers) {
			return t.Exprs[i].Range()
		}
		return a.Expr.Range()
	}
	seen := map[string]int{}
	ac.Readers = []string{}
	for i, r := range readers {
		if strings.TrimSpace(r) == "" {
			d.errorf(at(i), "Empty reader", "readers lists groups or principals, such as \"everyone\" or \"team-finance\"; an empty name grants nothing.")
			continue
		}
		if first, dup := seen[r]; dup {
			d.warnf(at(i), fmt.Sprintf("Duplicate reader %q", r), "%q is already listed at %s.", r, hcldiag.Range(at(first)))
			continue
		}
		seen[r] = i
		ac.Readers = append(ac.Readers, r)
	}
	return ac
}

func (d *decoder) lifecycle(b *hcl.Block) *Lifecycle {
	c, hd := b.Body.Content(lifecycleSchema)
	d.hcl(hd)
	l := &Lifecycle{Range: b.DefRange}
	l.PreventDestroy, _ = d.boolean(c.Attributes, "prevent_destroy")
	return l
}

// ParseDuration reads a duration as Go does ("90m", "1h30m") and also with
// days and weeks ("7d", "2w", "1d12h"), which SLAs are usually written in.
func ParseDuration(s string) (time.Duration, error) {
	var total time.Duration
	rest := strings.TrimSpace(s)
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			break
		}
		unit := rest[i]
		if unit != 'd' && unit != 'w' {
			break
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil {
			return 0, err
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		total += time.Duration(n) * day
		rest = rest[i+1:]
	}
	if rest == "" {
		if total == 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return total, nil
	}
	d, err := time.ParseDuration(rest)
	return total + d, err
}
