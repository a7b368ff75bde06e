package ir

import (
	"fmt"
	"strings"

	"github.com/meshctl/meshctl/lang/types"
)

// Label is the one-line description of a node in explain output, such as
// "Filter age > 18" or "Join left on adults.id == orders.customer_id".
func Label(n Node) string {
	switch n := n.(type) {
	case *Scan:
		return "Scan " + describeSource(n.Source)
	case *Filter:
		return "Filter " + FormatExpr(n.Pred, n.Input.Schema())
	case *Project:
		in := n.Input.Schema()
		parts := make([]string, len(n.Exprs))
		for i, e := range n.Exprs {
			f := FormatExpr(e, in)
			if f == n.Out[i].Name {
				parts[i] = f
			} else {
				parts[i] = n.Out[i].Name + " = " + f
			}
		}
		return "Project " + strings.Join(parts, ", ")
	case *Join:
		nl := len(n.Left.Schema())
		lcols, rcols := n.Out[:min(nl, len(n.Out))], n.Right.Schema().WithQualifier(n.RightName)
		if len(n.Out) > nl {
			rcols = n.Out[nl:]
		}
		conds := make([]string, len(n.LeftKeys))
		for i := range n.LeftKeys {
			conds[i] = FormatExpr(n.LeftKeys[i], lcols) + " == " + FormatExpr(n.RightKeys[i], rcols)
		}
		return fmt.Sprintf("Join %s on %s", n.Kind, strings.Join(conds, " && "))
	case *Aggregate:
		in := n.Input.Schema()
		keys := make([]string, len(n.Keys))
		for i, k := range n.Keys {
			keys[i] = FormatExpr(k, in)
		}
		aggs := make([]string, len(n.Aggs))
		for i, a := range n.Aggs {
			aggs[i] = FormatAgg(a, in)
		}
		s := "Aggregate " + strings.Join(aggs, ", ")
		if len(keys) > 0 {
			s += " by " + strings.Join(keys, ", ")
		}
		return s
	case *Sort:
		in := n.Input.Schema()
		keys := make([]string, len(n.Keys))
		for i, k := range n.Keys {
			keys[i] = FormatExpr(k.Expr, in)
			if k.Desc {
				keys[i] = "desc(" + keys[i] + ")"
			}
		}
		return "Sort " + strings.Join(keys, ", ")
	case *Limit:
		if n.Offset > 0 {
			return fmt.Sprintf("Limit %d offset %d", n.Count, n.Offset)
		}
		return fmt.Sprintf("Limit %d", n.Count)
	case *Distinct:
		return "Distinct"
	case *Union:
		if n.Distinct {
			return "Union distinct"
		}
		return "Union all"
	}
	return "?"
}

func describeSource(s *Source) string {
	switch s.Kind {
	case SourceProduct:
		return "product." + s.Name
	}
	decl := ""
	if s.Declared {
		decl = ", declared schema"
	}
	where := s.Path
	if s.Kind == SourcePostgres {
		where = s.Table
		if s.Query != "" {
			where = "query"
		}
	}
	return fmt.Sprintf("source.%s (%s %s%s)", s.Name, s.Kind, where, decl)
}

// FormatColumns prints a schema as "name type[ null], …".
func FormatColumns(s types.Schema) string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = c.String()
		if len(c.Tags) > 0 {
			parts[i] += " [" + strings.Join(c.Tags, " ") + "]"
		}
	}
	return strings.Join(parts, ", ")
}

// Explain prints a product's compiled plan as a tree, output at the top,
// every node with its output columns and types, the way EXPLAIN prints a
// query plan; then the checks. It is deterministic.
func Explain(p *Product) string {
	var b strings.Builder
	o := p.Output
	where := o.Path
	if o.Format == "postgres" {
		where = o.Table
	}
	fmt.Fprintf(&b, "product.%s\n\n", p.Name)
	head := fmt.Sprintf("Output %s %s", o.Format, where)
	if len(o.PartitionBy) > 0 {
		head += " partition_by " + strings.Join(o.PartitionBy, ", ")
	}
	roots := map[Node]string{}
	for _, t := range p.Transforms {
		if _, ok := roots[t.Root]; !ok {
			roots[t.Root] = t.Name
		}
	}
	e := &explainer{b: &b, roots: roots, shown: map[Node]bool{}}
	e.line(head, "", "")
	e.cols(o.Schema, "", true)
	e.node(o.Root, "└─ ", "   ")
	if len(p.Checks) > 0 {
		b.WriteString("\nChecks\n")
		for _, c := range p.Checks {
			fmt.Fprintf(&b, "  %s (%s): %s\n", c.Name, c.Severity, checkText(c))
		}
	}
	return b.String()
}

func checkText(c Check) string {
	proj, ok := c.Root.(*Project)
	if !ok || len(proj.Exprs) != 1 {
		return "?"
	}
	return FormatExpr(proj.Exprs[0], proj.Input.Schema())
}

type explainer struct {
	b     *strings.Builder
	roots map[Node]string
	shown map[Node]bool
}

func (e *explainer) line(label, prefix, note string) {
	e.b.WriteString(prefix)
	e.b.WriteString(label)
	if note != "" {
		e.b.WriteString("  ← ")
		e.b.WriteString(note)
	}
	e.b.WriteByte('\n')
}

func (e *explainer) cols(s types.Schema, prefix string, hasChildren bool) {
	bar := "   "
	if hasChildren {
		bar = "│  "
	}
	e.b.WriteString(prefix + bar + "(" + FormatColumns(s) + ")\n")
}

func (e *explainer) node(n Node, prefix, childPrefix string) {
	note := ""
	if t, ok := e.roots[n]; ok {
		note = "transform." + t
		if e.shown[n] {
			e.line("Transform "+t+" (shown above)", prefix, "")
			return
		}
	}
	e.shown[n] = true
	e.line(Label(n), prefix, note)
	kids := n.Children()
	e.cols(n.Schema(), childPrefix, len(kids) > 0)
	for i, k := range kids {
		if i == len(kids)-1 {
			e.node(k, childPrefix+"└─ ", childPrefix+"   ")
		} else {
			e.node(k, childPrefix+"├─ ", childPrefix+"│  ")
		}
	}
}

// PlanNode is the JSON form of a plan node, for explain --json.
type PlanNode struct {
	// Operator is the node's kind: scan, filter, project, join, aggregate,
	// sort, limit, distinct, union.
	Operator string `json:"operator"`
	// Label is the text explain prints for the node.
	Label     string       `json:"label"`
	Transform string       `json:"transform,omitempty"`
	Columns   []PlanColumn `json:"columns"`
	Inputs    []*PlanNode  `json:"inputs,omitempty"`
}

// PlanColumn is one output column of a plan node.
type PlanColumn struct {
	Name      string   `json:"name"`
	Qualifier string   `json:"qualifier,omitempty"`
	Type      string   `json:"type"`
	Nullable  bool     `json:"nullable"`
	Tags      []string `json:"tags,omitempty"`
}

// PlanJSON is the JSON form of a product's compiled plan.
type PlanJSON struct {
	Product     string      `json:"product"`
	Format      string      `json:"format"`
	Path        string      `json:"path,omitempty"`
	Table       string      `json:"table,omitempty"`
	PartitionBy []string    `json:"partition_by,omitempty"`
	Plan        *PlanNode   `json:"plan"`
	Checks      []CheckJSON `json:"checks"`
}

// CheckJSON is a check in explain --json.
type CheckJSON struct {
	Name     string `json:"name"`
	Severity string `json:"severity"`
	Assert   string `json:"assert"`
	Implicit bool   `json:"implicit,omitempty"`
}

// ExplainJSON returns the JSON form of Explain.
func ExplainJSON(p *Product) *PlanJSON {
	roots := map[Node]string{}
	for _, t := range p.Transforms {
		if _, ok := roots[t.Root]; !ok {
			roots[t.Root] = t.Name
		}
	}
	out := &PlanJSON{Product: p.Name, Format: p.Output.Format, Path: p.Output.Path, Table: p.Output.Table,
		PartitionBy: p.Output.PartitionBy, Plan: planNode(p.Output.Root, roots), Checks: []CheckJSON{}}
	for _, c := range p.Checks {
		out.Checks = append(out.Checks, CheckJSON{Name: c.Name, Severity: string(c.Severity), Assert: checkText(c), Implicit: c.Implicit})
	}
	return out
}

func planNode(n Node, roots map[Node]string) *PlanNode {
	label := Label(n)
	op, _, _ := strings.Cut(label, " ")
	pn := &PlanNode{Operator: strings.ToLower(op), Label: label, Transform: roots[n]}
	for _, c := range n.Schema() {
		pn.Columns = append(pn.Columns, PlanColumn{Name: c.Name, Qualifier: c.Qualifier, Type: c.Type.String(), Nullable: c.Nullable, Tags: c.Tags})
	}
	for _, k := range n.Children() {
		pn.Inputs = append(pn.Inputs, planNode(k, roots))
	}
	return pn
}
