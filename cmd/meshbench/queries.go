package main

import (
	"fmt"
	"strings"
)

// query is one query of ANCHORS.md and the product of testdata/bench that
// computes it.
type query struct {
	id      string // q1 … q5, as in ANCHORS.md
	product string // the product meshctl runs
	// inputsPerCustomer is the number of input rows per customer: the rows
	// the query reads, for rows/s (q3 reads N customers and 5N orders).
	inputsPerCustomer int64
}

// queries lists ANCHORS.md's queries in its order. q1w is q1 written to
// Parquet; a meshctl product always writes its output, so product q1 is
// both, and one measurement serves the two rows.
var queries = []query{
	{"q1", "q1", 1},
	{"q1w", "q1", 1},
	{"q2", "q2", 1},
	{"q3", "q3", 6},
	{"q4", "q4", 1},
	{"q5", "q5", 1},
}

// selectQueries returns the queries named in a comma-separated list, in
// ANCHORS.md's order.
func selectQueries(list string) ([]query, error) {
	want := map[string]bool{}
	for _, id := range strings.Split(list, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		found := false
		for _, q := range queries {
			found = found || q.id == id
		}
		if !found {
			return nil, fmt.Errorf("unknown query %q (known: q1, q1w, q2, q3, q4, q5)", id)
		}
		want[id] = true
	}
	var out []query
	for _, q := range queries {
		if want[q.id] {
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no query selected")
	}
	return out, nil
}
