package pgtest

import (
	"context"
	"testing"
)

func TestSchemaIsolated(t *testing.T) {
	s := New(t)
	s.Exec(t, "CREATE TABLE t (id int)")
	var schema string
	if err := s.Conn.QueryRow(context.Background(), "SELECT table_schema FROM information_schema.tables WHERE table_name = 't' AND table_schema = current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if schema != s.Name {
		t.Errorf("table created in %q, want %q", schema, s.Name)
	}
}

func TestWithSearchPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?search_path=s&sslmode=disable"},
		{"host=h user=u", "host=h user=u search_path=s"},
	} {
		if got := WithSearchPath(tc.in, "s"); got != tc.want {
			t.Errorf("WithSearchPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := redact("postgres://u:secret@h/db"); got != "postgres://u:xxxxx@h/db" {
		t.Errorf("redact = %q", got)
	}
}
