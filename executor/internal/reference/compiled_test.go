package reference_test

import (
	"context"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
)

// These tests compile small workspaces with the real compiler and run what
// it emits (Project over Aggregate, implicit casts, join qualifiers,
// contract casts and masks, checks) against hand-written tables: they show
// that the reference reads the IR the compiler really produces.

// compileWorkspace compiles one file and fails on any error diagnostic.
func compileWorkspace(t *testing.T, src string) *compile.Result {
	t.Helper()
	ws, diags := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if !diags.HasErrors() {
		var more diag.Diagnostics
		var res *compile.Result
		res, more = compile.Compile(context.Background(), ws, compile.Options{})
		diags = append(diags, more...)
		if !diags.HasErrors() {
			return res
		}
	}
	var b strings.Builder
	(&diag.TextWriter{W: &b, Sources: ws.Files}).WriteDiagnostics(diags)
	t.Fatalf("the workspace does not compile:\n%s", b.String())
	return nil
}

func product(t *testing.T, res *compile.Result, name string) *ir.Product {
	t.Helper()
	p := res.Products[name]
	if p == nil {
		t.Fatalf("no product %q", name)
	}
	return p
}

func transformRoot(t *testing.T, p *ir.Product, name string) ir.Node {
	t.Helper()
	for _, tr := range p.Transforms {
		if tr.Name == name {
			return tr.Root
		}
	}
	t.Fatalf("product %q has no transform %q", p.Name, name)
	return nil
}

// runChecks runs every check of p and returns name → passed.
func runChecks(t *testing.T, p *ir.Product, tables reference.Tables, env reference.Env) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, c := range p.Checks {
		ok, err := reference.Check(c, tables, env)
		if err != nil {
			t.Fatalf("check %s: %v", c.Name, err)
		}
		out[c.Name] = ok
	}
	return out
}

const salesWorkspace = `
mesh {
  name = "acme-sales"
}

domain "sales" {
  owner = "sales@acme.example"
}

source "customers" {
  type = "parquet"
  path = "data/customers.parquet"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "age" { type = "int32" }
    column "country" { type = "string" }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "signup" { type = "date" }
  }
}

source "orders" {
  type = "csv"
  path = "data/orders.csv"
  schema {
    infer = false
    column "order_id" {
      type     = "int64"
      nullable = false
    }
    column "customer_id" { type = "int32" }
    column "amount" { type = "decimal(18,2)" }
    column "status" { type = "string" }
    column "ordered_at" { type = "timestamp" }
  }
}

product "orders_clean" {
  domain = domain.sales
  input "orders" { from = source.orders }
  transform "clean" {
    from = input.orders
    filter { where = status != "cancelled" && amount > 0 && ordered_at >= "2024-01-01" }
    select {
      columns = {
        order_id    = order_id
        customer_id = customer_id
        amount      = amount
        month       = date_trunc("month", ordered_at)
      }
    }
  }
  output { path = "lake/orders_clean/" }
}

product "revenue_by_country" {
  domain = domain.sales
  input "customers" { from = source.customers }
  input "orders" { from = product.orders_clean }

  transform "adults" {
    from = input.customers
    filter { where = age >= 18 && country != null }
    select {
      columns = {
        id      = id
        country = upper(trim(country))
        email   = lower(email)
        cohort  = year(signup)
      }
    }
  }

  transform "by_country" {
    from = transform.adults
    join {
      with = input.orders
      type = "left"
      on   = adults.id == orders.customer_id
    }
    aggregate {
      group_by = [country]
      columns = {
        customers   = count_distinct(id)
        orders      = count(order_id)
        revenue     = sum(amount)
        avg_order   = sum(amount) / count(order_id)
        first_month = min(month)
      }
    }
    sort { by = [desc(revenue), country] }
  }

  output { path = "lake/revenue/" }

  contract {
    column "country" {
      type     = "string"
      nullable = false
    }
    column "revenue" { type = "decimal(18,2)" }
  }

  check "has_rows" { assert = row_count() > 0 }
  check "revenue_positive" { assert = min(revenue) > 0 }
  check "all_have_orders" {
    assert   = min(orders) > 0
    severity = "warn"
  }
}
`

// TestCompiledSalesChain runs a product chain: orders_clean filters and
// truncates (string constants read as timestamps, decimal comparison with
// 0), and revenue_by_country reads its output as a table, joins it on an
// int32 key widened to int64, aggregates under a Project (sum of
// decimal(18,2) is decimal(38,2), a division through float64), sorts with
// nulls last, and narrows the sum to the contract's decimal(18,2).
func TestCompiledSalesChain(t *testing.T) {
	res := compileWorkspace(t, salesWorkspace)
	orders := []R{
		{int64(1), int32(1), dec("10", 2), "shipped", ts("2024-01-15T10:00:00Z")},
		{int64(2), int32(1), dec("5.5", 2), "cancelled", ts("2024-02-01T00:00:00Z")}, // cancelled
		{int64(3), int32(2), dec("20", 2), "shipped", ts("2023-12-31T23:59:59Z")},    // before 2024
		{int64(4), int32(2), dec("7.25", 2), "pending", ts("2024-03-03T00:00:00Z")},  //
		{int64(5), nil, dec("3", 2), "shipped", ts("2024-02-10T00:00:00Z")},          // no customer
		{int64(6), int32(3), dec("0", 2), "shipped", ts("2024-02-10T00:00:00Z")},     // amount 0
		{int64(7), int32(4), dec("12", 2), nil, ts("2024-02-29T12:00:00Z")},          // null status: null && … drops it
		{int64(8), int32(1), dec("2.5", 2), "delivered", ts("2024-02-20T08:00:00Z")}, //
		{int64(9), int32(5), nil, "shipped", ts("2024-04-01T00:00:00Z")},             // null amount
		{int64(10), int32(6), dec("1", 2), "shipped", nil},                           // null time
	}
	clean := product(t, res, "orders_clean")
	gotClean := mustRun(t, clean.Output.Root, reference.Tables{"orders": orders})
	wantClean := []R{
		{int64(1), int32(1), dec("10", 2), ts("2024-01-01T00:00:00Z")},
		{int64(4), int32(2), dec("7.25", 2), ts("2024-03-01T00:00:00Z")},
		{int64(5), nil, dec("3", 2), ts("2024-02-01T00:00:00Z")},
		{int64(8), int32(1), dec("2.5", 2), ts("2024-02-01T00:00:00Z")},
	}
	if diff := diffRows(wantClean, gotClean); diff != "" {
		t.Fatalf("orders_clean (-want +got):\n%s", diff)
	}

	customers := []R{
		{int64(1), int32(30), " de ", "Ann@X.io", date("2020-05-01")},
		{int64(2), int32(45), "fr", "Bob@Y.io", date("2021-01-01")},
		{int64(3), int32(17), "de", "kid@x.io", date("2022-01-01")}, // too young
		{int64(4), nil, "us", nil, nil},                             // unknown age
		{int64(5), int32(50), nil, "x@y.z", nil},                    // no country
		{int64(6), int32(22), "DE", "Eve@Z.io", date("2019-12-31")},
		{int64(7), int32(33), "it", "Ian@W.io", date("2018-06-30")},
	}
	rev := product(t, res, "revenue_by_country")
	tables := reference.Tables{"customers": customers, "orders_clean": gotClean}
	// DE: customers 1 (orders 1 and 8) and 6 (none); FR: 2 (order 4);
	// IT: 7 (none), so its sum, average and first month are null and it
	// sorts last.
	want := []R{
		{"DE", int64(2), int64(2), dec("12.5", 2), 6.25, ts("2024-01-01T00:00:00Z")},
		{"FR", int64(1), int64(1), dec("7.25", 2), 7.25, ts("2024-03-01T00:00:00Z")},
		{"IT", int64(1), int64(0), nil, nil, nil},
	}
	if diff := diffRows(want, mustRun(t, rev.Output.Root, tables)); diff != "" {
		t.Errorf("revenue_by_country (-want +got):\n%s", diff)
	}
	// The transform before the contract still has the wide sum.
	byCountry := mustRun(t, transformRoot(t, rev, "by_country"), tables)
	if diff := diffRows([]R{{"DE", int64(2), int64(2), wide("12.5", 2), 6.25, ts("2024-01-01T00:00:00Z")}}, byCountry[:1]); diff != "" {
		t.Errorf("by_country (-want +got):\n%s", diff)
	}
	wantChecks := map[string]bool{"has_rows": true, "revenue_positive": true, "all_have_orders": false}
	if diff := diffRows([]R{{wantChecks}}, []R{{runChecks(t, rev, tables, reference.Env{})}}); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}

	// Over no customers the output is empty, has_rows fails, and min() of
	// nothing is null, which fails too.
	empty := reference.Tables{"customers": {}, "orders_clean": gotClean}
	if got := mustRun(t, rev.Output.Root, empty); len(got) != 0 {
		t.Errorf("over no customers: %v", got)
	}
	wantChecks = map[string]bool{"has_rows": false, "revenue_positive": false, "all_have_orders": false}
	if diff := diffRows([]R{{wantChecks}}, []R{{runChecks(t, rev, empty, reference.Env{})}}); diff != "" {
		t.Errorf("checks over no rows (-want +got):\n%s", diff)
	}

	// The contract's decimal(18,2) is checked value by value: two large
	// orders sum past 18 digits.
	big := reference.Tables{"customers": customers[:1], "orders_clean": {
		{int64(1), int32(1), dec("9999999999999999.99", 2), ts("2024-01-01T00:00:00Z")},
		{int64(2), int32(1), dec("9999999999999999.99", 2), ts("2024-01-01T00:00:00Z")},
	}}
	if _, err := reference.Run(rev.Output.Root, big, reference.Env{}); err == nil || !strings.Contains(err.Error(), "to decimal(18,2)") {
		t.Errorf("a sum past the contract's precision: error %v, want a failed cast to decimal(18,2)", err)
	}
}

const peopleWorkspace = `
mesh {
  name     = "acme-people"
  mask_key = env("MESH_MASK_KEY")
}

domain "hr" {
  owner = "hr@acme.example"
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
    column "first" { type = "string" }
    column "last" { type = "string" }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "score" { type = "string" }
    column "balance" { type = "decimal(10,2)" }
    column "born" { type = "date" }
    column "seen" { type = "timestamp" }
    column "ratio" { type = "float64" }
  }
}

product "people_view" {
  domain = domain.hr
  input "people" { from = source.people }

  transform "view" {
    from = input.people
    filter { where = !like(coalesce(email, ""), "%@test.%") }
    select {
      columns = {
        id       = id
        label    = "${first} ${last}"
        full     = concat(first, " ", last)
        initial  = upper(substr(first, 1, 1))
        score    = cast(score, "int32") + 1
        rich     = balance >= 1000 ? "yes" : "no"
        doubled  = balance * 2
        plus_id  = balance + id
        age      = 2024 - year(born)
        week     = date_trunc("week", born)
        seen_day = cast(seen, "date")
        vip      = contains([1, 3, 5], id)
        rounded  = round(ratio, 1)
        per_id   = balance / id
        email    = email
        is_new   = seen > "2024-01-01T00:00:00Z" || seen == null
      }
    }
  }

  output { path = "lake/people/" }

  contract {
    column "email" {
      type = "string"
      mask = "hash"
    }
    column "doubled" { type = "decimal(20,2)" }
  }

  check "ids_unique" { assert = count_distinct(id) == row_count() }
  check "labels_present" {
    assert   = null_count(label) == 0
    severity = "warn"
  }
  check "doubled_mod" { assert = sum(doubled) % 2 == 0.98 }
}
`

// TestCompiledExpressions runs one select of many expression kinds as the
// compiler emits them: templates (each part cast to string), concat,
// substr, an explicit cast then int32 arithmetic with a constant, ? : with
// a null condition, decimal * and + with their result types, int32
// arithmetic, dates, contains, round, / through float64, three-valued ||,
// and the contract's widening and mask_hash with a key.
func TestCompiledExpressions(t *testing.T) {
	res := compileWorkspace(t, peopleWorkspace)
	p := product(t, res, "people_view")
	people := []R{
		{int64(1), "Ann", "Lee", "ann@x.io", "41", dec("1500", 2), date("1990-06-15"), ts("2024-03-01T10:00:00Z"), 0.25},
		{int64(2), nil, "Roe", "bob@test.com", "7", dec("10", 2), date("2000-01-01"), nil, 1.0}, // filtered out
		{int64(3), "Émile", nil, nil, nil, nil, nil, ts("2023-12-31T23:59:59Z"), nil},
		{int64(4), "zoë", "Ng", "ZOE@Y.IO", "-3", dec("999.99", 2), date("2024-03-17"), ts("2024-01-01T00:00:00Z"), -0.35},
		{int64(5), "Al", "Bo", "al@b.c", "0", dec("2.5", 2), date("1969-12-31"), ts("2024-01-01T00:00:00.000001Z"), 2.25},
	}
	env := reference.Env{MaskKey: []byte("k")}
	got, err := reference.Run(p.Output.Root, reference.Tables{"people": people}, env)
	if err != nil {
		t.Fatal(err)
	}
	// Columns: id label full initial score rich doubled plus_id age week
	// seen_day vip rounded per_id email is_new.
	want := []R{
		{int64(1), "Ann Lee", "Ann Lee", "A", int32(42), "yes", wide("3000", 2), wide("1501", 2), int32(34), date("1990-06-11"),
			date("2024-03-01"), true, 0.3, 1500.0, "3753e92d9c0058653a576b72f01dd118c55f9bb92cbd28cab431696b9e9b2cb3", true},
		{int64(3), nil, "Émile ", "É", nil, "no", nil, nil, nil, nil,
			date("2023-12-31"), true, nil, nil, nil, false},
		{int64(4), "zoë Ng", "zoë Ng", "Z", int32(-2), "no", wide("1999.98", 2), wide("1003.99", 2), int32(0), date("2024-03-11"),
			date("2024-01-01"), false, -0.4, 249.9975, "c1bc0f08f632475cfb5fafcd8fb0240e0d2e57e1cef54b50fded17e22e84bd96", false},
		{int64(5), "Al Bo", "Al Bo", "A", int32(1), "no", wide("5", 2), wide("7.5", 2), int32(55), date("1969-12-29"),
			date("2024-01-01"), true, 2.3, 0.5, "e413b17b191e4fdbbaad1d5d7cde229478e6016de723aa96850df7e19f4e80b4", true},
	}
	if diff := diffRows(want, got); diff != "" {
		t.Errorf("people_view (-want +got):\n%s", diff)
	}
	wantChecks := map[string]bool{"ids_unique": true, "labels_present": false, "doubled_mod": true}
	if diff := diffRows([]R{{wantChecks}}, []R{{runChecks(t, p, reference.Tables{"people": people}, env)}}); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}

	// A score that is not a number fails the explicit cast, naming the
	// value and the row of the select's input.
	bad := []R{people[0], {int64(9), "A", "B", nil, "4x", nil, nil, nil, nil}}
	_, err = reference.Run(p.Output.Root, reference.Tables{"people": bad}, env)
	if err == nil || !strings.Contains(err.Error(), `row 2: main.mesh.hcl:`) || !strings.Contains(err.Error(), `cannot cast string "4x" to int32`) {
		t.Errorf("bad score: error %v", err)
	}
}

const joinsWorkspace = `
mesh {
  name = "acme-joins"
}

domain "d" {
  owner = "d@acme.example"
}

source "a" {
  type = "parquet"
  path = "data/a.parquet"
  schema {
    infer = false
    column "id" { type = "int32" }
    column "name" { type = "string" }
  }
}

source "b" {
  type = "parquet"
  path = "data/b.parquet"
  schema {
    infer = false
    column "id" { type = "int64" }
    column "name" { type = "string" }
    column "qty" {
      type     = "int32"
      nullable = false
    }
  }
}

product "joins" {
  domain = domain.d
  input "a" { from = source.a }
  input "b" { from = source.b }

  transform "full" {
    from = input.a
    join {
      with = input.b
      type = "full"
      on   = a.id == b.id
    }
    select {
      columns = {
        a_id   = a.id
        b_id   = b.id
        a_name = a.name
        b_name = b.name
        qty    = qty * 2
      }
    }
  }

  transform "right" {
    from = input.a
    join {
      with = input.b
      as   = "o"
      type = "right"
      on   = a.id == o.id
    }
    filter { where = o.qty > 1 }
    aggregate {
      group_by = [o.name]
      columns = {
        n     = count()
        total = sum(qty)
        ids   = count_distinct(a.id)
      }
    }
  }

  transform "matched" {
    from = input.a
    join {
      with = input.b
      type = "semi"
      on   = a.id == b.id && a.name == b.name
    }
  }

  transform "unmatched" {
    from = input.a
    join {
      with = input.b
      type = "anti"
      on   = a.id == b.id
    }
  }

  transform "both" {
    from = transform.matched
    union {
      with = [transform.unmatched, transform.matched]
    }
    distinct {}
    sort { by = [id, desc(name)] }
    limit {
      count  = 3
      offset = 1
    }
  }

  output {
    from = transform.both
    path = "lake/joins/"
  }
}
`

// TestCompiledJoins runs compiled joins of every outer kind plus semi and
// anti (an int32 key widened to int64, a second string key, an alias),
// qualified columns after the join, a filter and an aggregate over a right
// join, and union, distinct, sort and limit over transforms used twice.
func TestCompiledJoins(t *testing.T) {
	res := compileWorkspace(t, joinsWorkspace)
	p := product(t, res, "joins")
	tables := reference.Tables{
		"a": {{int32(1), "x"}, {int32(2), "y"}, {nil, "z"}, {int32(2), "y"}, {int32(3), nil}, {int32(4), "w"}},
		"b": {{int64(1), "x", int32(5)}, {int64(2), "q", int32(1)}, {int64(2), "y", int32(3)}, {nil, "z", int32(4)}, {int64(5), "v", int32(2)}},
	}
	tests := []struct {
		transform string
		want      []R
	}{
		// a_id, b_id, a_name, b_name, qty*2.
		{"full", []R{
			{int32(1), int64(1), "x", "x", int32(10)},
			{int32(2), int64(2), "y", "q", int32(2)}, {int32(2), int64(2), "y", "y", int32(6)},
			{nil, nil, "z", nil, nil},
			{int32(2), int64(2), "y", "q", int32(2)}, {int32(2), int64(2), "y", "y", int32(6)},
			{int32(3), nil, nil, nil, nil},
			{int32(4), nil, "w", nil, nil},
			{nil, nil, nil, "z", int32(8)},
			{nil, int64(5), nil, "v", int32(4)},
		}},
		// name, n, total, ids: qty 1 rows are filtered out; right rows
		// without a match count no a.id.
		{"right", []R{
			{"x", int64(1), int64(5), int64(1)},
			{"y", int64(2), int64(6), int64(1)},
			{"z", int64(1), int64(4), int64(0)},
			{"v", int64(1), int64(2), int64(0)},
		}},
		{"matched", []R{{int32(1), "x"}, {int32(2), "y"}, {int32(2), "y"}}},
		{"unmatched", []R{{nil, "z"}, {int32(3), nil}, {int32(4), "w"}}},
		// Distinct leaves (1,x) (2,y) (null,z) (3,null) (4,w); sorted by
		// id with nulls last, then offset 1, count 3.
		{"both", []R{{int32(2), "y"}, {int32(3), nil}, {int32(4), "w"}}},
	}
	for _, tt := range tests {
		t.Run(tt.transform, func(t *testing.T) {
			if diff := diffRows(tt.want, mustRun(t, transformRoot(t, p, tt.transform), tables)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if diff := diffRows(tests[len(tests)-1].want, mustRun(t, p.Output.Root, tables)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}
