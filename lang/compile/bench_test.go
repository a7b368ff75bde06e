package compile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
)

// Shape of the generated workspace.
const (
	benchProducts     = 1000
	benchFiles        = 50
	benchSources      = 5
	benchLayer0       = 200 // products reading sources only
	benchPerFile      = benchProducts / benchFiles
	benchSourceSchema = `
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "grp" { type = "string" }
    column "amount" { type = "decimal(18,2)" }
    column "qty" { type = "int32" }
    column "at" { type = "timestamp" }
    column "flag" { type = "bool" }
  }`
)

// benchWorkspace generates a workspace of benchProducts products over
// benchFiles files. The first benchLayer0 products read a declared-schema
// source; every later one reads one or two earlier products (and
// sometimes a source too), so the products form layers. Each has two
// transforms (filter, select, join, aggregate, sort), a contract and two
// checks; every product publishes (id int64, grp string, amount
// decimal(38,2), n int64).
func benchWorkspace() []configs.File {
	var main strings.Builder
	main.WriteString("mesh {\n  name = \"bench\"\n}\n\ndomain \"d\" {\n  owner = \"d@example.com\"\n}\n")
	for s := range benchSources {
		fmt.Fprintf(&main, "\nsource \"src%d\" {\n  type = \"parquet\"\n  path = \"data/src%d/\"%s\n}\n", s, s, benchSourceSchema)
	}
	files := []configs.File{{Name: "main.mesh.hcl", Src: []byte(main.String())}}
	var b strings.Builder
	for i := range benchProducts {
		b.WriteString(benchProduct(i))
		if (i+1)%benchPerFile == 0 {
			files = append(files, configs.File{Name: fmt.Sprintf("products/f%02d.mesh.hcl", i/benchPerFile), Src: []byte(b.String())})
			b.Reset()
		}
	}
	return files
}

const benchTail = `
  output {
    path = "lake/%[1]s/"
  }

  contract {
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "grp" {
      type     = "string"
      nullable = false
    }
    column "amount" {
      type        = "decimal(38,2)"
      description = "Total amount"
    }
  }

  check "has_rows" {
    assert = row_count() > 0
  }
  check "amount_positive" {
    assert   = min(amount) >= 0 && null_count(grp) == 0
    severity = "warn"
  }
}
`

func benchProduct(i int) string {
	name := fmt.Sprintf("p%04d", i)
	head := fmt.Sprintf("\nproduct %q {\n  domain  = domain.d\n  version = \"1.0.%d\"\n", name, i%10)
	var body string
	switch {
	case i < benchLayer0:
		body = fmt.Sprintf(`
  input "src" { from = source.src%d }

  transform "clean" {
    from = input.src
    filter { where = amount > 0 && grp != null && at >= "2024-01-01" }
    select {
      columns = {
        id     = id
        grp    = lower(trim(grp))
        amount = amount
        units  = coalesce(qty, 0)
      }
    }
  }

  transform "agg" {
    from = transform.clean
    aggregate {
      group_by = [id, grp]
      columns = {
        amount = sum(amount)
        n      = count()
      }
    }
    sort { by = [desc(amount), id] }
  }
`, i%benchSources)
	case i%5 == 0:
		// One upstream product joined with a source.
		body = fmt.Sprintf(`
  input "up" { from = product.p%04d }
  input "src" { from = source.src%d }

  transform "joined" {
    from = input.up
    join {
      with = input.src
      type = "inner"
      on   = up.id == src.id
    }
    filter { where = src.flag && qty > 1 }
    select {
      columns = {
        id     = up.id
        grp    = "${up.grp}-${year(at)}"
        amount = up.amount + coalesce(src.amount, 0)
        n      = n
      }
    }
  }

  transform "agg" {
    from = transform.joined
    aggregate {
      group_by = [id, grp]
      columns = {
        amount = sum(amount)
        n      = sum(n)
      }
    }
    sort { by = [grp] }
  }
`, benchUpstream(i, 1), i%benchSources)
	default:
		// Two upstream products joined.
		body = fmt.Sprintf(`
  input "a" { from = product.p%04d }
  input "b" { from = product.p%04d }

  transform "joined" {
    from = input.a
    join {
      with = input.b
      type = "left"
      on   = a.id == b.id && a.grp == b.grp
    }
    select {
      columns = {
        id     = a.id
        grp    = upper(a.grp)
        amount = a.amount + coalesce(b.amount, 0)
        n      = a.n + coalesce(b.n, 0)
      }
    }
  }

  transform "agg" {
    from = transform.joined
    filter { where = amount > 10 || n > 2 }
    aggregate {
      group_by = [id, grp]
      columns = {
        amount = sum(amount)
        n      = count()
      }
    }
  }
`, benchUpstream(i, 1), benchUpstream(i, 2))
	}
	return head + body + fmt.Sprintf(benchTail, name)
}

// benchUpstream picks an earlier product for product i to read, from the
// layer before it.
func benchUpstream(i, k int) int {
	if k == 1 {
		return i - benchLayer0 + (i*7)%benchLayer0/2
	}
	return i - benchLayer0/2 - (i*13)%(benchLayer0/2)
}

func TestBenchWorkspaceCompiles(t *testing.T) {
	files := benchWorkspace()
	if len(files) != benchFiles+1 {
		t.Errorf("%d files, want %d", len(files), benchFiles+1)
	}
	ws, diags := configs.LoadFiles(files, configs.Options{})
	if diags.HasErrors() {
		t.Fatalf("load:\n%s", renderDiagnostics(ws, diags))
	}
	res, diags := compile.Compile(context.Background(), ws, compile.Options{})
	if len(diags) > 0 {
		t.Fatalf("compile:\n%s", renderDiagnostics(ws, diags))
	}
	if len(res.Products) != benchProducts {
		t.Fatalf("%d products compiled, want %d", len(res.Products), benchProducts)
	}
	// Every product publishes the same schema, whatever it reads.
	for _, name := range res.Order {
		if got := strings.Join(schemaSigs(res.Products[name].Output.Schema), ", "); got != "id int64, grp string, amount decimal(38,2), n int64" {
			t.Fatalf("%s publishes %s", name, got)
		}
	}
}

// BenchmarkLoadCompile1000 times loading and compiling a workspace of 1,000
// products in 50 files, as validate, explain and plan do on every run.
func BenchmarkLoadCompile1000(b *testing.B) {
	files := benchWorkspace()
	var size int
	for _, f := range files {
		size += len(f.Src)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		in := append([]configs.File(nil), files...)
		ws, diags := configs.LoadFiles(in, configs.Options{})
		if diags.HasErrors() {
			b.Fatal(diags.Err())
		}
		res, diags := compile.Compile(ctx, ws, compile.Options{})
		if diags.HasErrors() || len(res.Products) != benchProducts {
			b.Fatalf("%d products compiled: %v", len(res.Products), diags.Err())
		}
	}
}

// BenchmarkLoad1000 and BenchmarkCompile1000 split BenchmarkLoadCompile1000
// into its two phases.
func BenchmarkLoad1000(b *testing.B) {
	files := benchWorkspace()
	b.ReportAllocs()
	for b.Loop() {
		in := append([]configs.File(nil), files...)
		if _, diags := configs.LoadFiles(in, configs.Options{}); diags.HasErrors() {
			b.Fatal(diags.Err())
		}
	}
}

func BenchmarkCompile1000(b *testing.B) {
	ws, diags := configs.LoadFiles(benchWorkspace(), configs.Options{})
	if diags.HasErrors() {
		b.Fatal(diags.Err())
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if res, diags := compile.Compile(ctx, ws, compile.Options{}); diags.HasErrors() || len(res.Products) != benchProducts {
			b.Fatalf("%d products compiled: %v", len(res.Products), diags.Err())
		}
	}
}
