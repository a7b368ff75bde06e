package pgtable

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/lakeio"
)

// TestPublishCurrentVerify: publishes replace the table, keep the
// previous version, record the manifest; Current, Fingerprint and Verify
// read them back.
func TestPublishCurrentVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")
	if _, _, err := f.lake.Current(ctx, loc); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Fatalf("Current before any publish: %v, want ErrNotPublished", err)
	}
	if _, err := f.lake.Fingerprint(ctx, loc); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Fatalf("Fingerprint before any publish: %v, want ErrNotPublished", err)
	}

	var sums []string
	for i, n := range []int{3, 5, 2} {
		id := "v" + strconv.Itoa(i+1)
		m := f.publish(loc, ordersSchema, version{id: id, rows: orders(n)})
		got, sum, err := f.lake.Current(ctx, loc)
		if err != nil {
			t.Fatalf("Current after %s: %v", id, err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("Current after %s (-published +read):\n%s", id, diff)
		}
		if _, again, _ := f.lake.Current(ctx, loc); again != sum || len(sum) != 64 {
			t.Errorf("the manifest's sum %q is not stable (%q)", sum, again)
		}
		sums = append(sums, sum)
		if fp, err := f.lake.Fingerprint(ctx, loc); err != nil || fp != "version:"+id {
			t.Errorf("Fingerprint = %q, %v; want version:%s", fp, err, id)
		}
		if problems, err := f.lake.Verify(ctx, loc, got, true); err != nil || len(problems) > 0 {
			t.Errorf("Verify after %s: %v %q", id, err, problems)
		}
		if got := f.one("SELECT count(*)::text FROM " + quote(f.s.Name, "orders")); got != strconv.Itoa(n) {
			t.Errorf("after %s the table holds %s rows, want %d", id, got, n)
		}
	}
	if sums[0] == sums[1] || sums[1] == sums[2] {
		t.Errorf("versions share a manifest sum: %v", sums)
	}
	// One previous version is kept, with its rows.
	o := target{schema: f.s.Name, table: "orders"}
	want := []string{ManifestsTable, "orders", o.previous("v2")}
	slices.Sort(want)
	if diff := cmp.Diff(want, f.tables()); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	if got := f.one("SELECT count(*)::text FROM " + quote(f.s.Name, o.previous("v2"))); got != "5" {
		t.Errorf("the kept version holds %s rows, want 5", got)
	}
	if got := f.one("SELECT obj_description(to_regclass($1), 'pg_class')", quote(f.s.Name, "orders")); got != "meshctl: product orders, version v3" {
		t.Errorf("comment = %q", got)
	}
	row := f.query("SELECT location, sha256, manifest->>'version_id' FROM "+quote(f.s.Name, ManifestsTable)+" WHERE table_name = $1", "orders")
	if diff := cmp.Diff([][]string{{loc, sums[2], "v3"}}, row); diff != "" {
		t.Errorf("manifest row (-want +got):\n%s", diff)
	}

	// Prune keeps the previous version with keep 2, drops it with 1.
	if err := f.lake.Prune(ctx, loc, 2); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(f.tables(), o.previous("v2")) {
		t.Error("Prune(2) dropped the previous version")
	}
	if err := f.lake.Prune(ctx, loc, 1); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ManifestsTable, "orders"}, f.tables()); diff != "" {
		t.Errorf("tables after Prune(1) (-want +got):\n%s", diff)
	}
	if err := f.lake.Prune(ctx, loc, -1); err == nil {
		t.Error("Prune(-1) succeeded")
	}

	// A version id is published once.
	if _, err := f.lake.Stage(ctx, loc, "v3"); err == nil || !strings.Contains(err.Error(), "version v3 is already published") {
		t.Errorf("Stage of the current version: %v", err)
	}
}

// TestPublishIsAtomicForReaders: a reader polling the table while
// versions are published (each publish holding its transaction open a
// while) sees whole versions only, in order, and never an error.
func TestPublishIsAtomicForReaders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")
	f.publish(loc, ordersSchema, version{id: "v0", rows: orders(100)})
	f.lake.beforeCommit = func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "SELECT pg_sleep(0.2)")
		return err
	}

	reader, err := pgx.Connect(ctx, f.s.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close(ctx)
	stop := make(chan struct{})
	var seen []int
	var readErr error
	var slowest time.Duration
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n int
			start := time.Now()
			if err := reader.QueryRow(ctx, "SELECT count(*) FROM "+quote(f.s.Name, "orders")).Scan(&n); err != nil {
				readErr = err
				return
			}
			slowest = max(slowest, time.Since(start))
			if len(seen) == 0 || seen[len(seen)-1] != n {
				seen = append(seen, n)
			}
		}
	})
	for i := 1; i <= 4; i++ {
		f.publish(loc, ordersSchema, version{id: "v" + strconv.Itoa(i), rows: orders(100 * (i + 1))})
	}
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	if readErr != nil {
		t.Fatalf("the reader failed: %v", readErr)
	}
	// Whole versions only, in publishing order (a busy machine may keep
	// the reader from seeing every one), the last one last.
	if len(seen) == 0 || seen[0] != 100 || seen[len(seen)-1] != 500 || !slices.IsSorted(seen) ||
		slices.ContainsFunc(seen, func(n int) bool { return n%100 != 0 }) {
		t.Errorf("row counts the reader saw: %v, want whole versions in order, from 100 to 500", seen)
	}
	// The reader did run into publishes: it waited for one to commit.
	if slowest < 100*time.Millisecond {
		t.Errorf("no read waited for a publish (the slowest took %v): the test did not race", slowest)
	}
}

// TestFailedPublishKeepsOld: a publish whose transaction fails (at its
// end, or on a reader that is no role) leaves the old table, its grants
// and its manifest, and the staged table for Discard.
func TestFailedPublishKeepsOld(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")
	role := f.newRole("analyst")
	v1 := f.publish(loc, ordersSchema, version{id: "v1", rows: orders(3), readers: []string{role}})
	_, sum1, err := f.lake.Current(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	o := target{schema: f.s.Name, table: "orders"}

	for _, tc := range []struct {
		name    string
		readers []string
		fail    error
		want    string
	}{
		{"failure before the commit", []string{role}, errors.New("injected"), "injected"},
		{"a reader that is no role", []string{role, "no_such_role_x", "everyone"}, nil,
			"the readers no_such_role_x are not roles of the database of " + testEnv + ": create them (CREATE ROLE), or change access { readers } (\"everyone\" grants to PUBLIC); nothing was published"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.lake.beforeCommit = nil
			if tc.fail != nil {
				f.lake.beforeCommit = func(context.Context, pgx.Tx) error { return tc.fail }
			}
			defer func() { f.lake.beforeCommit = nil }()
			f.stageAndWrite(loc, ordersSchema, version{id: "v2", rows: orders(7)})
			err := f.lake.Publish(ctx, loc, manifestFor(ordersSchema, version{id: "v2", rows: orders(7), readers: tc.readers}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Publish: %v, want an error containing %q", err, tc.want)
			}
			m, sum, err := f.lake.Current(ctx, loc)
			if err != nil || m.VersionID != "v1" || sum != sum1 {
				t.Fatalf("Current after a failed publish: %v, %v, %v; want v1", m, sum, err)
			}
			if problems, err := f.lake.Verify(ctx, loc, v1, true); err != nil || len(problems) > 0 {
				t.Errorf("Verify of v1 after a failed publish: %v %q", err, problems)
			}
			want := []string{ManifestsTable, "orders", o.staged("v2")}
			slices.Sort(want)
			if diff := cmp.Diff(want, f.tables()); diff != "" {
				t.Errorf("tables (-want +got):\n%s", diff)
			}
			if err := f.lake.Discard(ctx, loc, "v2"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestVerifyDrift: each change made behind meshctl's back is one
// problem line.
func TestVerifyDrift(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	role := f.newRole("reader")
	other := f.newRole("other")
	for i, tc := range []struct {
		name   string
		change string // SQL, %s standing for the table
		deep   bool
		want   []string // the lines after "<schema>.<table>: "
	}{
		{"unchanged", "", true, nil},
		{"dropped", "DROP TABLE %s", false, []string{"the table is missing"}},
		{"column type changed", "ALTER TABLE %s ALTER COLUMN amount TYPE numeric(20,4)", false,
			[]string{`column "amount" is numeric(20,4), the manifest records decimal(18,2) (numeric(18,2))`}},
		{"column added", "ALTER TABLE %s ADD COLUMN note text", false, []string{`column "note" is not in the manifest`}},
		{"column dropped", "ALTER TABLE %s DROP COLUMN amount", false, []string{`column "amount" is missing`}},
		{"column renamed", "ALTER TABLE %s RENAME COLUMN amount TO amt", false, []string{`column "amount" is missing`, `column "amt" is not in the manifest`}},
		{"not null dropped", "ALTER TABLE %s ALTER COLUMN id DROP NOT NULL", false, []string{`column "id" is nullable, the manifest records NOT NULL`}},
		{"grant revoked", "REVOKE SELECT ON %s FROM " + quote(role), false, []string{"SELECT to " + role + " is not granted"}},
		{"public revoked", "REVOKE SELECT ON %s FROM PUBLIC", false, []string{"SELECT to PUBLIC (reader everyone) is not granted"}},
		{"grant added", "GRANT SELECT, INSERT ON %s TO " + quote(other), false,
			[]string{"INSERT is granted to " + other + ", which the manifest does not list", "SELECT is granted to " + other + ", which the manifest does not list"}},
		{"rows deleted, shallow", "DELETE FROM %s WHERE id > 2", false, nil},
		{"rows deleted, deep", "DELETE FROM %s WHERE id > 2", true, []string{"the table holds 2 rows, the manifest records 4"}},
		{"replaced", "COMMENT ON TABLE %s IS 'mine now'", false,
			[]string{"the table is not the one meshctl published as version v1 (its comment does not name it): it was replaced or its comment changed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table := fmt.Sprintf("orders_%d", i)
			loc := f.loc(table)
			m := f.publish(loc, ordersSchema, version{id: "v1", rows: orders(4), readers: []string{role, "everyone"}})
			if tc.change != "" {
				f.s.Exec(t, fmt.Sprintf(tc.change, quote(f.s.Name, table)))
			}
			got, err := f.lake.Verify(ctx, loc, m, tc.deep)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range tc.want {
				want = append(want, f.s.Name+"."+table+": "+line)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGrants: readers get SELECT (everyone is PUBLIC), others nothing,
// whatever the schema's default privileges gave the staged table.
func TestGrants(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	reader := f.newRole("reader")
	outsider := f.newRole("outsider")
	f.s.Exec(t, "ALTER DEFAULT PRIVILEGES IN SCHEMA "+quote(f.s.Name)+" GRANT SELECT, INSERT ON TABLES TO "+quote(outsider))

	canRead := func(role, table string) bool {
		t.Helper()
		tx, err := f.s.Conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "SET LOCAL ROLE "+quote(role)); err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, "SELECT count(*) FROM "+quote(f.s.Name, table))
		return err == nil
	}

	for _, tc := range []struct {
		name                    string
		readers                 []string
		readerReads, otherReads bool
		grants                  [][]string
	}{
		{"one role", []string{reader}, true, false, [][]string{{reader, "SELECT"}}},
		{"everyone", []string{"everyone"}, true, true, [][]string{{"PUBLIC", "SELECT"}}},
		{"a role and everyone", []string{reader, "everyone"}, true, true, [][]string{{"PUBLIC", "SELECT"}, {reader, "SELECT"}}},
		{"no readers", nil, false, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table := strings.ReplaceAll(tc.name, " ", "_")
			loc := f.loc(table)
			m := f.publish(loc, ordersSchema, version{id: "v1", rows: orders(2), readers: tc.readers})
			_, grants, err := tableGrants(ctx, f.s.Conn, f.s.Name, table)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, g := range grants {
				got = append(got, []string{g.grantee, g.privilege})
			}
			if diff := cmp.Diff(tc.grants, got); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			if got := canRead(reader, table); got != tc.readerReads {
				t.Errorf("the reader role can read: %v, want %v", got, tc.readerReads)
			}
			if got := canRead(outsider, table); got != tc.otherReads {
				t.Errorf("another role can read: %v, want %v", got, tc.otherReads)
			}
			if problems, err := f.lake.Verify(ctx, loc, m, false); err != nil || len(problems) > 0 {
				t.Errorf("Verify: %v %q", err, problems)
			}
		})
	}
}

// TestPruneStaleStaging: staged tables that interrupted applies left are
// dropped by the next Prune, the published table and others' tables
// stay.
func TestPruneStaleStaging(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")
	f.stageAndWrite(loc, ordersSchema, version{id: "crashed-1", rows: orders(2)})
	if _, err := f.lake.Stage(ctx, loc, "crashed-2"); err != nil {
		t.Fatal(err)
	}
	other := f.loc("orders_other")
	f.stageAndWrite(other, ordersSchema, version{id: "crashed-3", rows: orders(1)})
	f.publish(loc, ordersSchema, version{id: "v1", rows: orders(3)})
	o := target{schema: f.s.Name, table: "orders"}
	if !slices.Contains(f.tables(), o.staged("crashed-1")) || !slices.Contains(f.tables(), o.staged("crashed-2")) {
		t.Fatalf("the leftovers are not there to prune: %v", f.tables())
	}
	if err := f.lake.Prune(ctx, loc, 3); err != nil {
		t.Fatal(err)
	}
	oo := target{schema: f.s.Name, table: "orders_other"}
	want := []string{ManifestsTable, "orders", oo.staged("crashed-3")}
	slices.Sort(want)
	if diff := cmp.Diff(want, f.tables()); diff != "" {
		t.Errorf("tables after Prune (-want +got):\n%s", diff)
	}
}

// TestDelete drops the table, its versions and its manifest row, but not
// a table meshctl did not publish; Stage and Publish refuse such a table.
func TestDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")
	f.publish(loc, ordersSchema, version{id: "v1", rows: orders(3)})
	f.publish(loc, ordersSchema, version{id: "v2", rows: orders(4)})
	if _, err := f.lake.Stage(ctx, loc, "v3"); err != nil {
		t.Fatal(err)
	}
	if err := f.lake.Delete(ctx, loc); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{ManifestsTable}, f.tables()); diff != "" {
		t.Errorf("tables after Delete (-want +got):\n%s", diff)
	}
	if got := f.one("SELECT count(*)::text FROM " + quote(f.s.Name, ManifestsTable)); got != "0" {
		t.Errorf("%s manifest rows left", got)
	}
	if _, _, err := f.lake.Current(ctx, loc); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Errorf("Current after Delete: %v", err)
	}
	if err := f.lake.Delete(ctx, loc); err != nil {
		t.Errorf("Delete of nothing: %v", err)
	}

	f.s.Exec(t, "CREATE TABLE "+quote(f.s.Name, "orders")+" (id bigint)")
	if err := f.lake.Delete(ctx, loc); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(f.tables(), "orders") {
		t.Error("Delete dropped a table meshctl did not publish")
	}
	want := "table " + f.s.Name + ".orders exists but meshctl did not publish it"
	if _, err := f.lake.Stage(ctx, loc, "v4"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Stage over a foreign table: %v", err)
	}
	if _, _, err := f.lake.Current(ctx, loc); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Errorf("Current of a foreign table: %v", err)
	}
}

// TestCurrentOfDroppedTable: a manifest row whose table is gone is not a
// publication; publishing again works.
func TestCurrentOfDroppedTable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")
	f.publish(loc, ordersSchema, version{id: "v1", rows: orders(3)})
	f.s.Exec(t, "DROP TABLE "+quote(f.s.Name, "orders"))
	if _, _, err := f.lake.Current(ctx, loc); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Fatalf("Current: %v, want ErrNotPublished", err)
	}
	f.publish(loc, ordersSchema, version{id: "v2", rows: orders(2)})
	if m, _, err := f.lake.Current(ctx, loc); err != nil || m.VersionID != "v2" {
		t.Errorf("Current after publishing again: %v, %v", m, err)
	}
}

// TestPublishChecksTheStagedTable: a manifest whose schema the staged
// table does not have, or a version never staged, is not published.
func TestPublishChecksTheStagedTable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")
	err := f.lake.Publish(ctx, loc, manifestFor(ordersSchema, version{id: "ghost"}))
	if err == nil || !strings.Contains(err.Error(), "version ghost was not staged") {
		t.Errorf("Publish of a version never staged: %v", err)
	}
	f.stageAndWrite(loc, ordersSchema, version{id: "v1", rows: orders(1)})
	other := types.Schema{{Name: "id", Type: types.Int32Type}, ordersSchema[1]}
	err = f.lake.Publish(ctx, loc, manifestFor(other, version{id: "v1"}))
	if err == nil || !strings.Contains(err.Error(), `does not match the manifest: column "id" is bigint, the manifest records int32 (integer)`) {
		t.Errorf("Publish with another schema: %v", err)
	}
}

// TestSchemaMissing: publishing into a schema that does not exist says
// so.
func TestSchemaMissing(t *testing.T) {
	f := newFixture(t)
	loc := ir.PostgresLocation(testEnv, f.s.Name+"_nope.orders")
	_, err := f.lake.Stage(context.Background(), loc, "v1")
	if err == nil || !strings.Contains(err.Error(), "schema "+f.s.Name+"_nope does not exist") {
		t.Errorf("Stage into a missing schema: %v", err)
	}
}

// TestErrorsNameTheVariableNotTheDSN needs no server: a DSN that is
// unset, does not parse or does not connect is reported by its variable,
// and its password is never in a message.
func TestErrorsNameTheVariableNotTheDSN(t *testing.T) {
	const secret = "s3cr3t-pa55"
	ctx := context.Background()
	loc := ir.PostgresLocation("WAREHOUSE_DSN", "analytics.orders")
	for _, tc := range []struct {
		name string
		dsn  string // "" for unset
		want string
	}{
		{"unset", "", "environment variable WAREHOUSE_DSN is not set: it holds the DSN of the database of " + loc},
		{"unparsable", "postgres://app:" + secret + "@db:notaport/x", "the DSN in environment variable WAREHOUSE_DSN does not parse"},
		{"unreachable", "postgres://app:" + secret + "@127.0.0.1:1/x?connect_timeout=2&sslmode=disable", "connect to the database of " + loc + " (DSN from WAREHOUSE_DSN)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Getenv: func(name string) (string, bool) {
				if name == "WAREHOUSE_DSN" && tc.dsn != "" {
					return tc.dsn, true
				}
				return "", false
			}}
			calls := map[string]func() error{
				"Stage":   func() error { _, err := New(o).Stage(ctx, loc, "v1"); return err },
				"Current": func() error { _, _, err := New(o).Current(ctx, loc); return err },
				"Publish": func() error { return New(o).Publish(ctx, loc, &lakeio.Manifest{VersionID: "v1"}) },
				"Sinker": func() error {
					_, err := NewSinker(o).Create(ctx, dataioRequest(loc))
					return err
				},
			}
			for name, call := range calls {
				err := call()
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: %v, want an error containing %q", name, err, tc.want)
					continue
				}
				if strings.Contains(err.Error(), secret) || (tc.dsn != "" && strings.Contains(err.Error(), tc.dsn)) {
					t.Errorf("%s: the error reveals the DSN: %v", name, err)
				}
			}
		})
	}
}

func TestTableNames(t *testing.T) {
	long := strings.Repeat("é", 40) // 80 bytes
	for _, tc := range []struct {
		table, wantBase string
	}{
		{"orders", "orders"},
		{strings.Repeat("x", 39), strings.Repeat("x", 39)},
		{strings.Repeat("x", 40), strings.Repeat("x", 30) + "_"},
		{long, strings.Repeat("é", 15) + "_"},
	} {
		o := target{schema: "s", table: tc.table}
		base := o.base()
		if !strings.HasPrefix(base, tc.wantBase) {
			t.Errorf("base(%q) = %q, want it to start with %q", tc.table, base, tc.wantBase)
		}
		for _, name := range []string{o.staged("20261125T161500Z-01e240"), o.previous("v1")} {
			if len(name) > maxIdentifier || !strings.HasPrefix(name, base+"__meshctl_") {
				t.Errorf("table %q: name %q is %d bytes or does not start with its base", tc.table, name, len(name))
			}
		}
	}
	a, b := target{table: strings.Repeat("x", 40) + "a"}, target{table: strings.Repeat("x", 40) + "b"}
	if a.base() == b.base() {
		t.Errorf("two long names share the base %q", a.base())
	}
	if o := (target{table: "t"}); o.staged("v1") == o.staged("v2") || o.staged("v1") == o.previous("v1") {
		t.Error("names collide")
	}
}

// TestManifestEditedByHand: the sum Current returns is of the stored
// manifest, so that the planner notices a row edited behind its back.
func TestManifestEditedByHand(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc := f.loc("orders")
	f.publish(loc, ordersSchema, version{id: "v1", rows: orders(3)})
	_, before, err := f.lake.Current(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	f.s.Exec(t, "UPDATE "+quote(f.s.Name, ManifestsTable)+" SET manifest = jsonb_set(manifest, '{rows}', '99')")
	m, after, err := f.lake.Current(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	if after == before || m.Rows != 99 {
		t.Errorf("after an edit: sum %s (before %s), rows %d", after, before, m.Rows)
	}
}
