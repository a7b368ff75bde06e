package configs

import (
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/policymodel"
	"github.com/meshctl/meshctl/lang/suggest"
	"github.com/meshctl/meshctl/lang/types"
)

// decoder accumulates diagnostics while decoding blocks.
type decoder struct {
	diags diag.Diagnostics
	ctx   *hcl.EvalContext
	// seen records where each named block was first declared, keyed by
	// "kind.name".
	seen map[string]hcl.Range
	// gov is the governance folder of the file being decoded ("" for the
	// workspace); govPolicies the folder of each governance policy.
	gov         string
	govPolicies map[string]string
}

func newDecoder(opts Options) *decoder {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) (string, bool) { return "", false }
	}
	env := function.New(&function.Spec{
		Description: "Returns the value of an environment variable.",
		Params:      []function.Parameter{{Name: "name", Type: cty.String}},
		Type:        function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			name := args[0].AsString()
			v, ok := getenv(name)
			if !ok {
				return cty.NilVal, fmt.Errorf("the environment variable %s is not set", name)
			}
			return cty.StringVal(v), nil
		},
	})
	return &decoder{
		ctx:         &hcl.EvalContext{Functions: map[string]function.Function{"env": env}},
		seen:        map[string]hcl.Range{},
		govPolicies: map[string]string{},
	}
}

func (d *decoder) errorf(rng hcl.Range, summary, detail string, args ...any) {
	d.diags = append(d.diags, diag.New(diag.Error, hcldiag.Range(rng), summary, fmt.Sprintf(detail, args...)))
}

func (d *decoder) warnf(rng hcl.Range, summary, detail string, args ...any) {
	d.diags = append(d.diags, diag.New(diag.Warning, hcldiag.Range(rng), summary, fmt.Sprintf(detail, args...)))
}

func (d *decoder) hcl(hd hcl.Diagnostics) bool {
	d.diags = append(d.diags, hcldiag.Diags(hd)...)
	return !hd.HasErrors()
}

var fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "mesh"},
	{Type: "domain", LabelNames: []string{"name"}},
	{Type: "source", LabelNames: []string{"name"}},
	{Type: "product", LabelNames: []string{"name"}},
	{Type: "policy", LabelNames: []string{"name"}},
	{Type: "exemption", LabelNames: []string{"name"}},
}}

func (d *decoder) file(ws *Workspace, f *hcl.File) {
	content, hd := f.Body.Content(fileSchema)
	d.hcl(hd)
	if content == nil {
		return
	}
	for _, b := range content.Blocks {
		if d.gov != "" && b.Type != "policy" && b.Type != "exemption" {
			d.errorf(b.DefRange, "Block not allowed in a governance folder",
				"A governance folder holds policies and exemptions only; this %s block belongs in a workspace, not in %s.", b.Type, d.gov)
			continue
		}
		if b.Type != "mesh" && !d.name(b) {
			continue
		}
		switch b.Type {
		case "mesh":
			if ws.Mesh != nil {
				d.errorf(b.DefRange, "Duplicate mesh block", "A workspace has one mesh block; the first is at %s.", hcldiag.Range(ws.Mesh.Range))
				continue
			}
			ws.Mesh = d.mesh(b)
		case "domain":
			declare(ws.Domains, &ws.DomainOrder, b.Labels[0], d.domain(b))
		case "source":
			declare(ws.Sources, &ws.SourceOrder, b.Labels[0], d.source(b))
		case "product":
			declare(ws.Products, &ws.ProductOrder, b.Labels[0], d.product(b))
		case "policy":
			declare(ws.Policies, &ws.PolicyOrder, b.Labels[0], d.policy(b))
		case "exemption":
			declare(ws.Exemptions, &ws.ExemptionOrder, b.Labels[0], d.exemption(b))
		}
	}
}

// declare records a decoded block under its name, keeping declaration
// order.
func declare[T any](m map[string]*T, order *[]string, name string, v *T) {
	if v != nil {
		m[name] = v
		*order = append(*order, name)
	}
}

// name checks a block's name label: a valid identifier (it is used in
// references such as product.NAME) not declared before.
func (d *decoder) name(b *hcl.Block) bool {
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		d.errorf(b.LabelRanges[0], "Invalid "+b.Type+" name",
			"%q cannot be used in references such as %s.NAME: a name starts with a letter and holds only letters, digits, underscores and dashes.", name, b.Type)
		return false
	}
	key := b.Type + "." + name
	if first, ok := d.seen[key]; ok {
		gov, fromGov := d.govPolicies[name]
		switch {
		case b.Type == "policy" && fromGov && d.gov == "":
			d.errorf(b.LabelRanges[0], fmt.Sprintf("Policy %q overrides a governance policy", name),
				"Policy %q is defined by the governance policies in %s (%s); a workspace cannot override the mesh's rules. Rename this policy, or change the governance one there.",
				name, gov, hcldiag.Range(first))
		case b.Type == "policy" && fromGov && d.gov != gov:
			d.errorf(b.LabelRanges[0], fmt.Sprintf("Duplicate policy %q", name),
				"Policy %q is defined by both governance folders %s (%s) and %s; names are unique across all governance folders.",
				name, gov, hcldiag.Range(first), d.gov)
		default:
			d.errorf(b.LabelRanges[0], fmt.Sprintf("Duplicate %s %q", b.Type, name),
				"A %s named %q is already declared at %s. Names are unique across all files of a workspace and its governance folders.", b.Type, name, hcldiag.Range(first))
		}
		return false
	}
	d.seen[key] = b.DefRange
	if b.Type == "policy" && d.gov != "" {
		d.govPolicies[name] = d.gov
	}
	return true
}

// localName checks the label of a block nested in a product (input,
// transform, check, contract column…): valid and unique among seen.
func (d *decoder) localName(b *hcl.Block, what string, seen map[string]hcl.Range) bool {
	name := b.Labels[0]
	if !hclsyntax.ValidIdentifier(name) {
		d.errorf(b.LabelRanges[0], "Invalid "+what+" name",
			"%q is not a valid name: a name starts with a letter and holds only letters, digits, underscores and dashes.", name)
		return false
	}
	if first, ok := seen[name]; ok {
		d.errorf(b.LabelRanges[0], fmt.Sprintf("Duplicate %s %q", what, name), "%q is already declared at %s.", name, hcldiag.Range(first))
		return false
	}
	seen[name] = b.DefRange
	return true
}

// single reports a repeated block that may appear once (output, sla…).
func (d *decoder) single(b *hcl.Block, first hcl.Range, ok bool) bool {
	if ok {
		d.errorf(b.DefRange, "Duplicate "+b.Type+" block", "Only one %s block is allowed here; the first is at %s.", b.Type, hcldiag.Range(first))
		return false
	}
	return true
}

// ---- attribute helpers -------------------------------------------------

// value evaluates a static attribute: literals, templates and env() only.
func (d *decoder) value(a *hcl.Attribute) (cty.Value, bool) {
	v, hd := a.Expr.Value(d.ctx)
	if !d.hcl(hd) {
		return cty.NilVal, false
	}
	if v.IsNull() {
		d.errorf(a.Expr.Range(), "Invalid value for "+a.Name, "%s must not be null.", a.Name)
		return cty.NilVal, false
	}
	return v, true
}

func typeName(t cty.Type) string {
	switch {
	case t == cty.String:
		return "a string"
	case t == cty.Number:
		return "a number"
	case t == cty.Bool:
		return "a bool"
	case t.IsTupleType() || t.IsListType():
		return "a list"
	case t.IsObjectType() || t.IsMapType():
		return "an object"
	}
	return t.FriendlyName()
}

func (d *decoder) wrongType(a *hcl.Attribute, want string, v cty.Value) {
	d.errorf(a.Expr.Range(), "Incorrect attribute value type", "%s must be %s, not %s.", a.Name, want, typeName(v.Type()))
}

// str decodes an optional string attribute.
func (d *decoder) str(attrs hcl.Attributes, name string) (string, bool) {
	a, ok := attrs[name]
	if !ok {
		return "", false
	}
	v, ok := d.value(a)
	if !ok {
		return "", false
	}
	if v.Type() != cty.String {
		d.wrongType(a, "a string", v)
		return "", false
	}
	return v.AsString(), true
}

// enum decodes an optional string attribute that must be one of allowed.
func (d *decoder) enum(attrs hcl.Attributes, name, def string, allowed ...string) string {
	s, ok := d.str(attrs, name)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	d.errorf(attrs[name].Expr.Range(), "Invalid "+name, "%q is not a valid %s: use one of %s.%s", s, name,
		strings.Join(quoteAll(allowed), ", "), suggest.DidYouMean(s, allowed))
	return ""
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + s + `"`
	}
	return out
}

func (d *decoder) boolean(attrs hcl.Attributes, name string) (bool, bool) {
	a, ok := attrs[name]
	if !ok {
		return false, false
	}
	v, ok := d.value(a)
	if !ok {
		return false, false
	}
	if v.Type() != cty.Bool {
		d.wrongType(a, "a bool (true or false)", v)
		return false, false
	}
	return v.True(), true
}

func (d *decoder) integer(attrs hcl.Attributes, name string) (int64, bool) {
	a, ok := attrs[name]
	if !ok {
		return 0, false
	}
	v, ok := d.value(a)
	if !ok {
		return 0, false
	}
	if v.Type() != cty.Number {
		d.wrongType(a, "a whole number", v)
		return 0, false
	}
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	if acc != big.Exact || !bf.IsInt() || n < 0 {
		d.errorf(a.Expr.Range(), "Invalid value for "+name, "%s must be a whole number, zero or more.", name)
		return 0, false
	}
	return n, true
}

func (d *decoder) strList(attrs hcl.Attributes, name string) ([]string, bool) {
	a, ok := attrs[name]
	if !ok {
		return nil, false
	}
	v, ok := d.value(a)
	if !ok {
		return nil, false
	}
	t := v.Type()
	if !(t.IsTupleType() || t.IsListType() || t.IsSetType()) {
		d.wrongType(a, "a list of strings", v)
		return nil, false
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.Type() != cty.String {
			d.errorf(a.Expr.Range(), "Incorrect attribute value type", "%s must be a list of strings.", name)
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

// expr returns an attribute's expression unevaluated, or nil when absent.
func expr(attrs hcl.Attributes, name string) hcl.Expression {
	if a, ok := attrs[name]; ok {
		return a.Expr
	}
	return nil
}

// ref decodes a reference attribute such as domain = domain.sales. kinds
// lists what it may name.
func (d *decoder) ref(attrs hcl.Attributes, name string, kinds ...addrs.Kind) (addrs.Ref, hcl.Range, bool) {
	a, ok := attrs[name]
	if !ok {
		return addrs.Ref{}, hcl.Range{}, false
	}
	r, ok := d.refExpr(a.Expr, name, kinds...)
	return r, a.Expr.Range(), ok
}

func kindList(kinds []addrs.Kind) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = k.String() + ".NAME"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

func (d *decoder) refExpr(e hcl.Expression, attr string, kinds ...addrs.Kind) (addrs.Ref, bool) {
	want := kindList(kinds)
	if t, ok := e.(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
		v, _ := t.Value(nil)
		d.errorf(e.Range(), "Invalid reference", "%s must be a reference such as %s, not a string: write %s without quotes.", attr, want, v.AsString())
		return addrs.Ref{}, false
	}
	trav, hd := hcl.AbsTraversalForExpr(e)
	if hd.HasErrors() || len(trav) != 2 {
		d.errorf(e.Range(), "Invalid reference", "%s must be a reference such as %s.", attr, want)
		return addrs.Ref{}, false
	}
	root := trav.RootName()
	step, ok := trav[1].(hcl.TraverseAttr)
	if !ok {
		d.errorf(e.Range(), "Invalid reference", "%s must be a reference such as %s.", attr, want)
		return addrs.Ref{}, false
	}
	k, known := addrs.KindByName(root)
	for _, want := range kinds {
		if known && k == want {
			return addrs.Ref{Kind: k, Name: step.Name}, true
		}
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.String()
	}
	d.errorf(e.Range(), "Invalid reference", "%s must refer to %s; %q is not one of those.%s", attr, want, root+"."+step.Name, suggest.DidYouMean(root, names))
	return addrs.Ref{}, false
}

// secret decodes an attribute holding a secret: env("NAME") is kept as the
// variable's name, never its value; a literal is allowed (a local DSN) but
// warned about when it looks like it embeds a password.
func (d *decoder) secret(attrs hcl.Attributes, name string) *Secret {
	a, ok := attrs[name]
	if !ok {
		return nil
	}
	if call, ok := a.Expr.(*hclsyntax.FunctionCallExpr); ok && call.Name == "env" {
		if len(call.Args) == 1 {
			if t, ok := call.Args[0].(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
				v, _ := t.Value(nil)
				if v.AsString() != "" {
					return &Secret{Env: v.AsString(), Range: a.Expr.Range()}
				}
			}
		}
		d.errorf(a.Expr.Range(), "Invalid env() call", "%s takes the name of one environment variable, such as env(\"CRM_PG_DSN\").", name)
		return nil
	}
	s, ok := d.str(attrs, name)
	if !ok {
		return nil
	}
	if looksLikePassword(s) {
		d.warnf(a.Expr.Range(), "Secret written in plain text",
			"%s seems to hold a password, which would then live in git and in plans. Put it in an environment variable and write %s = env(\"NAME\").", name, name)
	}
	return &Secret{Literal: s, Range: a.Expr.Range()}
}

// looksLikePassword spots user:password@ in URLs and password= in
// key/value DSNs.
func looksLikePassword(s string) bool {
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if at := strings.IndexByte(rest, '@'); at >= 0 && strings.Contains(rest[:at], ":") {
			return true
		}
	}
	return strings.Contains(strings.ToLower(s), "password=")
}

// ---- blocks -------------------------------------------------------------

var meshSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "name", Required: true}, {Name: "mask_key"}, {Name: "description"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "state"}, {Type: "lineage"}},
}

var lineageSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "file"}, {Name: "url"}, {Name: "endpoint"}, {Name: "api_key"}, {Name: "namespace"},
}}

var stateSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "backend"}, {Name: "path"}, {Name: "bucket"}, {Name: "key"}, {Name: "region"},
	{Name: "endpoint"}, {Name: "table"}, {Name: "dsn"},
}}

func (d *decoder) mesh(b *hcl.Block) *Mesh {
	m := &Mesh{Range: b.DefRange}
	c, hd := b.Body.Content(meshSchema)
	d.hcl(hd)
	m.Name, _ = d.str(c.Attributes, "name")
	m.MaskKey = d.secret(c.Attributes, "mask_key")
	m.Description, _ = d.str(c.Attributes, "description")
	var stateRange, lineageRange hcl.Range
	for _, sb := range c.Blocks {
		if sb.Type == "lineage" {
			if d.single(sb, lineageRange, m.Lineage != nil) {
				lineageRange = sb.DefRange
				m.Lineage = d.lineage(sb)
			}
			continue
		}
		if !d.single(sb, stateRange, m.State != nil) {
			continue
		}
		stateRange = sb.DefRange
		sc, hd := sb.Body.Content(stateSchema)
		d.hcl(hd)
		st := &StateConfig{Range: sb.DefRange}
		st.Backend = d.enum(sc.Attributes, "backend", "local", "local", "s3", "postgres")
		st.Path, _ = d.str(sc.Attributes, "path")
		st.Bucket, _ = d.str(sc.Attributes, "bucket")
		st.Key, _ = d.str(sc.Attributes, "key")
		st.Region, _ = d.str(sc.Attributes, "region")
		st.Endpoint, _ = d.str(sc.Attributes, "endpoint")
		st.Table, _ = d.str(sc.Attributes, "table")
		st.DSN = d.secret(sc.Attributes, "dsn")
		switch st.Backend {
		case "s3":
			if st.Bucket == "" {
				d.errorf(sb.DefRange, "Missing bucket", "The s3 state backend needs bucket (and optionally key, region, endpoint).")
			}
		case "postgres":
			if _, written := sc.Attributes["dsn"]; !written {
				d.errorf(sb.DefRange, "Missing dsn", "The postgres state backend needs dsn = env(\"NAME\").")
			}
		}
		m.State = st
	}
	return m
}

// lineage decodes mesh { lineage { ... } }: a file or an http(s) URL,
// not both; endpoint and api_key only go with a URL.
func (d *decoder) lineage(b *hcl.Block) *LineageConfig {
	c, hd := b.Body.Content(lineageSchema)
	d.hcl(hd)
	l := &LineageConfig{Range: b.DefRange}
	var fileOK, urlOK bool
	l.File, fileOK = d.str(c.Attributes, "file")
	l.URL, urlOK = d.str(c.Attributes, "url")
	l.Endpoint, _ = d.str(c.Attributes, "endpoint")
	l.APIKey = d.secret(c.Attributes, "api_key")
	l.Namespace, _ = d.str(c.Attributes, "namespace")
	fileAttr, hasFile := c.Attributes["file"]
	urlAttr, hasURL := c.Attributes["url"]
	switch {
	case hasFile && hasURL:
		later := urlAttr
		if fileAttr.Range.Start.Byte > urlAttr.Range.Start.Byte {
			later = fileAttr
		}
		d.errorf(later.NameRange, "Both file and url", "OpenLineage events go to a file or to an HTTP endpoint, not both: remove one of them.")
	case !hasFile && !hasURL:
		d.errorf(b.DefRange, "Missing file or url",
			"A lineage block names where apply sends OpenLineage events: file = \".meshctl/lineage.jsonl\" (JSON lines) or url = \"http://marquez:5000\" (an OpenLineage HTTP endpoint).")
	case fileOK && strings.TrimSpace(l.File) == "":
		d.errorf(fileAttr.Expr.Range(), "Empty file", "file is the JSON-lines file OpenLineage events are appended to, such as \".meshctl/lineage.jsonl\".")
	case urlOK:
		if u, err := url.Parse(l.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			d.errorf(urlAttr.Expr.Range(), "Invalid lineage url",
				"url is an OpenLineage HTTP endpoint such as \"http://marquez:5000\": http:// or https://, then a host; %q is not.", l.URL)
		}
	}
	if !hasURL {
		for _, n := range []string{"endpoint", "api_key"} {
			if a, ok := c.Attributes[n]; ok && hasFile {
				d.errorf(a.NameRange, "Attribute not used with a lineage file", "%s applies to an HTTP endpoint (url), not to a file.", n)
			}
		}
	}
	if urlOK && l.Endpoint == "" {
		l.Endpoint = DefaultLineageEndpoint
	}
	return l
}

var domainSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "owner", Required: true}, {Name: "team"}, {Name: "description"},
}}

func (d *decoder) domain(b *hcl.Block) *Domain {
	c, hd := b.Body.Content(domainSchema)
	d.hcl(hd)
	v := &Domain{Name: b.Labels[0], Range: b.DefRange}
	v.Owner, _ = d.str(c.Attributes, "owner")
	v.Team, _ = d.str(c.Attributes, "team")
	v.Description, _ = d.str(c.Attributes, "description")
	return v
}

var sourceSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type", Required: true}, {Name: "description"}, {Name: "domain"},
		{Name: "path"}, {Name: "table"}, {Name: "query"}, {Name: "dsn"}, {Name: "endpoint"},
		{Name: "delimiter"}, {Name: "header"}, {Name: "null_value"}, {Name: "on_error"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "schema"}},
}

var sourceTypes = []string{"csv", "parquet", "postgres"}

func (d *decoder) source(b *hcl.Block) *Source {
	c, hd := b.Body.Content(sourceSchema)
	d.hcl(hd)
	s := &Source{Name: b.Labels[0], Range: b.DefRange, CSV: CSVConfig{Header: true, OnError: "fail"}}
	if a, ok := c.Attributes["type"]; ok {
		s.TypeRange = a.Expr.Range()
		s.Type = d.enum(c.Attributes, "type", "", sourceTypes...)
	}
	s.Description, _ = d.str(c.Attributes, "description")
	if r, rng, ok := d.ref(c.Attributes, "domain", addrs.DomainKind); ok {
		s.Domain, s.DomainRange = &r, rng
	}
	if a, ok := c.Attributes["path"]; ok {
		s.Path, _ = d.str(c.Attributes, "path")
		s.PathRange = a.Expr.Range()
	}
	var tableOK, queryOK bool
	s.Table, tableOK = d.str(c.Attributes, "table")
	s.Query, queryOK = d.str(c.Attributes, "query")
	s.DSN = d.secret(c.Attributes, "dsn")
	s.Endpoint, _ = d.str(c.Attributes, "endpoint")
	if delim, ok := d.str(c.Attributes, "delimiter"); ok {
		if r, n := utf8.DecodeRuneInString(delim); n != len(delim) || n == 0 || r == '"' || r == '\n' || r == '\r' {
			d.errorf(c.Attributes["delimiter"].Expr.Range(), "Invalid delimiter", "delimiter must be one character other than a quote or a line break, such as \",\" or \";\" or \"\\t\".")
		} else {
			s.CSV.Delimiter = r
		}
	}
	if h, ok := d.boolean(c.Attributes, "header"); ok {
		s.CSV.Header = h
	}
	s.CSV.NullValue, _ = d.str(c.Attributes, "null_value")
	s.CSV.OnError = d.enum(c.Attributes, "on_error", "fail", "fail", "skip", "quarantine")

	var schemaRange hcl.Range
	for _, sb := range c.Blocks {
		if !d.single(sb, schemaRange, s.Schema != nil) {
			continue
		}
		schemaRange = sb.DefRange
		s.Schema = d.sourceSchema(sb)
	}

	// What each type needs.
	switch s.Type {
	case "csv", "parquet":
		if s.Path == "" {
			d.errorf(b.DefRange, "Missing path", "A %s source needs path: a file, a folder, a glob such as \"data/*.%s\", or an s3:// prefix.", s.Type, s.Type)
		}
		if a, ok := c.Attributes[firstPresent(c.Attributes, "table", "query", "dsn")]; ok {
			d.errorf(a.NameRange, "Attribute not used by a "+s.Type+" source", "table, query and dsn apply to postgres sources only.")
		}
	case "postgres":
		if _, written := c.Attributes["dsn"]; !written {
			d.errorf(b.DefRange, "Missing dsn", "A postgres source needs dsn = env(\"NAME\"), the variable holding its connection string.")
		}
		table, hasTable := c.Attributes["table"]
		query, hasQuery := c.Attributes["query"]
		switch {
		case hasTable && hasQuery:
			later := query
			if table.Range.Start.Byte > query.Range.Start.Byte {
				later = table
			}
			d.errorf(later.NameRange, "Both table and query", "A postgres source reads either a table or the result of a query, not both: remove one of them.")
		case !hasTable && !hasQuery:
			d.errorf(b.DefRange, "Missing table or query", "A postgres source needs table, such as \"public.customers\", or query, such as \"SELECT id, name FROM public.customers WHERE active\".")
		case tableOK && strings.TrimSpace(s.Table) == "":
			d.errorf(table.Expr.Range(), "Empty table", "table names the table (or view) to read, such as \"public.customers\".")
		case queryOK && strings.TrimSpace(s.Query) == "":
			d.errorf(query.Expr.Range(), "Empty query", "query is the SELECT whose result the source reads.")
		}
		if s.Path != "" {
			d.errorf(c.Attributes["path"].NameRange, "Attribute not used by a postgres source", "path applies to csv and parquet sources; a postgres source reads a table or a query.")
		}
	}
	if s.Type != "csv" {
		for _, n := range []string{"delimiter", "header", "null_value", "on_error"} {
			if a, ok := c.Attributes[n]; ok && s.Type != "" {
				d.errorf(a.NameRange, "Attribute not used by a "+s.Type+" source", "%s applies to csv sources only.", n)
			}
		}
	}
	if !s.CSV.Header && s.Type == "csv" && (s.Schema == nil || s.Schema.Infer) {
		d.errorf(b.DefRange, "Schema needed for a CSV file without a header",
			"With header = false the column names cannot be read from the file: declare them in schema { infer = false  column \"NAME\" { type = \"...\" } }, in file order.")
	}
	return s
}

func firstPresent(attrs hcl.Attributes, names ...string) string {
	for _, n := range names {
		if _, ok := attrs[n]; ok {
			return n
		}
	}
	return names[0]
}

var sourceSchemaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "infer"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "column", LabelNames: []string{"name"}}},
}

func (d *decoder) sourceSchema(b *hcl.Block) *SourceSchema {
	c, hd := b.Body.Content(sourceSchemaSchema)
	d.hcl(hd)
	ss := &SourceSchema{Infer: true, Range: b.DefRange}
	if v, ok := d.boolean(c.Attributes, "infer"); ok {
		ss.Infer = v
	}
	seen := map[string]hcl.Range{}
	for _, cb := range c.Blocks {
		if col := d.column(cb, seen, false); col != nil {
			if !ss.Infer && !col.HasType && col.TypeRange == (hcl.Range{}) {
				d.errorf(cb.DefRange, "Missing column type", "With infer = false the schema block is the whole schema: column %q needs a type.", col.Name)
			}
			ss.Columns = append(ss.Columns, col)
		}
	}
	if !ss.Infer && len(ss.Columns) == 0 {
		d.errorf(b.DefRange, "Empty schema", "With infer = false the schema block must declare every column.")
	}
	return ss
}

var columnSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type"}, {Name: "nullable"}, {Name: "description"}, {Name: "tags"}, {Name: "mask"},
}}

// Masks lists the values mask may take.
var Masks = []string{"hash", "redact", "null", "last4", "email_domain"}

func (d *decoder) column(b *hcl.Block, seen map[string]hcl.Range, contract bool) *Column {
	c, hd := b.Body.Content(columnSchema)
	d.hcl(hd)
	name := b.Labels[0]
	if first, ok := seen[name]; ok {
		d.errorf(b.LabelRanges[0], fmt.Sprintf("Duplicate column %q", name), "Column %q is already declared at %s.", name, hcldiag.Range(first))
		return nil
	}
	seen[name] = b.DefRange
	col := &Column{Name: name, Range: b.DefRange}
	if a, ok := c.Attributes["type"]; ok {
		col.TypeRange = a.Expr.Range()
		if s, ok := d.str(c.Attributes, "type"); ok {
			t, err := types.Parse(s)
			if err != nil {
				d.errorf(a.Expr.Range(), "Invalid column type", "%s", suggest.Sentence(err.Error()))
			} else {
				col.Type, col.HasType = t, true
			}
		}
	} else if contract {
		d.errorf(b.DefRange, "Missing column type", "A contract promises each column's type: add type = \"...\" (one of %s).", types.Names)
	}
	if v, ok := d.boolean(c.Attributes, "nullable"); ok {
		col.Nullable = &v
	}
	col.Description, _ = d.str(c.Attributes, "description")
	col.Tags, _ = d.strList(c.Attributes, "tags")
	if a, ok := c.Attributes["mask"]; ok {
		if !contract {
			d.errorf(a.NameRange, "Mask outside a contract", "Masks apply to what a product publishes: set mask on the column of the product's contract.")
		} else {
			col.Mask = d.enum(c.Attributes, "mask", "", Masks...)
			col.MaskRange = a.Expr.Range()
		}
	}
	return col
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

var policySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "description"}, {Name: "enforcement"}, {Name: "applies_to", Required: true},
	{Name: "when"}, {Name: "condition", Required: true}, {Name: "message"},
}}

// PolicyTargets lists what a policy may apply to.
var PolicyTargets = policymodel.Targets

func (d *decoder) policy(b *hcl.Block) *Policy {
	c, hd := b.Body.Content(policySchema)
	d.hcl(hd)
	p := &Policy{Name: b.Labels[0], Range: b.DefRange, Governance: d.gov}
	p.Description, _ = d.str(c.Attributes, "description")
	p.Enforcement = d.enum(c.Attributes, "enforcement", "advisory", "advisory", "soft_mandatory", "hard_mandatory")
	if a, ok := c.Attributes["applies_to"]; ok {
		p.AppliesToRange = a.Expr.Range()
	}
	p.AppliesTo = d.enum(c.Attributes, "applies_to", "", PolicyTargets...)
	p.When = expr(c.Attributes, "when")
	p.Condition = expr(c.Attributes, "condition")
	p.Message = expr(c.Attributes, "message")
	return p
}

var exemptionSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "policy", Required: true}, {Name: "target", Required: true},
	{Name: "reason", Required: true}, {Name: "expires", Required: true},
}}

func (d *decoder) exemption(b *hcl.Block) *Exemption {
	c, hd := b.Body.Content(exemptionSchema)
	d.hcl(hd)
	e := &Exemption{Name: b.Labels[0], Range: b.DefRange, Governance: d.gov}
	e.Policy, e.PolicyRange, _ = d.ref(c.Attributes, "policy", addrs.PolicyKind)
	e.Target, e.TargetRange, _ = d.ref(c.Attributes, "target", addrs.ProductKind, addrs.SourceKind, addrs.DomainKind)
	e.Reason, _ = d.str(c.Attributes, "reason")
	if a, ok := c.Attributes["reason"]; ok && strings.TrimSpace(e.Reason) == "" {
		d.errorf(a.Expr.Range(), "Empty reason", "An exemption documents why the policy does not apply: give a reason, such as a ticket.")
	}
	if s, ok := d.str(c.Attributes, "expires"); ok {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			d.errorf(c.Attributes["expires"].Expr.Range(), "Invalid expiry date", "expires must be a date written YYYY-MM-DD, such as \"2027-03-31\"; %q is not.", s)
		} else {
			e.Expires = t
		}
	}
	return e
}
