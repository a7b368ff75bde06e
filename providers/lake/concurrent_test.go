package lake

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

// versionFiles returns the files of version i: a varying number of
// partitions, each file holding its version and its path, so that a
// reader sees whether the files it read belong together.
func versionFiles(id string, i int) map[string]string {
	files := map[string]string{}
	for p := range 1 + i%3 {
		rel := fmt.Sprintf("p=%d/part-00000.csv", p)
		files[rel] = id + " " + rel
	}
	return files
}

// versionOf returns the version id in the path of a file of a published
// output.
func versionOf(path string) string {
	_, rest, _ := strings.Cut(filepath.ToSlash(path), "/"+lakeio.VersionsDir+"/")
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// TestConcurrentReaders publishes and prunes versions in a loop while
// readers read the output as a scan does (through localfiles.Match) and
// read its manifest raw: a reader must never see a torn manifest, files
// of two versions, or a missing file of the version that is current.
func TestConcurrentReaders(t *testing.T) {
	root := t.TempDir()
	l := New(root)
	const path = "lake/out"
	manifestFile := filepath.Join(root, path, lakeio.ManifestName)
	publish(t, l, path, "v00000", versionFiles("v00000", 0))

	versions := 60
	if testing.Short() {
		versions = 20
	}
	var (
		done     atomic.Bool
		reads    atomic.Int64
		outdated atomic.Int64
		seenMu   sync.Mutex
		seen     = map[string]bool{}
		wg       sync.WaitGroup
	)
	// current returns the version the manifest names now.
	current := func() (string, error) {
		data, err := os.ReadFile(manifestFile)
		if err != nil {
			return "", err
		}
		var m lakeio.Manifest
		if err := json.Unmarshal(data, &m); err != nil {
			return "", fmt.Errorf("torn manifest %q: %w", data, err)
		}
		return m.VersionID, nil
	}
	reader := func() {
		for !done.Load() {
			if _, err := current(); err != nil {
				t.Error(err)
				return
			}
			files, err := localfiles.Match(root, path, ".csv")
			if err != nil {
				t.Errorf("Match: %v", err)
				return
			}
			id := versionOf(files[0].Path)
			ok := true
			for _, f := range files {
				if v := versionOf(f.Path); v != id {
					t.Errorf("one read lists files of versions %s and %s", id, v)
					return
				}
				data, err := os.ReadFile(f.Path)
				if err != nil {
					// Only a version that is no longer current may go.
					now, cerr := current()
					if cerr != nil {
						t.Error(cerr)
						return
					}
					if now == id {
						t.Errorf("a file of the current version %s: %v", id, err)
						return
					}
					outdated.Add(1)
					ok = false
					break
				}
				if want := id + " " + f.Rel; string(data) != want {
					t.Errorf("%s holds %q, want %q", f.Name, data, want)
					return
				}
			}
			if ok {
				reads.Add(1)
				seenMu.Lock()
				seen[id] = true
				seenMu.Unlock()
			}
		}
	}
	for range 2 {
		wg.Go(reader)
	}
	for i := 1; i <= versions && !t.Failed(); i++ {
		id := fmt.Sprintf("v%05d", i)
		m := stage(t, l, path, id, versionFiles(id, i))
		if i%7 == 0 {
			// A version whose checks failed: never published.
			if err := l.Discard(ctx, path, id); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := l.Publish(ctx, path, m); err != nil {
			t.Fatal(err)
		}
		if err := l.Prune(ctx, path, 1+i%2); err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	wg.Wait()
	t.Logf("%d whole reads of %d versions, %d reads overtaken by a prune", reads.Load(), len(seen), outdated.Load())
	if reads.Load() == 0 || len(seen) < 2 {
		t.Errorf("the readers read %d times, %d versions: the test proves nothing", reads.Load(), len(seen))
	}
}
