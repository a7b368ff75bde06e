package reference

import (
	"errors"
	"fmt"
	"slices"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Run evaluates the plan rooted at n and returns its rows, in the order the
// plan defines: a sort is stable; without one, rows keep their input order
// (a filter keeps order; a join emits left rows in order, each with its
// matches in right order, then for right and full joins the unmatched
// right rows in right order; an aggregate emits groups in order of first
// appearance; a union concatenates its inputs in order; distinct keeps
// first occurrences in order).
//
// A node that feeds several parents is computed once per call. The rows
// returned are new: modifying them changes neither tables nor a later run.
func Run(n ir.Node, tables Tables, env Env) ([]Row, error) {
	r := &runner{tables: tables, env: env, done: map[ir.Node][]Row{}}
	rows, err := r.run(n)
	if err != nil {
		return nil, err
	}
	out := make([]Row, len(rows))
	for i, row := range rows {
		out[i] = slices.Clone(row)
	}
	return out, nil
}

// Check evaluates an ir.Check over tables and reports whether it passed:
// its plan must yield one row of one bool column; true passes, false and
// null fail.
func Check(c ir.Check, tables Tables, env Env) (bool, error) {
	rows, err := Run(c.Root, tables, env)
	if err != nil {
		return false, fmt.Errorf("check %s: %w", c.Name, err)
	}
	if len(rows) != 1 || len(rows[0]) != 1 {
		return false, fmt.Errorf("check %s: internal: its plan yielded %d rows, want one row of one column", c.Name, len(rows))
	}
	switch v := rows[0][0].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	}
	return false, fmt.Errorf("check %s: internal: its plan yielded %T, not a bool", c.Name, rows[0][0])
}

// CheckAggregates evaluates the Aggregate of check c (the input of its
// Root's projection) over tables and returns its one row: the values the
// assertion reads, in the Aggregate's order.
func CheckAggregates(c ir.Check, tables Tables, env Env) (Row, error) {
	proj, ok := c.Root.(*ir.Project)
	if !ok {
		return nil, fmt.Errorf("check %s: internal: its plan is %T, not a projection", c.Name, c.Root)
	}
	rows, err := Run(proj.Input, tables, env)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", c.Name, err)
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("check %s: internal: its aggregate yielded %d rows", c.Name, len(rows))
	}
	return rows[0], nil
}

// runner evaluates one plan. Rows it holds are never modified in place:
// every operator builds new slices, so that a node's rows can be shared
// by all its parents.
type runner struct {
	tables Tables
	env    Env
	done   map[ir.Node][]Row
}

func (r *runner) run(n ir.Node) ([]Row, error) {
	if n == nil {
		return nil, errors.New("internal: nil plan node")
	}
	if rows, ok := r.done[n]; ok {
		return rows, nil
	}
	rows, err := r.node(n)
	if err != nil {
		return nil, err
	}
	if err := checkRows(rows, n.Schema()); err != nil {
		return nil, fmt.Errorf("%s: internal: %w", ir.Label(n), err)
	}
	r.done[n] = rows
	return rows, nil
}

// checkRows verifies that every row has the schema's width and every value
// the representation of its column's type: a guard against this package's
// own mistakes (and, for scans, against test tables that do not match the
// plan).
func checkRows(rows []Row, s types.Schema) error {
	for i, row := range rows {
		if len(row) != len(s) {
			return fmt.Errorf("row %d has %d values for %d columns", i+1, len(row), len(s))
		}
		for j, v := range row {
			if !conforms(v, s[j].Type) {
				return fmt.Errorf("row %d: column %s holds %T %v, not a %s", i+1, s[j].Name, v, v, s[j].Type)
			}
		}
	}
	return nil
}

// rowError wraps an expression's error with the operator and the row
// (counted from 1 in the operator's input).
func rowError(n ir.Node, i int, err error) error {
	return fmt.Errorf("%s: row %d: %w", ir.Label(n), i+1, err)
}

func (r *runner) node(n ir.Node) ([]Row, error) {
	switch n := n.(type) {
	case *ir.Scan:
		return r.scan(n)
	case *ir.Filter:
		return r.filter(n)
	case *ir.Project:
		return r.project(n)
	case *ir.Join:
		return r.join(n)
	case *ir.Aggregate:
		return r.aggregate(n)
	case *ir.Sort:
		return r.sort(n)
	case *ir.Limit:
		return r.limit(n)
	case *ir.Distinct:
		in, err := r.run(n.Input)
		if err != nil {
			return nil, err
		}
		return distinct(in), nil
	case *ir.Union:
		return r.union(n)
	}
	return nil, fmt.Errorf("internal: unknown plan node %T", n)
}

// scan reads the table named by the source. Its rows must match the
// scan's schema, nulls included: a null in a non-nullable column is bad
// test data, not something to compute with.
func (r *runner) scan(n *ir.Scan) ([]Row, error) {
	if n.Source == nil {
		return nil, errors.New("internal: scan without a source")
	}
	rows, ok := r.tables[n.Source.Name]
	if !ok {
		return nil, fmt.Errorf("%s: no table %q", ir.Label(n), n.Source.Name)
	}
	if err := checkRows(rows, n.Out); err != nil {
		return nil, fmt.Errorf("%s: table %q: %w", ir.Label(n), n.Source.Name, err)
	}
	for i, row := range rows {
		for j, v := range row {
			if v == nil && !n.Out[j].Nullable {
				return nil, fmt.Errorf("%s: table %q: row %d: null in non-nullable column %s", ir.Label(n), n.Source.Name, i+1, n.Out[j].Name)
			}
		}
	}
	return rows, nil
}

// filter keeps the rows whose predicate is true (not false, not null).
func (r *runner) filter(n *ir.Filter) ([]Row, error) {
	in, err := r.run(n.Input)
	if err != nil {
		return nil, err
	}
	out := []Row{}
	for i, row := range in {
		v, err := Eval(n.Pred, row, r.env)
		if err != nil {
			return nil, rowError(n, i, err)
		}
		if v == true {
			out = append(out, row)
		}
	}
	return out, nil
}

func (r *runner) project(n *ir.Project) ([]Row, error) {
	computed := make([]types.Type, len(n.Exprs))
	for i, e := range n.Exprs {
		computed[i] = e.Type()
	}
	if err := typesMatch(computed, n.Out); err != nil {
		return nil, fmt.Errorf("%s: internal: %w", ir.Label(n), err)
	}
	in, err := r.run(n.Input)
	if err != nil {
		return nil, err
	}
	out := make([]Row, 0, len(in))
	for i, row := range in {
		o := make(Row, len(n.Exprs))
		for j, e := range n.Exprs {
			if o[j], err = Eval(e, row, r.env); err != nil {
				return nil, rowError(n, i, err)
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// evalKeys evaluates key expressions over each row; hasNull reports, per
// row, whether any key is null.
func evalKeys(n ir.Node, keys []ir.Expr, rows []Row, env Env) (vals [][]any, hasNull []bool, err error) {
	vals = make([][]any, len(rows))
	hasNull = make([]bool, len(rows))
	for i, row := range rows {
		vals[i] = make([]any, len(keys))
		for j, k := range keys {
			if vals[i][j], err = Eval(k, row, env); err != nil {
				return nil, nil, rowError(n, i, err)
			}
			hasNull[i] = hasNull[i] || vals[i][j] == nil
		}
	}
	return vals, hasNull, nil
}

// join is an equi-join: a left row and a right row match when every pair
// of keys is equal; a null key never matches. Left rows are taken in
// order, each with its matches in right order; right and full joins then
// add the right rows no left row matched, in right order, with nulls on
// the left. Semi and anti joins yield left columns only: the left rows
// with at least one match (once each), or with none.
func (r *runner) join(n *ir.Join) ([]Row, error) {
	if len(n.LeftKeys) != len(n.RightKeys) {
		return nil, fmt.Errorf("%s: internal: %d left keys, %d right keys", ir.Label(n), len(n.LeftKeys), len(n.RightKeys))
	}
	for i := range n.LeftKeys {
		if lt, rt := n.LeftKeys[i].Type(), n.RightKeys[i].Type(); lt != rt {
			return nil, fmt.Errorf("%s: internal: key %d is %s on the left, %s on the right", ir.Label(n), i+1, lt, rt)
		}
	}
	left, err := r.run(n.Left)
	if err != nil {
		return nil, err
	}
	right, err := r.run(n.Right)
	if err != nil {
		return nil, err
	}
	lk, lnull, err := evalKeys(n, n.LeftKeys, left, r.env)
	if err != nil {
		return nil, err
	}
	rk, rnull, err := evalKeys(n, n.RightKeys, right, r.env)
	if err != nil {
		return nil, err
	}
	// byKey lists, per key, the right rows holding it, in right order.
	byKey := map[string][]int{}
	for j := range right {
		if !rnull[j] {
			k := groupKey(rk[j])
			byKey[k] = append(byKey[k], j)
		}
	}
	nl, nr := len(n.Left.Schema()), len(n.Right.Schema())
	pair := func(l, rr Row) Row {
		o := make(Row, 0, nl+nr)
		if l == nil {
			l = make(Row, nl)
		}
		if rr == nil {
			rr = make(Row, nr)
		}
		return append(append(o, l...), rr...)
	}
	out := []Row{}
	rightMatched := make([]bool, len(right))
	for i, l := range left {
		var matches []int
		if !lnull[i] {
			matches = byKey[groupKey(lk[i])]
		}
		switch n.Kind {
		case ir.SemiJoin:
			if len(matches) > 0 {
				out = append(out, slices.Clone(l))
			}
		case ir.AntiJoin:
			if len(matches) == 0 {
				out = append(out, slices.Clone(l))
			}
		case ir.InnerJoin, ir.LeftJoin, ir.RightJoin, ir.FullJoin:
			for _, j := range matches {
				out = append(out, pair(l, right[j]))
				rightMatched[j] = true
			}
			if len(matches) == 0 && (n.Kind == ir.LeftJoin || n.Kind == ir.FullJoin) {
				out = append(out, pair(l, nil))
			}
		default:
			return nil, fmt.Errorf("internal: join kind %d", n.Kind)
		}
	}
	if n.Kind == ir.RightJoin || n.Kind == ir.FullJoin {
		for j, rr := range right {
			if !rightMatched[j] {
				out = append(out, pair(nil, rr))
			}
		}
	}
	return out, nil
}

// sort orders rows stably by the keys: each key ascending or descending;
// nulls last unless NullsFirst, in both directions.
func (r *runner) sort(n *ir.Sort) ([]Row, error) {
	in, err := r.run(n.Input)
	if err != nil {
		return nil, err
	}
	exprs := make([]ir.Expr, len(n.Keys))
	for i, k := range n.Keys {
		exprs[i] = k.Expr
	}
	keys, _, err := evalKeys(n, exprs, in, r.env)
	if err != nil {
		return nil, err
	}
	order := make([]int, len(in))
	for i := range order {
		order[i] = i
	}
	var cmpErr error
	slices.SortStableFunc(order, func(a, b int) int {
		for k, key := range n.Keys {
			va, vb := keys[a][k], keys[b][k]
			switch {
			case va == nil && vb == nil:
				continue
			case va == nil || vb == nil:
				aFirst := (va == nil) == key.NullsFirst // a's null goes first, or b's goes last
				if aFirst {
					return -1
				}
				return 1
			}
			c, err := compare(va, vb)
			if err != nil && cmpErr == nil {
				cmpErr = err
			}
			if key.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	if cmpErr != nil {
		return nil, fmt.Errorf("%s: %w", ir.Label(n), cmpErr)
	}
	out := make([]Row, len(in))
	for i, j := range order {
		out[i] = in[j]
	}
	return out, nil
}

func (r *runner) limit(n *ir.Limit) ([]Row, error) {
	if n.Count < 0 || n.Offset < 0 {
		return nil, fmt.Errorf("%s: internal: negative count or offset", ir.Label(n))
	}
	in, err := r.run(n.Input)
	if err != nil {
		return nil, err
	}
	from := min(n.Offset, int64(len(in)))
	to := min(from+min(n.Count, int64(len(in))), int64(len(in)))
	return slices.Clone(in[from:to]), nil
}

// distinct keeps the first of every set of equal rows, in order (nulls
// equal each other here, as in SQL's DISTINCT).
func distinct(in []Row) []Row {
	seen := map[string]bool{}
	out := []Row{}
	for _, row := range in {
		k := groupKey(row)
		if !seen[k] {
			seen[k] = true
			out = append(out, row)
		}
	}
	return out
}

func (r *runner) union(n *ir.Union) ([]Row, error) {
	out := []Row{}
	for _, in := range n.Inputs {
		if s := in.Schema(); len(s) != len(n.Out) || !sameTypes(s, n.Out) {
			return nil, fmt.Errorf("%s: internal: an input's columns (%s) differ from the union's (%s)", ir.Label(n), ir.FormatColumns(s), ir.FormatColumns(n.Out))
		}
		rows, err := r.run(in)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	if n.Distinct {
		return distinct(out), nil
	}
	return out, nil
}

// sameTypes reports whether two schemas of one width have the same column
// types.
func sameTypes(a, b types.Schema) bool {
	for i := range a {
		if a[i].Type != b[i].Type {
			return false
		}
	}
	return true
}

// typesMatch checks that the values computed for a node's columns have
// the columns' types: a decimal's scale is not visible in its
// representation, so a mismatch would otherwise go unnoticed.
func typesMatch(computed []types.Type, out types.Schema) error {
	if len(computed) != len(out) {
		return fmt.Errorf("%d values computed for %d columns", len(computed), len(out))
	}
	for i, t := range computed {
		if t != out[i].Type {
			return fmt.Errorf("column %s is %s but is computed as %s", out[i].Name, out[i].Type, t)
		}
	}
	return nil
}
