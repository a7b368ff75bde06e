package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
)

func TestReadSchemaTypes(t *testing.T) {
	s := pgtest.New(t)
	s.Exec(t, `CREATE DOMAIN positive AS int8 CHECK (VALUE > 0)`)
	s.Exec(t, `CREATE TABLE every_type (
		i2 smallint NOT NULL, i4 integer, i8 bigint NOT NULL,
		n numeric(12,2), nw numeric(38,10) NOT NULL, nu numeric, nneg numeric(5,-2), nfrac numeric(2,5),
		r real, d double precision,
		t text NOT NULL, vc varchar(20), c char(5), nm name,
		b boolean, dt date, ts timestamp, tz timestamptz(3),
		dom positive NOT NULL
	)`)
	c := func(name string, t types.Type, nullable bool) types.Column {
		return types.Column{Name: name, Type: t, Nullable: nullable}
	}
	want := types.Schema{
		c("i2", types.Int32Type, false), c("i4", types.Int32Type, true), c("i8", types.Int64Type, false),
		c("n", types.DecimalType(12, 2), true), c("nw", types.DecimalType(38, 10), false), c("nu", types.DecimalType(38, 9), true),
		c("nneg", types.DecimalType(7, 0), true), c("nfrac", types.DecimalType(5, 5), true),
		c("r", types.Float64Type, true), c("d", types.Float64Type, true),
		c("t", types.StringType, false), c("vc", types.StringType, true), c("c", types.StringType, true), c("nm", types.StringType, true),
		c("b", types.BoolType, true), c("dt", types.DateType, true), c("ts", types.TimestampType, true), c("tz", types.TimestampType, true),
		c("dom", types.Int64Type, false),
	}
	for _, table := range []string{"every_type", s.Name + ".every_type", `"` + s.Name + `"."every_type"`, "EVERY_TYPE"} {
		t.Run(table, func(t *testing.T) {
			if diff := cmp.Diff(want, readSchema(t, s, tableSource(table))); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("view", func(t *testing.T) {
		s.Exec(t, `CREATE VIEW v AS SELECT i2, t FROM every_type`)
		want := types.Schema{c("i2", types.Int32Type, true), c("t", types.StringType, true)}
		if diff := cmp.Diff(want, readSchema(t, s, tableSource("v"))); diff != "" {
			t.Errorf("schema (-want +got):\n%s", diff)
		}
	})
	t.Run("query", func(t *testing.T) {
		// Every column of a query is nullable, even one from a NOT NULL
		// column; expressions get their types.
		src := querySource("SELECT i2, t, i4::int8 * 2 AS twice, sum(n) OVER () AS total, now()::date AS today FROM every_type;\n")
		want := types.Schema{c("i2", types.Int32Type, true), c("t", types.StringType, true), c("twice", types.Int64Type, true),
			c("total", types.DecimalType(38, 9), true), c("today", types.DateType, true)}
		if diff := cmp.Diff(want, readSchema(t, s, src)); diff != "" {
			t.Errorf("schema (-want +got):\n%s", diff)
		}
	})
}

func TestReadSchemaErrors(t *testing.T) {
	s := pgtest.New(t)
	s.Exec(t, `CREATE TABLE places (id int, geo point, name text)`)
	s.Exec(t, `CREATE TABLE wide (id int, big numeric(40,2))`)
	s.Exec(t, `CREATE TABLE "Mixed" (id int)`)
	for _, tc := range []struct {
		name string
		src  func() (string, string) // table, query
		want string
	}{
		{"unsupported type", func() (string, string) { return "places", "" },
			`column "geo" has type point, which meshctl cannot read; cast it in a query source (query = "SELECT ..., col::text FROM ...")`},
		{"unsupported type in a query", func() (string, string) { return "", "SELECT id, '{1,2}'::int[] AS tags FROM places" },
			`column "tags" has type integer[], which meshctl cannot read; cast it in the query (::text, ::float8, ::numeric(18,2))`},
		{"numeric too wide", func() (string, string) { return "wide", "" },
			`column "big" has type numeric(40,2), which has more digits than meshctl's decimals hold (38); cast it in a query source`},
		{"missing table", func() (string, string) { return "nope", "" },
			`table "nope" does not exist in the search_path; qualify it as schema.table (or the role cannot see it)`},
		{"missing qualified table", func() (string, string) { return s.Name + ".nope", "" },
			`table "` + s.Name + `.nope" does not exist (or the role cannot see it)`},
		{"mixed case needs quotes", func() (string, string) { return "Mixed", "" },
			`table "Mixed" does not exist in the search_path`},
		{"bad table name", func() (string, string) { return "a.b.c.d", "" },
			`table "a.b.c.d": improper relation name (too many dotted names): a.b.c.d`},
		{"query syntax error", func() (string, string) { return "", "SELECT id\nFROMM places" },
			`the query: syntax error at or near "places" (line 2, column 7 of the query)`},
		{"query on a missing column", func() (string, string) { return "", "SELECT nope FROM places" },
			`the query: column "nope" does not exist (line 1, column 8 of the query)`},
		{"duplicate names in a query", func() (string, string) { return "", "SELECT id, id FROM places" },
			`the query returns two columns named "id"; rename one with AS`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table, query := tc.src()
			src := tableSource(table)
			src.Table, src.Query = table, query
			_, err := SchemaReader{Getenv: envOf(s.DSN)}.ReadSchema(context.Background(), src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %s", err, tc.want)
			}
		})
	}
	if cols := readSchema(t, s, tableSource(`"Mixed"`)); len(cols) != 1 || cols[0].Name != "id" {
		t.Errorf(`quoted "Mixed": %v`, cols)
	}
}

func TestNumericTypmod(t *testing.T) {
	for _, tc := range []struct {
		typmod int32
		p, s   int
		ok     bool
	}{
		{-1, 0, 0, false},
		{(12 << 16) + 2 + 4, 12, 2, true},
		{(38 << 16) + 0 + 4, 38, 0, true},
		{(5 << 16) + (0x7ff & -2) + 4, 5, -2, true},
	} {
		p, s, ok := numericTypmod(tc.typmod)
		if p != tc.p || s != tc.s || ok != tc.ok {
			t.Errorf("numericTypmod(%d) = %d, %d, %v; want %d, %d, %v", tc.typmod, p, s, ok, tc.p, tc.s, tc.ok)
		}
	}
}
