package parquet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// writeRows writes a Parquet file whose schema has fields, in their order,
// holding rows of values (a nil Value, pq.Value{}, is null), through
// parquet-go's own writer.
func writeRows(t *testing.T, path string, fields []field, rows [][]pq.Value, opts ...pq.WriterOption) string {
	t.Helper()
	g := orderedGroup{Group: pq.Group{}}
	for _, f := range fields {
		g.fields = append(g.fields, namedField{Node: f.node, name: f.name})
	}
	var buf bytes.Buffer
	w := pq.NewWriter(&buf, append([]pq.WriterOption{pq.NewSchema("test", g)}, opts...)...)
	for _, r := range rows {
		row := make(pq.Row, len(r))
		for j, v := range r {
			def := 0
			if fields[j].node.Optional() && !v.IsNull() {
				def = 1
			}
			row[j] = v.Level(0, def, j)
		}
		if _, err := w.WriteRows([]pq.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	writeBytes(t, path, buf.Bytes())
	return path
}

func str(s string) pq.Value { return pq.ByteArrayValue([]byte(s)) }

// genericRow is written through parquet-go's struct-tag schemas.
type genericRow struct {
	ID      int64     `parquet:"id"`
	Name    *string   `parquet:"name,optional"`
	Country string    `parquet:"country,dict"`
	Age     int8      `parquet:"age"`
	U16     uint16    `parquet:"u16"`
	U32     uint32    `parquet:"u32"`
	Ratio   float32   `parquet:"ratio"`
	Score   *float64  `parquet:"score,optional"`
	Day     int32     `parquet:"day,date"`
	AtMs    int64     `parquet:"at_ms,timestamp(millisecond)"`
	AtNs    *int64    `parquet:"at_ns,timestamp(nanosecond)"`
	Price   int32     `parquet:"price,decimal(2:7)"`
	Big     [16]byte  `parquet:"big,decimal(3:38)"`
	Done    bool      `parquet:"done"`
	Tags    []string  `parquet:"tags,list"`
	Huge    uint64    `parquet:"huge"`
	Legacy  time.Time `parquet:"legacy,timestamp(microsecond)"`
	Comment string    `parquet:"comment,delta"`
}

func ptr[T any](v T) *T { return &v }

func bigBytes(s string) [16]byte {
	var b [16]byte
	x, _ := new(big.Int).SetString(s, 10)
	d, _ := dec128(x)
	putBigEndianInt128(b[:], d)
	return b
}

var genericRows = []genericRow{
	{ID: 1, Name: ptr("Ann"), Country: "DE", Age: -5, U16: 65535, U32: 4294967295, Ratio: 0.5, Score: ptr(1.25), Day: 19782, AtMs: 1_700_000_000_123, AtNs: ptr(int64(-1)), Price: 1234567, Big: bigBytes("-123456789012345678901234567890"), Done: true, Huge: 1, Legacy: time.UnixMicro(5).UTC(), Comment: "x"},
	{ID: 2, Country: "FR", Age: 127, Ratio: -2, Day: -1, AtMs: -1, AtNs: ptr(int64(1_500)), Price: -1, Big: bigBytes("999999999999999999999999999999"), Tags: []string{"a"}, Legacy: time.UnixMicro(0).UTC(), Comment: "yy"},
	{ID: 3, Name: ptr(""), Country: "DE", Age: 0, U16: 1, U32: 2, Score: ptr(-0.5), Day: 0, AtMs: 0, Price: 0, Big: bigBytes("0"), Legacy: time.UnixMicro(0).UTC(), Comment: ""},
	{ID: 4, Name: ptr("Zoë"), Country: "US", Age: -128, U32: 2147483648, Day: 20000, AtMs: 86_400_000, AtNs: ptr(int64(999)), Price: -9999999, Big: bigBytes("1"), Done: true, Legacy: time.UnixMicro(0).UTC(), Comment: "zzz"},
	{ID: 5, Name: ptr("Bob"), Country: "DE", Age: 42, Score: ptr(3.0), Day: 1, AtMs: 1, Price: 5, Big: bigBytes("-1"), Legacy: time.UnixMicro(0).UTC(), Comment: "w"},
}

// genericSchema reads the readable columns of genericRow.
var genericSchema = types.Schema{
	col("id", types.Int64Type, false),
	col("name", types.StringType, true),
	col("country", types.StringType, false),
	col("age", types.Int32Type, false),
	col("u16", types.Int32Type, false),
	col("u32", types.Int64Type, false),
	col("ratio", types.Float64Type, false),
	col("score", types.Float64Type, true),
	col("day", types.DateType, false),
	col("at_ms", types.TimestampType, false),
	col("at_ns", types.TimestampType, true),
	col("price", types.DecimalType(7, 2), false),
	col("big", types.DecimalType(38, 3), false),
	col("done", types.BoolType, false),
	col("legacy", types.TimestampType, false),
	col("comment", types.StringType, false),
}

var genericWant = [][]string{
	{"1", "Ann", "DE", "-5", "65535", "4294967295", "0.5", "1.25", "2024-02-29", "2023-11-14T22:13:20.123Z", "1969-12-31T23:59:59.999999Z", "12345.67", "-123456789012345678901234567.890", "true", "1970-01-01T00:00:00.000005Z", "x"},
	{"2", null, "FR", "127", "0", "0", "-2", null, "1969-12-31", "1969-12-31T23:59:59.999Z", "1970-01-01T00:00:00.000001Z", "-0.01", "999999999999999999999999999.999", "false", "1970-01-01T00:00:00Z", "yy"},
	{"3", "", "DE", "0", "1", "2", "0", "-0.5", "1970-01-01", "1970-01-01T00:00:00Z", null, "0.00", "0.000", "false", "1970-01-01T00:00:00Z", ""},
	{"4", "Zoë", "US", "-128", "0", "2147483648", "0", null, "2024-10-04", "1970-01-02T00:00:00Z", "1970-01-01T00:00:00Z", "-99999.99", "0.001", "true", "1970-01-01T00:00:00Z", "zzz"},
	{"5", "Bob", "DE", "42", "0", "0", "0", "3", "1970-01-02", "1970-01-01T00:00:00.001Z", null, "0.05", "-0.001", "false", "1970-01-01T00:00:00Z", "w"},
}

func writeGeneric(t *testing.T, path string, rows []genericRow, opts ...pq.WriterOption) {
	t.Helper()
	var buf bytes.Buffer
	w := pq.NewGenericWriter[genericRow](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	writeBytes(t, path, buf.Bytes())
}

func TestScanFilesOfParquetGo(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []pq.WriterOption
	}{
		{"defaults", nil},
		{"row groups of two, data page v1, zstd", []pq.WriterOption{pq.MaxRowsPerRowGroup(2), pq.DataPageVersion(1), pq.Compression(&pq.Zstd)}},
		{"row groups of one, gzip, dictionary everywhere", []pq.WriterOption{pq.MaxRowsPerRowGroup(1), pq.Compression(&pq.Gzip), pq.DefaultEncoding(&pq.RLEDictionary)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeGeneric(t, filepath.Join(dir, "g.parquet"), genericRows, tt.opts...)
			for _, batchSize := range []int{0, 1, 3} {
				got, err := scanAll(t, dir, "g.parquet", genericSchema, scanOpts{batchSize: batchSize})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(genericWant, got.rows); diff != "" {
					t.Errorf("batch size %d: rows (-want +got):\n%s", batchSize, diff)
				}
			}
			// The dictionary-encoded column comes out as codes.
			got, err := scanAll(t, dir, "g.parquet", genericSchema, scanOpts{columns: []int{2}})
			if err != nil {
				t.Fatal(err)
			}
			if got.dict[0] != got.batches {
				t.Errorf("%d of %d batches of country were dictionary-encoded, want all", got.dict[0], got.batches)
			}
		})
	}
}

// Files of one source may list their columns in different orders, and
// store them differently: columns are matched by name.
func TestScanFilesWithDifferentColumnOrders(t *testing.T) {
	dir := t.TempDir()
	writeRows(t, filepath.Join(dir, "d/a.parquet"),
		[]field{{"id", pq.Int(64)}, {"name", pq.Optional(pq.String())}, {"qty", pq.Int(32)}},
		[][]pq.Value{{pq.Int64Value(1), str("a"), pq.Int32Value(10)}, {pq.Int64Value(2), {}, pq.Int32Value(20)}})
	writeRows(t, filepath.Join(dir, "d/b.parquet"),
		[]field{{"qty", pq.Int(64)}, {"extra", pq.Leaf(pq.DoubleType)}, {"name", pq.String()}, {"id", pq.Int(64)}},
		[][]pq.Value{{pq.Int64Value(30), pq.DoubleValue(1), str("c"), pq.Int64Value(3)}})
	writeRows(t, filepath.Join(dir, "d/c.parquet"),
		[]field{{"name", pq.Encoded(pq.Optional(pq.String()), &pq.RLEDictionary)}, {"id", pq.Int(64)}, {"qty", pq.Decimal(0, 9, pq.Int32Type)}},
		[][]pq.Value{{str("d"), pq.Int64Value(4), pq.Int32Value(40)}, {str("d"), pq.Int64Value(5), pq.Int32Value(50)}})
	schema := types.Schema{col("id", types.Int64Type, false), col("name", types.StringType, true), col("qty", types.Int64Type, false)}
	got, err := scanAll(t, dir, "d", schema, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"1", "a", "10"}, {"2", null, "20"}, {"3", "c", "30"}, {"4", "d", "40"}, {"5", "d", "50"}}
	if diff := cmp.Diff(want, got.rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got.stats.Files != 3 || got.stats.Rows != 5 || got.stats.Bytes <= 0 {
		t.Errorf("stats %+v, want 3 files, 5 rows and some bytes", got.stats)
	}
	// Only some columns, in another order of the request.
	got, err = scanAll(t, dir, "d", schema, scanOpts{columns: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]string{{"a"}, {null}, {"c"}, {"d"}, {"d"}}, got.rows); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
}

func TestScanConversions(t *testing.T) {
	i32 := func(v int32) pq.Value { return pq.Int32Value(v) }
	i64 := func(v int64) pq.Value { return pq.Int64Value(v) }
	int96 := func(day int32, nanos int64) pq.Value {
		return pq.Int96Value(deprecated.Int96{uint32(nanos), uint32(nanos >> 32), uint32(day)})
	}
	flba := func(s string, n int) pq.Value {
		var b [16]byte
		x, _ := new(big.Int).SetString(s, 10)
		d, _ := dec128(x)
		putBigEndianInt128(b[:], d)
		return pq.FixedLenByteArrayValue(b[16-n:])
	}
	bytesDec := func(b ...byte) pq.Value { return pq.ByteArrayValue(b) }
	tests := []struct {
		name    string
		node    pq.Node
		values  []pq.Value
		to      types.Type
		want    []string
		wantErr string
	}{
		{"INT8 to int64", pq.Int(8), []pq.Value{i32(-128), i32(127)}, types.Int64Type, []string{"-128", "127"}, ""},
		{"INT16 to float64", pq.Int(16), []pq.Value{i32(-3)}, types.Float64Type, []string{"-3"}, ""},
		{"INT32 to decimal", pq.Int(32), []pq.Value{i32(-2147483648)}, types.DecimalType(12, 2), []string{"-2147483648.00"}, ""},
		{"INT32 to a decimal too narrow", pq.Int(32), []pq.Value{i32(5), i32(1000)}, types.DecimalType(4, 1), nil, `row 1: column "c": 1000 does not fit in decimal(4,1)`},
		{"UINT8 to int32", pq.Uint(8), []pq.Value{i32(255)}, types.Int32Type, []string{"255"}, ""},
		{"UINT16 to int32", pq.Uint(16), []pq.Value{i32(65535)}, types.Int32Type, []string{"65535"}, ""},
		{"UINT32 to int64", pq.Uint(32), []pq.Value{i32(-1)}, types.Int64Type, []string{"4294967295"}, ""},
		{"UINT32 to float64", pq.Uint(32), []pq.Value{i32(-2)}, types.Float64Type, []string{"4294967294"}, ""},
		{"UINT32 to decimal", pq.Uint(32), []pq.Value{i32(-1)}, types.DecimalType(12, 1), []string{"4294967295.0"}, ""},
		{"UINT32 to int32 in range", pq.Uint(32), []pq.Value{i32(7)}, types.Int32Type, []string{"7"}, ""},
		{"UINT32 to int32 out of range", pq.Uint(32), []pq.Value{i32(7), i32(-1)}, types.Int32Type, nil, `row 1: column "c": 4294967295 does not fit in int32`},
		{"INT64 to int32 in range", pq.Int(64), []pq.Value{i64(-5)}, types.Int32Type, []string{"-5"}, ""},
		{"INT64 to int32 out of range", pq.Int(64), []pq.Value{i64(1), i64(2), i64(5_000_000_000)}, types.Int32Type, nil, `row group 0, row 2: column "c": 5000000000 does not fit in int32`},
		{"INT64 to float64", pq.Int(64), []pq.Value{i64(1 << 40)}, types.Float64Type, []string{"1099511627776"}, ""},
		{"FLOAT to float64", pq.Leaf(pq.FloatType), []pq.Value{pq.FloatValue(1.5)}, types.Float64Type, []string{"1.5"}, ""},
		{"DATE to timestamp", pq.Date(), []pq.Value{i32(-1), i32(1)}, types.TimestampType, []string{"1969-12-31T00:00:00Z", "1970-01-02T00:00:00Z"}, ""},
		{"TIMESTAMP millis", pq.Timestamp(pq.Millisecond), []pq.Value{i64(-1)}, types.TimestampType, []string{"1969-12-31T23:59:59.999Z"}, ""},
		{"TIMESTAMP millis out of range", pq.Timestamp(pq.Millisecond), []pq.Value{i64(1 << 62)}, types.TimestampType, nil, "milliseconds is out of the range of timestamps"},
		{"TIMESTAMP nanos round down", pq.Timestamp(pq.Nanosecond), []pq.Value{i64(-1), i64(1999)}, types.TimestampType, []string{"1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00.000001Z"}, ""},
		{"TIMESTAMP local micros", pq.TimestampAdjusted(pq.Microsecond, false), []pq.Value{i64(1)}, types.TimestampType, []string{"1970-01-01T00:00:00.000001Z"}, ""},
		{"INT96", pq.Leaf(pq.Int96Type), []pq.Value{int96(2440588, 1_000), int96(2440589, 3_600_000_000_000)}, types.TimestampType, []string{"1970-01-01T00:00:00.000001Z", "1970-01-02T01:00:00Z"}, ""},
		{"DECIMAL INT32 widened", pq.Decimal(2, 7, pq.Int32Type), []pq.Value{i32(-1234567)}, types.DecimalType(18, 4), []string{"-12345.6700"}, ""},
		{"DECIMAL INT32 to wide", pq.Decimal(2, 7, pq.Int32Type), []pq.Value{i32(-1234567)}, types.DecimalType(38, 10), []string{"-12345.6700000000"}, ""},
		{"DECIMAL INT32 rounded", pq.Decimal(2, 7, pq.Int32Type), []pq.Value{i32(125), i32(-125), i32(124)}, types.DecimalType(6, 1), []string{"1.3", "-1.3", "1.2"}, ""},
		{"DECIMAL INT64 to float64", pq.Decimal(3, 18, pq.Int64Type), []pq.Value{i64(-1500)}, types.Float64Type, []string{"-1.5"}, ""},
		{"DECIMAL FLBA to int64 storage", pq.Decimal(3, 30, pq.FixedLenByteArrayType(13)), []pq.Value{flba("-123456789012345678", 13)}, types.DecimalType(18, 3), []string{"-123456789012345.678"}, ""},
		{"DECIMAL FLBA overflow", pq.Decimal(3, 30, pq.FixedLenByteArrayType(13)), []pq.Value{flba("1234567890123456789", 13)}, types.DecimalType(18, 3), nil, `1234567890123456.789 does not fit in decimal(18,3)`},
		{"DECIMAL FLBA to float64", pq.Decimal(1, 30, pq.FixedLenByteArrayType(13)), []pq.Value{flba("-25", 13)}, types.Float64Type, []string{"-2.5"}, ""},
		{"DECIMAL BYTE_ARRAY", pq.Decimal(2, 20, pq.ByteArrayType), []pq.Value{bytesDec(0xff, 0x85), bytesDec(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7b), bytesDec(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x85), bytesDec()}, types.DecimalType(38, 2), []string{"-1.23", "1.23", "-1.23", "0.00"}, ""},
		{"DECIMAL BYTE_ARRAY wider than 128 bits", pq.Decimal(2, 20, pq.ByteArrayType), []pq.Value{bytesDec(0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)}, types.DecimalType(38, 2), nil, "wider than 128 bits"},
		{"ENUM", pq.Enum(), []pq.Value{str("a")}, types.StringType, []string{"a"}, ""},
		{"JSON", pq.JSON(), []pq.Value{str(`{"a":1}`)}, types.StringType, []string{`{"a":1}`}, ""},
		{"unannotated BYTE_ARRAY", pq.Leaf(pq.ByteArrayType), []pq.Value{str("raw")}, types.StringType, []string{"raw"}, ""},
		{"BOOLEAN", pq.Leaf(pq.BooleanType), []pq.Value{pq.BooleanValue(true), pq.BooleanValue(false)}, types.BoolType, []string{"true", "false"}, ""},
		{"STRING to int64", pq.String(), []pq.Value{str("1")}, types.Int64Type, nil, `x.parquet: column "c" is string (stored as BYTE_ARRAY), which does not convert to int64`},
		{"DATE to int32", pq.Date(), []pq.Value{i32(1)}, types.Int32Type, nil, "which does not convert to int32"},
		{"TIMESTAMP to date", pq.Timestamp(pq.Microsecond), []pq.Value{i64(1)}, types.DateType, nil, "which does not convert to date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			rows := make([][]pq.Value, len(tt.values))
			for i, v := range tt.values {
				rows[i] = []pq.Value{v}
			}
			writeRows(t, filepath.Join(dir, "x.parquet"), []field{{"c", tt.node}}, rows)
			got, err := scanAll(t, dir, "x.parquet", types.Schema{col("c", tt.to, false)}, scanOpts{declared: true})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "x.parquet") {
					t.Fatalf("got error %v, want one naming x.parquet and containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want [][]string
			for _, w := range tt.want {
				want = append(want, []string{w})
			}
			if diff := cmp.Diff(want, got.rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScanDictionaryFallback(t *testing.T) {
	// parquet-go switches a chunk from dictionary to plain pages when its
	// dictionary outgrows DictionaryMaxBytes: batches then mix both.
	dir := t.TempDir()
	var rows [][]pq.Value
	var want [][]string
	for i := range 3000 {
		s := fmt.Sprintf("value-%d", i%700)
		if i%11 == 0 {
			rows = append(rows, []pq.Value{{}})
			want = append(want, []string{null})
			continue
		}
		rows = append(rows, []pq.Value{str(s)})
		want = append(want, []string{s})
	}
	writeRows(t, filepath.Join(dir, "x.parquet"),
		[]field{{"s", pq.Encoded(pq.Optional(pq.String()), &pq.RLEDictionary)}}, rows,
		pq.DictionaryMaxBytes(2000), pq.PageBufferSize(512))
	for _, batchSize := range []int{7, 100, 5000} {
		got, err := scanAll(t, dir, "x.parquet", types.Schema{col("s", types.StringType, true)}, scanOpts{batchSize: batchSize})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got.rows); diff != "" {
			t.Errorf("batch size %d: rows (-want +got):\n%s", batchSize, diff)
		}
		if batchSize == 7 && (got.dict[0] == 0 || got.dict[0] == got.batches) {
			t.Errorf("batch size %d: %d of %d batches dictionary-encoded, want some but not all", batchSize, got.dict[0], got.batches)
		}
	}
}

// TestScanReadsOnlyRequestedColumns reads a file with columns the scanner
// cannot read: asking for the others works, asking for them is an error.
func TestScanReadsOnlyRequestedColumns(t *testing.T) {
	dir := t.TempDir()
	writeGeneric(t, filepath.Join(dir, "g.parquet"), genericRows, pq.MaxRowsPerRowGroup(2))
	schema := types.Schema{col("id", types.Int64Type, false), col("country", types.StringType, false)}
	got, err := scanAll(t, dir, "g.parquet", schema, scanOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(project(genericWant, []int{0, 2}), got.rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	// Only the requested chunks are read.
	g, _ := scanAll(t, dir, "g.parquet", genericSchema, scanOpts{})
	if got.stats.Bytes >= g.stats.Bytes {
		t.Errorf("reading 2 columns read %d bytes, all of them %d", got.stats.Bytes, g.stats.Bytes)
	}
	for _, tt := range []struct {
		col  types.Column
		want string
	}{
		{col("tags", types.StringType, true), `g.parquet: column "tags" is a LIST, which meshctl does not read`},
		{col("huge", types.Int64Type, false), `g.parquet: column "huge" is UINT64 (its values may not fit in int64), which meshctl does not read`},
		{col("comment", types.Int64Type, false), `g.parquet: column "comment" is string (stored as BYTE_ARRAY), which does not convert to int64`},
		{col("missing", types.Int64Type, false), `g.parquet has no column "missing"`},
	} {
		_, err := scanAll(t, dir, "g.parquet", append(schema[:1:1], tt.col), scanOpts{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got error %v, want %q", err, tt.want)
		}
	}
}

func TestScanCountOnly(t *testing.T) {
	dir := t.TempDir()
	writeGeneric(t, filepath.Join(dir, "g.parquet"), genericRows, pq.MaxRowsPerRowGroup(2))
	got, err := scanAll(t, dir, "g.parquet", genericSchema, scanOpts{columns: []int{}, batchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.rows) != 5 || got.batches != 5 || got.stats.Rows != 5 {
		t.Errorf("got %d rows in %d batches (stats %+v), want 5 in 5", len(got.rows), got.batches, got.stats)
	}
}

func TestScanNullInColumnDeclaredNotNull(t *testing.T) {
	dir := t.TempDir()
	var rows [][]pq.Value
	for i := range 10 {
		v := pq.Int64Value(int64(i))
		if i == 7 {
			v = pq.Value{}
		}
		rows = append(rows, []pq.Value{v})
	}
	writeRows(t, filepath.Join(dir, "x.parquet"), []field{{"n", pq.Optional(pq.Int(64))}}, rows, pq.MaxRowsPerRowGroup(4))
	_, err := scanAll(t, dir, "x.parquet", types.Schema{col("n", types.Int64Type, false)}, scanOpts{declared: true, batchSize: 3})
	want := `x.parquet: row group 1, row 7: column "n": the value is null, but the column is declared not null`
	if err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
	// Declared nullable, the same file reads.
	got, err := scanAll(t, dir, "x.parquet", types.Schema{col("n", types.Int64Type, true)}, scanOpts{declared: true, batchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got.rows[7][0] != null || got.rows[8][0] != "8" {
		t.Errorf("rows %v", got.rows)
	}
}

func TestScanCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	b := batchOf(t, everyType, everyTypeRows)
	writeOutput(t, dir, dataio.SinkRequest{Schema: everyType, RowGroupSize: 2}, b, b, b)
	good, err := os.ReadFile(filepath.Join(dir, "part-00000.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "part-00000.parquet")

	t.Run("garbage page header", func(t *testing.T) {
		bad := bytes.Clone(good)
		for i := 4; i < 40; i++ {
			bad[i] = 0xff
		}
		writeBytes(t, path, bad)
		_, err := scanAll(t, dir, "part-00000.parquet", everyType, scanOpts{})
		if err == nil || !strings.Contains(err.Error(), "part-00000.parquet: row group 0") || !errors.Is(err, errCorrupt) {
			t.Errorf("got error %v, want one naming the file and its row group", err)
		}
	})

	t.Run("every byte damaged in turn", func(t *testing.T) {
		// Each damaged file must read or fail with an error naming it,
		// never panic. Every 23rd byte keeps the test fast; the fuzz
		// target explores the rest.
		footer := int(good[len(good)-8]) | int(good[len(good)-7])<<8
		for i := 4; i < len(good)-8-footer; i += 23 {
			bad := bytes.Clone(good)
			bad[i] ^= 0x5a
			writeBytes(t, path, bad)
			_, err := scanAll(t, dir, "part-00000.parquet", everyType, scanOpts{batchSize: 2})
			if err != nil && !strings.Contains(err.Error(), "part-00000.parquet") {
				t.Fatalf("byte %d: error %q does not name the file", i, err)
			}
		}
	})

	t.Run("cut short", func(t *testing.T) {
		writeBytes(t, path, good[:len(good)/2])
		_, err := scanAll(t, dir, "part-00000.parquet", everyType, scanOpts{})
		if err == nil || !strings.Contains(err.Error(), "part-00000.parquet is not a valid Parquet file") {
			t.Errorf("got error %v", err)
		}
	})
}

// TestScanConcurrentReads reads morsels from several goroutines at once
// (run it with -race): the batches must be those of a sequential read.
func TestScanConcurrentReads(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	w, err := Sinker{}.Create(ctx, dataio.SinkRequest{Schema: customers, Dir: dir, RowGroupSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	genCustomers(7, 1, 20_000, 3000, func(b *vector.Batch) {
		if err := w.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	all := []int{0, 1, 2, 3, 4, 5, 6}
	want, err := scanAll(t, dir, ".", customers, scanOpts{columns: all, batchSize: 700})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Scanner{Dir: dir}.Open(ctx, dataio.ScanRequest{
		Source: &ir.Source{Path: "."}, Schema: customers, Columns: all, BatchSize: 700,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	perMorsel := make([][][]string, sc.Morsels())
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for m := g; m < sc.Morsels(); m += 6 {
				err := sc.Read(ctx, m, func(b *vector.Batch) error {
					perMorsel[m] = textRows(perMorsel[m], b)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	var got [][]string
	for _, rows := range perMorsel {
		got = append(got, rows...)
	}
	if diff := cmp.Diff(want.rows, got); diff != "" {
		t.Errorf("concurrent rows differ (-sequential +concurrent):\n%s", diff)
	}
	if st := sc.Stats(); st.Rows != 20_000 {
		t.Errorf("stats %+v, want 20000 rows", st)
	}
}

func TestScanStopsOnEmitError(t *testing.T) {
	dir := t.TempDir()
	writeOutput(t, dir, dataio.SinkRequest{Schema: everyType}, batchOf(t, everyType, everyTypeRows))
	ctx := context.Background()
	sc, err := Scanner{Dir: dir}.Open(ctx, dataio.ScanRequest{Source: &ir.Source{Path: "."}, Schema: everyType, Columns: []int{0}, BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	stop := errors.New("stop")
	calls := 0
	err = sc.Read(ctx, 0, func(*vector.Batch) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("got %v after %d calls, want the emit error after 1", err, calls)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := sc.Read(cancelled, 0, func(*vector.Batch) error { return nil }); err != context.Canceled {
		t.Errorf("got %v, want %v", err, context.Canceled)
	}
}
