package statelocal

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/meshctl/meshctl/planner/statestore"
)

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// readOrAbsent returns a file's content, or "<absent>".
func readOrAbsent(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "<absent>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDescribe(t *testing.T) {
	if got, want := New(".meshctl/state.json").Describe(), "local state .meshctl/state.json"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
}

func TestReadMissing(t *testing.T) {
	b := New(filepath.Join(t.TempDir(), ".meshctl", "state.json"))
	_, err := b.Read(context.Background())
	if !errors.Is(err, statestore.ErrNotFound) {
		t.Fatalf("Read of a missing state: err = %v, want ErrNotFound", err)
	}
}

func TestWriteRead(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
	}{
		{"one write", []string{`{"serial":1}`}},
		{"two writes", []string{`{"serial":1}`, `{"serial":2}`}},
		{"shorter after longer", []string{`{"serial":1,"products":{"a":{}}}`, `{}`}},
		{"empty document", []string{`{"serial":1}`, ``}},
		{"many writes", []string{"1", "2", "3", "4", "5", "6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), ".meshctl")
			path := filepath.Join(dir, "state.json")
			b := New(path)
			for i, doc := range tt.writes {
				if err := b.Write(ctx, []byte(doc)); err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				got, err := b.Read(ctx)
				if err != nil {
					t.Fatalf("read after write %d: %v", i, err)
				}
				if diff := cmp.Diff(doc, string(got)); diff != "" {
					t.Errorf("read after write %d (-want +got):\n%s", i, diff)
				}
				wantBackup := "<absent>"
				if i > 0 {
					wantBackup = tt.writes[i-1]
				}
				if diff := cmp.Diff(wantBackup, readOrAbsent(t, path+".backup")); diff != "" {
					t.Errorf("backup after write %d (-want +got):\n%s", i, diff)
				}
			}
			want := []string{"state.json"}
			if len(tt.writes) > 1 {
				want = append(want, "state.json.backup")
			}
			if diff := cmp.Diff(want, listDir(t, dir)); diff != "" {
				t.Errorf("files left in the folder (-want +got):\n%s", diff)
			}
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o700 {
				t.Errorf("created folder mode = %v, want 0700", got)
			}
		})
	}
}

// TestWriteWithoutHardLinks covers file systems without hard links, where
// the backup is a copy.
func TestWriteWithoutHardLinks(t *testing.T) {
	saved := link
	link = func(string, string) error { return &os.LinkError{Op: "link", Err: errors.ErrUnsupported} }
	defer func() { link = saved }()

	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	b := New(path)
	for _, doc := range []string{"first", "second", "third"} {
		if err := b.Write(ctx, []byte(doc)); err != nil {
			t.Fatal(err)
		}
	}
	if got := readOrAbsent(t, path); got != "third" {
		t.Errorf("state = %q, want third", got)
	}
	if got := readOrAbsent(t, path+".backup"); got != "second" {
		t.Errorf("backup = %q, want second", got)
	}
	if diff := cmp.Diff([]string{"state.json", "state.json.backup"}, listDir(t, dir)); diff != "" {
		t.Errorf("files left in the folder (-want +got):\n%s", diff)
	}
}

// TestCrashLeftovers: temp files a crashed write left behind are neither
// read nor in the way.
func TestCrashLeftovers(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	b := New(path)
	if err := b.Write(ctx, []byte("good")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"state.json.tmp-123", "state.json.backup.tmp-abc"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("half a docu"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.Read(ctx)
	if err != nil || string(got) != "good" {
		t.Fatalf("Read = %q, %v; want good", got, err)
	}
	if err := b.Write(ctx, []byte("better")); err != nil {
		t.Fatal(err)
	}
	got, err = b.Read(ctx)
	if err != nil || string(got) != "better" {
		t.Fatalf("Read = %q, %v; want better", got, err)
	}
	if got := readOrAbsent(t, path+".backup"); got != "good" {
		t.Errorf("backup = %q, want good", got)
	}
}

// TestWriteFailureKeepsState: a write that fails part way leaves the state
// file as it was, and no temp file.
func TestWriteFailureKeepsState(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	b := New(path)
	if err := b.Write(ctx, []byte("v1")); err != nil {
		t.Fatal(err)
	}
	// A non-empty folder where the backup goes cannot be renamed over.
	if err := os.MkdirAll(filepath.Join(path+".backup", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := b.Write(ctx, []byte("v2"))
	if err == nil {
		t.Fatal("Write succeeded with a folder in the backup's place")
	}
	if !strings.Contains(err.Error(), path+".backup") {
		t.Errorf("error %q does not name the backup %s", err, path+".backup")
	}
	if got := readOrAbsent(t, path); got != "v1" {
		t.Errorf("state after a failed write = %q, want v1", got)
	}
	if diff := cmp.Diff([]string{"state.json", "state.json.backup"}, listDir(t, dir)); diff != "" {
		t.Errorf("files left in the folder (-want +got):\n%s", diff)
	}
}

func TestErrorsNamePath(t *testing.T) {
	ctx := context.Background()
	t.Run("folder is a file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "not-a-folder")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(file, ".meshctl", "state.json")
		b := New(path)
		if _, err := b.Read(ctx); err == nil || errors.Is(err, statestore.ErrNotFound) || !strings.Contains(err.Error(), path) {
			t.Errorf("Read error %v does not name %s", err, path)
		}
		if err := b.Write(ctx, []byte("x")); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Write error %v does not name %s", err, path)
		}
		if err := b.Lock(ctx, statestore.LockInfo{ID: "a"}, 0); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Lock error %v does not name %s", err, path)
		}
	})
	t.Run("state is a folder", func(t *testing.T) {
		path := t.TempDir()
		if _, err := New(path).Read(ctx); err == nil || errors.Is(err, statestore.ErrNotFound) || !strings.Contains(err.Error(), path) {
			t.Errorf("Read error %v does not name %s", err, path)
		}
	})
	t.Run("read-only folder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only folders")
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "state.json")
		b := New(path)
		if err := b.Write(ctx, []byte("v1")); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		if err := b.Write(ctx, []byte("v2")); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Write error %v does not name %s", err, path)
		}
		if err := b.Lock(ctx, statestore.LockInfo{ID: "a"}, 0); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("Lock error %v does not name %s", err, path)
		}
		if got := readOrAbsent(t, path); got != "v1" {
			t.Errorf("state = %q, want v1", got)
		}
	})
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := New(filepath.Join(t.TempDir(), "state.json"))
	if _, err := b.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Read: %v, want context.Canceled", err)
	}
	if err := b.Write(ctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Write: %v, want context.Canceled", err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{ID: "a"}, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock: %v, want context.Canceled", err)
	}
}

// TestConcurrentWrites: writes from many goroutines each land whole; the
// state and the backup are each one of the documents, and no temp file is
// left.
func TestConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	b := New(path)
	docs := map[string]bool{}
	var wg sync.WaitGroup
	for i := range 16 {
		doc := fmt.Sprintf("document %d %s", i, strings.Repeat("x", i*100))
		docs[doc] = true
		wg.Go(func() {
			if err := b.Write(ctx, []byte(doc)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, p := range []string{path, path + ".backup"} {
		if got := readOrAbsent(t, p); !docs[got] {
			t.Errorf("%s = %q, not one of the documents written", p, got)
		}
	}
	if diff := cmp.Diff([]string{"state.json", "state.json.backup"}, listDir(t, dir)); diff != "" {
		t.Errorf("files left in the folder (-want +got):\n%s", diff)
	}
}
