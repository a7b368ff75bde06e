package localfiles

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshctl/meshctl/planner/lakeio"
)

// FuzzManifest feeds any bytes to the manifest readers and to Match: they
// return errors, never panic, and a manifest that reads never sends a
// reader outside its version's folder.
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"format_version": 1, "version_id": "v1", "files": [{"path": "p=1/a.csv", "bytes": 3}]}`))
	f.Add([]byte(`{"files": [], "version_id": "v1", "format_version": 1}`))
	f.Add([]byte(`{"format_version": 1, "version_id": "..", "files": [{"path": "../a.csv"}]}`))
	f.Add([]byte(`{"format_version": 1e400}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		dir := filepath.Join(root, "out")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, lakeio.ManifestName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, _ = ReadManifestVersion(dir)
		m, _, err := ReadManifest(dir)
		if err != nil {
			return
		}
		version := filepath.Join(dir, lakeio.VersionsDir, m.VersionID) + string(filepath.Separator)
		files, err := Match(root, "out", "")
		if err != nil {
			t.Fatalf("a manifest that reads: %v", err)
		}
		for _, file := range files {
			if len(file.Path) <= len(version) || file.Path[:len(version)] != version {
				t.Errorf("%s lies outside %s", file.Path, version)
			}
		}
	})
}
