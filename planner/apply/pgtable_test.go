package apply_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/apply"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/providers/pgtable"
)

// TestWithAPostgresTable publishes a product into a PostgreSQL table
// through providers/pgtable: no files, the readers granted, quarantined
// rows counted (there is no folder to keep them in), then a replace and
// a delete.
func TestWithAPostgresTable(t *testing.T) {
	s := newPGSchema(t)
	const envName = "MESHCTL_APPLY_TEST_DSN"
	hcl := `
mesh {
  name = "t"
}

domain "d" {
  owner = "d@example.com"
}

source "people" {
  type     = "csv"
  domain   = domain.d
  path     = "data/people.csv"
  on_error = "quarantine"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "name" { type = "string" }
    column "age" { type = "int32" }
  }
}

product "adults" {
  domain = domain.d
  owner  = "d@example.com"
  input "people" {
    from = source.people
  }
  transform "grown" {
    from = input.people
    filter {
      where = age >= 18
    }
  }
  output {
    format = "postgres"
    table  = "` + s.Name + `.adults"
    dsn    = env("` + envName + `")
  }
  access {
    readers = ["everyone"]
  }
}
`
	e := newEnvWith(t, hcl)
	opts := pgtable.Options{Getenv: func(name string) (string, bool) {
		if name == envName {
			return s.DSN, true
		}
		return "", false
	}}
	e.lk = &lakeio.Router{Routes: []lakeio.Route{{Prefix: ir.PostgresScheme, Lake: pgtable.New(opts)}}, Default: e.lake}
	e.write("data/people.csv", peopleV1+"4,dan,not-a-number\n")
	loc := ir.PostgresLocation(envName, s.Name+".adults")
	if got := e.products["adults"].Output.Path; got != loc {
		t.Fatalf("the output's location is %q, want %q", got, loc)
	}
	ctx := context.Background()
	run := func(action plans.Action) apply.ProductResult {
		t.Helper()
		p := e.plan(map[string]plans.Action{"adults": action})
		for _, c := range p.Changes {
			if c.After != nil {
				c.After.Metadata.Readers = []string{"everyone"}
			}
		}
		o := e.options(p)
		o.Sinkers["postgres"] = pgtable.NewSinker(opts)
		res, err := apply.Run(ctx, o)
		if err != nil || !res.OK() {
			t.Fatalf("%s: %v %+v", action, err, res)
		}
		return product(res, "adults")
	}
	rows := func() string {
		t.Helper()
		var out string
		if err := s.Conn.QueryRow(ctx, "SELECT string_agg(id || ':' || name || ':' || age, ',' ORDER BY id) FROM "+s.Name+".adults").Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}

	res := run(plans.Create)
	if res.Rows != 2 || res.Files != 0 || res.Bytes != 0 || len(res.Quarantined) != 0 {
		t.Errorf("result: %d rows, %d files, %d bytes, quarantined %v; want 2 rows and nothing else", res.Rows, res.Files, res.Bytes, res.Quarantined)
	}
	if got := rows(); got != "1:ann:30,3:cy:45" {
		t.Errorf("table rows = %q", got)
	}
	out := e.state.Products["adults"].Output
	m, sum, err := e.lk.Current(ctx, loc)
	if err != nil {
		t.Fatal(err)
	}
	if out.Path != loc || out.VersionID != m.VersionID || out.ManifestSHA256 != sum || len(out.Files) != 0 {
		t.Errorf("state output = %+v; manifest %s, %s", out, m.VersionID, sum)
	}
	if diff := cmp.Diff([]string{"everyone"}, m.Readers); diff != "" || m.Rows != 2 || len(m.Files) != 0 || m.Format != "postgres" {
		t.Errorf("manifest: readers (-want +got) %s, %d rows, files %v, format %s", diff, m.Rows, m.Files, m.Format)
	}
	var public bool
	if err := s.Conn.QueryRow(ctx, "SELECT has_table_privilege('public', $1, 'SELECT')", s.Name+".adults").Scan(&public); err != nil || !public {
		t.Errorf("PUBLIC may select: %v, %v", public, err)
	}
	if problems, err := e.lk.Verify(ctx, loc, m, true); err != nil || len(problems) > 0 {
		t.Errorf("verify: %v %v", problems, err)
	}
	// The staged version was a table, not a folder: nothing was made in
	// the working directory for the quarantined row.
	if left, _ := filepath.Glob(s.Name + "*"); len(left) > 0 {
		t.Errorf("folders made in the working directory: %v", left)
	}

	e.write("data/people.csv", peopleV1+"5,eve,20\n")
	run(plans.Replace)
	if got := rows(); got != "1:ann:30,3:cy:45,5:eve:20" {
		t.Errorf("table rows after the replace = %q", got)
	}
	if m2, _, err := e.lk.Current(ctx, loc); err != nil || m2.VersionID == m.VersionID || m2.VersionID != e.state.Products["adults"].Output.VersionID {
		t.Errorf("after the replace: %v %v", m2, err)
	}

	run(plans.Delete)
	var tables string
	if err := s.Conn.QueryRow(ctx, "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') FROM pg_tables WHERE schemaname = $1", s.Name).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != pgtable.ManifestsTable || e.state.Products["adults"] != nil || strings.Contains(tables, "adults") {
		t.Errorf("after the delete: tables %q, record %+v", tables, e.state.Products["adults"])
	}
}

// pgSchema is a fresh schema on the test server (as providers/internal/
// pgtest gives, which the planner may not import).
type pgSchema struct {
	Name, DSN string
	Conn      *pgx.Conn
}

// newPGSchema creates a schema on MESHCTL_TEST_PG_DSN (default: the local
// server), dropped when the test ends; it skips when no server answers,
// unless CI=true.
func newPGSchema(t *testing.T) *pgSchema {
	t.Helper()
	dsn := os.Getenv("MESHCTL_TEST_PG_DSN")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at MESHCTL_TEST_PG_DSN does not answer, and CI=true requires it: %v", err)
		}
		t.Skipf("skipping: no PostgreSQL at MESHCTL_TEST_PG_DSN: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "meshctl_t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
		conn.Close(ctx)
	})
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		q := u.Query()
		q.Set("search_path", name)
		u.RawQuery = q.Encode()
		dsn = u.String()
	} else {
		dsn += " search_path=" + name
	}
	return &pgSchema{Name: name, DSN: dsn, Conn: conn}
}
