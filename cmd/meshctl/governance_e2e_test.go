package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// govPolicies is a governance folder: the mesh's rules, shared by every
// domain's workspace.
const govPolicies = `policy "pii_is_masked" {
  enforcement = "soft_mandatory"
  applies_to  = "column"
  when        = contains(column.tags, "pii")
  condition   = column.mask != null
  message     = "${product.name}.${column.name} is PII and must be masked"
}

policy "sources_use_env" {
  applies_to = "source"
  condition  = source.type != "postgres" || source.dsn_from_env
}
`

// govWorkspace is a domain's workspace; extra is appended to its only file.
func govWorkspace(extra string) string {
	return `mesh {
  name = "sales"
}

domain "sales" {
  owner = "sales@example.com"
}

source "crm" {
  type = "csv"
  path = "crm.csv"
  schema {
    infer = false
    column "id" {
      type = "int64"
    }
  }
}

product "p" {
  domain = domain.sales
  input "crm" {
    from = source.crm
  }
  output {
    path = "lake/p/"
  }
}
` + extra
}

// govTree lays out tmp/gov (the governance folder) and tmp/clean and
// tmp/override, two workspaces next to it.
func govTree(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	write(t, tmp, "gov/pii.mesh.hcl", govPolicies)
	write(t, tmp, "clean/main.mesh.hcl", govWorkspace(`
exemption "legacy_pii" {
  policy  = policy.pii_is_masked
  target  = product.p
  reason  = "DATA-412"
  expires = "2027-03-31"
}
`))
	write(t, tmp, "override/main.mesh.hcl", govWorkspace(`
policy "pii_is_masked" {
  applies_to = "column"
  condition  = true
}
`))
	return tmp
}

func TestValidateWithGovernancePolicies(t *testing.T) {
	tmp := govTree(t)
	const clean = "Success! The configuration is valid: 1 product, 1 source, 2 policies."

	t.Run("clean workspace", func(t *testing.T) {
		// The workspace's exemption names a governance policy: it resolves.
		r := meshctl(t, filepath.Join(tmp, "clean"), "validate", "--policies", "../gov")
		if r.code != 0 || strings.TrimSpace(r.stdout) != clean || r.stderr != "" {
			t.Fatalf("exit %d, want 0\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("workspace overrides a governance policy", func(t *testing.T) {
		r := meshctl(t, filepath.Join(tmp, "override"), "validate", "--policies", "../gov")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{
			`Error: Policy "pii_is_masked" overrides a governance policy`,
			"on main.mesh.hcl:30:8",
			`Policy "pii_is_masked" is defined by the governance policies in ../gov (../gov/pii.mesh.hcl:1:1); a workspace cannot override the mesh's rules.`,
		} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		}
		if strings.Contains(r.stdout, "Success") {
			t.Errorf("stdout claims success:\n%s", r.stdout)
		}
	})

	t.Run("without the folder the same workspace is valid", func(t *testing.T) {
		r := meshctl(t, filepath.Join(tmp, "override"), "validate")
		if r.code != 0 {
			t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
		}
	})

	t.Run("single dash, relative to --chdir like every path after it", func(t *testing.T) {
		r := meshctl(t, tmp, "-chdir=override", "validate", "-policies", "../gov", "-json")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
		var out struct {
			Diagnostics []struct {
				Summary string `json:"summary"`
				Detail  string `json:"detail"`
				Range   struct {
					Filename string `json:"filename"`
					Start    struct{ Line, Column int }
				} `json:"range"`
			} `json:"diagnostics"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, r.stdout)
		}
		if len(out.Diagnostics) != 1 {
			t.Fatalf("want one diagnostic, got %+v", out.Diagnostics)
		}
		d := out.Diagnostics[0]
		if d.Range.Filename != "override/main.mesh.hcl" || d.Range.Start.Line != 30 || d.Range.Start.Column != 8 {
			t.Errorf("range %s:%d:%d, want override/main.mesh.hcl:30:8", d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column)
		}
		if !strings.Contains(d.Detail, "in gov (gov/pii.mesh.hcl:1:1)") {
			t.Errorf("detail %q does not name gov/pii.mesh.hcl:1:1", d.Detail)
		}
		if r := meshctl(t, tmp, "-chdir=clean", "validate", "-policies=../gov"); r.code != 0 || strings.TrimSpace(r.stdout) != clean {
			t.Errorf("clean with -policies=gov: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("repeated folders", func(t *testing.T) {
		write(t, tmp, "platform/owner.mesh.hcl", `policy "has_owner" {
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
}
`)
		r := meshctl(t, filepath.Join(tmp, "clean"), "validate", "--policies", "../gov", "--policies", "../platform")
		if r.code != 0 || !strings.Contains(r.stdout, "3 policies") {
			t.Fatalf("exit %d, want 0 with 3 policies\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("missing folder", func(t *testing.T) {
		r := meshctl(t, filepath.Join(tmp, "clean"), "validate", "--policies", "../govv")
		if r.code != 1 || !strings.Contains(r.stderr, "Governance folder not found") || !strings.Contains(r.stderr, "../govv does not exist") {
			t.Errorf("exit %d, want 1 naming ../govv\n%s", r.code, r.stderr)
		}
	})

	t.Run("explain sees governance policies", func(t *testing.T) {
		r := meshctl(t, filepath.Join(tmp, "override"), "explain", "p", "--policies", "../gov")
		if r.code != 1 || !strings.Contains(r.stderr, "overrides a governance policy") {
			t.Errorf("explain: exit %d, want 1 with the override error\n%s", r.code, r.stderr)
		}
	})
}

// TestPIIMaskedEndToEnd runs the sales example with its governance
// folder: a product publishing PII without masks cannot be planned; with
// masks it plans clean, applies, and a consumer reading the published
// output finds no raw value of the masked columns.
func TestPIIMaskedEndToEnd(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	root := repoRoot(t)
	// The example as it is, exemption included, and the governance
	// folder next to it, as in the repository.
	b, err := os.ReadFile(filepath.Join(root, "examples", "sales", "policies.mesh.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "policies.mesh.hcl", string(b))
	gov, err := filepath.Glob(filepath.Join(root, "examples", "governance", "*.mesh.hcl"))
	if err != nil || len(gov) < 5 {
		t.Fatalf("governance files: %v %v", gov, err)
	}
	for _, f := range gov {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(filepath.Dir(dir), "governance"), filepath.Base(f), string(b))
	}

	// customers_copy publishes name and email, both tagged pii at the
	// source, unmasked.
	write(t, dir, "products/customers_copy.mesh.hcl", strings.Replace(copyProduct, `  owner  = "sales-data@acme.example"`,
		`  owner       = "sales-data@acme.example"
  description = "Every customer, for the CRM team"`, 1)+"\n")
	editFile(t, dir, "products/customers_copy.mesh.hcl", `    path = "lake/customers_copy/"
  }`, `    path = "lake/customers_copy/"
  }

  check "has_rows" {
    assert = row_count() > 0
  }`)
	r := meshctl(t, dir, "plan", "--policies", "../governance", "-out", "pii.plan")
	if r.code != 1 {
		t.Fatalf("plan of unmasked PII: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"customers_copy.email carries PII (from source.customers.email) and must be masked",
		"customers_copy.name carries PII (from source.customers.name) and must be masked",
		"policy at ../governance/privacy.mesh.hcl:4:1 (governance ../governance)",
		// The example's own exemption still covers top_customers.
		"exempted by exemption.top_customers_names",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, want := range []string{"the plan cannot be applied: 2 mandatory policy checks failed", "pii_is_masked (soft_mandatory) on product.customers_copy.column.email", "add an exemption"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("plan's error lacks %q:\n%s", want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "pii.plan")); err == nil {
		t.Errorf("a plan that cannot be applied was saved")
	}
	if r := meshctl(t, dir, "apply", "-auto-approve", "--policies", "../governance"); r.code != 1 || !strings.Contains(r.stderr, "the plan cannot be applied") {
		t.Errorf("apply of unmasked PII: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "lake")); err == nil {
		t.Errorf("the refused apply published something")
	}

	// Masks in the contract: the plan is clean and applies.
	editFile(t, dir, "products/customers_copy.mesh.hcl", `  check "has_rows" {`, `  contract {
    column "email" {
      type = "string"
      mask = "hash"
    }
    column "name" {
      type = "string"
      mask = "redact"
    }
  }

  check "has_rows" {`)
	r = meshctlExit(t, dir, 0, "plan", "--policies", "../governance", "-out", "pii.plan")
	if strings.Contains(r.stdout, "customers_copy.email") || !strings.Contains(r.stdout, "1 policy violation (none blocking, 1 exempted)") {
		t.Errorf("plan with masks:\n%s", r.stdout)
	}
	meshctlExit(t, dir, 0, "apply", "pii.plan", "--policies", "../governance")

	// A consumer reads what was published.
	reader := t.TempDir()
	write(t, reader, "main.mesh.hcl", `mesh {
  name = "reader"
}
domain "r" {
  owner = "r@example.com"
}
source "copy" {
  type = "parquet"
  path = `+strconv.Quote(filepath.ToSlash(filepath.Join(dir, "lake", "customers_copy"))+"/")+`
}
product "masked" {
  domain = domain.r
  input "c" {
    from = source.copy
  }
  transform "t" {
    from = input.c
    select {
      columns = {
        name  = name
        email = email
      }
    }
  }
  output {
    path = "out/masked/"
  }
}
`)
	out := meshctlExit(t, reader, 0, "preview", "masked", "--json", "--limit", "100000").stdout
	var rows []struct {
		Name  *string `json:"name"`
		Email *string `json:"email"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("preview --json: %v\n%s", err, out[:min(len(out), 500)])
	}
	raw, err := os.ReadFile(filepath.Join(dir, "data", "customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")[1:]
	if len(rows) != len(lines) {
		t.Fatalf("read back %d rows, want %d", len(rows), len(lines))
	}
	hexHash := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for i, r := range rows {
		if r.Name != nil && *r.Name != "****" {
			t.Errorf("row %d: name %q, want **** (redacted)", i, *r.Name)
		}
		if r.Email != nil && !hexHash.MatchString(*r.Email) {
			t.Errorf("row %d: email %q is not a SHA-256 hash", i, *r.Email)
		}
	}
	// No raw name or email survives anywhere in what the consumer sees.
	for _, l := range lines {
		f := strings.Split(l, ",")
		for _, v := range []string{f[1], f[2], strings.ToLower(f[2])} {
			if v != "" && strings.Contains(out, v) {
				t.Fatalf("the raw value %q survives in the published output", v)
			}
		}
	}
}
