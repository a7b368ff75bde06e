package hive

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

func column(name string, t types.Type, nullable bool) types.Column {
	return types.Column{Name: name, Type: t, Nullable: nullable}
}

// text returns row i of v as AppendText writes it, "∅" for a null.
func text(v *vector.Vector, i int) string {
	b, null := v.AppendText(nil, i)
	if null {
		return "∅"
	}
	return string(b)
}

func TestConstantConverts(t *testing.T) {
	tests := []struct {
		typ   types.Type
		value string
		want  string // as AppendText writes it
	}{
		{types.StringType, "a/b:c", "a/b:c"},
		{types.StringType, "2024", "2024"},
		{types.BoolType, "TRUE", "true"},
		{types.BoolType, "false", "false"},
		{types.Int32Type, "-2147483648", "-2147483648"},
		{types.Int64Type, "+9223372036854775807", "9223372036854775807"},
		{types.Int64Type, "007", "7"},
		{types.Float64Type, "-1.25", "-1.25"},
		{types.Float64Type, "1e3", "1000"},
		{types.DecimalType(18, 2), "12.345", "12.35"},
		{types.DecimalType(38, 4), "-12345678901234567890123.5", "-12345678901234567890123.5000"},
		{types.DateType, "2024-02-29", "2024-02-29"},
		{types.TimestampType, "2024-01-31T10:00:00.5+02:00", "2024-01-31T08:00:00.5Z"},
		{types.TimestampType, "2024-01-31 10:00:00", "2024-01-31T10:00:00Z"},
		{types.TimestampType, "2024-01-31", "2024-01-31T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.typ.String()+" "+tt.value, func(t *testing.T) {
			k, err := NewConstant(KV{Col: "p", Value: tt.value}, column("p", tt.typ, false))
			if err != nil {
				t.Fatal(err)
			}
			v := vector.New(tt.typ, 0)
			for _, n := range []int{3, 130, 1} { // reused, larger then smaller
				k.Fill(v, n)
				if v.Len != n || v.Valid != nil {
					t.Fatalf("Fill(%d): Len %d, Valid %v", n, v.Len, v.Valid)
				}
				for i := range n {
					if got := text(v, i); got != tt.want {
						t.Fatalf("Fill(%d): row %d is %q, want %q", n, i, got, tt.want)
					}
				}
			}
		})
	}
}

func TestConstantStringIsOneEntryDictionary(t *testing.T) {
	k, err := NewConstant(KV{Col: "country", Value: "DE"}, column("country", types.StringType, true))
	if err != nil {
		t.Fatal(err)
	}
	v := vector.New(types.StringType, 0)
	// A vector that held plain strings and codes before is reused cleanly.
	v.Reset(2)
	v.AppendString(0, []byte("xx"))
	v.AppendString(1, []byte("yy"))
	v.Codes = append(v.Codes, 7, 7, 7, 7)
	k.Fill(v, 4)
	if v.Dict == nil || v.Dict.Len != 1 || string(v.Dict.String(0)) != "DE" {
		t.Fatalf("Dict = %+v", v.Dict)
	}
	if diff := cmp.Diff([]int32{0, 0, 0, 0}, v.Codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	dict := v.Dict
	k.Fill(v, 2)
	if v.Dict != dict {
		t.Error("the dictionary is not shared between batches")
	}
	if allocs := testing.AllocsPerRun(100, func() { k.Fill(v, 4) }); allocs != 0 {
		t.Errorf("Fill allocates %v times per call", allocs)
	}
}

func TestConstantNull(t *testing.T) {
	for _, typ := range []types.Type{types.StringType, types.Int64Type, types.DateType, types.DecimalType(30, 2), types.BoolType, types.Float64Type} {
		k, err := NewConstant(KV{Col: "p", Null: true}, column("p", typ, true))
		if err != nil {
			t.Fatal(err)
		}
		if !k.Null() {
			t.Errorf("%s: not null", typ)
		}
		v := vector.New(typ, 0)
		k.Fill(v, 70)
		if v.NullCount() != 70 {
			t.Errorf("%s: %d nulls of 70", typ, v.NullCount())
		}
		if typ.Kind == types.String && (v.Dict == nil || len(v.Codes) != 70) {
			t.Errorf("a null string column is not dictionary-encoded: %+v", v)
		}
	}
}

func TestConstantErrors(t *testing.T) {
	tests := []struct {
		kv   KV
		col  types.Column
		want string
	}{
		{KV{Value: "20x4"}, column("year", types.Int32Type, true), `the partition value "20x4" is not an int32`},
		{KV{Value: "2147483648"}, column("year", types.Int32Type, true), `the partition value "2147483648" is not an int32`},
		{KV{Value: "yes"}, column("b", types.BoolType, true), `the partition value "yes" is not a bool`},
		{KV{Value: "NaN"}, column("f", types.Float64Type, true), `the partition value "NaN" is not a float64`},
		{KV{Value: "2023-02-29"}, column("d", types.DateType, true), `the partition value "2023-02-29" is not a date`},
		{KV{Value: "2024-01-31T25:00:00"}, column("ts", types.TimestampType, true), `the partition value "2024-01-31T25:00:00" is not a timestamp`},
		{KV{Value: "1234.5"}, column("m", types.DecimalType(4, 2), true), `the partition value "1234.5" is not a decimal(4,2)`},
		{KV{Null: true}, column("c", types.StringType, false), "the partition value is null (__HIVE_DEFAULT_PARTITION__), but the column is declared not null"},
		{KV{Value: "x"}, column("c", types.Type{}, true), "a partition column cannot have the type invalid"},
	}
	for _, tt := range tests {
		_, err := NewConstant(tt.kv, tt.col)
		if err == nil || err.Error() != tt.want {
			t.Errorf("NewConstant(%+v, %s): error %v, want %q", tt.kv, tt.col, err, tt.want)
		}
	}
}

func TestConstantExcludes(t *testing.T) {
	str := func(s string) ir.Value { return ir.Value{Type: types.StringType, Str: s} }
	i64 := func(x int64) ir.Value { return ir.Value{Type: types.Int64Type, Int: x} }
	dec := func(x int64, scale int) ir.Value {
		return ir.Value{Type: types.DecimalType(18, scale), Dec: big.NewInt(x)}
	}
	pred := func(op ir.BinaryOp, v ir.Value) dataio.Predicate { return dataio.Predicate{Op: op, Value: v} }
	notNull := dataio.Predicate{NotNull: true}
	tests := []struct {
		name  string
		kv    KV
		typ   types.Type
		pred  dataio.Predicate
		wants bool
	}{
		{"= other string", KV{Value: "DE"}, types.StringType, pred(ir.Eq, str("FR")), true},
		{"= same string", KV{Value: "DE"}, types.StringType, pred(ir.Eq, str("DE")), false},
		{"!= same string", KV{Value: "DE"}, types.StringType, pred(ir.Ne, str("DE")), true},
		{"!= other string", KV{Value: "DE"}, types.StringType, pred(ir.Ne, str("FR")), false},
		{"< bytewise", KV{Value: "b"}, types.StringType, pred(ir.Lt, str("a")), true},
		{"< bytewise holds", KV{Value: "a"}, types.StringType, pred(ir.Lt, str("b")), false},
		{"> int", KV{Value: "2024"}, types.Int64Type, pred(ir.Gt, i64(2024)), true},
		{">= int", KV{Value: "2024"}, types.Int64Type, pred(ir.Ge, i64(2024)), false},
		{"<= int", KV{Value: "2024"}, types.Int64Type, pred(ir.Le, i64(2023)), true},
		{"< int", KV{Value: "2023"}, types.Int64Type, pred(ir.Lt, i64(2024)), false},
		{"int32 column, int64 constant", KV{Value: "7"}, types.Int32Type, pred(ir.Eq, i64(8)), true},
		{"date", KV{Value: "2024-01-02"}, types.DateType, pred(ir.Lt, ir.Value{Type: types.DateType, Int: 19723}), true},
		{"decimal same scale", KV{Value: "1.50"}, types.DecimalType(18, 2), pred(ir.Eq, dec(150, 2)), false},
		{"decimal other scale", KV{Value: "1.50"}, types.DecimalType(18, 2), pred(ir.Eq, dec(15, 1)), false},
		{"decimal differs", KV{Value: "1.50"}, types.DecimalType(18, 2), pred(ir.Gt, dec(2, 0)), true},
		{"bool", KV{Value: "true"}, types.BoolType, pred(ir.Eq, ir.Value{Type: types.BoolType}), true},
		{"float", KV{Value: "1.5"}, types.Float64Type, pred(ir.Ge, ir.Value{Type: types.Float64Type, Float: 2}), true},
		{"null never compares", KV{Null: true}, types.StringType, pred(ir.Ne, str("DE")), true},
		{"null is excluded by not null", KV{Null: true}, types.StringType, notNull, true},
		{"a value passes not null", KV{Value: "DE"}, types.StringType, notNull, false},
		{"comparison with null proves nothing", KV{Value: "DE"}, types.StringType, pred(ir.Eq, ir.NullValue(types.StringType)), false},
		{"not a comparison", KV{Value: "DE"}, types.StringType, pred(ir.Add, str("x")), false},
		{"mismatched constant type", KV{Value: "DE"}, types.StringType, pred(ir.Eq, i64(1)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := NewConstant(tt.kv, column("p", tt.typ, true))
			if err != nil {
				t.Fatal(err)
			}
			if got := k.Excludes(tt.pred); got != tt.wants {
				t.Errorf("Excludes = %v, want %v", got, tt.wants)
			}
		})
	}
}

func BenchmarkFill(b *testing.B) {
	for _, typ := range []types.Type{types.StringType, types.Int64Type} {
		b.Run(typ.String(), func(b *testing.B) {
			k, err := NewConstant(KV{Col: "p", Value: "2024"}, column("p", typ, false))
			if err != nil {
				b.Fatal(err)
			}
			v := vector.New(typ, 64*1024)
			b.ReportAllocs()
			for b.Loop() {
				k.Fill(v, 64*1024)
			}
		})
	}
}
