package parquet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/objects"
	"github.com/meshctl/meshctl/providers/s3/s3test"
)

// oneStore hands the same store out for every endpoint.
type oneStore struct{ st objects.Store }

func (o oneStore) Store(context.Context, string) (objects.Store, error) { return o.st, nil }

// writeCustomers writes n customers from first on into dir, in row
// groups of rowGroup rows.
func writeCustomers(t testing.TB, dir string, seed int64, first, n, rowGroup int) []dataio.File {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := Sinker{}.Create(ctx, dataio.SinkRequest{Schema: customers, Dir: dir, RowGroupSize: rowGroup})
	if err != nil {
		t.Fatal(err)
	}
	genCustomers(seed, first, n, 4096, func(b *vector.Batch) {
		if err := w.Write(ctx, b); err != nil {
			t.Fatal(err)
		}
	})
	files, err := w.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestScanS3EqualsLocal scans prefixes of several files, partitioned or
// not, with and without predicates, from S3 and from the same files on
// disk: the rows, the batches and the statistics are the same.
func TestScanS3EqualsLocal(t *testing.T) {
	dir := t.TempDir()
	writePartitioned(t, dir)
	for i, sub := range []string{"a", "b", "c"} {
		writeCustomers(t, filepath.Join(dir, "lake", "c", sub), int64(i), 1+i*20_000, 20_000, 4_000)
	}
	srv := s3test.Start(t, "lake")
	srv.Upload(t, filepath.Join(dir, "lake"), "warehouse/")
	st, _ := srv.CountedStore()
	remote := Scanner{S3: oneStore{st}}

	i64 := func(v int64) ir.Value { return ir.Value{Type: types.Int64Type, Int: v} }
	tests := []struct {
		name, path string
		schema     types.Schema
		opts       scanOpts
	}{
		{"partitioned", "lake/t", partSchema, scanOpts{}},
		{"partitioned, some columns", "lake/t/", partSchema, scanOpts{columns: []int{0, 3, 5}}},
		{"partitioned, pruned by folder", "lake/t", partSchema, scanOpts{columns: []int{0, 2},
			predicates: []dataio.Predicate{{Column: 1, Op: ir.Eq, Value: ir.Value{Type: types.StringType, Str: "DE"}}}}},
		{"glob", "lake/t/country=D*/*/*/*.parquet", partSchema, scanOpts{}},
		{"customers", "lake/c", customers, scanOpts{batchSize: 3000}},
		{"customers, row groups pruned by statistics", "lake/c", customers, scanOpts{columns: []int{0, 3},
			predicates: []dataio.Predicate{{Column: 0, Op: ir.Gt, Value: i64(45_000)}}}},
		{"customers, no column", "lake/c/b", customers, scanOpts{columns: []int{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := scanAll(t, dir, tt.path, tt.schema, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := scanWith(t, remote, "s3://lake/warehouse/"+strings.TrimPrefix(tt.path, "lake/"), tt.schema, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(want, got, gocmp.AllowUnexported(scanResult{})); diff != "" {
				t.Errorf("S3 scan (-local +S3):\n%s", diff)
			}
			if len(want.rows) == 0 && tt.opts.columns == nil {
				t.Error("the scan read no rows")
			}
		})
	}
	// Morsels read at once, from several goroutines, share the objects.
	sc, err := remote.Open(context.Background(), dataio.ScanRequest{
		Source: &ir.Source{Kind: ir.SourceParquet, Path: "s3://lake/warehouse/c"}, Schema: customers, Columns: []int{0, 6},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids, rows atomic.Int64
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for m := w; m < sc.Morsels(); m += 4 {
				err := sc.Read(context.Background(), m, func(b *vector.Batch) error {
					for _, id := range b.Cols[0].I64[:b.Len] {
						ids.Add(id)
					}
					rows.Add(int64(b.Len))
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	sc.Close()
	if rows.Load() != 60_000 || ids.Load() != 60_000*60_001/2 {
		t.Errorf("parallel scan read %d rows, ids summing to %d", rows.Load(), ids.Load())
	}

	// The statistics prune row groups on S3 as they do locally.
	res, err := scanWith(t, remote, "s3://lake/warehouse/c", customers, tests[5].opts)
	if err != nil {
		t.Fatal(err)
	}
	// Ids 1 to 44,000 fill 11 row groups of 4,000 rows.
	if res.stats.SkippedMorsels != 11 || len(res.rows) != 16_000 {
		t.Errorf("skipped %d row groups and read %d rows; want 11 and 16000", res.stats.SkippedMorsels, len(res.rows))
	}
}

// TestScanS3ReadsOnlyTheColumnsAsked reads one column of seven from S3:
// the bytes fetched are the footer's and that column's chunks, well below
// the file's size, in one request per chunk.
func TestScanS3ReadsOnlyTheColumnsAsked(t *testing.T) {
	dir := t.TempDir()
	files := writeCustomers(t, dir, 1, 1, 200_000, 50_000)
	srv := s3test.Start(t, "lake")
	srv.Upload(t, dir, "c/")
	size := files[0].Bytes
	st, counter := srv.CountedStore()

	// The column chunks of age, as the footer gives them.
	f, err := os.Open(filepath.Join(dir, files[0].Path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := openParquet(f, size, files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	var chunks int64
	for _, g := range pf.Metadata().RowGroups {
		chunks += g.Columns[2].MetaData.TotalCompressedSize
	}
	if len(pf.Metadata().RowGroups) != 4 {
		t.Fatalf("%d row groups, want 4", len(pf.Metadata().RowGroups))
	}

	res, err := scanWith(t, Scanner{S3: oneStore{st}}, "s3://lake/c/"+files[0].Path, customers, scanOpts{columns: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.rows) != 200_000 {
		t.Fatalf("read %d rows", len(res.rows))
	}
	// A HEAD for the path, the footer (the last 64 KiB and the magic in
	// front), then one GET per row group.
	wantBytes := tailBytes + 4 + chunks
	if got := counter.Bytes.Load(); got != wantBytes {
		t.Errorf("fetched %d bytes, want %d (the footer and %d of age's chunks)", got, wantBytes, chunks)
	}
	if got := st.Stats(); got.Bytes != wantBytes || got.Requests != 1+2+4 || counter.Requests.Load() != 1+2+4 {
		t.Errorf("store stats %+v, %d HTTP requests; want %d bytes in 7 requests", got, counter.Requests.Load(), wantBytes)
	}
	if counter.Bytes.Load()*5 > size {
		t.Errorf("fetched %d bytes of a %d-byte file to read one column of seven", counter.Bytes.Load(), size)
	}

	// The schema is read from the footer alone.
	before := counter.Bytes.Load()
	sr := SchemaReader{S3: oneStore{st}}
	got, err := sr.ReadSchema(context.Background(), &ir.Source{Kind: ir.SourceParquet, Path: "s3://lake/c/"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(customers, got.Columns); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
	if read := counter.Bytes.Load() - before; read > tailBytes+4+4096 {
		t.Errorf("the schema read fetched %d bytes", read)
	}
}

// TestScanS3Published reads a published output on S3 through its
// manifest, as a product input of another product does.
func TestScanS3Published(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "t")
	oldSchema := types.Schema{col("id", types.Int64Type, false), col("old", types.StringType, true)}
	oldRows := [][]string{{"100", "x"}, {"101", "y"}}
	writeVersion(t, out, "v1", dataio.SinkRequest{Schema: oldSchema}, oldRows)
	files := writeVersion(t, out, "v2", dataio.SinkRequest{Schema: partSchema, Output: ir.Output{PartitionBy: partBy}, RowGroupSize: 2}, partRows)
	writeVersion(t, out, "v3.staging", dataio.SinkRequest{Schema: oldSchema}, oldRows)
	writeOutput(t, out, dataio.SinkRequest{Schema: oldSchema}, batchOf(t, oldSchema, oldRows))
	writeManifest(t, out, "v2", files)
	srv := s3test.Start(t, "lake")
	srv.Upload(t, out, "sales/t/")
	st, _ := srv.CountedStore()

	for _, path := range []string{"s3://lake/sales/t", "s3://lake/sales/t/", "s3://lake/sales/t/_versions/v2"} {
		res, err := scanWith(t, Scanner{S3: oneStore{st}}, path, partSchema, scanOpts{})
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(byID(partRowsRead()), byID(res.rows)); diff != "" {
			t.Errorf("rows of %s (-want +got):\n%s", path, diff)
		}
		if res.stats.Files != len(files) {
			t.Errorf("%s: read %d files, want the %d of the current version", path, res.stats.Files, len(files))
		}
	}
	want, err := readSchema(t, dir, "t")
	if err != nil {
		t.Fatal(err)
	}
	got, err := SchemaReader{S3: oneStore{st}}.ReadSchema(context.Background(), &ir.Source{Kind: ir.SourceParquet, Path: "s3://lake/sales/t"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("schema (-local +S3):\n%s", diff)
	}
}

// TestScanS3Errors names the s3:// path.
func TestScanS3Errors(t *testing.T) {
	dir := t.TempDir()
	writeCustomers(t, dir, 1, 1, 10, 10)
	srv := s3test.Start(t, "lake")
	srv.Upload(t, dir, "c/")
	if _, err := srv.Client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String("bad/x.parquet"), Body: strings.NewReader("not parquet at all")}); err != nil {
		t.Fatal(err)
	}
	st, _ := srv.CountedStore()
	for _, tt := range []struct{ path, want string }{
		{"s3://lake/nothing/", `no file or directory matches "s3://lake/nothing/" (no object's key starts with "nothing/")`},
		{"s3://other/c/", `no file or directory matches "s3://other/c/" (the bucket "other" does not exist)`},
		{"s3://lake/bad", `s3://lake/bad/x.parquet is not a Parquet file: it does not start with "PAR1"`},
	} {
		_, err := scanWith(t, Scanner{S3: oneStore{st}}, tt.path, customers, scanOpts{})
		if err == nil || err.Error() != tt.want {
			t.Errorf("scan of %s: %v\nwant %s", tt.path, err, tt.want)
		}
		_, err = SchemaReader{S3: oneStore{st}}.ReadSchema(context.Background(), &ir.Source{Kind: ir.SourceParquet, Path: tt.path})
		if err == nil || err.Error() != tt.want {
			t.Errorf("schema of %s: %v\nwant %s", tt.path, err, tt.want)
		}
	}
	// Without S3, s3:// paths are refused as before.
	if _, err := scanAll(t, dir, "s3://lake/c/", customers, scanOpts{}); err == nil || err.Error() != "reading s3:// sources is not supported yet" {
		t.Errorf("scan without S3: %v", err)
	}
}
