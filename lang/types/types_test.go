package types_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/types"
)

var (
	dec = types.DecimalType
	// every holds one type of each kind, several decimals included, for
	// the pairwise tests.
	every = []types.Type{
		types.BoolType, types.Int32Type, types.Int64Type, types.Float64Type,
		dec(5, 2), dec(10, 0), dec(12, 2), dec(18, 2), dec(18, 4), dec(19, 0), dec(20, 2), dec(38, 0), dec(38, 2), dec(38, 20),
		types.StringType, types.DateType, types.TimestampType,
	}
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    types.Type
		wantErr string
	}{
		{in: "bool", want: types.BoolType},
		{in: "int32", want: types.Int32Type},
		{in: "int64", want: types.Int64Type},
		{in: "float64", want: types.Float64Type},
		{in: "string", want: types.StringType},
		{in: "date", want: types.DateType},
		{in: "timestamp", want: types.TimestampType},
		{in: "decimal(18,2)", want: dec(18, 2)},
		{in: "decimal(38,0)", want: dec(38, 0)},
		{in: "decimal(1,1)", want: dec(1, 1)},
		{in: "decimal(38,38)", want: dec(38, 38)},
		{in: " int64 ", want: types.Int64Type},
		{in: "decimal ( 18 , 2 )", want: dec(18, 2)},

		{in: "decimal", wantErr: `"decimal" is not a decimal type: write decimal(precision,scale), such as decimal(18,2)`},
		{in: "decimal(18)", wantErr: `"decimal(18)" is not a decimal type: write decimal(precision,scale), such as decimal(18,2)`},
		{in: "decimal(18,2", wantErr: `"decimal(18,2" is not a decimal type: write decimal(precision,scale), such as decimal(18,2)`},
		{in: "decimal(a,b)", wantErr: `"decimal(a,b)" is not a decimal type: write decimal(precision,scale), such as decimal(18,2)`},
		{in: "decimal(0,0)", wantErr: "decimal precision 0 is out of range: it must be between 1 and 38"},
		{in: "decimal(39,2)", wantErr: "decimal precision 39 is out of range: it must be between 1 and 38"},
		{in: "decimal(18,19)", wantErr: "decimal scale 19 is out of range: it must be between 0 and the precision 18"},
		{in: "decimal(18,-1)", wantErr: "decimal scale -1 is out of range: it must be between 0 and the precision 18"},
		{in: "", wantErr: `unknown type ""; the types are bool, int32, int64, float64, decimal(p,s), string, date, timestamp`},
		{in: "float32", wantErr: `unknown type "float32"; the types are bool, int32, int64, float64, decimal(p,s), string, date, timestamp`},
		{in: "uuid", wantErr: `unknown type "uuid"; the types are bool, int32, int64, float64, decimal(p,s), string, date, timestamp`},

		// Names from SQL and other tools are suggested, never accepted.
		{in: "int", wantErr: `unknown type "int"; did you mean "int32"?`},
		{in: "integer", wantErr: `unknown type "integer"; did you mean "int32"?`},
		{in: "int16", wantErr: `unknown type "int16"; did you mean "int32"?`},
		{in: "bigint", wantErr: `unknown type "bigint"; did you mean "int64"?`},
		{in: "long", wantErr: `unknown type "long"; did you mean "int64"?`},
		{in: "boolean", wantErr: `unknown type "boolean"; did you mean "bool"?`},
		{in: "double", wantErr: `unknown type "double"; did you mean "float64"?`},
		{in: "float", wantErr: `unknown type "float"; did you mean "float64"?`},
		{in: "real", wantErr: `unknown type "real"; did you mean "float64"?`},
		{in: "text", wantErr: `unknown type "text"; did you mean "string"?`},
		{in: "varchar", wantErr: `unknown type "varchar"; did you mean "string"?`},
		{in: "VARCHAR", wantErr: `unknown type "VARCHAR"; did you mean "string"?`},
		{in: "numeric", wantErr: `unknown type "numeric"; did you mean "decimal(p,s)"?`},
		{in: "datetime", wantErr: `unknown type "datetime"; did you mean "timestamp"?`},
		{in: "timestamptz", wantErr: `unknown type "timestamptz"; did you mean "timestamp"?`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := types.Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Parse(%q) = %s, want error %q", tt.in, got, tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Errorf("Parse(%q) error:\n got %s\nwant %s", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseSuggestsOurSpelling: a type written in capitals, as BigQuery and
// most SQL dialects print them (INT64, STRING, DECIMAL(18,2)), gets the
// lower-case spelling suggested.
func TestParseSuggestsOurSpelling(t *testing.T) {
	tests := map[string]string{
		"INT64":         `did you mean "int64"?`,
		"String":        `did you mean "string"?`,
		"DECIMAL(18,2)": `did you mean "decimal(18,2)"?`,
	}
	for in, want := range tests {
		_, err := types.Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error = %v; want it to say %s", in, err, want)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, ty := range every {
		got, err := types.Parse(ty.String())
		if err != nil || got != ty {
			t.Errorf("Parse(%q) = %s, %v; want %s", ty.String(), got, err, ty)
		}
	}
}

func TestDecimalType(t *testing.T) {
	tests := []struct {
		p, s int
		want string
	}{
		{18, 2, "decimal(18,2)"},
		{76, 4, "decimal(38,4)"},
		{0, 0, "decimal(1,0)"},
		{10, 12, "decimal(10,10)"},
		{5, -1, "decimal(5,0)"},
		{40, 39, "decimal(38,38)"},
	}
	for _, tt := range tests {
		if got := dec(tt.p, tt.s).String(); got != tt.want {
			t.Errorf("DecimalType(%d, %d) = %s, want %s", tt.p, tt.s, got, tt.want)
		}
	}
}

func TestTypePredicates(t *testing.T) {
	type preds struct {
		Valid, Integer, Numeric, Temporal, Orderable bool
	}
	tests := []struct {
		t    types.Type
		want preds
	}{
		{types.Type{}, preds{}},
		{types.NullType, preds{}},
		{types.BoolType, preds{Valid: true, Orderable: true}},
		{types.Int32Type, preds{Valid: true, Integer: true, Numeric: true, Orderable: true}},
		{types.Int64Type, preds{Valid: true, Integer: true, Numeric: true, Orderable: true}},
		{types.Float64Type, preds{Valid: true, Numeric: true, Orderable: true}},
		{dec(18, 2), preds{Valid: true, Numeric: true, Orderable: true}},
		{types.StringType, preds{Valid: true, Orderable: true}},
		{types.DateType, preds{Valid: true, Temporal: true, Orderable: true}},
		{types.TimestampType, preds{Valid: true, Temporal: true, Orderable: true}},
	}
	for _, tt := range tests {
		got := preds{tt.t.IsValid(), tt.t.IsInteger(), tt.t.IsNumeric(), tt.t.IsTemporal(), tt.t.IsOrderable()}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.t, diff)
		}
	}
	if got := types.Kind(200).String(); got != "kind(200)" {
		t.Errorf("Kind(200) = %q", got)
	}
	if got := (types.Type{}).String(); got != "invalid" {
		t.Errorf("zero Type prints %q", got)
	}
}

func TestAsDecimal(t *testing.T) {
	tests := map[types.Type]types.Type{
		types.Int32Type: dec(10, 0),
		types.Int64Type: dec(19, 0),
		dec(18, 2):      dec(18, 2),
	}
	for in, want := range tests {
		if got := types.AsDecimal(in); got != want {
			t.Errorf("AsDecimal(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestCanWiden(t *testing.T) {
	tests := []struct {
		from, to types.Type
		want     bool
	}{
		// Integers.
		{types.Int32Type, types.Int32Type, true},
		{types.Int32Type, types.Int64Type, true},
		{types.Int64Type, types.Int32Type, false},
		{types.Int32Type, types.Float64Type, true},
		{types.Int64Type, types.Float64Type, true},
		{types.Int32Type, dec(10, 0), true},
		{types.Int32Type, dec(9, 0), false},
		{types.Int32Type, dec(12, 2), true},
		{types.Int32Type, dec(12, 3), false},
		{types.Int64Type, dec(19, 0), true},
		{types.Int64Type, dec(18, 0), false},
		{types.Int64Type, dec(38, 19), true},
		{types.Int64Type, dec(38, 20), false},
		// Decimals: no fewer integer digits and no fewer fraction digits.
		{dec(18, 2), dec(18, 2), true},
		{dec(18, 2), dec(19, 2), true},
		{dec(18, 2), dec(19, 3), true},
		{dec(18, 2), dec(18, 3), false},
		{dec(18, 2), dec(20, 1), false},
		{dec(18, 2), dec(38, 2), true},
		{dec(38, 2), dec(18, 2), false},
		{dec(10, 0), types.Int64Type, false},
		{dec(18, 2), types.Float64Type, true},
		{dec(18, 2), types.Int64Type, false},
		// Floats never narrow to exact types.
		{types.Float64Type, dec(38, 10), false},
		{types.Float64Type, types.Int64Type, false},
		// Temporal.
		{types.DateType, types.TimestampType, true},
		{types.TimestampType, types.DateType, false},
		{types.DateType, types.StringType, false},
		// No implicit conversion to or from strings and bools.
		{types.StringType, types.DateType, false},
		{types.StringType, types.Int64Type, false},
		{types.Int64Type, types.StringType, false},
		{types.BoolType, types.Int32Type, false},
		{types.Int32Type, types.BoolType, false},
		// The null literal widens to every real type.
		{types.NullType, types.StringType, true},
		{types.NullType, dec(18, 2), true},
		{types.NullType, types.NullType, true},
		{types.NullType, types.Type{}, false},
		{types.Type{}, types.Type{}, false},
	}
	for _, tt := range tests {
		if got := types.CanWiden(tt.from, tt.to); got != tt.want {
			t.Errorf("CanWiden(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

// TestCanWidenIsAPreorder: every type widens to itself, and widening
// composes.
func TestCanWidenIsAPreorder(t *testing.T) {
	for _, a := range every {
		if !types.CanWiden(a, a) {
			t.Errorf("%s does not widen to itself", a)
		}
		for _, b := range every {
			for _, c := range every {
				if types.CanWiden(a, b) && types.CanWiden(b, c) && !types.CanWiden(a, c) {
					t.Errorf("%s → %s → %s, but not %s → %s", a, b, c, a, c)
				}
			}
		}
	}
}

func TestCommon(t *testing.T) {
	tests := []struct {
		a, b types.Type
		want types.Type
		ok   bool
	}{
		{types.Int32Type, types.Int32Type, types.Int32Type, true},
		{types.Int32Type, types.Int64Type, types.Int64Type, true},
		{types.Int32Type, types.Float64Type, types.Float64Type, true},
		{types.Int64Type, types.Float64Type, types.Float64Type, true},
		{dec(18, 2), types.Float64Type, types.Float64Type, true},
		{types.Int32Type, dec(18, 2), dec(18, 2), true},
		{types.Int32Type, dec(5, 2), dec(12, 2), true},
		{types.Int64Type, dec(18, 2), dec(21, 2), true},
		{types.Int64Type, dec(10, 0), dec(19, 0), true},
		{dec(18, 2), dec(18, 4), dec(20, 4), true},
		{dec(10, 4), dec(18, 2), dec(20, 4), true},
		{dec(5, 2), dec(5, 2), dec(5, 2), true},
		{types.DateType, types.TimestampType, types.TimestampType, true},
		{types.DateType, types.DateType, types.DateType, true},
		{types.BoolType, types.BoolType, types.BoolType, true},
		{types.StringType, types.StringType, types.StringType, true},
		{types.NullType, types.StringType, types.StringType, true},
		{dec(18, 2), types.NullType, dec(18, 2), true},
		{types.NullType, types.NullType, types.NullType, true},

		{types.StringType, types.Int64Type, types.Type{}, false},
		{types.StringType, types.DateType, types.Type{}, false},
		{types.BoolType, types.Int32Type, types.Type{}, false},
		{types.DateType, types.Int64Type, types.Type{}, false},
		{types.TimestampType, dec(18, 2), types.Type{}, false},
		{types.Type{}, types.Int64Type, types.Type{}, false},
		{types.NullType, types.Type{}, types.Type{}, false},
		{types.Type{}, types.Type{}, types.Type{}, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s,%s", tt.a, tt.b), func(t *testing.T) {
			for _, args := range [][2]types.Type{{tt.a, tt.b}, {tt.b, tt.a}} {
				got, ok := types.Common(args[0], args[1])
				if ok != tt.ok || (ok && got != tt.want) {
					t.Errorf("Common(%s, %s) = %s, %v; want %s, %v", args[0], args[1], got, ok, tt.want, tt.ok)
				}
			}
		})
	}
}

// TestCommonIsSymmetric covers every pair of kinds.
func TestCommonIsSymmetric(t *testing.T) {
	for _, a := range every {
		for _, b := range every {
			ab, okAB := types.Common(a, b)
			ba, okBA := types.Common(b, a)
			if ab != ba || okAB != okBA {
				t.Errorf("Common(%s, %s) = %s, %v but Common(%s, %s) = %s, %v", a, b, ab, okAB, b, a, ba, okBA)
			}
		}
	}
}

// TestCommonIsAWideningOfBoth: Common's contract is "the narrowest type
// both a and b widen to". The compiler inserts implicit casts to it. The one
// exception is decimal precision at its cap of 38: as in SQL engines, the
// scale is kept and the integer digits are capped, and the cast checks each
// value (an overflow is a run-time error, never a silent loss).
func TestCommonIsAWideningOfBoth(t *testing.T) {
	for _, a := range every {
		for _, b := range every {
			c, ok := types.Common(a, b)
			if !ok {
				continue
			}
			if da, db := types.AsDecimal(a), types.AsDecimal(b); da.Kind == types.Decimal && db.Kind == types.Decimal &&
				int(max(da.Precision-da.Scale, db.Precision-db.Scale))+int(max(da.Scale, db.Scale)) > types.MaxDecimalPrecision {
				if want := types.DecimalType(types.MaxDecimalPrecision, int(max(da.Scale, db.Scale))); c != want {
					t.Errorf("Common(%s, %s) = %s at the precision cap, want %s (scale kept)", a, b, c, want)
				}
				continue
			}
			if !types.CanWiden(a, c) || !types.CanWiden(b, c) {
				t.Errorf("Common(%s, %s) = %s, but %s widens: %v, %s widens: %v", a, b, c, a, types.CanWiden(a, c), b, types.CanWiden(b, c))
			}
		}
	}
}

// TestCommonIsNarrowest: no type of the sample that both widen to is
// strictly narrower than Common's answer.
func TestCommonIsNarrowest(t *testing.T) {
	for _, a := range every {
		for _, b := range every {
			c, ok := types.Common(a, b)
			if !ok {
				continue
			}
			for _, d := range every {
				if d != c && types.CanWiden(a, d) && types.CanWiden(b, d) && types.CanWiden(d, c) && !types.CanWiden(c, d) {
					t.Errorf("Common(%s, %s) = %s, but %s is narrower and both widen to it", a, b, c, d)
				}
			}
		}
	}
}

func TestColumnString(t *testing.T) {
	tests := []struct {
		c    types.Column
		want string
	}{
		{types.Column{Name: "id", Type: types.Int64Type}, "id int64"},
		{types.Column{Name: "amount", Type: dec(18, 2), Nullable: true}, "amount decimal(18,2) null"},
		{types.Column{Name: "id", Qualifier: "orders", Type: types.Int32Type, Nullable: true, Tags: []string{"pii"}}, "orders.id int32 null"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestSchema(t *testing.T) {
	s := types.Schema{
		{Name: "id", Qualifier: "a", Type: types.Int64Type},
		{Name: "name", Qualifier: "a", Type: types.StringType},
		{Name: "id", Qualifier: "b", Type: types.Int32Type},
		{Name: "total", Qualifier: "b", Type: dec(18, 2)},
	}
	if diff := cmp.Diff([]string{"id", "name", "id", "total"}, s.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	lookups := []struct {
		q, name string
		want    []int
	}{
		{"", "id", []int{0, 2}},
		{"a", "id", []int{0}},
		{"b", "id", []int{2}},
		{"", "total", []int{3}},
		{"a", "total", nil},
		{"c", "id", nil},
	}
	for _, l := range lookups {
		if diff := cmp.Diff(l.want, s.Lookup(l.q, l.name)); diff != "" {
			t.Errorf("Lookup(%q, %q) (-want +got):\n%s", l.q, l.name, diff)
		}
	}
	if got := s.Index("id"); got != -1 {
		t.Errorf("Index(ambiguous id) = %d, want -1", got)
	}
	if got := s.Index("total"); got != 3 {
		t.Errorf("Index(total) = %d, want 3", got)
	}
	if got := s.Index("missing"); got != -1 {
		t.Errorf("Index(missing) = %d, want -1", got)
	}
	if !s.HasQualifier("b") || s.HasQualifier("c") {
		t.Errorf("HasQualifier wrong")
	}
	u := s.Unqualified()
	if u[0].Qualifier != "" || s[0].Qualifier != "a" {
		t.Errorf("Unqualified changed the original or kept qualifiers")
	}
	w := s.WithQualifier("z")
	if w[2].Qualifier != "z" || s[2].Qualifier != "b" {
		t.Errorf("WithQualifier changed the original or did not qualify")
	}
}

func TestMergeTags(t *testing.T) {
	tests := []struct {
		in   [][]string
		want []string
	}{
		{nil, nil},
		{[][]string{nil, {}}, nil},
		{[][]string{{"pii"}}, []string{"pii"}},
		{[][]string{{"pii", "gold"}, {"gold", "finance"}}, []string{"finance", "gold", "pii"}},
		{[][]string{{"b", "a", "b"}}, []string{"a", "b"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, types.MergeTags(tt.in...)); diff != "" {
			t.Errorf("MergeTags(%v) (-want +got):\n%s", tt.in, diff)
		}
	}
	// MergeTags must not write into its arguments' backing arrays.
	a := make([]string, 2, 4)
	a[0], a[1] = "z", "a"
	types.MergeTags(a, []string{"m"})
	if diff := cmp.Diff([]string{"z", "a"}, a); diff != "" {
		t.Errorf("MergeTags modified its argument (-want +got):\n%s", diff)
	}
}
