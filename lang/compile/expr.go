package compile

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/suggest"
	"github.com/meshctl/meshctl/lang/types"
)

// scope is what an expression can see: the columns of the operator's input
// and, where aggregates are allowed, the aggregate being built.
type scope struct {
	cols types.Schema
	// where names the place for messages ("filter", "select"…).
	where string
	agg   *aggScope
	// sides names the relations of a join, for messages about qualifiers.
	sides []string
}

// aggScope collects the aggregate calls of an aggregate operator or a
// check. Expressions outside aggregate calls are compiled over the
// aggregate's output: the group keys then the aggregates.
type aggScope struct {
	// keys holds, per group key, the index of its input column.
	keys  []int
	calls []ir.AggCall
	seen  map[string]int
	// inside is true while compiling an aggregate's argument.
	inside bool
	// check allows row_count() and null_count() and forbids bare columns.
	check bool
	// grouped is true when there are group keys: every group has a row, so
	// sums of non-null columns are not null.
	grouped bool
}

func (c *compiler) rng(r hcl.Range) diag.Range { return hcldiag.Range(r) }

func (c *compiler) errorf(r hcl.Range, summary, detail string, args ...any) {
	c.diags = append(c.diags, diag.New(diag.Error, hcldiag.Range(r), summary, fmt.Sprintf(detail, args...)))
}

func (c *compiler) warnf(r hcl.Range, summary, detail string, args ...any) {
	c.diags = append(c.diags, diag.New(diag.Warning, hcldiag.Range(r), summary, fmt.Sprintf(detail, args...)))
}

// text returns the source of a range, shortened for messages.
func (c *compiler) text(r hcl.Range) string {
	src := c.ws.Files[r.Filename]
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte >= r.End.Byte {
		return "expression"
	}
	s := strings.Join(strings.Fields(string(src[r.Start.Byte:r.End.Byte])), " ")
	if len(s) > 48 {
		s = s[:45] + "…"
	}
	return s
}

// expr compiles one expression. It returns nil after reporting an error;
// callers pass nil on silently so that one mistake is reported once.
func (c *compiler) expr(e hcl.Expression, sc *scope) ir.Expr {
	switch e := e.(type) {
	case *hclsyntax.ParenthesesExpr:
		return c.expr(e.Expression, sc)
	case *hclsyntax.LiteralValueExpr:
		return c.literal(e.Val, e.SrcRange)
	case *hclsyntax.TemplateExpr:
		return c.template(e, sc)
	case *hclsyntax.TemplateWrapExpr:
		x := c.expr(e.Wrapped, sc)
		if x == nil {
			return nil
		}
		if x.Type().Kind == types.Null {
			return c.lit(ir.NullValue(types.StringType), true, c.rng(e.SrcRange), false)
		}
		return c.toString(x)
	case *hclsyntax.ScopeTraversalExpr:
		return c.column(e.Traversal, e.SrcRange, sc)
	case *hclsyntax.UnaryOpExpr:
		return c.unary(e, sc)
	case *hclsyntax.BinaryOpExpr:
		return c.binary(e, sc)
	case *hclsyntax.ConditionalExpr:
		return c.conditional(e, sc)
	case *hclsyntax.FunctionCallExpr:
		return c.call(e, sc)
	case *hclsyntax.TupleConsExpr:
		c.errorf(e.SrcRange, "Unexpected list", "A list is allowed only as the first argument of contains(), as in contains([\"DE\", \"FR\"], country); a column holds one value per row.")
	case *hclsyntax.ObjectConsExpr:
		c.errorf(e.SrcRange, "Unexpected object", "An object { … } is allowed only as the columns of a select or an aggregate.")
	case *hclsyntax.IndexExpr, *hclsyntax.RelativeTraversalExpr:
		c.errorf(e.Range(), "Unsupported expression", "Columns hold scalar values: indexing with [ ] or taking attributes of a result is not supported.")
	case *hclsyntax.ForExpr, *hclsyntax.SplatExpr:
		c.errorf(e.Range(), "Unsupported expression", "for expressions and splats ([*]) work on lists, and columns hold one value per row; use the operators of a transform instead.")
	default:
		c.errorf(e.Range(), "Unsupported expression", "This kind of expression cannot be computed over columns.")
	}
	return nil
}

// ---- literals ---------------------------------------------------------

func (c *compiler) lit(v ir.Value, nullable bool, src diag.Range, untyped bool) *ir.Literal {
	l := &ir.Literal{Meta: ir.Meta{T: v.Type, Null: nullable, Src: src}, Value: v}
	if untyped {
		c.untyped[l] = true
	}
	return l
}

func (c *compiler) literal(v cty.Value, r hcl.Range) ir.Expr {
	if v.IsNull() {
		return c.lit(ir.NullValue(types.NullType), true, c.rng(r), true)
	}
	switch v.Type() {
	case cty.Bool:
		return c.lit(ir.Value{Type: types.BoolType, Bool: v.True()}, false, c.rng(r), false)
	case cty.String:
		return c.lit(ir.Value{Type: types.StringType, Str: v.AsString()}, false, c.rng(r), true)
	case cty.Number:
		val, ok := numberValue(v.AsBigFloat())
		if !ok {
			c.errorf(r, "Number out of range", "%s cannot be represented exactly; write it as a string and cast it.", c.text(r))
			return nil
		}
		return c.lit(val, false, c.rng(r), true)
	}
	c.errorf(r, "Unsupported literal", "Only numbers, strings, true, false and null can be written here.")
	return nil
}

// numberValue turns a numeric literal into an int64, an exact decimal, or a
// float64 when it has more digits than a decimal holds.
func numberValue(bf *big.Float) (ir.Value, bool) {
	if bf.IsInt() {
		if n, acc := bf.Int64(); acc == big.Exact {
			return ir.Value{Type: types.Int64Type, Int: n}, true
		}
	}
	text := bf.Text('f', -1)
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimPrefix(text, "-")
	intPart, frac, _ := strings.Cut(text, ".")
	intPart = strings.TrimLeft(intPart, "0")
	digits := intPart + frac
	if p := len(strings.TrimLeft(digits, "0")); p <= types.MaxDecimalPrecision && len(frac) <= types.MaxDecimalPrecision {
		unscaled, ok := new(big.Int).SetString("0"+digits, 10)
		if ok {
			if neg {
				unscaled.Neg(unscaled)
			}
			prec := max(len(intPart)+len(frac), len(frac), 1)
			return ir.Value{Type: types.DecimalType(prec, len(frac)), Dec: unscaled}, true
		}
	}
	f, _ := bf.Float64()
	if math.IsInf(f, 0) {
		return ir.Value{}, false
	}
	return ir.Value{Type: types.Float64Type, Float: f}, true
}

// isNullLiteral reports whether e is the null keyword (in parentheses or not).
func isNullLiteral(e hcl.Expression) bool {
	for {
		p, ok := e.(*hclsyntax.ParenthesesExpr)
		if !ok {
			break
		}
		e = p.Expression
	}
	l, ok := e.(*hclsyntax.LiteralValueExpr)
	return ok && l.Val.IsNull()
}

// ---- conversions ------------------------------------------------------

// convertValue converts a constant to type to, exactly; ok is false when
// the value does not fit (300 into int32, 1.25 into decimal(3,1)).
func convertValue(v ir.Value, to types.Type) (ir.Value, bool) {
	if v.Null {
		return ir.NullValue(to), true
	}
	from := v.Type
	out := ir.Value{Type: to}
	switch {
	case from == to:
		return v, true
	case from.IsInteger() && to.IsInteger():
		if to.Kind == types.Int32 && (v.Int < math.MinInt32 || v.Int > math.MaxInt32) {
			return v, false
		}
		out.Int = v.Int
	case from.IsInteger() && to.Kind == types.Float64:
		out.Float = float64(v.Int)
	case from.Kind == types.Decimal && to.Kind == types.Float64:
		f, _ := new(big.Float).Quo(new(big.Float).SetInt(v.Dec), new(big.Float).SetInt(pow10(int(from.Scale)))).Float64()
		out.Float = f
	case (from.IsInteger() || from.Kind == types.Decimal) && to.Kind == types.Decimal:
		unscaled, scale := big.NewInt(v.Int), 0
		if from.Kind == types.Decimal {
			unscaled, scale = new(big.Int).Set(v.Dec), int(from.Scale)
		}
		if scale > int(to.Scale) {
			return v, false
		}
		unscaled.Mul(unscaled, pow10(int(to.Scale)-scale))
		if len(new(big.Int).Abs(unscaled).String()) > int(to.Precision) && unscaled.Sign() != 0 {
			return v, false
		}
		out.Dec = unscaled
	case from.Kind == types.Date && to.Kind == types.Timestamp:
		out.Int = v.Int * 86400 * 1_000_000
	case from.Kind == types.String && to.Kind == types.Date:
		d, err := ir.ParseDate(v.Str)
		if err != nil {
			return v, false
		}
		out.Int = d
	case from.Kind == types.String && to.Kind == types.Timestamp:
		ts, err := ir.ParseTimestamp(v.Str)
		if err != nil {
			return v, false
		}
		out.Int = ts
	default:
		return v, false
	}
	return out, true
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// coerce returns e converted to type to: constants are converted at compile
// time, other expressions get an implicit Cast. The caller has checked that
// the conversion is allowed.
func (c *compiler) coerce(e ir.Expr, to types.Type) ir.Expr {
	if e.Type() == to {
		return e
	}
	if l, ok := e.(*ir.Literal); ok {
		if v, ok := convertValue(l.Value, to); ok {
			return c.lit(v, l.Null, l.Src, false)
		}
	}
	return &ir.Cast{Meta: ir.Meta{T: to, Null: e.Nullable(), Src: e.Range()}, X: e}
}

// unify finds the type two operands are compared or combined in. An untyped
// constant takes the other operand's type when it fits (age > 18 compares
// int32s), and a string constant compared with a date or timestamp is read
// as one.
func (c *compiler) unify(a, b ir.Expr) (types.Type, bool) {
	at, bt := a.Type(), b.Type()
	if t, ok := c.constantFits(a, bt); ok {
		return t, true
	}
	if t, ok := c.constantFits(b, at); ok {
		return t, true
	}
	return types.Common(at, bt)
}

func (c *compiler) constantFits(e ir.Expr, t types.Type) (types.Type, bool) {
	l, ok := e.(*ir.Literal)
	if !ok || !c.untyped[l] || !t.IsValid() {
		return types.Type{}, false
	}
	if l.Value.Type.Kind == types.String && !t.IsTemporal() {
		return types.Type{}, false
	}
	if l.Value.Type.IsNumeric() && !t.IsNumeric() {
		return types.Type{}, false
	}
	if _, ok := convertValue(l.Value, t); ok {
		return t, true
	}
	return types.Type{}, false
}

// ---- descriptions for messages -----------------------------------------

// subject describes an operand as the subject of a sentence:
// `"age" is int32`, `the string "x"`, `lower(name) is string`.
func (c *compiler) subject(src hcl.Expression, e ir.Expr) string {
	if l, ok := e.(*ir.Literal); ok {
		return "the " + c.literalWords(l)
	}
	if _, ok := e.(*ir.ColumnRef); ok {
		return fmt.Sprintf("%q is %s", c.text(src.Range()), e.Type())
	}
	return fmt.Sprintf("%s is %s", c.text(src.Range()), e.Type())
}

// object describes an operand as the object of a sentence:
// `string "x"`, `string column "name"`, `string expression lower(name)`.
func (c *compiler) object(src hcl.Expression, e ir.Expr) string {
	if l, ok := e.(*ir.Literal); ok {
		return c.literalWords(l)
	}
	if _, ok := e.(*ir.ColumnRef); ok {
		return fmt.Sprintf("%s column %q", e.Type(), c.text(src.Range()))
	}
	return fmt.Sprintf("%s expression %s", e.Type(), c.text(src.Range()))
}

func (c *compiler) literalWords(l *ir.Literal) string {
	switch {
	case l.Value.Null:
		return "null"
	case c.untyped[l] && l.Value.Type.IsNumeric():
		return "number " + l.Value.String()
	}
	return l.Value.Type.String() + " " + l.Value.String()
}

// ---- columns ----------------------------------------------------------

func (c *compiler) column(t hcl.Traversal, r hcl.Range, sc *scope) ir.Expr {
	root := t.RootName()
	var name, qual string
	switch {
	case len(t) == 1:
		name = root
	case len(t) == 2:
		step, ok := t[1].(hcl.TraverseAttr)
		if !ok {
			c.errorf(r, "Unsupported expression", "Columns hold scalar values: indexing with [ ] is not supported.")
			return nil
		}
		qual, name = root, step.Name
	default:
		c.errorf(r, "Invalid column reference", "A column is named by itself (id) or, in a join, by its side and name (orders.id).")
		return nil
	}
	if sc.agg != nil && sc.agg.check && !sc.agg.inside {
		c.errorf(r, "Column outside an aggregate in a check",
			"A check's assert is evaluated once over the whole output, so a column must be summarised, such as min(%s) >= 0 or null_count(%s) == 0.", name, name)
		return nil
	}
	if qual != "" && !sc.cols.HasQualifier(qual) {
		switch qual {
		case "input", "transform", "source", "product", "domain":
			example := "age"
			if len(sc.cols) > 0 {
				example = sc.cols[0].Name
			}
			c.errorf(r, "Invalid column reference", "%s refers to a whole %s; inside an operator, name a column of the operator's input directly, such as %s.", c.text(r), qual, example)
		default:
			detail := fmt.Sprintf("There is no relation %q here.", qual)
			sides := sc.sides
			if len(sides) == 0 {
				sides = qualifiers(sc.cols)
			}
			if len(sides) == 1 && len(sc.sides) == 0 {
				detail += fmt.Sprintf(" The only relation here is %s, the transform's input; names of other relations, such as %s.%s, exist only after a join.%s", suggest.List(sides, 0), qual, name, suggest.DidYouMean(qual, sides))
			} else if len(sides) > 0 {
				detail += fmt.Sprintf(" The relations here are %s.%s", suggest.List(sides, 0), suggest.DidYouMean(qual, sides))
			} else if sc.cols.Index(qual) >= 0 || len(sc.cols.Lookup("", qual)) > 0 {
				detail += " Qualified names such as orders.id exist only after a join; here write the column name alone."
			} else {
				detail += " Qualified names such as orders.id exist only after a join."
			}
			c.errorf(r, fmt.Sprintf("Unknown relation %q", qual), "%s", detail)
		}
		return nil
	}
	idx := sc.cols.Lookup(qual, name)
	switch {
	case len(idx) == 0:
		c.unknownColumn(r, qual, name, sc)
		return nil
	case len(idx) > 1:
		var opts []string
		for _, i := range idx {
			opts = append(opts, sc.cols[i].Qualifier+"."+name)
		}
		c.errorf(r, fmt.Sprintf("Ambiguous column %q", name),
			"Both sides of the join have a column %q: qualify it, as in %s.", name, strings.Join(opts, " or "))
		return nil
	}
	i := idx[0]
	col := sc.cols[i]
	if sc.agg != nil && !sc.agg.inside {
		// Outside an aggregate call: only group keys are visible, at their
		// position in the aggregate's output.
		for k, in := range sc.agg.keys {
			if in == i {
				return &ir.ColumnRef{Meta: ir.Meta{T: col.Type, Null: col.Nullable, Src: c.rng(r)}, Index: k, Name: name}
			}
		}
		c.errorf(r, fmt.Sprintf("Column %q is not grouped", name),
			"In an aggregate, a column outside an aggregate function must be listed in group_by. Add %s to group_by, or summarise it, such as max(%s).", name, name)
		return nil
	}
	return &ir.ColumnRef{Meta: ir.Meta{T: col.Type, Null: col.Nullable, Src: c.rng(r)}, Index: i, Name: name}
}

func (c *compiler) unknownColumn(r hcl.Range, qual, name string, sc *scope) {
	var cands []string
	for _, col := range sc.cols {
		if qual == "" || col.Qualifier == qual {
			cands = append(cands, col.Name)
		}
	}
	what := "The input of this " + sc.where
	if qual != "" {
		what = fmt.Sprintf("The %q side of this join", qual)
	}
	detail := fmt.Sprintf("%s has no column %q.", what, name)
	if s := suggest.Name(name, cands); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	} else if len(cands) > 0 {
		detail += fmt.Sprintf(" Its columns are %s.", suggest.List(cands, 12))
	}
	if name == "true" || name == "false" || name == "null" {
		detail = fmt.Sprintf("%s is a keyword; write it without a prefix.", name)
	}
	c.errorf(r, fmt.Sprintf("Unknown column %q", name), "%s", detail)
}

// ---- operators ----------------------------------------------------------

func (c *compiler) unary(e *hclsyntax.UnaryOpExpr, sc *scope) ir.Expr {
	x := c.expr(e.Val, sc)
	if x == nil {
		return nil
	}
	meta := ir.Meta{T: x.Type(), Null: x.Nullable(), Src: c.rng(e.SrcRange)}
	switch e.Op {
	case hclsyntax.OpLogicalNot:
		if x.Type().Kind == types.Null {
			return c.coerce(x, types.BoolType)
		}
		if x.Type().Kind != types.Bool {
			c.errorf(e.SrcRange, "Invalid operand for !", "%s; ! applies to true/false values.", c.subject(e.Val, x))
			return nil
		}
		return &ir.Unary{Meta: meta, Op: ir.Not, X: x}
	case hclsyntax.OpNegate:
		if l, ok := x.(*ir.Literal); ok && !l.Value.Null {
			v := l.Value
			switch {
			case v.Type.IsInteger() && v.Int != math.MinInt64:
				v.Int = -v.Int
			case v.Type.Kind == types.Float64:
				v.Float = -v.Float
			case v.Type.Kind == types.Decimal:
				v.Dec = new(big.Int).Neg(v.Dec)
			default:
				goto notConst
			}
			return c.lit(v, false, c.rng(e.SrcRange), c.untyped[l])
		}
	notConst:
		if x.Type().Kind == types.Null {
			return x
		}
		if !x.Type().IsNumeric() {
			c.errorf(e.SrcRange, "Invalid operand for -", "%s; only numbers can be negated.", c.subject(e.Val, x))
			return nil
		}
		return &ir.Unary{Meta: meta, Op: ir.Neg, X: x}
	}
	c.errorf(e.SrcRange, "Unsupported operator", "This operator is not supported.")
	return nil
}

var binaryOps = map[*hclsyntax.Operation]ir.BinaryOp{
	hclsyntax.OpAdd: ir.Add, hclsyntax.OpSubtract: ir.Sub, hclsyntax.OpMultiply: ir.Mul,
	hclsyntax.OpDivide: ir.Div, hclsyntax.OpModulo: ir.Mod,
	hclsyntax.OpEqual: ir.Eq, hclsyntax.OpNotEqual: ir.Ne,
	hclsyntax.OpLessThan: ir.Lt, hclsyntax.OpLessThanOrEqual: ir.Le,
	hclsyntax.OpGreaterThan: ir.Gt, hclsyntax.OpGreaterThanOrEqual: ir.Ge,
	hclsyntax.OpLogicalAnd: ir.And, hclsyntax.OpLogicalOr: ir.Or,
}

func (c *compiler) binary(e *hclsyntax.BinaryOpExpr, sc *scope) ir.Expr {
	op, ok := binaryOps[e.Op]
	if !ok {
		c.errorf(e.SrcRange, "Unsupported operator", "This operator is not supported.")
		return nil
	}
	src := c.rng(e.SrcRange)
	// x == null and x != null test for null; they never yield null.
	if op == ir.Eq || op == ir.Ne {
		lNull, rNull := isNullLiteral(e.LHS), isNullLiteral(e.RHS)
		if lNull || rNull {
			other := e.LHS
			if lNull {
				other = e.RHS
			}
			if lNull && rNull {
				return c.lit(ir.Value{Type: types.BoolType, Bool: op == ir.Eq}, false, c.rng(e.SrcRange), false)
			}
			x := c.expr(other, sc)
			if x == nil {
				return nil
			}
			return &ir.IsNull{Meta: ir.Meta{T: types.BoolType, Src: src}, X: x, Negated: op == ir.Ne}
		}
	}
	l, r := c.expr(e.LHS, sc), c.expr(e.RHS, sc)
	if l == nil || r == nil {
		return nil
	}
	nullable := l.Nullable() || r.Nullable()
	switch {
	case op.IsLogical():
		for _, side := range []struct {
			src hcl.Expression
			x   ir.Expr
		}{{e.LHS, l}, {e.RHS, r}} {
			if k := side.x.Type().Kind; k != types.Bool && k != types.Null {
				c.errorf(side.src.Range(), fmt.Sprintf("Invalid operand for %s", op),
					"%s; %s combines true/false values, such as age > 18 %s country != null.", c.subject(side.src, side.x), op, op)
				return nil
			}
		}
		return &ir.Binary{Meta: ir.Meta{T: types.BoolType, Null: nullable, Src: src}, Op: op,
			L: c.coerce(l, types.BoolType), R: c.coerce(r, types.BoolType)}

	case op.IsComparison():
		if c.badTemporalConstant(l, r) || c.badTemporalConstant(r, l) {
			return nil
		}
		t, ok := c.unify(l, r)
		if !ok {
			c.errorf(e.SrcRange, fmt.Sprintf("%s, cannot be compared with %s", c.subject(e.LHS, l), c.object(e.RHS, r)),
				"%s", c.compareHint(l, r))
			return nil
		}
		if t.Kind == types.Null {
			return c.lit(ir.NullValue(types.BoolType), true, c.rng(e.SrcRange), false)
		}
		return &ir.Binary{Meta: ir.Meta{T: types.BoolType, Null: nullable, Src: src}, Op: op, L: c.coerce(l, t), R: c.coerce(r, t)}

	default: // arithmetic
		for _, side := range []struct {
			src hcl.Expression
			x   ir.Expr
		}{{e.LHS, l}, {e.RHS, r}} {
			if k := side.x.Type(); !k.IsNumeric() && k.Kind != types.Null {
				hint := "arithmetic applies to numbers."
				if op == ir.Add && k.Kind == types.String {
					hint = "to join strings, write a template such as \"${first} ${last}\" or concat(first, \" \", last)."
				}
				c.errorf(side.src.Range(), fmt.Sprintf("Invalid operand for %s", op), "%s; %s", c.subject(side.src, side.x), hint)
				return nil
			}
		}
		t, ok := c.unify(l, r)
		if !ok {
			c.errorf(e.SrcRange, fmt.Sprintf("Invalid operands for %s", op), "%s and %s have no common type.", c.subject(e.LHS, l), c.object(e.RHS, r))
			return nil
		}
		if t.Kind == types.Null {
			return c.lit(ir.NullValue(types.Int64Type), true, c.rng(e.SrcRange), false)
		}
		res := t
		switch op {
		case ir.Div:
			t, res = types.Float64Type, types.Float64Type
			nullable = true // division by zero yields null
		case ir.Mod:
			nullable = true // x % 0 yields null
		case ir.Add, ir.Sub:
			if t.Kind == types.Decimal {
				res = types.DecimalType(int(t.Precision)+1, int(t.Scale))
			}
		case ir.Mul:
			if t.Kind == types.Decimal {
				l, r = c.decimalOperand(l), c.decimalOperand(r)
				lt, rt := l.Type(), r.Type()
				scale := min(int(lt.Scale)+int(rt.Scale), types.MaxDecimalPrecision)
				res = types.DecimalType(int(lt.Precision)+int(rt.Precision), scale)
				return &ir.Binary{Meta: ir.Meta{T: res, Null: nullable, Src: src}, Op: op, L: l, R: r}
			}
		}
		return &ir.Binary{Meta: ir.Meta{T: res, Null: nullable, Src: src}, Op: op, L: c.coerce(l, t), R: c.coerce(r, t)}
	}
}

// badTemporalConstant reports a string constant compared with a date or a
// timestamp that does not read as one; it returns true when it did.
func (c *compiler) badTemporalConstant(constant, other ir.Expr) bool {
	lit, ok := constant.(*ir.Literal)
	t := other.Type()
	if !ok || !c.untyped[lit] || lit.Value.Type.Kind != types.String || !t.IsTemporal() {
		return false
	}
	if _, ok := convertValue(lit.Value, t); ok {
		return false
	}
	how := "YYYY-MM-DD, such as \"2024-01-31\""
	if t.Kind == types.Timestamp {
		how = "in RFC 3339, such as \"2024-01-31T12:00:00Z\", or as a date"
	}
	c.errorf(toHCL(lit.Src), fmt.Sprintf("Invalid %s %s", t, lit.Value), "%s is compared with a %s, so it must be written %s.", lit.Value, t, how)
	return true
}

func (c *compiler) compareHint(l, r ir.Expr) string {
	lt, rt := l.Type(), r.Type()
	switch {
	case lt.IsNumeric() && rt.Kind == types.String, rt.IsNumeric() && lt.Kind == types.String:
		return "Numbers and strings are not compared implicitly. If the string holds a number, convert it with cast(x, \"int64\"); if the number is a literal, remove its quotes."
	case lt.IsTemporal() && rt.Kind == types.String, rt.IsTemporal() && lt.Kind == types.String:
		return "Dates and timestamps compare with constants written as strings (\"2024-01-31\"), or with a string column converted by cast(x, \"date\")."
	}
	return "Convert one side with cast(x, \"type\") so both have the same type."
}

func (c *compiler) conditional(e *hclsyntax.ConditionalExpr, sc *scope) ir.Expr {
	cond := c.expr(e.Condition, sc)
	th := c.expr(e.TrueResult, sc)
	el := c.expr(e.FalseResult, sc)
	if cond == nil || th == nil || el == nil {
		return nil
	}
	if k := cond.Type().Kind; k != types.Bool && k != types.Null {
		c.errorf(e.Condition.Range(), "Condition is not true or false", "%s; the condition of ? : must be a comparison or another true/false value.", c.subject(e.Condition, cond))
		return nil
	}
	t, ok := c.unify(th, el)
	if !ok {
		c.errorf(e.SrcRange, "The two results of ? : have different types",
			"%s and %s; both results must have one type. Convert one with cast(x, \"type\").", c.subject(e.TrueResult, th), c.object(e.FalseResult, el))
		return nil
	}
	if t.Kind == types.Null {
		return th
	}
	return &ir.Cond{Meta: ir.Meta{T: t, Null: th.Nullable() || el.Nullable(), Src: c.rng(e.SrcRange)},
		If: c.coerce(cond, types.BoolType), Then: c.coerce(th, t), Else: c.coerce(el, t)}
}

func (c *compiler) template(e *hclsyntax.TemplateExpr, sc *scope) ir.Expr {
	if e.IsStringLiteral() {
		v, _ := e.Value(nil)
		return c.literal(v, e.SrcRange)
	}
	args := make([]ir.Expr, 0, len(e.Parts))
	nullable, alwaysNull := false, false
	for _, p := range e.Parts {
		if _, ok := p.(*hclsyntax.TemplateJoinExpr); ok {
			c.errorf(p.Range(), "Unsupported template directive", "%%{ } directives are not supported in column expressions; use ? : instead.")
			return nil
		}
		x := c.expr(p, sc)
		if x == nil {
			return nil
		}
		if x.Type().Kind == types.Null {
			alwaysNull = true // "${null}" makes the result null
			continue
		}
		args = append(args, c.toString(x))
		nullable = nullable || x.Nullable()
	}
	if alwaysNull {
		return c.lit(ir.NullValue(types.StringType), true, c.rng(e.SrcRange), false)
	}
	return &ir.Call{Meta: ir.Meta{T: types.StringType, Null: nullable, Src: c.rng(e.SrcRange)}, Fn: ir.FnTemplate, Args: args}
}

// toString converts any value to its text, as in a template.
func (c *compiler) toString(x ir.Expr) ir.Expr {
	if x.Type().Kind == types.String {
		return x
	}
	if l, ok := x.(*ir.Literal); ok && !l.Value.Null {
		s := l.Value.String()
		if l.Value.Type.Kind == types.Date || l.Value.Type.Kind == types.Timestamp {
			s = strings.Trim(s, `"`)
		}
		return c.lit(ir.Value{Type: types.StringType, Str: s}, false, l.Src, false)
	}
	return &ir.Cast{Meta: ir.Meta{T: types.StringType, Null: x.Nullable(), Src: x.Range()}, X: x}
}

func toHCL(r diag.Range) hcl.Range {
	return hcl.Range{Filename: r.Filename,
		Start: hcl.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:   hcl.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte}}
}

// decimalOperand converts an operand of a decimal multiplication to the
// narrowest decimal holding it: integer columns to decimal(10,0) or
// decimal(19,0), an integer constant to exactly its digits (2 is
// decimal(1,0)), so that amount * 2 keeps amount's scale.
func (c *compiler) decimalOperand(e ir.Expr) ir.Expr {
	t := e.Type()
	if t.Kind == types.Decimal {
		return e
	}
	if l, ok := e.(*ir.Literal); ok && !l.Value.Null && t.IsInteger() {
		digits := len(strings.TrimPrefix(fmt.Sprint(l.Value.Int), "-"))
		return c.coerce(e, types.DecimalType(digits, 0))
	}
	if t.Kind == types.Null {
		return c.coerce(e, types.DecimalType(1, 0))
	}
	return c.coerce(e, types.AsDecimal(t))
}

// qualifiers lists the relation names columns carry, in order.
func qualifiers(cols types.Schema) []string {
	var out []string
	for _, col := range cols {
		if col.Qualifier != "" && !slices.Contains(out, col.Qualifier) {
			out = append(out, col.Qualifier)
		}
	}
	return out
}
