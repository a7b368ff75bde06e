package compile_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// exprTyping is what a compiled select column is checked against: its
// type, nullability, the IR as explain prints it and the root node's kind.
type exprTyping struct {
	Type     string
	Nullable bool
	IR       string
	Node     string
}

func exprNodeKind(x ir.Expr) string {
	return fmt.Sprintf("%T", x)[len("*ir."):]
}

// checkIRInvariants verifies what the IR promises the executor: both operands
// of a binary operator have one type (comparisons and logic yield bool),
// the branches of ? : have the node's type, and an implicit cast changes
// the type to one that the operand widens to (or to its text).
func checkIRInvariants(t *testing.T, e ir.Expr) {
	t.Helper()
	ir.Walk(e, func(x ir.Expr) {
		switch x := x.(type) {
		case *ir.Binary:
			if x.L.Type() != x.R.Type() && !(x.Op == ir.Mul && x.L.Type().Kind == types.Decimal && x.R.Type().Kind == types.Decimal) {
				t.Errorf("%s: operands have types %s and %s", ir.FormatExpr(x, nil), x.L.Type(), x.R.Type())
			}
			if (x.Op.IsComparison() || x.Op.IsLogical()) && x.Type() != types.BoolType {
				t.Errorf("%s: yields %s, want bool", ir.FormatExpr(x, nil), x.Type())
			}
			if x.Op.IsComparison() && x.Nullable() != (x.L.Nullable() || x.R.Nullable()) {
				t.Errorf("%s: nullable %v, operands %v and %v", ir.FormatExpr(x, nil), x.Nullable(), x.L.Nullable(), x.R.Nullable())
			}
		case *ir.Cond:
			if x.Then.Type() != x.Type() || x.Else.Type() != x.Type() {
				t.Errorf("%s: branches %s and %s, node %s", ir.FormatExpr(x, nil), x.Then.Type(), x.Else.Type(), x.Type())
			}
		case *ir.Cast:
			if !x.Explicit && x.X.Type() == x.Type() {
				t.Errorf("%s: implicit cast to the same type", ir.FormatExpr(x, nil))
			}
			// Templates and concat() convert to text implicitly; that
			// never fails either.
			if !x.Explicit && x.Type() != types.StringType && !types.CanWiden(x.X.Type(), x.Type()) && !checkedAtCap(x.X.Type(), x.Type()) {
				t.Errorf("%s: implicit cast from %s to %s does not widen", ir.FormatExpr(x, nil), x.X.Type(), x.Type())
			}
			if x.Nullable() != x.X.Nullable() {
				t.Errorf("%s: cast changes nullability", ir.FormatExpr(x, nil))
			}
		case *ir.IsNull:
			if x.Nullable() {
				t.Errorf("%s: a null test is never null", ir.FormatExpr(x, nil))
			}
		}
	})
}

// TestTypingExpressions compiles one expression at a time in a select over the
// source t (see allTypesPreamble: X is non-null, X_n nullable) and checks the
// output column's type and nullability and the IR's shape.
func TestTypingExpressions(t *testing.T) {
	tests := []struct {
		expr string
		want exprTyping
	}{
		// Untyped literals adapt to the column they meet: no cast on it.
		{"i32 > 18", exprTyping{"bool", false, "i32 > 18", "Binary"}},
		{"age > 18", exprTyping{"bool", true, "age > 18", "Binary"}},
		{"18 < i32", exprTyping{"bool", false, "18 < i32", "Binary"}},
		{"i32 + 1", exprTyping{"int32", false, "i32 + 1", "Binary"}},
		{"id + 1", exprTyping{"int64", false, "id + 1", "Binary"}},
		{"i32 == 3000000000", exprTyping{"bool", false, "int64(i32) == 3000000000", "Binary"}},
		{"i32 == -2147483648", exprTyping{"bool", false, "i32 == -2147483648", "Binary"}},
		{"f64 > 1.5", exprTyping{"bool", false, "f64 > 1.5", "Binary"}},
		{"i32 > 1.5", exprTyping{"bool", false, "decimal(11,1)(i32) > 1.5", "Binary"}},
		{"1 + 2", exprTyping{"int64", false, "1 + 2", "Binary"}},
		// Decimal arithmetic: + and - add a digit, * adds precisions and
		// scales (capped at 38), / is always float64 and nullable. (A
		// decimal times a whole-number literal: see
		// TestTypingDecimalTimesIntegerLiteral.)
		{"amount + 1.5", exprTyping{"decimal(19,2)", false, "amount + 1.50", "Binary"}},
		{"amount - 1", exprTyping{"decimal(19,2)", false, "amount - 1.00", "Binary"}},
		{"amount + 1.555", exprTyping{"decimal(20,3)", false, "decimal(19,3)(amount) + 1.555", "Binary"}},
		{"dec + dec4", exprTyping{"decimal(21,4)", false, "decimal(20,4)(dec) + decimal(20,4)(dec4)", "Binary"}},
		{"dec4 * dec4", exprTyping{"decimal(36,8)", false, "dec4 * dec4", "Binary"}},
		{"dec * dec * dec", exprTyping{"decimal(38,6)", false, "(dec * dec) * dec", "Binary"}}, // scales add: 2+2+2
		{"dec / 2", exprTyping{"float64", true, "float64(dec) / 2", "Binary"}},
		{"i32 / i32", exprTyping{"float64", true, "float64(i32) / float64(i32)", "Binary"}},
		{"i32 % 7", exprTyping{"int32", true, "i32 % 7", "Binary"}},
		{"dec % 3", exprTyping{"decimal(18,2)", true, "dec % 3.00", "Binary"}},
		{"dec_n - dec", exprTyping{"decimal(19,2)", true, "dec_n - dec", "Binary"}},
		// Widening inserts implicit casts, printed as type(x).
		{"i32 + i64", exprTyping{"int64", false, "int64(i32) + i64", "Binary"}},
		{"age + id", exprTyping{"int64", true, "int64(age) + id", "Binary"}},
		{"i32 + dec", exprTyping{"decimal(19,2)", false, "decimal(18,2)(i32) + dec", "Binary"}},
		{"i64 + dec", exprTyping{"decimal(22,2)", false, "decimal(21,2)(i64) + decimal(21,2)(dec)", "Binary"}},
		{"i32 + f64", exprTyping{"float64", false, "float64(i32) + f64", "Binary"}},
		{"i64_n * f64", exprTyping{"float64", true, "float64(i64_n) * f64", "Binary"}},
		{"dec + f64_n", exprTyping{"float64", true, "float64(dec) + f64_n", "Binary"}},
		{"-i32", exprTyping{"int32", false, "-i32", "Unary"}},
		{"-dec_n", exprTyping{"decimal(18,2)", true, "-dec_n", "Unary"}},
		// Dates and timestamps.
		{"d < ts", exprTyping{"bool", false, "timestamp(d) < ts", "Binary"}},
		{"d_n == ts", exprTyping{"bool", true, "timestamp(d_n) == ts", "Binary"}},
		{`d == "2024-01-31"`, exprTyping{"bool", false, `d == "2024-01-31"`, "Binary"}},
		{`"2024-01-31" <= d_n`, exprTyping{"bool", true, `"2024-01-31" <= d_n`, "Binary"}},
		{`ts > "2024-01-31"`, exprTyping{"bool", false, `ts > "2024-01-31T00:00:00Z"`, "Binary"}},
		{`ts > "2024-01-31T12:00:00+02:00"`, exprTyping{"bool", false, `ts > "2024-01-31T10:00:00Z"`, "Binary"}},
		// Null semantics.
		{"i32_n == null", exprTyping{"bool", false, "i32_n == null", "IsNull"}},
		{"null == s_n", exprTyping{"bool", false, "s_n == null", "IsNull"}},
		{"country != null", exprTyping{"bool", false, "country != null", "IsNull"}},
		{"is_null(s_n)", exprTyping{"bool", false, "s_n == null", "IsNull"}},
		{"i32 > i32_n", exprTyping{"bool", true, "i32 > i32_n", "Binary"}},
		{"s == s", exprTyping{"bool", false, "s == s", "Binary"}},
		{"i32 + null", exprTyping{"int32", true, "i32 + null", "Binary"}},
		{"b && b", exprTyping{"bool", false, "b && b", "Binary"}},
		{"b && b_n", exprTyping{"bool", true, "b && b_n", "Binary"}},
		{"b_n || b", exprTyping{"bool", true, "b_n || b", "Binary"}},
		{"!b_n", exprTyping{"bool", true, "!b_n", "Unary"}},
		{"age > 18 && country != null", exprTyping{"bool", true, "(age > 18) && (country != null)", "Binary"}},
		{"coalesce(i32_n, i32)", exprTyping{"int32", false, "coalesce(i32_n, i32)", "Call"}},
		{"coalesce(i32_n, 0)", exprTyping{"int32", false, "coalesce(i32_n, 0)", "Call"}},
		{"coalesce(i32_n, i64_n)", exprTyping{"int64", true, "coalesce(int64(i32_n), i64_n)", "Call"}},
		{"coalesce(null, i32)", exprTyping{"int32", false, "coalesce(null, i32)", "Call"}},
		{"coalesce(s_n, \"?\")", exprTyping{"string", false, `coalesce(s_n, "?")`, "Call"}},
		{"concat(s_n, s_n)", exprTyping{"string", false, "concat(s_n, s_n)", "Call"}},
		{"concat(s, i32_n, null)", exprTyping{"string", false, "concat(s, string(i32_n))", "Call"}},
		{`"${s}-${i32}"`, exprTyping{"string", false, `"${s}-${string(i32)}"`, "Call"}},
		{`"${s}-${s_n}"`, exprTyping{"string", true, `"${s}-${s_n}"`, "Call"}},
		{`"${i32_n}"`, exprTyping{"string", true, "string(i32_n)", "Cast"}},
		{"b ? i32 : i64_n", exprTyping{"int64", true, "b ? int64(i32) : i64_n", "Cond"}},
		{"b_n ? 1 : 2", exprTyping{"int64", false, "b_n ? 1 : 2", "Cond"}},
		{"b ? dec : 0", exprTyping{"decimal(18,2)", false, "b ? dec : 0.00", "Cond"}},
		// Functions.
		{"lower(s)", exprTyping{"string", false, "lower(s)", "Call"}},
		{"upper(s_n)", exprTyping{"string", true, "upper(s_n)", "Call"}},
		{"trim(s_n)", exprTyping{"string", true, "trim(s_n)", "Call"}},
		{"length(s)", exprTyping{"int64", false, "length(s)", "Call"}},
		{"length(s_n)", exprTyping{"int64", true, "length(s_n)", "Call"}},
		{"substr(s, 1, 3)", exprTyping{"string", false, "substr(s, 1, 3)", "Call"}},
		{"substr(s, i32_n)", exprTyping{"string", true, "substr(s, int64(i32_n))", "Call"}},
		{"abs(i32)", exprTyping{"int32", false, "abs(i32)", "Call"}},
		{"abs(dec_n)", exprTyping{"decimal(18,2)", true, "abs(dec_n)", "Call"}},
		{"abs(f64)", exprTyping{"float64", false, "abs(f64)", "Call"}},
		{"round(dec4, 2)", exprTyping{"decimal(18,2)", false, "round(dec4, 2)", "Call"}},
		{"round(dec4)", exprTyping{"decimal(18,0)", false, "round(dec4, 0)", "Call"}},
		{"round(dec, 4)", exprTyping{"decimal(18,2)", false, "round(dec, 4)", "Call"}},
		{"round(f64_n, 1)", exprTyping{"float64", true, "round(f64_n, 1)", "Call"}},
		{"round(i32)", exprTyping{"int32", false, "round(i32, 0)", "Call"}},
		{"floor(dec)", exprTyping{"decimal(17,0)", false, "floor(dec)", "Call"}},
		{"ceil(dec4)", exprTyping{"decimal(15,0)", false, "ceil(dec4)", "Call"}},
		{"floor(f64_n)", exprTyping{"float64", true, "floor(f64_n)", "Call"}},
		{"ceil(i64)", exprTyping{"int64", false, "ceil(i64)", "Call"}},
		{`cast(s, "int64")`, exprTyping{"int64", false, `cast(s, "int64")`, "Cast"}},
		{`cast(s_n, "decimal(10,2)")`, exprTyping{"decimal(10,2)", true, `cast(s_n, "decimal(10,2)")`, "Cast"}},
		{`cast(i32, "string")`, exprTyping{"string", false, `cast(i32, "string")`, "Cast"}},
		{`cast(f64, "int32")`, exprTyping{"int32", false, `cast(f64, "int32")`, "Cast"}},
		{`cast(ts, "date")`, exprTyping{"date", false, `cast(ts, "date")`, "Cast"}},
		{`cast(b, "int32")`, exprTyping{"int32", false, `cast(b, "int32")`, "Cast"}},
		{`cast(i32, "int32")`, exprTyping{"int32", false, "i32", "ColumnRef"}},
		{`cast("2024-01-31", "date")`, exprTyping{"date", false, `"2024-01-31"`, "Literal"}},
		{`cast(null, "string")`, exprTyping{"string", true, "null", "Literal"}},
		{`contains(["DE", "FR"], country)`, exprTyping{"bool", true, `contains(["DE", "FR"], country)`, "In"}},
		{`contains(["DE", "FR"], s)`, exprTyping{"bool", false, `contains(["DE", "FR"], s)`, "In"}},
		{`contains([1, 2], i32)`, exprTyping{"bool", false, "contains([1, 2], i32)", "In"}},
		{`contains([1, null], i32)`, exprTyping{"bool", true, "contains([1, null], i32)", "In"}},
		{`contains([1, 2.5], i32)`, exprTyping{"bool", false, "contains([1.0, 2.5], decimal(11,1)(i32))", "In"}},
		{`contains(["2024-01-31"], d)`, exprTyping{"bool", false, `contains(["2024-01-31"], d)`, "In"}},
		{`like(s, "a%")`, exprTyping{"bool", false, `like(s, "a%")`, "Call"}},
		{`like(email, "%@example.com")`, exprTyping{"bool", true, `like(email, "%@example.com")`, "Call"}},
		{"year(d)", exprTyping{"int32", false, "year(d)", "Call"}},
		{"month(ts_n)", exprTyping{"int32", true, "month(ts_n)", "Call"}},
		{"day(d_n)", exprTyping{"int32", true, "day(d_n)", "Call"}},
		{`date_trunc("month", ts)`, exprTyping{"timestamp", false, `date_trunc("month", ts)`, "Call"}},
		{`date_trunc("week", d_n)`, exprTyping{"date", true, `date_trunc("week", d_n)`, "Call"}},
		{"now()", exprTyping{"timestamp", false, "now()", "Call"}},
		{"now() > ts_n", exprTyping{"bool", true, "now() > ts_n", "Binary"}},
		{"d < now()", exprTyping{"bool", false, "timestamp(d) < now()", "Binary"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			x, col, proj := compileSelectColumn(t, "", tt.expr)
			got := exprTyping{Type: col.Type.String(), Nullable: col.Nullable, IR: ir.FormatExpr(x, proj.Input.Schema()), Node: exprNodeKind(x)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("select out = %s (-want +got):\n%s", tt.expr, diff)
			}
			if x.Type() != col.Type || x.Nullable() != col.Nullable {
				t.Errorf("expression is %s (nullable %v) but its column %s", x.Type(), x.Nullable(), col)
			}
			checkIRInvariants(t, x)
		})
	}
}

// TestTypingLiteralsConvertedAtCompileTime checks that a constant meeting a
// column of another type is converted in the IR (a Literal of the
// column's type), never cast at run time.
func TestTypingLiteralsConvertedAtCompileTime(t *testing.T) {
	tests := []struct {
		expr string
		want types.Type
	}{
		{"i32 > 18", types.Int32Type},
		{"amount > 1.5", types.DecimalType(18, 2)},
		{"f64 > 1", types.Float64Type},
		{`d == "2024-01-31"`, types.DateType},
		{`ts >= "2024-01-31"`, types.TimestampType},
		{"i32 + null", types.Int32Type},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			x, _, _ := compileSelectColumn(t, "", tt.expr)
			b, ok := x.(*ir.Binary)
			if !ok {
				t.Fatalf("got %T, want *ir.Binary", x)
			}
			if _, ok := b.L.(*ir.ColumnRef); !ok {
				t.Errorf("left operand is %T, want the column itself (no cast)", b.L)
			}
			lit, ok := b.R.(*ir.Literal)
			if !ok {
				t.Fatalf("right operand is %T, want *ir.Literal", b.R)
			}
			if lit.Type() != tt.want || lit.Value.Type != tt.want {
				t.Errorf("literal is %s (value %s), want %s", lit.Type(), lit.Value.Type, tt.want)
			}
		})
	}
}

// TestTypingTemplateWithNullIsNullable: a template part that is null makes the
// whole template null (ir.FnTemplate), so "a-${null}" is nullable — the
// compiler's own comment says so.
func TestTypingTemplateWithNullIsNullable(t *testing.T) {
	_, col, _ := compileSelectColumn(t, "", `"a-${null}"`)
	if !col.Nullable {
		t.Errorf(`"a-${null}" compiles to a non-nullable %s; a null template part makes the result null, so it must be nullable`, col)
	}
}

// TestTypingDecimalTimesIntegerLiteral: multiplying a decimal(18,2) by a
// whole number keeps two decimals. The literal 2 has no fraction digits;
// today it adapts to decimal(18,2) first, so amount * 2 is decimal(36,4),
// and publishing it under a decimal(18,2) contract is a compile error
// asking for a cast (a contract may narrow precision, not scale).
func TestTypingDecimalTimesIntegerLiteral(t *testing.T) {
	for _, expr := range []string{"amount * 2", "2 * amount", "amount * 100"} {
		t.Run(expr, func(t *testing.T) {
			_, col, _ := compileSelectColumn(t, "", expr)
			if col.Type.Kind != types.Decimal || col.Type.Scale != 2 || col.Type.Precision < 19 {
				t.Errorf("%s is %s; want a decimal with scale 2 and at least 19 digits, as in SQL (decimal(18,2) × decimal(n,0))", expr, col.Type)
			}
		})
	}
}

// TestTypingImplicitCastsWiden: implicit casts widen, except where decimal
// precision reaches 38: then the larger scale is kept and the integer
// digits are capped (sum(amount), decimal(38,2), meeting a decimal(18,4) is
// cast to decimal(38,4)), a conversion the executor checks per value.
func TestTypingImplicitCastsWiden(t *testing.T) {
	tests := []struct{ op, expr string }{
		{"aggregate", "sum(amount) + sum(dec4)"},
		{"aggregate", "sum(amount) > max(dec4)"},
		{"select", `i64 + cast(s, "decimal(38,20)")`},
		{"select", `coalesce(cast(s, "decimal(38,0)"), dec)`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			res := mustCompileAllTypes(t, productOverT(`
    `+tt.op+` {
      columns = {
        out = `+tt.expr+`
      }
    }`))
			proj := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project)
			checkIRInvariants(t, proj.Exprs[0])
		})
	}
}

// TestTypingAggregates checks the type and nullability of aggregates, with
// and without group keys.
func TestTypingAggregates(t *testing.T) {
	tests := []struct {
		name    string
		groupBy string
		columns string
		want    []string
		calls   []string
	}{
		{
			name:    "grouped",
			groupBy: "[country]",
			columns: `
        n        = count()
        cx       = count(i32_n)
        cd       = count_distinct(email)
        s32      = sum(i32)
        s32_n    = sum(i32_n)
        s64      = sum(i64)
        sdec     = sum(dec)
        sf       = sum(f64)
        a        = avg(i32)
        a_n      = avg(dec_n)
        mn       = min(d)
        mx       = max(s_n)
        mxdec    = max(dec4)`,
			want: []string{
				"country string null", "n int64", "cx int64", "cd int64 [pii]",
				"s32 int64", "s32_n int64 null", "s64 int64", "sdec decimal(38,2)", "sf float64",
				"a float64", "a_n float64 null", "mn date", "mx string null", "mxdec decimal(18,4)",
			},
			calls: []string{"count()", "count(i32_n)", "count_distinct(email)", "sum(i32)", "sum(i32_n)", "sum(i64)", "sum(dec)",
				"sum(f64)", "avg(i32)", "avg(dec_n)", "min(d)", "max(s_n)", "max(dec4)"},
		},
		{
			name: "whole table",
			columns: `
        n    = count()
        cx   = count(s_n)
        s32  = sum(i32)
        sdec = sum(dec)
        a    = avg(f64)
        mn   = min(ts)
        mx   = max(b)`,
			// Over no rows at all, sum, avg, min and max are null.
			want:  []string{"n int64", "cx int64", "s32 int64 null", "sdec decimal(38,2) null", "a float64 null", "mn timestamp null", "mx bool null"},
			calls: []string{"count()", "count(s_n)", "sum(i32)", "sum(dec)", "avg(f64)", "min(ts)", "max(b)"},
		},
		{
			name:    "shared calls",
			groupBy: "[s, d]",
			columns: `
        x = sum(i32)
        y = sum(i32) / count()
        z = count() + 1`,
			want:  []string{"s string", "d date", "x int64", "y float64 null", "z int64"},
			calls: []string{"sum(i32)", "count()"},
		},
		{
			name:    "expressions over aggregates",
			groupBy: "[country]",
			columns: `
        avg_amount = sum(amount) / count()
        big        = max(amount) > 1000
        label      = "${country}: ${count()}"
        spread     = max(i32) - min(i32)`,
			want:  []string{"country string null", "avg_amount float64 null", "big bool", "label string null", "spread int32"},
			calls: []string{"sum(amount)", "count()", "max(amount)", "max(i32)", "min(i32)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			group := ""
			if tt.groupBy != "" {
				group = "group_by = " + tt.groupBy
			}
			res := mustCompileAllTypes(t, productOverT(`
    aggregate {
      `+group+`
      columns = {`+tt.columns+`
      }
    }`))
			proj := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project)
			if diff := cmp.Diff(tt.want, schemaSigs(proj.Out)); diff != "" {
				t.Errorf("aggregate output (-want +got):\n%s", diff)
			}
			agg := proj.Input.(*ir.Aggregate)
			var calls []string
			for _, c := range agg.Aggs {
				calls = append(calls, ir.FormatAgg(c, agg.Input.Schema()))
			}
			if diff := cmp.Diff(tt.calls, calls); diff != "" {
				t.Errorf("aggregate calls (-want +got):\n%s", diff)
			}
			for i, x := range proj.Exprs {
				checkIRInvariants(t, x)
				if x.Type() != proj.Out[i].Type || x.Nullable() != proj.Out[i].Nullable {
					t.Errorf("column %s computed as %s (nullable %v)", proj.Out[i], x.Type(), x.Nullable())
				}
			}
		})
	}
}

// TestTypingAggregateSharesCalls: x = sum(a), y = sum(a) / count() computes two
// aggregates, not three.
func TestTypingAggregateSharesCalls(t *testing.T) {
	res := mustCompileAllTypes(t, productOverT(`
    aggregate {
      group_by = [country]
      columns = {
        x = sum(amount)
        y = sum(amount) / count()
      }
    }`))
	proj := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project)
	agg := proj.Input.(*ir.Aggregate)
	if len(agg.Aggs) != 2 {
		t.Errorf("Aggregate has %d calls, want 2: %s", len(agg.Aggs), ir.Label(agg))
	}
	want := "Project country, x = sum(t.amount), y = float64(sum(t.amount)) / float64(count())"
	if got := ir.Label(proj); got != want {
		t.Errorf("label:\n got %s\nwant %s", got, want)
	}
}

// TestTypingFilterRefinesNullability: after a filter, the columns its predicate
// proves non-null are not nullable.
func TestTypingFilterRefinesNullability(t *testing.T) {
	tests := []struct {
		where string
		// want lists the nullability of age, country, email, i32_n, d_n
		// after the filter.
		want []string
	}{
		{"age > 18 && country != null", []string{"age int32", "country string", "email string null [pii]", "i32_n int32 null", "d_n date null"}},
		{"age > 18 || country != null", []string{"age int32 null", "country string null", "email string null [pii]", "i32_n int32 null", "d_n date null"}},
		{`like(email, "%@x") && contains([1, 2], i32_n)`, []string{"age int32 null", "country string null", "email string [pii]", "i32_n int32", "d_n date null"}},
		{`d_n < ts && (age == i32_n)`, []string{"age int32", "country string null", "email string null [pii]", "i32_n int32", "d_n date"}},
		{"i64 > age", []string{"age int32", "country string null", "email string null [pii]", "i32_n int32 null", "d_n date null"}},
		{"coalesce(age, 0) > 18", []string{"age int32 null", "country string null", "email string null [pii]", "i32_n int32 null", "d_n date null"}},
		{"country == null", []string{"age int32 null", "country string null", "email string null [pii]", "i32_n int32 null", "d_n date null"}},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			res := mustCompileAllTypes(t, productOverT(`
    filter {
      where = `+tt.where+`
    }
    select {
      columns = [age, country, email, i32_n, d_n]
    }`))
			proj := transformRootNode(t, compiledProduct(t, res, "p"), "x").(*ir.Project)
			if diff := cmp.Diff(tt.want, schemaSigs(proj.Out)); diff != "" {
				t.Errorf("after filter (-want +got):\n%s", diff)
			}
			f := proj.Input.(*ir.Filter)
			for _, c := range f.Schema() {
				if c.Name == "age" || c.Name == "country" {
					if want := proj.Out[map[string]int{"age": 0, "country": 1}[c.Name]].Nullable; c.Nullable != want {
						t.Errorf("Filter node schema says %s; the select sees nullable=%v", c, want)
					}
				}
			}
		})
	}
}

// checkedAtCap reports the one implicit cast allowed not to widen: a decimal
// to a 38-digit decimal of no smaller scale (types.Common at the cap).
func checkedAtCap(from, to types.Type) bool {
	from = types.AsDecimal(from)
	return from.Kind == types.Decimal && to.Kind == types.Decimal && to.Precision == types.MaxDecimalPrecision && to.Scale >= from.Scale
}
