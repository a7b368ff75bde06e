package executor

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// quickOp has n morsels that each emit one batch at once, whatever the
// context: like a scan whose morsels finish before they see a
// cancellation.
type quickOp struct{ n int }

func (o quickOp) irNode() ir.Node            { return nil }
func (o quickOp) schema() types.Schema       { return nil }
func (o quickOp) open(context.Context) error { return nil }
func (o quickOp) morsels() int               { return o.n }
func (o quickOp) children() []op             { return nil }
func (o quickOp) stats() *opStats            { return &opStats{} }
func (o quickOp) extra() string              { return "" }
func (o quickOp) run(_ context.Context, _ int, emit func(*vector.Batch) error) error {
	return emit(&vector.Batch{Len: 1})
}

// TestOrderedRunCancelled cancels runs at random moments: every run must
// end, with the cancellation or with all its batches. A cancellation
// that landed between two dispatches used to leave the consumer waiting
// for a token the never-dispatched morsel had not taken (an apply
// interrupted by Ctrl-C hung).
func TestOrderedRunCancelled(t *testing.T) {
	for i := range 3000 {
		ctx, cancel := context.WithCancel(context.Background())
		n := 2 + i%7
		done := make(chan error, 1)
		consumed := 0
		go func() {
			done <- orderedRun(ctx, quickOp{n: n}, 1+i%3, nil, func(*vector.Batch) error {
				consumed++
				if rand.IntN(3) == 0 {
					cancel()
				}
				return nil
			})
		}()
		select {
		case err := <-done:
			if err == nil && consumed != n {
				t.Fatalf("run %d: no error but %d of %d batches", i, consumed, n)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run %d (%d morsels, %d workers) did not end after a cancellation", i, n, 1+i%3)
		}
		cancel()
	}
}
