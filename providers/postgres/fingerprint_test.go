package postgres

import (
	"context"
	"regexp"
	"testing"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

func TestFingerprint(t *testing.T) {
	s := pgtest.New(t)
	// A column named like the alias the statement uses must not confuse
	// the whole-row reference.
	s.Exec(t, `CREATE TABLE accounts (id int8 PRIMARY KEY, owner text, balance numeric(12,2), meshctl_t int)`)
	s.Exec(t, `INSERT INTO accounts SELECT g, 'owner ' || g, g * 10.5, 0 FROM generate_series(1, 1000) g`)
	ctx := context.Background()
	fp := func(src *ir.Source) string {
		t.Helper()
		got, err := Fingerprint(ctx, src, envOf(s.DSN))
		if err != nil {
			t.Fatalf("Fingerprint: %v", err)
		}
		if !regexp.MustCompile(`^pg:[0-9]+:[0-9a-f]{16}$`).MatchString(got) {
			t.Fatalf("fingerprint %q is not pg:<rows>:<16 hex digits>", got)
		}
		return got
	}
	table := tableSource("accounts")
	query := querySource("SELECT id, balance FROM accounts WHERE id <= 10")
	first, firstQuery := fp(table), fp(query)
	if first[:8] != "pg:1000:" || firstQuery[:6] != "pg:10:" {
		t.Errorf("fingerprints %q and %q do not start with their row counts", first, firstQuery)
	}
	steps := []struct {
		name              string
		sql               string
		changes, changesQ bool
	}{
		{"nothing", ``, false, false},
		{"vacuum full reorders nothing that matters", `VACUUM FULL accounts`, false, false},
		{"an index", `CREATE INDEX ON accounts (owner)`, false, false},
		{"update with the same values", `UPDATE accounts SET owner = owner`, false, false},
		{"insert", `INSERT INTO accounts VALUES (1001, 'new', 1, 0)`, true, false},
		{"delete it again", `DELETE FROM accounts WHERE id = 1001`, true, false},
		{"update", `UPDATE accounts SET balance = balance + 0.01 WHERE id = 5`, true, true},
		{"update back", `UPDATE accounts SET balance = balance - 0.01 WHERE id = 5`, true, true},
		{"swap two owners", `UPDATE accounts SET owner = CASE id WHEN 1 THEN 'owner 2' ELSE 'owner 1' END WHERE id IN (1, 2)`, true, false},
		{"delete", `DELETE FROM accounts WHERE id = 3`, true, true},
	}
	prev, prevQ := first, firstQuery
	for _, st := range steps {
		if st.sql != "" {
			s.Exec(t, st.sql)
		}
		got, gotQ := fp(table), fp(query)
		if (got != prev) != st.changes {
			t.Errorf("after %s: table fingerprint %s → %s, want changed = %v", st.name, prev, got, st.changes)
		}
		if (gotQ != prevQ) != st.changesQ {
			t.Errorf("after %s: query fingerprint %s → %s, want changed = %v", st.name, prevQ, gotQ, st.changesQ)
		}
		prev, prevQ = got, gotQ
	}
	// The same data gives the same fingerprint: what was deleted and
	// updated back leaves the table's (apart from the swap and the
	// delete) as it was.
	s.Exec(t, `INSERT INTO accounts VALUES (3, 'owner 3', 31.5, 0)`)
	s.Exec(t, `UPDATE accounts SET owner = 'owner ' || id WHERE id IN (1, 2)`)
	if got := fp(table); got != first {
		t.Errorf("restored table: fingerprint %s, want the first one %s", got, first)
	}

	empty := querySource("SELECT 1 AS x WHERE false")
	if got := fp(empty); got[:5] != "pg:0:" {
		t.Errorf("empty result: %s", got)
	}
	if _, err := Fingerprint(ctx, tableSource("nope"), envOf(s.DSN)); err == nil {
		t.Error("Fingerprint of a missing table: no error")
	}
}
