package executor

import (
	"testing"
)

// TestDifferential runs every query of diffQueries through the executor,
// in many configurations (workers, batch size, morsel size, string
// encoding), and through the reference interpreter, and compares rows (in
// order), checks and failures. Small inputs run defaultMatrix (30
// configurations), the 20,000-row inputs largeMatrix (5); -short runs 9
// and 2.
func TestDifferential(t *testing.T) {
	if len(diffQueries) < 60 {
		t.Fatalf("only %d queries", len(diffQueries))
	}
	seen := map[string]bool{}
	for _, q := range diffQueries {
		if seen[q.name] {
			t.Fatalf("two queries are called %s", q.name)
		}
		seen[q.name] = true
	}
	matrix, large := defaultMatrix(), largeMatrix()
	if testing.Short() {
		matrix, large = pairwiseMatrix(), largeMatrix()[:2]
	}
	for _, q := range diffQueries {
		t.Run(q.name, func(t *testing.T) {
			t.Parallel()
			m := matrix
			if q.large {
				m = large
			}
			runDiffQuery(t, q, m)
		})
	}
}
