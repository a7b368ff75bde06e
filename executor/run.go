package executor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/eval"
	"github.com/meshctl/meshctl/executor/hashagg"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Result is what a run did.
type Result struct {
	// Rows is the number of output rows.
	Rows   int64
	Checks []CheckResult
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	plan    *Plan
}

// CheckResult is the outcome of one check.
type CheckResult struct {
	Name     string
	Severity ir.Severity
	Implicit bool
	// Column is the contract column an implicit check enforces
	// (ir.Check.Column).
	Column string
	// Passed is true when the assertion held (false or null fails).
	Passed bool
	// Observed are the values of the check's aggregates, in the order of
	// its Aggregate, so that a failure can say what was seen (an
	// implicit check's count() and count(column) give the nulls).
	Observed []Observation
}

// Observation is one aggregate a check computed.
type Observation struct {
	// Name is the aggregate as written: "count()", "max(age)".
	Name string
	// Value is the value's text, in the form CSV output uses (decimals
	// with their scale, dates YYYY-MM-DD, timestamps RFC 3339 in UTC);
	// "" when Null.
	Value string
	Null  bool
}

// Stats returns each operator's measured work, output first (explain
// --analyze).
func (r *Result) Stats() []Stat { return r.plan.stats() }

// Plan is a product (or a node) planned for execution. Run it once.
type Plan struct {
	x      *runner
	root   op
	checks []*checkEval
}

// Compile plans the execution of a product: its output and its checks.
func Compile(p *ir.Product, opts Options) (*Plan, error) {
	opts = opts.withDefaults()
	x := &runner{opts: opts}
	ops, err := x.plan(p.Output.Root)
	if err != nil {
		return nil, err
	}
	pl := &Plan{x: x, root: ops[0]}
	for _, c := range p.Checks {
		ce, err := newCheckEval(c, p.Output.Root, opts)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", c.Name, err)
		}
		pl.checks = append(pl.checks, ce)
	}
	return pl, nil
}

// Run computes the product's output, hands it to w in order (nil w: the
// rows are computed and counted only, as for explain --analyze), and
// evaluates the checks on the same pass. w is not closed.
func (pl *Plan) Run(ctx context.Context, w dataio.Writer) (*Result, error) {
	start := time.Now()
	if err := pl.root.open(ctx); err != nil {
		return nil, err
	}
	res := &Result{plan: pl}
	var side func(int, *vector.Batch) error
	if len(pl.checks) > 0 {
		side = func(worker int, b *vector.Batch) error {
			for _, c := range pl.checks {
				if err := c.add(worker, b); err != nil {
					return err
				}
			}
			return nil
		}
	}
	err := orderedRun(ctx, pl.root, pl.x.opts.Workers, side, func(b *vector.Batch) error {
		res.Rows += int64(b.Len)
		if w == nil {
			return nil
		}
		return w.Write(ctx, b)
	})
	if err != nil {
		return nil, err
	}
	for _, c := range pl.checks {
		ok, seen, err := c.finish()
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", c.check.Name, err)
		}
		res.Checks = append(res.Checks, CheckResult{Name: c.check.Name, Severity: c.check.Severity, Implicit: c.check.Implicit,
			Column: c.check.Column, Passed: ok, Observed: seen})
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// Preview computes the first limit rows of node (an output or a transform
// root of p) and returns them as one batch with node's schema.
func Preview(ctx context.Context, node ir.Node, limit int, opts Options) (*vector.Batch, error) {
	opts = opts.withDefaults()
	x := &runner{opts: opts}
	ops, err := x.plan(node)
	if err != nil {
		return nil, err
	}
	root := ops[0]
	if err := root.open(ctx); err != nil {
		return nil, err
	}
	out := vector.NewBatch(node.Schema(), limit)
	err = orderedRun(ctx, root, opts.Workers, nil, func(b *vector.Batch) error {
		k := min(b.Len, limit-out.Len)
		for i, c := range b.Cols {
			out.Cols[i].Append(c, 0, k)
		}
		out.Len += k
		if out.Len >= limit {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return out, nil
}

// checkEval evaluates one check over the output batches: each worker
// aggregates the batches it produced, then the partial results merge.
type checkEval struct {
	check  ir.Check
	agg    *ir.Aggregate
	args   *exprSet
	spec   *hashagg.Spec
	tables []*hashagg.Table
	states []*exprState
	final  *eval.Program
}

func newCheckEval(c ir.Check, output ir.Node, opts Options) (*checkEval, error) {
	proj, ok := c.Root.(*ir.Project)
	if !ok || len(proj.Exprs) != 1 {
		return nil, fmt.Errorf("executor: a check is a projection of one value, not %T", c.Root)
	}
	agg, ok := proj.Input.(*ir.Aggregate)
	if !ok || agg.Input != output || len(agg.Keys) > 0 {
		return nil, fmt.Errorf("executor: a check aggregates the product's output")
	}
	ce := &checkEval{check: c, agg: agg, spec: &hashagg.Spec{}}
	args := make([]ir.Expr, len(agg.Aggs))
	for i, a := range agg.Aggs {
		args[i] = a.Arg
		s := hashagg.AggSpec{Fn: a.Fn, OutType: a.T}
		if a.Arg != nil {
			s.ArgType = a.Arg.Type()
		}
		ce.spec.Aggs = append(ce.spec.Aggs, s)
	}
	var err error
	if ce.args, err = newArgSet(args, output.Schema(), opts.Env); err != nil {
		return nil, err
	}
	if ce.final, err = eval.Compile(proj.Exprs[0], agg.Out, opts.Env); err != nil {
		return nil, err
	}
	ce.tables = make([]*hashagg.Table, opts.Workers)
	ce.states = make([]*exprState, opts.Workers)
	for i := range opts.Workers {
		ce.tables[i] = hashagg.NewTable(ce.spec)
		ce.states[i] = ce.args.state()
	}
	return ce, nil
}

func (c *checkEval) add(worker int, b *vector.Batch) error {
	args, err := c.states[worker].eval(b)
	if err != nil {
		return err
	}
	return c.tables[worker].Add(nil, args, b.Len, 0)
}

// finish merges the workers' aggregates and evaluates the assertion:
// whether it held, and the aggregates it read.
func (c *checkEval) finish() (bool, []Observation, error) {
	out, err := hashagg.Finish(c.tables, len(c.tables), 1)
	if err != nil {
		return false, nil, err
	}
	if len(out) != 1 || out[0].Len != 1 {
		return false, nil, fmt.Errorf("executor: the check's aggregate gave %d batches", len(out))
	}
	v := vector.New(types.BoolType, 1)
	if err := c.final.NewEvaluator().Eval(out[0], v); err != nil {
		return false, nil, err
	}
	if len(out[0].Cols) != len(c.agg.Out) {
		return false, nil, fmt.Errorf("executor: the check's aggregate gave %d columns for %d", len(out[0].Cols), len(c.agg.Out))
	}
	seen := make([]Observation, len(out[0].Cols))
	for i, col := range out[0].Cols {
		seen[i].Name = c.agg.Out[i].Name
		text, null := col.AppendText(nil, 0)
		seen[i].Value, seen[i].Null = string(text), null
	}
	return !v.IsNull(0) && v.Bool[0], seen, nil
}

// stats walks the plan output first.
func (pl *Plan) stats() []Stat {
	var out []Stat
	seen := map[op]bool{}
	var walk func(o op, depth int, prefix, childPrefix string)
	walk = func(o op, depth int, prefix, childPrefix string) {
		st := o.stats()
		self := st.inclusive.Load() + st.build.Load() - st.emit.Load()
		// Streaming operators work inside their child's emit callback: a
		// child's inclusive time minus its emit time is its own, and what
		// it spent in our callbacks is ours (minus our own emits).
		for _, c := range o.children() {
			self -= c.stats().inclusive.Load() - c.stats().emit.Load()
		}
		label := ir.Label(o.irNode())
		if seen[o] {
			out = append(out, Stat{Label: label + " (shown above)", Depth: depth, Prefix: prefix})
			return
		}
		seen[o] = true
		out = append(out, Stat{Label: label, Depth: depth, Prefix: prefix, Rows: st.rows.Load(), Self: time.Duration(max(self, 0)), Extra: o.extra()})
		kids := o.children()
		for i, c := range kids {
			if i == len(kids)-1 {
				walk(c, depth+1, childPrefix+"└─ ", childPrefix+"   ")
			} else {
				walk(c, depth+1, childPrefix+"├─ ", childPrefix+"│  ")
			}
		}
	}
	walk(pl.root, 0, "", "")
	return out
}

// SinkSchema is the schema to write p's output with: the published names,
// types, tags and descriptions, but the nullability the plan computes, so
// that a row breaking the contract's nullable = false reaches the checks
// (contract_not_null_<column> fails) instead of failing the writer.
func SinkSchema(p *ir.Product) types.Schema {
	out := append(types.Schema(nil), p.Output.Schema...)
	root := p.Output.Root.Schema()
	for i := range out {
		if i < len(root) {
			out[i].Nullable = out[i].Nullable || root[i].Nullable
		}
	}
	return out
}
