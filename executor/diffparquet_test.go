package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/parquet"
)

// TestDifferentialParquetRoundTrip writes the executor's output of a few
// queries (every column type, dictionary strings, extremes, NaN and -0,
// nulls, masks) through the Parquet sink, in small row groups, reads the
// files back with the Parquet scanner and compares them with the
// reference: it checks the sink and the scan end to end.
func TestDifferentialParquetRoundTrip(t *testing.T) {
	names := []string{
		"sort_every_type", "strings_s", "arith_decimals", "cast_text_and_time", "arith_float_specials",
		"agg_group_string", "join_full", "union_all_reorder_widen", "contract_mask_hash", "contract_mask_last4", "contract_widening",
		"extremes_sort", "distinct_floats", "date_functions", "agg_empty_input_global",
	}
	byName := map[string]diffQuery{}
	for _, q := range diffQueries {
		byName[q.name] = q
	}
	configs := []diffConfig{{4, 100, 13, encDict}, {2, 65536, 10000, encSharedDict}}
	for _, name := range names {
		q, ok := byName[name]
		if !ok {
			t.Fatalf("no query %s", name)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := compileDiff(t, q.hcl)
			p := res.Products["q"]
			if q.mutate != nil {
				q.mutate(t, p)
			}
			want := runReference(res, p, referenceTables(t, res, p))
			if want.err != nil {
				t.Fatalf("the reference failed: %v", want.err)
			}
			for _, c := range configs {
				t.Run(c.String(), func(t *testing.T) {
					got := parquetRoundTrip(t, res, p, c)
					if d := diffRowLists(p.Output.Schema.Names(), want.rows, got, q.approx); d != "" {
						t.Errorf("rows read back differ from the reference:\n%s", d)
					}
				})
			}
		})
	}
}

// parquetRoundTrip runs p in configuration c into Parquet files in a new
// folder (row groups of 64 rows) and reads them back in order.
func parquetRoundTrip(t *testing.T, res *compile.Result, p *ir.Product, c diffConfig) []reference.Row {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	plan, err := Compile(p, diffOptions(res, c))
	if err != nil {
		t.Fatal(err)
	}
	w, err := parquet.Sinker{}.Create(ctx, dataio.SinkRequest{Output: p.Output, Schema: p.Output.Schema, Dir: dir, RowGroupSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plan.Run(ctx, w); err != nil {
		w.Abort()
		t.Fatalf("run: %v", err)
	}
	files, err := w.Close(ctx)
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("no file written")
	}
	cols := make([]int, len(p.Output.Schema))
	for i := range cols {
		cols[i] = i
	}
	sc, err := parquet.Scanner{Dir: dir}.Open(ctx, dataio.ScanRequest{
		Source:    &ir.Source{Kind: ir.SourceParquet, Name: p.Name, Path: "."},
		Schema:    p.Output.Schema,
		Columns:   cols,
		BatchSize: 50,
	})
	if err != nil {
		t.Fatalf("open what was written: %v", err)
	}
	defer sc.Close()
	var rows []reference.Row
	for m := range sc.Morsels() {
		err := sc.Read(ctx, m, func(b *vector.Batch) error {
			rows = append(rows, fromBatch(b)...)
			return nil
		})
		if err != nil {
			t.Fatalf("read morsel %d: %v", m, err)
		}
	}
	return rows
}

// TestDifferentialParquetSources writes the Parquet sources (t, big,
// bigdim, edge, t_one) as Parquet files of 50-row row groups and runs
// filters the scanner can push down: row groups are skipped by their
// statistics, which must never drop a row the filter keeps (NaN above
// every number, -0 equal to 0, nulls, extremes, strings). CSV sources
// still come from memScanner.
func TestDifferentialParquetSources(t *testing.T) {
	dir := writeParquetSources(t)
	configs := []diffConfig{{1, 65536, 13, encFlat}, {4, 7, 13, encSharedDict}}
	var skipped, ran atomic.Int64
	t.Cleanup(func() {
		if !t.Failed() && ran.Load() > 0 && skipped.Load() == 0 {
			t.Errorf("no row group was skipped: the predicates did not reach the Parquet scan")
		}
	})
	for _, q := range pushdownQueries {
		t.Run(q.name, func(t *testing.T) {
			t.Parallel()
			res := compileDiff(t, q.hcl)
			p := res.Products["q"]
			want := runReference(res, p, referenceTables(t, res, p))
			if want.err != nil {
				t.Fatalf("the reference failed: %v", want.err)
			}
			for _, c := range configs {
				t.Run(c.String(), func(t *testing.T) {
					opts := diffOptions(res, c)
					opts.Scanners[ir.SourceParquet] = parquet.Scanner{Dir: dir}
					got := runWithOptions(p, opts)
					ran.Add(1)
					compareResults(t, q, p.Output.Root.Schema().Names(), want, got)
					for _, st := range got.stats {
						if n, ok := skippedMorsels(st.Extra); ok {
							skipped.Add(n)
							if testing.Verbose() {
								t.Logf("%s: %s", st.Label, st.Extra)
							}
						}
					}
				})
			}
		})
	}
}

// skippedMorsels reads "N of M morsels skipped by statistics" from a
// scan's explain --analyze line.
func skippedMorsels(extra string) (int64, bool) {
	_, after, ok := strings.Cut(extra, ", ")
	for ok {
		var n, of int64
		if k, _ := fmt.Sscanf(after, "%d of %d morsels skipped", &n, &of); k == 2 {
			return n, true
		}
		_, after, ok = strings.Cut(after, ", ")
	}
	return 0, false
}

// pushdownQueries filter Parquet sources with conjuncts a scan can use.
var pushdownQueries = []diffQuery{
	{name: "fx_above", hcl: onT(`
    filter { where = fx > 5000 }
    select { columns = [id, fx] }`)},
	{name: "fx_below", hcl: onT(`
    filter { where = fx < -5000 }
    select { columns = [id, fx] }`)},
	{name: "fx_zero", hcl: onT(`
    filter { where = fx == 0 }
    select { columns = [id, fx] }`)},
	{name: "fx_at_least_huge", hcl: onT(`
    filter { where = 1e308 <= fx }
    select { columns = [id, fx] }`)},
	{name: "f_not_positive", hcl: onT(`
    filter { where = f <= 0 && f >= 0 }
    select { columns = [id, f] }`)},
	{name: "strings_high", hcl: onT(`
    filter { where = s > "zz" || g == "日本" }
    select { columns = [id, s, g] }`)},
	{name: "strings_equal", hcl: onT(`
    filter { where = s == "straße" }
    select { columns = [id, s] }`)},
	{name: "decimal_wide", hcl: onT(`
    filter { where = d4 > 9990000000000 }
    select { columns = [id, d4] }`)},
	{name: "decimal_narrow", hcl: onT(`
    filter { where = d2 < -9990000 }
    select { columns = [id, d2] }`)},
	{name: "date_early", hcl: onT(`
    filter { where = dt < "1901-01-01" }
    select { columns = [id, dt] }`)},
	{name: "timestamp_late", hcl: onT(`
    filter { where = ts >= "2099-06-01T00:00:00Z" }
    select { columns = [id, ts] }`)},
	{name: "int64_max", hcl: onT(`
    filter { where = x64 == 9223372036854775807 }
    select { columns = [id, x64] }`)},
	{name: "not_null_and_bool", hcl: onT(`
    filter { where = k != null && b == true && i32 >= 990 }
    select { columns = [id, k, b, i32] }`)},
	{name: "big_id_range", large: true, hcl: on("big", `
    filter { where = id > 19000 && id <= 19400 }`)},
	{name: "big_amount_and_date", large: true, hcl: on("big", `
    filter { where = amount > 8990000 && dt >= "2024-01-01" }`)},
	{name: "edge_extremes", hcl: on("edge", `
    filter { where = x > 9223372036854775806 || f > 1e308 || d38 < -1 || dt > "9000-01-01" }`)},
	{name: "edge_float_nan", hcl: on("edge", `
    filter { where = f > 1 }`)},
	{name: "one_row", hcl: on("t_one", `
    filter { where = id > 0 }`)},
	{name: "joined_and_aggregated", hcl: `
product "q" {
  domain = domain.d
  input "big" { from = source.big }
  input "bigdim" { from = source.bigdim }
  transform "x" {
    from = input.big
    filter { where = id <= 3000 }
    join {
      with = input.bigdim
      type = "inner"
      on   = big.hk == bigdim.hk
    }
    aggregate {
      group_by = [cat]
      columns = {
        n = count()
        r = max(rank)
      }
    }
  }
  output { path = "lake/q/" }
}
`},
}

// writeParquetSources writes every non-empty Parquet source, as its
// declared path (a folder) under a new directory, and returns the
// directory.
func writeParquetSources(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	srcs, tables := diffData()
	for _, s := range srcs {
		if s.kind != "parquet" || len(s.rows) == 0 {
			continue
		}
		schema := make(types.Schema, len(s.cols))
		cols := make([]int, len(s.cols))
		for i, c := range s.cols {
			typ, err := types.Parse(c.typ)
			if err != nil {
				t.Fatal(err)
			}
			schema[i] = types.Column{Name: c.name, Type: typ, Nullable: c.nullable}
			cols[i] = i
		}
		out := filepath.Join(dir, "data", s.name+".parquet")
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		w, err := parquet.Sinker{}.Create(ctx, dataio.SinkRequest{Schema: schema, Dir: out, RowGroupSize: 50})
		if err != nil {
			t.Fatal(err)
		}
		sc, err := memScanner{tables: tables, morselRows: 1000}.Open(ctx, dataio.ScanRequest{
			Source: &ir.Source{Name: s.name}, Schema: schema, Columns: cols, BatchSize: 333})
		if err != nil {
			t.Fatal(err)
		}
		for m := range sc.Morsels() {
			if err := sc.Read(ctx, m, func(b *vector.Batch) error { return w.Write(ctx, b) }); err != nil {
				t.Fatalf("write %s: %v", s.name, err)
			}
		}
		if _, err := w.Close(ctx); err != nil {
			t.Fatalf("write %s: %v", s.name, err)
		}
	}
	return dir
}
