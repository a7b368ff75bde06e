package planner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/policy"
	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/providers/lake"
)

// benchWorkspace writes a workspace of n products in dir: 10 CSV sources
// (declared schemas), products in layers of 100 where each product after
// the first layer reads one of the previous layer, two transforms each, a
// contract and a check.
func benchWorkspace(b *testing.B, dir string, n int) {
	b.Helper()
	write := func(name, s string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var src strings.Builder
	src.WriteString("mesh {\n  name = \"bench\"\n}\n\ndomain \"d\" {\n  owner = \"o@example.com\"\n}\n")
	for i := range 10 {
		write(fmt.Sprintf("data/s%d.csv", i), "id,amount,country\n1,2.50,DE\n")
		fmt.Fprintf(&src, `
source "s%d" {
  type = "csv"
  path = "data/s%d.csv"
  schema {
    infer = false
    column "id" {
      type = "int64"
    }
    column "amount" {
      type = "decimal(10,2)"
    }
    column "country" {
      type = "string"
    }
  }
}
`, i, i)
	}
	write("main.mesh.hcl", src.String())
	for f := 0; f < n/20; f++ {
		var b2 strings.Builder
		for k := 0; k < 20; k++ {
			i := f*20 + k
			from := fmt.Sprintf("source.s%d", i%10)
			if i >= 100 {
				from = fmt.Sprintf("product.p%d", i-100)
			}
			fmt.Fprintf(&b2, `
product "p%d" {
  domain  = domain.d
  version = "1.0.0"
  input "in" {
    from = %s
  }
  transform "clean" {
    from = input.in
    filter {
      where = amount > 0 && country != null
    }
    select {
      columns = {
        id      = id
        amount  = amount
        country = upper(country)
      }
    }
  }
  transform "agg" {
    from = transform.clean
    aggregate {
      group_by = [country]
      columns = {
        id     = max(id)
        amount = sum(amount)
      }
    }
  }
  output {
    path = "lake/p%d/"
  }
  contract {
    column "country" {
      type = "string"
    }
  }
  check "rows" {
    assert = row_count() > 0
  }
}
`, i, from, i)
		}
		write(fmt.Sprintf("products/f%02d.mesh.hcl", f), b2.String())
	}
}

func loadCompile(b *testing.B, dir string) (*configs.Workspace, *compile.Result) {
	ws, ds := configs.Load(os.DirFS(dir), configs.Options{})
	if ds.HasErrors() {
		b.Fatal(ds.Err())
	}
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		b.Fatal(ds.Err())
	}
	return ws, res
}

// BenchmarkPlan1000Unchanged plans 1,000 products whose state is current:
// load and compile every file, fingerprint every source, check every
// published output for drift, decide. The bar is under a second.
func BenchmarkPlan1000Unchanged(b *testing.B) {
	dir := b.TempDir()
	benchWorkspace(b, dir, 1000)
	ctx := context.Background()
	l := lake.New(dir)
	ws, res := loadCompile(b, dir)
	p, err := Plan(ctx, Options{Workspace: ws, Compiled: res, Prior: state.New("bench"), Lake: l})
	if err != nil {
		b.Fatal(err)
	}
	// Publish an (empty) version of every product and record it, as apply
	// would.
	st := state.New("bench")
	for _, c := range p.Changes {
		rec := *c.After
		id := "20261125T000000Z-000000"
		dirv, err := l.Stage(ctx, rec.Output.Path, id)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dirv, "part-00000.parquet"), []byte("x"), 0o644); err != nil {
			b.Fatal(err)
		}
		m := &lakeio.Manifest{FormatVersion: 1, Product: c.Product, VersionID: id, Format: "parquet",
			Files: []lakeio.File{{Path: "part-00000.parquet", Rows: 1, Bytes: 1}}}
		if err := l.Publish(ctx, rec.Output.Path, m); err != nil {
			b.Fatal(err)
		}
		_, sum, err := l.Current(ctx, rec.Output.Path)
		if err != nil {
			b.Fatal(err)
		}
		rec.Output.VersionID, rec.Output.ManifestSHA256 = id, sum
		rec.Output.Files = []state.File{{Path: "part-00000.parquet", Rows: 1, Bytes: 1}}
		st.Products[c.Product] = &rec
	}
	for name, rec := range st.Products {
		for in, v := range rec.Inputs {
			if up := strings.TrimPrefix(v.From, "product."); up != v.From {
				v.Fingerprint = "version:" + st.Products[up].Output.VersionID
				rec.Inputs[in] = v
			}
		}
		_ = name
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ws, res := loadCompile(b, dir)
		p, err := Plan(ctx, Options{Workspace: ws, Compiled: res, Prior: st, Lake: l})
		if err != nil {
			b.Fatal(err)
		}
		if p.HasChanges() {
			b.Fatalf("the unchanged workspace has changes: %+v", p.Summary())
		}
		if len(p.Changes) != 1000 || p.Changes[999].Action != plans.NoOp {
			b.Fatalf("%d changes", len(p.Changes))
		}
	}
}

// benchPolicies are 20 policies of every kind, as a governance repository
// would hold them.
const benchPolicies = `
policy "owner" {
  applies_to  = "product"
  enforcement = "hard_mandatory"
  condition   = product.owner != ""
  message     = "${product.name} has no owner"
}
policy "description" {
  applies_to = "product"
  condition  = product.description != ""
  message    = "${product.name} has no description"
}
policy "snake_case" {
  applies_to = "product"
  condition  = can(regex("^[a-z][a-z0-9_]*$", product.name))
}
policy "version" {
  applies_to = "product"
  condition  = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", product.version))
}
policy "checks" {
  applies_to = "product"
  condition  = length(product.checks) > 0
}
policy "gold_sla" {
  applies_to = "product"
  when       = contains(product.tags, "gold")
  condition  = product.sla != null && length(product.checks) >= 2
}
policy "no_pii_to_everyone" {
  applies_to  = "product"
  enforcement = "soft_mandatory"
  condition   = !contains(product.access.readers, "everyone") || !anytrue([for c in product.columns : contains(c.tags, "pii")])
}
policy "contract" {
  applies_to = "product"
  condition  = product.has_contract
}
policy "inputs" {
  applies_to = "product"
  condition  = length(product.inputs) > 0 && length(product.inputs) < 10
}
policy "pii_masked" {
  applies_to = "column"
  when       = contains(column.tags, "pii")
  condition  = column.mask != null
  message    = "${product.name}.${column.name} is PII and must be masked"
}
policy "column_names" {
  applies_to = "column"
  condition  = lower(column.name) == column.name
}
policy "column_docs" {
  applies_to = "column"
  when       = column.contract
  condition  = column.type != ""
}
policy "no_floats" {
  applies_to = "column"
  condition  = column.type != "float64" || !column.contract
}
policy "parquet" {
  applies_to = "output"
  condition  = output.format == "parquet"
}
policy "s3_encrypted" {
  applies_to = "output"
  when       = startswith(output.path, "s3://")
  condition  = output.encryption != null
}
policy "partitions" {
  applies_to = "output"
  condition  = length(output.partition_by) <= 2
}
policy "lake_paths" {
  applies_to = "output"
  condition  = startswith(output.path, "lake/") || startswith(output.path, "s3://")
}
policy "no_silent_breaking_changes" {
  applies_to  = "change"
  enforcement = "soft_mandatory"
  condition   = !change.breaking || change.major_version_bumped
}
policy "no_unmasking" {
  applies_to = "change"
  condition  = length(change.masks_removed) == 0
}
policy "source_docs" {
  applies_to = "source"
  condition  = source.type != "postgres" || source.dsn_from_env
}
`

// BenchmarkPolicies20x1000 evaluates 20 policies over the first plan of
// 1,000 products (every product is a create, so change policies run on
// all of them too): what policies add to a plan. The bar is
// under 200 ms.
func BenchmarkPolicies20x1000(b *testing.B) {
	dir := b.TempDir()
	benchWorkspace(b, dir, 1000)
	if err := os.WriteFile(filepath.Join(dir, "policies.mesh.hcl"), []byte(benchPolicies), 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ws, res := loadCompile(b, dir)
	if len(ws.Policies) != 20 {
		b.Fatalf("%d policies", len(ws.Policies))
	}
	p, err := Plan(ctx, Options{Workspace: ws, Compiled: res, Prior: state.New("bench"), Lake: lake.New(dir)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := policy.Evaluate(policy.Input{Workspace: ws, Compiled: res, Plan: p, Now: p.CreatedAt})
		// Every product lacks a description: 1,000 violations at least.
		if len(r.Violations) < 1000 {
			b.Fatalf("%d violations", len(r.Violations))
		}
	}
}
