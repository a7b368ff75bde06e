package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runner runs the meshctl binary on the benchmark workspace, one product per
// fresh process.
type runner struct {
	meshctl   string        // the binary
	workspace string        // absolute path of testdata/bench
	outRoot   string        // absolute folder under which each run writes its output
	timeout   time.Duration // per run
}

// sample is one timed run.
type sample struct {
	wall   time.Duration // the whole process, start to exit
	engine time.Duration // the time meshctl's summary reports; 0 if it reports none
	rssKiB int64         // peak resident set size
}

// runOnce runs `meshctl --chdir WS run PRODUCT --out DIR --threads T` into a
// fresh output folder, removed afterwards. A failure carries the tail of
// what meshctl printed.
func (r *runner) runOnce(ctx context.Context, product string, threads int) (sample, error) {
	if err := os.MkdirAll(r.outRoot, 0o755); err != nil {
		return sample{}, err
	}
	parent, err := os.MkdirTemp(r.outRoot, product+"-")
	if err != nil {
		return sample{}, err
	}
	defer os.RemoveAll(parent)
	// meshctl run wants a missing or empty folder: give it one it creates.
	out := filepath.Join(parent, "out")

	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.meshctl, "--chdir", r.workspace, "run", product,
		"--out", out, "--threads", strconv.Itoa(threads))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("timed out after %s", r.timeout)
		}
		return sample{}, fmt.Errorf("meshctl run %s --threads %d: %w%s", product, threads, err,
			excerpt(stderr.String()+stdout.String(), 12))
	}
	return sample{wall: wall, engine: engineTime(stdout.String()), rssKiB: peakRSSKiB(cmd.ProcessState)}, nil
}

// summaryTime finds the elapsed time in meshctl run's summary line:
// "product.q1: 40 rows in 12ms, 1 files (…) written to …".
var summaryTime = regexp.MustCompile(`\brows in ([0-9.]+(?:ns|us|µs|ms|s|m|h)[0-9.a-zµ]*),`)

// engineTime returns the run time meshctl reports, or 0.
func engineTime(stdout string) time.Duration {
	m := summaryTime.FindStringSubmatch(stdout)
	if m == nil {
		return 0
	}
	d, err := time.ParseDuration(m[1])
	if err != nil {
		return 0
	}
	return d
}

// excerpt returns at most n lines of what a failed process printed,
// indented, for an error message: from the panic line on for a Go panic
// (its message and the top of the stack say what broke; the bottom is
// goroutine plumbing), else the last lines. It is empty when s is.
func excerpt(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	from := max(0, len(lines)-n)
	for i, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			from = i
			break
		}
	}
	lines = lines[from:min(len(lines), from+n)]
	return "\n    " + strings.Join(lines, "\n    ")
}

// measurement is the timed runs of one product at one size and thread
// count, or why there are none.
type measurement struct {
	product string
	n       int64
	threads int
	samples []sample
	err     error
}

// medianWall is the median wall time of the runs.
func (m *measurement) medianWall() time.Duration {
	return median(m.samples, func(s sample) time.Duration { return s.wall })
}

// medianEngine is the median of the times meshctl reported, 0 if it
// reported none.
func (m *measurement) medianEngine() time.Duration {
	for _, s := range m.samples {
		if s.engine == 0 {
			return 0
		}
	}
	return median(m.samples, func(s sample) time.Duration { return s.engine })
}

// peakRSSKiB is the largest peak RSS of the runs.
func (m *measurement) peakRSSKiB() int64 {
	var peak int64
	for _, s := range m.samples {
		peak = max(peak, s.rssKiB)
	}
	return peak
}

// median returns the median of f over samples (the mean of the two middle
// values for an even count), 0 for none.
func median(samples []sample, f func(sample) time.Duration) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	ds := make([]time.Duration, len(samples))
	for i, s := range samples {
		ds[i] = f(s)
	}
	slices.Sort(ds)
	mid := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[mid]
	}
	return (ds[mid-1] + ds[mid]) / 2
}
