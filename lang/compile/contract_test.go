package compile_test

import (
	"context"
	"testing"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// TestMaskAnyType: mask = "hash" publishes the hash of any column's text
// as a string, and a promised non-null masked column is still checked.
func TestMaskAnyType(t *testing.T) {
	src := `mesh {
  name = "m"
}
domain "d" {
  owner = "o@example.com"
}
source "s" {
  type = "csv"
  path = "s.csv"
  schema {
    infer = false
    column "id" {
      type = "int64"
    }
    column "ssn" {
      type = "int64"
      tags = ["pii"]
    }
  }
}
product "p" {
  domain = domain.d
  input "s" {
    from = source.s
  }
  output {
    path = "out/"
  }
  contract {
    column "ssn" {
      type     = "string"
      mask     = "hash"
      nullable = false
    }
  }
}
`
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	p := res.Products["p"]
	col := p.Output.Schema[1]
	if col.Type != types.StringType || col.Nullable || len(col.Tags) != 0 {
		t.Errorf("published ssn = %s (tags %v), want a non-null string without tags", col, col.Tags)
	}
	proj, ok := p.Output.Root.(*ir.Project)
	if !ok {
		t.Fatalf("output root is %T, want the contract's Project", p.Output.Root)
	}
	if call, ok := proj.Exprs[1].(*ir.Call); !ok || call.Fn != ir.FnMaskHash || call.Args[0].Type() != types.Int64Type {
		t.Errorf("ssn is computed as %s, want mask_hash of the int64", ir.FormatExpr(proj.Exprs[1], proj.Input.Schema()))
	}
	if len(p.Checks) != 1 || p.Checks[0].Name != "contract_not_null_ssn" {
		t.Errorf("checks = %v, want the implicit not-null check of ssn", p.Checks)
	}
}
