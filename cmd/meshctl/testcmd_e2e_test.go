package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTestCommandOnTheExample runs the sales example's tests, with the
// mesh's governance policies the policy tests judge against.
func TestTestCommandOnTheExample(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "sales")
	r := meshctlExit(t, dir, 0, "test", "--policies", "../governance")
	const want = `PASS adults_are_counted_per_country (tests/products.meshtest.hcl:7)
PASS adults_keep_adults_with_a_country (tests/products.meshtest.hcl:33)
PASS unmasked_emails_are_refused (tests/products.meshtest.hcl:54)
PASS hashed_emails_pass (tests/products.meshtest.hcl:84)

4 tests: 4 passed, 0 failed.
`
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}

	r = meshctlExit(t, dir, 0, "test", "--policies", "../governance", "--json", "emails")
	var out struct {
		Passed, Failed int
		Tests          []struct {
			Name, Kind, File string
			Line             int
			Passed           bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if out.Passed != 2 || out.Failed != 0 || len(out.Tests) != 2 || out.Tests[0].Name != "unmasked_emails_are_refused" ||
		out.Tests[0].Kind != "policy" || out.Tests[0].File != "tests/products.meshtest.hcl" || out.Tests[0].Line != 54 || !out.Tests[1].Passed {
		t.Errorf("--json emails:\n%s", r.stdout)
	}
}

// TestTestCommandFailures breaks a copy of the example's tests: a wrong
// expectation prints a row diff and exits 1; a bad test file is a
// diagnostic and nothing runs.
func TestTestCommandFailures(t *testing.T) {
	dir := salesWorkspace(t)
	// Test files are not configuration: the workspace is still valid.
	if r := meshctlExit(t, dir, 0, "validate"); !strings.Contains(r.stdout, "3 products, 2 sources") {
		t.Errorf("validate: %s", r.stdout)
	}
	editFile(t, dir, "tests/products.meshtest.hcl", `{ country = "DE", customers = 2, revenue = 25.5 }`, `{ country = "DE", customers = 3, revenue = 25.5 }`)
	r := meshctlExit(t, dir, 1, "test", "adults")
	const want = `FAIL adults_are_counted_per_country (tests/products.meshtest.hcl:7)
  the output of product.adult_customers_by_country: 1 row missing, 1 unexpected row (in order: the rows are sorted)
      country  customers  revenue
      -------  ---------  -------
    - DE       3          25.50
    + DE       2          25.50
      FR       1          7.25
PASS adults_keep_adults_with_a_country (tests/products.meshtest.hcl:33)

2 tests: 1 passed, 1 failed.
`
	if r.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}

	r = meshctlExit(t, dir, 1, "test", "--json", "adults_are_*")
	var out struct {
		Failed int
		Tests  []struct {
			Subject string
			Diff    struct {
				Columns             []string
				Ordered             bool
				Missing, Unexpected int
				Rows                []struct {
					Op     string
					Values []*string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if out.Failed != 1 || len(out.Tests) != 1 || !out.Tests[0].Diff.Ordered || out.Tests[0].Diff.Missing != 1 ||
		len(out.Tests[0].Diff.Rows) != 3 || out.Tests[0].Diff.Rows[0].Op != "-" || *out.Tests[0].Diff.Rows[0].Values[1] != "3" {
		t.Errorf("--json diff:\n%s", r.stdout)
	}

	// From another folder, file names are as the user would open them.
	r = meshctlExit(t, filepath.Dir(dir), 0, "--chdir", "sales", "test", "adults_keep")
	if !strings.HasPrefix(r.stdout, "PASS adults_keep_adults_with_a_country (sales/tests/products.meshtest.hcl:33)\n") {
		t.Errorf("--chdir stdout:\n%s", r.stdout)
	}

	// Without the governance folder, the policy tests cannot find their policy.
	r = meshctlExit(t, dir, 1, "test", "emails")
	if !strings.Contains(r.stdout, "FAIL unmasked_emails_are_refused") || !strings.Contains(r.stdout, "on tests/products.meshtest.hcl:55:20") ||
		!strings.Contains(r.stdout, "run with --policies DIR") {
		t.Errorf("policy test without --policies:\n%s", r.stdout)
	}

	r = meshctlExit(t, dir, 1, "test", "nothing_like_this")
	if !strings.Contains(r.stderr, "no test matches nothing_like_this") {
		t.Errorf("unmatched pattern: %s", r.stderr)
	}

	write(t, dir, "tests/bad.meshtest.hcl", "test \"bad\" {\n  product = \"orders_clean\"\n  expect {\n    rows = []\n  }\n}\n")
	r = meshctlExit(t, dir, 1, "test")
	if r.stdout != "" || !strings.Contains(r.stderr, "Error: Invalid reference") || !strings.Contains(r.stderr, "on tests/bad.meshtest.hcl:2:13") {
		t.Errorf("bad test file:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
	}
	if err := os.RemoveAll(filepath.Join(dir, "tests")); err != nil {
		t.Fatal(err)
	}
	if r := meshctlExit(t, dir, 0, "test"); !strings.Contains(r.stdout, "No tests") {
		t.Errorf("no test files: %s", r.stdout)
	}
}
