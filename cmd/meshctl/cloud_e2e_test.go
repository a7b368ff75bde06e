package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/meshctl/meshctl/providers/pgtest"
	"github.com/meshctl/meshctl/providers/s3/s3test"
)

// secretPassword is in the DSN the tests hand meshctl. The server trusts
// local connections, so any password works; none may ever be printed or
// stored.
const secretPassword = "s3cr3t-Pa55"

// withPassword puts secretPassword into a URL DSN.
func withPassword(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		t.Skipf("MESHCTL_TEST_PG_DSN is not a URL DSN with a user (%v); the secrets check needs one", err)
	}
	u.User = url.UserPassword(u.User.Username(), secretPassword)
	return u.String()
}

// seedWorkspace is the seed's pipeline: customers in PostgreSQL, adults
// counted per country, Parquet in S3.
func seedWorkspace(t *testing.T, table string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "main.mesh.hcl", `mesh {
  name = "acme-sales"
}

domain "sales" {
  owner = "sales-data@acme.example"
}

source "customers" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  table = "`+table+`"
}

product "adult_customers_by_country" {
  domain      = domain.sales
  description = "Adult customers per country"

  input "customers" {
    from = source.customers
  }

  transform "by_country" {
    from = input.customers
    filter {
      where = age > 18
    }
    aggregate {
      group_by = [country]
      columns = {
        customers = count()
      }
    }
    sort {
      by = [country]
    }
  }

  output {
    path       = "s3://lake/sales/adult_customers_by_country/"
    encryption = "AES256"
  }

  check "has_rows" {
    assert = row_count() > 0
  }
}
`)
	return dir
}

// s3Reader writes a workspace that reads a Parquet prefix in S3, as a
// consumer in another domain would, and returns its folder.
func s3Reader(t *testing.T, path string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "main.mesh.hcl", `mesh {
  name = "reader"
}
domain "r" {
  owner = "r@example.com"
}
source "published" {
  type = "parquet"
  path = "`+path+`"
}
product "read" {
  domain = domain.r
  input "p" {
    from = source.published
  }
  transform "t" {
    from = input.p
    sort {
      by = [country]
    }
  }
  output {
    path = "out/read/"
  }
}
`)
	return dir
}

// countsByCountry reads the published counts back through a consumer
// workspace.
func countsByCountry(t *testing.T, env []string, path string) map[string]int64 {
	t.Helper()
	r := meshctlEnv(t, s3Reader(t, path), env, "preview", "read", "--json", "--limit", "1000")
	if r.code != 0 {
		t.Fatalf("reading %s back: exit %d\n%s%s", path, r.code, r.stdout, r.stderr)
	}
	var rows []struct {
		Country   string `json:"country"`
		Customers int64  `json:"customers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("preview --json: %v\n%s", err, r.stdout)
	}
	out := map[string]int64{}
	for _, row := range rows {
		out[row.Country] = row.Customers
	}
	return out
}

// sqlCounts is what the product should publish, computed by PostgreSQL.
func sqlCounts(t *testing.T, s *pgtest.Schema) map[string]int64 {
	t.Helper()
	rows, err := s.Conn.Query(context.Background(), "SELECT country, count(*) FROM customers WHERE age > 18 GROUP BY country")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var n int64
		if err := rows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		out[c] = n
	}
	return out
}

// objectKeys lists the keys of the bucket under prefix.
func objectKeys(t *testing.T, srv *s3test.Server, prefix string) []string {
	t.Helper()
	var keys []string
	p := awss3.NewListObjectsV2Paginator(srv.Client, &awss3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	return keys
}

// s3Manifest reads the manifest published under prefix.
func s3Manifest(t *testing.T, srv *s3test.Server, prefix string) (id string, files []string) {
	t.Helper()
	out, err := srv.Client.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(prefix + "_manifest.json")})
	if err != nil {
		t.Fatalf("manifest under %s: %v", prefix, err)
	}
	defer out.Body.Close()
	var m struct {
		VersionID string `json:"version_id"`
		Files     []struct {
			Path string `json:"path"`
		} `json:"files"`
	}
	b, _ := io.ReadAll(out.Body)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, b)
	}
	for _, f := range m.Files {
		files = append(files, f.Path)
	}
	return m.VersionID, files
}

// TestSeedPipelinePostgresToS3 runs the seed's pipeline for real:
// customers in PostgreSQL → filter age > 18 → count per country → Parquet
// in S3; planned, applied, re-planned as a no-op, then a row is inserted
// and the plan replaces the product because the input's fingerprint
// changed. The DSN's password appears nowhere.
//
// Not parallel: s3test.Start sets the AWS_* environment for the test.
func TestSeedPipelinePostgresToS3(t *testing.T) {
	pg := pgtest.New(t)
	pg.Exec(t, `CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, age integer, country text NOT NULL)`)
	pg.Exec(t, `INSERT INTO customers SELECT g, 'customer ' || g, 5 + g % 70, (ARRAY['DE','FR','IT','US','BR'])[1 + g % 5] FROM generate_series(1, 5000) g`)
	srv := s3test.Start(t, "lake")
	env := append(slices.Clone(srv.Env), "CRM_DSN="+withPassword(t, pg.DSN))
	dir := seedWorkspace(t, pg.Name+".customers")
	var outputs []string
	run := func(want int, args ...string) result {
		t.Helper()
		r := meshctlEnv(t, dir, env, args...)
		outputs = append(outputs, r.stdout, r.stderr)
		if r.code != want {
			t.Fatalf("meshctl %s: exit %d, want %d\n%s%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
		}
		return r
	}

	r := run(2, "plan", "-detailed-exitcode", "-out", "first.plan")
	if !strings.Contains(r.stdout, "Plan: 1 to create") {
		t.Errorf("first plan:\n%s", r.stdout)
	}
	run(0, "apply", "first.plan")
	run(0, "plan", "-detailed-exitcode")

	const prefix = "sales/adult_customers_by_country/"
	id, files := s3Manifest(t, srv, prefix)
	if len(files) == 0 {
		t.Fatalf("the manifest names no file")
	}
	keys := objectKeys(t, srv, prefix)
	for _, f := range files {
		if !slices.Contains(keys, prefix+"_versions/"+id+"/"+f) {
			t.Errorf("the manifest names %s, which is not in the bucket: %v", f, keys)
		}
	}
	if got, want := countsByCountry(t, srv.Env, "s3://lake/"+prefix), sqlCounts(t, pg); !mapsEqual(got, want) {
		t.Errorf("published counts %v, PostgreSQL says %v", got, want)
	}

	// A row inserted: the input's fingerprint changes, the product is
	// replaced, and the new version counts the row.
	pg.Exec(t, `INSERT INTO customers VALUES (100001, 'late', 40, 'DE')`)
	r = run(2, "plan", "-detailed-exitcode")
	if !strings.Contains(r.stdout, "Plan: 0 to create, 0 to update, 1 to replace") || !strings.Contains(r.stdout, "input.customers") {
		t.Errorf("plan after an insert:\n%s", r.stdout)
	}
	run(0, "apply", "-auto-approve")
	run(0, "plan", "-detailed-exitcode")
	if got, want := countsByCountry(t, srv.Env, "s3://lake/"+prefix), sqlCounts(t, pg); !mapsEqual(got, want) {
		t.Errorf("published counts after the insert %v, PostgreSQL says %v", got, want)
	}
	if id2, _ := s3Manifest(t, srv, prefix); id2 == id {
		t.Errorf("the manifest still names %s after a replace", id)
	}

	// Secrets never appear in output, state or plans.
	st, err := os.ReadFile(filepath.Join(dir, ".meshctl", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	pl, err := os.ReadFile(filepath.Join(dir, "first.plan"))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range append(outputs, string(st), string(pl)) {
		if strings.Contains(s, secretPassword) {
			t.Errorf("the DSN's password appears in output %d:\n%s", i, s)
		}
	}
}

func mapsEqual(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestApplyKilledDuringS3Upload kills an apply while it uploads a large
// output to S3: no reader ever sees a partial version (the manifest still
// names the old one, whose objects are all there), and the next apply
// completes and cleans the orphaned objects.
//
// Not parallel: s3test.Start sets the AWS_* environment for the test.
func TestApplyKilledDuringS3Upload(t *testing.T) {
	// Uploads of a new version's data are slowed down, and the test is
	// told when the first one arrives, so that the kill lands mid-upload.
	var once sync.Once
	uploading := make(chan struct{})
	slow := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/_versions/") {
				once.Do(func() { close(uploading) })
				time.Sleep(300 * time.Millisecond)
			}
			h.ServeHTTP(w, r)
		})
	}
	srv := s3test.StartWith(t, "lake", slow)
	dir := salesWorkspace(t)
	write(t, dir, "products/customers_copy.mesh.hcl", strings.Replace(copyProduct, `path = "lake/customers_copy/"`, `path = "s3://lake/copy/"`, 1))
	// The first version, small: uploading it trips the channel; later
	// versions are what the test kills.
	meshctlEnvExit(t, dir, srv.Env, 0, "apply", "-auto-approve")
	oldID, oldFiles := s3Manifest(t, srv, "copy/")

	useBigCustomers(t, dir)
	apply := startMeshctlEnv(t, dir, srv.Env, "apply", "-auto-approve")
	select {
	case <-uploading:
	case <-apply.done:
		r := apply.wait()
		t.Fatalf("apply ended (exit %d) before it uploaded anything\n%s%s", r.code, r.stdout, r.stderr)
	case <-time.After(2 * time.Minute):
		t.Fatal("no upload within 2 minutes")
	}
	// Wait until this apply's upload has started (the first apply's
	// closed the channel already): a key of a version other than oldID.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if slices.ContainsFunc(objectKeys(t, srv, "copy/_versions/"), func(k string) bool { return !strings.HasPrefix(k, "copy/_versions/"+oldID+"/") }) {
			break
		}
		if apply.ended() {
			r := apply.wait()
			t.Fatalf("apply ended (exit %d) before uploading the new version\n%s%s", r.code, r.stdout, r.stderr)
		}
		if time.Now().After(deadline) {
			t.Fatal("the new version's upload did not start within 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := apply.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	apply.wait()

	// Readers see the old version, complete.
	id, files := s3Manifest(t, srv, "copy/")
	if id != oldID || !slices.Equal(files, oldFiles) {
		t.Fatalf("after the kill the manifest names %s %v, want the old %s %v", id, files, oldID, oldFiles)
	}
	keys := objectKeys(t, srv, "copy/")
	for _, f := range files {
		if !slices.Contains(keys, "copy/_versions/"+id+"/"+f) {
			t.Errorf("the published version lacks %s", f)
		}
	}
	if got := countsFromCopy(t, srv); got != 200 {
		t.Errorf("a reader counts %d customers after the kill, want the old version's 200", got)
	}

	// The killed apply's lock is stale: break it, apply again.
	r := meshctlEnv(t, dir, srv.Env, "apply", "-auto-approve")
	if r.code != 0 {
		if m := lockIDIn(r.stderr); m != "" {
			meshctlEnvExit(t, dir, srv.Env, 0, "force-unlock", m)
			r = meshctlEnv(t, dir, srv.Env, "apply", "-auto-approve")
		}
	}
	if r.code != 0 {
		t.Fatalf("apply after the kill: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	newID, _ := s3Manifest(t, srv, "copy/")
	if newID == oldID {
		t.Fatalf("the re-run did not publish a new version")
	}
	if got := countsFromCopy(t, srv); got != 2_000_000 {
		t.Errorf("a reader counts %d customers, want 2,000,000", got)
	}
	// Only kept versions remain: the killed upload's objects are gone.
	versions := map[string]bool{}
	for _, k := range objectKeys(t, srv, "copy/_versions/") {
		// Each version is a folder plus its completion marker
		// _versions/<id>.manifest.json.
		v := strings.SplitN(strings.TrimPrefix(k, "copy/_versions/"), "/", 2)[0]
		versions[strings.TrimSuffix(v, ".manifest.json")] = true
	}
	if len(versions) != 2 || !versions[oldID] || !versions[newID] {
		t.Errorf("versions left in the bucket: %v; want the old %s and the new %s only", versions, oldID, newID)
	}
	meshctlEnvExit(t, dir, srv.Env, 0, "plan", "-detailed-exitcode")
}

// countsFromCopy counts the rows of the published customers_copy.
func countsFromCopy(t *testing.T, srv *s3test.Server) int64 {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "main.mesh.hcl", `mesh {
  name = "reader"
}
domain "r" {
  owner = "r@example.com"
}
source "copy" {
  type = "parquet"
  path = "s3://lake/copy/"
}
product "n" {
  domain = domain.r
  input "c" {
    from = source.copy
  }
  transform "t" {
    from = input.c
    aggregate {
      columns = {
        rows = count()
      }
    }
  }
  output {
    path = "out/n/"
  }
}
`)
	r := meshctlEnv(t, dir, srv.Env, "preview", "n", "--json")
	if r.code != 0 {
		t.Fatalf("count the copy: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rows []struct {
		Rows int64 `json:"rows"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("preview --json: %v\n%s", err, r.stdout)
	}
	return rows[0].Rows
}

// meshctlEnvExit runs meshctl with env and fails unless it exits with want.
func meshctlEnvExit(t *testing.T, dir string, env []string, want int, args ...string) result {
	t.Helper()
	r := meshctlEnv(t, dir, env, args...)
	if r.code != want {
		t.Fatalf("meshctl %s: exit %d, want %d\n%s%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// lockIDIn finds the lock ID a lock message tells force-unlock to take.
func lockIDIn(stderr string) string {
	const marker = "meshctl force-unlock "
	i := strings.LastIndex(stderr, marker)
	if i < 0 {
		return ""
	}
	f := strings.Fields(stderr[i+len(marker):])
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
