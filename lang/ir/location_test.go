package ir

import (
	"strings"
	"testing"
)

func TestPostgresLocation(t *testing.T) {
	for _, tc := range []struct{ env, table, want string }{
		{"WAREHOUSE_DSN", "analytics.orders", "postgres://WAREHOUSE_DSN/analytics.orders"},
		{"WAREHOUSE_DSN", "orders", "postgres://WAREHOUSE_DSN/public.orders"},
		{"DSN", "Mixed.Case", "postgres://DSN/Mixed.Case"},
	} {
		got := PostgresLocation(tc.env, tc.table)
		if got != tc.want {
			t.Errorf("PostgresLocation(%q, %q) = %q, want %q", tc.env, tc.table, got, tc.want)
		}
		env, schema, table, err := ParsePostgresLocation(got)
		if err != nil || PostgresLocation(env, schema+"."+table) != got {
			t.Errorf("ParsePostgresLocation(%q) = %q, %q, %q, %v: does not round-trip", got, env, schema, table, err)
		}
	}
}

func TestParsePostgresLocation(t *testing.T) {
	for _, tc := range []struct {
		loc, env, schema, table string
		err                     string // a substring of the error, "" for none
	}{
		{loc: "postgres://W/analytics.orders", env: "W", schema: "analytics", table: "orders"},
		{loc: "postgres://W/orders", env: "W", schema: "public", table: "orders"},
		{loc: "postgres://W/a.b.c", err: `"b.c" holds a dot`},
		{loc: "postgres://W/.orders", err: "name is empty"},
		{loc: "postgres://W/analytics.", err: "name is empty"},
		{loc: "postgres:///analytics.orders", err: "want postgres://<DSN variable>/<schema>.<table>"},
		{loc: "postgres://W", err: "want postgres://<DSN variable>/<schema>.<table>"},
		{loc: "lake/orders/", err: "must start with postgres://"},
		{loc: "postgres://W/s." + strings.Repeat("x", 64), err: "longer than PostgreSQL's 63 bytes"},
		{loc: "postgres://W/s." + strings.Repeat("x", 63), env: "W", schema: "s", table: strings.Repeat("x", 63)},
		{loc: "postgres://W/s.a/b", err: "holds a dot, a slash"},
	} {
		env, schema, table, err := ParsePostgresLocation(tc.loc)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParsePostgresLocation(%q): err = %v, want one containing %q", tc.loc, err, tc.err)
			}
		case err != nil:
			t.Errorf("ParsePostgresLocation(%q): %v", tc.loc, err)
		case env != tc.env || schema != tc.schema || table != tc.table:
			t.Errorf("ParsePostgresLocation(%q) = %q, %q, %q; want %q, %q, %q", tc.loc, env, schema, table, tc.env, tc.schema, tc.table)
		}
	}
}

// FuzzParsePostgresLocation: a location that parses is the one its parts
// build again, and its names hold no separator.
func FuzzParsePostgresLocation(f *testing.F) {
	for _, s := range []string{"postgres://W/analytics.orders", "postgres://W/orders", "postgres://W/a.b.c", "postgres:///x", "lake/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, loc string) {
		env, schema, table, err := ParsePostgresLocation(loc)
		if err != nil {
			return
		}
		if strings.ContainsAny(schema+table, "./\x00") || strings.Contains(env, "/") {
			t.Fatalf("%q parsed into %q, %q, %q", loc, env, schema, table)
		}
		if again := PostgresLocation(env, schema+"."+table); again != loc && again != PostgresScheme+env+"/"+DefaultPostgresSchema+"."+strings.TrimPrefix(loc, PostgresScheme+env+"/") {
			t.Fatalf("%q parsed and built again is %q", loc, again)
		}
	})
}
