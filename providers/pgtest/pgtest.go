// Package pgtest gives tests outside providers/ (the end-to-end tests of
// cmd) a PostgreSQL schema of their own; see providers/internal/pgtest.
package pgtest

import (
	"testing"

	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

// Schema is a fresh schema on the test server, dropped when the test ends.
type Schema = pgtest.Schema

// New creates a schema for t, or skips (fails under CI=true) when no
// server answers.
func New(t testing.TB) *Schema { return pgtest.New(t) }

// DSN returns the test server's DSN.
func DSN() string { return pgtest.DSN() }
