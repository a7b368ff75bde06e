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
