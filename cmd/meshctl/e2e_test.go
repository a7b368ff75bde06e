package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// binary is the meshctl executable built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "meshctl-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "meshctl")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build meshctl: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// meshctl runs the real binary in dir with a clean environment.
func meshctl(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return meshctlEnv(t, dir, nil, args...)
}

// meshctlEnv runs meshctl with env added to its (otherwise minimal)
// environment.
func meshctlEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run meshctl %v: %v", args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(repoRoot(t), "testdata", "e2e", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/meshctl -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestInitThenValidateFmtExplain(t *testing.T) {
	tmp := t.TempDir()
	r := meshctl(t, tmp, "init", "shop")
	if r.code != 0 {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "created shop/main.mesh.hcl") {
		t.Errorf("init output does not list main.mesh.hcl:\n%s", r.stdout)
	}
	ws := filepath.Join(tmp, "shop")
	if r := meshctl(t, ws, "validate"); r.code != 0 || !strings.Contains(r.stdout, "Success! The configuration is valid: 1 product, 1 source, 1 policy.") {
		t.Fatalf("validate of a fresh workspace: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if r := meshctl(t, ws, "fmt", "-check"); r.code != 0 {
		t.Errorf("fmt -check of a fresh workspace: exit %d, files: %s", r.code, r.stdout)
	}
	r = meshctl(t, ws, "explain", "adults_by_country")
	if r.code != 0 {
		t.Fatalf("explain: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"Aggregate count() by country", "Filter (age >= 18) && (country != null)", "Scan source.customers (csv data/customers.csv)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain output lacks %q:\n%s", want, r.stdout)
		}
	}
	// A second init refuses to touch the workspace.
	if r := meshctl(t, tmp, "init", "shop"); r.code != 1 || !strings.Contains(r.stderr, "workspace already") {
		t.Errorf("second init: exit %d, stderr %q; want exit 1 naming the existing workspace", r.code, r.stderr)
	}
}

func TestExamples(t *testing.T) {
	root := repoRoot(t)
	for _, name := range []string{"sales", "marketing"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, "examples", name)
			if r := meshctl(t, dir, "validate"); r.code != 0 {
				t.Fatalf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if r := meshctl(t, dir, "fmt", "-check"); r.code != 0 {
				t.Errorf("fmt -check: exit %d; not formatted:\n%s", r.code, r.stdout)
			}
			r := meshctl(t, dir, "explain")
			if r.code != 0 {
				t.Fatalf("explain: exit %d\n%s", r.code, r.stderr)
			}
			golden(t, "explain_"+name+".golden", r.stdout)
		})
	}
}

func TestValidateJSONReportsEveryError(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "main.mesh.hcl", `mesh {
  name = "broken"
}

domain "d" {
  owner = "o@example.com"
}

source "s" {
  type = "csv"
  path = "x.csv"
  schema {
    infer = false
    column "age" {
      type = "int32"
    }
  }
}

product "p" {
  domain = domain.dom
  input "s" {
    from = source.s
  }
  transform "t" {
    from = input.s
    filter {
      where = age > "x"
    }
  }
  output {
    path = "out/"
  }
}
`)
	r := meshctl(t, dir, "validate", "--json")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	var out struct {
		Valid       bool `json:"valid"`
		ErrorCount  int  `json:"error_count"`
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Range    struct {
				Filename string `json:"filename"`
				Start    struct{ Line, Column int }
			} `json:"range"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("validate --json printed invalid JSON: %v\n%s", err, r.stdout)
	}
	if out.Valid || out.ErrorCount != 1 {
		t.Errorf("valid=%v error_count=%d, want false and 1 (the undeclared domain stops compilation)", out.Valid, out.ErrorCount)
	}
	if len(out.Diagnostics) != 1 || out.Diagnostics[0].Summary != "Reference to undeclared domain" ||
		out.Diagnostics[0].Range.Filename != "main.mesh.hcl" || out.Diagnostics[0].Range.Start.Line != 21 || out.Diagnostics[0].Range.Start.Column != 12 {
		t.Errorf("diagnostics = %+v", out.Diagnostics)
	}

	// With the reference fixed, the type error of the filter is reported.
	src, _ := os.ReadFile(filepath.Join(dir, "main.mesh.hcl"))
	write(t, dir, "main.mesh.hcl", strings.Replace(string(src), "domain.dom", "domain.d", 1))
	r = meshctl(t, dir, "validate")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	for _, want := range []string{`Error: "age" is int32, cannot be compared with string "x"`, "on main.mesh.hcl:28:15", `where = age > "x"`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "\x1b[") {
		t.Errorf("colour codes written to a pipe:\n%q", r.stderr)
	}
}

func TestFmtCheckDiffWrite(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "main.mesh.hcl", "mesh {\nname=\"x\"\n}\n")
	r := meshctl(t, dir, "fmt", "-check", "-diff")
	if r.code != 3 {
		t.Fatalf("fmt -check on an unformatted file: exit %d, want 3", r.code)
	}
	if !strings.Contains(r.stdout, "main.mesh.hcl") || !strings.Contains(r.stdout, "+  name = \"x\"") {
		t.Errorf("fmt -check -diff output:\n%s", r.stdout)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "main.mesh.hcl")); string(b) != "mesh {\nname=\"x\"\n}\n" {
		t.Errorf("fmt -check changed the file: %q", b)
	}
	if r := meshctl(t, dir, "fmt"); r.code != 0 || strings.TrimSpace(r.stdout) != "main.mesh.hcl" {
		t.Errorf("fmt: exit %d, stdout %q", r.code, r.stdout)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "main.mesh.hcl")); string(b) != "mesh {\n  name = \"x\"\n}\n" {
		t.Errorf("fmt wrote %q", b)
	}
	if r := meshctl(t, dir, "fmt", "--check"); r.code != 0 {
		t.Errorf("fmt --check after fmt: exit %d", r.code)
	}
}

func TestFlagForms(t *testing.T) {
	root := repoRoot(t)
	want := meshctl(t, root, "--chdir", "examples/sales", "explain", "--json", "orders_clean")
	if want.code != 0 {
		t.Fatalf("explain: exit %d\n%s", want.code, want.stderr)
	}
	var plans []map[string]any
	if err := json.Unmarshal([]byte(want.stdout), &plans); err != nil || len(plans) != 1 || plans[0]["product"] != "orders_clean" {
		t.Fatalf("explain --json: %v\n%s", err, want.stdout)
	}
	for _, args := range [][]string{
		{"-chdir=examples/sales", "explain", "-json", "orders_clean"},
		{"explain", "orders_clean", "--json", "--chdir", "examples/sales"},
		{"explain", "orders_clean", "-json", "-chdir", "examples/sales"},
		{"--chdir=examples/sales", "explain", "orders_clean", "--json=true"},
	} {
		got := meshctl(t, root, args...)
		if got.code != 0 || got.stdout != want.stdout {
			t.Errorf("meshctl %s: exit %d, output differs from the two-dash form\n%s", strings.Join(args, " "), got.code, got.stderr)
		}
	}
	if r := meshctl(t, root, "--chdir", "examples/sales", "explain", "ordrs_clean"); r.code != 1 || !strings.Contains(r.stderr, `Did you mean "orders_clean"?`) {
		t.Errorf("explain of an unknown product: exit %d\n%s", r.code, r.stderr)
	}
	if r := meshctl(t, root, "--chdir", "does/not/exist", "validate"); r.code != 1 || !strings.Contains(r.stderr, "does/not/exist") {
		t.Errorf("--chdir to a missing folder: exit %d\n%s", r.code, r.stderr)
	}
	if r := meshctl(t, root, "frobnicate"); r.code != 1 || !strings.Contains(r.stderr, "unknown command") {
		t.Errorf("unknown command: exit %d\n%s", r.code, r.stderr)
	}
	if r := meshctl(t, root, "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "meshctl ") {
		t.Errorf("version: exit %d, %q", r.code, r.stdout)
	}
}

func TestNoWorkspace(t *testing.T) {
	r := meshctl(t, t.TempDir(), "validate")
	if r.code != 1 || !strings.Contains(r.stderr, "No configuration files") || !strings.Contains(r.stderr, "meshctl init") {
		t.Errorf("validate in an empty folder: exit %d\n%s", r.code, r.stderr)
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPreviewRunAndAnalyze(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "examples", "sales")
	r := meshctl(t, dir, "preview", "adult_customers_by_country", "--limit", "3")
	if r.code != 0 {
		t.Fatalf("preview: exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "country") || !strings.Contains(lines[0], "revenue") || lines[5] != "(3 rows)" {
		t.Errorf("preview table:\n%s", r.stdout)
	}
	// The richest country comes first (sort desc(revenue)) and is a
	// two-letter upper-case code.
	if f := strings.Fields(lines[2]); len(f) != 3 || len(f[0]) != 2 || strings.ToUpper(f[0]) != f[0] {
		t.Errorf("first row %q", lines[2])
	}

	r = meshctl(t, dir, "preview", "orders_clean", "--json", "--limit", "2")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("preview --json: %v\n%s", err, r.stdout)
	}
	if _, ok := rows[0]["amount"].(float64); !ok || rows[0]["status"] == "cancelled" {
		t.Errorf("preview --json row %v", rows[0])
	}

	r = meshctl(t, dir, "preview", "top_customers", "--transform", "revenue", "--limit", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "first_order") || !strings.Contains(r.stdout, "(1 rows)") {
		t.Errorf("preview --transform: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := meshctl(t, dir, "preview", "top_customers", "--transform", "nope"); r.code != 1 || !strings.Contains(r.stderr, "no transform \"nope\"") {
		t.Errorf("preview of an unknown transform: exit %d\n%s", r.code, r.stderr)
	}

	out := filepath.Join(t.TempDir(), "out")
	r = meshctl(t, dir, "run", "top_customers", "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "product.top_customers: 20 rows") || !strings.Contains(r.stdout, "check at_most_20 (error): passed") {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "part-00000.parquet")); err != nil {
		t.Errorf("run wrote no part-00000.parquet: %v", err)
	}
	if r := meshctl(t, dir, "run", "top_customers", "--out", out); r.code != 1 || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("run into a non-empty folder: exit %d\n%s", r.code, r.stderr)
	}

	r = meshctl(t, dir, "explain", "--analyze", "orders_clean")
	if r.code != 0 || !strings.Contains(r.stdout, "product.orders_clean: 840 rows in") || !strings.Contains(r.stdout, "Scan source.orders (parquet data/orders.parquet)  [1000 rows") {
		t.Errorf("explain --analyze: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRunFailures(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "data/people.csv", "id,age,code\n1,30,7\n2,x,8\n3,50,abc\n")
	write(t, dir, "main.mesh.hcl", `mesh {
  name = "m"
}

domain "d" {
  owner = "o@example.com"
}

source "people" {
  type     = "csv"
  path     = "data/people.csv"
  on_error = "quarantine"
  schema {
    column "age" {
      type = "int32"
    }
  }
}

product "adults" {
  domain = domain.d
  input "people" {
    from = source.people
  }
  output {
    path = "out/adults/"
  }
  check "many" {
    assert = row_count() > 5
  }
  check "some" {
    assert   = row_count() > 5
    severity = "warn"
  }
}

product "codes" {
  domain = domain.d
  input "people" {
    from = source.people
  }
  transform "t" {
    from = input.people
    select {
      columns = {
        code = cast(code, "int64")
      }
    }
  }
  output {
    path = "out/codes/"
  }
}
`)
	out := filepath.Join(t.TempDir(), "adults")
	r := meshctl(t, dir, "run", "adults", "--out", out)
	if r.code != 1 || !strings.Contains(r.stdout, "check many (error): FAILED") || !strings.Contains(r.stdout, "check some (warn): FAILED") {
		t.Errorf("run with a failing error check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "product.adults: 2 rows") || !strings.Contains(r.stdout, "1 rejected rows of people quarantined") {
		t.Errorf("quarantine not reported:\n%s", r.stdout)
	}
	q, err := os.ReadFile(filepath.Join(out, "_quarantine", "people.csv"))
	if err != nil || !strings.Contains(string(q), "2,x,8") || !strings.Contains(string(q), "age") {
		t.Errorf("quarantine file: %v\n%s", err, q)
	}

	r = meshctl(t, dir, "preview", "codes")
	if r.code != 1 || !strings.Contains(r.stderr, "main.mesh.hcl:46:16") || !strings.Contains(r.stderr, `"abc"`) {
		t.Errorf("a failing cast must name the value and the expression's place: exit %d\n%s", r.code, r.stderr)
	}
}
