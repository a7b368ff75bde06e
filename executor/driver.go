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
// their batches to consume in morsel order, from the calling goroutine.
// side, when not nil, sees every batch on the worker that produced it
// (unordered, concurrently), before it is queued: checks aggregate there.
// At most window morsels are in flight, which bounds memory.
func orderedRun(ctx context.Context, s op, workers int, side func(worker int, b *vector.Batch) error, consume func(b *vector.Batch) error) error {
	n := s.morsels()
	if n == 0 {
		return nil
	}
	workers = max(1, min(workers, n))
	window := 2 * workers
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	type result struct {
		batches []*vector.Batch
		err     error
	}
	results := make([]chan result, n)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	tokens := make(chan struct{}, window)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range next {
				var out []*vector.Batch
				err := s.run(ctx, m, func(b *vector.Batch) error {
					if b.Len == 0 {
						return nil
					}
					if side != nil {
						if err := side(w, b); err != nil {
							return err
						}
					}
					out = append(out, b.Clone())
					return nil
				})
				results[m] <- result{batches: out, err: err}
			}
		}()
	}
	go func() {
		defer close(next)
		for m := range n {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case next <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	var err error
	for m := 0; m < n && err == nil; m++ {
		select {
		case r := <-results[m]:
			<-tokens
			if r.err != nil {
				err = r.err
				break
			}
			for _, b := range r.batches {
				if err = consume(b); err != nil {
					break
				}
			}
		case <-ctx.Done():
			err = context.Cause(ctx)
		}
	}
	cancel(err)
	wg.Wait() // result channels are buffered: workers never block on a send
	return err
}
