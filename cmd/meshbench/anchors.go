package main

// anchor is one row of DuckDB's figures: the median wall time of a query at
// one size with 1 and 2 threads, and the peak RSS of the whole process with
// 2 threads. A zero field is a figure ANCHORS.md does not give.
type anchor struct {
	query    string
	n        int64 // customers
	ms1, ms2 float64
	rss2MB   float64
}

// anchors is the table "DuckDB's figures" of /work/shared/perf/ANCHORS.md
// (DuckDB v1.5.6, 2 cores, 24 GiB, measured 2026-11-25), copied as data.
// Keep it in step with that file.
var anchors = []anchor{
	{"q1", 1_000_000, 10.0, 6.7, 63},
	{"q1", 10_000_000, 73.6, 38.9, 65},
	{"q1w", 10_000_000, 68.9, 41.1, 65},
	{"q2", 1_000_000, 84.5, 58.1, 92},
	{"q2", 10_000_000, 719.8, 387.0, 124},
	{"q3", 1_000_000, 318.9, 168.5, 178},
	{"q3", 10_000_000, 2858, 1682, 1019},
	{"q4", 1_000_000, 478.6, 348.2, 278},
	{"q4", 10_000_000, 3955, 2392, 649},
	{"q5", 1_000_000, 268.1, 207.0, 228},
	{"q5", 10_000_000, 2824, 1625, 730},
}

// duckDB returns DuckDB's median ms and peak RSS MB for a query, size and
// thread count; ok is false when ANCHORS.md has no time for it. rssMB is 0
// when it has no RSS figure (it gives one for 2 threads only).
func duckDB(query string, n int64, threads int) (ms, rssMB float64, ok bool) {
	for _, a := range anchors {
		if a.query != query || a.n != n {
			continue
		}
		switch threads {
		case 1:
			return a.ms1, 0, a.ms1 > 0
		case 2:
			return a.ms2, a.rss2MB, a.ms2 > 0
		}
	}
	return 0, 0, false
}
