package csv

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// morselSizes are the morsel sizes every scan test runs with: results must
// not depend on them.
var morselSizes = []int{0, 1, 2, 3, 5, 8, 13, 64, 1000}

func TestScan(t *testing.T) {
	everyType := types.Schema{
		col("b", types.BoolType),
		col("i32", types.Int32Type),
		col("i64", types.Int64Type),
		col("f", types.Float64Type),
		col("d", types.DecimalType(10, 2)),
		col("w", types.DecimalType(30, 3)),
		col("s", types.StringType),
		col("day", types.DateType),
		col("at", types.TimestampType),
	}
	tests := []struct {
		name   string
		file   string
		opts   ir.CSVOptions
		schema types.Schema
		cols   []int
		want   [][]any
	}{
		{
			name: "every type, and nulls",
			file: "b,i32,i64,f,d,w,s,day,at\n" +
				"true,-2147483648,9223372036854775807,1.5,12.34,-123456789012345678901234.5,ann,2024-02-29,2024-01-31T10:00:00.123456Z\n" +
				"FALSE,+7,-9223372036854775808,-1e3,-0.5,7,\"\",1970-01-01,2024-01-31 10:00:00\n" +
				",,,,,,,,\n" +
				"True,0,007,.5,5,0.0005,\" padded \",0001-01-01,2024-01-31\n",
			opts:   header,
			schema: everyType,
			cols:   allColumns(9),
			want: [][]any{
				{true, int32(math.MinInt32), int64(math.MaxInt64), 1.5, int64(1234), dec("-123456789012345678901234.5", 30, 3), "ann", date("2024-02-29"), ts("2024-01-31T10:00:00.123456Z")},
				{false, int32(7), int64(math.MinInt64), -1000.0, int64(-50), dec("7", 30, 3), "", date("1970-01-01"), ts("2024-01-31T10:00:00Z")},
				{nil, nil, nil, nil, nil, nil, nil, nil, nil},
				{true, int32(0), int64(7), 0.5, int64(500), dec("0.001", 30, 3), " padded ", date("0001-01-01"), ts("2024-01-31T00:00:00Z")},
			},
		},
		{
			name: "quoted fields: delimiters, doubled quotes, line breaks; quoted numbers",
			file: "id,text\n" +
				"\"1\",\"a,b\"\n" +
				"2,\"say \"\"hi\"\"\"\n" +
				"3,\"two\nlines\"\n" +
				"4,\"crlf\r\ninside\"\n" +
				"5,\"\"\"\"\n",
			opts:   header,
			schema: types.Schema{col("id", types.Int64Type), col("text", types.StringType)},
			cols:   allColumns(2),
			want: [][]any{
				{int64(1), "a,b"},
				{int64(2), `say "hi"`},
				{int64(3), "two\nlines"},
				{int64(4), "crlf\r\ninside"},
				{int64(5), `"`},
			},
		},
		{
			name:   "BOM and CRLF, no final line break",
			file:   "\uFEFFid,name\r\n1,ann\r\n2,\"bob\"\r\n3,cy",
			opts:   header,
			schema: types.Schema{col("id", types.Int64Type), col("name", types.StringType)},
			cols:   allColumns(2),
			want:   [][]any{{int64(1), "ann"}, {int64(2), "bob"}, {int64(3), "cy"}},
		},
		{
			name:   "CRLF lines longer than a machine word",
			file:   "identifier,name\r\n1234567890,annabelle smith\r\n2,\"quoted, with comma\"\r\n3,\r\n",
			opts:   header,
			schema: types.Schema{col("identifier", types.Int64Type), col("name", types.StringType)},
			cols:   allColumns(2),
			want:   [][]any{{int64(1234567890), "annabelle smith"}, {int64(2), "quoted, with comma"}, {int64(3), nil}},
		},
		{
			name:   "a CR before the end of the file is dropped",
			file:   "id,name\n1,ann\r",
			opts:   header,
			schema: types.Schema{col("id", types.Int64Type), col("name", types.StringType)},
			cols:   allColumns(2),
			want:   [][]any{{int64(1), "ann"}},
		},
		{
			name: "null value: quoted or not for other types, unquoted only for strings",
			file: "id;label;score\n" +
				"NA;NA;NA\n" +
				"\"NA\";\"NA\";\"NA\"\n" +
				";\"\";\"\"\n" +
				"1;x;2.5\n",
			opts:   ir.CSVOptions{Header: true, Delimiter: ';', NullValue: "NA"},
			schema: types.Schema{col("id", types.Int64Type), col("label", types.StringType), col("score", types.Float64Type)},
			cols:   allColumns(3),
			want: [][]any{
				{nil, nil, nil},
				{nil, "NA", nil},
				{nil, "", nil},
				{int64(1), "x", 2.5},
			},
		},
		{
			name:   "header false: fields in schema order",
			file:   "1,ann,true\n2,,false\n",
			opts:   ir.CSVOptions{},
			schema: types.Schema{col("id", types.Int64Type), col("name", types.StringType), col("ok", types.BoolType)},
			cols:   []int{0, 2},
			want:   [][]any{{int64(1), true}, {int64(2), false}},
		},
		{
			name:   "projection: a subset of the columns, in another order than the file's",
			file:   "email,age,id,country\na@x,30,1,DE\nb@x,,2,FR\n",
			opts:   header,
			schema: types.Schema{col("id", types.Int64Type), col("country", types.StringType), col("age", types.Int32Type), col("email", types.StringType)},
			cols:   []int{1, 2},
			want:   [][]any{{"DE", int32(30)}, {"FR", nil}},
		},
		{
			name:   "no columns: rows are counted",
			file:   "a,b\n1,2\n3,4\n\n5,6\n",
			opts:   header,
			schema: types.Schema{col("a", types.Int64Type), col("b", types.Int64Type)},
			cols:   nil,
			want:   [][]any{{}, {}, {}},
		},
		{
			name:   "blank lines are skipped, before the header too",
			file:   "\n\r\nid\n1\n\n\r\n2\n\n",
			opts:   header,
			schema: types.Schema{col("id", types.Int64Type)},
			cols:   []int{0},
			want:   [][]any{{int64(1)}, {int64(2)}},
		},
		{
			name:   "a multi-byte delimiter",
			file:   "a§b\n1§\"x§y\"\n2§z\n",
			opts:   ir.CSVOptions{Header: true, Delimiter: '§'},
			schema: types.Schema{col("a", types.Int64Type), col("b", types.StringType)},
			cols:   allColumns(2),
			want:   [][]any{{int64(1), "x§y"}, {int64(2), "z"}},
		},
		{
			name:   "header only",
			file:   "a,b\n",
			opts:   header,
			schema: types.Schema{col("a", types.Int64Type), col("b", types.StringType)},
			cols:   allColumns(2),
			want:   nil,
		},
	}
	for _, tt := range tests {
		for _, mb := range morselSizes {
			t.Run(fmt.Sprintf("%s/morsel=%d", tt.name, mb), func(t *testing.T) {
				dir := t.TempDir()
				writeFiles(t, dir, map[string]string{"data/x.csv": tt.file})
				got := scanAll(t, Scanner{Dir: dir, MorselBytes: mb}, scanRequest("data/x.csv", tt.opts, tt.schema, tt.cols))
				if got.Err != "" {
					t.Fatal(got.Err)
				}
				if diff := cmp.Diff(tt.want, got.Rows); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
				if got.Stats.Rows != int64(len(tt.want)) || got.Stats.Files != 1 || got.Stats.Bytes < int64(len(tt.file)) {
					t.Errorf("stats %+v for %d rows of %d bytes", got.Stats, len(tt.want), len(tt.file))
				}
			})
		}
	}
}

func TestScanFiles(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"d/a.csv":   "id,name\n1,ann\n2,bob\n",
		"d/b/c.csv": "name,id,extra\ncy,3,x\n",
		"d/_x.csv":  "garbage\n",
	})
	schema := types.Schema{col("id", types.Int64Type), col("name", types.StringType)}
	for _, mb := range morselSizes {
		got := scanAll(t, Scanner{Dir: dir, MorselBytes: mb}, scanRequest("d", header, schema, allColumns(2)))
		if got.Err != "" {
			t.Fatal(got.Err)
		}
		want := [][]any{{int64(1), "ann"}, {int64(2), "bob"}, {int64(3), "cy"}}
		if diff := cmp.Diff(want, got.Rows); diff != "" {
			t.Errorf("morsel %d: rows (-want +got):\n%s", mb, diff)
		}
		if got.Stats.Files != 2 {
			t.Errorf("%d files", got.Stats.Files)
		}
	}
}

func TestScanBatches(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,s\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "%d,s%d\n", i, i)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": b.String()})
	req := scanRequest("x.csv", header, types.Schema{col("id", types.Int64Type), col("s", types.StringType)}, allColumns(2))
	req.BatchSize = 700
	sc, err := Scanner{Dir: dir}.Open(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	next := int64(0)
	batches := 0
	err = sc.Read(context.Background(), 0, func(b *vector.Batch) error {
		batches++
		if b.Len > 700 {
			return fmt.Errorf("batch of %d rows", b.Len)
		}
		for i := range b.Len {
			if b.Cols[0].I64[i] != next || string(b.Cols[1].String(i)) != fmt.Sprintf("s%d", next) {
				return fmt.Errorf("row %d: %d %q", next, b.Cols[0].I64[i], b.Cols[1].String(i))
			}
			next++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if next != 5000 || batches != 8 {
		t.Errorf("%d rows in %d batches", next, batches)
	}
}

func TestScanErrors(t *testing.T) {
	ages := types.Schema{col("id", types.Int64Type), col("name", types.StringType), col("age", types.Int32Type)}
	tests := []struct {
		name   string
		file   string
		opts   ir.CSVOptions
		schema types.Schema
		cols   []int
		want   string
	}{
		{"int32", "id,name,age\n1,ann,30\n2,bob,x\n", header, ages, allColumns(3),
			`data/customers.csv:3: column "age" (field 3): "x" is not an int32`},
		{"int32 range", "id,name,age\n1,ann,2147483648\n", header, ages, allColumns(3),
			`data/customers.csv:2: column "age" (field 3): "2147483648" is not an int32`},
		{"int64", "id\n12x\n", header, types.Schema{col("id", types.Int64Type)}, []int{0},
			`data/customers.csv:2: column "id" (field 1): "12x" is not an int64`},
		{"float64", "f\nNaN\n", header, types.Schema{col("f", types.Float64Type)}, []int{0},
			`data/customers.csv:2: column "f" (field 1): "NaN" is not a float64`},
		{"bool", "b\nyes\n", header, types.Schema{col("b", types.BoolType)}, []int{0},
			`data/customers.csv:2: column "b" (field 1): "yes" is not a bool`},
		{"decimal", "d\n123.4\n", header, types.Schema{col("d", types.DecimalType(4, 2))}, []int{0},
			`data/customers.csv:2: column "d" (field 1): "123.4" is not a decimal(4,2)`},
		{"wide decimal", "d\n1e3\n", header, types.Schema{col("d", types.DecimalType(38, 2))}, []int{0},
			`data/customers.csv:2: column "d" (field 1): "1e3" is not a decimal(38,2)`},
		{"date", "d\n2023-02-29\n", header, types.Schema{col("d", types.DateType)}, []int{0},
			`data/customers.csv:2: column "d" (field 1): "2023-02-29" is not a date`},
		{"timestamp", "t\n2024-01-31 10:00:00+02:00\n", header, types.Schema{col("t", types.TimestampType)}, []int{0},
			`data/customers.csv:2: column "t" (field 1): "2024-01-31 10:00:00+02:00" is not a timestamp`},
		{"quoted value with doubled quotes", "id\n\"1\"\"\"\n", header, types.Schema{col("id", types.Int64Type)}, []int{0},
			`data/customers.csv:2: column "id" (field 1): "1\"" is not an int64`},
		{"null in a non-nullable column", "id,name\n1,ann\n,bob\n", header, types.Schema{notNull("id", types.Int64Type), col("name", types.StringType)}, allColumns(2),
			`data/customers.csv:3: column "id" (field 1): null, but the column is not nullable`},
		{"null text in a non-nullable string column", "id,name\n1,NA\n", ir.CSVOptions{Header: true, NullValue: "NA"}, types.Schema{col("id", types.Int64Type), notNull("name", types.StringType)}, allColumns(2),
			`data/customers.csv:2: column "name" (field 2): null, but the column is not nullable`},
		{"too few fields", "id,name,age\n1,ann,3\n2,bob\n", header, ages, allColumns(3),
			`data/customers.csv:3: the row has 2 fields but the header has 3`},
		{"too many fields without header", "1,ann,3,4\n", ir.CSVOptions{}, ages, allColumns(3),
			`data/customers.csv:1: the row has 4 fields but the schema has 3 columns`},
		{"bare quote", "id,name\n1,a\"b\n", header, ages[:2], allColumns(2),
			`data/customers.csv:2: a quote (") inside a field that is not quoted: quote the whole field and double the quote`},
		{"a bare quote runs on to the next quote", "id,name\n1,a\"b\n2,c\n3,\"d\"\n", header, ages[:2], allColumns(2),
			`data/customers.csv:2: a quote (") inside a field that is not quoted: quote the whole field and double the quote`},
		{"text after a closing quote", "id,name\n1,\"a\"b\n", header, ages[:2], allColumns(2),
			`data/customers.csv:2: text follows the closing quote of a quoted field`},
		{"unterminated quote", "id,name\n1,ann\n2,\"bob\n3,cy\n", header, ages[:2], allColumns(2),
			`data/customers.csv:3: a quoted field is not closed before the end of the file`},
		{"line numbers count line breaks inside quotes and blank lines", "id,name\n\n1,\"a\nb\nc\"\r\n\n2,\"x\"\n3,y\nz,w\n", header, ages[:2], allColumns(2),
			`data/customers.csv:9: column "id" (field 1): "z" is not an int64`},
		{"the first error in the file wins, whatever the column", "id,name,age\n1,ann,x\ny,bob,2\n", header, ages, allColumns(3),
			`data/customers.csv:2: column "age" (field 3): "x" is not an int32`},
		{"an error before a structural error wins", "id,name,age\n1,ann,x\n2\n", header, ages, allColumns(3),
			`data/customers.csv:2: column "age" (field 3): "x" is not an int32`},
		{"field numbers are the file's", "age,x,name,id\nold,1,ann,1\n", header, ages, allColumns(3),
			`data/customers.csv:2: column "age" (field 1): "old" is not an int32`},
		{"unread columns are not converted", "id,name,age\n1,ann,x\nq,bob,2\n", header, ages, []int{2},
			`data/customers.csv:2: column "age" (field 3): "x" is not an int32`},
		{"line numbers after a BOM and CRLF", "\uFEFFid\r\n1\r\n2\r\nx\r\n", header, types.Schema{col("id", types.Int64Type)}, []int{0},
			`data/customers.csv:4: column "id" (field 1): "x" is not an int64`},
		// Errors of Open.
		{"missing column", "id,name\n1,ann\n", header, ages, allColumns(3),
			`data/customers.csv: no column "age" in the header (id,name)`},
		{"empty file", "", header, ages, allColumns(3),
			`data/customers.csv is empty: a CSV source needs a header line naming its columns`},
		{"duplicate header", "id,id\n", header, ages[:1], []int{0},
			`data/customers.csv: columns 1 and 2 of the header are both named "id"`},
		{"bad header", "id,\"name\n", header, ages[:1], []int{0},
			`data/customers.csv:1: the header line is not valid CSV: a quoted field is not closed before the end of the file`},
		{"bad delimiter", "id\n", ir.CSVOptions{Header: true, Delimiter: '\n'}, ages[:1], []int{0},
			`'\n' cannot be a CSV delimiter: a delimiter must be one valid character other than a quote, a line break or a NUL`},
		{"bad on_error", "id\n", ir.CSVOptions{Header: true, OnError: "ignore"}, ages[:1], []int{0},
			`on_error = "ignore": want "fail", "skip" or "quarantine"`},
	}
	for _, tt := range tests {
		for _, mb := range morselSizes {
			t.Run(fmt.Sprintf("%s/morsel=%d", tt.name, mb), func(t *testing.T) {
				dir := t.TempDir()
				writeFiles(t, dir, map[string]string{"data/customers.csv": tt.file})
				got := scanAll(t, Scanner{Dir: dir, MorselBytes: mb}, scanRequest("data/customers.csv", tt.opts, tt.schema, tt.cols))
				if got.Err != tt.want {
					t.Errorf("error\n got %s\nwant %s", got.Err, tt.want)
				}
			})
		}
	}
}

func TestScanSkip(t *testing.T) {
	file := "id,name,age\n" +
		"1,ann,30\n" +
		"2,bob,x\n" + // bad int32
		"3,cy\n" + // too few fields
		",dee,4\n" + // null id, not nullable
		"5,\"multi\nline\",y\n" + // bad, spans two lines
		"6,\"ok\",6\n" +
		"7,a\"b\"c,7\n" + // bare quotes
		"8,eve,8"
	schema := types.Schema{notNull("id", types.Int64Type), col("name", types.StringType), col("age", types.Int32Type)}
	wantRows := [][]any{{int64(1), "ann", int32(30)}, {int64(6), "ok", int32(6)}, {int64(8), "eve", int32(8)}}
	wantRejects := []reject{
		{"x.csv", 3, "2,bob,x", `column "age" (field 3): "x" is not an int32`},
		{"x.csv", 4, "3,cy", "the row has 2 fields but the header has 3"},
		{"x.csv", 5, ",dee,4", `column "id" (field 1): null, but the column is not nullable`},
		{"x.csv", 6, "5,\"multi\nline\",y", `column "age" (field 3): "y" is not an int32`},
		{"x.csv", 9, "7,a\"b\"c,7", reasonBareQuote},
	}
	for _, onError := range []string{"skip", "quarantine"} {
		for _, mb := range morselSizes {
			t.Run(fmt.Sprintf("%s/morsel=%d", onError, mb), func(t *testing.T) {
				dir := t.TempDir()
				writeFiles(t, dir, map[string]string{"x.csv": file})
				got := scanAll(t, Scanner{Dir: dir, MorselBytes: mb}, scanRequest("x.csv", ir.CSVOptions{Header: true, OnError: onError}, schema, allColumns(3)))
				if got.Err != "" {
					t.Fatal(got.Err)
				}
				if diff := cmp.Diff(wantRows, got.Rows); diff != "" {
					t.Errorf("rows (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(wantRejects, got.Rejects); diff != "" {
					t.Errorf("rejects (-want +got):\n%s", diff)
				}
				if got.Stats.Rejected != 5 || got.Stats.Rows != 3 {
					t.Errorf("stats %+v", got.Stats)
				}
			})
		}
	}
	t.Run("without a reject sink, rows are only counted", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"x.csv": file})
		req := scanRequest("x.csv", ir.CSVOptions{Header: true, OnError: "skip"}, schema, allColumns(3))
		sc, err := Scanner{Dir: dir}.Open(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		defer sc.Close()
		rows := 0
		if err := sc.Read(context.Background(), 0, func(b *vector.Batch) error { rows += b.Len; return nil }); err != nil {
			t.Fatal(err)
		}
		if st := sc.Stats(); rows != 3 || st.Rejected != 5 {
			t.Errorf("%d rows, stats %+v", rows, st)
		}
	})
	t.Run("a failing reject sink stops the scan", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"x.csv": file})
		req := scanRequest("x.csv", ir.CSVOptions{Header: true, OnError: "quarantine"}, schema, allColumns(3))
		req.Rejects = failingRejects{}
		got := scanAll(t, Scanner{Dir: dir}, req)
		if want := "quarantine x.csv:3: disk full"; got.Err != want {
			t.Errorf("error %q, want %q", got.Err, want)
		}
	})
}

type failingRejects struct{}

func (failingRejects) Reject(string, int64, []byte, string) error { return errors.New("disk full") }

func TestScanQuarantineFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"in/x.csv": "id,name\n1,ann\nx,\"b,\"\"o\"\"\nb\"\n3,cy\n4\n"})
	q, err := NewQuarantineSink(dir, "quarantine.csv")
	if err != nil {
		t.Fatal(err)
	}
	req := scanRequest("in/x.csv", ir.CSVOptions{Header: true, OnError: "quarantine"}, types.Schema{col("id", types.Int64Type), col("name", types.StringType)}, allColumns(2))
	req.Rejects = q
	got := scanAll(t, Scanner{Dir: dir, MorselBytes: 4}, req)
	if got.Err != "" {
		t.Fatal(got.Err)
	}
	if diff := cmp.Diff([][]any{{int64(1), "ann"}, {int64(3), "cy"}}, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	f, err := q.Close()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "quarantine.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "file,line,reason,record\n" +
		"in/x.csv,3,\"column \"\"id\"\" (field 1): \"\"x\"\" is not an int64\",\"x,\"\"b,\"\"\"\"o\"\"\"\"\nb\"\"\"\n" +
		"in/x.csv,6,the row has 1 fields but the header has 2,4\n"
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("quarantine file (-want +got):\n%s", diff)
	}
	if f.Rows != 2 || f.Bytes != int64(len(data)) || f.Path != "quarantine.csv" || len(f.SHA256) != 64 {
		t.Errorf("file %+v", f)
	}
	// The quarantine file is CSV that the scanner reads back.
	back := scanAll(t, Scanner{Dir: dir}, scanRequest("quarantine.csv", header,
		types.Schema{col("file", types.StringType), col("line", types.Int64Type), col("reason", types.StringType), col("record", types.StringType)}, allColumns(4)))
	wantBack := [][]any{
		{"in/x.csv", int64(3), `column "id" (field 1): "x" is not an int64`, "x,\"b,\"\"o\"\"\nb\""},
		{"in/x.csv", int64(6), "the row has 1 fields but the header has 2", "4"},
	}
	if diff := cmp.Diff(wantBack, back.Rows); diff != "" || back.Err != "" {
		t.Errorf("quarantine read back (-want +got):\n%s%s", diff, back.Err)
	}
}

// TestScanMorselsWithQuotedLineBreaks splits a file full of quoted line
// breaks, quotes and delimiters into many morsels and checks that every
// size gives the same rows and the same line numbers, read in order or in
// parallel.
func TestScanMorselsWithQuotedLineBreaks(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,text,n\n")
	var want [][]any
	texts := []string{"plain", "a,b", "say \"hi\"", "two\nlines", "\"\n\"", "", "x\r\ny", ",\n,\n,", "\"\"\"\"", "end\n"}
	for i := range 3000 {
		s := texts[i%len(texts)]
		if i%7 == 0 {
			b.WriteString("\n") // a blank line
		}
		fmt.Fprintf(&b, "%d,%s,%d\n", i, string(appendField(nil, []byte(s))), i%5)
		want = append(want, []any{int64(i), s, int64(i % 5)})
	}
	b.WriteString("bad,row,here\n")
	data := b.String()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": data})
	schema := types.Schema{col("id", types.Int64Type), col("text", types.StringType), col("n", types.Int64Type)}
	wantLine := int64(strings.Count(data, "\n"))
	for _, mb := range []int{1, 3, 17, 100, 999, 4096, 1 << 20} {
		req := scanRequest("x.csv", header, schema, allColumns(3))
		got := scanAll(t, Scanner{Dir: dir, MorselBytes: mb}, req)
		if wantErr := fmt.Sprintf(`x.csv:%d: column "id" (field 1): "bad" is not an int64`, wantLine); got.Err != wantErr {
			t.Errorf("morsel %d: error %q, want %q", mb, got.Err, wantErr)
		}
		req.Source.CSV.OnError = "skip"
		got = scanAll(t, Scanner{Dir: dir, MorselBytes: mb}, req)
		if diff := cmp.Diff(want, got.Rows); diff != "" {
			t.Errorf("morsel %d: rows (-want +got):\n%s", mb, diff)
		}
		wantRejects := []reject{{"x.csv", wantLine, "bad,row,here", `column "id" (field 1): "bad" is not an int64`}}
		if diff := cmp.Diff(wantRejects, got.Rejects); diff != "" {
			t.Errorf("morsel %d: rejects (-want +got):\n%s", mb, diff)
		}
		rows, err := scanParallel(t, Scanner{Dir: dir, MorselBytes: mb}, req, 4)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, rows); diff != "" {
			t.Errorf("morsel %d in parallel: rows (-want +got):\n%s", mb, diff)
		}
	}
}

// TestScanParallel reads morsels of several files from several goroutines
// at once (run it with -race), rejects included.
func TestScanParallel(t *testing.T) {
	dir := t.TempDir()
	var want [][]any
	files := map[string]string{}
	rejected := 0
	for f := range 3 {
		var b strings.Builder
		b.WriteString("n,s,d\n")
		for i := range 4000 {
			k := f*4000 + i
			if i%500 == 0 {
				fmt.Fprintf(&b, "x%d,bad,2024-01-01\n", k)
				rejected++
			}
			fmt.Fprintf(&b, "%d,\"s,%d\",2024-01-%02d\n", k, k, k%28+1)
			want = append(want, []any{int64(k), fmt.Sprintf("s,%d", k), date(fmt.Sprintf("2024-01-%02d", k%28+1))})
		}
		files[fmt.Sprintf("d/%d.csv", f)] = b.String()
	}
	writeFiles(t, dir, files)
	schema := types.Schema{col("n", types.Int64Type), col("s", types.StringType), col("d", types.DateType)}
	rej := &memRejects{}
	req := scanRequest("d", ir.CSVOptions{Header: true, OnError: "quarantine"}, schema, allColumns(3))
	req.Rejects = rej
	req.BatchSize = 300
	s := Scanner{Dir: dir, MorselBytes: 2000}
	sc, err := s.Open(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Morsels() < 50 {
		t.Fatalf("only %d morsels", sc.Morsels())
	}
	sc.Close()
	rows, err := scanParallel(t, s, req, 8)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if len(rej.rows) != rejected {
		t.Errorf("%d rejects, want %d", len(rej.rows), rejected)
	}
}

// TestScanAfterError reads the morsels after a failed one: a reader that
// failed goes back to the pool and must start clean.
func TestScanAfterError(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": "a\n1\n2\nx\n3\n4\n5\n6\n"})
	sc, err := Scanner{Dir: dir, MorselBytes: 4}.Open(context.Background(), scanRequest("x.csv", header, types.Schema{col("a", types.Int64Type)}, []int{0}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	var got []int64
	var errs []string
	for m := range sc.Morsels() {
		err := sc.Read(context.Background(), m, func(b *vector.Batch) error {
			got = append(got, b.Cols[0].I64[:b.Len]...)
			return nil
		})
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	// 3 is in the morsel that failed: it is not emitted.
	if diff := cmp.Diff([]int64{1, 2, 4, 5, 6}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`x.csv:4: column "a" (field 1): "x" is not an int64`}, errs); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestScanCancelled(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": "a\n1\n"})
	sc, err := Scanner{Dir: dir}.Open(context.Background(), scanRequest("x.csv", header, types.Schema{col("a", types.Int64Type)}, []int{0}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sc.Read(ctx, 0, func(*vector.Batch) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v", err)
	}
}

func TestScanEmitError(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": "a\n1\n"})
	sc, err := Scanner{Dir: dir}.Open(context.Background(), scanRequest("x.csv", header, types.Schema{col("a", types.Int64Type)}, []int{0}))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	stop := errors.New("stop")
	if err := sc.Read(context.Background(), 0, func(*vector.Batch) error { return stop }); err != stop {
		t.Errorf("error %v", err)
	}
}

func TestScanVectorStorage(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": "a,b\n1.5,2.25\n"})
	schema := types.Schema{col("a", types.DecimalType(18, 1)), col("b", types.DecimalType(19, 2))}
	sc, err := Scanner{Dir: dir}.Open(context.Background(), scanRequest("x.csv", header, schema, allColumns(2)))
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	err = sc.Read(context.Background(), 0, func(b *vector.Batch) error {
		if b.Cols[0].Phys != vector.PhysInt64 || b.Cols[0].I64[0] != 15 {
			t.Errorf("decimal(18,1): %+v", b.Cols[0])
		}
		if b.Cols[1].Phys != vector.PhysInt128 || b.Cols[1].I128[0] != decimal.FromInt64(225) {
			t.Errorf("decimal(19,2): %+v", b.Cols[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestScanAcceptsInferredTypes reads files with the schema that inference
// gives them: the scan must accept every value.
func TestScanAcceptsInferredTypes(t *testing.T) {
	files := map[string]string{
		"x.csv": "b,i,f,d,t,s\n" +
			"TRUE,-1,1e3,2024-02-29,2024-01-31T10:00:00,x\n" +
			"false,+2,.5,0001-01-01,2024-01-31 10:00:00.1234567,\"y\"\n" +
			"tRuE,007,5.,9999-12-31,2024-02-01,\n" +
			"NA,NA,1E-7,NA,2024-01-31T10:00:00,5-01:00\n" +
			",,-0,,2024-01-31T1:00:00Z,NA\n" +
			"False,9223372036854775807,123456789012345678901234567890,2000-01-01,2024-01-31T10:00:00,3-01:00\n",
	}
	dir := t.TempDir()
	writeFiles(t, dir, files)
	opts := ir.CSVOptions{Header: true, NullValue: "NA"}
	res, err := SchemaReader{Dir: dir}.ReadSchema(context.Background(), &ir.Source{Kind: ir.SourceCSV, Path: "x.csv", CSV: opts})
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []types.Type{types.BoolType, types.Int64Type, types.Float64Type, types.DateType, types.TimestampType, types.StringType}
	for i, c := range res.Columns {
		if c.Type != wantTypes[i] {
			t.Fatalf("column %s inferred as %s", c.Name, c.Type)
		}
	}
	for _, mb := range morselSizes {
		got := scanAll(t, Scanner{Dir: dir, MorselBytes: mb}, scanRequest("x.csv", opts, res.Columns, allColumns(len(res.Columns))))
		if got.Err != "" || len(got.Rows) != 6 {
			t.Fatalf("%d rows, error %s", len(got.Rows), got.Err)
		}
		if got.Rows[4][4] != ts("2024-01-31T01:00:00Z") {
			t.Errorf("one-digit hour: %v", got.Rows[4][4])
		}
	}
}

var _ dataio.RejectSink = (*memRejects)(nil)
