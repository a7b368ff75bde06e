package pgtable

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	dec "github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// allTypes has a column of every type, nullable, plus a NOT NULL key.
var allTypes = types.Schema{
	{Name: "id", Type: types.Int32Type},
	{Name: "b", Type: types.BoolType, Nullable: true},
	{Name: "i32", Type: types.Int32Type, Nullable: true},
	{Name: "i64", Type: types.Int64Type, Nullable: true},
	{Name: "f64", Type: types.Float64Type, Nullable: true},
	{Name: "d18", Type: types.DecimalType(18, 2), Nullable: true},
	{Name: "d38", Type: types.DecimalType(38, 10), Nullable: true},
	{Name: "d5", Type: types.DecimalType(5, 5), Nullable: true},
	{Name: "s", Type: types.StringType, Nullable: true},
	{Name: "day", Type: types.DateType, Nullable: true},
	{Name: "at", Type: types.TimestampType, Nullable: true},
	{Name: "Mixed Case", Type: types.StringType, Nullable: true},
}

// TestSinkRoundTrip writes every type, nulls included, in several
// batches, and reads the rows back as the server prints them.
func TestSinkRoundTrip(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", 300_000) // spans many COPY chunks
	// Cells as written and, where the server prints them otherwise, as
	// read back.
	rows := [][]string{
		{"1", "true", "0", "0", "0", "0.00", "0.0000000000", "0.00000", "", "1970-01-01", "1970-01-01 00:00:00", "a"},
		{"2", "false", "-2147483648", "-9223372036854775808", "-1.5", "-12.34", "-12345678901234567890.1234567890", "-0.00001", "héllo, \"quoted\"\nline", "1969-12-31", "1999-12-31 23:59:59.999999", "b"},
		{"3", "true", "2147483647", "9223372036854775807", "1e+300", "9999999999999999.99", "9999999999999999999999999999.9999999999", "0.99999", "tab\there", "2000-01-01", "2000-01-01 00:00:00", null},
		{"4", null, null, null, null, null, null, null, null, null, null, null},
		{"5", "false", "7", "10000", "0.1", "10000.00", "0.0000000001", "0.10000", long, "0001-01-01", "2024-02-29 12:34:56.123456", "c"},
		{"6", "true", "-1", "-10000", "-0", "-0.05", "100000000000000000000.0000000000", "0.00010", "ünï©ødé ✓", "9999-12-31", "1900-03-01 00:00:00.000001", ""},
		{"7", "true", "1", "1", "Infinity", "123456.78", "-0.0000000001", "0.00000", "x", "2024-06-01", "2262-04-11 23:47:16.854775", "d"},
		{"8", "false", "1", "1", "NaN", "-9999999999999999.99", "1.5000000000", "0.12345", "y", "1583-10-15", "0001-01-01 00:00:00", "e"},
	}
	want := make([][]string, len(rows))
	for i, r := range rows {
		want[i] = append([]string(nil), r...)
		if r[0] == "1" {
			want[i][4] = "0" // float 0 prints as 0
		}
	}
	dir := f.stageAndWrite(f.loc("everything"), allTypes, version{id: "v1", rows: rows})

	var cols []string
	for _, c := range allTypes {
		cols = append(cols, quote(c.Name)+"::text")
	}
	got := f.query("SELECT " + strings.Join(cols, ", ") + " FROM " + quoteDir(dir) + " AS t ORDER BY t.id")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows read back (-want +got):\n%s", diff)
	}

	schemaName, table, _ := strings.Cut(dir, ".")
	tcols, err := tableColumns(context.Background(), f.s.Conn, schemaName, table)
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []tableColumn{
		{"id", "integer", true}, {"b", "boolean", false}, {"i32", "integer", false}, {"i64", "bigint", false},
		{"f64", "double precision", false}, {"d18", "numeric(18,2)", false}, {"d38", "numeric(38,10)", false},
		{"d5", "numeric(5,5)", false}, {"s", "text", false}, {"day", "date", false},
		{"at", "timestamp without time zone", false}, {"Mixed Case", "text", false},
	}
	if diff := cmp.Diff(wantCols, tcols, cmp.AllowUnexported(tableColumn{})); diff != "" {
		t.Errorf("columns of the staged table (-want +got):\n%s", diff)
	}
}

// quoteDir quotes a staged table's "schema.table".
func quoteDir(dir string) string {
	s, t, _ := strings.Cut(dir, ".")
	return quote(s, t)
}

// TestSinkRandomDecimals checks the binary numeric encoding against the
// server over random values of every width and scale.
func TestSinkRandomDecimals(t *testing.T) {
	f := newFixture(t)
	r := rand.New(rand.NewPCG(1, 2))
	var schema types.Schema
	for _, ps := range [][2]int{{1, 0}, {4, 4}, {9, 3}, {18, 0}, {18, 9}, {18, 18}, {19, 4}, {30, 7}, {38, 0}, {38, 19}, {38, 38}} {
		schema = append(schema, types.Column{Name: fmt.Sprintf("d_%d_%d", ps[0], ps[1]), Type: types.DecimalType(ps[0], ps[1])})
	}
	const n = 2000
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = make([]string, len(schema))
		for j, c := range schema {
			digits := 1 + r.IntN(int(c.Type.Precision))
			var b strings.Builder
			if r.IntN(2) == 0 {
				b.WriteByte('-')
			}
			for k := range digits {
				d := r.IntN(10)
				if r.IntN(4) == 0 {
					d = 0 // runs of zeros inside and around groups
				}
				if k == 0 && digits > 1 && d == 0 {
					d = 1
				}
				b.WriteByte(byte('0' + d))
			}
			x, ok := dec.Parse([]byte(b.String()), 38, 0)
			if !ok {
				t.Fatalf("%s does not parse", b.String())
			}
			rows[i][j] = x.Format(int(c.Type.Scale))
			if rows[i][j] == "-0" || strings.HasPrefix(rows[i][j], "-0.") && strings.Trim(rows[i][j][3:], "0") == "" {
				rows[i][j] = rows[i][j][1:] // PostgreSQL has no negative zero
			}
		}
	}
	withID := append(types.Schema{{Name: "id", Type: types.Int32Type}}, schema...)
	for i := range rows {
		rows[i] = append([]string{strconv.Itoa(i)}, rows[i]...)
	}
	dir := f.stageAndWrite(f.loc("decimals"), withID, version{id: "v1", rows: rows})
	var cols []string
	for _, c := range withID {
		cols = append(cols, quote(c.Name)+"::text")
	}
	got := f.query("SELECT " + strings.Join(cols, ", ") + " FROM " + quoteDir(dir) + " AS t ORDER BY t.id")
	if diff := cmp.Diff(rows, got); diff != "" {
		t.Errorf("decimals read back (-want +got):\n%s", diff)
	}
}

// TestSinkManyRows streams more than one flush's worth of rows, dictionary
// strings included.
func TestSinkManyRows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	schema := types.Schema{{Name: "n", Type: types.Int64Type}, {Name: "kind", Type: types.StringType}}
	loc := f.loc("many")
	dir, err := f.lake.Stage(ctx, loc, "v1")
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.snk.Create(ctx, dataio.SinkRequest{Output: ir.Output{Format: "postgres", Path: loc}, Schema: schema, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	dict := vector.New(types.StringType, 3)
	dict.Reset(3)
	for i, s := range []string{"red", "green", "blue"} {
		dict.AppendString(i, []byte(s))
	}
	const batches, size = 20, 10_000
	b := vector.NewBatch(schema, size)
	for k := range batches {
		b.Reset(size)
		kinds := b.Cols[1]
		kinds.Dict = dict
		kinds.Codes = kinds.Codes[:0]
		for i := range size {
			b.Cols[0].I64[i] = int64(k*size + i)
			kinds.Codes = append(kinds.Codes, int32(i%3))
		}
		if err := w.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := f.query("SELECT count(*)::text, sum(n)::text, count(*) FILTER (WHERE kind = 'blue')::text FROM " + quoteDir(dir))
	n := batches * size
	want := [][]string{{strconv.Itoa(n), strconv.Itoa(n * (n - 1) / 2), strconv.Itoa(batches * (size / 3))}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestSinkErrors: a broken promise (a null in a NOT NULL column) fails
// the write, naming the column; Abort leaves an empty staged table that
// Discard drops; requests the sinker cannot serve are refused.
func TestSinkErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")

	t.Run("null in a NOT NULL column", func(t *testing.T) {
		dir, err := f.lake.Stage(ctx, loc, "bad")
		if err != nil {
			t.Fatal(err)
		}
		w, err := f.snk.Create(ctx, dataio.SinkRequest{Output: ir.Output{Format: "postgres", Path: loc}, Schema: ordersSchema, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(ctx, batchOf(t, ordersSchema, [][]string{{"1", "1.00"}, {null, "2.00"}}))
		if err == nil {
			_, err = w.Close(ctx)
		} else {
			w.Abort()
		}
		if err == nil || !strings.Contains(err.Error(), `"id"`) || !strings.Contains(err.Error(), "not-null") {
			t.Fatalf("err = %v, want a not-null violation of column id", err)
		}
		if got := f.one("SELECT count(*)::text FROM " + quoteDir(dir)); got != "0" {
			t.Errorf("the staged table holds %s rows after a failed COPY", got)
		}
		if err := f.lake.Discard(ctx, loc, "bad"); err != nil {
			t.Fatal(err)
		}
		if got := f.tables(); contains(got, "__meshctl_s_") {
			t.Errorf("tables after Discard: %v", got)
		}
	})

	t.Run("abort", func(t *testing.T) {
		dir, err := f.lake.Stage(ctx, loc, "aborted")
		if err != nil {
			t.Fatal(err)
		}
		w, err := f.snk.Create(ctx, dataio.SinkRequest{Output: ir.Output{Format: "postgres", Path: loc}, Schema: ordersSchema, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(ctx, batchOf(t, ordersSchema, orders(5))); err != nil {
			t.Fatal(err)
		}
		w.Abort()
		w.Abort() // twice is harmless
		if got := f.one("SELECT count(*)::text FROM " + quoteDir(dir)); got != "0" {
			t.Errorf("the staged table holds %s rows after Abort", got)
		}
	})

	for _, tc := range []struct {
		name string
		req  dataio.SinkRequest
		want string
	}{
		{"no staging table", dataio.SinkRequest{Output: ir.Output{Path: loc}, Schema: ordersSchema, Dir: f.s.Name + ".nothing_here"}, "there is no staging table " + f.s.Name + ".nothing_here"},
		{"not a table name", dataio.SinkRequest{Output: ir.Output{Path: loc}, Schema: ordersSchema, Dir: "/tmp/x"}, `"/tmp/x" does not name a staging table`},
		{"not a postgres location", dataio.SinkRequest{Output: ir.Output{Path: "lake/orders/"}, Schema: ordersSchema, Dir: "a.b"}, "must start with postgres://"},
		{"partitioned", dataio.SinkRequest{Output: ir.Output{Path: loc, PartitionBy: []string{"id"}}, Schema: ordersSchema, Dir: "a.b"}, "partition_by does not apply to postgres outputs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := f.snk.Create(ctx, tc.req)
			if err == nil {
				w.Abort()
				t.Fatal("Create succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}

	t.Run("staging table with columns", func(t *testing.T) {
		f.s.Exec(t, "CREATE TABLE "+quote(f.s.Name, "busy")+" (x int)")
		_, err := f.snk.Create(ctx, dataio.SinkRequest{Output: ir.Output{Path: loc}, Schema: ordersSchema, Dir: f.s.Name + ".busy"})
		if err == nil || !strings.Contains(err.Error(), "already has columns") {
			t.Errorf("err = %v, want a refusal of a table with columns", err)
		}
	})
}
