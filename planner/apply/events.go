package apply

import (
	"io/fs"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshctl/meshctl/planner/plans"
)

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds.
const (
	// ProductStarted: apply began the product's action. No-ops are not
	// started: they have no events.
	ProductStarted EventKind = iota + 1
	// ProductProgress: rows written so far, and the bytes of the staged
	// files; at most about every ProgressInterval per product.
	ProductProgress
	// ProductFinished: the action was carried out (Result).
	ProductFinished
	// ProductFailed: the action failed (Err, Result).
	ProductFailed
	// ProductSkipped: the action was not attempted (Result.Reason); it is
	// the product's only event.
	ProductSkipped
)

var eventWords = [...]string{ProductStarted: "started", ProductProgress: "progress", ProductFinished: "finished", ProductFailed: "failed", ProductSkipped: "skipped"}

// String names the kind: "started", "progress"…
func (k EventKind) String() string {
	if int(k) < len(eventWords) && eventWords[k] != "" {
		return eventWords[k]
	}
	return "?"
}

// ProgressInterval is the least time between two progress events of one
// product.
const ProgressInterval = 100 * time.Millisecond

// Event is a step of an apply, for a progress display or log lines.
type Event struct {
	Kind    EventKind
	Product string
	Action  plans.Action
	// Rows and Bytes are written so far (progress) or in all (finished).
	Rows, Bytes int64
	// Elapsed is the time since the product started.
	Elapsed time.Duration
	// Result is set for finished, failed and skipped.
	Result *ProductResult
	// Err is set for failed.
	Err error
}

// emit hands e to Options.Events, one call at a time.
func (a *applier) emit(e Event) {
	if a.o.Events == nil {
		return
	}
	a.eventMu.Lock()
	defer a.eventMu.Unlock()
	a.o.Events(e)
}

// progress reports the rows a product's writer has taken and the size of
// its staged folder, every ProgressInterval while they change, until
// stopped. stop waits for the reporter to be done, so that no progress
// event follows the product's last event.
func (a *applier) progress(name string, action plans.Action, rows *atomic.Int64, dir string, start time.Time) (stop func()) {
	if a.o.Events == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(ProgressInterval)
		defer t.Stop()
		last := int64(-1)
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			n := rows.Load()
			if n == last {
				continue
			}
			last = n
			a.emit(Event{Kind: ProductProgress, Product: name, Action: action, Rows: n, Bytes: dirBytes(dir), Elapsed: a.o.Now().Sub(start)})
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// dirBytes is the size of the files below dir so far (best effort: files
// come and go while a writer works).
func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
