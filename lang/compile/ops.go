package compile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/suggest"
	"github.com/meshctl/meshctl/lang/types"
)

// operator compiles one operator over cur; nil when it failed.
func (c *compiler) operator(pc *productCtx, t *configs.Transform, cur *rel, op configs.Operator) *rel {
	switch op := op.(type) {
	case *configs.Filter:
		return c.filter(cur, op)
	case *configs.Select:
		return c.selectOp(cur, op)
	case *configs.Aggregate:
		return c.aggregateOp(cur, op)
	case *configs.Join:
		return c.join(pc, t, cur, op)
	case *configs.Sort:
		return c.sortOp(cur, op)
	case *configs.Limit:
		return &rel{node: &ir.Limit{Input: cur.node, Count: op.Count, Offset: op.Offset}, cols: cur.cols}
	case *configs.Distinct:
		return &rel{node: &ir.Distinct{Input: cur.node}, cols: cur.cols}
	case *configs.Union:
		return c.union(pc, cur, op)
	}
	return nil
}

func (c *compiler) filter(cur *rel, op *configs.Filter) *rel {
	if op.Where == nil {
		return nil
	}
	x := c.expr(op.Where, &scope{cols: cur.cols, where: "filter"})
	if x == nil {
		return nil
	}
	switch x.Type().Kind {
	case types.Bool:
	case types.Null:
		x = c.coerce(x, types.BoolType)
	default:
		c.errorf(op.Where.Range(), "A filter's where must be true or false",
			"%s; write a condition, such as %s.", c.subject(op.Where, x), conditionHint(x))
		return nil
	}
	f := &ir.Filter{Input: cur.node, Pred: x}
	cols := cur.cols
	if proven := nonNullColumns(x); len(proven) > 0 {
		cols = slices.Clone(cur.cols)
		out := slices.Clone(cur.node.Schema())
		for _, i := range proven {
			cols[i].Nullable = false
			out[i].Nullable = false
		}
		f.Out = out
	}
	return &rel{node: f, cols: cols}
}

// nonNullColumns returns the columns a filter predicate proves non-null:
// a row passes only when every conjunct is true, and x != null, a
// comparison, contains() or like() is never true for a null operand.
func nonNullColumns(pred ir.Expr) []int {
	var out []int
	add := func(e ir.Expr) {
		for {
			c, ok := e.(*ir.Cast)
			if !ok || c.Explicit {
				break
			}
			e = c.X
		}
		if r, ok := e.(*ir.ColumnRef); ok && !slices.Contains(out, r.Index) {
			out = append(out, r.Index)
		}
	}
	var visit func(ir.Expr)
	visit = func(e ir.Expr) {
		switch e := e.(type) {
		case *ir.Binary:
			switch {
			case e.Op == ir.And:
				visit(e.L)
				visit(e.R)
			case e.Op.IsComparison():
				add(e.L)
				add(e.R)
			}
		case *ir.IsNull:
			if e.Negated {
				add(e.X)
			}
		case *ir.In:
			add(e.X)
		case *ir.Call:
			if e.Fn == ir.FnLike {
				add(e.Args[0])
			}
		}
	}
	visit(pred)
	return out
}

func conditionHint(x ir.Expr) string {
	switch {
	case x.Type().IsNumeric():
		return "amount > 0"
	case x.Type().Kind == types.String:
		return `status == "shipped"`
	}
	return "x != null"
}

// project compiles named expressions into a Project over cur.
func (c *compiler) project(cur *rel, cols []configs.NamedExpr, sc *scope, inputCols types.Schema) (*ir.Project, bool) {
	exprs := make([]ir.Expr, 0, len(cols))
	out := make(types.Schema, 0, len(cols))
	ok := true
	for _, ne := range cols {
		x := c.expr(ne.Expr, sc)
		if x == nil {
			ok = false
			continue
		}
		if x.Type().Kind == types.Null {
			c.errorf(ne.Expr.Range(), fmt.Sprintf("Column %q has no type", ne.Name),
				"A column that is always null still needs a type: write cast(null, \"string\") or the type you mean.")
			ok = false
			continue
		}
		col := types.Column{Name: ne.Name, Type: x.Type(), Nullable: x.Nullable(), Tags: tagsOf(x, inputCols)}
		if ref, isRef := x.(*ir.ColumnRef); isRef && ref.Index < len(inputCols) {
			col.Description = inputCols[ref.Index].Description
		}
		exprs = append(exprs, x)
		out = append(out, col)
	}
	if !ok {
		return nil, false
	}
	return &ir.Project{Input: cur.node, Exprs: exprs, Out: out}, true
}

func (c *compiler) selectOp(cur *rel, op *configs.Select) *rel {
	if len(op.Columns) == 0 {
		return nil
	}
	p, ok := c.project(cur, op.Columns, &scope{cols: cur.cols, where: "select"}, cur.cols)
	if !ok {
		return nil
	}
	return &rel{node: p, cols: p.Out}
}

func (c *compiler) aggregateOp(cur *rel, op *configs.Aggregate) *rel {
	a := &aggScope{seen: map[string]int{}, grouped: len(op.GroupBy) > 0}
	var keyCols types.Schema
	var keys []ir.Expr
	keyNames := map[string]hcl.Range{}
	ok := true
	for _, g := range op.GroupBy {
		if _, isRef := g.(*hclsyntax.ScopeTraversalExpr); !isRef {
			c.errorf(g.Range(), "group_by lists columns",
				"Group by a column's name, such as group_by = [country]. To group by a computed value, derive it in a select first: select { columns = { signup_year = year(signup_date), … } }.")
			ok = false
			continue
		}
		x := c.expr(g, &scope{cols: cur.cols, where: "aggregate"})
		ref, isRef := x.(*ir.ColumnRef)
		if !isRef {
			ok = false
			continue
		}
		col := cur.cols[ref.Index]
		if first, dup := keyNames[col.Name]; dup {
			c.errorf(g.Range(), fmt.Sprintf("Duplicate group key %q", col.Name), "%q is already a group key, at %s.", col.Name, rangeString(first))
			ok = false
			continue
		}
		keyNames[col.Name] = g.Range()
		a.keys = append(a.keys, ref.Index)
		keys = append(keys, ref)
		keyCols = append(keyCols, types.Column{Name: col.Name, Type: col.Type, Nullable: col.Nullable, Tags: col.Tags, Description: col.Description})
	}
	for _, ne := range op.Columns {
		if first, dup := keyNames[ne.Name]; dup {
			c.errorf(ne.NameRange, fmt.Sprintf("Column %q is already a group key", ne.Name),
				"The group key %q (at %s) is part of the aggregate's output already; name this column differently.", ne.Name, rangeString(first))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	sc := &scope{cols: cur.cols, where: "aggregate", agg: a}
	// Compile the columns first (collecting aggregate calls), then build the
	// Aggregate node they read.
	exprs := make([]ir.Expr, 0, len(op.Columns))
	for _, ne := range op.Columns {
		x := c.expr(ne.Expr, sc)
		if x == nil {
			ok = false
			continue
		}
		if x.Type().Kind == types.Null {
			c.errorf(ne.Expr.Range(), fmt.Sprintf("Column %q has no type", ne.Name), "A column that is always null still needs a type: write cast(null, \"string\").")
			ok = false
			continue
		}
		exprs = append(exprs, x)
	}
	if !ok {
		return nil
	}
	agg := &ir.Aggregate{Input: cur.node, Keys: keys, Aggs: a.calls, Out: aggOut(keyCols, a.calls, cur.cols)}
	outExprs := make([]ir.Expr, 0, len(keys)+len(exprs))
	out := make(types.Schema, 0, len(keys)+len(exprs))
	for i, k := range keyCols {
		outExprs = append(outExprs, &ir.ColumnRef{Meta: ir.Meta{T: k.Type, Null: k.Nullable}, Index: i, Name: k.Name})
		out = append(out, k)
	}
	for i, x := range exprs {
		outExprs = append(outExprs, x)
		out = append(out, types.Column{Name: op.Columns[i].Name, Type: x.Type(), Nullable: x.Nullable(), Tags: tagsOf(x, agg.Out)})
	}
	return &rel{node: &ir.Project{Input: agg, Exprs: outExprs, Out: out}, cols: out}
}

func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

func (c *compiler) sortOp(cur *rel, op *configs.Sort) *rel {
	sc := &scope{cols: cur.cols, where: "sort"}
	keys := make([]ir.SortKey, 0, len(op.By))
	ok := true
	for _, e := range op.By {
		k, good := c.sortKey(e, sc)
		if !good {
			ok = false
			continue
		}
		keys = append(keys, k)
	}
	if !ok {
		return nil
	}
	if len(keys) == 0 {
		c.errorf(op.Range, "Empty sort", "sort.by lists at least one key, such as by = [desc(revenue), country].")
		return nil
	}
	return &rel{node: &ir.Sort{Input: cur.node, Keys: keys}, cols: cur.cols}
}

// join compiles an equi-join of cur (the left side) with op.With.
func (c *compiler) join(pc *productCtx, t *configs.Transform, cur *rel, op *configs.Join) *rel {
	if op.With.Name == "" || op.On == nil {
		return nil
	}
	right := c.relOf(pc, op.With)
	if right == nil {
		return nil
	}
	kind, _ := ir.ParseJoinKind(op.Type)
	if kind == 0 {
		return nil
	}
	leftName := t.From.Name
	rightName := op.With.Name
	if op.As != "" {
		rightName = op.As
	}
	left := slices.Clone(cur.cols)
	for i := range left {
		if left[i].Qualifier == "" {
			left[i].Qualifier = leftName
		}
	}
	if types.Schema(left).HasQualifier(rightName) {
		c.errorf(op.WithRange, fmt.Sprintf("Both sides of the join are called %q", rightName),
			"The left side already has columns named %s.x; give the right side another name with as = \"…\".", rightName)
		return nil
	}
	rcols := right.cols.WithQualifier(rightName)
	sides := sideNames(left, rightName)

	var lkeys, rkeys []ir.Expr
	ok := true
	for _, cond := range conjuncts(op.On) {
		eq, isEq := cond.(*hclsyntax.BinaryOpExpr)
		if !isEq || eq.Op != hclsyntax.OpEqual {
			c.errorf(cond.Range(), "Join condition is not an equality",
				"A join's on is one or more equalities joined by &&, each comparing a column of one side with a column of the other, such as %s.id == %s.customer_id. Filter other conditions after the join.", leftName, rightName)
			ok = false
			continue
		}
		ls, lok := c.joinSide(eq.LHS, left, rcols, sides)
		rs, rok := c.joinSide(eq.RHS, left, rcols, sides)
		if !lok || !rok {
			ok = false
			continue
		}
		le, re := eq.LHS, eq.RHS
		if ls == 1 && rs == 0 {
			le, re, ls, rs = re, le, rs, ls
		}
		if ls < 0 || rs < 0 {
			c.errorf(eq.SrcRange, "Join condition compares with a constant",
				"Each equality of on compares a column of %q with one of %q. To keep only some rows, filter them before or after the join.", leftName, rightName)
			ok = false
			continue
		}
		if ls != 0 || rs != 1 {
			side := sides[0]
			if ls == 1 {
				side = rightName
			}
			c.errorf(eq.SrcRange, "Join condition compares one side with itself",
				"Both sides of == read the %q side. Each equality compares a column of %q with one of %q.", side, leftName, rightName)
			ok = false
			continue
		}
		lx := c.expr(le, &scope{cols: left, where: "join", sides: sides})
		rx := c.expr(re, &scope{cols: rcols, where: "join", sides: sides})
		if lx == nil || rx == nil {
			ok = false
			continue
		}
		kt, match := c.unify(lx, rx)
		if !match || kt.Kind == types.Null {
			c.errorf(eq.SrcRange, fmt.Sprintf("%s, cannot be compared with %s", c.subject(le, lx), c.object(re, rx)),
				"Join keys must have comparable types. Convert one side with cast() in a select before the join.")
			ok = false
			continue
		}
		lkeys = append(lkeys, c.coerce(lx, kt))
		rkeys = append(rkeys, c.coerce(rx, kt))
	}
	if !ok {
		return nil
	}
	out := make(types.Schema, 0, len(left)+len(rcols))
	for _, col := range left {
		if kind == ir.RightJoin || kind == ir.FullJoin {
			col.Nullable = true
		}
		out = append(out, col)
	}
	if kind != ir.SemiJoin && kind != ir.AntiJoin {
		for _, col := range rcols {
			if kind == ir.LeftJoin || kind == ir.FullJoin {
				col.Nullable = true
			}
			out = append(out, col)
		}
	}
	return &rel{node: &ir.Join{Left: cur.node, Right: right.node, Kind: kind, LeftKeys: lkeys, RightKeys: rkeys, RightName: rightName, Out: out}, cols: out}
}

func sideNames(left types.Schema, rightName string) []string {
	var out []string
	for _, col := range left {
		if !slices.Contains(out, col.Qualifier) {
			out = append(out, col.Qualifier)
		}
	}
	return append(out, rightName)
}

// conjuncts splits a && b && c into its parts.
func conjuncts(e hcl.Expression) []hcl.Expression {
	if p, ok := e.(*hclsyntax.ParenthesesExpr); ok {
		return conjuncts(p.Expression)
	}
	if b, ok := e.(*hclsyntax.BinaryOpExpr); ok && b.Op == hclsyntax.OpLogicalAnd {
		return append(conjuncts(b.LHS), conjuncts(b.RHS)...)
	}
	return []hcl.Expression{e}
}

// joinSide says which side of a join an operand of on reads: 0 left, 1
// right, -1 neither (a constant). ok is false after reporting a problem.
func (c *compiler) joinSide(e hcl.Expression, left, right types.Schema, sides []string) (int, bool) {
	side := -1
	for _, trav := range e.Variables() {
		s := -1
		root := trav.RootName()
		if len(trav) >= 2 {
			switch {
			case left.HasQualifier(root):
				s = 0
			case right.HasQualifier(root):
				s = 1
			default:
				c.errorf(trav.SourceRange(), fmt.Sprintf("Unknown relation %q", root), "The sides of this join are %s.%s", suggest.List(sides, 0), suggest.DidYouMean(root, sides))
				return 0, false
			}
		} else {
			inL, inR := len(left.Lookup("", root)) > 0, len(right.Lookup("", root)) > 0
			switch {
			case inL && inR:
				c.errorf(trav.SourceRange(), fmt.Sprintf("Ambiguous column %q", root),
					"Both sides of the join have a column %q: qualify it, as in %s.%s or %s.%s.", root, left[left.Lookup("", root)[0]].Qualifier, root, sides[len(sides)-1], root)
				return 0, false
			case inL:
				s = 0
			case inR:
				s = 1
			default:
				all := append(slices.Clone(left.Names()), right.Names()...)
				c.errorf(trav.SourceRange(), fmt.Sprintf("Unknown column %q", root), "Neither side of this join has a column %q.%s", root,
					orList(suggest.DidYouMean(root, all), " The columns are "+suggest.List(all, 12)+"."))
				return 0, false
			}
		}
		if side >= 0 && s != side {
			c.errorf(e.Range(), "Join key reads both sides",
				"Each side of == must read one side of the join only; %s mixes %s.", c.text(e.Range()), strings.Join(sides, " and "))
			return 0, false
		}
		side = s
	}
	return side, true
}

// union appends the rows of other relations, matching columns by name.
func (c *compiler) union(pc *productCtx, cur *rel, op *configs.Union) *rel {
	rels := []*rel{cur}
	for _, w := range op.With {
		r := c.relOf(pc, w)
		if r == nil {
			return nil
		}
		rels = append(rels, r)
	}
	if len(rels) == 1 {
		return nil
	}
	base := cur.cols
	if dup := duplicateName(base); dup != "" {
		c.errorf(op.Range, fmt.Sprintf("Union input has two columns named %q", dup), "Columns are matched by name: select unique names before the union.")
		return nil
	}
	names := base.Names()
	out := slices.Clone(base.Unqualified())
	ok := true
	// Match every input's columns to the first's, by name.
	perm := make([][]int, len(rels))
	for ri, r := range rels {
		perm[ri] = make([]int, len(names))
		var missing, extra []string
		for i, n := range names {
			idx := r.cols.Lookup("", n)
			if len(idx) != 1 {
				missing = append(missing, n)
				continue
			}
			perm[ri][i] = idx[0]
		}
		for _, col := range r.cols {
			if !slices.Contains(names, col.Name) {
				extra = append(extra, col.Name)
			}
		}
		if len(missing) > 0 || len(extra) > 0 {
			var parts []string
			if len(missing) > 0 {
				parts = append(parts, "it lacks "+suggest.List(missing, 8))
			}
			if len(extra) > 0 {
				parts = append(parts, "it has "+suggest.List(extra, 8)+" in addition")
			}
			c.errorf(op.WithRanges[ri-1], "Union inputs have different columns",
				"A union matches columns by name, and %s differs from the rows before it: %s. Select the same columns on both sides.", op.With[ri-1], strings.Join(parts, "; "))
			ok = false
			continue
		}
		if ri == 0 {
			continue
		}
		for i, n := range names {
			col := r.cols[perm[ri][i]]
			t, match := types.Common(out[i].Type, col.Type)
			if !match {
				c.errorf(op.WithRanges[ri-1], fmt.Sprintf("Union column %q has different types", n),
					"%q is %s before the union but %s in %s. Convert one with cast() in a select.", n, out[i].Type, col.Type, op.With[ri-1])
				ok = false
				continue
			}
			out[i].Type = t
			out[i].Nullable = out[i].Nullable || col.Nullable
			out[i].Tags = types.MergeTags(out[i].Tags, col.Tags)
		}
	}
	if !ok {
		return nil
	}
	inputs := make([]ir.Node, len(rels))
	for ri, r := range rels {
		identity := true
		exprs := make([]ir.Expr, len(names))
		for i := range names {
			col := r.cols[perm[ri][i]]
			var x ir.Expr = &ir.ColumnRef{Meta: ir.Meta{T: col.Type, Null: col.Nullable}, Index: perm[ri][i], Name: col.Name}
			if col.Type != out[i].Type {
				x = c.coerce(x, out[i].Type)
			}
			identity = identity && perm[ri][i] == i && col.Type == out[i].Type
			exprs[i] = x
		}
		if identity && len(r.cols) == len(names) {
			inputs[ri] = r.node
			continue
		}
		pcols := slices.Clone(out)
		for i := range pcols {
			pcols[i].Nullable = r.cols[perm[ri][i]].Nullable
		}
		inputs[ri] = &ir.Project{Input: r.node, Exprs: exprs, Out: pcols}
	}
	return &rel{node: &ir.Union{Inputs: inputs, Distinct: op.Distinct, Out: out}, cols: out}
}
