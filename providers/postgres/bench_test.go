package postgres

import (
	"context"
	"testing"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

// BenchmarkScan1M scans a million rows of five typed columns (int8,
// numeric(12,2), text, timestamptz, bool; a tenth of the texts null)
// end to end: server, wire and decoding into vectors.
func BenchmarkScan1M(b *testing.B) {
	const rows = 1_000_000
	s := pgtest.New(b)
	s.Exec(b, `CREATE TABLE bench (id int8 NOT NULL, amount numeric(12,2), name text, at timestamptz, flag bool)`)
	s.Exec(b, `INSERT INTO bench SELECT g, g * 0.01, CASE WHEN g % 10 = 0 THEN NULL ELSE 'customer ' || g END,
		timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', g % 2 = 0
		FROM generate_series(1, 1000000) g`)
	// Set the hint bits and the statistics, so that every run reads alike.
	s.Exec(b, `VACUUM ANALYZE bench`)
	src := tableSource("bench")
	schema := readSchema(b, s, src)
	req := dataio.ScanRequest{Source: src, Schema: schema, Columns: all(schema)}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		sc, err := Scanner{Getenv: envOf(s.DSN)}.Open(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := sc.Read(ctx, 0, func(bt *vector.Batch) error { n += bt.Len; return nil }); err != nil {
			b.Fatal(err)
		}
		sc.Close()
		if n != rows {
			b.Fatalf("read %d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
