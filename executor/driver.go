package executor

import (
	"context"
	"sync"

	"github.com/meshctl/meshctl/executor/vector"
)

// forEachMorsel runs fn for morsels 0..n-1 on up to workers goroutines,
// unordered. worker is the goroutine's index (0..workers-1), for per-worker
// state. The first error cancels the rest and is returned.
func forEachMorsel(ctx context.Context, n, workers int, fn func(ctx context.Context, worker, m int) error) error {
	if n == 0 {
		return nil
	}
	workers = max(1, min(workers, n))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range next {
				if err := fn(ctx, w, m); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	func() {
		defer close(next)
		for m := range n {
			select {
			case next <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	if err := context.Cause(ctx); err != nil && err != context.Canceled {
		return err
	}
	return ctx.Err()
}

// orderedRun runs the morsels of s on up to workers goroutines and hands
// their batches to consume in morsel order, one call at a time. The worker
// producing the morsel that is next in order calls consume itself, with
// its batch as is; the others copy their batches aside until their turn,
// and the calling goroutine hands those over. side, when not nil, sees
// every batch on the worker that produced it (unordered, concurrently):
// checks aggregate there. At most 2×workers morsels are in flight, which
// bounds memory. A batch is only valid during the consume call: the
// consumer copies what it keeps.
func orderedRun(ctx context.Context, s op, workers int, side func(worker int, b *vector.Batch) error, consume func(b *vector.Batch) error) error {
	n := s.morsels()
	if n == 0 {
		return nil
	}
	workers = max(1, min(workers, n))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	type slot struct {
		batches []*vector.Batch // copies waiting for their turn
		direct  bool            // the morsel's turn has come: its worker consumes
		done    bool
		err     error
		// token is set when the dispatcher took a token for the morsel:
		// only then does the consumer give one back. A morsel never
		// dispatched (the run was cancelled first) took none, and waiting
		// for its token would wait for ever.
		token bool
	}
	var mu sync.Mutex
	turn := sync.NewCond(&mu)
	slots := make([]slot, n)
	finish := func(m int, err error) {
		mu.Lock()
		if !slots[m].done {
			slots[m].done, slots[m].err = true, err
		}
		turn.Broadcast()
		mu.Unlock()
	}

	tokens := make(chan struct{}, 2*workers)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range next {
				err := s.run(ctx, m, func(b *vector.Batch) error {
					if b.Len == 0 {
						return nil
					}
					if side != nil {
						if err := side(w, b); err != nil {
							return err
						}
					}
					mu.Lock()
					if slots[m].direct {
						mu.Unlock()
						return consume(b)
					}
					slots[m].batches = append(slots[m].batches, b.Clone())
					turn.Broadcast()
					mu.Unlock()
					return nil
				})
				finish(m, err)
			}
		}()
	}
	go func() {
		defer close(next)
		for m := range n {
			select {
			case tokens <- struct{}{}:
				mu.Lock()
				slots[m].token = true
				mu.Unlock()
			case <-ctx.Done():
				for ; m < n; m++ { // never dispatched: unblock the consumer
					finish(m, context.Cause(ctx))
				}
				return
			}
			select {
			case next <- m:
			case <-ctx.Done():
				for ; m < n; m++ {
					finish(m, context.Cause(ctx))
				}
				return
			}
		}
	}()

	var err error
	for m := 0; m < n && err == nil; m++ {
		mu.Lock()
		for {
			sl := &slots[m]
			if len(sl.batches) > 0 {
				bs := sl.batches
				sl.batches = nil
				mu.Unlock()
				for _, b := range bs {
					if err == nil {
						err = consume(b)
					}
				}
				mu.Lock()
				if err != nil {
					break
				}
				continue
			}
			if sl.done {
				if err == nil {
					err = sl.err
				}
				break
			}
			sl.direct = true
			turn.Wait()
		}
		took := slots[m].token
		mu.Unlock()
		if took {
			<-tokens
		}
	}
	cancel(err)
	wg.Wait()
	return err
}
