package compile_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
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

// maskPreamble declares source s (id, email and card with tag pii, an
// int64 ssn, a non-null int32 age, a decimal amount) and opens product p
// publishing it; maskProduct closes it after the contract.
const maskPreamble = `mesh {
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
      type     = "int64"
      nullable = false
    }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "card" {
      type = "string"
      tags = ["pii", "pci"]
    }
    column "ssn" {
      type = "int64"
      tags = ["pii"]
    }
    column "age" {
      type     = "int32"
      nullable = false
      tags     = ["pii"]
    }
    column "amount" {
      type = "decimal(18,2)"
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
`

// maskProduct is the workspace of maskPreamble (46 lines) with the given
// contract columns, which start on line 47.
func maskProduct(columns string) string { return maskPreamble + columns + "  }\n}\n" }

func compileMasks(t *testing.T, src string) (*compile.Result, diag.Diagnostics) {
	t.Helper()
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	return compile.Compile(context.Background(), ws, compile.Options{})
}

// TestMaskKinds: each mask's published type, nullability and tags, the
// function that computes it and the implicit checks it needs.
func TestMaskKinds(t *testing.T) {
	tests := []struct {
		name    string
		columns string
		// col is the masked column; want its published signature (see
		// columnSig) and fn the IR function computing it, of type callT
		// (nullable callNull).
		col      string
		want     string
		fn       ir.Func
		callT    types.Type
		callNull bool
		checks   []string
	}{
		{name: "hash", col: "email", want: "email string null", fn: ir.FnMaskHash, callT: types.StringType, callNull: true, columns: `
    column "email" {
      type = "string"
      mask = "hash"
    }
`},
		{name: "redact keeps the contract's tags", col: "card", want: "card string null [masked]", fn: ir.FnMaskRedact, callT: types.StringType, callNull: true, columns: `
    column "card" {
      type = "string"
      mask = "redact"
      tags = ["masked"]
    }
`},
		{name: "redact of an int", col: "ssn", want: "ssn string null", fn: ir.FnMaskRedact, callT: types.StringType, callNull: true, columns: `
    column "ssn" {
      type = "string"
      mask = "redact"
    }
`},
		{name: "null keeps the computed type and becomes nullable", col: "age", want: "age int32 null", fn: ir.FnMaskNull, callT: types.Int32Type, callNull: true, columns: `
    column "age" {
      type = "int32"
      mask = "null"
    }
`},
		{name: "null widens to the contract's type", col: "age", want: "age int64 null", fn: ir.FnMaskNull, callT: types.Int64Type, callNull: true, columns: `
    column "age" {
      type     = "int64"
      mask     = "null"
      nullable = true
    }
`},
		{name: "null with fewer decimal digits", col: "amount", want: "amount decimal(10,2) null", fn: ir.FnMaskNull, callT: types.DecimalType(10, 2), callNull: true, columns: `
    column "amount" {
      type = "decimal(10,2)"
      mask = "null"
    }
`},
		{name: "last4 of an int", col: "ssn", want: "ssn string null", fn: ir.FnMaskLast4, callT: types.StringType, callNull: true, columns: `
    column "ssn" {
      type = "string"
      mask = "last4"
    }
`},
		{name: "last4 of a non-null int", col: "age", want: "age string", fn: ir.FnMaskLast4, callT: types.StringType, columns: `
    column "age" {
      type = "string"
      mask = "last4"
    }
`},
		{name: "email_domain promised non-null is checked", col: "email", want: "email string", fn: ir.FnMaskEmailDomain, callT: types.StringType, callNull: true,
			checks: []string{"contract_not_null_email"}, columns: `
    column "email" {
      type     = "string"
      mask     = "email_domain"
      nullable = false
    }
`},
		{name: "last4 of a non-null column needs no check", col: "age", want: "age string", fn: ir.FnMaskLast4, callT: types.StringType, columns: `
    column "age" {
      type     = "string"
      mask     = "last4"
      nullable = false
    }
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, ds := compileMasks(t, maskProduct(tt.columns))
			if ds.HasErrors() {
				t.Fatal(ds.Err())
			}
			p := res.Products["p"]
			i := p.Output.Schema.Index(tt.col)
			if got := columnSig(p.Output.Schema[i]); got != tt.want {
				t.Errorf("published %s, want %s", got, tt.want)
			}
			proj, ok := p.Output.Root.(*ir.Project)
			if !ok {
				t.Fatalf("output root is %T, want the contract's Project", p.Output.Root)
			}
			call, ok := proj.Exprs[i].(*ir.Call)
			if !ok || call.Fn != tt.fn || call.T != tt.callT || call.Null != tt.callNull {
				t.Fatalf("%s is computed as %s, want %s(%s) of type %s (nullable %v)", tt.col, ir.FormatExpr(proj.Exprs[i], proj.Input.Schema()), tt.fn, tt.col, tt.callT, tt.callNull)
			}
			if ref, ok := call.Args[0].(*ir.ColumnRef); !ok || ref.Name != tt.col {
				t.Errorf("%s masks %s, want the column itself", tt.fn, ir.FormatExpr(call.Args[0], proj.Input.Schema()))
			}
			if proj.Out[i].Type != tt.callT || proj.Out[i].Nullable != tt.callNull {
				t.Errorf("the Project computes %s, want %s (nullable %v)", proj.Out[i], tt.callT, tt.callNull)
			}
			var checks []string
			for _, c := range p.Checks {
				checks = append(checks, c.Name)
				if c.Column != tt.col || !c.Implicit {
					t.Errorf("check %s enforces column %q (implicit %v), want %q", c.Name, c.Column, c.Implicit, tt.col)
				}
			}
			if !slices.Equal(checks, tt.checks) {
				t.Errorf("checks = %v, want %v", checks, tt.checks)
			}
			// Unmasked columns keep their tags.
			if got := columnSig(p.Output.Schema[p.Output.Schema.Index("id")]); got != "id int64" {
				t.Errorf("id published as %s", got)
			}
		})
	}
}

// TestMaskErrors: a mask the contract's type or nullability contradicts
// is a diagnostic at the attribute that says so.
func TestMaskErrors(t *testing.T) {
	tests := []struct {
		name, columns string
		at, summary   string
		detail        string
	}{
		{name: "redact of an int type", at: "main.mesh.hcl:50:14", summary: `Masked column "ssn" must be a string`,
			detail: `mask = "redact" publishes "****", which is a string; declare type = "string" in the contract.`, columns: `
    column "ssn" {
      type = "int64"
      mask = "redact"
    }
`},
		{name: "hash of an int type", at: "main.mesh.hcl:50:14", summary: `Masked column "ssn" must be a string`,
			detail: `mask = "hash" publishes a hash, which is a string; declare type = "string" in the contract.`, columns: `
    column "ssn" {
      type = "int64"
      mask = "hash"
    }
`},
		{name: "last4 of a decimal type", at: "main.mesh.hcl:50:14", summary: `Masked column "amount" must be a string`,
			detail: `mask = "last4" publishes the value's last 4 characters after '*'s, which is a string`, columns: `
    column "amount" {
      type = "decimal(18,2)"
      mask = "last4"
    }
`},
		{name: "email_domain of a date type", at: "main.mesh.hcl:50:14", summary: `Masked column "email" must be a string`,
			detail: `mask = "email_domain" publishes "***" and the e-mail's domain, which is a string`, columns: `
    column "email" {
      type = "date"
      mask = "email_domain"
    }
`},
		{name: "null and nullable = false", at: "main.mesh.hcl:50:18", summary: `Masked column "age" cannot be non-null`,
			detail: `mask = "null" publishes null in every row, but the contract also says nullable = false.`, columns: `
    column "age" {
      type     = "int32"
      mask     = "null"
      nullable = false
    }
`},
		{name: "null of a type that does not widen", at: "main.mesh.hcl:49:14", summary: `Contract says "email" is int64, but the output computes string`,
			detail: "string does not widen to int64 without loss.", columns: `
    column "email" {
      type = "int64"
      mask = "null"
    }
`},
		{name: "null narrowing an int", at: "main.mesh.hcl:49:18", summary: `Contract says "ssn" is int32, but the output computes int64`,
			detail: "int64 does not widen to int32 without loss.", columns: `
    column "ssn" {
      type     = "int32"
      mask     = "null"
    }
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := compileMasks(t, maskProduct(tt.columns))
			var errs []string
			for _, d := range ds {
				if d.Severity != diag.Error {
					continue
				}
				errs = append(errs, d.Subject.String()+": "+d.Summary)
				if !strings.Contains(d.Detail, tt.detail) {
					t.Errorf("detail = %q, want it to contain %q", d.Detail, tt.detail)
				}
			}
			if want := []string{tt.at + ": " + tt.summary}; !slices.Equal(errs, want) {
				t.Errorf("errors = %q, want %q", errs, want)
			}
		})
	}
}
