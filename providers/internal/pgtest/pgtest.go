// Package pgtest gives tests a PostgreSQL schema of their own on the
// server named by MESHCTL_TEST_PG_DSN (default: the local server of the
// development and CI machines), so that runs never collide. Where no
// server answers, tests skip with a clear message — except under CI=true,
// where a missing server is a failure: CI must exercise PostgreSQL.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultDSN is the server tests use when MESHCTL_TEST_PG_DSN is unset.
const DefaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// DSN returns the test server's DSN.
func DSN() string {
	if v := os.Getenv("MESHCTL_TEST_PG_DSN"); v != "" {
		return v
	}
	return DefaultDSN
}

// Schema is a fresh schema on the test server, dropped when the test ends.
type Schema struct {
	// Name is the schema's name ("meshctl_t_<random>").
	Name string
	// DSN connects with search_path set to the schema, so unqualified
	// names land in it.
	DSN string
	// Conn is a connection for the test's own setup, with the same
	// search_path.
	Conn *pgx.Conn
}

// New creates a schema for t, or skips (fails under CI=true) when no
// server answers.
func New(t testing.TB) *Schema {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, DSN())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at MESHCTL_TEST_PG_DSN (%s) does not answer, and CI=true requires it: %v", redact(DSN()), err)
		}
		t.Skipf("skipping: no PostgreSQL at MESHCTL_TEST_PG_DSN (%s): %v", redact(DSN()), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "meshctl_t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		admin.Close(ctx)
		t.Fatalf("create schema %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
		admin.Close(ctx)
	})
	dsn := WithSearchPath(DSN(), name)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect with search_path %s: %v", name, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return &Schema{Name: name, DSN: dsn, Conn: conn}
}

// Exec runs SQL statements on the schema's connection, failing the test
// on error.
func (s *Schema) Exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := s.Conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// WithSearchPath returns dsn with search_path set to schema (URL DSNs
// and key=value DSNs both).
func WithSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " search_path=" + schema
}

// redact hides a password in a DSN for messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	return dsn
}
