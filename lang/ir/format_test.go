package ir_test

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Helpers building typed IR by hand.

func col(i int, name string, t types.Type, null bool) *ir.ColumnRef {
	return &ir.ColumnRef{Meta: ir.Meta{T: t, Null: null}, Index: i, Name: name}
}

func lit(v ir.Value) *ir.Literal {
	return &ir.Literal{Meta: ir.Meta{T: v.Type, Null: v.Null}, Value: v}
}

func intLit(n int64) *ir.Literal { return lit(ir.Value{Type: types.Int64Type, Int: n}) }

func strLit(s string) *ir.Literal { return lit(ir.Value{Type: types.StringType, Str: s}) }

func bin(op ir.BinaryOp, l, r ir.Expr) *ir.Binary {
	t := l.Type()
	if op.IsComparison() || op.IsLogical() {
		t = types.BoolType
	}
	return &ir.Binary{Meta: ir.Meta{T: t, Null: l.Nullable() || r.Nullable()}, Op: op, L: l, R: r}
}

func call(fn ir.Func, t types.Type, args ...ir.Expr) *ir.Call {
	return &ir.Call{Meta: ir.Meta{T: t}, Fn: fn, Args: args}
}

var (
	age     = col(0, "age", types.Int32Type, true)
	country = col(1, "country", types.StringType, true)
	amount  = col(2, "amount", types.DecimalType(18, 2), false)
	flag    = col(3, "flag", types.BoolType, false)
	first   = col(4, "first", types.StringType, false)

	schema = types.Schema{
		{Name: "age", Type: types.Int32Type, Nullable: true},
		{Name: "country", Type: types.StringType, Nullable: true},
		{Name: "amount", Type: types.DecimalType(18, 2)},
		{Name: "flag", Type: types.BoolType},
		{Name: "first", Type: types.StringType},
	}
)

func TestFormatExpr(t *testing.T) {
	gt18 := bin(ir.Gt, age, lit(ir.Value{Type: types.Int32Type, Int: 18}))
	notNull := &ir.IsNull{Meta: ir.Meta{T: types.BoolType}, X: country, Negated: true}
	tests := []struct {
		name string
		e    ir.Expr
		cols types.Schema
		want string
	}{
		{"column", age, schema, "age"},
		{"column without schema", col(7, "x", types.Int64Type, false), nil, "x"},
		{"column out of range", col(9, "y", types.Int64Type, false), schema, "y"},
		{"qualified column", col(0, "id", types.Int64Type, false), types.Schema{{Name: "id", Qualifier: "adults"}}, "adults.id"},
		{"comparison", gt18, schema, "age > 18"},
		{"and nests operands", bin(ir.And, gt18, notNull), schema, "(age > 18) && (country != null)"},
		{"is null", &ir.IsNull{Meta: ir.Meta{T: types.BoolType}, X: country}, schema, "country == null"},
		{"left-nested arithmetic", bin(ir.Mul, bin(ir.Add, amount, amount), amount), schema, "(amount + amount) * amount"},
		{"right-nested arithmetic", bin(ir.Sub, amount, bin(ir.Sub, amount, amount)), schema, "amount - (amount - amount)"},
		{"not", &ir.Unary{Meta: ir.Meta{T: types.BoolType}, Op: ir.Not, X: flag}, schema, "!flag"},
		{"not of a comparison", &ir.Unary{Meta: ir.Meta{T: types.BoolType}, Op: ir.Not, X: gt18}, schema, "!(age > 18)"},
		{"negation", &ir.Unary{Meta: ir.Meta{T: types.Int32Type, Null: true}, Op: ir.Neg, X: age}, schema, "-age"},
		{"negation of a sum", &ir.Unary{Meta: ir.Meta{T: amount.T}, Op: ir.Neg, X: bin(ir.Add, amount, amount)}, schema, "-(amount + amount)"},
		{"implicit cast", &ir.Cast{Meta: ir.Meta{T: types.Int64Type, Null: true}, X: age}, schema, "int64(age)"},
		{"implicit decimal cast", &ir.Cast{Meta: ir.Meta{T: types.DecimalType(19, 2), Null: true}, X: age}, schema, "decimal(19,2)(age)"},
		{"explicit cast", &ir.Cast{Meta: ir.Meta{T: types.DecimalType(10, 2), Null: true}, X: country, Explicit: true}, schema, `cast(country, "decimal(10,2)")`},
		{"cast of an operation", &ir.Cast{Meta: ir.Meta{T: types.Float64Type}, X: bin(ir.Add, amount, amount)}, schema, "float64(amount + amount)"},
		{"conditional", &ir.Cond{Meta: ir.Meta{T: types.StringType, Null: true}, If: flag, Then: country, Else: strLit("?")}, schema, `flag ? country : "?"`},
		{"nested conditional", bin(ir.Eq, &ir.Cond{Meta: ir.Meta{T: types.StringType}, If: flag, Then: first, Else: first}, first), schema, "(flag ? first : first) == first"},
		{"in", &ir.In{Meta: ir.Meta{T: types.BoolType, Null: true}, X: country, List: []ir.Value{{Type: types.StringType, Str: "DE"}, {Type: types.StringType, Str: "FR"}, ir.NullValue(types.StringType)}}, schema, `contains(["DE", "FR", null], country)`},
		{"call", call(ir.FnLower, types.StringType, country), schema, "lower(country)"},
		{"call with constants", call(ir.FnRound, amount.T, amount, intLit(2)), schema, "round(amount, 2)"},
		{"call without arguments", call(ir.FnNow, types.TimestampType), schema, "now()"},
		{"date_trunc", call(ir.FnDateTrunc, types.TimestampType, strLit("month"), col(0, "at", types.TimestampType, false)), types.Schema{{Name: "at"}}, `date_trunc("month", at)`},
		{"template", call(ir.FnTemplate, types.StringType, first, strLit(" "), country), schema, `"${first} ${country}"`},
		{"template with an expression", call(ir.FnTemplate, types.StringType, strLit("n="), &ir.Cast{Meta: ir.Meta{T: types.StringType, Null: true}, X: age}), schema, `"n=${string(age)}"`},
		{"template escapes quotes and backslashes", call(ir.FnTemplate, types.StringType, strLit(`a "b" \ `), first), schema, `"a \"b\" \\ ${first}"`},
		{"template escapes interpolation", call(ir.FnTemplate, types.StringType, strLit("${x}"), first), schema, `"$${x}${first}"`},
		{"string literal", strLit("shipped"), nil, `"shipped"`},
		{"null literal", lit(ir.NullValue(types.StringType)), nil, "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ir.FormatExpr(tt.e, tt.cols); got != tt.want {
				t.Errorf("FormatExpr:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestFormatExprIsHCL: explain prints expressions "in HCL-like syntax";
// text that HCL would read differently is escaped, so that a line can be
// pasted back into a .mesh.hcl file. HCL reads "${" and "%{" in any
// quoted string as the start of an interpolation or a directive, and a
// line break inside quotes is not allowed.
func TestFormatExprIsHCL(t *testing.T) {
	tests := []struct {
		name string
		e    ir.Expr
		want string
	}{
		{"string literal with ${", strLit("${x}"), `"$${x}"`},
		{"string literal with %{", strLit("100%{x}"), `"100%%{x}"`},
		{"template with %{", call(ir.FnTemplate, types.StringType, strLit("%{if}"), first), `"%%{if}${first}"`},
		{"template with a line break", call(ir.FnTemplate, types.StringType, first, strLit("\n")), `"${first}\n"`},
		{"template with a tab", call(ir.FnTemplate, types.StringType, first, strLit("\t")), `"${first}\t"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ir.FormatExpr(tt.e, schema); got != tt.want {
				t.Errorf("FormatExpr:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFormatAgg(t *testing.T) {
	tests := []struct {
		a    ir.AggCall
		want string
	}{
		{ir.AggCall{Fn: ir.AggCountRows}, "count()"},
		{ir.AggCall{Fn: ir.AggCount, Arg: country}, "count(country)"},
		{ir.AggCall{Fn: ir.AggCountDistinct, Arg: country}, "count_distinct(country)"},
		{ir.AggCall{Fn: ir.AggSum, Arg: bin(ir.Mul, amount, amount)}, "sum(amount * amount)"},
		{ir.AggCall{Fn: ir.AggAvg, Arg: age}, "avg(age)"},
		{ir.AggCall{Fn: ir.AggMin, Arg: age}, "min(age)"},
		{ir.AggCall{Fn: ir.AggMax, Arg: age}, "max(age)"},
	}
	for _, tt := range tests {
		if got := ir.FormatAgg(tt.a, schema); got != tt.want {
			t.Errorf("FormatAgg = %q, want %q", got, tt.want)
		}
	}
}

func TestValueString(t *testing.T) {
	dec := func(unscaled int64, p, s int) ir.Value {
		return ir.Value{Type: types.DecimalType(p, s), Dec: big.NewInt(unscaled)}
	}
	bigDec, _ := new(big.Int).SetString("12345678901234567890123456789012345678", 10)
	tests := []struct {
		name string
		v    ir.Value
		want string
	}{
		{"null", ir.NullValue(types.Int64Type), "null"},
		{"null string", ir.NullValue(types.StringType), "null"},
		{"true", ir.Value{Type: types.BoolType, Bool: true}, "true"},
		{"false", ir.Value{Type: types.BoolType}, "false"},
		{"int32", ir.Value{Type: types.Int32Type, Int: -2147483648}, "-2147483648"},
		{"int64", ir.Value{Type: types.Int64Type, Int: 9223372036854775807}, "9223372036854775807"},
		{"float", ir.Value{Type: types.Float64Type, Float: 1.5}, "1.5"},
		{"float whole", ir.Value{Type: types.Float64Type, Float: 2}, "2"},
		{"float small", ir.Value{Type: types.Float64Type, Float: 1e-7}, "1e-07"},
		{"float large", ir.Value{Type: types.Float64Type, Float: 1e21}, "1e+21"},
		{"decimal", dec(1234, 18, 2), "12.34"},
		{"decimal negative", dec(-1234, 18, 2), "-12.34"},
		{"decimal below one", dec(5, 18, 2), "0.05"},
		{"decimal negative below one", dec(-5, 18, 2), "-0.05"},
		{"decimal zero", dec(0, 18, 2), "0.00"},
		{"decimal scale 0", dec(42, 10, 0), "42"},
		{"decimal all fraction", dec(123, 3, 3), "0.123"},
		{"decimal 38 digits", ir.Value{Type: types.DecimalType(38, 10), Dec: bigDec}, "1234567890123456789012345678.9012345678"},
		{"string", ir.Value{Type: types.StringType, Str: "shipped"}, `"shipped"`},
		{"string with quotes", ir.Value{Type: types.StringType, Str: `say "hi"`}, `"say \"hi\""`},
		{"string with a line break", ir.Value{Type: types.StringType, Str: "a\nb"}, `"a\nb"`},
		{"empty string", ir.Value{Type: types.StringType}, `""`},
		{"date", ir.Value{Type: types.DateType, Int: 19753}, `"2024-01-31"`},
		{"epoch", ir.Value{Type: types.DateType, Int: 0}, `"1970-01-01"`},
		{"date before the epoch", ir.Value{Type: types.DateType, Int: -1}, `"1969-12-31"`},
		{"timestamp", ir.Value{Type: types.TimestampType, Int: 1706702400_000000}, `"2024-01-31T12:00:00Z"`},
		{"timestamp with micros", ir.Value{Type: types.TimestampType, Int: 1706702400_000123}, `"2024-01-31T12:00:00.000123Z"`},
		{"timestamp with millis", ir.Value{Type: types.TimestampType, Int: 1706702400_500000}, `"2024-01-31T12:00:00.5Z"`},
		{"timestamp before the epoch", ir.Value{Type: types.TimestampType, Int: -1_000000}, `"1969-12-31T23:59:59Z"`},
		{"invalid type", ir.Value{}, "?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestParseDateTimestamp: the constants the compiler converts and Value
// prints agree.
func TestParseDateTimestamp(t *testing.T) {
	for _, s := range []string{"2024-01-31", "1970-01-01", "1969-12-31", "2000-02-29"} {
		d, err := ir.ParseDate(s)
		if err != nil {
			t.Fatalf("ParseDate(%q): %v", s, err)
		}
		if got := (ir.Value{Type: types.DateType, Int: d}).String(); got != `"`+s+`"` {
			t.Errorf("ParseDate(%q) prints back as %s", s, got)
		}
	}
	if _, err := ir.ParseDate("2024-02-30"); err == nil {
		t.Errorf("ParseDate(2024-02-30) succeeded")
	}
	tests := []struct{ in, want string }{
		{"2024-01-31T12:00:00Z", "2024-01-31T12:00:00Z"},
		{"2024-01-31T12:00:00+02:00", "2024-01-31T10:00:00Z"},
		{"2024-01-31T12:00:00", "2024-01-31T12:00:00Z"},
		{"2024-01-31 12:00:00.25", "2024-01-31T12:00:00.25Z"},
		{"2024-01-31", "2024-01-31T00:00:00Z"},
	}
	for _, tt := range tests {
		us, err := ir.ParseTimestamp(tt.in)
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", tt.in, err)
			continue
		}
		if got := (ir.Value{Type: types.TimestampType, Int: us}).String(); got != `"`+tt.want+`"` {
			t.Errorf("ParseTimestamp(%q) prints back as %s, want %q", tt.in, got, tt.want)
		}
	}
	if _, err := ir.ParseTimestamp("yesterday"); err == nil {
		t.Errorf("ParseTimestamp(yesterday) succeeded")
	}
}

func TestNames(t *testing.T) {
	got := []string{
		ir.Add.String(), ir.Mod.String(), ir.Ge.String(), ir.Or.String(), ir.BinaryOp(99).String(),
		ir.Not.String(), ir.Neg.String(),
		ir.FnDateTrunc.String(), ir.FnTemplate.String(), ir.Func(99).String(),
		ir.AggCountRows.String(), ir.AggCount.String(), ir.AggCountDistinct.String(), ir.AggFunc(99).String(),
		ir.SemiJoin.String(), ir.JoinKind(99).String(), ir.SourceProduct.String(), ir.SourceKind(99).String(),
	}
	want := []string{"+", "%", ">=", "||", "?", "!", "-", "date_trunc", "template", "?", "count", "count", "count_distinct", "?", "semi", "?", "product", "?"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	for _, name := range []string{"inner", "left", "right", "full", "semi", "anti"} {
		k, ok := ir.ParseJoinKind(name)
		if !ok || k.String() != name {
			t.Errorf("ParseJoinKind(%q) = %v, %v", name, k, ok)
		}
	}
	if _, ok := ir.ParseJoinKind("cross"); ok {
		t.Errorf("ParseJoinKind(cross) succeeded")
	}
	if _, ok := ir.ParseJoinKind(""); ok {
		t.Errorf("ParseJoinKind(\"\") succeeded")
	}
}

func TestColumnsUsed(t *testing.T) {
	e := bin(ir.And, bin(ir.Gt, age, age), &ir.IsNull{Meta: ir.Meta{T: types.BoolType}, X: call(ir.FnLower, types.StringType, country)})
	if diff := cmp.Diff([]int{0, 1}, ir.ColumnsUsed(e)); diff != "" {
		t.Errorf("ColumnsUsed (-want +got):\n%s", diff)
	}
	if got := ir.ColumnsUsed(intLit(1)); len(got) != 0 {
		t.Errorf("ColumnsUsed(literal) = %v", got)
	}
}

// TestLabelScan: a declared schema is marked whatever the source kind, so
// that explain says when the executor will check the data against it.
func TestLabelScan(t *testing.T) {
	tests := []struct {
		src  ir.Source
		want string
	}{
		{ir.Source{Kind: ir.SourceParquet, Name: "orders", Path: "data/orders.parquet"}, "Scan source.orders (parquet data/orders.parquet)"},
		{ir.Source{Kind: ir.SourceCSV, Name: "orders", Path: "data/o.csv", Declared: true}, "Scan source.orders (csv data/o.csv, declared schema)"},
		{ir.Source{Kind: ir.SourceProduct, Name: "orders_clean", Path: "lake/oc/"}, "Scan product.orders_clean"},
		{ir.Source{Kind: ir.SourcePostgres, Name: "crm", Table: "public.customers"}, "Scan source.crm (postgres public.customers)"},
		{ir.Source{Kind: ir.SourcePostgres, Name: "crm", Table: "public.customers", Declared: true}, "Scan source.crm (postgres public.customers, declared schema)"},
	}
	for _, tt := range tests {
		src := tt.src
		if got := ir.Label(&ir.Scan{Source: &src}); got != tt.want {
			t.Errorf("Label = %q, want %q", got, tt.want)
		}
	}
}
