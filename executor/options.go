package executor

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/eval"
	"github.com/meshctl/meshctl/lang/ir"
)

// Options configures a run.
type Options struct {
	// Workers is the number of goroutines (default: GOMAXPROCS).
	Workers int
	// BatchSize is the most rows per batch (default dataio.DefaultBatchSize).
	BatchSize int
	// Scanners read sources, by kind. A product input (ir.SourceProduct)
	// is read by Scanners[ir.SourceProduct] when set (the planner reads the
	// published version), else computed by running the upstream product
	// from Products.
	Scanners map[ir.SourceKind]dataio.Scanner
	// Products are the compiled products of the workspace, for product
	// inputs computed on the fly (preview, run).
	Products map[string]*ir.Product
	// Env is what expressions read besides their input: now(), the mask key.
	Env eval.Env
	// Rejects returns where the bad rows of a source with on_error =
	// "quarantine" go; nil (or a nil result) means they are only counted.
	Rejects func(src *ir.Source) dataio.RejectSink
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = dataio.DefaultBatchSize
	}
	if o.Env.Now.IsZero() {
		o.Env.Now = time.Now().UTC()
	}
	return o
}

// opStats counts an operator's work for explain --analyze. Times are CPU
// time summed over workers.
type opStats struct {
	rows    atomic.Int64
	batches atomic.Int64
	// inclusive is the time spent in the operator's run calls, emit is the
	// part of it spent downstream (in emit): their difference, minus the
	// children's, is the operator's own time.
	inclusive atomic.Int64
	emit      atomic.Int64
	// build is the time a pipeline breaker spent consuming its input and
	// preparing its result (including the work of its input pipelines).
	build atomic.Int64
}

// Stat is one operator's measured work, in plan order (output first).
type Stat struct {
	// Label is the operator as explain prints it (ir.Label).
	Label string
	Depth int
	// Prefix draws the tree before Label ("│  └─ ").
	Prefix string
	Rows   int64
	// Self is the CPU time spent in the operator itself.
	Self time.Duration
	// Extra describes operator-specific counters ("2 of 77 row groups
	// skipped", "build 1,000,000 rows").
	Extra string
}

// ExecError is an error of the data, located in the plan: which operator
// and, through Err, which value and row.
type ExecError struct {
	Op  string
	Err error
}

func (e *ExecError) Error() string { return fmt.Sprintf("%s: %v", e.Op, e.Err) }
func (e *ExecError) Unwrap() error { return e.Err }
