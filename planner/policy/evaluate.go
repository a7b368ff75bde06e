package policy

import (
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/policymodel"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// Input is what evaluation reads.
type Input struct {
	Workspace *configs.Workspace
	// Compiled holds the workspace's compiled products.
	Compiled *compile.Result
	// Plan is the planned change set; policies see its products (deletes
	// through their change only) and its changes.
	Plan *plans.Plan
	// Now decides which exemptions are active.
	Now time.Time
}

// Result is what evaluation found.
type Result struct {
	// Violations are in policy order, then object order.
	Violations []plans.Violation
	// Exemptions are the active ones, with the violations each covers.
	Exemptions []plans.Exemption
}

// Evaluate runs every policy of the workspace over the plan. A policy
// whose condition cannot be evaluated for an object (an error, a null) is
// a violation of that policy: governance fails closed.
func Evaluate(in Input) Result {
	// Evaluation makes much short-lived garbage over a large live heap
	// (the compiled workspace), so the collector would scan that heap
	// again and again: collecting less often while it runs nearly halves
	// its cost (20 policies × 1,000 products: ~210 → ~150 ms) for a few
	// tens of MB more at the peak. A GOGC the user set higher, or off,
	// is left alone.
	if old := debug.SetGCPercent(400); old < 0 || old > 400 {
		debug.SetGCPercent(old)
	} else {
		defer debug.SetGCPercent(old)
	}
	e := newEvaluator(in)
	var res Result
	for _, name := range in.Workspace.PolicyOrder {
		p := in.Workspace.Policies[name]
		objs := e.objects(p.AppliesTo)
		found := make([]*plans.Violation, len(objs))
		// Evaluations are independent and read only immutable values:
		// spread them over the cores.
		parallel(len(objs), func(i int) {
			if v, ok := e.evaluate(p, objs[i]); ok {
				found[i] = &v
			}
		})
		for i, v := range found {
			if v != nil {
				res.Violations = append(res.Violations, e.exempt(p, objs[i], *v))
			}
		}
	}
	res.Violations = append(res.Violations, e.expired()...)
	for _, name := range in.Workspace.ExemptionOrder {
		ex := in.Workspace.Exemptions[name]
		if !e.active(ex) {
			continue
		}
		res.Exemptions = append(res.Exemptions, plans.Exemption{
			Name: ex.Name, Policy: ex.Policy.Name, Target: ex.Target.String(), Reason: ex.Reason,
			Expires: ex.Expires.Format(time.DateOnly), DaysLeft: e.daysLeft(ex), Used: e.used[ex.Name],
			At: hcldiag.Range(ex.Range).String(),
		})
	}
	return res
}

// object is one thing a policy is evaluated on.
type object struct {
	// vars are the variables the policy's expressions see.
	vars map[string]cty.Value
	// name is the object's address; product its product ("" for a source).
	name, product, domain string
	// source is set for a source, for exemptions that target it.
	source string
	at     hcl.Range
}

type evaluator struct {
	in      Input
	funcs   map[string]function.Function
	today   time.Time
	used    map[string]int
	cache   map[string][]object
	changes map[string]*plans.ProductChange
	// products caches each product's model and values: every kind of
	// object but sources holds its product.
	products map[string]*productValues
	built    bool
	// scanned holds, per source, the widest schema a product scans it with.
	scanned map[string]types.Schema
}

// productValues are one product's model and its cty values, built once.
type productValues struct {
	model   *policymodel.Product
	config  *configs.Product
	product cty.Value
	output  cty.Value
	columns []cty.Value
}

func newEvaluator(in Input) *evaluator {
	e := &evaluator{in: in, funcs: policymodel.Functions(), used: map[string]int{}, cache: map[string][]object{},
		changes: map[string]*plans.ProductChange{}, products: map[string]*productValues{}}
	e.scanned = scannedSchemas(in.Compiled)
	y, m, d := in.Now.Date()
	e.today = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, c := range in.Plan.Changes {
		e.changes[c.Product] = c
	}
	return e
}

// objects returns the objects of one kind, built once per plan.
func (e *evaluator) objects(kind string) []object {
	if objs, ok := e.cache[kind]; ok {
		return objs
	}
	var objs []object
	ws := e.in.Workspace
	if kind == "source" {
		for _, name := range ws.SourceOrder {
			s := ws.Sources[name]
			v := e.sourceValue(s).Value()
			dom := ""
			if s.Domain != nil {
				dom = s.Domain.Name
			}
			objs = append(objs, object{vars: map[string]cty.Value{"source": v}, name: "source." + name, domain: dom, source: name, at: s.Range})
		}
		e.cache[kind] = objs
		return objs
	}
	e.buildProducts()
	for _, c := range e.in.Plan.Changes {
		vals := e.product(c)
		if vals == nil {
			continue
		}
		pv, model, cp := vals.product, vals.model, vals.config
		base := object{name: "product." + c.Product, product: c.Product, domain: model.Domain}
		if cp != nil {
			base.at = cp.Range
		}
		switch kind {
		case "product":
			if c.Action == plans.Delete {
				continue
			}
			o := base
			o.vars = map[string]cty.Value{"product": pv}
			objs = append(objs, o)
		case "column":
			if c.Action == plans.Delete {
				continue
			}
			for i, col := range model.Columns {
				o := base
				o.name += ".column." + col.Name
				o.vars = map[string]cty.Value{"product": pv, "column": vals.columns[i]}
				if cp != nil && cp.Contract != nil {
					for _, d := range cp.Contract.Columns {
						if d.Name == col.Name {
							o.at = d.Range
						}
					}
				}
				objs = append(objs, o)
			}
		case "output":
			if c.Action == plans.Delete {
				continue
			}
			o := base
			o.name += ".output"
			o.vars = map[string]cty.Value{"product": pv, "output": vals.output}
			if cp != nil && cp.Output != nil {
				o.at = cp.Output.Range
			}
			objs = append(objs, o)
		case "change":
			if c.Action == plans.NoOp {
				continue
			}
			o := base
			o.vars = map[string]cty.Value{"product": pv, "change": changeValue(c).Value()}
			objs = append(objs, o)
		}
	}
	e.cache[kind] = objs
	return objs
}

// buildProducts builds every product's values once, on every core: for a
// large mesh it is a good part of what policies cost.
func (e *evaluator) buildProducts() {
	if e.built {
		return
	}
	e.built = true
	changes := e.in.Plan.Changes
	vals := make([]*productValues, len(changes))
	parallel(len(changes), func(i int) { vals[i] = e.build(changes[i]) })
	for i, c := range changes {
		e.products[c.Product] = vals[i]
	}
}

// product builds the product as policies see it: from the workspace and
// its compiled form, or, for a delete, from what state recorded.
func (e *evaluator) product(c *plans.ProductChange) *productValues {
	if v, ok := e.products[c.Product]; ok {
		return v
	}
	v := e.build(c)
	e.products[c.Product] = v
	return v
}

// build makes one product's values; it only reads the evaluator.
func (e *evaluator) build(c *plans.ProductChange) *productValues {
	cp := e.in.Workspace.Products[c.Product]
	var ip *ir.Product
	if e.in.Compiled != nil {
		ip = e.in.Compiled.Products[c.Product]
	}
	var m *policymodel.Product
	switch {
	case cp != nil && ip != nil && c.After != nil:
		m = productModel(cp, ip, c.After)
	case c.Before != nil:
		m = recordModel(c.Product, c.Before)
	}
	var v *productValues
	if m != nil {
		v = &productValues{model: m, config: cp}
		v.product, v.output, v.columns = m.Values()
	}
	return v
}

func productModel(cp *configs.Product, ip *ir.Product, rec *state.Product) *policymodel.Product {
	md := rec.Metadata
	m := &policymodel.Product{
		Name: cp.Name, Domain: md.Domain, Owner: md.Owner, Team: md.Team, Description: md.Description,
		Version: md.Version, Tags: md.Tags, HasContract: cp.Contract != nil, PreventDestroy: rec.PreventDestroy,
	}
	for _, in := range cp.Inputs {
		m.Inputs = append(m.Inputs, in.From.String())
	}
	contract := map[string]*configs.Column{}
	if cp.Contract != nil {
		for _, d := range cp.Contract.Columns {
			contract[d.Name] = d
		}
	}
	origins := ir.OutputLineage(ip)
	for i, col := range ip.Output.Schema {
		c := policymodel.Column{Name: col.Name, Type: col.Type.String(), Nullable: col.Nullable,
			Description: col.Description, Tags: col.Tags}
		if i < len(origins) {
			c.TagSources = tagSources(col.Tags, origins[i])
		}
		if d := contract[col.Name]; d != nil {
			c.Contract, c.Mask = true, d.Mask
			m.Contract = append(m.Contract, c)
		}
		m.Columns = append(m.Columns, c)
	}
	m.Output = policymodel.Output{Format: ip.Output.Format, Path: ip.Output.Path, Table: ip.Output.Table,
		PartitionBy: ip.Output.PartitionBy, Columns: m.Columns}
	if o := cp.Output; o != nil {
		m.Output.Encryption, m.Output.KMSKeyID = o.Encryption, o.KMSKeyID
	}
	for _, ch := range cp.Checks {
		m.Checks = append(m.Checks, policymodel.Check{Name: ch.Name, Severity: ch.Severity})
	}
	if cp.SLA != nil {
		m.SLA = &policymodel.SLA{Freshness: cp.SLA.FreshnessText, Hours: math.Round(cp.SLA.Freshness.Hours()*1e6) / 1e6}
	}
	if cp.Access != nil {
		m.Readers = cp.Access.Readers
	}
	return m
}

// tagSources names the input columns that brought the tags a column
// carries: "source.crm.email".
func tagSources(tags []string, origins []ir.Origin) []string {
	var out []string
	for _, o := range origins {
		for _, t := range o.Tags {
			if slices.Contains(tags, t) {
				out = append(out, o.Source+"."+o.Column)
				break
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// recordModel is a deleted product as state last recorded it.
func recordModel(name string, rec *state.Product) *policymodel.Product {
	md := rec.Metadata
	m := &policymodel.Product{Name: name, Domain: md.Domain, Owner: md.Owner, Team: md.Team, Description: md.Description,
		Version: md.Version, Tags: md.Tags, PreventDestroy: rec.PreventDestroy, HasContract: len(rec.Contract) > 0}
	for _, c := range rec.Contract {
		m.Columns = append(m.Columns, policymodel.Column{Name: c.Name, Type: c.Type, Nullable: c.Nullable,
			Description: c.Description, Tags: c.Tags, Mask: c.Mask, Contract: true})
	}
	m.Contract = m.Columns
	m.Output = policymodel.Output{Format: rec.Output.Format, Path: rec.Output.Path, Table: rec.Output.Table,
		PartitionBy: rec.Output.PartitionBy, Columns: m.Columns}
	for _, in := range rec.Inputs {
		m.Inputs = append(m.Inputs, in.From)
	}
	slices.Sort(m.Inputs)
	if md.Freshness != "" {
		m.SLA = &policymodel.SLA{Freshness: md.Freshness}
		if d, err := time.ParseDuration(md.Freshness); err == nil {
			m.SLA.Hours = d.Hours()
		}
	}
	return m
}

// sourceValue is a source as policies see it: its settings without
// secrets, and the columns of its schema (as read for the products that
// use it, else as declared).
func (e *evaluator) sourceValue(s *configs.Source) policymodel.Source {
	v := policymodel.Source{Name: s.Name, Type: s.Type, Description: s.Description, Path: s.Path, Table: s.Table, Query: s.Query, Endpoint: s.Endpoint}
	if s.Domain != nil {
		v.Domain = s.Domain.Name
	}
	if s.DSN != nil {
		v.HasDSN, v.DSNFromEnv = true, s.DSN.Env != ""
	}
	if schema := e.scanned[s.Name]; schema != nil {
		for _, c := range schema {
			v.Columns = append(v.Columns, policymodel.Column{Name: c.Name, Type: c.Type.String(), Nullable: c.Nullable,
				Description: c.Description, Tags: c.Tags})
		}
	} else if s.Schema != nil {
		for _, c := range s.Schema.Columns {
			col := policymodel.Column{Name: c.Name, Description: c.Description, Tags: c.Tags, Nullable: c.Nullable == nil || *c.Nullable}
			if c.HasType {
				col.Type = c.Type.String()
			}
			v.Columns = append(v.Columns, col)
		}
	}
	return v
}

// scannedSchemas returns, per source, the widest schema a compiled
// product scans it with.
func scannedSchemas(res *compile.Result) map[string]types.Schema {
	out := map[string]types.Schema{}
	if res == nil {
		return out
	}
	for _, pname := range res.Order {
		p := res.Products[pname]
		for _, t := range p.Transforms {
			ir.WalkNodes(t.Root, func(n ir.Node) {
				if s, ok := n.(*ir.Scan); ok && s.Source.Kind != ir.SourceProduct && len(s.Out) > len(out[s.Source.Name]) {
					out[s.Source.Name] = s.Out
				}
			})
		}
	}
	return out
}

// changeValue is a planned change as policies see it.
func changeValue(c *plans.ProductChange) policymodel.Change {
	v := policymodel.Change{
		Action: c.Action.Word(), Breaking: c.Breaking,
		RequiredBump: bumpWord(c.RequiredBump), DeclaredBump: bumpWord(c.DeclaredBump),
		MajorVersionBumped: c.DeclaredBump == plans.BumpMajor,
	}
	if c.Before != nil {
		v.VersionBefore = c.Before.Metadata.Version
	}
	if c.After != nil {
		v.VersionAfter = c.After.Metadata.Version
	}
	for _, r := range c.Reasons {
		v.Reasons = append(v.Reasons, r.Message)
	}
	changed := map[string]bool{}
	for _, cc := range c.ContractChanges {
		v.ColumnChanges = append(v.ColumnChanges, policymodel.ColumnChange{Column: cc.Column, Kind: string(cc.Kind),
			Before: cc.Before, After: cc.After, Breaking: cc.Breaking})
		switch cc.Kind {
		case plans.ColumnAdded:
			v.AddedColumns = append(v.AddedColumns, cc.Column)
		case plans.ColumnRemoved:
			v.RemovedColumns = append(v.RemovedColumns, cc.Column)
		default:
			if !changed[cc.Column] {
				changed[cc.Column] = true
				v.ChangedColumns = append(v.ChangedColumns, cc.Column)
			}
			if cc.Kind == plans.ColumnMask && cc.Before != "" && cc.After == "" {
				v.MasksRemoved = append(v.MasksRemoved, cc.Column)
			}
		}
	}
	for _, d := range c.Downstream {
		v.Downstream = append(v.Downstream, d.Product)
	}
	return v
}

func bumpWord(b plans.Bump) string {
	if b == "" {
		return string(plans.BumpNone)
	}
	return string(b)
}

// evaluate runs one policy on one object and returns its violation.
func (e *evaluator) evaluate(p *configs.Policy, obj object) (plans.Violation, bool) {
	ctx := &hcl.EvalContext{Variables: obj.vars, Functions: e.funcs}
	if p.When != nil {
		ok, problem := e.truth(p.When, ctx)
		if problem == "" && !ok {
			return plans.Violation{}, false
		}
		if problem != "" {
			return e.violation(p, obj, fmt.Sprintf("policy %q could not decide whether it applies to %s: %s", p.Name, obj.name, problem)), true
		}
	}
	if p.Condition == nil {
		return plans.Violation{}, false
	}
	ok, problem := e.truth(p.Condition, ctx)
	if ok {
		return plans.Violation{}, false
	}
	if problem != "" {
		return e.violation(p, obj, fmt.Sprintf("policy %q could not be evaluated for %s: %s", p.Name, obj.name, problem)), true
	}
	return e.violation(p, obj, e.message(p, obj, ctx)), true
}

// truth evaluates a bool expression; problem says why it has no answer.
func (e *evaluator) truth(x hcl.Expression, ctx *hcl.EvalContext) (bool, string) {
	v, diags := x.Value(ctx)
	if diags.HasErrors() {
		var parts []string
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				parts = append(parts, strings.TrimSuffix(d.Summary, ".")+": "+d.Detail)
			}
		}
		return false, strings.Join(parts, "; ")
	}
	if v.IsNull() {
		return false, "the expression is null"
	}
	if !v.IsKnown() || v.Type() != cty.Bool {
		return false, "the expression is not true or false"
	}
	return v.True(), ""
}

// message is the policy's message for obj, or a default one.
func (e *evaluator) message(p *configs.Policy, obj object, ctx *hcl.EvalContext) string {
	if p.Message != nil {
		v, diags := p.Message.Value(ctx)
		if !diags.HasErrors() && !v.IsNull() && v.IsKnown() {
			if s, err := stringOf(v); err == nil {
				return s
			}
		}
	}
	if p.Description != "" {
		return fmt.Sprintf("%s: %s", obj.name, p.Description)
	}
	return fmt.Sprintf("%s does not satisfy policy %q", obj.name, p.Name)
}

func stringOf(v cty.Value) (string, error) {
	s, err := convert.Convert(v, cty.String)
	if err != nil || s.IsNull() {
		return "", fmt.Errorf("not a string")
	}
	return s.AsString(), nil
}

// violation makes the violation record, applying any active exemption.
func (e *evaluator) violation(p *configs.Policy, obj object, msg string) plans.Violation {
	v := plans.Violation{
		Policy: p.Name, Enforcement: enforcement(p), AppliesTo: p.AppliesTo, Object: obj.name, Product: obj.product,
		Message: msg, PolicyAt: hcldiag.Range(p.Range).String(), Governance: p.Governance,
	}
	if !obj.at.Empty() {
		v.ObjectAt = hcldiag.Range(obj.at).String()
	}
	return v
}

// exempt marks a violation covered by an active exemption, if one covers
// it: never for hard_mandatory policies.
func (e *evaluator) exempt(p *configs.Policy, obj object, v plans.Violation) plans.Violation {
	if v.Enforcement == plans.HardMandatory {
		return v
	}
	for _, name := range e.in.Workspace.ExemptionOrder {
		ex := e.in.Workspace.Exemptions[name]
		if ex.Policy.Name == p.Name && e.active(ex) && covers(ex, obj) {
			v.Exemption = ex.Name
			e.used[ex.Name]++
			break
		}
	}
	return v
}

func enforcement(p *configs.Policy) string {
	if p.Enforcement == "" {
		return plans.Advisory
	}
	return p.Enforcement
}

// covers reports whether an exemption's target is obj or holds it.
func covers(ex *configs.Exemption, obj object) bool {
	switch ex.Target.Kind {
	case addrs.ProductKind:
		return obj.product == ex.Target.Name
	case addrs.SourceKind:
		return obj.source == ex.Target.Name
	case addrs.DomainKind:
		return obj.domain == ex.Target.Name
	}
	return false
}

// active reports whether an exemption holds today: expires is the last
// day it does.
func (e *evaluator) active(ex *configs.Exemption) bool {
	return !ex.Expires.IsZero() && !e.today.After(ex.Expires)
}

func (e *evaluator) daysLeft(ex *configs.Exemption) int {
	return int(ex.Expires.Sub(e.today).Hours() / 24)
}

// expired turns each expired exemption into a violation of its policy
// naming the date, so that an exception nobody renewed is seen.
func (e *evaluator) expired() []plans.Violation {
	var out []plans.Violation
	ws := e.in.Workspace
	for _, name := range ws.ExemptionOrder {
		ex := ws.Exemptions[name]
		if ex.Expires.IsZero() || e.active(ex) {
			continue
		}
		p := ws.Policies[ex.Policy.Name]
		if p == nil {
			continue // reported by the loader
		}
		v := plans.Violation{
			Policy: p.Name, Enforcement: enforcement(p), AppliesTo: p.AppliesTo, Object: ex.Target.String(),
			Message: fmt.Sprintf("exemption %q from policy %q for %s expired on %s; renew it with a new expires date or remove it (reason given: %s)",
				ex.Name, p.Name, ex.Target.String(), ex.Expires.Format(time.DateOnly), ex.Reason),
			PolicyAt: hcldiag.Range(p.Range).String(), ObjectAt: hcldiag.Range(ex.Range).String(),
			Governance: p.Governance, ExpiredExemption: ex.Name,
		}
		if ex.Target.Kind == addrs.ProductKind {
			v.Product = ex.Target.Name
		}
		out = append(out, v)
	}
	return out
}

// parallel calls fn(0..n-1) on every core, in chunks.
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/64+1)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	const chunk = 32
	for range workers {
		wg.Go(func() {
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}
