package statepg

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/meshctl/meshctl/planner/statestore"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

// newBackend returns a backend on s (tables in s's schema through the
// DSN's search_path) that polls a held lock every few milliseconds.
func newBackend(t *testing.T, s *pgtest.Schema, workspace string) *Backend {
	t.Helper()
	b, err := New(Options{DSN: s.DSN, DSNSource: `env("STATE_DSN")`, Workspace: workspace})
	if err != nil {
		t.Fatal(err)
	}
	b.pollMin, b.pollJitter = 5*time.Millisecond, 5*time.Millisecond
	return b
}

// cells returns a query's single row as text (null as "∅").
func cells(t *testing.T, s *pgtest.Schema, sql string, args ...any) []string {
	t.Helper()
	rows, err := s.Conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]string, error) {
		vals := make([]*string, len(r.FieldDescriptions()))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = "∅"
			if v != nil {
				out[i] = *v
			}
		}
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%s: %d rows, want 1", sql, len(got))
	}
	return got[0]
}

func TestNewAndDescribe(t *testing.T) {
	for _, tc := range []struct {
		o    Options
		want string // Describe, or the error
	}{
		{Options{DSN: "postgres://u:secret@db/x", DSNSource: `env("STATE_DSN")`, Workspace: "sales"}, `postgres state meshctl_state, workspace "sales" (dsn env("STATE_DSN"))`},
		{Options{DSN: "postgres://u:secret@db/x", Table: "ops.mesh_state", Workspace: "sales"}, `postgres state ops.mesh_state, workspace "sales"`},
		{Options{DSN: "", DSNSource: `env("STATE_DSN")`, Workspace: "w"}, `postgres state: env("STATE_DSN") is empty`},
		{Options{DSN: "x", Workspace: ""}, "the workspace name is empty"},
		{Options{DSN: "x", Workspace: "w", Table: "a.b.c"}, `table "a.b.c" is not valid`},
		{Options{DSN: "x", Workspace: "w", Table: ".b"}, `table ".b" is not valid`},
		{Options{DSN: "x", Workspace: "w", Table: strings.Repeat("t", 60)}, "longer than PostgreSQL's 63 bytes"},
	} {
		b, err := New(tc.o)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = b.Describe()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("New(%+v): %q, want %q", tc.o, got, tc.want)
		}
		if strings.Contains(got, "secret") {
			t.Errorf("%q reveals the DSN", got)
		}
	}
}

// TestErrorsDoNotRevealTheDSN needs no server.
func TestErrorsDoNotRevealTheDSN(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{"postgres://app:s3cr3t@127.0.0.1:1/x?connect_timeout=2&sslmode=disable", "postgres://app:s3cr3t@db:notaport/x"} {
		b, err := New(Options{DSN: dsn, DSNSource: `env("STATE_DSN")`, Workspace: "w"})
		if err != nil {
			t.Fatal(err)
		}
		_, rerr := b.Read(ctx)
		for name, err := range map[string]error{"Read": rerr, "Write": b.Write(ctx, []byte("{}")),
			"Lock": b.Lock(ctx, statestore.LockInfo{ID: "a"}, 0), "ForceUnlock": b.ForceUnlock(ctx, "a")} {
			if err == nil || !strings.Contains(err.Error(), `env("STATE_DSN")`) {
				t.Errorf("%s: %v, want an error naming the DSN's variable", name, err)
			}
			if err != nil && strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("%s: the error reveals the DSN: %v", name, err)
			}
		}
	}
}

func TestReadMissing(t *testing.T) {
	s := pgtest.New(t)
	b := newBackend(t, s, "w")
	if _, err := b.Read(context.Background()); !errors.Is(err, statestore.ErrNotFound) {
		t.Fatalf("Read before any write (no table): %v, want ErrNotFound", err)
	}
	if err := newBackend(t, s, "other").Write(context.Background(), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Read(context.Background()); !errors.Is(err, statestore.ErrNotFound) {
		t.Fatalf("Read of a workspace without a row: %v, want ErrNotFound", err)
	}
	if _, err := b.Previous(context.Background()); !errors.Is(err, statestore.ErrNotFound) {
		t.Fatalf("Previous: %v, want ErrNotFound", err)
	}
}

// TestWriteRead: what is written is read back byte for byte, and the
// previous document is kept, as statelocal's backup.
func TestWriteRead(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
	}{
		{"one write", []string{`{"serial":1}`}},
		{"two writes", []string{`{"serial":1}`, `{"serial":2}`}},
		{"shorter after longer", []string{`{"serial":1,"products":{"a":{}}}`, `{}`}},
		{"empty document", []string{`{"serial":1}`, ``}},
		{"not JSON, spacing kept", []string{"1", "2", " {\n  \"b\": 1,  \"a\": 2\n}\n", "\x00binary\xff"}},
	}
	s := pgtest.New(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			b := newBackend(t, s, fmt.Sprintf("w%d", i))
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
				prev, err := b.Previous(ctx)
				switch {
				case i == 0 && !errors.Is(err, statestore.ErrNotFound):
					t.Errorf("previous after the first write: %q, %v", prev, err)
				case i > 0 && (err != nil || string(prev) != tt.writes[i-1]):
					t.Errorf("previous after write %d = %q, %v; want %q", i, prev, err, tt.writes[i-1])
				}
			}
		})
	}
}

// TestSerialAndLineage: serial and lineage are copied from the document,
// and a write that would go back in serial, or over another lineage, is
// refused by the database, leaving the row as it was.
func TestSerialAndLineage(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	b := newBackend(t, s, "w")
	doc := func(lineage string, serial int) string {
		return fmt.Sprintf(`{"format_version":1,"lineage":%q,"serial":%d}`, lineage, serial)
	}
	row := func() []string {
		return cells(t, s, "SELECT serial::text, lineage, previous_serial::text, convert_from(document, 'UTF8') FROM meshctl_state WHERE workspace = 'w'")
	}
	for _, step := range []struct {
		doc     string
		wantErr string
		row     []string // serial, lineage, previous serial, document after the step
	}{
		{doc("L", 1), "", []string{"1", "L", "∅", doc("L", 1)}},
		{doc("L", 2), "", []string{"2", "L", "1", doc("L", 2)}},
		{doc("L", 2), "refusing to write: the stored state has serial 2, this document 2 (it was written since this one was read); nothing was written", []string{"2", "L", "1", doc("L", 2)}},
		{doc("L", 1), "stored state has serial 2, this document 1", []string{"2", "L", "1", doc("L", 2)}},
		{doc("M", 9), "refusing to write: the stored state has lineage L, this document M (another workspace's state?); nothing was written", []string{"2", "L", "1", doc("L", 2)}},
		{doc("L", 5), "", []string{"5", "L", "2", doc("L", 5)}},
		{`not json`, "", []string{"∅", "∅", "5", "not json"}},
		{doc("M", 1), "", []string{"1", "M", "∅", doc("M", 1)}},
	} {
		err := b.Write(ctx, []byte(step.doc))
		switch {
		case step.wantErr == "" && err != nil:
			t.Fatalf("write %s: %v", step.doc, err)
		case step.wantErr != "" && (err == nil || !strings.Contains(err.Error(), step.wantErr)):
			t.Fatalf("write %s: %v, want an error containing %q", step.doc, err, step.wantErr)
		}
		if diff := cmp.Diff(step.row, row()); diff != "" {
			t.Errorf("after writing %s (-want +got):\n%s", step.doc, diff)
		}
	}
}

// TestConcurrentWrites: writes from many goroutines each land whole.
func TestConcurrentWrites(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	b := newBackend(t, s, "w")
	docs := map[string]bool{}
	var wg sync.WaitGroup
	for i := range 8 {
		doc := fmt.Sprintf("document %d %s", i, strings.Repeat("x", i*1000))
		docs[doc] = true
		wg.Go(func() {
			if err := b.Write(ctx, []byte(doc)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := b.Read(ctx)
	if err != nil || !docs[string(got)] {
		t.Errorf("state = %.20q, %v: not one of the documents written", got, err)
	}
	prev, err := b.Previous(ctx)
	if err != nil || !docs[string(prev)] || string(prev) == string(got) {
		t.Errorf("previous = %.20q, %v: not another of the documents written", prev, err)
	}
}

// TestQualifiedTable: a schema-qualified table is used whatever the
// search_path, and its lock table is named after it.
func TestQualifiedTable(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	b, err := New(Options{DSN: pgtest.DSN(), Table: s.Name + ".mesh_state", Workspace: "w"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(ctx, []byte("doc")); err != nil {
		t.Fatal(err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{ID: "L"}, 0); err != nil {
		t.Fatal(err)
	}
	defer b.Unlock(ctx, "L")
	got := cells(t, s, "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = $1", s.Name)
	if diff := cmp.Diff([]string{"mesh_state,mesh_state_locks"}, got); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
}
