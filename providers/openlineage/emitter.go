package openlineage

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Options configures an Emitter.
type Options struct {
	// Transport delivers the events.
	Transport Transport
	// Namespace is the jobs' namespace (the mesh's name, say).
	Namespace string
	// Producer identifies the emitter (DefaultProducer when "").
	Producer string
	// Version is meshctl's version, for the processing_engine facet.
	Version string
	// Root is the workspace root: relative file locations are made
	// absolute below it.
	Root string
	// Getenv reads the environment variables holding PostgreSQL DSNs, for
	// the host, port and database of datasets; nil reads none.
	Getenv func(string) (string, bool)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Emitter queues the events of an apply's products and sends them in
// order from its own goroutine. Its methods may be called from several
// goroutines; Close must be called once, last.
type Emitter struct {
	b         builder
	transport Transport
	now       func() time.Time

	mu     sync.Mutex
	runs   map[string]string // product → run id of its START
	queue  []*RunEvent
	wake   chan struct{}
	closed bool
	errs   []error
	done   chan struct{}
	cancel context.CancelFunc
}

// New returns an Emitter sending through opts.Transport.
func New(opts Options) *Emitter {
	producer := opts.Producer
	if producer == "" {
		producer = DefaultProducer
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Emitter{
		b:         builder{namer: namer{root: opts.Root, getenv: opts.Getenv}, namespace: opts.Namespace, producer: producer, version: opts.Version},
		transport: opts.Transport,
		now:       now,
		runs:      map[string]string{},
		wake:      make(chan struct{}, 1),
		done:      make(chan struct{}),
		cancel:    cancel,
	}
	go e.loop(ctx)
	return e
}

// Start queues the START event of job's run.
func (e *Emitter) Start(job Job) {
	at := e.now()
	e.mu.Lock()
	id := newRunID(at)
	e.runs[job.Product.Name] = id
	e.mu.Unlock()
	e.enqueue(e.b.event(Start, job, id, at, nil, nil))
}

// Complete queues the COMPLETE event of job's run, with what it
// published.
func (e *Emitter) Complete(job Job, out Outcome) {
	at := e.now()
	e.enqueue(e.b.event(Complete, job, e.runID(job, at), at, &out, nil))
}

// Fail queues the FAIL event of job's run, with its error.
func (e *Emitter) Fail(job Job, runErr error) {
	at := e.now()
	e.enqueue(e.b.event(Fail, job, e.runID(job, at), at, nil, runErr))
}

// runID is the id Start gave the product's run (a new one when it was
// not started through this Emitter).
func (e *Emitter) runID(job Job, at time.Time) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.runs[job.Product.Name]
	if !ok {
		id = newRunID(at)
	}
	delete(e.runs, job.Product.Name)
	return id
}

func (e *Emitter) enqueue(ev *RunEvent) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.queue = append(e.queue, ev)
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// loop sends queued events until Close has been called and the queue is
// empty.
func (e *Emitter) loop(ctx context.Context) {
	defer close(e.done)
	for {
		e.mu.Lock()
		if len(e.queue) == 0 {
			closed := e.closed
			e.mu.Unlock()
			if closed {
				return
			}
			<-e.wake
			continue
		}
		ev := e.queue[0]
		e.queue = e.queue[1:]
		e.mu.Unlock()
		if err := e.transport.Send(ctx, ev); err != nil {
			e.mu.Lock()
			e.errs = append(e.errs, fmt.Errorf("%s event of %s: %w", ev.EventType, ev.Job.Name, err))
			e.mu.Unlock()
		}
	}
}

// Close stops taking events and waits until those queued are sent, or
// until ctx is done: then the one being sent is abandoned and the rest
// are dropped. It returns every failure to send, in order, and one for
// the events dropped.
func (e *Emitter) Close(ctx context.Context) []error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
	select {
	case <-e.done:
	case <-ctx.Done():
		e.cancel()
		e.mu.Lock()
		dropped := len(e.queue)
		e.queue = nil
		e.mu.Unlock()
		<-e.done
		if dropped > 0 {
			e.mu.Lock()
			e.errs = append(e.errs, fmt.Errorf("%d events not sent: %w", dropped, ctx.Err()))
			e.mu.Unlock()
		}
	}
	e.cancel()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.errs
}
