package ir

// Children returns the direct sub-expressions of e.
func Children(e Expr) []Expr {
	switch e := e.(type) {
	case *Unary:
		return []Expr{e.X}
	case *Binary:
		return []Expr{e.L, e.R}
	case *Cast:
		return []Expr{e.X}
	case *IsNull:
		return []Expr{e.X}
	case *Cond:
		return []Expr{e.If, e.Then, e.Else}
	case *In:
		return []Expr{e.X}
	case *Call:
		return e.Args
	}
	return nil
}

// Walk calls fn for e and every sub-expression, depth first.
func Walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	for _, c := range Children(e) {
		Walk(c, fn)
	}
}

// ColumnsUsed returns the input column indexes e reads, in first-use order.
func ColumnsUsed(e Expr) []int {
	var out []int
	seen := map[int]bool{}
	Walk(e, func(x Expr) {
		if r, ok := x.(*ColumnRef); ok && !seen[r.Index] {
			seen[r.Index] = true
			out = append(out, r.Index)
		}
	})
	return out
}

// WalkNodes calls fn for n and every node below it, depth first; a node
// reachable along several paths is visited once.
func WalkNodes(n Node, fn func(Node)) {
	seen := map[Node]bool{}
	var walk func(Node)
	walk = func(n Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		fn(n)
		for _, c := range n.Children() {
			walk(c)
		}
	}
	walk(n)
}
