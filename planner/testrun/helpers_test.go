package testrun

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/meshtest"
)

// workspaceSrc is the workspace the tests run against. Source schemas are
// declared, so nothing is read from disk.
const workspaceSrc = `mesh {
  name = "test"
}

domain "d" {
  owner = "d@example.com"
}

source "people" {
  type = "csv"
  path = "people.csv"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "name" {
      type = "string"
      tags = ["pii"]
    }
    column "age" { type = "int32" }
    column "score" { type = "float64" }
    column "balance" { type = "decimal(10,2)" }
    column "born" { type = "date" }
    column "seen" { type = "timestamp" }
    column "vip" { type = "bool" }
  }
}

source "visits" {
  type = "csv"
  path = "visits.csv"
  schema {
    infer = false
    column "person_id" { type = "int64" }
    column "pages" { type = "int64" }
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
    select {
      columns = {
        id      = id
        name    = upper(name)
        balance = balance
        vip     = vip
      }
    }
  }
  output {
    path = "out/adults/"
  }
}

product "ranked" {
  domain = domain.d
  owner  = "d@example.com"
  input "people" {
    from = source.people
  }
  input "visits" {
    from = source.visits
  }
  transform "totals" {
    from = input.visits
    aggregate {
      group_by = [person_id]
      columns = {
        pages = sum(pages)
      }
    }
  }
  transform "named" {
    from = transform.totals
    join {
      with = input.people
      on   = totals.person_id == people.id
    }
    select {
      columns = {
        name  = name
        pages = pages
        ratio = pages / 4
      }
    }
    sort {
      by = [desc(pages)]
    }
  }
  output {
    path = "out/ranked/"
  }
}

product "downstream" {
  domain = domain.d
  owner  = "d@example.com"
  input "adults" {
    from = product.adults
  }
  transform "parsed" {
    from = input.adults
    select {
      columns = {
        id   = id
        code = cast(name, "int32")
      }
    }
  }
  output {
    path = "out/downstream/"
  }
}

policy "pii_is_masked" {
  applies_to = "column"
  when       = contains(column.tags, "pii")
  condition  = column.mask != null
  message    = "${product.name}.${column.name} carries PII and must be masked"
}
`

// governanceSrc is a governance folder's policy, loaded with --policies.
const governanceSrc = `policy "products_have_owner" {
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
  message     = "product ${product.name} has no owner"
}

policy "products_are_described" {
  applies_to = "product"
  condition  = length(product.description) >= 10
  message    = "product ${product.name} needs a description"
}
`

// setup loads the workspace (with the governance folder ../gov) and the
// test files, and returns the suite and the options to run it with.
func setup(t *testing.T, tests map[string]string) (*meshtest.Suite, Options) {
	t.Helper()
	ws, diags := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(workspaceSrc)}},
		configs.Options{PolicyDirs: []configs.PolicyDir{{Dir: "../gov", FS: fstest.MapFS{"owners.mesh.hcl": {Data: []byte(governanceSrc)}}}}})
	if diags.HasErrors() {
		t.Fatalf("workspace: %v", diags.Err())
	}
	res, diags := compile.Compile(context.Background(), ws, compile.Options{})
	if diags.HasErrors() {
		t.Fatalf("compile: %v", diags.Err())
	}
	fsys := fstest.MapFS{}
	for name, src := range tests {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	suite, diags := meshtest.Load(fsys, meshtest.Options{})
	if diags.HasErrors() {
		t.Fatalf("test files: %v", diags.Err())
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return suite, Options{Workspace: ws, Compiled: res, Now: func() time.Time { return now }}
}

// runOne runs the only test of a test file.
func runOne(t *testing.T, src string, files ...string) Result {
	t.Helper()
	tests := map[string]string{"t.meshtest.hcl": src}
	for i := 0; i+1 < len(files); i += 2 {
		tests[files[i]] = files[i+1]
	}
	suite, opts := setup(t, tests)
	if len(suite.Cases) != 1 {
		t.Fatalf("%d tests in the file, want 1", len(suite.Cases))
	}
	return Run(context.Background(), suite.Cases, opts)[0]
}

// diagText renders diagnostics as "file:line:col: summary: detail" lines.
func diagText(ds diag.Diagnostics) string {
	var lines []string
	for _, d := range ds {
		at := "-"
		if d.Subject != nil {
			at = d.Subject.String()
		}
		lines = append(lines, at+": "+d.Summary+": "+d.Detail)
	}
	return strings.Join(lines, "\n")
}

// outcome renders a result the way a reader checks it: PASS or FAIL, then
// the diagnostics, the failure and the row diff.
func outcome(r Result) string {
	var b strings.Builder
	if r.Passed {
		b.WriteString("PASS")
	} else {
		b.WriteString("FAIL")
	}
	if len(r.Diags) > 0 {
		b.WriteString("\n" + diagText(r.Diags))
	}
	if r.Failure != "" {
		b.WriteString("\n" + r.Failure)
	}
	if r.Diff != nil && !r.Diff.Equal() {
		b.WriteString("\n" + r.Subject + ": " + r.Diff.Summary() + "\n" + strings.TrimRight(r.Diff.Text("  "), "\n"))
	}
	return b.String()
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
