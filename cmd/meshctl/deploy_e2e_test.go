package main

// End-to-end tests of plan, apply, show, drift, state and force-unlock on
// the real binary (built in TestMain), each in a fresh copy of
// examples/sales.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/planner/statestore"
)

// salesProducts are the products of examples/sales, in dependency order.
var salesProducts = []string{"orders_clean", "adult_customers_by_country", "top_customers"}

// stateFile and lockFile are where examples/sales keeps its state.
const (
	stateFile = ".meshctl/state.json"
	lockFile  = ".meshctl/state.json.lock"
)

// salesWorkspace copies examples/sales into a fresh temporary folder,
// without what a previous run may have left in it (lake/, .meshctl/, saved
// plans), and returns the copy's path.
func salesWorkspace(t *testing.T) string {
	t.Helper()
	src := filepath.Join(repoRoot(t), "examples", "sales")
	dst := filepath.Join(t.TempDir(), "sales")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel == "lake" || rel == ".meshctl" || strings.HasSuffix(rel, ".out") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy examples/sales: %v", err)
	}
	// The example exempts top_customers from a governance policy, which
	// these tests do not load (--policies): without the exemption they
	// see no warning about an unknown policy. governance_e2e_test.go runs
	// the example with its governance.
	pol := filepath.Join(dst, "policies.mesh.hcl")
	b, err := os.ReadFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("\n# The account managers"))
	if i < 0 {
		t.Fatalf("examples/sales/policies.mesh.hcl no longer holds the exemption this helper removes")
	}
	if err := os.WriteFile(pol, b[:i+1], 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// copyProduct is a product added to a copied workspace: it republishes
// every customer, so that its output grows with data/customers.csv and it
// reads nothing but the source (it is independent of orders_clean).
const copyProduct = `product "customers_copy" {
  domain = domain.sales
  owner  = "sales-data@acme.example"

  input "customers" {
    from = source.customers
  }

  transform "all" {
    from = input.customers
    select {
      columns = {
        id          = id
        name        = name
        email       = lower(email)
        age         = age
        country     = country
        signup_date = signup_date
      }
    }
  }

  output {
    path = "lake/customers_copy/"
  }
}
`

// bigCustomerRows is the size of the generated customers file: enough for
// an apply to take a couple of seconds on a 2-core machine, so that it can
// be killed or locked against in the middle.
const bigCustomerRows = 2_000_000

var bigCustomers struct {
	once sync.Once
	path string
	err  error
}

// bigCustomersCSV returns a deterministic customers file of
// bigCustomerRows rows with the columns of examples/sales's, generated
// once per test binary next to it (TestMain removes that folder).
// Workspaces get it as a hard link: no test may modify it.
func bigCustomersCSV(t testing.TB) string {
	t.Helper()
	bigCustomers.once.Do(func() {
		p := filepath.Join(filepath.Dir(binary), "customers-big.csv")
		bigCustomers.path, bigCustomers.err = p, writeCustomers(p, bigCustomerRows)
	})
	if bigCustomers.err != nil {
		t.Fatalf("generate customers: %v", bigCustomers.err)
	}
	return bigCustomers.path
}

func writeCustomers(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	countries := []string{"DE", "FR", "GB", "US", "ES", "IT", "NL", "PL", "SE", ""}
	w.WriteString("id,name,email,age,country,signup_date\n")
	var line []byte
	seed := uint32(1)
	for i := 1; i <= rows; i++ {
		seed = seed*1664525 + 1013904223
		id := strconv.Itoa(i)
		line = append(line[:0], id...)
		line = append(line, ",Customer "...)
		line = append(line, id...)
		line = append(line, ",Customer."...)
		line = append(line, id...)
		line = append(line, "@Example.com,"...)
		line = strconv.AppendInt(line, int64(10+seed>>8%80), 10)
		line = append(line, ',')
		line = append(line, countries[i%len(countries)]...)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(2010+i%14), 10)
		line = append(line, "-0"...)
		line = strconv.AppendInt(line, int64(1+i%9), 10)
		line = append(line, "-1"...)
		line = strconv.AppendInt(line, int64(i%10), 10)
		line = append(line, '\n')
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// useBigCustomers replaces a workspace's data/customers.csv with the big
// generated file (a hard link, or a copy where links fail).
func useBigCustomers(t *testing.T, dir string) {
	t.Helper()
	src := bigCustomersCSV(t)
	dst := filepath.Join(dir, "data", "customers.csv")
	if err := os.Remove(dst); err != nil {
		t.Fatal(err)
	}
	if os.Link(src, dst) == nil {
		return
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testEnv is the environment meshctl runs in: the same clean one as the
// meshctl helper's.
func testEnv(t *testing.T) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
}

// meshctlExit runs meshctl and fails the test unless it exits with want.
func meshctlExit(t *testing.T, dir string, want int, args ...string) result {
	t.Helper()
	r := meshctl(t, dir, args...)
	if r.code != want {
		t.Fatalf("meshctl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// meshctlInput runs meshctl with stdin as its standard input.
func meshctlInput(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = testEnv(t)
	cmd.Stdin = strings.NewReader(stdin)
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

// background is a meshctl process started by startMeshctl.
type background struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has ended and res is set
	res  result
}

// startMeshctl starts meshctl in the background.
func startMeshctl(t *testing.T, dir string, args ...string) *background {
	t.Helper()
	return startMeshctlEnv(t, dir, nil, args...)
}

// startMeshctlEnv is startMeshctl with env added to the environment.
func startMeshctlEnv(t *testing.T, dir string, env []string, args ...string) *background {
	t.Helper()
	b := &background{cmd: exec.Command(binary, args...), done: make(chan struct{})}
	b.cmd.Dir = dir
	b.cmd.Env = append(testEnv(t), env...)
	var out, errb bytes.Buffer
	b.cmd.Stdout, b.cmd.Stderr = &out, &errb
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("start meshctl %v: %v", args, err)
	}
	go func() {
		err := b.cmd.Wait()
		b.res = result{code: 0, stdout: out.String(), stderr: errb.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			b.res.code = ee.ExitCode()
		} else if err != nil {
			b.res.code = -1
		}
		close(b.done)
	}()
	t.Cleanup(func() {
		// A test that failed half-way must not leave its process behind.
		select {
		case <-b.done:
		default:
			_ = b.cmd.Process.Kill()
			<-b.done
		}
	})
	return b
}

// wait waits for the process to end and returns its result.
func (b *background) wait() result {
	<-b.done
	return b.res
}

// ended reports whether the process has ended.
// waitOrDump waits for the process; if it has not ended within d it
// sends SIGQUIT, so that the Go runtime prints every goroutine's stack,
// and fails with that dump: a hang becomes a diagnosable failure.
func (b *background) waitOrDump(t *testing.T, d time.Duration) result {
	t.Helper()
	select {
	case <-b.done:
		return b.res
	case <-time.After(d):
	}
	_ = b.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.done
	}
	t.Fatalf("meshctl did not end within %s; its goroutines:\n%s", d, b.res.stderr)
	return b.res
}

func (b *background) ended() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

// editFile replaces the one occurrence of old in the workspace file rel.
func editFile(t *testing.T, dir, rel, old, new string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		t.Fatalf("%s holds %q %d times, want once", rel, old, n)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readManifest returns the manifest published for product, and its bytes.
func readManifest(t *testing.T, dir, product string) (*lakeio.Manifest, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "lake", product, lakeio.ManifestName))
	if err != nil {
		t.Fatalf("manifest of %s: %v", product, err)
	}
	var m lakeio.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest of %s does not decode: %v\n%s", product, err, b)
	}
	return &m, b
}

// checkPublished checks what a reader of product's output sees: a manifest
// naming a complete version — every file inside _versions/<id>/ (never a
// staged folder) with its recorded size and SHA-256, the rows adding up.
// It returns the manifest.
func checkPublished(t *testing.T, dir, product string) *lakeio.Manifest {
	t.Helper()
	m, _ := readManifest(t, dir, product)
	if m.Product != product || m.VersionID == "" || strings.Contains(m.VersionID, ".staging") {
		t.Errorf("manifest of %s: product %q, version %q", product, m.Product, m.VersionID)
	}
	if len(m.Files) == 0 {
		t.Errorf("manifest of %s names no file", product)
	}
	var rows int64
	for _, f := range m.Files {
		rows += f.Rows
		if strings.Contains(f.Path, ".staging") || strings.Contains(f.Path, "..") || filepath.IsAbs(f.Path) {
			t.Errorf("manifest of %s names %q", product, f.Path)
			continue
		}
		p := filepath.Join(dir, "lake", product, lakeio.VersionsDir, m.VersionID, filepath.FromSlash(f.Path))
		b, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("manifest of %s names a file that is not there: %v", product, err)
			continue
		}
		sum := sha256.Sum256(b)
		if int64(len(b)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: %d bytes, SHA-256 %x; the manifest records %d bytes, %s", p, len(b), sum, f.Bytes, f.SHA256)
		}
	}
	if rows != m.Rows {
		t.Errorf("manifest of %s: files hold %d rows, the manifest says %d", product, rows, m.Rows)
	}
	return m
}

// versions lists the version folders of product's output (staged ones
// included, with their suffix).
func versions(t *testing.T, dir, product string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "lake", product, lakeio.VersionsDir))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.Name())
	}
	return ids
}

// stagedFolders lists every staged version folder under lake/.
func stagedFolders(t *testing.T, dir string) []string {
	t.Helper()
	found, err := filepath.Glob(filepath.Join(dir, "lake", "*", lakeio.VersionsDir, "*.staging"))
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// loadState decodes the workspace's state file.
func loadState(t *testing.T, dir string) (*state.State, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	st, err := state.Decode(b, stateFile)
	if err != nil {
		t.Fatalf("the state file does not decode: %v", err)
	}
	return st, b
}

// jsonPlan is what the tests read of a JSON plan (planner/render/JSON.md).
type jsonPlan struct {
	FormatVersion string   `json:"format_version"`
	ID            string   `json:"id"`
	Lineage       string   `json:"lineage"`
	Serial        int64    `json:"serial"`
	Targets       []string `json:"targets"`
	Summary       struct {
		Create     int    `json:"create"`
		Update     int    `json:"update"`
		Replace    int    `json:"replace"`
		Delete     int    `json:"delete"`
		NoOp       int    `json:"no_op"`
		Breaking   int    `json:"breaking"`
		Refused    int    `json:"refused"`
		HasChanges bool   `json:"has_changes"`
		Text       string `json:"text"`
	} `json:"summary"`
	Changes []jsonChange `json:"changes"`
}

// jsonChange is one entry of a JSON plan's changes.
type jsonChange struct {
	Product string `json:"product"`
	Action  string `json:"action"`
	Reasons []struct {
		Kind    string  `json:"kind"`
		Subject *string `json:"subject"`
		Message string  `json:"message"`
	} `json:"reasons"`
	Breaking        bool `json:"breaking"`
	ContractChanges []struct {
		Column   string `json:"column"`
		Kind     string `json:"kind"`
		Breaking bool   `json:"breaking"`
	} `json:"contract_changes"`
	RequiredBump      string  `json:"required_bump"`
	BumpBelowRequired bool    `json:"bump_below_required"`
	Refused           *string `json:"refused"`
}

// decodePlan decodes one JSON plan document and checks its format version.
func decodePlan(t *testing.T, out string) *jsonPlan {
	t.Helper()
	var p jsonPlan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("the JSON plan does not decode: %v\n%s", err, out)
	}
	if p.FormatVersion != "1.1" {
		t.Errorf("format_version %q, want 1.1", p.FormatVersion)
	}
	return &p
}

// actions maps each product of a plan to its action.
func (p *jsonPlan) actions() map[string]string {
	m := map[string]string{}
	for _, c := range p.Changes {
		m[c.Product] = c.Action
	}
	return m
}

// change returns the plan's change of product, failing the test when
// there is none.
func (p *jsonPlan) change(t *testing.T, product string) *jsonChange {
	t.Helper()
	for i := range p.Changes {
		if p.Changes[i].Product == product {
			return &p.Changes[i]
		}
	}
	t.Fatalf("the plan has no change for %s", product)
	return nil
}

// hasReason reports whether c has a reason of kind about subject ("" for
// any subject).
func (c *jsonChange) hasReason(kind, subject string) bool {
	for _, r := range c.Reasons {
		if r.Kind == kind && (subject == "" || r.Subject != nil && *r.Subject == subject) {
			return true
		}
	}
	return false
}

// planJSON runs plan -json and decodes it.
func planJSON(t *testing.T, dir string, want int, args ...string) *jsonPlan {
	t.Helper()
	r := meshctlExit(t, dir, want, append([]string{"plan", "-json"}, args...)...)
	return decodePlan(t, r.stdout)
}

// applyReport is what the tests read of apply -json's report.
type applyReport struct {
	PlanID   string `json:"plan_id"`
	Products []struct {
		Product   string `json:"product"`
		Action    string `json:"action"`
		Status    string `json:"status"`
		VersionID string `json:"version_id"`
		Rows      int64  `json:"rows"`
	} `json:"products"`
}

// jsonDocuments decodes the stream of JSON documents s holds.
func jsonDocuments(t *testing.T, s string) []map[string]json.RawMessage {
	t.Helper()
	var docs []map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(s))
	for {
		var d map[string]json.RawMessage
		err := dec.Decode(&d)
		if err == io.EOF {
			return docs
		}
		if err != nil {
			t.Fatalf("invalid JSON on stdout: %v\n%s", err, s)
		}
		docs = append(docs, d)
	}
}

func TestPlanShowApply(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)

	// 1. plan, its exit codes, saved plans and their renderings.
	r := meshctlExit(t, dir, 0, "plan")
	for _, p := range salesProducts {
		if !strings.Contains(r.stdout, "+ product."+p+" will be created") {
			t.Errorf("plan does not create %s:\n%s", p, r.stdout)
		}
	}
	if n := strings.Count(r.stdout, " will be created"); n != 3 {
		t.Errorf("plan shows %d creates, want 3", n)
	}
	const summary = "Plan: 3 to create, 0 to update, 0 to replace, 0 to delete."
	if !strings.Contains(r.stdout, summary) {
		t.Errorf("plan lacks the summary %q:\n%s", summary, r.stdout)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("colour codes written to a pipe")
	}
	meshctlExit(t, dir, 2, "plan", "-detailed-exitcode")
	if _, err := os.Stat(filepath.Join(dir, "lake")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("plan wrote lake/: %v", err)
	}

	saved := meshctlExit(t, dir, 0, "plan", "-out", "p.out")
	if !strings.Contains(saved.stdout, "meshctl apply p.out") {
		t.Errorf("plan -out does not say how to apply the plan:\n%s", saved.stdout)
	}
	show := meshctlExit(t, dir, 0, "show", "p.out")
	if !strings.Contains(show.stdout, summary) || !strings.HasPrefix(saved.stdout, show.stdout) {
		t.Errorf("show p.out is not the plan that was saved:\n--- show\n%s\n--- plan\n%s", show.stdout, saved.stdout)
	}
	p := decodePlan(t, meshctlExit(t, dir, 0, "show", "p.out", "--json").stdout)
	if len(p.Changes) != 3 || p.Summary.Create != 3 || !p.Summary.HasChanges || p.Summary.Text != summary {
		t.Errorf("show --json: %d changes, summary %+v", len(p.Changes), p.Summary)
	}
	for _, c := range p.Changes {
		if c.Action != "create" || !c.hasReason("new", "") {
			t.Errorf("show --json: %s: action %q, reasons %+v", c.Product, c.Action, c.Reasons)
		}
	}
	md := meshctlExit(t, dir, 0, "show", "p.out", "--markdown").stdout
	if len(md) >= 65536 {
		t.Errorf("show --markdown: %d bytes, over GitHub's limit", len(md))
	}
	// The comment opens with its heading, then the summary in bold.
	var lines []string
	for _, l := range strings.Split(md, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "#") || lines[1] != "**"+summary+"**" {
		t.Errorf("show --markdown does not start with the summary in bold:\n%s", md)
	}
	for _, prod := range salesProducts {
		if !strings.Contains(md, "product."+prod) {
			t.Errorf("show --markdown does not name %s", prod)
		}
	}

	// 2. apply the saved plan.
	r = meshctlExit(t, dir, 0, "apply", "p.out")
	if !strings.Contains(r.stdout, "Apply complete: 3 done, 0 failed, 0 skipped") {
		t.Errorf("apply report:\n%s", r.stdout)
	}
	manifests := map[string]*lakeio.Manifest{}
	for _, prod := range salesProducts {
		m := checkPublished(t, dir, prod)
		if m.PlanID != p.ID {
			t.Errorf("%s was published by plan %q, want the saved plan %q", prod, m.PlanID, p.ID)
		}
		if !strings.Contains(r.stdout, "product."+prod+": created, version "+m.VersionID) {
			t.Errorf("apply report does not name %s's version %s:\n%s", prod, m.VersionID, r.stdout)
		}
		manifests[prod] = m
	}
	st, raw := loadState(t, dir)
	if st.Serial < 3 || len(st.Products) != 3 || st.Lineage != p.Lineage {
		t.Errorf("state: serial %d, %d products, lineage %q (plan's %q)", st.Serial, len(st.Products), st.Lineage, p.Lineage)
	}
	for _, prod := range salesProducts {
		rec := st.Products[prod]
		if rec == nil || rec.Output.VersionID != manifests[prod].VersionID {
			t.Errorf("state of %s does not record the published version %s: %+v", prod, manifests[prod].VersionID, rec)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, lockFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("apply left its lock: %v", err)
	}

	r = meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
	if !strings.Contains(r.stdout, "No changes") {
		t.Errorf("plan after apply:\n%s", r.stdout)
	}
	r = meshctlExit(t, dir, 0, "drift")
	if !strings.Contains(r.stdout, "No drift: 3 published outputs match state.") {
		t.Errorf("drift:\n%s", r.stdout)
	}
	meshctlExit(t, dir, 0, "drift", "-deep")
	r = meshctlExit(t, dir, 0, "state", "list")
	want := "product.adult_customers_by_country\nproduct.orders_clean\nproduct.top_customers\n"
	if r.stdout != want {
		t.Errorf("state list:\n%s\nwant\n%s", r.stdout, want)
	}
	r = meshctlExit(t, dir, 0, "state", "show", "orders_clean")
	var rec state.Product
	if err := json.Unmarshal([]byte(r.stdout), &rec); err != nil {
		t.Fatalf("state show is not JSON: %v\n%s", err, r.stdout)
	}
	if rec.Output.VersionID != manifests["orders_clean"].VersionID || rec.Output.Rows != manifests["orders_clean"].Rows {
		t.Errorf("state show orders_clean: version %s, %d rows; the manifest: %s, %d rows",
			rec.Output.VersionID, rec.Output.Rows, manifests["orders_clean"].VersionID, manifests["orders_clean"].Rows)
	}
	if r := meshctl(t, dir, "state", "show", "nope"); r.code != 1 || !strings.Contains(r.stderr, "state list") {
		t.Errorf("state show of an unknown product: exit %d\n%s", r.code, r.stderr)
	}
	if r := meshctlExit(t, dir, 0, "state", "pull"); r.stdout != string(raw) {
		t.Errorf("state pull differs from %s:\n%s", stateFile, cmp.Diff(string(raw), r.stdout))
	}
}

func TestApplyRefusesStalePlan(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	meshctlExit(t, dir, 0, "plan", "-out", "p.out")
	meshctlExit(t, dir, 0, "apply", "p.out")
	_, before := loadState(t, dir)

	r := meshctlExit(t, dir, 1, "apply", "p.out")
	if !strings.Contains(r.stderr, "stale") || !strings.Contains(r.stderr, "run plan again") {
		t.Errorf("applying a plan twice:\n%s", r.stderr)
	}
	if _, after := loadState(t, dir); !bytes.Equal(before, after) {
		t.Errorf("a refused plan changed the state")
	}

	// A configuration file edited after the plan was saved.
	editFile(t, dir, "products/orders_clean.mesh.hcl", "amount > 0", "amount > 10")
	meshctlExit(t, dir, 0, "plan", "-out", "q.out")
	editFile(t, dir, "sources.mesh.hcl", `"Orders from the web shop, one row per order"`, `"Web shop orders"`)
	r = meshctlExit(t, dir, 1, "apply", "q.out")
	if !strings.Contains(r.stderr, "workspace's files changed") {
		t.Errorf("applying a plan after a file changed:\n%s", r.stderr)
	}
	if _, after := loadState(t, dir); !bytes.Equal(before, after) {
		t.Errorf("a refused plan changed the state")
	}
	if m, _ := readManifest(t, dir, "orders_clean"); len(versions(t, dir, "orders_clean")) != 1 {
		t.Errorf("a refused plan published %s: %v", m.VersionID, versions(t, dir, "orders_clean"))
	}

	// A saved plan cannot be narrowed.
	meshctlExit(t, dir, 0, "plan", "-out", "r.out")
	if r := meshctl(t, dir, "apply", "r.out", "-target", "orders_clean"); r.code != 1 || !strings.Contains(r.stderr, "-target") {
		t.Errorf("apply FILE -target: exit %d\n%s", r.code, r.stderr)
	}
	// The data a saved plan saw moved: the products reading it are not
	// applied to other data.
	appendCustomer(t, dir)
	r = meshctlExit(t, dir, 1, "apply", "r.out")
	for _, p := range []string{"adult_customers_by_country", "top_customers"} {
		if !strings.Contains(r.stdout, "product."+p+": replace failed: input.customers (source.customers) changed since the plan was made") {
			t.Errorf("apply of a plan whose input moved does not report %s:\n%s", p, r.stdout)
		}
	}
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
}

// appendCustomer adds one customer to the workspace's data/customers.csv.
func appendCustomer(t *testing.T, dir string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "data", "customers.csv"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("201,Ada Newcomer,Ada.Newcomer201@Example.com,41,DE,2025-03-01\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	// Make sure the modification time moves even on a coarse clock.
	later := time.Now().Add(2 * time.Second)
	if err := os.Chtimes(filepath.Join(dir, "data", "customers.csv"), later, later); err != nil {
		t.Fatal(err)
	}
}

func TestPlanChangesAndApply(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	first := map[string]string{}
	for _, p := range salesProducts {
		m, _ := readManifest(t, dir, p)
		first[p] = m.VersionID
	}

	t.Run("transform change cascades", func(t *testing.T) {
		editFile(t, dir, "products/orders_clean.mesh.hcl", "amount > 0", "amount > 10")
		r := meshctlExit(t, dir, 2, "plan", "-detailed-exitcode")
		for _, want := range []string{
			"-/+ product.orders_clean must be replaced",
			"# transform.valid changed",
			"-/+ product.adult_customers_by_country must be replaced",
			"-/+ product.top_customers must be replaced",
			"# product.orders_clean is recomputed by this plan",
			"Plan: 0 to create, 0 to update, 3 to replace, 0 to delete.",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("plan lacks %q:\n%s", want, r.stdout)
			}
		}
		p := planJSON(t, dir, 0)
		if c := p.change(t, "orders_clean"); c.Action != "replace" || !c.hasReason("transform", "transform.valid") {
			t.Errorf("orders_clean: %s %+v", c.Action, c.Reasons)
		}
		for _, prod := range salesProducts[1:] {
			if c := p.change(t, prod); c.Action != "replace" || !c.hasReason("upstream", "product.orders_clean") {
				t.Errorf("%s: %s %+v, want a replace because product.orders_clean is", prod, c.Action, c.Reasons)
			}
		}
		meshctlExit(t, dir, 0, "apply", "-auto-approve")
		st, _ := loadState(t, dir)
		for _, prod := range salesProducts {
			m := checkPublished(t, dir, prod)
			if m.VersionID == first[prod] || st.Products[prod].Output.VersionID != m.VersionID {
				t.Errorf("%s: published %s (before %s), state %s", prod, m.VersionID, first[prod], st.Products[prod].Output.VersionID)
			}
			// The previous version is kept for rollback.
			if ids := versions(t, dir, prod); !slices.Contains(ids, first[prod]) || len(ids) != 2 {
				t.Errorf("%s: versions %v, want the old %s and the new one", prod, ids, first[prod])
			}
		}
		if m, _ := readManifest(t, dir, "orders_clean"); m.Rows >= 840 {
			t.Errorf("orders_clean has %d rows after filtering amount > 10, want fewer than 840", m.Rows)
		}
		meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
	})

	t.Run("owner change updates in place", func(t *testing.T) {
		_, manifest := readManifest(t, dir, "orders_clean")
		ids := versions(t, dir, "orders_clean")
		editFile(t, dir, "products/orders_clean.mesh.hcl", `owner       = "sales-data@acme.example"`, `owner       = "orders-team@acme.example"`)
		r := meshctlExit(t, dir, 2, "plan", "-detailed-exitcode")
		for _, want := range []string{
			"~ product.orders_clean will be updated in place",
			`~ owner: "sales-data@acme.example" → "orders-team@acme.example"`,
			"Plan: 0 to create, 1 to update, 0 to replace, 0 to delete.",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("plan lacks %q:\n%s", want, r.stdout)
			}
		}
		if c := planJSON(t, dir, 0).change(t, "orders_clean"); c.Action != "update" || !c.hasReason("metadata", "owner") {
			t.Errorf("orders_clean: %s %+v", c.Action, c.Reasons)
		}
		r = meshctlExit(t, dir, 0, "apply", "-auto-approve")
		if !strings.Contains(r.stdout, "product.orders_clean: updated") || !strings.Contains(r.stdout, "1 done, 0 failed, 0 skipped, 2 unchanged") {
			t.Errorf("apply of an owner change:\n%s", r.stdout)
		}
		if _, after := readManifest(t, dir, "orders_clean"); !bytes.Equal(after, manifest) {
			t.Errorf("an update rewrote the manifest:\n%s", cmp.Diff(string(manifest), string(after)))
		}
		if got := versions(t, dir, "orders_clean"); !slices.Equal(got, ids) {
			t.Errorf("an update changed the versions: %v, before %v", got, ids)
		}
		if st, _ := loadState(t, dir); st.Products["orders_clean"].Metadata.Owner != "orders-team@acme.example" {
			t.Errorf("state owner %q", st.Products["orders_clean"].Metadata.Owner)
		}
		meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
	})

	t.Run("source data change", func(t *testing.T) {
		appendCustomer(t, dir)
		p := planJSON(t, dir, 0)
		want := map[string]string{"orders_clean": "no-op", "adult_customers_by_country": "replace", "top_customers": "replace"}
		if diff := cmp.Diff(want, p.actions()); diff != "" {
			t.Errorf("actions after customers.csv changed (-want +got):\n%s", diff)
		}
		for _, prod := range salesProducts[1:] {
			if c := p.change(t, prod); !c.hasReason("input", "input.customers") {
				t.Errorf("%s: reasons %+v, want input.customers", prod, c.Reasons)
			}
		}
		r := meshctlExit(t, dir, 0, "plan")
		if !strings.Contains(r.stdout, "# the data of input.customers (source.customers) changed") {
			t.Errorf("plan does not give the input as the reason:\n%s", r.stdout)
		}
		meshctlExit(t, dir, 0, "apply", "-auto-approve")
		meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
	})

	t.Run("removed column is breaking", func(t *testing.T) {
		editFile(t, dir, "products/orders_clean.mesh.hcl", "        status      = status\n", "")
		r := meshctlExit(t, dir, 2, "plan", "-detailed-exitcode")
		for _, want := range []string{
			`- column "status" string not null   # breaking`,
			"version 1.0.0 unchanged, but this change is breaking and needs 2.0.0",
			"1 breaking change",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("plan lacks %q:\n%s", want, r.stdout)
			}
		}
		p := planJSON(t, dir, 0)
		c := p.change(t, "orders_clean")
		if c.Action != "replace" || !c.Breaking || c.RequiredBump != "major" || !c.BumpBelowRequired || p.Summary.Breaking != 1 {
			t.Errorf("orders_clean: action %s, breaking %v, bump %s (below: %v); summary %+v", c.Action, c.Breaking, c.RequiredBump, c.BumpBelowRequired, p.Summary)
		}
		if len(c.ContractChanges) != 1 || c.ContractChanges[0].Column != "status" || c.ContractChanges[0].Kind != "removed" || !c.ContractChanges[0].Breaking {
			t.Errorf("contract changes %+v", c.ContractChanges)
		}
		meshctlExit(t, dir, 0, "apply", "-auto-approve")
		m := checkPublished(t, dir, "orders_clean")
		for _, col := range m.Schema {
			if col.Name == "status" {
				t.Errorf("status is still published: %+v", m.Schema)
			}
		}
	})

	t.Run("prevent_destroy", func(t *testing.T) {
		const file = "products/adult_customers_by_country.mesh.hcl"
		src, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(dir, file)); err != nil {
			t.Fatal(err)
		}
		_, stateBefore := loadState(t, dir)
		_, manifest := readManifest(t, dir, "adult_customers_by_country")
		r := meshctlExit(t, dir, 1, "plan")
		if !strings.Contains(r.stdout, "- product.adult_customers_by_country will be destroyed") || !strings.Contains(r.stderr, "prevent_destroy") {
			t.Errorf("plan of a protected delete:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
		}
		p := planJSON(t, dir, 1)
		if c := p.change(t, "adult_customers_by_country"); c.Action != "delete" || c.Refused == nil || !c.hasReason("protected", "") || p.Summary.Refused != 1 {
			t.Errorf("protected delete: %s, refused %v, reasons %+v", c.Action, c.Refused, c.Reasons)
		}
		r = meshctlExit(t, dir, 1, "apply", "-auto-approve")
		if !strings.Contains(r.stderr, "prevent_destroy") {
			t.Errorf("apply of a protected delete:\n%s", r.stderr)
		}
		if _, after := loadState(t, dir); !bytes.Equal(after, stateBefore) {
			t.Errorf("a refused apply changed the state")
		}
		if _, after := readManifest(t, dir, "adult_customers_by_country"); !bytes.Equal(after, manifest) {
			t.Errorf("a refused apply changed the published output")
		}

		// Lifting the protection takes an apply with prevent_destroy = false.
		write(t, dir, file, strings.Replace(string(src), "prevent_destroy = true", "prevent_destroy = false", 1))
		if c := planJSON(t, dir, 0).change(t, "adult_customers_by_country"); c.Action != "update" || !c.hasReason("lifecycle", "") {
			t.Errorf("prevent_destroy = false: %s %+v", c.Action, c.Reasons)
		}
		meshctlExit(t, dir, 0, "apply", "-auto-approve")
		if st, _ := loadState(t, dir); st.Products["adult_customers_by_country"].PreventDestroy {
			t.Errorf("state still records prevent_destroy")
		}
		if err := os.Remove(filepath.Join(dir, file)); err != nil {
			t.Fatal(err)
		}
		r = meshctlExit(t, dir, 0, "apply", "-auto-approve")
		if !strings.Contains(r.stdout, "- product.adult_customers_by_country: deleted") {
			t.Errorf("apply of the delete:\n%s", r.stdout)
		}
		if _, err := os.Stat(filepath.Join(dir, "lake", "adult_customers_by_country", lakeio.ManifestName)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the deleted product's manifest: %v", err)
		}
		st, _ := loadState(t, dir)
		if st.Products["adult_customers_by_country"] != nil || len(st.Products) != 2 {
			t.Errorf("state after the delete: %v", st.Names())
		}
		meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
	})
}

func TestDriftIsRepaired(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	meshctlExit(t, dir, 0, "apply", "-auto-approve")

	// Behind meshctl's back: a published file of top_customers deleted,
	// and the manifest of orders_clean.
	top := checkPublished(t, dir, "top_customers")
	if err := os.Remove(filepath.Join(dir, "lake", "top_customers", lakeio.VersionsDir, top.VersionID, top.Files[0].Path)); err != nil {
		t.Fatal(err)
	}
	r := meshctlExit(t, dir, 2, "drift")
	if !strings.Contains(r.stdout, "product.top_customers drifted") || !strings.Contains(r.stdout, top.Files[0].Path+": missing") {
		t.Errorf("drift:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "product.orders_clean") || strings.Contains(r.stdout, "product.adult_customers_by_country") {
		t.Errorf("drift names products that did not drift:\n%s", r.stdout)
	}
	if err := os.Remove(filepath.Join(dir, "lake", "orders_clean", lakeio.ManifestName)); err != nil {
		t.Fatal(err)
	}
	r = meshctlExit(t, dir, 2, "drift", "-json")
	var d struct {
		FormatVersion string `json:"format_version"`
		Drifted       bool   `json:"drifted"`
		Products      []struct {
			Product string `json:"product"`
			Drifted bool   `json:"drifted"`
		} `json:"products"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("drift -json: %v\n%s", err, r.stdout)
	}
	drifted := map[string]bool{}
	for _, p := range d.Products {
		drifted[p.Product] = p.Drifted
	}
	if want := map[string]bool{"orders_clean": true, "top_customers": true, "adult_customers_by_country": false}; !d.Drifted || d.FormatVersion != "1.0" || !cmp.Equal(drifted, want) {
		t.Errorf("drift -json: format %q, drifted %v, products %v; want %v", d.FormatVersion, d.Drifted, drifted, want)
	}

	p := planJSON(t, dir, 0)
	for _, prod := range []string{"orders_clean", "top_customers"} {
		if c := p.change(t, prod); c.Action != "replace" || !c.hasReason("drift", "") {
			t.Errorf("%s: %s %+v, want a replace for drift", prod, c.Action, c.Reasons)
		}
	}
	if c := p.change(t, "adult_customers_by_country"); c.Action != "replace" || !c.hasReason("upstream", "product.orders_clean") {
		t.Errorf("adult_customers_by_country: %s %+v, want a replace because orders_clean is", c.Action, c.Reasons)
	}
	r = meshctlExit(t, dir, 0, "plan")
	if !strings.Contains(r.stdout, "-/+ product.top_customers must be replaced") || !strings.Contains(r.stdout, "the published output no longer matches state") {
		t.Errorf("plan of a drifted output:\n%s", r.stdout)
	}

	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	r = meshctlExit(t, dir, 0, "drift", "-deep")
	if !strings.Contains(r.stdout, "No drift: 3 published outputs match state.") {
		t.Errorf("drift after the repair:\n%s", r.stdout)
	}
	for _, prod := range salesProducts {
		checkPublished(t, dir, prod)
	}
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
}

func TestFailingCheckKeepsPublishedVersion(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	write(t, dir, "products/customers_copy.mesh.hcl", copyProduct)
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	before := map[string]string{}
	for _, p := range append(salesProducts, "customers_copy") {
		m, _ := readManifest(t, dir, p)
		before[p] = m.VersionID
	}

	// orders_clean's check fails; customers.csv changed too, so that
	// customers_copy, which reads nothing of orders_clean, has work.
	editFile(t, dir, "products/orders_clean.mesh.hcl", "assert = row_count() > 0", "assert = row_count() > 1000000")
	appendCustomer(t, dir)
	r := meshctlExit(t, dir, 1, "apply", "-auto-approve")
	for _, want := range []string{
		"! product.orders_clean: replace failed: check has_rows failed; version " + before["orders_clean"] + " stays published",
		"check has_rows (error) FAILED",
		"product.adult_customers_by_country: skipped: upstream product.orders_clean failed",
		"product.top_customers: skipped: upstream product.orders_clean failed",
		"product.customers_copy: replaced, version",
		"Apply complete: 1 done, 1 failed, 2 skipped",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("apply report lacks %q:\n%s", want, r.stdout)
		}
	}
	st, _ := loadState(t, dir)
	for _, p := range salesProducts {
		if m := checkPublished(t, dir, p); m.VersionID != before[p] || st.Products[p].Output.VersionID != before[p] {
			t.Errorf("%s: published %s, state %s; want the previous version %s", p, m.VersionID, st.Products[p].Output.VersionID, before[p])
		}
	}
	if m := checkPublished(t, dir, "customers_copy"); m.VersionID == before["customers_copy"] || m.Rows != 201 || st.Products["customers_copy"].Output.VersionID != m.VersionID {
		t.Errorf("customers_copy: version %s (before %s), %d rows; it is independent and must be replaced", m.VersionID, before["customers_copy"], m.Rows)
	}
	if staged := stagedFolders(t, dir); len(staged) != 0 {
		t.Errorf("a failed product left staged versions: %v", staged)
	}
	if ids := versions(t, dir, "orders_clean"); len(ids) != 1 {
		t.Errorf("the failed version of orders_clean was kept: %v", ids)
	}
	var failed bool
	for _, c := range st.Products["orders_clean"].Checks {
		failed = failed || c.Name == "has_rows" && !c.Passed
	}
	if !failed {
		t.Errorf("state does not record the failed check: %+v", st.Products["orders_clean"].Checks)
	}
	meshctlExit(t, dir, 2, "plan", "-detailed-exitcode")

	// Fixed: the next apply finishes the job.
	editFile(t, dir, "products/orders_clean.mesh.hcl", "assert = row_count() > 1000000", "assert = row_count() > 1")
	r = meshctlExit(t, dir, 0, "apply", "-auto-approve")
	if !strings.Contains(r.stdout, "Apply complete: 3 done, 0 failed, 0 skipped") {
		t.Errorf("apply after the fix:\n%s", r.stdout)
	}
	st, _ = loadState(t, dir)
	for _, p := range salesProducts {
		if m := checkPublished(t, dir, p); m.VersionID == before[p] || st.Products[p].Output.VersionID != m.VersionID {
			t.Errorf("%s: published %s, state %s, before %s", p, m.VersionID, st.Products[p].Output.VersionID, before[p])
		}
		for _, c := range st.Products[p].Checks {
			if !c.Passed {
				t.Errorf("%s: check %s recorded as failed after a successful apply", p, c.Name)
			}
		}
	}
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
}

// readerWorkspace writes a workspace that reads the published outputs of
// the workspace at lake (as another domain would) and returns its path.
func readerWorkspace(t *testing.T, lake string) string {
	t.Helper()
	dir := t.TempDir()
	src := func(name string) string {
		return "source \"" + name + "\" {\n  type = \"parquet\"\n  path = " + strconv.Quote(filepath.ToSlash(filepath.Join(lake, "lake", name))+"/") + "\n}\n\n"
	}
	sorted := func(name string, by string) string {
		return "product \"" + name + "\" {\n  domain = domain.r\n  input \"i\" {\n    from = source." + name + "\n  }\n  transform \"t\" {\n    from = input.i\n    sort {\n      by = [" + by + "]\n    }\n  }\n  output {\n    path = \"out/" + name + "/\"\n  }\n}\n\n"
	}
	write(t, dir, "main.mesh.hcl", "mesh {\n  name = \"reader\"\n}\n\ndomain \"r\" {\n  owner = \"r@example.com\"\n}\n\n"+
		src("customers_copy")+src("adult_customers_by_country")+src("top_customers")+src("orders_clean")+
		sorted("adult_customers_by_country", "country")+sorted("top_customers", "customer_id")+sorted("orders_clean", "order_id")+`product "copy_stats" {
  domain = domain.r
  input "i" {
    from = source.customers_copy
  }
  transform "t" {
    from = input.i
    aggregate {
      group_by = []
      columns = {
        rows  = count()
        ids   = sum(id)
        ages  = sum(age)
        first = min(email)
        last  = max(signup_date)
        named = count(country)
      }
    }
  }
  output {
    path = "out/copy_stats/"
  }
}
`)
	return dir
}

// readBack reads every output of the workspace at lake through a reader
// workspace (meshctl preview), as a consumer would.
func readBack(t *testing.T, lake string) map[string]string {
	t.Helper()
	reader := readerWorkspace(t, lake)
	got := map[string]string{}
	for _, p := range []string{"copy_stats", "adult_customers_by_country", "top_customers", "orders_clean"} {
		got[p] = meshctlExit(t, reader, 0, "preview", p, "--json", "--limit", "100000").stdout
	}
	return got
}

// publishedFiles is what a manifest says of the data, without the ids and
// times that differ from run to run.
type publishedFiles struct {
	Rows   int64
	Schema []lakeio.Column
	Files  []lakeio.File
}

// published checks product's published version and returns what its
// manifest says of the data.
func published(t *testing.T, dir, product string) publishedFiles {
	t.Helper()
	m := checkPublished(t, dir, product)
	return publishedFiles{Rows: m.Rows, Schema: m.Schema, Files: m.Files}
}

func TestApplyKilledMidwayThenResumed(t *testing.T) {
	t.Parallel()
	products := append(slices.Clone(salesProducts), "customers_copy")
	dir := salesWorkspace(t)
	write(t, dir, "products/customers_copy.mesh.hcl", copyProduct)
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	old := checkPublished(t, dir, "customers_copy")

	// With 2M customers, customers_copy writes a Parquet file of ~20 MB:
	// kill the apply while it is being staged.
	useBigCustomers(t, dir)
	apply := startMeshctl(t, dir, "apply", "-auto-approve")
	pattern := filepath.Join(dir, "lake", "customers_copy", lakeio.VersionsDir, "*.staging", "*.parquet")
	deadline := time.Now().Add(60 * time.Second)
	for staged := false; !staged; {
		select {
		case <-apply.done:
			r := apply.wait()
			t.Fatalf("apply ended (exit %d) before it could be killed while staging; make the data bigger\n%s%s", r.code, r.stdout, r.stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("customers_copy was not staged within 60s")
		}
		// Meanwhile a reader finds complete versions only.
		for _, p := range products {
			if problem := readerProblem(dir, p); problem != "" {
				t.Errorf("during the apply: %s", problem)
			}
		}
		staged = stagedBeyond(t, pattern, 1<<20)
	}
	if err := apply.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill: %v", err)
	}
	killed := apply.wait()
	if ws, ok := apply.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("apply was not killed (exit %d)", killed.code)
	}
	pid := apply.cmd.Process.Pid

	// No reader sees a partial version: every manifest names complete
	// files, customers_copy's still the old version, its staged folder
	// referenced by nothing.
	for _, p := range products {
		checkPublished(t, dir, p)
	}
	if m, _ := readManifest(t, dir, "customers_copy"); m.VersionID != old.VersionID {
		t.Errorf("customers_copy's manifest names %s, which the killed apply was writing; want the old %s", m.VersionID, old.VersionID)
	}
	if staged := stagedFolders(t, dir); len(staged) == 0 {
		t.Errorf("no staged folder after the kill: was the apply killed while staging?")
	}
	if got := readBack(t, dir)["copy_stats"]; !strings.Contains(got, `"rows": 200,`) {
		t.Errorf("a reader of customers_copy sees, after the kill:\n%s\nwant the 200 rows of the old version", got)
	}
	// The state decodes and describes published versions.
	st, _ := loadState(t, dir)
	for _, p := range products {
		rec := st.Products[p]
		if rec == nil {
			t.Fatalf("state lost %s", p)
		}
		for _, f := range rec.Output.Files {
			if _, err := os.Stat(filepath.Join(dir, "lake", p, lakeio.VersionsDir, rec.Output.VersionID, filepath.FromSlash(f.Path))); err != nil {
				t.Errorf("state of %s names a file that is not there: %v", p, err)
			}
		}
	}

	// The killed process's lock stays (as Terraform's does): the next
	// apply names its holder and the ID that force-unlock takes.
	lockBytes, lockErr := os.ReadFile(filepath.Join(dir, lockFile))
	r := meshctl(t, dir, "apply", "-auto-approve")
	if lockErr == nil {
		var holder statestore.LockInfo
		if err := json.Unmarshal(lockBytes, &holder); err != nil {
			t.Fatalf("lock file: %v\n%s", err, lockBytes)
		}
		if holder.PID != pid || holder.Operation != "apply" {
			t.Errorf("the lock names pid %d (%s), want the killed apply's %d", holder.PID, holder.Operation, pid)
		}
		if r.code != 1 {
			t.Fatalf("apply on a workspace locked by a killed apply: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{"the state is locked by", "pid " + strconv.Itoa(pid), "apply since", "lock ID " + holder.ID, "looks stale"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("the lock message lacks %q:\n%s", want, r.stderr)
			}
		}
		m := regexp.MustCompile(`meshctl force-unlock (\S+)`).FindStringSubmatch(r.stderr)
		if m == nil || m[1] != holder.ID {
			t.Fatalf("the lock message does not give force-unlock %s:\n%s", holder.ID, r.stderr)
		}
		// -lock-timeout waits for the holder, then gives up naming it.
		start := time.Now()
		r2 := meshctl(t, dir, "plan", "-lock-timeout", "1s")
		if waited := time.Since(start); r2.code != 1 || waited < time.Second || !strings.Contains(r2.stderr, "cannot plan: the state is locked by") || !strings.Contains(r2.stderr, "lock ID "+holder.ID) {
			t.Errorf("plan -lock-timeout 1s on a lock that stays: exit %d after %s\n%s", r2.code, waited, r2.stderr)
		}
		if r := meshctl(t, dir, "force-unlock", "wrong-id"); r.code != 1 {
			t.Errorf("force-unlock with a wrong ID: exit %d", r.code)
		}
		r = meshctlExit(t, dir, 0, "force-unlock", m[1])
		if !strings.Contains(r.stdout, "unlocked") {
			t.Errorf("force-unlock: %s", r.stdout)
		}
		r = meshctl(t, dir, "apply", "-auto-approve")
		t.Logf("the killed apply (pid %d) left its lock %s; force-unlock cleared it", pid, holder.ID)
	} else {
		t.Logf("the killed apply left no lock (%v)", lockErr)
	}
	if r.code != 0 {
		t.Fatalf("apply after the kill: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "0 failed, 0 skipped") {
		t.Errorf("apply after the kill:\n%s", r.stdout)
	}
	if staged := stagedFolders(t, dir); len(staged) != 0 {
		t.Errorf("staged folders left after a complete apply: %v", staged)
	}
	meshctlExit(t, dir, 0, "drift", "-deep")
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")

	// The same as an uninterrupted run in another copy.
	other := salesWorkspace(t)
	write(t, other, "products/customers_copy.mesh.hcl", copyProduct)
	useBigCustomers(t, other)
	meshctlExit(t, other, 0, "apply", "-auto-approve")
	for _, p := range products {
		if diff := cmp.Diff(published(t, other, p), published(t, dir, p)); diff != "" {
			t.Errorf("%s differs from an uninterrupted run (-uninterrupted +resumed):\n%s", p, diff)
		}
	}
	want, got := readBack(t, other), readBack(t, dir)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the published data differs from an uninterrupted run's (-uninterrupted +resumed):\n%s", diff)
	}
	if !strings.Contains(got["copy_stats"], `"rows": 2000000,`) {
		t.Errorf("customers_copy read back:\n%s", got["copy_stats"])
	}
}

// stagedBeyond reports whether a file matching pattern holds more than
// size bytes.
func stagedBeyond(t *testing.T, pattern string, size int64) bool {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.Size() > size {
			return true
		}
	}
	return false
}

// readerProblem is what a reader of product's output would stumble on
// right now: a manifest that does not decode, or names a file that is not
// there with its size ("" when all is well, or nothing is published yet).
// It is cheap enough to call in a loop while an apply runs.
func readerProblem(dir, product string) string {
	b, err := os.ReadFile(filepath.Join(dir, "lake", product, lakeio.ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	if err != nil {
		return err.Error()
	}
	var m lakeio.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return "the manifest of " + product + " does not decode: " + err.Error()
	}
	for _, f := range m.Files {
		fi, err := os.Stat(filepath.Join(dir, "lake", product, lakeio.VersionsDir, m.VersionID, filepath.FromSlash(f.Path)))
		if err != nil || fi.Size() != f.Bytes {
			return "the manifest of " + product + " names " + f.Path + ", which is missing or of another size"
		}
	}
	return ""
}

func TestApplyInterruptedByCtrlC(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	write(t, dir, "products/customers_copy.mesh.hcl", copyProduct)
	useBigCustomers(t, dir)
	apply := startMeshctl(t, dir, "apply", "-auto-approve")
	waitStaging(t, apply, dir)
	if err := apply.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("interrupt: %v", err)
	}
	r := apply.waitOrDump(t, 90*time.Second)
	if r.code != 1 || !strings.Contains(r.stdout, "product.customers_copy: create failed: interrupted") || !strings.Contains(r.stdout, "Apply complete:") {
		t.Errorf("apply interrupted by Ctrl-C: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// An interrupted apply cleans up after itself: no lock, no staged
	// folder, a state naming what was published.
	if _, err := os.Stat(filepath.Join(dir, lockFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the interrupted apply left its lock: %v", err)
	}
	if staged := stagedFolders(t, dir); len(staged) != 0 {
		t.Errorf("the interrupted apply left staged folders: %v", staged)
	}
	if _, err := os.Stat(filepath.Join(dir, "lake", "customers_copy", lakeio.ManifestName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("customers_copy was published although its apply was interrupted: %v", err)
	}
	st, _ := loadState(t, dir)
	for _, p := range st.Names() {
		if m := checkPublished(t, dir, p); m.VersionID != st.Products[p].Output.VersionID {
			t.Errorf("%s: state %s, published %s", p, st.Products[p].Output.VersionID, m.VersionID)
		}
	}
	if st.Products["customers_copy"] != nil {
		t.Errorf("state records customers_copy, whose apply was interrupted")
	}

	r = meshctlExit(t, dir, 0, "apply", "-auto-approve")
	if !strings.Contains(r.stdout, "0 failed, 0 skipped") {
		t.Errorf("apply after Ctrl-C:\n%s", r.stdout)
	}
	if m := checkPublished(t, dir, "customers_copy"); m.Rows != bigCustomerRows {
		t.Errorf("customers_copy: %d rows, want %d", m.Rows, bigCustomerRows)
	}
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
}

// TestPublishedAheadOfState simulates an apply that died between
// publishing a version and saving state: the planner must notice and
// republish, whatever the configuration says.
func TestPublishedAheadOfState(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	_, saved := loadState(t, dir)
	v1, _ := readManifest(t, dir, "orders_clean")

	// A replace published, its state save lost; the configuration then
	// reverted: state and configuration agree, the lake does not.
	editFile(t, dir, "products/orders_clean.mesh.hcl", "amount > 0", "amount > 10")
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	editFile(t, dir, "products/orders_clean.mesh.hcl", "amount > 10", "amount > 0")
	write(t, dir, stateFile, string(saved))
	if m, _ := readManifest(t, dir, "orders_clean"); m.Rows == v1.Rows {
		t.Fatalf("the second version has the first's %d rows: the edit did not change the data", m.Rows)
	}
	r := meshctlExit(t, dir, 2, "drift")
	if !strings.Contains(r.stdout, "product.orders_clean drifted") || !strings.Contains(r.stdout, "state records "+v1.VersionID) {
		t.Errorf("drift:\n%s", r.stdout)
	}
	p := planJSON(t, dir, 0)
	for _, prod := range salesProducts {
		if c := p.change(t, prod); c.Action != "replace" || !c.hasReason("drift", "") {
			t.Errorf("%s: %s %+v, want a replace for drift", prod, c.Action, c.Reasons)
		}
	}
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	if m := checkPublished(t, dir, "orders_clean"); m.Rows != v1.Rows {
		t.Errorf("orders_clean has %d rows, want the configuration's %d", m.Rows, v1.Rows)
	}
	meshctlExit(t, dir, 0, "drift")
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")

	// A create published, its state save lost.
	meshctlExit(t, dir, 0, "state", "rm", "top_customers")
	if c := planJSON(t, dir, 0).change(t, "top_customers"); c.Action != "create" {
		t.Errorf("top_customers, published but not in state: %s", c.Action)
	}
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	st, _ := loadState(t, dir)
	if m := checkPublished(t, dir, "top_customers"); st.Products["top_customers"] == nil || st.Products["top_customers"].Output.VersionID != m.VersionID {
		t.Errorf("top_customers: published %s, state %+v", m.VersionID, st.Products["top_customers"])
	}
	meshctlExit(t, dir, 0, "drift")
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
}

// TestBadStateIsNeverOverwritten: a corrupt state file, or one from a
// newer meshctl, stops every command with a clear error and is left as it
// was.
func TestBadStateIsNeverOverwritten(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	meshctlExit(t, dir, 0, "apply", "-auto-approve")
	_, good := loadState(t, dir)
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"corrupt", `{"format_version": 1, "lineage": `, "not a meshctl state file"},
		{"newer", strings.Replace(string(good), `"format_version": 1`, `"format_version": 99`, 1), "newer meshctl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			write(t, dir, stateFile, tc.doc)
			for _, args := range [][]string{{"plan"}, {"apply", "-auto-approve"}, {"drift"}, {"state", "list"}} {
				r := meshctl(t, dir, args...)
				if r.code != 1 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "untouched") {
					t.Errorf("meshctl %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
				}
			}
			if b, _ := os.ReadFile(filepath.Join(dir, stateFile)); string(b) != tc.doc {
				t.Errorf("the state file was rewritten:\n%s", b)
			}
			if _, err := os.Stat(filepath.Join(dir, lockFile)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a refused command left its lock: %v", err)
			}
		})
	}
	write(t, dir, stateFile, string(good))
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
}

// TestMarkdownOfManyProducts: a plan too big for one pull-request comment
// is cut to fit, with a notice saying how to see all of it.
func TestMarkdownOfManyProducts(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	src, err := os.ReadFile(filepath.Join(dir, "products", "orders_clean.mesh.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		name := "orders_clean_" + strconv.Itoa(i)
		doc := strings.Replace(string(src), `product "orders_clean"`, `product "`+name+`"`, 1)
		doc = strings.Replace(doc, "lake/orders_clean/", "lake/"+name+"/", 1)
		write(t, dir, "products/"+name+".mesh.hcl", doc)
	}
	meshctlExit(t, dir, 0, "plan", "-out", "big.plan")
	md := meshctlExit(t, dir, 0, "show", "big.plan", "--markdown").stdout
	if len(md) > 65536 {
		t.Errorf("the comment is %d bytes, over GitHub's 65,536", len(md))
	}
	if !strings.Contains(md, "**Plan: 303 to create, 0 to update, 0 to replace, 0 to delete.**") {
		t.Errorf("the comment lacks the summary")
	}
	if !strings.Contains(md, "not shown") {
		t.Errorf("the comment was cut without a notice:\n%s", md[max(0, len(md)-2000):])
	}
	// The notice points at the plan the comment was made from.
	if !strings.Contains(md, "meshctl show big.plan") {
		i := strings.Index(md, "not shown")
		t.Errorf("the truncation notice does not name the plan file big.plan:\n%s", md[max(0, i-200):min(len(md), i+200)])
	}
}

func TestConcurrentApplies(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	write(t, dir, "products/customers_copy.mesh.hcl", copyProduct)
	useBigCustomers(t, dir)

	// Started together: one takes the lock, the other fails at once naming
	// it.
	a1 := startMeshctl(t, dir, "apply", "-auto-approve")
	a2 := startMeshctl(t, dir, "apply", "-auto-approve")
	r1, r2 := a1.wait(), a2.wait()
	winner, loser, winnerPID, loserPID := r1, r2, a1.cmd.Process.Pid, a2.cmd.Process.Pid
	if r1.code != 0 {
		winner, loser, winnerPID, loserPID = r2, r1, loserPID, winnerPID
	}
	if winner.code != 0 || loser.code != 1 {
		t.Fatalf("two applies: exits %d and %d, want 0 and 1\n--- 1\n%s%s\n--- 2\n%s%s", r1.code, r2.code, r1.stdout, r1.stderr, r2.stdout, r2.stderr)
	}
	for _, want := range []string{"cannot apply: the state is locked by", "pid " + strconv.Itoa(winnerPID), "apply since", "meshctl force-unlock "} {
		if !strings.Contains(loser.stderr, want) {
			t.Errorf("the apply that lost the lock (pid %d) says:\n%s\nwant %q", loserPID, loser.stderr, want)
		}
	}
	if strings.Contains(loser.stderr, "started") || strings.Contains(loser.stdout, "Apply complete") {
		t.Errorf("the apply without the lock applied something:\n%s%s", loser.stdout, loser.stderr)
	}
	if !strings.Contains(winner.stdout, "Apply complete: 4 done, 0 failed") {
		t.Errorf("the apply with the lock:\n%s", winner.stdout)
	}
	st, _ := loadState(t, dir)
	if st.Serial != 4 || len(st.Products) != 4 {
		t.Errorf("state after one apply of 4 products: serial %d, %d products", st.Serial, len(st.Products))
	}
	if _, err := os.Stat(filepath.Join(dir, lockFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the lock outlived both applies: %v", err)
	}

	// With -lock-timeout the second waits for the first, then plans
	// against the state it left: nothing more to do.
	editFile(t, dir, "products/customers_copy.mesh.hcl", "email       = lower(email)", "email       = upper(email)")
	first := startMeshctl(t, dir, "apply", "-auto-approve")
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, lockFile))
		var holder statestore.LockInfo
		if err == nil && json.Unmarshal(b, &holder) == nil && holder.PID == first.cmd.Process.Pid {
			break
		}
		if first.ended() || time.Now().After(deadline) {
			r := first.wait()
			t.Fatalf("the first apply never held the lock (exit %d)\n%s%s", r.code, r.stdout, r.stderr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	r4 := meshctlExit(t, dir, 0, "apply", "-auto-approve", "-lock-timeout", "60s")
	waited := time.Since(start)
	r3 := first.wait()
	if r3.code != 0 || !strings.Contains(r3.stdout, "Apply complete: 1 done, 0 failed, 0 skipped, 3 unchanged") {
		t.Errorf("the first apply: exit %d\n%s%s", r3.code, r3.stdout, r3.stderr)
	}
	if !strings.Contains(r4.stdout, "No changes") {
		t.Errorf("the apply that waited %s for the lock:\n%s%s", waited, r4.stdout, r4.stderr)
	}
	st, _ = loadState(t, dir)
	if st.Serial != 5 || len(st.Products) != 4 {
		t.Errorf("state after a second apply of one product: serial %d, %d products", st.Serial, len(st.Products))
	}
	for _, p := range []string{"customers_copy", "orders_clean"} {
		if m := checkPublished(t, dir, p); st.Products[p].Output.VersionID != m.VersionID {
			t.Errorf("%s: state %s, published %s", p, st.Products[p].Output.VersionID, m.VersionID)
		}
	}
	meshctlExit(t, dir, 0, "plan", "-detailed-exitcode")
}

func TestApplyConfirmation(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	lake := filepath.Join(dir, "lake")

	// No standard input (a closed one): nobody can answer.
	r := meshctlExit(t, dir, 1, "apply")
	if !strings.Contains(r.stderr, "-auto-approve") {
		t.Errorf("apply with no standard input:\n%s", r.stderr)
	}
	if _, err := os.Stat(lake); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("apply with no answer published: %v", err)
	}

	r = meshctlInput(t, dir, "no\n", "apply")
	if r.code != 1 || !strings.Contains(r.stdout, "Only 'yes' will be accepted") || !strings.Contains(r.stdout, "Apply cancelled.") {
		t.Errorf("answering no: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(lake); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a cancelled apply published: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, lockFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a cancelled apply left its lock: %v", err)
	}

	r = meshctlInput(t, dir, "yes\n", "apply")
	if r.code != 0 || !strings.Contains(r.stdout, "Plan: 3 to create") || !strings.Contains(r.stdout, "Apply complete: 3 done") {
		t.Errorf("answering yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, p := range salesProducts {
		checkPublished(t, dir, p)
	}
	// Nothing to do: no question.
	r = meshctlExit(t, dir, 0, "apply")
	if !strings.Contains(r.stdout, "No changes") || strings.Contains(r.stdout, "Only 'yes'") {
		t.Errorf("apply with nothing to do:\n%s", r.stdout)
	}
}

func TestApplyJSONAndTargets(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)

	p := planJSON(t, dir, 0)
	if len(p.Changes) != 3 || p.Serial != 0 || p.Lineage == "" || len(p.Targets) != 0 {
		t.Errorf("plan -json: %d changes, serial %d, lineage %q, targets %v", len(p.Changes), p.Serial, p.Lineage, p.Targets)
	}

	for _, tc := range []struct {
		targets []string
		want    map[string]string
	}{
		{[]string{"orders_clean"}, map[string]string{"orders_clean": "create"}},
		{[]string{"top_customers"}, map[string]string{"orders_clean": "create", "top_customers": "create"}},
		{[]string{"orders_clean", "adult_customers_by_country"}, map[string]string{"orders_clean": "create", "adult_customers_by_country": "create"}},
	} {
		var args []string
		for _, tg := range tc.targets {
			args = append(args, "-target", tg)
		}
		p := planJSON(t, dir, 0, args...)
		if diff := cmp.Diff(tc.want, p.actions()); diff != "" {
			t.Errorf("plan -target %v (-want +got):\n%s", tc.targets, diff)
		}
		if !slices.Equal(p.Targets, tc.targets) {
			t.Errorf("plan -target %v: targets %v", tc.targets, p.Targets)
		}
	}
	if r := meshctl(t, dir, "plan", "-target", "nope"); r.code != 1 {
		t.Errorf("plan -target of an unknown product: exit %d\n%s", r.code, r.stderr)
	}

	// apply -json: the report says what was done.
	r := meshctlExit(t, dir, 0, "apply", "-auto-approve", "-json", "-target", "orders_clean")
	if r.stderr != "" {
		t.Errorf("apply -json wrote to stderr:\n%s", r.stderr)
	}
	report := lastReport(t, r.stdout)
	if len(report.Products) != 1 || report.Products[0].Product != "orders_clean" || report.Products[0].Status != "done" || report.Products[0].Action != "create" {
		t.Errorf("apply -json -target orders_clean: %+v", report.Products)
	}
	if m := checkPublished(t, dir, "orders_clean"); report.Products[0].VersionID != m.VersionID || report.Products[0].Rows != m.Rows {
		t.Errorf("the report says version %s, %d rows; the manifest %s, %d", report.Products[0].VersionID, report.Products[0].Rows, m.VersionID, m.Rows)
	}
	for _, p := range salesProducts[1:] {
		if _, err := os.Stat(filepath.Join(dir, "lake", p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("apply -target orders_clean published %s", p)
		}
	}
	if st, _ := loadState(t, dir); len(st.Products) != 1 {
		t.Errorf("state after apply -target orders_clean: %v", st.Names())
	}

	r = meshctlExit(t, dir, 0, "apply", "-auto-approve", "-json")
	report = lastReport(t, r.stdout)
	status := map[string]string{}
	for _, p := range report.Products {
		status[p.Product] = p.Action + " " + p.Status
	}
	want := map[string]string{"orders_clean": "no-op unchanged", "adult_customers_by_country": "create done", "top_customers": "create done"}
	if diff := cmp.Diff(want, status); diff != "" {
		t.Errorf("apply -json (-want +got):\n%s", diff)
	}
	r = meshctlExit(t, dir, 0, "apply", "-auto-approve", "-json")
	if p := decodePlan(t, r.stdout); p.Summary.HasChanges {
		t.Errorf("apply -json with nothing to do: %+v", p.Summary)
	}
}

// lastReport finds apply -json's report: the last JSON document on stdout
// (the plan comes before it).
func lastReport(t *testing.T, stdout string) applyReport {
	t.Helper()
	docs := jsonDocuments(t, stdout)
	if len(docs) == 0 {
		t.Fatalf("apply -json printed no JSON:\n%s", stdout)
	}
	last := docs[len(docs)-1]
	if _, ok := last["products"]; !ok {
		t.Fatalf("apply -json's last document is not the report:\n%s", stdout)
	}
	b, _ := json.Marshal(last)
	var rep applyReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.PlanID == "" {
		t.Errorf("the report names no plan")
	}
	return rep
}

// TestApplyInterruptedTwice: a second Ctrl-C exits at once (130), leaving
// no visible partial version; the next apply finishes the job.
func TestApplyInterruptedTwice(t *testing.T) {
	t.Parallel()
	dir := salesWorkspace(t)
	write(t, dir, "products/customers_copy.mesh.hcl", copyProduct)
	useBigCustomers(t, dir)
	apply := startMeshctl(t, dir, "apply", "-auto-approve")
	waitStaging(t, apply, dir)
	for range 2 {
		if err := apply.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatalf("interrupt: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := apply.waitOrDump(t, 60*time.Second)
	if r.code != 130 && !strings.Contains(r.stdout, "Apply complete:") {
		t.Fatalf("apply interrupted twice: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r.code == 130 && !strings.Contains(r.stderr, "Interrupted twice: exiting now.") {
		t.Errorf("exit 130 without the message:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "lake", "customers_copy", lakeio.ManifestName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("customers_copy was published although its apply was interrupted: %v", err)
	}
	r = meshctl(t, dir, "apply", "-auto-approve")
	if id := lockIDIn(r.stderr); r.code != 0 && id != "" {
		meshctlExit(t, dir, 0, "force-unlock", id)
		r = meshctl(t, dir, "apply", "-auto-approve")
	}
	if r.code != 0 || !strings.Contains(r.stdout, "0 failed, 0 skipped") {
		t.Fatalf("apply after two interrupts: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if m := checkPublished(t, dir, "customers_copy"); m.Rows != bigCustomerRows {
		t.Errorf("customers_copy: %d rows, want %d", m.Rows, bigCustomerRows)
	}
}

// waitStaging waits until the running apply has staged more than 1 MiB of
// customers_copy, so that an interruption lands while it writes.
func waitStaging(t *testing.T, apply *background, dir string) {
	t.Helper()
	pattern := filepath.Join(dir, "lake", "customers_copy", lakeio.VersionsDir, "*.staging", "*.parquet")
	deadline := time.Now().Add(60 * time.Second)
	for !stagedBeyond(t, pattern, 1<<20) {
		if apply.ended() {
			r := apply.wait()
			t.Fatalf("apply ended (exit %d) before it could be interrupted while staging\n%s%s", r.code, r.stdout, r.stderr)
		}
		if time.Now().After(deadline) {
			t.Fatal("customers_copy was not staged within 60s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
