package lake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/lakeio"
)

var ctx = context.Background()

// publish stages version id of the output at path with files (path →
// contents), and publishes it; it returns the manifest.
func publish(t testing.TB, l *Local, path, id string, files map[string]string) *lakeio.Manifest {
	t.Helper()
	m := stage(t, l, path, id, files)
	if err := l.Publish(ctx, path, m); err != nil {
		t.Fatal(err)
	}
	return m
}

// stage stages version id with files and returns its manifest, not
// published.
func stage(t testing.TB, l *Local, path, id string, files map[string]string) *lakeio.Manifest {
	t.Helper()
	dir, err := l.Stage(ctx, path, id)
	if err != nil {
		t.Fatal(err)
	}
	m := &lakeio.Manifest{
		FormatVersion:  lakeio.ManifestFormatVersion,
		Product:        "product.orders",
		VersionID:      id,
		MeshctlVersion: "test",
		CreatedAt:      time.Date(2026, 11, 25, 16, 15, 0, 0, time.UTC),
		Format:         "csv",
		Schema:         []lakeio.Column{{Name: "id", Type: "int64"}},
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(files[name]))
		m.Files = append(m.Files, lakeio.File{Path: name, Rows: 1, Bytes: int64(len(files[name])), SHA256: hex.EncodeToString(sum[:])})
		m.Rows++
	}
	return m
}

// listTree returns the slash-separated paths of the files and folders
// below dir, sorted.
func listTree(t testing.TB, dir string) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			rel += "/"
		}
		paths = append(paths, filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return paths
}

func TestPublishAndCurrent(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	if _, _, err := l.Current(ctx, "lake/orders"); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Fatalf("nothing published: got %v, want ErrNotPublished", err)
	}
	m1 := publish(t, l, "lake/orders", "v1", map[string]string{"country=DE/part-00000.csv": "id\n1\n"})
	m2 := publish(t, l, "lake/orders", "v2", map[string]string{"country=DE/part-00000.csv": "id\n2\n", "country=FR/part-00000.csv": "id\n3\n"})
	_ = m1

	got, sum, err := l.Current(ctx, "lake/orders")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m2, got); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(filepath.Join(root, "lake/orders/_manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256(data); sum != hex.EncodeToString(want[:]) {
		t.Errorf("checksum %s, want %x", sum, want)
	}
	// The same output through an absolute path.
	if _, sum2, err := l.Current(ctx, filepath.Join(root, "lake/orders")); err != nil || sum2 != sum {
		t.Errorf("absolute path: %s, %v", sum2, err)
	}
	wantTree := []string{
		"_manifest.json",
		"_versions/",
		"_versions/v1/",
		"_versions/v1/country=DE/",
		"_versions/v1/country=DE/part-00000.csv",
		"_versions/v2/",
		"_versions/v2/country=DE/",
		"_versions/v2/country=DE/part-00000.csv",
		"_versions/v2/country=FR/",
		"_versions/v2/country=FR/part-00000.csv",
	}
	if diff := cmp.Diff(wantTree, listTree(t, filepath.Join(root, "lake/orders"))); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

func TestCurrentErrors(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	write := func(path, text string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("newer/_manifest.json", `{"format_version": 2, "version_id": "v1"}`)
	write("torn/_manifest.json", `{"format_version": 1, "vers`)
	write("plain/part-0.csv", "id\n")
	write("file.csv", "id\n")
	tests := []struct {
		path, want string
		notPub     bool
	}{
		{path: "missing", notPub: true},
		{path: "plain", notPub: true},
		{path: "file.csv", notPub: true},
		{path: "newer", want: "written by a newer meshctl (manifest format 2; this meshctl reads format 1 and older)"},
		{path: "torn", want: "_manifest.json is not valid"},
		{path: "s3://bucket/x", want: "s3://bucket/x: s3:// locations are not supported yet"},
		{path: "gs://bucket/x", want: "gs:// locations are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, _, err := l.Current(ctx, tt.path)
			switch {
			case tt.notPub && !errors.Is(err, lakeio.ErrNotPublished):
				t.Errorf("got %v, want ErrNotPublished", err)
			case !tt.notPub && (err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, lakeio.ErrNotPublished)):
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPublishRefuses(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	publish(t, l, "out", "v1", map[string]string{"a.csv": "1"})
	before, _, err := l.Current(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}

	notStaged := stage(t, l, "out", "v2", map[string]string{"a.csv": "2"})
	notStaged.VersionID = "v3"
	missingFile := stage(t, l, "out", "v4", map[string]string{"a.csv": "2"})
	missingFile.Files = append(missingFile.Files, lakeio.File{Path: "b.csv", Bytes: 1})
	wrongSize := stage(t, l, "out", "v5", map[string]string{"a.csv": "2"})
	wrongSize.Files[0].Bytes = 7
	newer := stage(t, l, "out", "v6", map[string]string{"a.csv": "2"})
	newer.FormatVersion = lakeio.ManifestFormatVersion + 1
	// A staged folder for a published id can only be made by hand.
	if err := os.Mkdir(filepath.Join(root, "out/_versions/v1.staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	again := *before
	badID := &lakeio.Manifest{VersionID: "x.staging"}

	tests := []struct {
		name string
		m    *lakeio.Manifest
		want string
	}{
		{"nil", nil, "publish out: no manifest"},
		{"not staged", notStaged, "publish out: version v3 was not staged"},
		{"missing file", missingFile, "publish out: the manifest lists b.csv, which was not staged"},
		{"wrong size", wrongSize, "publish out: the manifest lists a.csv of 7 bytes, the staged file has 1"},
		{"newer format", newer, "written by a newer meshctl"},
		{"existing id", &again, "publish out: version v1 already exists"},
		{"staging id", badID, `version id "x.staging" is not valid: it must not end in ".staging"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := l.Publish(ctx, "out", tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
			after, _, err := l.Current(ctx, "out")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("a refused publish changed the manifest (-before +after):\n%s", diff)
			}
		})
	}
}

func TestPublishDefaultsFormatVersion(t *testing.T) {
	l := New(t.TempDir())
	m := stage(t, l, "out", "v1", map[string]string{"b.csv": "2", "a.csv": "1"})
	m.FormatVersion = 0
	slices.Reverse(m.Files)
	if err := l.Publish(ctx, "out", m); err != nil {
		t.Fatal(err)
	}
	if m.FormatVersion != 0 || m.Files[0].Path != "b.csv" {
		t.Errorf("Publish modified its argument: %+v", m)
	}
	got, _, err := l.Current(ctx, "out")
	if err != nil {
		t.Fatal(err)
	}
	if got.FormatVersion != lakeio.ManifestFormatVersion || got.Files[0].Path != "a.csv" {
		t.Errorf("got format %d, files %v; want format %d, files sorted", got.FormatVersion, got.Files, lakeio.ManifestFormatVersion)
	}
}

func TestStage(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	publish(t, l, "out", "v1", map[string]string{"a.csv": "1"})

	// A leftover of an interrupted apply is cleared.
	left := filepath.Join(root, "out/_versions/v2.staging/part.csv")
	if err := os.MkdirAll(filepath.Dir(left), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(left, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := l.Stage(ctx, "out", "v2")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "out/_versions/v2.staging"); dir != want || !filepath.IsAbs(dir) {
		t.Errorf("Stage = %s, want %s", dir, want)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("staged folder holds %v (%v), want it empty", entries, err)
	}

	// A relative root still yields an absolute folder.
	t.Chdir(root)
	rel, err := New(".").Stage(ctx, "other", "v1")
	if err != nil || !filepath.IsAbs(rel) {
		t.Errorf("relative root: Stage = %s, %v; want an absolute path", rel, err)
	}

	for _, tt := range []struct{ id, want string }{
		{"v1", "stage out: version v1 already exists"},
		{"", `version id "" is not valid`},
		{"a/b", `version id "a/b" is not valid`},
		{"..", `version id ".." is not valid`},
		{"x.staging", `must not end in ".staging"`},
	} {
		if _, err := l.Stage(ctx, "out", tt.id); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Stage(%q) = %v, want %q", tt.id, err, tt.want)
		}
	}
	if _, err := l.Stage(ctx, "s3://bucket/out", "v1"); err == nil || !strings.Contains(err.Error(), "not supported yet") {
		t.Errorf("s3: got %v", err)
	}
}

func TestDiscard(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	publish(t, l, "out", "v1", map[string]string{"a.csv": "1"})
	stage(t, l, "out", "v2", map[string]string{"a.csv": "2"})
	if err := l.Discard(ctx, "out", "v2"); err != nil {
		t.Fatal(err)
	}
	// Discarding twice, or what was never staged, is not an error.
	if err := l.Discard(ctx, "out", "v2"); err != nil {
		t.Fatal(err)
	}
	if err := l.Discard(ctx, "out", "v1"); err != nil {
		t.Fatal(err)
	}
	want := []string{"_manifest.json", "_versions/", "_versions/v1/", "_versions/v1/a.csv"}
	if diff := cmp.Diff(want, listTree(t, filepath.Join(root, "out"))); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if err := l.Discard(ctx, "out", "../x"); err == nil {
		t.Error("Discard of ../x: no error")
	}
}

func TestPrune(t *testing.T) {
	tests := []struct {
		name string
		// published in order; the last is current unless current is set.
		publish []string
		current string
		keep    int
		want    []string
	}{
		{name: "keep 1", publish: []string{"v1", "v2", "v3"}, keep: 1, want: []string{"v3"}},
		{name: "keep 2", publish: []string{"v1", "v2", "v3"}, keep: 2, want: []string{"v2", "v3"}},
		{name: "keep 0 keeps the current", publish: []string{"v1", "v2", "v3"}, keep: 0, want: []string{"v3"}},
		{name: "keep more than there are", publish: []string{"v1", "v2"}, keep: 10, want: []string{"v1", "v2"}},
		// Ids order versions, not the order they were published in.
		{name: "rolled back", publish: []string{"v1", "v2", "v3", "v4"}, current: "v1", keep: 2, want: []string{"v1", "v3", "v4"}},
		{name: "time-sortable ids", publish: []string{"20261125T161500Z-abcd", "20261125T161501Z-0000", "20261126T000000Z-ffff"}, keep: 2,
			want: []string{"20261125T161501Z-0000", "20261126T000000Z-ffff"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			l := New(root)
			manifests := map[string]*lakeio.Manifest{}
			for _, id := range tt.publish {
				manifests[id] = publish(t, l, "out", id, map[string]string{"p/a.csv": id})
			}
			if tt.current != "" {
				// Publish the rolled-back-to version again by hand: write
				// its manifest as current.
				m := *manifests[tt.current]
				if err := writeAtomic(filepath.Join(root, "out"), lakeio.ManifestName, mustJSON(t, &m)); err != nil {
					t.Fatal(err)
				}
			}
			stage(t, l, "out", "v9", map[string]string{"a.csv": "9"})
			tmp := filepath.Join(root, "out", tempPrefix(lakeio.ManifestName)+"123")
			foreign := filepath.Join(root, "out/_versions/README")
			for _, p := range []string{tmp, foreign} {
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Prune(ctx, "out", tt.keep); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(filepath.Join(root, "out/_versions"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			want := append(slices.Clone(tt.want), "README")
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("versions left (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temporary manifest left: %v", err)
			}
		})
	}
}

func TestPruneRefuses(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	publish(t, l, "out", "v1", map[string]string{"a.csv": "1"})
	publish(t, l, "out", "v2", map[string]string{"a.csv": "2"})
	if err := l.Prune(ctx, "out", -1); err == nil {
		t.Error("keep -1: no error")
	}
	if err := os.WriteFile(filepath.Join(root, "out/_manifest.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := l.Prune(ctx, "out", 0)
	if err == nil || !strings.Contains(err.Error(), "nothing deleted") {
		t.Errorf("bad manifest: got %v", err)
	}
	if got := listTree(t, filepath.Join(root, "out/_versions")); len(got) != 4 {
		t.Errorf("a refused prune deleted: %v", got)
	}
	// Nothing published: nothing to do.
	if err := l.Prune(ctx, "missing", 1); err != nil {
		t.Error(err)
	}
}

func TestDelete(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	publish(t, l, "lake/a", "v1", map[string]string{"x/a.csv": "1"})
	publish(t, l, "lake/a", "v2", map[string]string{"x/a.csv": "2"})
	stage(t, l, "lake/a", "v3", map[string]string{"x/a.csv": "3"})
	publish(t, l, "lake/b", "v1", map[string]string{"a.csv": "1"})
	if err := os.WriteFile(filepath.Join(root, "lake/b/notes.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"lake/a", "lake/b", "lake/a", "lake/never"} {
		if err := l.Delete(ctx, p); err != nil {
			t.Fatalf("Delete(%s): %v", p, err)
		}
	}
	// lake/a is gone; lake/b keeps the file meshctl did not write.
	want := []string{"b/", "b/notes.txt"}
	if diff := cmp.Diff(want, listTree(t, filepath.Join(root, "lake"))); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if _, _, err := l.Current(ctx, "lake/b"); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Errorf("after Delete: %v", err)
	}
}

func TestVerify(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	m := publish(t, l, "out", "v1", map[string]string{
		"p=1/a.csv": "id\n1\n",
		"p=1/b.csv": "id\n2\n",
		"p=2/c.csv": "id\n3\n",
		"p=2/d.csv": "id\n4\n",
		"p=3/e.csv": "id\n5\n",
	})
	for _, p := range []string{"shallow", "deep"} {
		problems, err := l.Verify(ctx, "out", m, p == "deep")
		if err != nil || len(problems) != 0 {
			t.Errorf("%s verify of an intact output: %v, %v", p, problems, err)
		}
	}
	version := filepath.Join(root, "out/_versions/v1")
	if err := os.Remove(filepath.Join(version, "p=1/a.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(version, "p=1/b.csv"), []byte("id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Same size, other bytes: only a deep verify sees it.
	if err := os.WriteFile(filepath.Join(version, "p=2/c.csv"), []byte("id\n9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(version, "p=3")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(version, "p=3"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	shallow := []string{
		"_versions/v1/p=1/a.csv: missing",
		"_versions/v1/p=1/b.csv: size 3, recorded 5",
		"_versions/v1/p=3/e.csv: missing",
	}
	deep := []string{
		"_versions/v1/p=1/a.csv: missing",
		"_versions/v1/p=1/b.csv: size 3, recorded 5",
		"_versions/v1/p=2/c.csv: checksum differs",
		"_versions/v1/p=3/e.csv: missing",
	}
	for _, tt := range []struct {
		deep bool
		want []string
	}{{false, shallow}, {true, deep}} {
		got, err := l.Verify(ctx, "out", m, tt.deep)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("deep=%v (-want +got):\n%s", tt.deep, diff)
		}
	}
	// A version that is gone altogether.
	gone := *m
	gone.VersionID = "v0"
	got, err := l.Verify(ctx, "out", &gone, false)
	if err != nil || len(got) != len(m.Files) {
		t.Errorf("missing version: %v, %v", got, err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Verify(cancelled, "out", m, true); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestFingerprint(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	write := func(path, text string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	touch := func(path string, at time.Time) {
		t.Helper()
		if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(path)), at, at); err != nil {
			t.Fatal(err)
		}
	}
	fp := func(path string) string {
		t.Helper()
		s, err := l.Fingerprint(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	write("data/a.csv", "id\n1\n")
	write("data/sub/b.parquet", "PAR1")
	write("data/_SUCCESS", "")
	touch("data/a.csv", at)
	touch("data/sub/b.parquet", at)

	base := fp("data")
	if !strings.HasPrefix(base, "files:") || len(base) != len("files:")+64 {
		t.Fatalf("fingerprint %q", base)
	}
	if again := fp("data/"); again != base {
		t.Errorf("not stable: %s then %s", base, again)
	}
	if g := fp("data/*"); g == "" {
		t.Error("glob: empty fingerprint")
	}
	// Bookkeeping files do not count.
	write("data/_SUCCESS", "x")
	write("data/.hidden", "x")
	if got := fp("data"); got != base {
		t.Errorf("a hidden or _ file changed the fingerprint")
	}

	changes := []struct {
		name   string
		change func()
	}{
		{"touched", func() { touch("data/a.csv", at.Add(time.Nanosecond)) }},
		{"resized", func() { write("data/a.csv", "id\n1\n2\n"); touch("data/a.csv", at) }},
		{"added", func() { write("data/sub/c.json", "{}") }},
		{"removed", func() {
			if err := os.Remove(filepath.Join(root, "data/sub/c.json")); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(filepath.Join(root, "data/a.csv")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	seen := map[string]string{base: "initial"}
	for _, c := range changes {
		c.change()
		got := fp("data")
		if prev, ok := seen[got]; ok {
			t.Errorf("%s: fingerprint %s is the same as when %s", c.name, got, prev)
		}
		seen[got] = c.name
	}

	// One file.
	write("one.csv", "x")
	touch("one.csv", at)
	one := fp("one.csv")
	if fp("one.csv") != one {
		t.Error("one file: not stable")
	}
	touch("one.csv", at.Add(time.Second))
	if fp("one.csv") == one {
		t.Error("one file: touching it did not change the fingerprint")
	}

	// A published output: its manifest.
	m := publish(t, l, "lake/out", "v1", map[string]string{"a.csv": "1"})
	data, err := os.ReadFile(filepath.Join(root, "lake/out/_manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got, want := fp("lake/out"), "manifest:v1:"+hex.EncodeToString(sum[:]); got != want {
		t.Errorf("published: %s, want %s", got, want)
	}
	// Staging another version changes nothing until it is published.
	before := fp("lake/out")
	stage(t, l, "lake/out", "v2", map[string]string{"a.csv": "2"})
	if fp("lake/out") != before {
		t.Error("a staged version changed the fingerprint")
	}
	publish(t, l, "lake/out", "v3", map[string]string{"a.csv": "3"})
	if after := fp("lake/out"); after == before || !strings.HasPrefix(after, "manifest:v3:") {
		t.Errorf("after a publish: %s (before %s)", after, before)
	}
	_ = m

	for _, tt := range []struct{ path, want string }{
		{"nowhere", `no file or directory matches "nowhere"`},
		{"empty/", `no files in "empty/"`},
		{"nothing*", `no files match "nothing*"`},
		{"s3://bucket/x", "not supported yet"},
	} {
		if tt.path == "empty/" {
			if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		_, err := l.Fingerprint(ctx, tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Fingerprint(%q) = %v, want %q", tt.path, err, tt.want)
		}
	}
	write("bad/_manifest.json", "{")
	if _, err := l.Fingerprint(ctx, "bad"); err == nil || !strings.Contains(err.Error(), "_manifest.json is not valid") {
		t.Errorf("bad manifest: %v", err)
	}
}
