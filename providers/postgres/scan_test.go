package postgres

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

// generatedRows is the size of the generated table: several batches of
// dataio.DefaultBatchSize rows, the last one partial.
const generatedRows = 200_000

// createEveryType creates every_type with generatedRows rows computed from
// their id g (see expectedRow), plus the edge cases of edgeRows.
func createEveryType(t testing.TB, s *pgtest.Schema) {
	t.Helper()
	s.Exec(t, `CREATE TABLE every_type (
		id int8 NOT NULL, i2 smallint, i4 integer, i8 bigint,
		n numeric(12,2), nw numeric(30,5), nu numeric,
		r real, d double precision,
		t text, vc varchar(20), c char(5), nm name,
		b boolean, dt date, ts timestamp, tz timestamptz,
		nn int4 NOT NULL
	)`)
	s.Exec(t, fmt.Sprintf(`INSERT INTO every_type SELECT g,
		CASE WHEN g %% 7 = 0 THEN NULL ELSE (g %% 30000 - 15000)::int2 END,
		CASE WHEN g %% 11 = 0 THEN NULL ELSE g * 1000 - 100000000 END,
		CASE WHEN g %% 13 = 0 THEN NULL ELSE g::int8 * 1000000007 END,
		CASE WHEN g %% 5 = 0 THEN NULL ELSE (g * 7 - 500000)::numeric / 100 END,
		CASE WHEN g %% 17 = 0 THEN NULL ELSE g::numeric * 1e19 + 0.12345 END,
		CASE WHEN g %% 19 = 0 THEN NULL ELSE g / 3.0 END,
		CASE WHEN g %% 23 = 0 THEN NULL ELSE (g / 4.0)::real END,
		CASE WHEN g %% 29 = 0 THEN NULL ELSE g * 1.5::float8 + 0.1::float8 END,
		CASE WHEN g %% 3 = 0 THEN NULL ELSE 'é row ' || g END,
		CASE WHEN g %% 31 = 0 THEN NULL ELSE left(md5(g::text), 20) END,
		CASE WHEN g %% 37 = 0 THEN NULL ELSE (g %% 1000)::text END,
		CASE WHEN g %% 41 = 0 THEN NULL ELSE 'n' || g END,
		CASE WHEN g %% 43 = 0 THEN NULL ELSE g %% 2 = 0 END,
		CASE WHEN g %% 47 = 0 THEN NULL ELSE date '2000-01-01' + (g - 100000) END,
		CASE WHEN g %% 53 = 0 THEN NULL ELSE timestamp '2000-01-01' + g * interval '1.000001 second' END,
		CASE WHEN g %% 59 = 0 THEN NULL ELSE timestamptz '1970-01-01 00:00:00+00' + (g * 3600000000::int8 + 500) * interval '1 microsecond' END,
		g
	FROM generate_series(1, %d) g`, generatedRows))
	for _, e := range edgeRows {
		s.Exec(t, "INSERT INTO every_type VALUES ("+e.sql+")")
	}
}

// edgeRow is a row of extreme values and the cells it must read as.
type edgeRow struct {
	sql  string
	want []any
}

func micros(t time.Time) any { return t.UnixMicro() }
func days(y int, m time.Month, d int) any {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

var edgeRows = []edgeRow{
	{
		sql: `1000001, 32767, 2147483647, 9223372036854775807, 9999999999.99, 9999999999999999999999999.99999, 12345678901234567890123456789.123456789,
			'Infinity', 'NaN', '', '', '', '', true, '9999-12-31', '1969-12-31 23:59:59.999999', '2024-06-01 12:00:00.123456+02', 0`,
		want: []any{int64(1000001), int64(32767), int64(2147483647), int64(math.MaxInt64), "9999999999.99", "9999999999999999999999999.99999",
			"12345678901234567890123456789.123456789", f64(math.Inf(1)), f64(math.NaN()), "", "", "     ", "", true,
			days(9999, 12, 31), int64(-1), micros(time.Date(2024, 6, 1, 10, 0, 0, 123456000, time.UTC)), int64(0)},
	},
	{
		sql: `1000002, -32768, -2147483648, -9223372036854775808, -9999999999.99, -9999999999999999999999999.99999, -0.0000000005,
			'-Infinity', '-0', 'tab	and ''quote''', NULL, NULL, NULL, false, '1900-02-28', '1900-01-01 00:00:00', '0001-01-01 00:00:00+00', -1`,
		want: []any{int64(1000002), int64(-32768), int64(-2147483648), int64(math.MinInt64), "-9999999999.99", "-9999999999999999999999999.99999",
			"-0.000000001", f64(math.Inf(-1)), f64(math.Copysign(0, -1)), "tab\tand 'quote'", nil, nil, nil, false,
			days(1900, 2, 28), micros(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)), micros(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)), int64(-1)},
	},
	{
		// Rounding of the unconstrained numeric at 9 digits, half away
		// from zero, and values PostgreSQL stores with many digits.
		sql: `1000003, 0, 0, 0, 0, 0, 0.0000000004999, 0, 0, 'x', 'x', 'x', 'x', NULL, '1970-01-01', '1970-01-01', '1970-01-01 00:00:00+00', 0`,
		want: []any{int64(1000003), int64(0), int64(0), int64(0), "0.00", "0.00000", "0.000000000", f64(0), f64(0), "x", "x", "x    ", "x", nil,
			int64(0), int64(0), int64(0), int64(0)},
	},
	{
		sql: `1000004, 1, 1, 1, 0.01, 0.00001, 1e28, 1.5, 1e308, 'x', 'x', 'x', 'x', NULL, '1970-01-02', '1970-01-01 00:00:00.000001', '1970-01-01 00:00:00.000001+00', 0`,
		want: []any{int64(1000004), int64(1), int64(1), int64(1), "0.01", "0.00001", "10000000000000000000000000000.000000000", f64(1.5), f64(1e308), "x", "x", "x    ", "x", nil,
			int64(1), int64(1), int64(1), int64(0)},
	},
}

// expectedRow computes generated row g as createEveryType's INSERT does.
func expectedRow(g int64) []any {
	nullIf := func(mod int64, v any) any {
		if g%mod == 0 {
			return nil
		}
		return v
	}
	nw := new(big.Int).Mul(big.NewInt(g), new(big.Int).Exp(big.NewInt(10), big.NewInt(24), nil))
	nw.Add(nw, big.NewInt(12345))
	// g/3 at 9 digits, rounded half away from zero (never a tie).
	third := (g*1_000_000_000*2 + 3) / 6
	md := md5.Sum([]byte(itoa(g)))
	return []any{
		g,
		nullIf(7, g%30000-15000),
		nullIf(11, g*1000-100000000),
		nullIf(13, g*1000000007),
		nullIf(5, fmtScaled(big.NewInt(g*7-500000), 2)),
		nullIf(17, fmtScaled(nw, 5)),
		nullIf(19, fmtScaled(big.NewInt(third), 9)),
		nullIf(23, f64(float64(float32(float64(g)/4)))),
		nullIf(29, f64(float64(float64(g)*1.5)+0.1)), // no fused multiply-add
		nullIf(3, "é row "+itoa(g)),
		nullIf(31, hex.EncodeToString(md[:])[:20]),
		nullIf(37, fmt.Sprintf("%-5d", g%1000)),
		nullIf(41, "n"+itoa(g)),
		nullIf(43, g%2 == 0),
		nullIf(47, int64(10957+g-100000)),
		nullIf(53, int64(946684800_000000+g*1000001)),
		nullIf(59, g*3600000000+500),
		g,
	}
}

// fmtScaled prints an unscaled decimal.
func fmtScaled(x *big.Int, scale int) string { return ir.FormatDecimal(x, scale) }

func TestScanEveryType(t *testing.T) {
	s := pgtest.New(t)
	createEveryType(t, s)
	src := tableSource("every_type")
	schema := readSchema(t, s, src)
	var batches []int
	sc, err := Scanner{Getenv: envOf(s.DSN)}.Open(context.Background(), dataio.ScanRequest{Source: src, Schema: schema, Columns: all(schema)})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	if sc.Morsels() != 1 {
		t.Fatalf("Morsels = %d, want 1", sc.Morsels())
	}
	seen := map[int64]bool{}
	edges := map[int64][]any{}
	for _, e := range edgeRows {
		edges[e.want[0].(int64)] = e.want
	}
	mismatches := 0
	err = sc.Read(context.Background(), 0, func(b *vector.Batch) error {
		checkBatch(t, b, len(schema))
		batches = append(batches, b.Len)
		for i := range b.Len {
			got := make([]any, len(b.Cols))
			for j, v := range b.Cols {
				got[j] = cell(v, i)
			}
			id := got[0].(int64)
			seen[id] = true
			want, ok := edges[id]
			if !ok {
				want = expectedRow(id)
			}
			if !sameRow(want, got) && mismatches < 5 {
				mismatches++
				t.Errorf("row id %d (-want +got):\n%s", id, cmp.Diff(want, got))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != generatedRows+len(edgeRows) {
		t.Errorf("read %d distinct rows, want %d", len(seen), generatedRows+len(edgeRows))
	}
	wantBatches := []int{65536, 65536, 65536, generatedRows + len(edgeRows) - 3*65536}
	if diff := cmp.Diff(wantBatches, batches); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if st := sc.Stats(); st.Rows != int64(generatedRows+len(edgeRows)) || st.Bytes < st.Rows*8 {
		t.Errorf("stats = %+v", st)
	}
}

func TestScanConversions(t *testing.T) {
	s := pgtest.New(t)
	s.Exec(t, `CREATE TABLE conv (i2 int2, i4 int4, i8 int8, n numeric(10,4), nu numeric, f4 real, dt date, c char(3))`)
	s.Exec(t, `INSERT INTO conv VALUES (-2, 40000, 3000000000, 1.2345, 2.5, 0.5, '2024-02-29', 'ab'), (NULL, NULL, 5, -1.2355, NULL, NULL, NULL, NULL)`)
	src := tableSource("conv")
	col := func(name string, t types.Type) types.Column { return types.Column{Name: name, Type: t, Nullable: true} }
	// Declared types that every value converts to, and values checked one
	// by one.
	schema := types.Schema{
		col("i2", types.Int64Type), col("i4", types.DecimalType(9, 2)), col("i8", types.Float64Type),
		col("n", types.DecimalType(5, 2)), col("nu", types.Float64Type), col("f4", types.Float64Type),
		col("dt", types.TimestampType), col("c", types.StringType), col("i2", types.DecimalType(20, 18)),
	}
	got, _ := scanAll(t, Scanner{Getenv: envOf(s.DSN)}, dataio.ScanRequest{Source: src, Schema: schema, Columns: all(schema)})
	want := [][]any{
		{int64(-2), "40000.00", f64(3e9), "1.23", f64(2.5), f64(0.5), micros(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)), "ab ", "-2.000000000000000000"},
		{nil, nil, f64(5), "-1.24", nil, nil, nil, nil, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name string
		col  types.Column
		want string
	}{
		{"int8 overflowing int32", col("i8", types.Int32Type), `table "` + s.Name + `.conv", row 1: column "i8": 3000000000 does not fit in int32`},
		{"decimal overflow", col("i4", types.DecimalType(6, 2)), `row 1: column "i4": 40000 does not fit in decimal(6,2)`},
		{"numeric overflow", col("n", types.DecimalType(4, 4)), `row 1: column "n": 1.2345 does not fit in decimal(4,4)`},
		{"null in a not null column", types.Column{Name: "i2", Type: types.Int32Type}, `row 2: column "i2": the value is null, but the column is declared not null`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			schema := types.Schema{tc.col}
			sc, err := Scanner{Getenv: envOf(s.DSN)}.Open(context.Background(), dataio.ScanRequest{Source: src, Schema: schema, Columns: []int{0}})
			if err != nil {
				t.Fatal(err)
			}
			defer sc.Close()
			err = sc.Read(context.Background(), 0, func(*vector.Batch) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %s", err, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name string
		col  types.Column
		want string
	}{
		{"no conversion", col("c", types.Int64Type), `column "c" has type character(3), which does not convert to int64`},
		{"narrowing date", col("dt", types.DateType), ""},
		{"missing column", col("nope", types.Int64Type), `table "` + s.Name + `.conv" has no column "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, err := Scanner{Getenv: envOf(s.DSN)}.Open(context.Background(), dataio.ScanRequest{Source: src, Schema: types.Schema{tc.col}, Columns: []int{0}})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				sc.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %s", err, tc.want)
			}
		})
	}
}

func TestScanPushdown(t *testing.T) {
	s := pgtest.New(t)
	// A linguistic collation orders 'a7' before 'B2', bytes the other way.
	collation := "C"
	_ = s.Conn.QueryRow(context.Background(), `SELECT collname FROM pg_collation WHERE collname IN ('en-x-icu', 'en_US.utf8', 'en_US') ORDER BY collname LIMIT 1`).Scan(&collation)
	s.Exec(t, `CREATE TABLE p (id int8 NOT NULL, name text COLLATE "`+collation+`", amount numeric(10,2), loose numeric, code char(3), at timestamptz, local timestamp, d date, ok bool, score float8, small int4)`)
	s.Exec(t, `INSERT INTO p SELECT g, CASE WHEN g % 2 = 0 THEN 'B' || g ELSE 'a' || g END, g * 1.25, g / 4.0, (g % 3)::text,
		timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', timestamp '2024-01-01' + g * interval '1 hour',
		date '2024-01-01' + g, g % 2 = 0, g * 0.5, CASE WHEN g % 10 = 0 THEN NULL ELSE g END
		FROM generate_series(1, 100) g`)
	src := tableSource("p")
	schema := readSchema(t, s, src)
	idx := func(name string) int { return schema.Index(name) }
	val := func(col string, v ir.Value) ir.Value { v.Type = schema[idx(col)].Type; return v }
	dec := func(col string, unscaled int64) ir.Value {
		return val(col, ir.Value{Dec: big.NewInt(unscaled)})
	}
	ts := func(s string) int64 { v, _ := ir.ParseTimestamp(s); return v }
	pred := func(col string, op ir.BinaryOp, v ir.Value) dataio.Predicate {
		return dataio.Predicate{Column: idx(col), Op: op, Value: val(col, v)}
	}
	for _, tc := range []struct {
		name  string
		preds []dataio.Predicate
		sql   string
		ids   []int64
	}{
		{"int and decimal range", []dataio.Predicate{pred("id", ir.Gt, ir.Value{Int: 90}), {Column: idx("amount"), Op: ir.Le, Value: dec("amount", 11500)}},
			`SELECT "id" FROM "` + s.Name + `"."p" AS meshctl_t WHERE "id" > $1::int8 AND "amount" <= $2::numeric`, []int64{91, 92}},
		{"string order is bytewise", []dataio.Predicate{pred("name", ir.Lt, ir.Value{Str: "B2"})},
			`SELECT "id" FROM "` + s.Name + `"."p" AS meshctl_t WHERE "name" COLLATE "C" < $1::text`, []int64{10, 12, 14, 16, 18, 100}},
		{"string equality", []dataio.Predicate{pred("name", ir.Eq, ir.Value{Str: "a7"})},
			`SELECT "id" FROM "` + s.Name + `"."p" AS meshctl_t WHERE "name" = $1::text`, []int64{7}},
		{"timestamps with and without time zone, date, bool", []dataio.Predicate{
			pred("at", ir.Ge, ir.Value{Int: ts("2024-01-03T00:00:00Z")}), pred("local", ir.Lt, ir.Value{Int: ts("2024-01-03T06:00:00Z")}),
			pred("d", ir.Ne, ir.Value{Int: 19723 + 50}), pred("ok", ir.Eq, ir.Value{Bool: true})},
			`SELECT "id" FROM "` + s.Name + `"."p" AS meshctl_t WHERE "at" >= $1::timestamptz AND "local" < $2::timestamp AND "d" <> $3::date AND "ok" = $4::bool`,
			[]int64{48, 52}},
		{"not null and float", []dataio.Predicate{{Column: idx("small"), NotNull: true}, pred("score", ir.Ge, ir.Value{Float: 48})},
			`SELECT "id" FROM "` + s.Name + `"."p" AS meshctl_t WHERE "small" IS NOT NULL AND "score" >= $1::float8`,
			[]int64{96, 97, 98, 99}},
		{"lossy columns stay in the filter", []dataio.Predicate{pred("code", ir.Eq, ir.Value{Str: "1  "}), {Column: idx("loose"), Op: ir.Gt, Value: dec("loose", 24_000_000_000)}, pred("id", ir.Eq, ir.Value{Int: 97})},
			`SELECT "id" FROM "` + s.Name + `"."p" AS meshctl_t WHERE "id" = $1::int8`, []int64{97}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := dataio.ScanRequest{Source: src, Schema: schema, Columns: []int{idx("id")}, Predicates: tc.preds}
			opened, err := Scanner{Getenv: envOf(s.DSN)}.Open(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if sql := opened.(*scan).stmt.sql; sql != tc.sql {
				t.Errorf("SQL:\n got %s\nwant %s", sql, tc.sql)
			}
			opened.Close()
			rows, _ := scanAll(t, Scanner{Getenv: envOf(s.DSN)}, req)
			var ids []int64
			for _, r := range rows {
				ids = append(ids, r[0].(int64))
			}
			if diff := cmp.Diff(tc.ids, ids); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("no columns counts on the server", func(t *testing.T) {
		req := dataio.ScanRequest{Source: src, Schema: schema, BatchSize: 30, Predicates: []dataio.Predicate{pred("id", ir.Le, ir.Value{Int: 95})}}
		opened, err := Scanner{Getenv: envOf(s.DSN)}.Open(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		defer opened.Close()
		if sql, want := opened.(*scan).stmt.sql, `SELECT count(*) FROM "`+s.Name+`"."p" AS meshctl_t WHERE "id" <= $1::int8`; sql != want {
			t.Errorf("SQL:\n got %s\nwant %s", sql, want)
		}
		var lens []int
		err = opened.Read(context.Background(), 0, func(b *vector.Batch) error {
			lens = append(lens, b.Len)
			if len(b.Cols) != 0 {
				t.Errorf("batch has %d columns", len(b.Cols))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{30, 30, 30, 5}, lens); diff != "" {
			t.Errorf("batch lengths (-want +got):\n%s", diff)
		}
	})
}

func TestScanQuerySource(t *testing.T) {
	s := pgtest.New(t)
	s.Exec(t, `CREATE TABLE orders (id int8, customer text, amount numeric(10,2))`)
	s.Exec(t, `INSERT INTO orders VALUES (1, 'ann', 10.50), (2, 'bob', 3.00), (3, 'ann', 7.25), (4, NULL, 1.00)`)
	// A trailing comment and semicolon must not break the wrapping.
	src := querySource("SELECT customer, sum(amount)::numeric(12,2) AS total, count(*) AS n\nFROM orders GROUP BY customer -- per customer\n;")
	schema := readSchema(t, s, src)
	req := dataio.ScanRequest{Source: src, Schema: schema, Columns: []int{0, 1},
		Predicates: []dataio.Predicate{{Column: 2, Op: ir.Ge, Value: ir.Value{Type: types.Int64Type, Int: 1}}, {Column: 0, NotNull: true}}}
	opened, err := Scanner{Getenv: envOf(s.DSN)}.Open(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT \"customer\", \"total\" FROM (\nSELECT customer, sum(amount)::numeric(12,2) AS total, count(*) AS n\nFROM orders GROUP BY customer -- per customer\n) AS meshctl_t WHERE \"n\" >= $1::int8 AND \"customer\" IS NOT NULL"
	if sql := opened.(*scan).stmt.sql; sql != want {
		t.Errorf("SQL:\n got %s\nwant %s", sql, want)
	}
	opened.Close()
	rows, _ := scanAll(t, Scanner{Getenv: envOf(s.DSN)}, req)
	got := map[string]any{}
	for _, r := range rows {
		got[r[0].(string)] = r[1]
	}
	if diff := cmp.Diff(map[string]any{"ann": "17.75", "bob": "3.00"}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	t.Run("a query that writes fails in the read-only transaction", func(t *testing.T) {
		s.Exec(t, `CREATE SEQUENCE seq`)
		src := querySource("SELECT nextval('seq') AS id FROM orders")
		schema := types.Schema{{Name: "id", Type: types.Int64Type, Nullable: true}}
		sc, err := Scanner{Getenv: envOf(s.DSN)}.Open(context.Background(), dataio.ScanRequest{Source: src, Schema: schema, Columns: []int{0}})
		if err == nil {
			err = sc.Read(context.Background(), 0, func(*vector.Batch) error { return nil })
			sc.Close()
		}
		if err == nil || !strings.Contains(err.Error(), "read-only transaction") {
			t.Errorf("error = %v, want one about the read-only transaction", err)
		}
		var n int
		if err := s.Conn.QueryRow(context.Background(), "SELECT nextval('seq')").Scan(&n); err != nil || n != 1 {
			t.Errorf("nextval = %d (%v), want 1: the scan advanced the sequence", n, err)
		}
	})
}

func TestScanSnapshot(t *testing.T) {
	s := pgtest.New(t)
	s.Exec(t, `CREATE TABLE events (id int8)`)
	s.Exec(t, `INSERT INTO events SELECT g FROM generate_series(1, 1000) g`)
	src := tableSource("events")
	schema := readSchema(t, s, src)
	ctx := context.Background()
	sc, err := Scanner{Getenv: envOf(s.DSN)}.Open(ctx, dataio.ScanRequest{Source: src, Schema: schema, Columns: []int{0}, BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	// Changes committed after Open, before and during the read, by
	// another session, are not seen.
	s.Exec(t, `INSERT INTO events SELECT g FROM generate_series(1001, 1100) g`)
	s.Exec(t, `DELETE FROM events WHERE id <= 10`)
	read := func() (rows int, sum int64) {
		batches := 0
		err := sc.Read(ctx, 0, func(b *vector.Batch) error {
			if batches++; batches == 2 {
				s.Exec(t, `INSERT INTO events SELECT g FROM generate_series(2001, 3000) g`)
				s.Exec(t, `UPDATE events SET id = -id`)
			}
			for _, v := range b.Cols[0].I64[:b.Len] {
				sum += v
			}
			rows += b.Len
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return rows, sum
	}
	if rows, sum := read(); rows != 1000 || sum != 500500 {
		t.Errorf("read %d rows summing to %d, want the 1000 rows of Open's snapshot summing to 500500", rows, sum)
	}
	// Reading again reads the same snapshot.
	if rows, sum := read(); rows != 1000 || sum != 500500 {
		t.Errorf("second read: %d rows summing to %d, want 1000 and 500500", rows, sum)
	}
}

func TestScanStopsEarly(t *testing.T) {
	s := pgtest.New(t)
	s.Exec(t, `CREATE TABLE big (id int8)`)
	s.Exec(t, `INSERT INTO big SELECT g FROM generate_series(1, 300000) g`)
	src := tableSource("big")
	schema := readSchema(t, s, src)
	ctx := context.Background()
	sc, err := Scanner{Getenv: envOf(s.DSN)}.Open(ctx, dataio.ScanRequest{Source: src, Schema: schema, Columns: []int{0}, BatchSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	stop := errors.New("enough")
	start := time.Now()
	err = sc.Read(ctx, 0, func(*vector.Batch) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("Read = %v, want emit's error", err)
	}
	if st := sc.Stats(); st.Rows != 1000 {
		t.Errorf("Rows = %d, want the one batch", st.Rows)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stopping took %v", d)
	}
	if err := sc.Read(ctx, 0, func(*vector.Batch) error { return nil }); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Read after a stop = %v, want an error", err)
	}

	cctx, cancel := context.WithCancel(ctx)
	sc2, err := Scanner{Getenv: envOf(s.DSN)}.Open(cctx, dataio.ScanRequest{Source: src, Schema: schema, Columns: []int{0}, BatchSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer sc2.Close()
	err = sc2.Read(cctx, 0, func(*vector.Batch) error { cancel(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context = %v, want context.Canceled", err)
	}
}
