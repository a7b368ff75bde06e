package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshctl/meshctl/planner/statestore"
	"github.com/meshctl/meshctl/providers/pgtest"
	"github.com/meshctl/meshctl/providers/statepg"
)

// TestPostgresOutputAndState keeps state in PostgreSQL, publishes a
// product as a PostgreSQL table that a second product reads, then checks
// drift of the table and the state lock across processes.
func TestPostgresOutputAndState(t *testing.T) {
	t.Parallel()
	pg := pgtest.New(t)
	pg.Exec(t, `CREATE TABLE customers (id bigint PRIMARY KEY, age integer NOT NULL, country text NOT NULL)`)
	pg.Exec(t, `INSERT INTO customers SELECT g, 10 + g % 60, (ARRAY['DE','FR','IT'])[1 + g % 3] FROM generate_series(1, 3000) g`)
	env := []string{"PG_DSN=" + pg.DSN}
	dir := t.TempDir()
	write(t, dir, "main.mesh.hcl", `mesh {
  name = "warehouse"
  state {
    backend = "postgres"
    dsn     = env("PG_DSN")
    table   = "`+pg.Name+`.meshctl_state"
  }
}

domain "sales" {
  owner = "sales@example.com"
}

source "customers" {
  type  = "postgres"
  dsn   = env("PG_DSN")
  table = "`+pg.Name+`.customers"
}

product "by_country" {
  domain = domain.sales
  input "c" {
    from = source.customers
  }
  transform "t" {
    from = input.c
    filter {
      where = age >= 18
    }
    aggregate {
      group_by = [country]
      columns = {
        customers = count()
      }
    }
  }
  output {
    format = "postgres"
    table  = "`+pg.Name+`.customers_by_country"
    dsn    = env("PG_DSN")
  }
  access {
    readers = ["everyone"]
  }
}

product "big_countries" {
  domain = domain.sales
  input "b" {
    from = product.by_country
  }
  transform "t" {
    from = input.b
    filter {
      where = customers > 600
    }
    sort {
      by = [country]
    }
  }
  output {
    path = "lake/big_countries/"
  }
}
`)
	meshctlEnvExit(t, dir, env, 2, "plan", "-detailed-exitcode")
	meshctlEnvExit(t, dir, env, 0, "apply", "-auto-approve")
	meshctlEnvExit(t, dir, env, 0, "plan", "-detailed-exitcode")

	ctx := context.Background()
	got := map[string]int64{}
	rows, err := pg.Conn.Query(ctx, `SELECT country, customers FROM customers_by_country`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		var n int64
		if err := rows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		got[c] = n
	}
	rows.Close()
	want := map[string]int64{}
	rows, err = pg.Conn.Query(ctx, `SELECT country, count(*) FROM customers WHERE age >= 18 GROUP BY country`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		var n int64
		if err := rows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		want[c] = n
	}
	rows.Close()
	if !mapsEqual(got, want) {
		t.Fatalf("published table %v, want %v", got, want)
	}
	var public bool
	if err := pg.Conn.QueryRow(ctx, `SELECT has_table_privilege('public', $1, 'SELECT')`, pg.Name+".customers_by_country").Scan(&public); err != nil {
		t.Fatal(err)
	}
	if !public {
		t.Errorf("readers = [\"everyone\"] did not grant SELECT to PUBLIC")
	}
	// The downstream product read the table.
	preview := meshctlEnvExit(t, dir, env, 0, "preview", "big_countries", "--json").stdout
	for c, n := range want {
		if n > 600 && !strings.Contains(preview, `"`+c+`"`) {
			t.Errorf("big_countries lacks %s:\n%s", c, preview)
		}
	}
	// State lives in PostgreSQL, not in .meshctl.
	var serial int64
	if err := pg.Conn.QueryRow(ctx, `SELECT serial FROM meshctl_state WHERE workspace = 'warehouse'`).Scan(&serial); err != nil || serial < 1 {
		t.Errorf("state row: serial %d, %v", serial, err)
	}

	// Drift: the table is dropped behind meshctl's back.
	pg.Exec(t, `DROP TABLE customers_by_country`)
	r := meshctlEnvExit(t, dir, env, 2, "plan", "-detailed-exitcode")
	if !strings.Contains(r.stdout, "product.by_country must be replaced") {
		t.Errorf("plan after the table was dropped:\n%s", r.stdout)
	}
	meshctlEnvExit(t, dir, env, 0, "apply", "-auto-approve")
	meshctlEnvExit(t, dir, env, 0, "plan", "-detailed-exitcode")

	// Another process holds the state lock: plan waits, then names it.
	b, err := statepg.New(statepg.Options{DSN: pg.DSN, Table: pg.Name + ".meshctl_state", Workspace: "warehouse"})
	if err != nil {
		t.Fatal(err)
	}
	info := statestore.LockInfo{ID: "held-by-test", Operation: "apply", Who: "ci@runner", PID: 4242, Created: time.Now().UTC()}
	if err := b.Lock(ctx, info, 0); err != nil {
		t.Fatal(err)
	}
	r = meshctlEnv(t, dir, env, "plan", "-lock-timeout", "1s")
	if r.code != 1 || !strings.Contains(r.stderr, "the state is locked by ci@runner") || !strings.Contains(r.stderr, "held-by-test") {
		t.Errorf("plan under another's lock: exit %d\n%s", r.code, r.stderr)
	}
	if err := b.Unlock(ctx, "held-by-test"); err != nil {
		t.Fatal(err)
	}
	meshctlEnvExit(t, dir, env, 0, "plan", "-detailed-exitcode")
	for _, out := range []string{r.stdout, r.stderr, preview} {
		if slices.Contains(strings.Fields(out), pg.DSN) {
			t.Errorf("the DSN appears in output")
		}
	}
}
