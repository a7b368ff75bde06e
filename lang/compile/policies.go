package compile

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/policymodel"
	"github.com/meshctl/meshctl/lang/suggest"
)

// checkPolicies type-checks every policy's when, condition and message
// against the object model it will be evaluated on (lang/policymodel), by
// evaluating them over unknown values of the right types: a misspelled
// attribute or a condition that is not true/false fails here, in the pull
// request, rather than when the planner evaluates it.
func (c *compiler) checkPolicies() {
	funcs := policymodel.Functions()
	for _, name := range c.ws.PolicyOrder {
		p := c.ws.Policies[name]
		if p.AppliesTo == "" {
			continue // reported by configs
		}
		scope := policymodel.Scope(p.AppliesTo)
		vars := map[string]cty.Value{}
		for k, t := range scope {
			vars[k] = cty.UnknownVal(t)
		}
		ctx := &hcl.EvalContext{Variables: vars, Functions: funcs}
		c.policyExpr(p, "when", p.When, ctx, cty.Bool)
		c.policyExpr(p, "condition", p.Condition, ctx, cty.Bool)
		c.policyExpr(p, "message", p.Message, ctx, cty.String)
	}
}

func (c *compiler) policyExpr(p *configs.Policy, attr string, e hcl.Expression, ctx *hcl.EvalContext, want cty.Type) {
	if e == nil {
		return
	}
	for _, trav := range e.Variables() {
		root := trav.RootName()
		if _, ok := ctx.Variables[root]; ok {
			continue
		}
		names := slices.Sorted(maps.Keys(ctx.Variables))
		detail := fmt.Sprintf("A policy that applies to %s sees %s.", p.AppliesTo, suggest.List(names, 0))
		if slices.Contains(policymodel.Targets, root) {
			detail += fmt.Sprintf(" To check each %s, write a policy with applies_to = %q.", root, root)
		} else {
			detail += suggest.DidYouMean(root, names)
		}
		c.errorf(trav.SourceRange(), fmt.Sprintf("Unknown name %q in policy %q", root, p.Name), "%s", detail)
		return
	}
	for _, trav := range e.Variables() {
		if !c.policyTraversal(trav, ctx.Variables[trav.RootName()].Type()) {
			return
		}
	}
	v, hd := e.Value(ctx)
	if hd.HasErrors() {
		c.diags = append(c.diags, hcldiag.Diags(hd)...)
		return
	}
	if v.IsNull() {
		c.errorf(e.Range(), fmt.Sprintf("Policy %s is null", attr), "The %s of policy %q must not be null.", attr, p.Name)
		return
	}
	ok := v.Type() == want || v.Type() == cty.DynamicPseudoType
	if want == cty.String && !ok {
		_, err := convert.Convert(v, want)
		ok = err == nil && v.Type().IsPrimitiveType()
	}
	if !ok {
		what := "true or false, such as product.owner != \"\""
		if want == cty.String {
			what = "a string"
		}
		c.errorf(e.Range(), fmt.Sprintf("Policy %s must be %s", attr, map[bool]string{true: "true or false", false: "a string"}[want == cty.Bool]),
			"The %s of policy %q is %s; it must be %s.", attr, p.Name, v.Type().FriendlyName(), what)
	}
}

// policyTraversal checks the attributes a reference such as product.owner
// names against the object model, suggesting the attribute meant.
func (c *compiler) policyTraversal(trav hcl.Traversal, t cty.Type) bool {
	path := trav.RootName()
	for _, step := range trav[1:] {
		attr, ok := step.(hcl.TraverseAttr)
		if !ok {
			return true // indexes are checked by evaluation
		}
		if !t.IsObjectType() {
			c.errorf(attr.SrcRange, "Unsupported attribute", "%s is %s, which has no attributes.", path, t.FriendlyName())
			return false
		}
		if !t.HasAttribute(attr.Name) {
			names := slices.Sorted(maps.Keys(t.AttributeTypes()))
			c.errorf(attr.SrcRange, fmt.Sprintf("%s has no attribute %q", path, attr.Name), "%s", orList(
				suggest.DidYouMean(attr.Name, names), fmt.Sprintf(" Its attributes are %s.", suggest.List(names, 0)))[1:])
			return false
		}
		t = t.AttributeType(attr.Name)
		path += "." + attr.Name
	}
	return true
}
