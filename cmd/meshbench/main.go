// Command meshbench is the end-to-end benchmark of meshctl's executor
// against DuckDB's figures in /work/shared/perf/ANCHORS.md. From the
// repository root:
//
//	go run ./cmd/meshbench                      # 1M customers, 3 runs, 2 threads
//	go run ./cmd/meshbench -customers 1000000,10000000 -runs 5 -threads 1,2
//
// For each size it generates the data with cmd/meshgen (once: later runs
// reuse testdata/bench/datasets/<N>/) and points testdata/bench/data at it.
// It builds meshctl once, then for each query, size and thread count runs
// `meshctl --chdir testdata/bench run <product> --out <dir> --threads T`
// in fresh processes — one untimed run to warm the page cache, then -runs
// timed ones — and prints a Markdown table of the median wall time, rows/s,
// peak RSS and DuckDB's figure beside them. A query that fails is reported
// in the table and the others still run; the exit status is then 1.
//
// meshbench is a benchmark tool, not part of meshctl: it imports no meshctl
// package and runs meshgen and meshctl as binaries (no package may import
// cmd/..., see cmd/meshctl/arch_test.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// config is what the flags ask for.
type config struct {
	customers []int64
	threads   []int
	runs      int
	queries   []query
	seed      uint64
	workspace string // relative to the repository root
	timeout   time.Duration
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "meshbench:", err)
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "meshbench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("meshbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	customers := fs.String("customers", "1000000", "comma-separated numbers of customers N (orders: 5N)")
	threads := fs.String("threads", "2", "comma-separated thread counts passed to meshctl run --threads")
	queryList := fs.String("queries", "q1,q1w,q2,q3,q4,q5", "comma-separated queries of ANCHORS.md to run")
	cfg := config{}
	fs.IntVar(&cfg.runs, "runs", 3, "timed runs per query, size and thread count (the median is reported)")
	fs.Uint64Var(&cfg.seed, "seed", 42, "data generator seed")
	fs.StringVar(&cfg.workspace, "workspace", filepath.Join("testdata", "bench"), "the benchmark workspace")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Minute, "time limit of one meshctl run")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.customers, err = positiveList(*customers, "customers"); err != nil {
		return config{}, err
	}
	ts, err := positiveList(*threads, "threads")
	if err != nil {
		return config{}, err
	}
	for _, t := range ts {
		cfg.threads = append(cfg.threads, int(t))
	}
	if cfg.queries, err = selectQueries(*queryList); err != nil {
		return config{}, err
	}
	if cfg.runs < 1 {
		return config{}, fmt.Errorf("-runs must be at least 1")
	}
	return cfg, nil
}

// positiveList parses "1000000,10000000"; underscores are allowed in the
// numbers (1_000_000).
func positiveList(s, what string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(f, "_", ""), 10, 64)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-%s: %q is not a positive number", what, f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-%s: empty list", what)
	}
	return out, nil
}

// run builds the binaries, generates the data, times every query and
// prints the report to stdout; progress goes to stderr.
func run(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	if _, err := os.Stat(filepath.Join("cmd", "meshctl")); err != nil {
		return errors.New("run meshbench from the repository root (cmd/meshctl not found)")
	}
	ws, err := filepath.Abs(cfg.workspace)
	if err != nil {
		return err
	}
	bin, err := os.MkdirTemp("", "meshbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(bin)

	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "meshbench: "+format+"\n", args...) }
	meshctl, meshgen := filepath.Join(bin, "meshctl"), filepath.Join(bin, "meshgen")
	for _, b := range []struct{ out, pkg string }{{meshctl, "./cmd/meshctl"}, {meshgen, "./cmd/meshgen"}} {
		logf("go build -o %s %s", b.out, b.pkg)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", b.out, b.pkg)
		cmd.Stdout, cmd.Stderr = stderr, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build %s: %w", b.pkg, err)
		}
	}
	cmd := exec.CommandContext(ctx, meshctl, "--chdir", ws, "validate")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("meshctl validate %s: %w%s", cfg.workspace, err, excerpt(string(out), 20))
	}

	r := &runner{meshctl: meshctl, workspace: ws, outRoot: filepath.Join(ws, "out"), timeout: cfg.timeout}
	var rows []row
	for _, n := range cfg.customers {
		if err := prepareData(ctx, meshgen, ws, n, cfg.seed, stderr); err != nil {
			return err
		}
		measured := map[string][]*measurement{} // product → one per thread count
		for _, q := range cfg.queries {
			per, done := measured[q.product]
			if !done {
				per = measureProduct(ctx, r, q.product, n, cfg, logf)
				measured[q.product] = per
			}
			for _, m := range per {
				if keepRow(q, done, m) {
					rows = append(rows, row{query: q, m: m})
				}
			}
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
		}
	}

	writeReport(stdout, header{
		meshctl: version(ctx),
		goVer:   runtime.Version(),
		goos:    runtime.GOOS + "/" + runtime.GOARCH,
		cpus:    runtime.NumCPU(),
		runs:    cfg.runs,
		when:    time.Now(),
	}, rows)
	for _, r := range rows {
		if r.m.err != nil {
			return errors.New("some queries failed (see the table)")
		}
	}
	return nil
}

// keepRow reports whether the report shows query q for measurement m. A
// measurement shared with an earlier query (q1w is q1's) is shown again
// only where ANCHORS.md has a figure to set beside it.
func keepRow(q query, shared bool, m *measurement) bool {
	if !shared {
		return true
	}
	_, _, ok := duckDB(q.id, m.n, m.threads)
	return ok
}

// measureProduct times one product at one size for every thread count:
// one untimed run first, so that its inputs are in the page cache, then
// cfg.runs timed runs per thread count. A failed run ends the product's
// measurement at that thread count; the error is kept for the report.
func measureProduct(ctx context.Context, r *runner, product string, n int64, cfg config, logf func(string, ...any)) []*measurement {
	out := make([]*measurement, len(cfg.threads))
	for i, t := range cfg.threads {
		out[i] = &measurement{product: product, n: n, threads: t}
	}
	logf("%s N=%s: warm-up run", product, size(n))
	if _, err := r.runOnce(ctx, product, cfg.threads[0]); err != nil {
		logf("%s N=%s: FAILED: %v", product, size(n), err)
		for _, m := range out {
			m.err = err
		}
		return out
	}
	for _, m := range out {
		for i := range cfg.runs {
			s, err := r.runOnce(ctx, product, m.threads)
			if err != nil {
				logf("%s N=%s threads=%d: FAILED: %v", product, size(n), m.threads, err)
				m.err, m.samples = err, nil
				break
			}
			logf("%s N=%s threads=%d: run %d/%d: %s ms, peak RSS %s MB", product, size(n), m.threads,
				i+1, cfg.runs, ms(s.wall), mb(float64(s.rssKiB)/1024))
			m.samples = append(m.samples, s)
		}
	}
	return out
}

// prepareData generates the data of n customers into WS/datasets/<n> (a
// no-op when it is already there) and points WS/data at it.
func prepareData(ctx context.Context, meshgen, ws string, n int64, seed uint64, stderr io.Writer) error {
	rel := filepath.Join("datasets", strconv.FormatInt(n, 10))
	cmd := exec.CommandContext(ctx, meshgen, "-customers", strconv.FormatInt(n, 10),
		"-seed", strconv.FormatUint(seed, 10), "-out", filepath.Join(ws, rel))
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("generate %d customers: %w", n, err)
	}
	return pointData(ws, rel)
}

// pointData makes WS/data a symbolic link to target (relative to WS). It
// refuses to replace anything but a link, so it never deletes data it did
// not make.
func pointData(ws, target string) error {
	link := filepath.Join(ws, "data")
	if st, err := os.Lstat(link); err == nil {
		if st.Mode()&os.ModeSymlink == 0 {
			return fmt.Errorf("%s is not a symbolic link: move it away (meshbench points it at datasets/<N>)", link)
		}
		if err := os.Remove(link); err != nil {
			return err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return os.Symlink(target, link)
}

// version names the meshctl being measured.
func version(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, "git", "describe", "--tags", "--always", "--dirty").Output()
	if err != nil {
		return "(unknown version)"
	}
	return strings.TrimSpace(string(out))
}
