package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// row is one line of the report: a query of ANCHORS.md at one size and
// thread count, with the measurement that answers it (q1 and q1w share
// one).
type row struct {
	query query
	m     *measurement
}

// header describes the run above the table, so that a pasted table says
// what it measured.
type header struct {
	meshctl string // version (git describe)
	goVer   string
	goos    string
	cpus    int
	runs    int
	when    time.Time
}

// writeReport prints the Markdown report: the table, then the failures.
func writeReport(w io.Writer, h header, rows []row) {
	fmt.Fprintf(w, "## meshctl vs DuckDB (ANCHORS.md)\n\n")
	fmt.Fprintf(w, "meshctl %s, %s, %s, %d CPUs, %s. Median of %d fresh-process runs after one untimed warm-up run.\n",
		h.meshctl, h.goVer, h.goos, h.cpus, h.when.UTC().Format("2006-01-02 15:04 MST"), h.runs)
	fmt.Fprintf(w, "\"median ms\" is the whole `meshctl run` process (start, compile, run, write); "+
		"\"engine ms\" is the time meshctl reports for the run itself. "+
		"\"vs DuckDB\" is median ms ÷ DuckDB ms: below 1 is faster than DuckDB. "+
		"q1 and q1w are one product (it writes Parquet) and share a measurement.\n\n")
	fmt.Fprintln(w, "| query | N | threads | median ms | engine ms | rows/s | peak RSS MB | DuckDB ms | DuckDB RSS MB | vs DuckDB |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	var failures []*failure
	for _, r := range rows {
		m := r.m
		duck, duckRSS, ok := duckDB(r.query.id, m.n, m.threads)
		cells := []string{r.query.id, size(m.n), strconv.Itoa(m.threads)}
		if m.err != nil || len(m.samples) == 0 {
			cells = append(cells, "FAILED", "–", "–", "–")
			failures = addFailure(failures, m)
		} else {
			wall := m.medianWall()
			engine := "–"
			if e := m.medianEngine(); e > 0 {
				engine = ms(e)
			}
			rps := float64(m.n*r.query.inputsPerCustomer) / wall.Seconds()
			cells = append(cells, ms(wall), engine, count(rps), mb(float64(m.peakRSSKiB())/1024))
		}
		if ok {
			cells = append(cells, num(duck), mb(duckRSS))
		} else {
			cells = append(cells, "–", "–")
		}
		if ok && m.err == nil && len(m.samples) > 0 {
			cells = append(cells, fmt.Sprintf("%.2fx", float64(m.medianWall())/float64(time.Millisecond)/duck))
		} else {
			cells = append(cells, "–")
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	if len(failures) > 0 {
		fmt.Fprintf(w, "\nFailures:\n\n")
		for _, f := range failures {
			ts := make([]string, len(f.threads))
			for i, t := range f.threads {
				ts[i] = strconv.Itoa(t)
			}
			fmt.Fprintf(w, "- %s (N=%s, threads %s): %v\n", f.product, size(f.n), strings.Join(ts, ", "), f.err)
		}
	}
}

// failure is one error and the thread counts it cost: a failed warm-up run
// fails every thread count of its product with the same error, and q1 and
// q1w share their measurements; each error is listed once.
type failure struct {
	product string
	n       int64
	threads []int
	err     error
}

// addFailure records the failed measurement m.
func addFailure(fs []*failure, m *measurement) []*failure {
	for _, f := range fs {
		if f.err == m.err {
			if !slices.Contains(f.threads, m.threads) {
				f.threads = append(f.threads, m.threads)
			}
			return fs
		}
	}
	return append(fs, &failure{product: m.product, n: m.n, threads: []int{m.threads}, err: m.err})
}

// size prints a number of customers the way ANCHORS.md does: 1M, 10M.
func size(n int64) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.FormatInt(n/1_000_000, 10) + "M"
	case n >= 1_000 && n%1_000 == 0:
		return strconv.FormatInt(n/1_000, 10) + "k"
	}
	return strconv.FormatInt(n, 10)
}

// ms prints a duration in milliseconds, with one decimal below 1,000.
func ms(d time.Duration) string {
	return num(float64(d) / float64(time.Millisecond))
}

// num prints a figure as ANCHORS.md does: one decimal below 1,000, whole
// numbers with thousands separators above.
func num(v float64) string {
	if v < 1000 {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// count prints a rate such as 81.3M.
func count(v float64) string {
	switch {
	case v >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 2, 64) + "G"
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 1, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// mb prints a size in MB (MiB, as ANCHORS.md's RSS figures), – when unknown.
func mb(v float64) string {
	if v <= 0 {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}
