package csv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/internal/objects"
	"github.com/meshctl/meshctl/providers/s3/s3test"
)

// oneStore hands the same store out for every endpoint.
type oneStore struct{ st objects.Store }

func (o oneStore) Store(context.Context, string) (objects.Store, error) { return o.st, nil }

// ordersCSV is n rows of a CSV with a header, quoted fields holding
// delimiters, quotes and line breaks, and a bad row every badEvery rows
// (none when 0).
func ordersCSV(first, n, badEvery int) string {
	var b strings.Builder
	b.WriteString("id,note,amount,day\n")
	for i := first; i < first+n; i++ {
		switch {
		case badEvery > 0 && i%badEvery == 0:
			fmt.Fprintf(&b, "%d,bad,not a number,2024-01-01\n", i)
		case i%7 == 0:
			fmt.Fprintf(&b, "%d,\"line one\nline \"\"two\"\", %d\",%d.25,2024-02-%02d\n", i, i, i, 1+i%28)
		default:
			fmt.Fprintf(&b, "%d,plain %d,%d.50,2024-03-%02d\n", i, i, i, 1+i%28)
		}
	}
	return b.String()
}

var ordersSchema = types.Schema{
	notNull("id", types.Int64Type),
	col("note", types.StringType),
	col("amount", types.DecimalType(12, 2)),
	col("day", types.DateType),
}

// TestScanS3EqualsLocal reads CSV prefixes from S3 and from the same
// files on disk, in small morsels (each a ranged GET) and in parallel:
// the rows, errors, rejects and statistics are the same.
func TestScanS3EqualsLocal(t *testing.T) {
	dir := t.TempDir()
	writePartitioned(t, dir)
	for i, name := range []string{"2024/a.csv", "2024/b.csv", "2025/c.csv"} {
		p := filepath.Join(dir, "lake", "orders", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(ordersCSV(1+i*1000, 1000, 0)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bad := filepath.Join(dir, "lake", "bad", "x.csv")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	if err := os.WriteFile(bad, []byte(ordersCSV(1, 500, 97)), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := s3test.Start(t, "lake")
	srv.Upload(t, filepath.Join(dir, "lake"), "raw/")
	st, _ := srv.CountedStore()

	tests := []struct {
		name, path string
		opts       ir.CSVOptions
		schema     types.Schema
		cols       []int
	}{
		{"partitioned", "lake/t", header, partSchema, allColumns(len(partSchema))},
		{"several files", "lake/orders", header, ordersSchema, allColumns(4)},
		{"some columns", "lake/orders/", header, ordersSchema, []int{0, 2}},
		{"glob", "lake/orders/20*/*.csv", header, ordersSchema, []int{1, 3}},
		{"bad rows fail", "lake/bad", header, ordersSchema, allColumns(4)},
		{"bad rows skipped", "lake/bad", ir.CSVOptions{Header: true, OnError: "skip"}, ordersSchema, allColumns(4)},
	}
	for _, tt := range tests {
		for _, morsel := range []int{0, 1000} {
			t.Run(fmt.Sprintf("%s, morsels of %d bytes", tt.name, morsel), func(t *testing.T) {
				local := Scanner{Dir: dir, MorselBytes: morsel}
				remote := Scanner{S3: oneStore{st}, MorselBytes: morsel}
				req := scanRequest(tt.path, tt.opts, tt.schema, tt.cols)
				want := scanAll(t, local, req)
				path := "s3://lake/raw/" + strings.TrimPrefix(tt.path, "lake/")
				got := scanAll(t, remote, scanRequest(path, tt.opts, tt.schema, tt.cols))
				// Messages name the object where they name the file.
				for i := range want.Rejects {
					want.Rejects[i].File = "s3://lake/raw/" + strings.TrimPrefix(want.Rejects[i].File, "lake/")
				}
				want.Err = strings.Replace(want.Err, "lake/", "s3://lake/raw/", 1)
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("S3 scan (-local +S3):\n%s", diff)
				}
				if want.Err == "" && len(want.Rows) == 0 {
					t.Error("the scan read no rows")
				}
				rows, err := scanParallel(t, remote, scanRequest(path, tt.opts, tt.schema, tt.cols), 4)
				if want.Err == "" && (err != nil || !gocmp.Equal(want.Rows, rows)) {
					t.Errorf("parallel S3 scan: %v, rows equal: %v", err, gocmp.Equal(want.Rows, rows))
				}
			})
		}
	}
}

// TestReadSchemaS3 infers the schema of S3 prefixes as of the same files
// on disk, streaming only the start of a large file for a small sample.
func TestReadSchemaS3(t *testing.T) {
	dir := t.TempDir()
	writePartitioned(t, dir)
	p := filepath.Join(dir, "lake", "big", "x.csv")
	os.MkdirAll(filepath.Dir(p), 0o755)
	big := ordersCSV(1, 100_000, 0)
	if err := os.WriteFile(p, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := s3test.Start(t, "lake")
	srv.Upload(t, filepath.Join(dir, "lake"), "raw/")
	st, counter := srv.CountedStore()
	ctx := context.Background()
	for _, path := range []string{"lake/t", "lake/big/", "lake/big/x.csv"} {
		want, err := SchemaReader{Dir: dir, SampleRows: 100}.ReadSchema(ctx, source(path, header))
		if err != nil {
			t.Fatal(err)
		}
		before := counter.Bytes.Load()
		got, err := SchemaReader{S3: oneStore{st}, SampleRows: 100}.ReadSchema(ctx, source("s3://lake/raw/"+strings.TrimPrefix(path, "lake/"), header))
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("schema of %s (-local +S3):\n%s", path, diff)
		}
		if read := counter.Bytes.Load() - before; strings.Contains(path, "big") && read > int64(len(big))/4 {
			t.Errorf("sampling 100 rows of %s fetched %d of its %d bytes", path, read, len(big))
		}
	}
}

// TestScanS3Published reads a published CSV output on S3 through its
// manifest.
func TestScanS3Published(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "t")
	oldSchema := types.Schema{notNull("id", types.Int64Type), col("region", types.StringType)}
	oldRows := [][]any{{int64(100), "old"}}
	version := func(id string) string { return filepath.Join(out, lakeio.VersionsDir, id) }
	writeOutput(t, version("v1"), ir.Output{}, oldSchema, batchOf(t, oldSchema, oldRows))
	files := writeOutput(t, version("v2"), ir.Output{PartitionBy: partBy}, partSchema, batchOf(t, partSchema, partRows))
	m := lakeio.Manifest{FormatVersion: lakeio.ManifestFormatVersion, VersionID: "v2", Format: "csv"}
	for _, f := range files {
		m.Files = append(m.Files, lakeio.File{Path: f.Path, Rows: f.Rows, Bytes: f.Bytes})
	}
	srv := s3test.Start(t, "lake")
	srv.Upload(t, out, "sales/t/")
	data := fmt.Appendf(nil, `{"format_version":1,"version_id":"v2","format":"csv","files":[`)
	for i, f := range m.Files {
		if i > 0 {
			data = append(data, ',')
		}
		data = fmt.Appendf(data, `{"path":%q,"rows":%d,"bytes":%d}`, f.Path, f.Rows, f.Bytes)
	}
	data = append(data, "]}"...)
	if _, err := srv.Client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String("sales/t/_manifest.json"), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	st, _ := srv.CountedStore()
	got := scanAll(t, Scanner{S3: oneStore{st}}, scanRequest("s3://lake/sales/t", header, partSchema, allColumns(len(partSchema))))
	if got.Err != "" {
		t.Fatal(got.Err)
	}
	if diff := gocmp.Diff(byID(partRowsRead()), byID(got.Rows)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got.Stats.Files != len(files) {
		t.Errorf("read %d files, want the %d of the current version", got.Stats.Files, len(files))
	}
	res, err := SchemaReader{S3: oneStore{st}}.ReadSchema(context.Background(), source("s3://lake/sales/t/", header))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Columns) != len(partSchema) {
		t.Errorf("schema %v, want the %d columns of v2", res.Columns, len(partSchema))
	}
}

// TestScanS3Errors names the s3:// path.
func TestScanS3Errors(t *testing.T) {
	srv := s3test.Start(t, "lake")
	st, _ := srv.CountedStore()
	want := `no file or directory matches "s3://lake/nothing/" (no object's key starts with "nothing/")`
	got := scanAll(t, Scanner{S3: oneStore{st}}, scanRequest("s3://lake/nothing/", header, ordersSchema, allColumns(4)))
	if got.Err != want {
		t.Errorf("scan: %s\nwant  %s", got.Err, want)
	}
	if _, err := (SchemaReader{S3: oneStore{st}}).ReadSchema(context.Background(), source("s3://lake/nothing/", header)); err == nil || err.Error() != want {
		t.Errorf("schema: %v\nwant    %s", err, want)
	}
}
