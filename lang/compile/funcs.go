package compile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/suggest"
	"github.com/meshctl/meshctl/lang/types"
)

// scalarFuncs maps the scalar functions that compile to an ir.Call.
var scalarFuncs = map[string]ir.Func{
	"lower": ir.FnLower, "upper": ir.FnUpper, "trim": ir.FnTrim, "length": ir.FnLength,
	"substr": ir.FnSubstr, "concat": ir.FnConcat, "coalesce": ir.FnCoalesce, "abs": ir.FnAbs,
	"round": ir.FnRound, "floor": ir.FnFloor, "ceil": ir.FnCeil, "like": ir.FnLike,
	"year": ir.FnYear, "month": ir.FnMonth, "day": ir.FnDay, "date_trunc": ir.FnDateTrunc, "now": ir.FnNow,
}

var aggFuncs = map[string]ir.AggFunc{
	"count": ir.AggCount, "count_distinct": ir.AggCountDistinct, "sum": ir.AggSum,
	"min": ir.AggMin, "max": ir.AggMax, "avg": ir.AggAvg,
}

// checkFuncs exist only in a check's assert.
var checkFuncs = []string{"row_count", "null_count"}

// otherFuncs are compiled to nodes other than ir.Call.
var otherFuncs = []string{"cast", "is_null", "contains", "asc", "desc"}

// FunctionNames lists every function a column expression may call.
func FunctionNames() []string {
	var out []string
	for n := range scalarFuncs {
		out = append(out, n)
	}
	for n := range aggFuncs {
		out = append(out, n)
	}
	out = append(out, checkFuncs...)
	out = append(out, otherFuncs...)
	sort.Strings(out)
	return out
}

// DateTruncUnits lists the units date_trunc accepts.
var DateTruncUnits = []string{"year", "quarter", "month", "week", "day", "hour", "minute", "second"}

func (c *compiler) arity(e *hclsyntax.FunctionCallExpr, lo, hi int, usage string) bool {
	n := len(e.Args)
	if e.ExpandFinal {
		c.errorf(e.Range(), "Unsupported argument expansion", "%s(…) takes its arguments one by one; the ... expansion is not supported.", e.Name)
		return false
	}
	if n >= lo && (hi < 0 || n <= hi) {
		return true
	}
	c.errorf(e.Range(), fmt.Sprintf("Wrong number of arguments to %s", e.Name), "Call it as %s; it got %d argument%s.", usage, n, plural(n))
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (c *compiler) call(e *hclsyntax.FunctionCallExpr, sc *scope) ir.Expr {
	name := e.Name
	if af, ok := aggFuncs[name]; ok {
		return c.aggregate(e, af, sc)
	}
	switch name {
	case "row_count", "null_count":
		if sc.agg == nil || !sc.agg.check {
			c.errorf(e.Range(), fmt.Sprintf("%s() outside a check", name), "%s() summarises a product's output and is allowed only in a check's assert. In an aggregate, use count().", name)
			return nil
		}
		return c.aggregate(e, 0, sc)
	case "asc", "desc":
		c.errorf(e.Range(), fmt.Sprintf("%s() outside sort", name), "%s() marks a sort key and is allowed only directly in sort { by = [...] }.", name)
		return nil
	case "cast":
		return c.cast(e, sc)
	case "is_null":
		if !c.arity(e, 1, 1, "is_null(x)") {
			return nil
		}
		x := c.expr(e.Args[0], sc)
		if x == nil {
			return nil
		}
		if x.Type().Kind == types.Null {
			return c.lit(ir.Value{Type: types.BoolType, Bool: true}, false, c.rng(e.Range()), false)
		}
		return &ir.IsNull{Meta: ir.Meta{T: types.BoolType, Src: c.rng(e.Range())}, X: x}
	case "contains":
		return c.contains(e, sc)
	}
	fn, ok := scalarFuncs[name]
	if !ok {
		c.errorf(e.NameRange, fmt.Sprintf("Unknown function %q", name), "%s", strings.TrimSpace(
			"There is no function "+name+"."+suggest.DidYouMean(name, FunctionNames())+" The functions are: "+strings.Join(FunctionNames(), ", ")+"."))
		return nil
	}
	return c.scalar(e, fn, sc)
}

// args compiles every argument; nil when one failed.
func (c *compiler) args(e *hclsyntax.FunctionCallExpr, sc *scope) []ir.Expr {
	out := make([]ir.Expr, len(e.Args))
	ok := true
	for i, a := range e.Args {
		out[i] = c.expr(a, sc)
		ok = ok && out[i] != nil
	}
	if !ok {
		return nil
	}
	return out
}

// want checks an argument's type with pred; the null literal always passes.
func (c *compiler) want(e *hclsyntax.FunctionCallExpr, i int, x ir.Expr, pred func(types.Type) bool, what string) bool {
	if x.Type().Kind == types.Null || pred(x.Type()) {
		return true
	}
	c.errorf(e.Args[i].Range(), fmt.Sprintf("Invalid argument to %s", e.Name), "%s; %s() takes %s here.", c.subject(e.Args[i], x), e.Name, what)
	return false
}

// oneArg compiles the single argument of f(x), checking its type with pred.
func (c *compiler) oneArg(e *hclsyntax.FunctionCallExpr, sc *scope, usage string, pred func(types.Type) bool, what string) ir.Expr {
	if !c.arity(e, 1, 1, usage) {
		return nil
	}
	a := c.args(e, sc)
	if a == nil || !c.want(e, 0, a[0], pred, what) {
		return nil
	}
	return a[0]
}

func isString(t types.Type) bool  { return t.Kind == types.String }
func isNumeric(t types.Type) bool { return t.IsNumeric() }
func isInteger(t types.Type) bool { return t.IsInteger() }
func isTemporal(t types.Type) bool {
	return t.IsTemporal()
}

// constString returns the value of an argument that must be a string
// constant (a unit, a type name).
func (c *compiler) constString(e *hclsyntax.FunctionCallExpr, i int, what string) (string, bool) {
	if t, ok := e.Args[i].(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
		v, _ := t.Value(nil)
		return v.AsString(), true
	}
	c.errorf(e.Args[i].Range(), fmt.Sprintf("Invalid argument to %s", e.Name), "The %s must be written as a constant string, such as %s.", what, map[string]string{
		"cast": `"int64"`, "date_trunc": `"month"`}[e.Name])
	return "", false
}

func (c *compiler) scalar(e *hclsyntax.FunctionCallExpr, fn ir.Func, sc *scope) ir.Expr {
	src := c.rng(e.Range())
	mk := func(t types.Type, null bool, args ...ir.Expr) ir.Expr {
		return &ir.Call{Meta: ir.Meta{T: t, Null: null, Src: src}, Fn: fn, Args: args}
	}
	anyNull := func(xs ...ir.Expr) bool {
		return slices.ContainsFunc(xs, func(x ir.Expr) bool { return x.Nullable() })
	}
	switch fn {
	case ir.FnNow:
		if !c.arity(e, 0, 0, "now()") {
			return nil
		}
		return mk(types.TimestampType, false)
	case ir.FnLower, ir.FnUpper, ir.FnTrim, ir.FnLength:
		x := c.oneArg(e, sc, e.Name+"(s)", isString, "a string")
		if x == nil {
			return nil
		}
		x = c.coerce(x, types.StringType)
		if fn == ir.FnLength {
			return mk(types.Int64Type, x.Nullable(), x)
		}
		return mk(types.StringType, x.Nullable(), x)
	case ir.FnSubstr:
		if !c.arity(e, 2, 3, "substr(s, start) or substr(s, start, length), counting from 1") {
			return nil
		}
		a := c.args(e, sc)
		if a == nil || !c.want(e, 0, a[0], isString, "a string") {
			return nil
		}
		out := []ir.Expr{c.coerce(a[0], types.StringType)}
		for i := 1; i < len(a); i++ {
			if !c.want(e, i, a[i], isInteger, "whole numbers for start and length") {
				return nil
			}
			out = append(out, c.coerce(a[i], types.Int64Type))
		}
		return mk(types.StringType, anyNull(out...), out...)
	case ir.FnConcat:
		if !c.arity(e, 1, -1, "concat(a, b, …)") {
			return nil
		}
		a := c.args(e, sc)
		if a == nil {
			return nil
		}
		out := make([]ir.Expr, 0, len(a))
		for _, x := range a {
			if x.Type().Kind == types.Null {
				continue // counts as ""
			}
			out = append(out, c.toString(x))
		}
		return mk(types.StringType, false, out...)
	case ir.FnCoalesce:
		if !c.arity(e, 1, -1, "coalesce(a, b, …)") {
			return nil
		}
		a := c.args(e, sc)
		if a == nil {
			return nil
		}
		t := a[0].Type()
		for i := 1; i < len(a); i++ {
			nt, ok := c.unify(&ir.Literal{Meta: ir.Meta{T: t}}, a[i])
			if !ok {
				c.errorf(e.Args[i].Range(), "Invalid argument to coalesce", "%s, but the arguments before it are %s; coalesce needs arguments of one type.", c.subject(e.Args[i], a[i]), t)
				return nil
			}
			t = nt
		}
		if t.Kind == types.Null {
			return a[0]
		}
		null := true
		out := make([]ir.Expr, len(a))
		for i, x := range a {
			if _, ok := c.constantFits(x, t); ok || x.Type() != t {
				x = c.coerce(x, t)
			}
			out[i] = x
			null = null && x.Nullable()
		}
		return mk(t, null, out...)
	case ir.FnAbs, ir.FnFloor, ir.FnCeil:
		x := c.oneArg(e, sc, e.Name+"(x)", isNumeric, "a number")
		if x == nil {
			return nil
		}
		if x.Type().Kind == types.Null {
			x = c.coerce(x, types.Int64Type)
		}
		t := x.Type()
		if l, ok := x.(*ir.Literal); ok && c.untyped[l] {
			t = l.Value.Type
		}
		if fn != ir.FnAbs && t.Kind == types.Decimal {
			t = types.DecimalType(int(t.Precision-t.Scale)+1, 0)
		}
		return mk(t, x.Nullable(), x)
	case ir.FnRound:
		if !c.arity(e, 1, 2, "round(x) or round(x, digits)") {
			return nil
		}
		a := c.args(e, sc)
		if a == nil || !c.want(e, 0, a[0], isNumeric, "a number") {
			return nil
		}
		x := a[0]
		if x.Type().Kind == types.Null {
			x = c.coerce(x, types.Float64Type)
		}
		digits := int64(0)
		if len(a) == 2 {
			l, ok := a[1].(*ir.Literal)
			if !ok || !l.Value.Type.IsInteger() || l.Value.Null || l.Value.Int < 0 || l.Value.Int > types.MaxDecimalPrecision {
				c.errorf(e.Args[1].Range(), "Invalid argument to round", "The number of digits must be a constant whole number from 0 to %d, such as round(x, 2).", types.MaxDecimalPrecision)
				return nil
			}
			digits = l.Value.Int
		}
		t := x.Type()
		if t.Kind == types.Decimal && int64(t.Scale) > digits {
			t = types.DecimalType(int(t.Precision), int(digits))
		}
		return mk(t, x.Nullable(), x, c.lit(ir.Value{Type: types.Int64Type, Int: digits}, false, src, false))
	case ir.FnLike:
		if !c.arity(e, 2, 2, "like(s, pattern), where % matches any run and _ one character") {
			return nil
		}
		a := c.args(e, sc)
		if a == nil || !c.want(e, 0, a[0], isString, "a string") || !c.want(e, 1, a[1], isString, "a string pattern") {
			return nil
		}
		x, p := c.coerce(a[0], types.StringType), c.coerce(a[1], types.StringType)
		return mk(types.BoolType, x.Nullable() || p.Nullable(), x, p)
	case ir.FnYear, ir.FnMonth, ir.FnDay:
		x := c.oneArg(e, sc, e.Name+"(d)", isTemporal, "a date or a timestamp")
		if x == nil {
			return nil
		}
		if x.Type().Kind != types.Date && x.Type().Kind != types.Timestamp {
			x = c.coerce(x, types.DateType)
		}
		return mk(types.Int32Type, x.Nullable(), x)
	case ir.FnDateTrunc:
		if !c.arity(e, 2, 2, `date_trunc("month", d)`) {
			return nil
		}
		unit, ok := c.constString(e, 0, "unit")
		if !ok {
			return nil
		}
		if !slices.Contains(DateTruncUnits, unit) {
			c.errorf(e.Args[0].Range(), "Invalid argument to date_trunc", "%q is not a unit; use one of %s.%s", unit, strings.Join(DateTruncUnits, ", "), suggest.DidYouMean(unit, DateTruncUnits))
			return nil
		}
		x := c.expr(e.Args[1], sc)
		if x == nil || !c.want(e, 1, x, isTemporal, "a date or a timestamp") {
			return nil
		}
		if x.Type().Kind == types.Null {
			x = c.coerce(x, types.TimestampType)
		}
		unitLit := c.lit(ir.Value{Type: types.StringType, Str: unit}, false, c.rng(e.Args[0].Range()), false)
		return mk(x.Type(), x.Nullable(), unitLit, x)
	}
	c.errorf(e.Range(), "Unsupported function", "%s() is not supported here.", e.Name)
	return nil
}

// canCast says whether cast(x, to) is allowed: to and from string always
// (checked per value at run time), between numbers, bool and integers,
// and date and timestamp.
func canCast(from, to types.Type) bool {
	switch {
	case from == to, from.Kind == types.Null, from.Kind == types.String, to.Kind == types.String:
		return true
	case from.IsNumeric() && to.IsNumeric():
		return true
	case from.Kind == types.Bool && to.IsInteger(), from.IsInteger() && to.Kind == types.Bool:
		return true
	case from.IsTemporal() && to.IsTemporal():
		return true
	}
	return false
}

func (c *compiler) cast(e *hclsyntax.FunctionCallExpr, sc *scope) ir.Expr {
	if !c.arity(e, 2, 2, `cast(x, "type")`) {
		return nil
	}
	x := c.expr(e.Args[0], sc)
	name, ok := c.constString(e, 1, "type")
	if x == nil || !ok {
		return nil
	}
	to, err := types.Parse(name)
	if err != nil {
		c.errorf(e.Args[1].Range(), "Invalid type in cast", "%s", suggest.Sentence(err.Error()))
		return nil
	}
	if !canCast(x.Type(), to) {
		c.errorf(e.Range(), fmt.Sprintf("Cannot cast %s to %s", x.Type(), to), "%s; %s cannot become %s. Casts go between numbers, to and from strings, between bool and integers, and between date and timestamp.", c.subject(e.Args[0], x), article(x.Type().String()), article(to.String()))
		return nil
	}
	if x.Type() == to {
		return x
	}
	if l, ok := x.(*ir.Literal); ok {
		if v, ok := convertValue(l.Value, to); ok {
			return c.lit(v, l.Null, c.rng(e.Range()), false)
		}
	}
	return &ir.Cast{Meta: ir.Meta{T: to, Null: x.Nullable(), Src: c.rng(e.Range())}, X: x, Explicit: true}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// contains(list, x) is SQL's x IN (list): the list is constants.
func (c *compiler) contains(e *hclsyntax.FunctionCallExpr, sc *scope) ir.Expr {
	if !c.arity(e, 2, 2, `contains(["a", "b"], x)`) {
		return nil
	}
	tuple, ok := e.Args[0].(*hclsyntax.TupleConsExpr)
	if !ok {
		c.errorf(e.Args[0].Range(), "Invalid argument to contains", `The first argument of contains() is a list of constants, such as contains(["DE", "FR"], country).`)
		return nil
	}
	x := c.expr(e.Args[1], sc)
	if x == nil {
		return nil
	}
	lits := make([]*ir.Literal, 0, len(tuple.Exprs))
	for _, item := range tuple.Exprs {
		v := c.expr(item, sc)
		if v == nil {
			return nil
		}
		l, ok := v.(*ir.Literal)
		if !ok {
			c.errorf(item.Range(), "Invalid list item", "The list of contains() holds constants; to compare with another column, write x == a || x == b.")
			return nil
		}
		lits = append(lits, l)
	}
	// The list's values take x's type when they fit; otherwise both go to
	// their common type.
	t := x.Type()
	if t.Kind == types.Null {
		return c.lit(ir.NullValue(types.BoolType), true, c.rng(e.Range()), false)
	}
	for i, l := range lits {
		if _, fits := c.constantFits(l, t); fits || l.Value.Null {
			continue
		}
		nt, ok := types.Common(t, l.Value.Type)
		if !ok {
			c.errorf(tuple.Exprs[i].Range(), fmt.Sprintf("%s, cannot be compared with %s", c.subject(e.Args[1], x), c.literalWords(l)),
				"Every item of the list must have the type of the value looked up.")
			return nil
		}
		t = nt
	}
	list := make([]ir.Value, 0, len(lits))
	hasNull := false
	for i, l := range lits {
		v, ok := convertValue(l.Value, t)
		if !ok {
			c.errorf(tuple.Exprs[i].Range(), "Invalid list item", "%s does not convert to %s.", l.Value, t)
			return nil
		}
		hasNull = hasNull || v.Null
		list = append(list, v)
	}
	return &ir.In{Meta: ir.Meta{T: types.BoolType, Null: x.Nullable() || hasNull, Src: c.rng(e.Range())}, X: c.coerce(x, t), List: list}
}

// aggregate compiles an aggregate call (or, in a check, row_count() and
// null_count()) into a reference to the aggregate's output column.
func (c *compiler) aggregate(e *hclsyntax.FunctionCallExpr, fn ir.AggFunc, sc *scope) ir.Expr {
	a := sc.agg
	if a == nil {
		c.errorf(e.Range(), fmt.Sprintf("Aggregate %s() outside aggregate", e.Name),
			"%s() summarises many rows into one and is allowed only in an aggregate block's columns or a check's assert; in %s it would need one value per row.", e.Name, article(sc.where))
		return nil
	}
	if a.inside {
		c.errorf(e.Range(), "Nested aggregate", "%s() is inside another aggregate; aggregates cannot be nested.", e.Name)
		return nil
	}
	src := c.rng(e.Range())
	switch e.Name {
	case "row_count":
		if !c.arity(e, 0, 0, "row_count()") {
			return nil
		}
		return c.addAgg(a, ir.AggCall{Meta: ir.Meta{T: types.Int64Type, Src: src}, Fn: ir.AggCountRows}, "count()")
	case "null_count":
		if !c.arity(e, 1, 1, "null_count(x)") {
			return nil
		}
		rows := c.addAgg(a, ir.AggCall{Meta: ir.Meta{T: types.Int64Type, Src: src}, Fn: ir.AggCountRows}, "count()")
		nonNull := c.aggOf(e, ir.AggCount, sc)
		if nonNull == nil {
			return nil
		}
		return &ir.Binary{Meta: ir.Meta{T: types.Int64Type, Src: src}, Op: ir.Sub, L: rows, R: nonNull}
	case "count":
		if len(e.Args) == 0 {
			return c.addAgg(a, ir.AggCall{Meta: ir.Meta{T: types.Int64Type, Src: src}, Fn: ir.AggCountRows}, "count()")
		}
	}
	return c.aggOf(e, fn, sc)
}

func article(where string) string {
	if where == "" {
		return "this place"
	}
	if strings.ContainsRune("aeiou", rune(where[0])) {
		return "an " + where
	}
	return "a " + where
}

// aggOf compiles fn(arg).
func (c *compiler) aggOf(e *hclsyntax.FunctionCallExpr, fn ir.AggFunc, sc *scope) ir.Expr {
	if !c.arity(e, 1, 1, e.Name+"(x)") {
		return nil
	}
	a := sc.agg
	a.inside = true
	x := c.expr(e.Args[0], sc)
	a.inside = false
	if x == nil {
		return nil
	}
	if x.Type().Kind == types.Null {
		c.errorf(e.Args[0].Range(), fmt.Sprintf("Invalid argument to %s", e.Name), "%s(null) is always null; pass a column.", e.Name)
		return nil
	}
	src := c.rng(e.Range())
	// Empty input (no group keys) or all-null arguments give null.
	emptyNull := x.Nullable() || !a.grouped
	var t types.Type
	null := false
	switch fn {
	case ir.AggCount, ir.AggCountDistinct:
		t = types.Int64Type
	case ir.AggSum:
		if !c.want(e, 0, x, isNumeric, "a number") {
			return nil
		}
		switch x.Type().Kind {
		case types.Int32, types.Int64:
			t = types.Int64Type
		case types.Decimal:
			t = types.DecimalType(types.MaxDecimalPrecision, int(x.Type().Scale))
		default:
			t = types.Float64Type
		}
		null = emptyNull
	case ir.AggAvg:
		if !c.want(e, 0, x, isNumeric, "a number") {
			return nil
		}
		t, null = types.Float64Type, emptyNull
	case ir.AggMin, ir.AggMax:
		t, null = x.Type(), emptyNull
	}
	return c.addAgg(a, ir.AggCall{Meta: ir.Meta{T: t, Null: null, Src: src}, Fn: fn, Arg: x}, fn.String()+"("+ir.FormatExpr(x, indexNames(len(sc.cols)))+")")
}

// addAgg records an aggregate call once (two mentions of sum(x) share one)
// and returns a reference to its output column.
func (c *compiler) addAgg(a *aggScope, call ir.AggCall, key string) ir.Expr {

	i, ok := a.seen[key]
	if !ok {
		i = len(a.calls)
		a.calls = append(a.calls, call)
		a.seen[key] = i
	}
	call = a.calls[i]
	return &ir.ColumnRef{Meta: ir.Meta{T: call.T, Null: call.Null, Src: call.Src}, Index: len(a.keys) + i, Name: key}
}

// sortKey compiles one item of sort.by: an expression, maybe wrapped in
// asc() or desc().
func (c *compiler) sortKey(e hcl.Expression, sc *scope) (ir.SortKey, bool) {
	desc := false
	if call, ok := e.(*hclsyntax.FunctionCallExpr); ok && (call.Name == "asc" || call.Name == "desc") {
		if !c.arity(call, 1, 1, call.Name+"(x)") {
			return ir.SortKey{}, false
		}
		desc = call.Name == "desc"
		e = call.Args[0]
	}
	x := c.expr(e, sc)
	if x == nil {
		return ir.SortKey{}, false
	}
	if x.Type().Kind == types.Null {
		c.errorf(e.Range(), "Invalid sort key", "Sorting by null orders nothing; name a column.")
		return ir.SortKey{}, false
	}
	return ir.SortKey{Expr: x, Desc: desc}, true
}

// indexNames names columns by position, so that aggregate calls over
// different columns of the same name (adults.id, orders.id) stay apart.
func indexNames(n int) types.Schema {
	out := make(types.Schema, n)
	for i := range out {
		out[i].Name = fmt.Sprintf("#%d", i)
	}
	return out
}
