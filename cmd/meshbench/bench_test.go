package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeEnv makes the test binary act as meshctl when the runner starts it:
// "ok" writes an output file and prints a summary, "fail" exits 1 with a
// message, as `meshctl run` does before it exists.
const fakeEnv = "MESHBENCH_FAKE_MESHCTL"

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode != "" {
		os.Exit(fakeMeshctl(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// fakeMeshctl checks the arguments meshbench passes and mimics meshctl run.
func fakeMeshctl(mode string, args []string) int {
	// --chdir WS run PRODUCT --out DIR --threads T
	if len(args) != 8 || args[0] != "--chdir" || args[2] != "run" || args[4] != "--out" || args[6] != "--threads" {
		fmt.Fprintf(os.Stderr, "fake meshctl: unexpected arguments %q\n", args)
		return 2
	}
	if mode == "fail" {
		fmt.Fprintln(os.Stderr, `Error: unknown command "run" for "meshctl"`)
		return 1
	}
	if err := os.MkdirAll(args[5], 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.WriteFile(filepath.Join(args[5], "part-0.parquet"), []byte("x"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("product.%s: 40 rows in 1.5ms, 1 files (1 B) written to %s\n", args[3], args[5])
	return 0
}

func TestRunOnce(t *testing.T) {
	ws := t.TempDir()
	r := &runner{meshctl: os.Args[0], workspace: ws, outRoot: filepath.Join(ws, "out"), timeout: time.Minute}

	t.Setenv(fakeEnv, "ok")
	s, err := r.runOnce(context.Background(), "q1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if s.wall <= 0 || s.engine != 1500*time.Microsecond {
		t.Errorf("sample %+v: want a wall time and engine 1.5ms", s)
	}
	if peakRSSKiB := s.rssKiB; peakRSSKiB <= 0 && runtime.GOOS != "windows" {
		t.Errorf("peak RSS %d KiB", peakRSSKiB)
	}
	if entries, _ := os.ReadDir(r.outRoot); len(entries) != 0 {
		t.Errorf("output folders left behind: %v", entries)
	}

	t.Setenv(fakeEnv, "fail")
	_, err = r.runOnce(context.Background(), "q1", 2)
	if err == nil || !strings.Contains(err.Error(), `unknown command "run"`) || !strings.Contains(err.Error(), "exit status 1") {
		t.Errorf("error %v: want the exit status and meshctl's message", err)
	}
}

func TestMeasureProduct(t *testing.T) {
	ws := t.TempDir()
	r := &runner{meshctl: os.Args[0], workspace: ws, outRoot: filepath.Join(ws, "out"), timeout: time.Minute}
	cfg := config{threads: []int{1, 2}, runs: 3}
	var log strings.Builder
	logf := func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) }

	t.Setenv(fakeEnv, "ok")
	got := measureProduct(context.Background(), r, "q2", 1000, cfg, logf)
	if len(got) != 2 {
		t.Fatalf("%d measurements, want one per thread count", len(got))
	}
	for i, m := range got {
		if m.err != nil || len(m.samples) != 3 || m.threads != cfg.threads[i] || m.n != 1000 || m.product != "q2" {
			t.Errorf("measurement %d: %+v", i, m)
		}
	}
	// One warm-up plus 3 runs for each of 2 thread counts.
	if lines := strings.Count(log.String(), "\n"); lines != 7 {
		t.Errorf("%d log lines, want 7:\n%s", lines, log.String())
	}

	t.Setenv(fakeEnv, "fail")
	got = measureProduct(context.Background(), r, "q2", 1000, cfg, logf)
	for i, m := range got {
		if m.err == nil || len(m.samples) != 0 {
			t.Errorf("measurement %d after a failed warm-up: %+v", i, m)
		}
	}
}

func TestParseFlags(t *testing.T) {
	ids := func(qs []query) []string {
		var out []string
		for _, q := range qs {
			out = append(out, q.id)
		}
		return out
	}
	tests := []struct {
		args      []string
		customers []int64
		threads   []int
		runs      int
		queries   []string
		err       string
	}{
		{args: nil, customers: []int64{1_000_000}, threads: []int{2}, runs: 3, queries: []string{"q1", "q1w", "q2", "q3", "q4", "q5"}},
		{args: []string{"-customers", "1000000,10_000_000", "-runs", "5", "--threads", "1,2"}, customers: []int64{1_000_000, 10_000_000}, threads: []int{1, 2}, runs: 5, queries: []string{"q1", "q1w", "q2", "q3", "q4", "q5"}},
		{args: []string{"-queries", "q3, q1"}, customers: []int64{1_000_000}, threads: []int{2}, runs: 3, queries: []string{"q1", "q3"}},
		{args: []string{"-customers", "0"}, err: "-customers"},
		{args: []string{"-threads", "two"}, err: "-threads"},
		{args: []string{"-runs", "0"}, err: "-runs"},
		{args: []string{"-queries", "q9"}, err: "unknown query"},
		{args: []string{"-queries", ","}, err: "no query"},
		{args: []string{"extra"}, err: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cfg, err := parseFlags(tt.args, io.Discard)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []any{cfg.customers, cfg.threads, cfg.runs, ids(cfg.queries)}
			want := []any{tt.customers, tt.threads, tt.runs, tt.queries}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDuckDB(t *testing.T) {
	tests := []struct {
		query   string
		n       int64
		threads int
		ms, rss float64
		ok      bool
	}{
		{"q1", 1_000_000, 1, 10.0, 0, true},
		{"q1", 1_000_000, 2, 6.7, 63, true},
		{"q3", 10_000_000, 2, 1682, 1019, true},
		{"q1w", 1_000_000, 2, 0, 0, false}, // ANCHORS.md measures q1w at 10M only
		{"q2", 2_000, 2, 0, 0, false},
		{"q2", 1_000_000, 4, 0, 0, false},
	}
	for _, tt := range tests {
		ms, rss, ok := duckDB(tt.query, tt.n, tt.threads)
		if ms != tt.ms || rss != tt.rss || ok != tt.ok {
			t.Errorf("duckDB(%s, %d, %d) = %v, %v, %v; want %v, %v, %v", tt.query, tt.n, tt.threads, ms, rss, ok, tt.ms, tt.rss, tt.ok)
		}
	}
	// Every anchored query is one meshbench knows.
	for _, a := range anchors {
		if !slices.ContainsFunc(queries, func(q query) bool { return q.id == a.query }) {
			t.Errorf("anchor for unknown query %s", a.query)
		}
	}
}

func TestKeepRow(t *testing.T) {
	q1w := queries[1]
	tests := []struct {
		shared bool
		n      int64
		want   bool
	}{
		{false, 1_000_000, true},
		{true, 1_000_000, false}, // q1's measurement again, and no q1w figure at 1M
		{true, 10_000_000, true},
	}
	for _, tt := range tests {
		if got := keepRow(q1w, tt.shared, &measurement{n: tt.n, threads: 2}); got != tt.want {
			t.Errorf("keepRow(q1w, shared %v, N=%d) = %v, want %v", tt.shared, tt.n, got, tt.want)
		}
	}
}

func TestMedian(t *testing.T) {
	wall := func(s sample) time.Duration { return s.wall }
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{5}, 5},
		{[]time.Duration{9, 1, 5}, 5},
		{[]time.Duration{9, 1, 5, 3}, 4},
	}
	for _, tt := range tests {
		var ss []sample
		for _, d := range tt.in {
			ss = append(ss, sample{wall: d})
		}
		if got := median(ss, wall); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestEngineTime(t *testing.T) {
	tests := []struct {
		out  string
		want time.Duration
	}{
		{"product.q1: 40 rows in 12ms, 1 files (1.2 KiB) written to /tmp/x\n", 12 * time.Millisecond},
		{"product.q3: 40 rows in 1.234s, 1 files (2 KiB) written to /tmp/x\n  check c (error): passed\n", 1234 * time.Millisecond},
		{"product.q5: 1000000 rows in 1m2.5s, 2 files (30 MiB) written to /tmp/x\n", 62500 * time.Millisecond},
		{"product.q1: 40 rows in 850µs, 1 files (1 KiB) written to /tmp/x\n", 850 * time.Microsecond},
		{"something else entirely\n", 0},
	}
	for _, tt := range tests {
		if got := engineTime(tt.out); got != tt.want {
			t.Errorf("engineTime(%q) = %v, want %v", tt.out, got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	panicked := "panic: runtime error: nil pointer dereference\n[signal SIGSEGV]\n\ngoroutine 3 [running]:\nmain.f()\n\tf.go:1\ncreated by main.g\n\tg.go:2"
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"Error: unknown command \"run\" for \"meshctl\"\n", 3, "\n    Error: unknown command \"run\" for \"meshctl\""},
		{"a\nb\nc\nd\n", 2, "\n    c\n    d"},
		{"some log\n" + panicked, 4, "\n    panic: runtime error: nil pointer dereference\n    [signal SIGSEGV]\n    \n    goroutine 3 [running]:"},
	}
	for _, tt := range tests {
		if got := excerpt(tt.in, tt.n); got != tt.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestPointData(t *testing.T) {
	ws := t.TempDir()
	for _, target := range []string{"datasets/1000", "datasets/2000"} {
		if err := pointData(ws, target); err != nil {
			t.Fatal(err)
		}
		got, err := os.Readlink(filepath.Join(ws, "data"))
		if err != nil || got != target {
			t.Errorf("data -> %q (%v), want %q", got, err, target)
		}
	}
	if err := os.Remove(filepath.Join(ws, "data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(ws, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := pointData(ws, "datasets/1000"); err == nil || !strings.Contains(err.Error(), "not a symbolic link") {
		t.Errorf("error %v: a real folder must not be replaced", err)
	}
}

func TestWriteReport(t *testing.T) {
	q := func(id string) query {
		for _, q := range queries {
			if q.id == id {
				return q
			}
		}
		t.Fatalf("no query %s", id)
		return query{}
	}
	samples := func(ms ...float64) []sample {
		var ss []sample
		for _, v := range ms {
			ss = append(ss, sample{wall: time.Duration(v * float64(time.Millisecond)), engine: time.Duration(v * 0.8 * float64(time.Millisecond)), rssKiB: 100 * 1024})
		}
		return ss
	}
	q1 := &measurement{product: "q1", n: 1_000_000, threads: 2, samples: samples(14, 12, 13)}
	q3 := &measurement{product: "q3", n: 10_000_000, threads: 1, samples: samples(5000, 6000)}
	warmup := errors.New("meshctl run q4 --threads 1: exit status 1")
	q4a := &measurement{product: "q4", n: 1_000_000, threads: 1, err: warmup}
	q4b := &measurement{product: "q4", n: 1_000_000, threads: 2, err: warmup}
	q5 := &measurement{product: "q5", n: 1_000_000, threads: 2, err: errors.New("meshctl run q5 --threads 2: timed out after 10m0s")}
	rows := []row{{q("q1"), q1}, {q("q1w"), q1}, {q("q3"), q3}, {q("q4"), q4a}, {q("q4"), q4b}, {q("q5"), q5}}
	var b strings.Builder
	writeReport(&b, header{meshctl: "v0.1.0", goVer: "go1.26.8", goos: "linux/amd64", cpus: 2, runs: 3,
		when: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}, rows)
	got := b.String()
	_, table, _ := strings.Cut(got, "| query")
	want := `| query | N | threads | median ms | engine ms | rows/s | peak RSS MB | DuckDB ms | DuckDB RSS MB | vs DuckDB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| q1 | 1M | 2 | 13.0 | 10.4 | 76.9M | 100 | 6.7 | 63 | 1.94x |
| q1w | 1M | 2 | 13.0 | 10.4 | 76.9M | 100 | – | – | – |
| q3 | 10M | 1 | 5,500 | 4,400 | 10.9M | 100 | 2,858 | – | 1.92x |
| q4 | 1M | 1 | FAILED | – | – | – | 478.6 | – | – |
| q4 | 1M | 2 | FAILED | – | – | – | 348.2 | 278 | – |
| q5 | 1M | 2 | FAILED | – | – | – | 207.0 | 228 | – |

Failures:

- q4 (N=1M, threads 1, 2): meshctl run q4 --threads 1: exit status 1
- q5 (N=1M, threads 2): meshctl run q5 --threads 2: timed out after 10m0s
`
	if diff := cmp.Diff(want, "| query"+table); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	if !strings.Contains(got, "meshctl v0.1.0, go1.26.8, linux/amd64, 2 CPUs, 2026-11-25 10:00 UTC. Median of 3") {
		t.Errorf("header missing:\n%s", got)
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct{ got, want string }{
		{size(1_000_000), "1M"}, {size(10_000_000), "10M"}, {size(2_000), "2k"}, {size(1234), "1234"},
		{num(6.7), "6.7"}, {num(999.94), "999.9"}, {num(1682), "1,682"}, {num(1234567), "1,234,567"},
		{count(81_300_000), "81.3M"}, {count(1.5e9), "1.50G"}, {count(2500), "2.5k"}, {count(12), "12"},
		{mb(0), "–"}, {mb(63.4), "63"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}
