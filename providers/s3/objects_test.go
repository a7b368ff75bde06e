package s3_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/internal/objects"
	"github.com/meshctl/meshctl/providers/s3"
	"github.com/meshctl/meshctl/providers/s3/s3test"
)

// putObjects uploads objects whose content is their key, unless given.
func putObjects(t *testing.T, srv *s3test.Server, keys []string, content map[string][]byte) {
	t.Helper()
	for _, k := range keys {
		body, ok := content[k]
		if !ok {
			body = []byte(k)
		}
		if _, err := srv.Client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(k), Body: bytes.NewReader(body)}); err != nil {
			t.Fatalf("put %s: %v", k, err)
		}
	}
}

// manifestJSON is a manifest of version id listing files.
func manifestJSON(t *testing.T, id, format string, files ...string) []byte {
	t.Helper()
	m := lakeio.Manifest{FormatVersion: lakeio.ManifestFormatVersion, VersionID: id, Format: format}
	for _, f := range files {
		m.Files = append(m.Files, lakeio.File{Path: f})
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestStoreMatch lists folders, single objects, globs and a published
// output, over real HTTP.
func TestStoreMatch(t *testing.T) {
	srv := s3test.Start(t, "lake")
	putObjects(t, srv, []string{
		"raw/orders/2024/part-0.csv",
		"raw/orders/2025/part-1.csv",
		"raw/orders/_SUCCESS",
		"raw/orders/.hidden.csv",
		"raw/orders_archive/part-9.csv",
		"sales/t/_manifest.json",
		"sales/t/_versions/v1/country=DE/part-00000.csv",
		"sales/t/_versions/v2/country=DE/part-00000.csv",
		"sales/t/_versions/v2/country=FR/part-00000.csv",
		"sales/t/stray.csv",
	}, map[string][]byte{
		"sales/t/_manifest.json": manifestJSON(t, "v2", "csv", "country=DE/part-00000.csv", "country=FR/part-00000.csv"),
	})
	st := s3.NewStore(srv.Client)
	ctx := context.Background()
	type file struct {
		Path, Rel string
		Size      int64
	}
	tests := []struct {
		path string
		want []file
	}{
		{"s3://lake/raw/orders/", []file{
			{"s3://lake/raw/orders/2024/part-0.csv", "2024/part-0.csv", 26},
			{"s3://lake/raw/orders/2025/part-1.csv", "2025/part-1.csv", 26},
		}},
		// Without the slash: no object has the key, so it is a folder,
		// and raw/orders_archive is not part of it.
		{"s3://lake/raw/orders", []file{
			{"s3://lake/raw/orders/2024/part-0.csv", "2024/part-0.csv", 26},
			{"s3://lake/raw/orders/2025/part-1.csv", "2025/part-1.csv", 26},
		}},
		{"s3://lake/raw/orders/2025/part-1.csv", []file{
			{"s3://lake/raw/orders/2025/part-1.csv", "part-1.csv", 26},
		}},
		{"s3://lake/raw/orders*/*/*.csv", []file{
			{"s3://lake/raw/orders/2024/part-0.csv", "orders/2024/part-0.csv", 26},
			{"s3://lake/raw/orders/2025/part-1.csv", "orders/2025/part-1.csv", 26},
		}},
		{"s3://lake/raw/*", []file{
			{"s3://lake/raw/orders/2024/part-0.csv", "orders/2024/part-0.csv", 26},
			{"s3://lake/raw/orders/2025/part-1.csv", "orders/2025/part-1.csv", 26},
			{"s3://lake/raw/orders_archive/part-9.csv", "orders_archive/part-9.csv", 29},
		}},
		// A published output: the files of the current version only.
		{"s3://lake/sales/t", []file{
			{"s3://lake/sales/t/_versions/v2/country=DE/part-00000.csv", "country=DE/part-00000.csv", 46},
			{"s3://lake/sales/t/_versions/v2/country=FR/part-00000.csv", "country=FR/part-00000.csv", 46},
		}},
		{"s3://lake/sales/*", []file{
			{"s3://lake/sales/t/_versions/v2/country=DE/part-00000.csv", "t/country=DE/part-00000.csv", 46},
			{"s3://lake/sales/t/_versions/v2/country=FR/part-00000.csv", "t/country=FR/part-00000.csv", 46},
		}},
		// A version pinned by the planner: a folder like any other.
		{"s3://lake/sales/t/_versions/v1", []file{
			{"s3://lake/sales/t/_versions/v1/country=DE/part-00000.csv", "country=DE/part-00000.csv", 46},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			files, err := st.Match(ctx, tt.path, ".csv")
			if err != nil {
				t.Fatal(err)
			}
			var got []file
			for _, f := range files {
				got = append(got, file{f.Path, f.Rel, f.Size})
				if f.Name != f.Path || f.ETag == "" || f.ModTime.IsZero() {
					t.Errorf("file %+v: want its URL as name, an ETag and a time", f)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStoreMatchErrors pins the messages of paths that name nothing.
func TestStoreMatchErrors(t *testing.T) {
	srv := s3test.Start(t, "lake")
	putObjects(t, srv, []string{"raw/x/_SUCCESS", "raw/x/data.json"}, nil)
	st := s3.NewStore(srv.Client)
	for _, tt := range []struct{ path, want string }{
		{"s3://lake/missing/", `no file or directory matches "s3://lake/missing/" (no object's key starts with "missing/")`},
		{"s3://lake/missing", `no file or directory matches "s3://lake/missing" (no object's key starts with "missing/")`},
		{"s3://nobucket/x/", `no file or directory matches "s3://nobucket/x/" (the bucket "nobucket" does not exist)`},
		{"s3://nobucket/x/*.csv", `no files match "s3://nobucket/x/*.csv" (the bucket "nobucket" does not exist)`},
		{"s3://lake/raw/x", `no .csv files in "s3://lake/raw/x"; hidden files and files starting with _ are skipped`},
		{"s3://lake/raw/*/*.csv", `no files match "s3://lake/raw/*/*.csv"`},
		{"s3://lake-*/x/", `"s3://lake-*/x/": a bucket name cannot hold wildcards; put them after s3://bucket/`},
		{"s3:///x", `"s3:///x" names no bucket: write s3://bucket/prefix/`},
	} {
		t.Run(tt.path, func(t *testing.T) {
			_, err := st.Match(context.Background(), tt.path, ".csv")
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant      %s", err, tt.want)
			}
		})
	}
}

// TestStorePagination lists a prefix in pages of 3 keys: every object is
// found, in as many requests as pages.
func TestStorePagination(t *testing.T) {
	srv := s3test.Start(t, "lake")
	var keys []string
	for i := range 10 {
		keys = append(keys, fmt.Sprintf("p/part-%02d.csv", i))
	}
	putObjects(t, srv, keys, nil)
	st := s3.NewStore(srv.Client)
	s3.SetStorePageSize(st, 3)
	files, err := st.Match(context.Background(), "s3://lake/p/", ".csv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, strings.TrimPrefix(f.Path, "s3://lake/"))
	}
	if diff := cmp.Diff(keys, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	// One GET for the manifest that is not there, four listing pages.
	if got := st.Stats().Requests; got != 5 {
		t.Errorf("%d requests, want 5", got)
	}
}

// TestStoreRead reads an object through ReadAt, NewReader and Sections,
// each a ranged GET of the bytes asked for.
func TestStoreRead(t *testing.T) {
	srv := s3test.Start(t, "lake")
	data := make([]byte, 100_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	putObjects(t, srv, []string{"d/blob.bin"}, map[string][]byte{"d/blob.bin": data})
	st := s3.NewStore(srv.Client)
	ctx := context.Background()
	files, err := st.Match(ctx, "s3://lake/d/blob.bin", "")
	if err != nil {
		t.Fatal(err)
	}
	obj, err := st.Open(ctx, files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if obj.Size() != int64(len(data)) {
		t.Fatalf("size %d, want %d", obj.Size(), len(data))
	}
	before := st.Stats()

	p := make([]byte, 10)
	if n, err := obj.ReadAt(p, 99_995); n != 5 || err != io.EOF || !bytes.Equal(p[:5], data[99_995:]) {
		t.Errorf("ReadAt at the end = %d, %v, %v", n, err, p[:n])
	}
	rc, err := obj.NewReader(ctx, 1000, 5000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data[1000:6000]) {
		t.Errorf("NewReader = %d bytes, %v", len(got), err)
	}
	// Two neighbours share a request; the far range has its own.
	ranges := []objects.Range{{Off: 50_000, Len: 100}, {Off: 10, Len: 20}, {Off: 40, Len: 30}}
	secs, err := obj.Sections(ctx, ranges)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range ranges {
		p := make([]byte, r.Len)
		if n, err := secs[i].ReadAt(p, r.Off); n != len(p) || err != nil || !bytes.Equal(p, data[r.Off:r.End()]) {
			t.Errorf("section %d: %d, %v", i, n, err)
		}
		secs[i].Close()
	}
	after := st.Stats()
	want := s3.FetchStats{Requests: 4, Bytes: 5 + 5000 + 100 + 60}
	if diff := cmp.Diff(want, s3.FetchStats{Requests: after.Requests - before.Requests, Bytes: after.Bytes - before.Bytes}); diff != "" {
		t.Errorf("fetched (-want +got):\n%s", diff)
	}

	// An object replaced after it was listed is not read as a mix.
	putObjects(t, srv, []string{"d/blob.bin"}, map[string][]byte{"d/blob.bin": bytes.Repeat([]byte("x"), len(data))})
	_, err = obj.ReadAt(p, 0)
	if err == nil || !strings.HasPrefix(err.Error(), "read s3://lake/d/blob.bin: the object changed while it was read (ETag ") {
		t.Errorf("error %v, want one saying that the object changed", err)
	}
}

// TestStores keeps one store per endpoint.
func TestStores(t *testing.T) {
	srv := s3test.Start(t, "lake")
	var stores s3.Stores
	ctx := context.Background()
	a, err := stores.Store(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := stores.Store(ctx, "")
	c, err := stores.Store(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if a != b || a == c {
		t.Errorf("stores %p %p %p: want one per endpoint", a, b, c)
	}
	if _, err := stores.Store(ctx, "not a url"); err == nil {
		t.Error("a bad endpoint gives a store")
	}
	// The endpoint from the environment (AWS_ENDPOINT_URL_S3) works.
	putObjects(t, srv, []string{"k/a.csv"}, nil)
	if files, err := a.Match(ctx, "s3://lake/k/", ".csv"); err != nil || len(files) != 1 {
		t.Errorf("Match = %v, %v", files, err)
	}
}
