package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meshctl/meshctl/providers/s3/s3test"
)

// BenchmarkS3ToS3 runs the real binary on a product that reads 2M rows of
// Parquet from S3, keeps the adults and publishes Parquet to S3 (staged,
// uploaded, manifest last), against the in-process S3 server. It reports
// rows/s and the meshctl process's peak RSS:
//
//	go test ./cmd/meshctl -run '^$' -bench S3ToS3 -benchtime 3x
func BenchmarkS3ToS3(b *testing.B) {
	srv := s3test.Start(b, "lake")
	dir := b.TempDir()
	copyDir(b, filepath.Join(repoRoot(b), "examples", "sales"), dir)
	big := bigCustomersCSV(b)
	if err := os.Remove(filepath.Join(dir, "data", "customers.csv")); err != nil {
		b.Fatal(err)
	}
	if err := os.Link(big, filepath.Join(dir, "data", "customers.csv")); err != nil {
		b.Fatal(err)
	}
	// Setup: the customers as Parquet in S3.
	writeB(b, dir, "products/raw.mesh.hcl", strings.Replace(copyProduct, `path = "lake/customers_copy/"`, `path = "s3://lake/raw/customers/"`, 1))
	runB(b, dir, srv.Env, "apply", "-auto-approve", "-target", "customers_copy")
	// The benchmarked product, in its own workspace.
	work := b.TempDir()
	writeB(b, work, "main.mesh.hcl", `mesh {
  name = "bench"
}
domain "d" {
  owner = "d@example.com"
}
source "customers" {
  type = "parquet"
  path = "s3://lake/raw/customers/"
}
product "adults" {
  domain = domain.d
  input "c" {
    from = source.customers
  }
  transform "t" {
    from = input.c
    filter {
      where = age > 18
    }
  }
  output {
    path = "s3://lake/adults/"
  }
}
`)
	var maxRSS int64
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		// A fresh state each time: every apply computes and publishes.
		_ = os.RemoveAll(filepath.Join(work, ".meshctl"))
		ps := runB(b, work, srv.Env, "apply", "-auto-approve")
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > maxRSS {
			maxRSS = ru.Maxrss
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(bigCustomerRows)*float64(b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(maxRSS)/1024, "peakRSS-MB")
}

func runB(b *testing.B, dir string, env []string, args ...string) *os.ProcessState {
	b.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("meshctl %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return cmd.ProcessState
}

func writeB(b *testing.B, dir, name, content string) {
	b.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
}

func copyDir(b *testing.B, src, dst string) {
	b.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "lake" || rel == ".meshctl" || strings.HasSuffix(rel, ".out") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
}
