package configs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/suggest"
)

// resolve checks that every reference names something declared and that
// neither products nor transforms form a cycle.
func resolve(ws *Workspace, d *decoder) {
	for _, name := range ws.SourceOrder {
		s := ws.Sources[name]
		if s.Domain != nil {
			d.refExists(*s.Domain, s.DomainRange, ws.Domains)
		}
	}
	for _, name := range ws.ProductOrder {
		p := ws.Products[name]
		if p.Domain.Name != "" {
			d.refExists(p.Domain, p.DomainRange, ws.Domains)
		}
		for _, in := range p.Inputs {
			switch in.From.Kind {
			case addrs.SourceKind:
				d.refExists(in.From, in.FromRange, ws.Sources)
			case addrs.ProductKind:
				d.refExists(in.From, in.FromRange, ws.Products)
			}
		}
		d.resolveLocals(p)
		d.unkeyedHashes(ws, p)
	}
	govPolicies := map[string]*Policy{}
	for name, p := range ws.Policies {
		if p.Governance != "" {
			govPolicies[name] = p
		}
	}
	for _, name := range ws.ExemptionOrder {
		d.resolveExemption(ws, ws.Exemptions[name], govPolicies)
	}
	d.productCycles(ws)
}

// resolveExemption checks what an exemption names. A governance exemption
// may only name governance policies, so that a governance folder means the
// same in every workspace sharing it; its target may live in another of
// those workspaces, so only the workspace's own exemptions must name a
// declared target.
func (d *decoder) resolveExemption(ws *Workspace, e *Exemption, govPolicies map[string]*Policy) {
	switch p := ws.Policies[e.Policy.Name]; {
	case e.Policy.Name == "":
	case e.Governance != "" && p != nil && p.Governance == "":
		d.errorf(e.PolicyRange, "Governance exemption from a workspace policy",
			"Policy %q is declared by this workspace (%s), not by a governance folder; an exemption in %s can only name governance policies. Move the exemption into the workspace.",
			p.Name, hcldiag.Range(p.Range), e.Governance)
	case e.Governance != "":
		refExists(d, e.Policy, e.PolicyRange, govPolicies)
	case p == nil && len(govPolicies) == 0 && suggest.Name(e.Policy.Name, slices.Collect(maps.Keys(ws.Policies))) == "":
		// Domains exempt themselves from the mesh's policies, which
		// live in a governance folder: without --policies the policy
		// cannot be checked, which is worth a warning, not a failure
		// (unless the name looks like a typo of a workspace policy).
		d.warnf(e.PolicyRange, "Exemption from an unknown policy",
			"No policy named %q is declared in this workspace. If it is a governance policy, run with --policies DIR (the governance folder) to check this exemption against it.", e.Policy.Name)
	case p == nil:
		refExists(d, e.Policy, e.PolicyRange, ws.Policies)
	}
	if p := ws.Policies[e.Policy.Name]; p != nil && p.Enforcement == "hard_mandatory" && (e.Governance == "" || p.Governance != "") {
		d.errorf(e.PolicyRange, "Exemption from a hard_mandatory policy",
			"Policy %q is hard_mandatory: no exemption is possible. Only soft_mandatory (and advisory) policies can be exempted.", p.Name)
	}
	if e.Governance != "" {
		return
	}
	switch e.Target.Kind {
	case addrs.ProductKind:
		d.refExists(e.Target, e.TargetRange, ws.Products)
	case addrs.SourceKind:
		d.refExists(e.Target, e.TargetRange, ws.Sources)
	case addrs.DomainKind:
		d.refExists(e.Target, e.TargetRange, ws.Domains)
	}
}

// refExists reports a reference to an undeclared object, suggesting the
// closest declared name.
func refExists[T any](d *decoder, r addrs.Ref, rng hcl.Range, declared map[string]T) bool {
	if _, ok := declared[r.Name]; ok {
		return true
	}
	names := slices.Sorted(maps.Keys(declared))
	detail := fmt.Sprintf("No %s named %q is declared in this workspace.", r.Kind, r.Name)
	if s := suggest.Name(r.Name, names); s != "" {
		detail += fmt.Sprintf(" Did you mean %s.%s?", r.Kind, s)
	} else if len(names) > 0 {
		detail += fmt.Sprintf(" Declared: %s.", suggest.List(names, 8))
	}
	d.errorf(rng, fmt.Sprintf("Reference to undeclared %s", r.Kind), "%s", detail)
	return false
}

// The method form keeps call sites short; Go methods cannot be generic.
func (d *decoder) refExists(r addrs.Ref, rng hcl.Range, declared any) {
	switch m := declared.(type) {
	case map[string]*Domain:
		refExists(d, r, rng, m)
	case map[string]*Source:
		refExists(d, r, rng, m)
	case map[string]*Product:
		refExists(d, r, rng, m)
	case map[string]*Policy:
		refExists(d, r, rng, m)
	}
}

// resolveLocals checks input.x and transform.y references inside a product
// and finds cycles between its transforms.
func (d *decoder) resolveLocals(p *Product) {
	inputs := map[string]*Input{}
	for _, in := range p.Inputs {
		inputs[in.Name] = in
	}
	transforms := map[string]*Transform{}
	for _, t := range p.Transforms {
		transforms[t.Name] = t
	}
	check := func(r addrs.Ref, rng hcl.Range) bool {
		if r.Name == "" {
			return false
		}
		switch r.Kind {
		case addrs.InputKind:
			if inputs[r.Name] != nil {
				return true
			}
			if transforms[r.Name] != nil {
				d.errorf(rng, "Reference to undeclared input", "Product %q has no input %q, but it has a transform of that name: write transform.%s.", p.Name, r.Name, r.Name)
				return false
			}
			return refExists(d, r, rng, inputs)
		case addrs.TransformKind:
			if transforms[r.Name] != nil {
				return true
			}
			if inputs[r.Name] != nil {
				d.errorf(rng, "Reference to undeclared transform", "Product %q has no transform %q, but it has an input of that name: write input.%s.", p.Name, r.Name, r.Name)
				return false
			}
			return refExists(d, r, rng, transforms)
		}
		return false
	}
	// edges[t] lists the transforms t reads, for cycle detection.
	edges := map[string][]edge{}
	for _, t := range p.Transforms {
		add := func(r addrs.Ref, rng hcl.Range) {
			if check(r, rng) && r.Kind == addrs.TransformKind {
				edges[t.Name] = append(edges[t.Name], edge{to: r.Name, rng: rng})
			}
		}
		add(t.From, t.FromRange)
		for _, op := range t.Operators {
			switch op := op.(type) {
			case *Join:
				add(op.With, op.WithRange)
			case *Union:
				for i, w := range op.With {
					add(w, op.WithRanges[i])
				}
			}
		}
	}
	if p.Output != nil && p.Output.From != nil {
		check(*p.Output.From, p.Output.FromRange)
	}
	if p.Output != nil && p.Output.From == nil && len(p.Transforms) == 0 && len(p.Inputs) > 1 {
		d.errorf(p.Output.Range, "Output source is ambiguous", "Product %q has several inputs and no transform: set output { from = input.NAME }.", p.Name)
	}
	names := make([]string, len(p.Transforms))
	for i, t := range p.Transforms {
		names[i] = t.Name
	}
	d.cycles("transform", names, edges, func(n string) string { return "transform." + n })
}

type edge struct {
	to  string
	rng hcl.Range
}

func (d *decoder) productCycles(ws *Workspace) {
	edges := map[string][]edge{}
	for _, name := range ws.ProductOrder {
		for _, in := range ws.Products[name].Inputs {
			if in.From.Kind == addrs.ProductKind && ws.Products[in.From.Name] != nil {
				edges[name] = append(edges[name], edge{to: in.From.Name, rng: in.FromRange})
			}
		}
	}
	d.cycles("product", ws.ProductOrder, edges, func(n string) string { return "product." + n })
}

// cycles reports each cycle of the graph once, at the reference that closes
// it, naming the whole path.
func (d *decoder) cycles(what string, nodes []string, edges map[string][]edge, label func(string) string) {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(n string)
	visit = func(n string) {
		color[n] = grey
		stack = append(stack, n)
		for _, e := range edges[n] {
			switch color[e.to] {
			case white:
				visit(e.to)
			case grey:
				i := slices.Index(stack, e.to)
				path := make([]string, 0, len(stack)-i+1)
				for _, s := range stack[i:] {
					path = append(path, label(s))
				}
				path = append(path, label(e.to))
				if len(path) == 2 {
					d.errorf(e.rng, fmt.Sprintf("%s %q reads itself", capitalize(what), n),
						"A %s cannot be its own input.", what)
				} else {
					d.errorf(e.rng, fmt.Sprintf("Cycle between %ss", what),
						"These %ss read each other in a loop: %s. Break the loop by reading one of them from a source instead.", what, strings.Join(path, " → "))
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
	}
	for _, n := range nodes {
		if color[n] == white {
			visit(n)
		}
	}
}

// unkeyedHashes warns about mask = "hash" in a mesh without a mask_key:
// a plain SHA-256 of an email or a name is reversed by hashing candidates.
func (d *decoder) unkeyedHashes(ws *Workspace, p *Product) {
	if ws.Mesh == nil || ws.Mesh.MaskKey != nil || p.Contract == nil {
		return
	}
	for _, c := range p.Contract.Columns {
		if c.Mask == "hash" {
			d.warnf(c.MaskRange, "Hash mask without a key",
				"The mesh block has no mask_key, so %s.%s is published as a plain SHA-256, which anyone can reverse by hashing candidate values (emails, names). Key it: mesh { mask_key = env(\"MESH_MASK_KEY\") }.", p.Name, c.Name)
		}
	}
}
