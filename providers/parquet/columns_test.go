package parquet

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"

	"github.com/meshctl/meshctl/lang/types"
)

// elem builds a schema element as an older writer would: a physical type
// (or none, for a group), a repetition and options that set the rest.
func elem(name string, rep format.FieldRepetitionType, opts ...func(*format.SchemaElement)) format.SchemaElement {
	e := format.SchemaElement{Name: name, RepetitionType: thrift.New(rep)}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func physical(t format.Type) func(*format.SchemaElement) {
	return func(e *format.SchemaElement) { e.Type = thrift.New(t) }
}

func converted(c deprecated.ConvertedType) func(*format.SchemaElement) {
	return func(e *format.SchemaElement) { e.ConvertedType = thrift.New(c) }
}

func children(n int32) func(*format.SchemaElement) {
	return func(e *format.SchemaElement) { e.NumChildren = thrift.New(n) }
}

func decimal(p, s int32) func(*format.SchemaElement) {
	return func(e *format.SchemaElement) {
		e.ConvertedType = thrift.New(deprecated.Decimal)
		e.Precision, e.Scale = thrift.New(p), thrift.New(s)
	}
}

func logical(v format.LogicalTypeValue) func(*format.SchemaElement) {
	return func(e *format.SchemaElement) { e.LogicalType = format.LogicalType{Value: v} }
}

func root(n int32) format.SchemaElement {
	return format.SchemaElement{Name: "schema", NumChildren: thrift.New(n)}
}

const (
	req = format.Required
	opt = format.Optional
	rep = format.Repeated
)

func TestColumnsOf(t *testing.T) {
	left := func(name, what string) string {
		return `column "` + name + `" is ` + what + `, which meshctl does not read yet; it is left out`
	}
	tests := []struct {
		name      string
		elems     []format.SchemaElement
		want      types.Schema
		wantNotes []string
	}{
		{
			name: "converted types of older writers",
			elems: []format.SchemaElement{
				root(12),
				elem("s", opt, physical(format.ByteArray), converted(deprecated.UTF8)),
				elem("e", opt, physical(format.ByteArray), converted(deprecated.Enum)),
				elem("j", opt, physical(format.ByteArray), converted(deprecated.Json)),
				elem("d", req, physical(format.Int32), converted(deprecated.Date)),
				elem("ms", req, physical(format.Int64), converted(deprecated.TimestampMillis)),
				elem("us", req, physical(format.Int64), converted(deprecated.TimestampMicros)),
				elem("i8", req, physical(format.Int32), converted(deprecated.Int8)),
				elem("i64", req, physical(format.Int64), converted(deprecated.Int64)),
				elem("u16", req, physical(format.Int32), converted(deprecated.Uint16)),
				elem("u32", req, physical(format.Int32), converted(deprecated.Uint32)),
				elem("dec", opt, physical(format.FixedLenByteArray), decimal(20, 4)),
				elem("impala_ts", opt, physical(format.Int96)),
			},
			want: types.Schema{
				col("s", types.StringType, true),
				col("e", types.StringType, true),
				col("j", types.StringType, true),
				col("d", types.DateType, false),
				col("ms", types.TimestampType, false),
				col("us", types.TimestampType, false),
				col("i8", types.Int32Type, false),
				col("i64", types.Int64Type, false),
				col("u16", types.Int32Type, false),
				col("u32", types.Int64Type, false),
				col("dec", types.DecimalType(20, 4), true),
				col("impala_ts", types.TimestampType, true),
			},
		},
		{
			name: "unsupported converted types and mismatched annotations",
			elems: []format.SchemaElement{
				root(7),
				elem("u64", req, physical(format.Int64), converted(deprecated.Uint64)),
				elem("t", req, physical(format.Int32), converted(deprecated.TimeMillis)),
				elem("iv", req, physical(format.FixedLenByteArray), converted(deprecated.Interval)),
				elem("d64", req, physical(format.Int64), converted(deprecated.Date)),
				elem("str32", req, physical(format.Int32), logical(&format.StringType{})),
				elem("nodigits", req, physical(format.Int64), converted(deprecated.Decimal)),
				elem("n", opt, physical(format.Int32), logical(&format.NullType{})),
			},
			wantNotes: []string{
				left("u64", "UINT64 (its values may not fit in int64)"),
				left("t", "TIME_MILLIS"),
				left("iv", "INTERVAL"),
				left("d64", "DATE stored as INT64"),
				left("str32", "STRING stored as INT32"),
				left("nodigits", "DECIMAL without a precision"),
				left("n", "always null (logical type UNKNOWN)"),
			},
		},
		{
			name: "groups are skipped with their descendants",
			elems: []format.SchemaElement{
				root(5),
				elem("id", req, physical(format.Int64)),
				elem("legacy_list", opt, converted(deprecated.List), children(1)),
				elem("bag", rep, children(1)),
				elem("item", req, physical(format.Int32)),
				elem("kv", opt, converted(deprecated.Map), children(1)),
				elem("key_value", rep, converted(deprecated.MapKeyValue), children(2)),
				elem("key", req, physical(format.ByteArray)),
				elem("value", opt, physical(format.ByteArray)),
				elem("point", opt, children(2)),
				elem("x", req, physical(format.Double)),
				elem("y", req, physical(format.Double)),
				elem("codes", rep, physical(format.Int32)),
			},
			want: types.Schema{col("id", types.Int64Type, false)},
			wantNotes: []string{
				left("legacy_list", "a LIST"),
				left("kv", "a MAP"),
				left("point", "a struct (a group of fields)"),
				left("codes", "a repeated field"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, notes, err := columnsOf(tt.elems)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantNotes, notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestColumnsOfMalformed(t *testing.T) {
	tests := []struct {
		name  string
		elems []format.SchemaElement
		want  string
	}{
		{"empty", nil, "the schema is empty"},
		{"fewer fields than announced", []format.SchemaElement{
			root(3), elem("a", req, physical(format.Int32)),
		}, "the schema has 3 fields but lists only 1"},
		{"group deeper than the schema", []format.SchemaElement{
			root(1), elem("g", opt, children(4)), elem("a", req, physical(format.Int32)),
		}, `field "g" lists more nested fields than the schema holds`},
		{"two columns with one name", []format.SchemaElement{
			root(2), elem("a", req, physical(format.Int32)), elem("a", opt, physical(format.Int64)),
		}, `two columns are named "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := columnsOf(tt.elems)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
