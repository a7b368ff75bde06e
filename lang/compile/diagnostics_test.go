package compile_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/internal/diagtest"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/lang/types"
)

// dgSources declares, with infer = false so that nothing is read, a source
// with a column of every type and a source of orders.
const dgSources = `mesh {
  name = "t"
}

domain "sales" {
  owner = "sales@example.com"
}

source "people" {
  type = "csv"
  path = "data/people.csv"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "age" {
      type = "int32"
    }
    column "name" {
      type = "string"
    }
    column "country" {
      type = "string"
    }
    column "score" {
      type = "float64"
    }
    column "amount" {
      type = "decimal(18,2)"
    }
    column "active" {
      type = "bool"
    }
    column "signup_date" {
      type = "date"
    }
    column "updated_at" {
      type = "timestamp"
    }
  }
}

source "orders" {
  type = "csv"
  path = "data/orders.csv"
  schema {
    infer = false
    column "id" {
      type = "int64"
    }
    column "customer_id" {
      type = "int64"
    }
    column "total" {
      type = "decimal(18,2)"
    }
    column "status" {
      type = "string"
    }
  }
}
`

// dgInferred is a source whose schema is read by the fake reader.
const dgInferred = `
source "events" {
  type = «"parquet"
  path = "data/events.parquet"
}
`

// dgReader returns a fixed schema for every source, or an error.
type dgReader struct {
	cols  types.Schema
	notes []string
	err   error
}

func (r dgReader) ReadSchema(_ context.Context, _ *ir.Source) (*sourceschema.Result, error) {
	if r.err != nil {
		return nil, r.err
	}
	return &sourceschema.Result{Columns: r.cols, Notes: r.notes}, nil
}

var dgEventCols = types.Schema{
	{Name: "event_id", Type: types.Int64Type},
	{Name: "user_id", Type: types.Int32Type, Nullable: true},
	{Name: "kind", Type: types.StringType, Nullable: true},
	{Name: "at", Type: types.TimestampType},
}

func dgReaders(r sourceschema.Reader) sourceschema.Readers {
	return sourceschema.Readers{ir.SourceParquet: r, ir.SourceCSV: r}
}

// dgCase is one workspace that loads cleanly but does not compile.
type dgCase struct {
	name string
	// src follows sources in main.mesh.hcl; it holds the marker.
	src string
	// readers, when set, read the schemas of inferred sources.
	readers  sourceschema.Readers
	summary  string
	severity diag.Severity
	// detail lists substrings the Detail must contain.
	detail []string
	// exactDetail, when set, is the whole Detail.
	exactDetail string
	// notDetail lists substrings the Detail must not contain.
	notDetail []string
}

// dgDescribe is diagtest.Describe, under the name fuzz_test.go uses.
var dgDescribe = diagtest.Describe

// dgLoad loads src as main.mesh.hcl and fails on any error.
func dgLoad(t *testing.T, src string) *configs.Workspace {
	t.Helper()
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatalf("the workspace does not load:%s", diagtest.Describe(ds))
	}
	return ws
}

// TestDiagnosticsBase guards the cases below: the sources they read compile
// into a product without any diagnostic.
func TestDiagnosticsBase(t *testing.T) {
	ws := dgLoad(t, dgSources+`
product "p" {
  domain = domain.sales
  input "people" { from = source.people }
  input "orders" { from = source.orders }
  transform "t" {
    from = input.people
    join {
      with = input.orders
      on   = people.id == orders.customer_id
    }
    select {
      columns = {
        id     = people.id
        age    = age
        total  = total
      }
    }
  }
  output { path = "lake/p/" }
}
`)
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if len(ds) > 0 {
		t.Fatalf("diagnostics:%s", diagtest.Describe(ds))
	}
	if res.Products["p"] == nil {
		t.Fatal("product p did not compile")
	}
}

// dgProduct wraps transform blocks (and anything else a product holds) in a
// product reading source.people, and source.orders when body reads
// input.orders.
func dgProduct(body string) string {
	orders := ""
	if strings.Contains(body, "input.orders") {
		orders = "  input \"orders\" { from = source.orders }\n"
	}
	return `
product "p" {
  domain = domain.sales
  input "people" { from = source.people }
` + orders + body + `
  output { path = "lake/p/" }
}
`
}

// dgSelect is a product whose transform selects one column x = expr.
func dgSelect(expr string) string {
	return dgProduct(`  transform "t" {
    from = input.people
    select {
      columns = {
        x = ` + expr + `
      }
    }
  }`)
}

// dgWhere is a product whose transform filters on expr.
func dgWhere(expr string) string {
	return dgProduct(`  transform "t" {
    from = input.people
    filter {
      where = ` + expr + `
    }
  }`)
}

// dgAggregate is a product whose transform groups by country and computes
// x = expr.
func dgAggregate(expr string) string {
	return dgProduct(`  transform "t" {
    from = input.people
    aggregate {
      group_by = [country]
      columns = {
        x = ` + expr + `
      }
    }
  }`)
}

// dgCheck is a product with one check.
func dgCheck(assert string) string {
	return dgProduct(`  transform "t" {
    from = input.people
  }
  check "c" {
    assert = ` + assert + `
  }`)
}

// dgJoined is a product whose transform joins people with orders on
// people.id == orders.customer_id, then runs ops.
func dgJoined(ops string) string {
	return dgProduct(`  transform "t" {
    from = input.people
    join {
      with = input.orders
      on   = people.id == orders.customer_id
    }
` + ops + `
  }`)
}

// dgJoinOn is a product whose transform joins people with orders on cond.
func dgJoinOn(cond string) string {
	return dgProduct(`  transform "t" {
    from = input.people
    join {
      with = input.orders
      on   = ` + cond + `
    }
    select {
      columns = {
        id = people.id
      }
    }
  }`)
}

func TestCompileDiagnostics(t *testing.T) {
	cases := []dgCase{
		// ---- columns -----------------------------------------------------
		{
			name:    "unknown column with suggestion",
			src:     dgWhere("«agee > 18"),
			summary: `Unknown column "agee"`,
			detail:  []string{`Did you mean "age"?`},
		},
		{
			name:    "unknown column without a close name",
			src:     dgSelect("«revenue"),
			summary: `Unknown column "revenue"`,
			detail:  []string{`Its columns are "active", "age", "amount"`},
		},
		{
			name:    "qualified column before a join",
			src:     dgSelect("«orders.id"),
			summary: `Unknown relation "orders"`,
			detail:  []string{"exist only after a join"},
		},
		{
			name:    "input reference used as a column",
			src:     dgSelect("«input.people"),
			summary: "Invalid column reference",
			detail:  []string{"refers to a whole input"},
			// people is the input's name, not one of its columns.
			notDetail: []string{"such as people."},
		},

		// ---- comparisons and operators --------------------------------
		{
			name:        "int32 compared with a string",
			src:         dgWhere(`«age == "x"`),
			summary:     `"age" is int32, cannot be compared with string "x"`,
			exactDetail: `Numbers and strings are not compared implicitly. If the string holds a number, convert it with cast(x, "int64"); if the number is a literal, remove its quotes.`,
		},
		{
			name:    "string column compared with a number",
			src:     dgWhere(`«name > 3`),
			summary: `"name" is string, cannot be compared with number 3`,
		},
		{
			name:    "non-boolean where",
			src:     dgWhere("«age + 1"),
			summary: "A filter's where must be true or false",
			detail:  []string{"age + 1 is int32"},
		},
		{
			name:    "string where",
			src:     dgWhere("«name"),
			summary: "A filter's where must be true or false",
			detail:  []string{`"name" is string`, `status == "shipped"`},
		},
		{
			name:    "&& on a number",
			src:     dgWhere("«age && active"),
			summary: "Invalid operand for &&",
			detail:  []string{`"age" is int32`},
		},
		{
			name:    "! on a string",
			src:     dgWhere("«!name"),
			summary: "Invalid operand for !",
		},
		{
			name:    "arithmetic on strings",
			src:     dgSelect(`«name + "!"`),
			summary: "Invalid operand for +",
			detail:  []string{`"name" is string`, `template such as "${first} ${last}"`},
		},
		{
			name:    "arithmetic on a date",
			src:     dgSelect(`«signup_date * 2`),
			summary: "Invalid operand for *",
			detail:  []string{"arithmetic applies to numbers"},
		},
		{
			name:    "negating a string",
			src:     dgSelect(`«-name`),
			summary: "Invalid operand for -",
		},
		{
			name:    "conditional branches of different types",
			src:     dgSelect(`«active ? name : age`),
			summary: "The two results of ? : have different types",
			detail:  []string{`"name" is string and int32 column "age"`},
		},
		{
			name:    "conditional on a number",
			src:     dgSelect(`«age ? name : country`),
			summary: "Condition is not true or false",
		},
		{
			name:    "invalid date literal",
			src:     dgWhere(`signup_date > «"2024-13-45"`),
			summary: `Invalid date "2024-13-45"`,
			detail:  []string{"YYYY-MM-DD"},
		},
		{
			name:    "invalid timestamp literal",
			src:     dgWhere(`«"yesterday" < updated_at`),
			summary: `Invalid timestamp "yesterday"`,
			detail:  []string{"RFC 3339"},
		},
		{
			name:    "date compared with a bool",
			src:     dgWhere(`«signup_date == active`),
			summary: `"signup_date" is date, cannot be compared with bool column "active"`,
		},
		{
			name:    "always-null select column",
			src:     dgSelect("«null"),
			summary: `Column "x" has no type`,
			detail:  []string{`cast(null, "string")`},
		},
		{
			name:    "list in an expression",
			src:     dgSelect(`«["a", "b"]`),
			summary: "Unexpected list",
		},
		{
			name:    "template directive",
			src:     dgSelect(`"«%{for c in name}${c}%{endfor}"`),
			summary: "Unsupported template directive",
		},
		{
			name:    "integer literal out of range",
			src:     dgSelect(`«1e400 * 2`),
			summary: "Number out of range",
		},

		// ---- aggregates --------------------------------------------------
		{
			name:    "aggregate in a select",
			src:     dgSelect("«sum(age)"),
			summary: "Aggregate sum() outside aggregate",
			detail:  []string{"in a select"},
		},
		{
			name:    "aggregate in a filter",
			src:     dgWhere("«count() > 1"),
			summary: "Aggregate count() outside aggregate",
			detail:  []string{"in a filter"},
		},
		{
			name:    "nested aggregate",
			src:     dgAggregate("sum(«max(age))"),
			summary: "Nested aggregate",
		},
		{
			name:    "column not grouped",
			src:     dgAggregate("«age"),
			summary: `Column "age" is not grouped`,
			detail:  []string{"max(age)"},
		},
		{
			name:    "sum of a string",
			src:     dgAggregate("sum(«name)"),
			summary: "Invalid argument to sum",
			detail:  []string{`"name" is string`},
		},
		{
			name:    "avg of a bool",
			src:     dgAggregate("avg(«active)"),
			summary: "Invalid argument to avg",
		},
		{
			name:    "aggregate of null",
			src:     dgAggregate("max(«null)"),
			summary: "Invalid argument to max",
		},
		{
			name: "group_by with an expression",
			src: dgProduct(`  transform "t" {
    from = input.people
    aggregate {
      group_by = [«year(signup_date)]
      columns = {
        n = count()
      }
    }
  }`),
			summary: "group_by lists columns",
		},
		{
			name: "group_by with an unknown column",
			src: dgProduct(`  transform "t" {
    from = input.people
    aggregate {
      group_by = [«contry]
      columns = {
        n = count()
      }
    }
  }`),
			summary: `Unknown column "contry"`,
			detail:  []string{`Did you mean "country"?`},
		},
		{
			name: "duplicate group key",
			src: dgProduct(`  transform "t" {
    from = input.people
    aggregate {
      group_by = [country, «country]
      columns = {
        n = count()
      }
    }
  }`),
			summary: `Duplicate group key "country"`,
		},
		{
			name: "aggregate column named like a group key",
			src: dgProduct(`  transform "t" {
    from = input.people
    aggregate {
      group_by = [country]
      columns = {
        «country = count()
      }
    }
  }`),
			summary: `Column "country" is already a group key`,
		},

		// ---- checks ------------------------------------------------------
		{
			name:    "row_count outside a check",
			src:     dgSelect("«row_count()"),
			summary: "row_count() outside a check",
		},
		{
			name:    "null_count in an aggregate",
			src:     dgAggregate("«null_count(age)"),
			summary: "null_count() outside a check",
		},
		{
			name:    "bare column in a check",
			src:     dgCheck("«age > 0"),
			summary: "Column outside an aggregate in a check",
			detail:  []string{"min(age) >= 0"},
		},
		{
			name:    "check assert not bool",
			src:     dgCheck("«row_count()"),
			summary: "A check's assert must be true or false",
			detail:  []string{"row_count() > 0"},
		},
		{
			name:    "check over an unknown column",
			src:     dgCheck("null_count(«agee) == 0"),
			summary: `Unknown column "agee"`,
			detail:  []string{`Did you mean "age"?`},
		},

		// ---- functions -----------------------------------------------------
		{
			name:    "unknown function with suggestion",
			src:     dgSelect("«lowr(name)"),
			summary: `Unknown function "lowr"`,
			detail:  []string{`Did you mean "lower"?`},
		},
		{
			name:    "wrong arity",
			src:     dgSelect("«lower(name, country)"),
			summary: "Wrong number of arguments to lower",
			detail:  []string{"lower(s)", "got 2 arguments"},
		},
		{
			name:    "wrong arity of now",
			src:     dgSelect("«now(1)"),
			summary: "Wrong number of arguments to now",
			detail:  []string{"got 1 argument."},
		},
		{
			name:    "function on the wrong type",
			src:     dgSelect("upper(«age)"),
			summary: "Invalid argument to upper",
			detail:  []string{`"age" is int32`},
		},
		{
			name:    "cast to an unknown type",
			src:     dgSelect(`cast(age, «"integer")`),
			summary: "Invalid type in cast",
			detail:  []string{`did you mean "int32"?`},
			// One punctuation mark at the end, not "?.".
			exactDetail: `Unknown type "integer"; did you mean "int32"?`,
		},
		{
			name:    "cast to a type given as a column",
			src:     dgSelect(`cast(age, «name)`),
			summary: "Invalid argument to cast",
		},
		{
			name:    "invalid cast",
			src:     dgSelect(`«cast(signup_date, "int64")`),
			summary: "Cannot cast date to int64",
		},
		{
			name:    "contains with a non-list",
			src:     dgWhere(`contains(«name, "x")`),
			summary: "Invalid argument to contains",
		},
		{
			name:    "contains with a column in the list",
			src:     dgWhere(`contains(["DE", «name], country)`),
			summary: "Invalid list item",
		},
		{
			name:    "contains with an item of another type",
			src:     dgWhere(`contains(["DE", «3], country)`),
			summary: `"country" is string, cannot be compared with number 3`,
		},
		{
			name:    "date_trunc with a bad unit",
			src:     dgSelect(`date_trunc(«"mnth", signup_date)`),
			summary: "Invalid argument to date_trunc",
			detail:  []string{`Did you mean "month"?`},
		},
		{
			name:    "date_trunc of a string",
			src:     dgSelect(`date_trunc("month", «name)`),
			summary: "Invalid argument to date_trunc",
			detail:  []string{"a date or a timestamp"},
		},
		{
			name:    "year of a string column",
			src:     dgSelect(`year(«name)`),
			summary: "Invalid argument to year",
		},
		{
			name:    "round to a column's digits",
			src:     dgSelect(`round(amount, «age)`),
			summary: "Invalid argument to round",
		},
		{
			name:    "substr with a float start",
			src:     dgSelect(`substr(name, «1.5)`),
			summary: "Invalid argument to substr",
		},
		{
			name:    "coalesce of different types",
			src:     dgSelect(`coalesce(name, «age)`),
			summary: "Invalid argument to coalesce",
		},
		{
			name:    "like on a number",
			src:     dgWhere(`like(«age, "1%")`),
			summary: "Invalid argument to like",
		},
		{
			name:    "desc outside sort",
			src:     dgSelect(`«desc(age)`),
			summary: "desc() outside sort",
		},

		// ---- joins ---------------------------------------------------------
		{
			name: "ambiguous column after a join",
			src: dgJoined(`    select {
      columns = {
        x = «id
      }
    }`),
			summary: `Ambiguous column "id"`,
			detail:  []string{"people.id or orders.id"},
		},
		{
			name: "unknown relation qualifier",
			src: dgJoined(`    select {
      columns = {
        x = «ordrs.id
      }
    }`),
			summary: `Unknown relation "ordrs"`,
			detail:  []string{`Did you mean "orders"?`},
		},
		{
			name:    "unknown relation in on",
			src:     dgJoinOn("people.id == «ordrs.customer_id"),
			summary: `Unknown relation "ordrs"`,
			detail:  []string{`Did you mean "orders"?`},
		},
		{
			name:    "ambiguous column in on",
			src:     dgJoinOn("«id == customer_id"),
			summary: `Ambiguous column "id"`,
		},
		{
			name:    "join on a non-equality",
			src:     dgJoinOn("«people.id > orders.customer_id"),
			summary: "Join condition is not an equality",
		},
		{
			name:        "join key type mismatch",
			src:         dgJoinOn("«people.name == orders.customer_id"),
			summary:     `"people.name" is string, cannot be compared with int64 column "orders.customer_id"`,
			exactDetail: "Join keys must have comparable types. Convert one side with cast() in a select before the join.",
		},
		{
			name:    "join condition comparing one side with itself",
			src:     dgJoinOn("«people.id == people.age"),
			summary: "Join condition compares one side with itself",
			detail:  []string{`"people" side`},
		},
		{
			name:    "join key reading both sides",
			src:     dgJoinOn("«people.id + orders.id == orders.customer_id"),
			summary: "Join key reads both sides",
		},
		{
			name:    "unknown column in on",
			src:     dgJoinOn("people.id == «custmer_id"),
			summary: `Unknown column "custmer_id"`,
			detail:  []string{`Did you mean "customer_id"?`},
		},
		{
			name: "duplicate column names at the end of a transform",
			src: dgProduct(`  «transform "t" {
    from = input.people
    join {
      with = input.orders
      on   = people.id == orders.customer_id
    }
  }`),
			summary: `Transform "t" yields two columns named "id"`,
			detail:  []string{"id = people.id"},
		},
		{
			name: "join side named like the left side",
			src: dgProduct(`  transform "t" {
    from = input.people
    join {
      with = «input.people
      on   = people.id == people.id
    }
  }`),
			summary: `Both sides of the join are called "people"`,
		},

		// ---- unions --------------------------------------------------------
		{
			name: "union with different columns",
			src: dgProduct(`  transform "a" {
    from = input.people
    select {
      columns = [id, name]
    }
  }
  transform "b" {
    from = input.orders
    select {
      columns = [id]
    }
  }
  transform "u" {
    from = transform.a
    union {
      with = [«transform.b]
    }
  }`),
			summary: "Union inputs have different columns",
			detail:  []string{`it lacks "name"`},
		},
		{
			name: "union type mismatch",
			src: dgProduct(`  transform "a" {
    from = input.people
    select {
      columns = {
        id = id
        v  = name
      }
    }
  }
  transform "b" {
    from = input.orders
    select {
      columns = {
        id = id
        v  = total
      }
    }
  }
  transform "u" {
    from = transform.a
    union {
      with = [«transform.b]
    }
  }`),
			summary: `Union column "v" has different types`,
			detail:  []string{`"v" is string before the union but decimal(18,2) in transform.b`},
		},

		// ---- sort ------------------------------------------------------------
		{
			name: "sort by null",
			src: dgProduct(`  transform "t" {
    from = input.people
    sort {
      by = [«null]
    }
  }`),
			summary: "Invalid sort key",
		},
		{
			name: "sort by unknown column",
			src: dgProduct(`  transform "t" {
    from = input.people
    sort {
      by = [desc(«agee)]
    }
  }`),
			summary: `Unknown column "agee"`,
		},

		// ---- output and contract ------------------------------------------
		{
			name: "contract column missing from output",
			src: dgProduct(`  transform "t" {
    from = input.people
  }
  contract {
    «column "revenue" {
      type = "decimal(18,2)"
    }
  }`),
			summary: `Contract column "revenue" is not in the output`,
			detail:  []string{`The output's columns are`},
		},
		{
			name: "contract column misspelled",
			src: dgProduct(`  transform "t" {
    from = input.people
  }
  contract {
    «column "contry" {
      type = "string"
    }
  }`),
			summary: `Contract column "contry" is not in the output`,
			detail:  []string{`Did you mean "country"?`},
		},
		{
			name: "contract type mismatch",
			src: dgProduct(`  transform "t" {
    from = input.people
  }
  contract {
    column "name" {
      type = «"int64"
    }
  }`),
			summary: `Contract says "name" is int64, but the output computes string`,
			detail:  []string{`cast(…, "int64")`},
		},
		{
			name: "partition_by unknown column",
			src: `
product "p" {
  domain = domain.sales
  input "people" { from = source.people }
  output {
    path         = "lake/p/"
    partition_by = «["contry"]
  }
}
`,
			summary: `Cannot partition by "contry"`,
			detail:  []string{`Did you mean "country"?`},
		},

		// ---- schemas read from data ----------------------------------------
		{
			name: "inferred source without a reader",
			src: dgInferred + `
product "p" {
  domain = domain.sales
  input "events" { from = source.events }
  output { path = "lake/p/" }
}
`,
			summary: `Cannot read the schema of source "events"`,
			detail:  []string{"Declare the columns instead"},
		},
		{
			name: "reader error",
			src: `
source "events" {
  type = "parquet"
  path = «"data/events.parquet"
}

product "p" {
  domain = domain.sales
  input "events" { from = source.events }
  output { path = "lake/p/" }
}
`,
			readers: dgReaders(dgReader{err: errors.New("open data/events.parquet: no such file or directory")}),
			summary: `Cannot read the schema of source "events"`,
			detail:  []string{"data/events.parquet: no such file or directory"},
		},
		{
			name: "reader note",
			src: `
«source "events" {
  type = "parquet"
  path = "data/events.parquet"
}

product "p" {
  domain = domain.sales
  input "events" { from = source.events }
  output { path = "lake/p/" }
}
`,
			readers:  dgReaders(dgReader{cols: dgEventCols, notes: []string{`column "payload" has type MAP, which meshctl does not support`}}),
			summary:  `Source "events": column left out`,
			severity: diag.Warning,
		},
		{
			name: "override of a column not in the data",
			src: `
source "events" {
  type = "parquet"
  path = "data/events.parquet"
  schema {
    «column "usr_id" {
      tags = ["pii"]
    }
  }
}

product "p" {
  domain = domain.sales
  input "events" { from = source.events }
  output { path = "lake/p/" }
}
`,
			readers: dgReaders(dgReader{cols: dgEventCols}),
			summary: `Column "usr_id" is not in source "events"`,
			detail:  []string{`Did you mean "user_id"?`},
		},
		{
			name: "override that narrows a typed column",
			src: `
source "events" {
  type = "parquet"
  path = "data/events.parquet"
  schema {
    column "event_id" {
      type = «"int32"
    }
  }
}

product "p" {
  domain = domain.sales
  input "events" { from = source.events }
  output { path = "lake/p/" }
}
`,
			readers: dgReaders(dgReader{cols: dgEventCols}),
			summary: `Column "event_id" cannot be read as int32`,
			detail:  []string{"does not widen to int32"},
		},
		{
			name: "unknown column of an inferred source",
			src: `
source "events" {
  type = "parquet"
  path = "data/events.parquet"
}

product "p" {
  domain = domain.sales
  input "events" { from = source.events }
  transform "t" {
    from = input.events
    filter {
      where = «usr_id > 0
    }
  }
  output { path = "lake/p/" }
}
`,
			readers: dgReaders(dgReader{cols: dgEventCols}),
			summary: `Unknown column "usr_id"`,
			detail:  []string{`Did you mean "user_id"?`},
		},

		// ---- one error, reported once, without follow-ons -------------------
		{
			name: "error before a join",
			src: dgProduct(`  transform "t" {
    from = input.people
    filter {
      where = «agee > 18
    }
    join {
      with = input.orders
      on   = people.id == orders.customer_id
    }
    select {
      columns = {
        id = people.id
      }
    }
  }`),
			summary: `Unknown column "agee"`,
		},
		{
			name: "error before a union",
			src: dgProduct(`  transform "a" {
    from = input.people
    select {
      columns = {
        id = «idd
      }
    }
  }
  transform "b" {
    from = input.orders
    select {
      columns = [id]
    }
  }
  transform "u" {
    from = transform.a
    union {
      with = [transform.b]
    }
  }`),
			summary: `Unknown column "idd"`,
		},
		{
			name: "error in a transform read twice",
			src: dgProduct(`  transform "t" {
    from = input.people
    filter {
      where = «agee > 18
    }
  }
  transform "u" {
    from = transform.t
  }
  transform "v" {
    from = transform.t
    union {
      with = [transform.u]
    }
  }`),
			summary: `Unknown column "agee"`,
		},
		{
			name: "error in an upstream product",
			src: `
product "up" {
  domain = domain.sales
  input "people" { from = source.people }
  transform "t" {
    from = input.people
    filter {
      where = «agee > 18
    }
  }
  output { path = "lake/up/" }
}

product "p" {
  domain = domain.sales
  input "up" { from = product.up }
  transform "t" {
    from = input.up
    filter {
      where = age > 18
    }
  }
  output { path = "lake/p/" }
}
`,
			summary: `Unknown column "agee"`,
		},

		// ---- warnings --------------------------------------------------------
		{
			name: "unused input",
			src: `
product "p" {
  domain = domain.sales
  input "people" { from = source.people }
  «input "orders" { from = source.orders }
  transform "t" {
    from = input.people
  }
  output { path = "lake/p/" }
}
`,
			summary:  `Unused input "orders"`,
			severity: diag.Warning,
		},
		{
			name: "unused transform",
			src: dgProduct(`  «transform "t" {
    from = input.people
  }
  transform "u" {
    from = input.orders
  }`),
			summary:  `Unused transform "t"`,
			severity: diag.Warning,
		},
	}

	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			src, want := diagtest.StripMarker(t, "main.mesh.hcl", dgSources+tc.src)
			ws := dgLoad(t, src)
			res, ds := compile.Compile(context.Background(), ws, compile.Options{Readers: tc.readers})
			t.Logf("diagnostics:%s", diagtest.Describe(ds))
			diagtest.CheckOne(t, ds, want, tc.summary, tc.severity, tc.detail, tc.exactDetail)
			if found := diagtest.FindSummary(ds, tc.summary); len(found) > 0 {
				for _, s := range tc.notDetail {
					if strings.Contains(found[0].Detail, s) {
						t.Errorf("detail %q contains %q", found[0].Detail, s)
					}
				}
			}
			if tc.severity == diag.Error && res != nil && res.Products["p"] != nil {
				t.Errorf("product p compiled despite the error")
			}
		})
	}
}
