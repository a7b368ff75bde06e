package eval

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// The test table: one nullable column of each type (several decimals).
var (
	dec   = types.DecimalType
	table = types.Schema{
		{Name: "b", Type: types.BoolType, Nullable: true},
		{Name: "i32", Type: types.Int32Type, Nullable: true},
		{Name: "i64", Type: types.Int64Type, Nullable: true},
		{Name: "f", Type: types.Float64Type, Nullable: true},
		{Name: "d2", Type: dec(18, 2), Nullable: true},
		{Name: "w2", Type: dec(38, 2), Nullable: true},
		{Name: "s", Type: types.StringType, Nullable: true},
		{Name: "dt", Type: types.DateType, Nullable: true},
		{Name: "ts", Type: types.TimestampType, Nullable: true},
		{Name: "s2", Type: types.StringType, Nullable: true},
		{Name: "i32b", Type: types.Int32Type, Nullable: true},
		{Name: "i64b", Type: types.Int64Type, Nullable: true},
		{Name: "fb", Type: types.Float64Type, Nullable: true},
		{Name: "d2b", Type: dec(18, 2), Nullable: true},
		{Name: "w2b", Type: dec(38, 2), Nullable: true},
		{Name: "d4", Type: dec(10, 4), Nullable: true},
		{Name: "bb", Type: types.BoolType, Nullable: true},
		{Name: "w0", Type: dec(38, 0), Nullable: true},
		{Name: "w20", Type: dec(38, 20), Nullable: true},
		{Name: "d4b", Type: dec(10, 4), Nullable: true},
	}
	testSrc = diag.Range{Filename: "products/x.mesh.hcl", Start: diag.Pos{Line: 12, Column: 9}}
	testNow = time.Date(2024, 5, 17, 13, 45, 30, 123456000, time.UTC)
)

// c references a column of the test table by name.
func c(name string) *ir.ColumnRef {
	i := table.Index(name)
	if i < 0 {
		panic("no column " + name)
	}
	return &ir.ColumnRef{Meta: ir.Meta{T: table[i].Type, Null: true, Src: testSrc}, Index: i, Name: name}
}

// lit builds a constant of type t: nil is null; decimals, dates and
// timestamps are written as strings.
func lit(t types.Type, v any) *ir.Literal {
	val := ir.Value{Type: t}
	if v == nil {
		val.Null = true
	} else {
		switch t.Kind {
		case types.Bool:
			val.Bool = v.(bool)
		case types.Int32, types.Int64:
			val.Int = toInt64(v)
		case types.Float64:
			val.Float = toFloat(v)
		case types.Decimal:
			d, ok := decimal.Parse([]byte(v.(string)), int(t.Precision), int(t.Scale))
			if !ok {
				panic("bad decimal " + v.(string))
			}
			val.Dec = d.Big()
		case types.String:
			val.Str = v.(string)
		case types.Date:
			d, err := ir.ParseDate(v.(string))
			if err != nil {
				panic(err)
			}
			val.Int = d
		case types.Timestamp:
			ts, err := ir.ParseTimestamp(v.(string))
			if err != nil {
				panic(err)
			}
			val.Int = ts
		}
	}
	return &ir.Literal{Meta: ir.Meta{T: t, Null: v == nil, Src: testSrc}, Value: val}
}

func toInt64(v any) int64 {
	switch v := v.(type) {
	case int:
		return int64(v)
	case int32:
		return int64(v)
	case int64:
		return v
	}
	panic(fmt.Sprintf("not an int: %T", v))
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case int:
		return float64(v)
	}
	panic(fmt.Sprintf("not a float: %T", v))
}

func i32(v any) *ir.Literal   { return lit(types.Int32Type, v) }
func i64(v any) *ir.Literal   { return lit(types.Int64Type, v) }
func f64(v any) *ir.Literal   { return lit(types.Float64Type, v) }
func str(v any) *ir.Literal   { return lit(types.StringType, v) }
func boolv(v any) *ir.Literal { return lit(types.BoolType, v) }

func meta(t types.Type) ir.Meta { return ir.Meta{T: t, Null: true, Src: testSrc} }

// bin builds l op r; the type is bool for comparisons and logic, l's
// type otherwise (decimal + - * need binT).
func bin(op ir.BinaryOp, l, r ir.Expr) *ir.Binary {
	t := l.Type()
	if op.IsComparison() || op.IsLogical() {
		t = types.BoolType
	}
	return binT(op, t, l, r)
}

func binT(op ir.BinaryOp, t types.Type, l, r ir.Expr) *ir.Binary {
	return &ir.Binary{Meta: meta(t), Op: op, L: l, R: r}
}

func cast(x ir.Expr, t types.Type) *ir.Cast  { return &ir.Cast{Meta: meta(t), X: x, Explicit: true} }
func widen(x ir.Expr, t types.Type) *ir.Cast { return &ir.Cast{Meta: meta(t), X: x} }

func call(fn ir.Func, t types.Type, args ...ir.Expr) *ir.Call {
	return &ir.Call{Meta: meta(t), Fn: fn, Args: args}
}

func not(x ir.Expr) *ir.Unary { return &ir.Unary{Meta: meta(types.BoolType), Op: ir.Not, X: x} }
func neg(x ir.Expr) *ir.Unary { return &ir.Unary{Meta: meta(x.Type()), Op: ir.Neg, X: x} }

func isNull(x ir.Expr, negated bool) *ir.IsNull {
	return &ir.IsNull{Meta: ir.Meta{T: types.BoolType, Src: testSrc}, X: x, Negated: negated}
}

func cond(c, a, b ir.Expr) *ir.Cond { return &ir.Cond{Meta: meta(a.Type()), If: c, Then: a, Else: b} }

func in(x ir.Expr, vals ...any) *ir.In {
	list := make([]ir.Value, len(vals))
	for i, v := range vals {
		list[i] = lit(x.Type(), v).Value
	}
	return &ir.In{Meta: meta(types.BoolType), X: x, List: list}
}

// data gives the rows of the columns a case reads; other columns are
// zero and valid.
type data map[string][]any

// makeVec builds a flat vector of type t: nil is null; decimals, dates and
// timestamps are strings.
func makeVec(t types.Type, vals []any) *vector.Vector {
	v := vector.New(t, len(vals))
	v.Reset(len(vals))
	for i, x := range vals {
		if x == nil {
			v.SetNull(i)
			if v.Phys == vector.PhysString {
				v.AppendString(i, nil)
			}
			continue
		}
		l := lit(t, x).Value
		switch v.Phys {
		case vector.PhysBool:
			v.Bool[i] = l.Bool
		case vector.PhysInt32:
			v.I32[i] = int32(l.Int)
		case vector.PhysInt64:
			if t.Kind == types.Decimal {
				v.I64[i] = l.Dec.Int64()
			} else {
				v.I64[i] = l.Int
			}
		case vector.PhysFloat64:
			v.F64[i] = l.Float
		case vector.PhysInt128:
			d, _ := decimal.FromBig(l.Dec)
			v.I128[i] = d
		case vector.PhysString:
			v.AppendString(i, []byte(l.Str))
		}
	}
	return v
}

// dictEncode returns v dictionary-encoded (entries in order of first use,
// plus an unused one); null rows get a code out of range when wild, else 0.
func dictEncode(v *vector.Vector, wild bool) *vector.Vector { return dictEncodeExtra(v, wild, 1) }

// dictEncodeExtra is dictEncode with extra unused entries: a dictionary
// larger than the batch is read row by row.
func dictEncodeExtra(v *vector.Vector, wild bool, extra int) *vector.Vector {
	d := vector.New(types.StringType, 0)
	d.Reset(0)
	idx := map[string]int32{}
	var entries []string
	codes := make([]int32, v.Len)
	for i := 0; i < v.Len; i++ {
		if v.IsNull(i) {
			codes[i] = -1
			continue
		}
		s := string(v.String(i))
		c, ok := idx[s]
		if !ok {
			c = int32(len(entries))
			idx[s] = c
			entries = append(entries, s)
		}
		codes[i] = c
	}
	for i := 0; i < extra; i++ {
		entries = append(entries, fmt.Sprintf("unused entry %d", i))
	}
	d.Reset(len(entries))
	for i, s := range entries {
		d.AppendString(i, []byte(s))
	}
	out := vector.New(types.StringType, v.Len)
	out.Reset(v.Len)
	for i, c := range codes {
		if c < 0 {
			c = 0
			if wild {
				c = 1 << 30
			}
		}
		codes[i] = c
	}
	out.Dict, out.Codes = d, codes
	if v.Valid != nil {
		out.EnsureValid()
		copy(out.Valid, v.Valid)
	}
	return out
}

// makeBatch builds a batch of the test table with n rows.
func makeBatch(d data, n int) *vector.Batch {
	b := &vector.Batch{Len: n, Cols: make([]*vector.Vector, len(table))}
	for i, col := range table {
		vals, ok := d[col.Name]
		if !ok {
			vals = make([]any, n)
			for j := range vals {
				vals[j] = zeroOf(col.Type)
			}
		}
		if len(vals) != n {
			panic(fmt.Sprintf("column %s has %d rows, want %d", col.Name, len(vals), n))
		}
		b.Cols[i] = makeVec(col.Type, vals)
	}
	return b
}

func zeroOf(t types.Type) any {
	switch t.Kind {
	case types.Bool:
		return false
	case types.Int32, types.Int64:
		return 0
	case types.Float64:
		return 0.0
	case types.Decimal:
		return "0"
	case types.String:
		return ""
	case types.Date:
		return "1970-01-01"
	case types.Timestamp:
		return "1970-01-01T00:00:00Z"
	}
	return nil
}

// withDicts returns b with its string columns dictionary-encoded.
func withDicts(b *vector.Batch, wild bool) *vector.Batch { return withDictsExtra(b, wild, 1) }

func withDictsExtra(b *vector.Batch, wild bool, extra int) *vector.Batch {
	c := &vector.Batch{Len: b.Len, Cols: make([]*vector.Vector, len(b.Cols))}
	for i, v := range b.Cols {
		if v.Phys == vector.PhysString {
			c.Cols[i] = dictEncodeExtra(v, wild, extra)
		} else {
			c.Cols[i] = v
		}
	}
	return c
}

// texts renders a vector row by row as AppendText does; null is NULL.
func texts(v *vector.Vector) []string {
	out := make([]string, v.Len)
	for i := range out {
		b, null := v.AppendText(nil, i)
		if null {
			out[i] = "NULL"
		} else {
			out[i] = string(b)
		}
	}
	return out
}

func rowCount(d data) int {
	for _, v := range d {
		return len(v)
	}
	return 1
}

// testCase is one expression over one batch: the expected rendering of
// every row, or the expected error.
type testCase struct {
	name string
	e    ir.Expr
	d    data
	want []string
	err  string
}

// run evaluates the case over the flat batch and over its dictionary
// encodings (nulls coded 0 and out of range), through Eval and, for
// booleans, Select, twice each to exercise scratch reuse.
func run(t *testing.T, tc testCase) {
	t.Helper()
	p, err := Compile(tc.e, table, Env{Now: testNow})
	if err != nil {
		t.Fatalf("Compile(%s): %v", ir.FormatExpr(tc.e, table), err)
	}
	n := rowCount(tc.d)
	flat := makeBatch(tc.d, n)
	variants := []struct {
		name string
		b    *vector.Batch
		want []string
	}{{"flat", flat, tc.want}, {"dict", withDicts(flat, false), tc.want}, {"wild dict", withDicts(flat, true), tc.want},
		{"big dict", withDictsExtra(flat, true, 100), tc.want}}
	if tc.err == "" && n > 1 {
		// Row-wise semantics: the first row alone, and no row at all.
		first, none := data{}, data{}
		for k, v := range tc.d {
			first[k], none[k] = v[:1], v[:0]
		}
		one := makeBatch(first, 1)
		zero := makeBatch(none, 0)
		variants = append(variants,
			struct {
				name string
				b    *vector.Batch
				want []string
			}{"one row", one, tc.want[:1]},
			struct {
				name string
				b    *vector.Batch
				want []string
			}{"one row dict", withDicts(one, true), tc.want[:1]},
			struct {
				name string
				b    *vector.Batch
				want []string
			}{"empty", zero, []string{}})
	}
	for _, vr := range variants {
		tc := tc
		tc.want = vr.want
		ev := p.NewEvaluator()
		out := vector.New(tc.e.Type(), 0)
		for round := 0; round < 2; round++ {
			err := ev.Eval(vr.b, out)
			if tc.err != "" {
				if err == nil {
					t.Fatalf("%s: Eval = %v, want error %q", vr.name, texts(out), tc.err)
				}
				var ee *Error
				if !errors.As(err, &ee) {
					t.Fatalf("%s: error %T %v is not an *Error", vr.name, err, err)
				}
				if err.Error() != tc.err {
					t.Fatalf("%s: error\n got %s\nwant %s", vr.name, err, tc.err)
				}
				if tc.e.Type().Kind == types.Bool {
					if _, err := ev.Select(vr.b, nil); err == nil || err.Error() != tc.err {
						t.Fatalf("%s: Select error\n got %v\nwant %s", vr.name, err, tc.err)
					}
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: Eval: %v", vr.name, err)
			}
			if diff := cmp.Diff(tc.want, texts(out)); diff != "" {
				t.Fatalf("%s (round %d): %s: result mismatch (-want +got):\n%s", vr.name, round, ir.FormatExpr(tc.e, table), diff)
			}
			if tc.e.Type().Kind != types.Bool {
				continue
			}
			want := []int32{}
			for i, s := range tc.want {
				if s == "true" {
					want = append(want, int32(i))
				}
			}
			sel, err := ev.Select(vr.b, make([]int32, 3, 5))
			if err != nil {
				t.Fatalf("%s: Select: %v", vr.name, err)
			}
			if diff := cmp.Diff(want, append([]int32{}, sel...)); diff != "" {
				t.Fatalf("%s: Select mismatch (-want +got):\n%s", vr.name, diff)
			}
		}
	}
}

func runAll(t *testing.T, cases []testCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run(t, tc)
		})
	}
}

// rows is a shorthand for a column's values.
func rows(v ...any) []any { return v }

// strs is a shorthand for expected renderings.
func strs(s string) []string { return strings.Split(s, "|") }
