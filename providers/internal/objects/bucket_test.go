package objects

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

// memBucket is a Bucket over a map of keys, which counts its calls.
type memBucket struct {
	objects map[string][]byte
	missing bool // the bucket does not exist
	calls   map[string]int
}

func (b *memBucket) URL(key string) string { return "mem://b/" + key }

func (b *memBucket) Stat(ctx context.Context, key string) (Entry, error) {
	b.calls["stat"]++
	data, ok := b.objects[key]
	if !ok || b.missing {
		return Entry{}, fmt.Errorf("%s: %w", b.URL(key), fs.ErrNotExist)
	}
	return Entry{Key: key, Size: int64(len(data)), ETag: fmt.Sprintf(`"%d"`, len(data))}, nil
}

func (b *memBucket) List(ctx context.Context, prefix string) ([]Entry, error) {
	b.calls["list"]++
	if b.missing {
		return nil, fmt.Errorf("the bucket %q does not exist: %w", "b", fs.ErrNotExist)
	}
	var out []Entry
	for k, data := range b.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, Entry{Key: k, Size: int64(len(data)), ETag: fmt.Sprintf(`"%d"`, len(data))})
		}
	}
	return out, nil
}

func (b *memBucket) ReadAll(ctx context.Context, key string) ([]byte, error) {
	b.calls["get"]++
	data, ok := b.objects[key]
	if !ok || b.missing {
		return nil, fmt.Errorf("%s: %w", b.URL(key), fs.ErrNotExist)
	}
	return data, nil
}

// bucketOf uploads the files below root into a memBucket, their paths as
// keys.
func bucketOf(t *testing.T, root string) *memBucket {
	t.Helper()
	b := &memBucket{objects: map[string][]byte{}, calls: map[string]int{}}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b.objects[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lakeTree lays out partitioned, hidden, skipped and published folders:
// lake/orders published (v2 current, a staged v3 and a stray file left
// around), lake/csv published as CSV, lake/empty published without
// files, lake/nested holding a published folder beside plain files.
func lakeTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := func(dir, format, id string, files ...string) {
		m := lakeio.Manifest{FormatVersion: lakeio.ManifestFormatVersion, VersionID: id, Format: format}
		for _, f := range files {
			m.Files = append(m.Files, lakeio.File{Path: f})
		}
		data, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		write(dir+"/"+lakeio.ManifestName, string(data))
	}
	for _, f := range []string{
		"lake/t/country=DE/year=2024/part-00000.parquet",
		"lake/t/country=FR/year=2024/part-00000.parquet",
		"lake/t/country=FR/year=2024/part-00001.PARQUET",
		"lake/t/_SUCCESS",
		"lake/t/.hidden/x.parquet",
		"lake/t/_temporary/x.parquet",
		"lake/t/notes.md",
		"lake/a/x.parquet",
		"lake/a.b/y.parquet",
		"lake/a.parquet",
		"lake/orders/_versions/v1/country=DE/part-00000.parquet",
		"lake/orders/_versions/v2/country=DE/part-00000.parquet",
		"lake/orders/_versions/v2/country=FR/part-00000.parquet",
		"lake/orders/_versions/v3.staging/country=IT/part-00000.parquet",
		"lake/orders/stray.parquet",
		"lake/csv/_versions/a/part-00000.csv",
		"lake/nested/plain/part-0.parquet",
		"lake/nested/pub/_versions/v9/part-0.parquet",
		"lake/nested/pub/_versions/v9/part-1.csv",
		"lake/nested/pub/old.parquet",
		"only/_x.parquet",
		"only/.y.parquet",
		"single.parquet",
	} {
		write(f, f)
	}
	manifest("lake/orders", "parquet", "v2", "country=DE/part-00000.parquet", "country=FR/part-00000.parquet")
	manifest("lake/csv", "csv", "a", "part-00000.csv")
	manifest("lake/empty", "parquet", "v1")
	manifest("lake/nested/pub", "parquet", "v9", "part-0.parquet", "part-1.csv")
	return root
}

// TestMatchBucketAsLocal checks that a bucket holding a folder's files
// under their paths names the same files, with the same Rel, as
// localfiles.Match names on disk — and fails where it fails.
func TestMatchBucketAsLocal(t *testing.T) {
	root := lakeTree(t)
	b := bucketOf(t, root)
	ctx := context.Background()
	for _, tt := range []struct{ path, ext string }{
		{"lake/t", ".parquet"},
		{"lake/t/", ".parquet"},
		{"lake/t", ""},
		{"lake/t/country=DE", ".parquet"},
		{"lake/t/country=*/year=2024/*.parquet", ".parquet"},
		{"lake/t/*", ".parquet"},
		{"lake/t/*", ""},
		{"lake/t/country=F?", ".parquet"},
		{"lake/t/country=[DF]*/*", ".parquet"},
		{"lake/t/_temporary", ".parquet"},
		{"lake/t/_SUCCESS", ".parquet"},
		{"lake/t/country=DE/year=2024/part-00000.parquet", ".parquet"},
		{"lake/*/x.parquet", ".parquet"},
		{"lake/a*", ".parquet"},
		{"lake", ".parquet"},
		{"lake", ".csv"},
		{"lake/orders", ".parquet"},
		{"lake/orders/", ".parquet"},
		{"lake/orders", ".csv"},
		{"lake/orders/_versions/v1", ".parquet"},
		{"lake/o*", ".parquet"},
		{"lake/csv", ".csv"},
		{"lake/csv", ".parquet"},
		{"lake/empty", ".parquet"},
		{"lake/nested", ".parquet"},
		{"lake/nested", ".csv"},
		{"lake/nested/*", ".parquet"},
		{"single.parquet", ".csv"},
		{"only", ".parquet"},
		{"missing", ".parquet"},
		{"missing/", ".parquet"},
		{"lake/t/*.csv", ".csv"},
		{"lake/t/[", ".parquet"},
	} {
		t.Run(tt.path+" "+tt.ext, func(t *testing.T) {
			local, lerr := localfiles.Match(root, tt.path, tt.ext)
			remote, rerr := MatchBucket(ctx, b, "mem://b/"+tt.path, tt.path, tt.ext)
			if (lerr == nil) != (rerr == nil) {
				t.Fatalf("local error %v, bucket error %v", lerr, rerr)
			}
			if lerr != nil {
				t.Logf("local: %v\nbucket: %v", lerr, rerr)
				return
			}
			type file struct{ Key, Rel string }
			var want, got []file
			for _, f := range local {
				want = append(want, file{filepath.ToSlash(f.Name), f.Rel})
			}
			for _, f := range remote {
				if f.Name != f.Path || !strings.HasPrefix(f.Path, "mem://b/") {
					t.Errorf("file %+v: want Name = Path = a URL", f)
				}
				key := strings.TrimPrefix(f.Path, "mem://b/")
				if f.Size != int64(len(b.objects[key])) || f.ETag == "" {
					t.Errorf("file %s: size %d, ETag %q; want the listing's", key, f.Size, f.ETag)
				}
				got = append(got, file{key, f.Rel})
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("bucket files (-local +bucket):\n%s", diff)
			}
		})
	}
}

// TestMatchBucketErrors pins the messages of a bucket source that names
// nothing.
func TestMatchBucketErrors(t *testing.T) {
	root := lakeTree(t)
	ctx := context.Background()
	tests := []struct {
		prefix, ext string
		missing     bool
		want        string
	}{
		{"nothing/", ".parquet", false, `no file or directory matches "mem://b/nothing/" (no object's key starts with "nothing/")`},
		{"nothing", ".parquet", false, `no file or directory matches "mem://b/nothing" (no object's key starts with "nothing/")`},
		{"lake/t/", ".csv", false, `no .csv files in "mem://b/lake/t/"; hidden files and files starting with _ are skipped`},
		{"lake/t/*.csv", ".csv", false, `no files match "mem://b/lake/t/*.csv"`},
		{"lake/t/[", ".parquet", false, `"mem://b/lake/t/[" is not a valid glob pattern: syntax error in pattern`},
		{"lake/csv", ".parquet", false, "mem://b/lake/csv/_manifest.json lists _versions/a/part-00000.csv, no .parquet file (it is published as csv)"},
		{"lake/x/", ".parquet", true, `no file or directory matches "mem://b/lake/x/" (the bucket "b" does not exist: file does not exist)`},
		{"lake/*", ".parquet", true, `no files match "mem://b/lake/*" (the bucket "b" does not exist: file does not exist)`},
	}
	for _, tt := range tests {
		t.Run(tt.prefix, func(t *testing.T) {
			b := bucketOf(t, root)
			b.missing = tt.missing
			_, err := MatchBucket(ctx, b, "mem://b/"+tt.prefix, tt.prefix, tt.ext)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v\nwant      %s", err, tt.want)
			}
		})
	}

	// A manifest listing a file that is not stored names both.
	b := bucketOf(t, root)
	delete(b.objects, "lake/orders/_versions/v2/country=FR/part-00000.parquet")
	_, err := MatchBucket(ctx, b, "mem://b/lake/orders", "lake/orders", ".parquet")
	want := "mem://b/lake/orders/_manifest.json lists _versions/v2/country=FR/part-00000.parquet, which is not stored: mem://b/lake/orders/_versions/v2/country=FR/part-00000.parquet does not exist"
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant      %s", err, want)
	}

	// A manifest that does not read names itself.
	b.objects["lake/orders/_manifest.json"] = []byte("{")
	_, err = MatchBucket(ctx, b, "mem://b/lake/orders/", "lake/orders/", ".parquet")
	if err == nil || !strings.HasPrefix(err.Error(), "manifest mem://b/lake/orders/_manifest.json is not valid") {
		t.Errorf("error %v, want one naming the manifest", err)
	}
}

// TestMatchBucketRequests checks that a published folder costs a manifest
// read and one listing of its version, not a listing of every version.
func TestMatchBucketRequests(t *testing.T) {
	b := bucketOf(t, lakeTree(t))
	files, err := MatchBucket(context.Background(), b, "mem://b/lake/orders/", "lake/orders/", ".parquet")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Errorf("%d files, want 2", len(files))
	}
	if diff := cmp.Diff(map[string]int{"get": 1, "list": 1}, b.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestCompareKeys(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"a/x", "a.b", -1},
		{"a.b", "a/x", 1},
		{"a", "a/x", -1},
		{"a/x", "a/x", 0},
		{"ab", "aa", 1},
	} {
		if got := compareKeys(tt.a, tt.b); got != tt.want {
			t.Errorf("compareKeys(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
