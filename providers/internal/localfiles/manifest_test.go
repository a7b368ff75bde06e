package localfiles

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/lakeio"
)

// writeFiles creates empty files at slash-separated paths below root.
func writeFiles(t *testing.T, root string, paths ...string) {
	t.Helper()
	for _, f := range paths {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeManifest writes the manifest of a version of dir listing files.
func writeManifest(t *testing.T, dir, format, id string, files ...string) {
	t.Helper()
	m := lakeio.Manifest{FormatVersion: lakeio.ManifestFormatVersion, VersionID: id, Format: format}
	for _, f := range files {
		m.Files = append(m.Files, lakeio.File{Path: f})
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	writeRaw(t, dir, string(data))
}

// writeRaw writes a manifest's text.
func writeRaw(t *testing.T, dir, text string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, lakeio.ManifestName), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// publishedLake lays out lake/orders, published twice (v2 current), with
// a staged v3, a stray file from before publishing, and lake/plain, an
// unpublished folder; lake/empty is published without files, lake/csv as
// CSV.
func publishedLake(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeFiles(t, root,
		"lake/orders/_versions/v1/country=DE/part-00000.parquet",
		"lake/orders/_versions/v2/country=DE/part-00000.parquet",
		"lake/orders/_versions/v2/country=FR/part-00000.parquet",
		"lake/orders/_versions/v3.staging/country=IT/part-00000.parquet",
		"lake/orders/stray.parquet",
		"lake/plain/part-00000.parquet",
		"lake/csv/_versions/a/part-00000.csv",
	)
	writeManifest(t, filepath.Join(root, "lake/orders"), "parquet", "v2",
		"country=DE/part-00000.parquet", "country=FR/part-00000.parquet")
	writeManifest(t, filepath.Join(root, "lake/empty"), "parquet", "v1")
	writeManifest(t, filepath.Join(root, "lake/csv"), "csv", "a", "part-00000.csv")
	return root
}

func TestMatchPublished(t *testing.T) {
	root := publishedLake(t)
	type file struct{ Name, Rel string }
	current := []file{
		{"lake/orders/_versions/v2/country=DE/part-00000.parquet", "country=DE/part-00000.parquet"},
		{"lake/orders/_versions/v2/country=FR/part-00000.parquet", "country=FR/part-00000.parquet"},
	}
	tests := []struct {
		name, path, ext string
		want            []file
	}{
		{"folder", "lake/orders", ".parquet", current},
		{"trailing slash", "lake/orders/", ".parquet", current},
		{"absolute", filepath.Join(root, "lake/orders"), ".parquet", current},
		{"any extension", "lake/orders", "", current},
		{"empty output", "lake/empty", ".parquet", nil},
		// A folder holding published outputs reads each through its
		// manifest, and Rel keeps the output's folder.
		{"walked parent", "lake", ".parquet", []file{
			{"lake/orders/_versions/v2/country=DE/part-00000.parquet", "orders/country=DE/part-00000.parquet"},
			{"lake/orders/_versions/v2/country=FR/part-00000.parquet", "orders/country=FR/part-00000.parquet"},
			{"lake/plain/part-00000.parquet", "plain/part-00000.parquet"},
		}},
		{"glob", "lake/o*", ".parquet", []file{
			{"lake/orders/_versions/v2/country=DE/part-00000.parquet", "orders/country=DE/part-00000.parquet"},
			{"lake/orders/_versions/v2/country=FR/part-00000.parquet", "orders/country=FR/part-00000.parquet"},
		}},
		// A version's file named directly is a file like any other.
		{"old version's file", "lake/orders/_versions/v1/country=DE/part-00000.parquet", ".parquet", []file{
			{"lake/orders/_versions/v1/country=DE/part-00000.parquet", "part-00000.parquet"},
		}},
		{"version folder", "lake/orders/_versions/v1", ".parquet", []file{
			{"lake/orders/_versions/v1/country=DE/part-00000.parquet", "country=DE/part-00000.parquet"},
		}},
		{"csv", "lake/csv", ".CSV", []file{{"lake/csv/_versions/a/part-00000.csv", "part-00000.csv"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Match(root, tt.path, tt.ext)
			if err != nil {
				t.Fatal(err)
			}
			var got []file
			for _, f := range files {
				got = append(got, file{filepath.ToSlash(f.Name), f.Rel})
				if f.Path != filepath.Join(root, filepath.FromSlash(f.Name)) {
					t.Errorf("Path %s, Name %s", f.Path, f.Name)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatchAnyExtension(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, "d/a.csv", "d/b/c.parquet", "d/noext", "d/_SUCCESS", "d/.crc")
	files, err := Match(root, "d", "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Rel)
	}
	if diff := cmp.Diff([]string{"a.csv", "b/c.parquet", "noext"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := Match(root, "d/b", ".csv"); err == nil || !strings.Contains(err.Error(), "no .csv files in") {
		t.Errorf("got %v, want no .csv files", err)
	}
}

func TestMatchManifestErrors(t *testing.T) {
	tests := []struct {
		name, manifest string
		want           string
	}{
		{"not json", `{"format_version": 1,`, "manifest lake/t/_manifest.json is not valid: unexpected end of JSON input"},
		{"trailing data", `{"format_version": 1, "version_id": "a"} x`, "manifest lake/t/_manifest.json is not valid"},
		{"newer", `{"format_version": 99, "version_id": "a"}`, "manifest lake/t/_manifest.json: written by a newer meshctl (manifest format 99; this meshctl reads format 1 and older)"},
		{"no version", `{"version_id": "a"}`, "manifest lake/t/_manifest.json: format_version 0 is not valid"},
		{"no id", `{"format_version": 1}`, `manifest lake/t/_manifest.json: version id "" is not valid`},
		{"id escapes", `{"format_version": 1, "version_id": ".."}`, `version id ".." is not valid`},
		{"id with slash", `{"format_version": 1, "version_id": "a/b"}`, `version id "a/b" is not valid`},
		{"file escapes", `{"format_version": 1, "version_id": "a", "files": [{"path": "../../x.parquet"}]}`, `file "../../x.parquet" is not a slash-separated path inside the version's folder`},
		{"absolute file", `{"format_version": 1, "version_id": "a", "files": [{"path": "/etc/x.parquet"}]}`, `file "/etc/x.parquet" is not`},
		{"backslash", `{"format_version": 1, "version_id": "a", "files": [{"path": "a\\x.parquet"}]}`, `is not a slash-separated path`},
		{"twice", `{"format_version": 1, "version_id": "a", "files": [{"path": "x.parquet"}, {"path": "x.parquet"}]}`, `file "x.parquet" is listed twice`},
		{"negative", `{"format_version": 1, "version_id": "a", "files": [{"path": "x.parquet", "bytes": -1}]}`, `negative size`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeRaw(t, filepath.Join(root, "lake/t"), tt.manifest)
			// The same error whether the folder is the source, a glob's
			// match, or below the source.
			for _, path := range []string{"lake/t", "lake/*", "lake"} {
				_, err := Match(root, path, ".parquet")
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Match(%q) = %v, want %q", path, err, tt.want)
				}
			}
		})
	}
}

func TestMatchOtherFormat(t *testing.T) {
	root := publishedLake(t)
	_, err := Match(root, "lake/csv", ".parquet")
	want := "lake/csv/_manifest.json lists _versions/a/part-00000.csv, no .parquet file (it is published as csv)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestReadManifest(t *testing.T) {
	root := publishedLake(t)
	dir := filepath.Join(root, "lake/orders")
	m, sum, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, lakeio.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	if sum != hex.EncodeToString(want[:]) {
		t.Errorf("checksum %s, want %x", sum, want)
	}
	if m.VersionID != "v2" || len(m.Files) != 2 {
		t.Errorf("got %+v", m)
	}
	if _, _, err := ReadManifest(filepath.Join(root, "lake/plain")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("unpublished folder: got %v, want fs.ErrNotExist", err)
	}
}

func TestResolve(t *testing.T) {
	tests := []struct{ path, want, err string }{
		{"lake/x", filepath.FromSlash("/ws/lake/x"), ""},
		{"/abs/x", "/abs/x", ""},
		{"", "", "the path is empty"},
		{"s3://b/x", "", "s3://b/x: s3:// locations are not supported yet"},
		{"gs://b/x", "", "gs://b/x: gs:// locations are not supported"},
	}
	for _, tt := range tests {
		got, err := Resolve("/ws", tt.path)
		var msg string
		if err != nil {
			msg = err.Error()
		}
		if got != tt.want || msg != tt.err {
			t.Errorf("Resolve(%q) = %q, %q; want %q, %q", tt.path, got, msg, tt.want, tt.err)
		}
	}
}

func TestReadManifestVersion(t *testing.T) {
	tests := []struct {
		name, manifest string
		want, err      string
	}{
		{"meshctl's order", `{"format_version": 1, "product": "p", "version_id": "v1", "files": [{"path": "a.csv"}]}`, "v1", ""},
		{"other order", `{"files": [{"path": "a.csv"}], "version_id": "v1", "format_version": 1}`, "v1", ""},
		// Only the head is read: a file list that does not decode is
		// ReadManifest's to find.
		{"bad file list", `{"format_version": 1, "version_id": "v1", "files": [{"path": "../x"}`, "v1", ""},
		{"newer", `{"format_version": 2, "version_id": "v1"}`, "", "written by a newer meshctl (manifest format 2"},
		{"no format", `{"version_id": "v1"}`, "", "format_version 0 is not valid"},
		{"no id", `{"format_version": 1}`, "", `version id "" is not valid`},
		{"bad id", `{"format_version": 1, "version_id": "../x"}`, "", `version id "../x" is not valid`},
		{"array", `[1]`, "", "is not valid: not a JSON object"},
		{"torn", `{"format_version": 1, "vers`, "", "is not valid"},
		{"wrong type", `{"format_version": "1", "version_id": "v1"}`, "", "is not valid: json: cannot unmarshal string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeRaw(t, dir, tt.manifest)
			id, sum, err := ReadManifestVersion(dir)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("got %q, %v; want error %q", id, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := sha256.Sum256([]byte(tt.manifest))
			if id != tt.want || sum != hex.EncodeToString(want[:]) {
				t.Errorf("got %q, %s; want %q, %x", id, sum, tt.want, want)
			}
		})
	}
	if _, _, err := ReadManifestVersion(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("no manifest: %v", err)
	}
}
