package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/eval"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
)

// ---- scan ------------------------------------------------------------------

type scanOp struct {
	base
	src   *ir.Source
	cols  []int
	preds []dataio.Predicate
	scan  dataio.Scan
	// inline, for a product input computed on the fly, is the upstream
	// product's output operator.
	inline op
}

func (x *runner) buildScan(b base, n *ir.Scan) (op, error) {
	o := &scanOp{base: b, src: n.Source}
	for i, need := range b.need {
		if need {
			o.cols = append(o.cols, i)
		}
	}
	if n.Source.Kind == ir.SourceProduct && x.opts.Scanners[ir.SourceProduct] == nil {
		up := x.opts.Products[n.Source.Name]
		if up == nil {
			return nil, fmt.Errorf("product input product.%s: it is not compiled, and no reader of published products is configured", n.Source.Name)
		}
		if x.building[up.Name] {
			return nil, fmt.Errorf("product.%s reads itself", up.Name)
		}
		x.building[up.Name] = true
		x.analyseFrom([]ir.Node{up.Output.Root}, [][]bool{b.need})
		in, err := x.build(up.Output.Root)
		delete(x.building, up.Name)
		if err != nil {
			return nil, err
		}
		o.inline = in
	}
	return o, nil
}

func (o *scanOp) children() []op {
	if o.inline != nil {
		return []op{o.inline}
	}
	return nil
}

func (o *scanOp) open(ctx context.Context) error {
	return o.once(func() error {
		if o.inline != nil {
			return o.inline.open(ctx)
		}
		sc, err := o.x.scanner(o.src.Kind)
		if err != nil {
			return err
		}
		req := dataio.ScanRequest{Source: o.src, Schema: o.out, Columns: o.cols, Predicates: o.preds, BatchSize: o.x.opts.BatchSize}
		if o.src.CSV.OnError == "skip" || o.src.CSV.OnError == "quarantine" {
			req.Rejects = countOnly{}
			if o.src.CSV.OnError == "quarantine" && o.x.opts.Rejects != nil {
				if r := o.x.opts.Rejects(o.src); r != nil {
					req.Rejects = r
				}
			}
		}
		t := now()
		o.scan, err = sc.Open(ctx, req)
		o.st.build.Add(since(t))
		if err != nil {
			return fmt.Errorf("read %s: %w", sourceName(o.src), err)
		}
		return nil
	})
}

// countOnly drops rejected rows (on_error = "skip"); the scan counts them.
type countOnly struct{}

func (countOnly) Reject(string, int64, []byte, string) error { return nil }

func sourceName(s *ir.Source) string {
	if s.Kind == ir.SourceProduct {
		return "product." + s.Name
	}
	return "source." + s.Name
}

func (o *scanOp) morsels() int {
	if o.inline != nil {
		return o.inline.morsels()
	}
	return o.scan.Morsels()
}

func (o *scanOp) run(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	t := now()
	defer func() { o.st.inclusive.Add(since(t)) }()
	emit = o.st.countedEmit(emit)
	if o.inline != nil {
		return o.inline.run(ctx, m, emit)
	}
	width := len(o.out)
	var wide vector.Batch
	var downstream error // an error of the operators above, passed through as is
	err := o.scan.Read(ctx, m, func(b *vector.Batch) error {
		// Put the requested columns back at their schema positions.
		if cap(wide.Cols) < width {
			wide.Cols = make([]*vector.Vector, width)
		}
		wide.Cols = wide.Cols[:width]
		clear(wide.Cols)
		for i, c := range o.cols {
			wide.Cols[c] = b.Cols[i]
		}
		wide.Len = b.Len
		downstream = emit(&wide)
		return downstream
	})
	if err != nil && err != downstream && !errors.Is(err, errStop) && ctx.Err() == nil {
		return fmt.Errorf("read %s: %w", sourceName(o.src), err)
	}
	return err
}

func (o *scanOp) extra() string {
	if o.scan == nil {
		return ""
	}
	st := o.scan.Stats()
	s := fmt.Sprintf("%d files, %s read", st.Files, BytesText(st.Bytes))
	if st.SkippedMorsels > 0 {
		s += fmt.Sprintf(", %d of %d morsels skipped by statistics", st.SkippedMorsels, o.scan.Morsels())
	}
	if st.Rejected > 0 {
		s += fmt.Sprintf(", %d rows rejected", st.Rejected)
	}
	return s
}

// ---- filter ----------------------------------------------------------------

type filterOp struct {
	base
	input op
	prog  *eval.Program
	pool  sync.Pool // *filterState
}

type filterState struct {
	ev  *eval.Evaluator
	sel []int32
	out *vector.Batch
}

func (x *runner) buildFilter(b base, n *ir.Filter) (op, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	prog, err := eval.Compile(n.Pred, n.Input.Schema(), x.opts.Env)
	if err != nil {
		return nil, err
	}
	o := &filterOp{base: b, input: in, prog: prog}
	if sc, ok := in.(*scanOp); ok && sc.inline == nil {
		sc.preds = append(sc.preds, pushable(n.Pred)...)
	}
	return o, nil
}

// pushable extracts the conjuncts of pred a scan can use to skip data:
// column op constant, constant op column, and column != null.
func pushable(pred ir.Expr) []dataio.Predicate {
	var out []dataio.Predicate
	var visit func(e ir.Expr)
	visit = func(e ir.Expr) {
		switch e := e.(type) {
		case *ir.Binary:
			if e.Op == ir.And {
				visit(e.L)
				visit(e.R)
				return
			}
			if !e.Op.IsComparison() {
				return
			}
			if c, ok := e.L.(*ir.ColumnRef); ok {
				if l, ok := e.R.(*ir.Literal); ok && !l.Value.Null {
					out = append(out, dataio.Predicate{Column: c.Index, Op: e.Op, Value: l.Value})
				}
			} else if c, ok := e.R.(*ir.ColumnRef); ok {
				if l, ok := e.L.(*ir.Literal); ok && !l.Value.Null {
					out = append(out, dataio.Predicate{Column: c.Index, Op: e.Op.Mirror(), Value: l.Value})
				}
			}
		case *ir.IsNull:
			if c, ok := e.X.(*ir.ColumnRef); ok && e.Negated {
				out = append(out, dataio.Predicate{Column: c.Index, NotNull: true})
			}
		}
	}
	visit(pred)
	return out
}

func (o *filterOp) children() []op                 { return []op{o.input} }
func (o *filterOp) open(ctx context.Context) error { return o.input.open(ctx) }
func (o *filterOp) morsels() int                   { return o.input.morsels() }
func (o *filterOp) run(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	t := now()
	defer func() { o.st.inclusive.Add(since(t)) }()
	emit = o.st.countedEmit(emit)
	st, _ := o.pool.Get().(*filterState)
	if st == nil {
		st = &filterState{ev: o.prog.NewEvaluator(), out: &vector.Batch{}}
	}
	defer o.pool.Put(st)
	return o.input.run(ctx, m, func(b *vector.Batch) error {
		var err error
		st.sel, err = st.ev.Select(b, st.sel[:0])
		if err != nil {
			return &ExecError{Op: ir.Label(o.node), Err: err}
		}
		switch len(st.sel) {
		case 0:
			return nil
		case b.Len:
			return emit(b)
		}
		gatherBatch(st.out, b, st.sel)
		return emit(st.out)
	})
}

// gatherBatch makes dst hold src's rows sel, column by column; nil
// (unneeded) columns stay nil.
func gatherBatch(dst, src *vector.Batch, sel []int32) {
	if len(dst.Cols) != len(src.Cols) {
		dst.Cols = make([]*vector.Vector, len(src.Cols))
	}
	for i, c := range src.Cols {
		if c == nil {
			dst.Cols[i] = nil
			continue
		}
		d := dst.Cols[i]
		if d == nil || d.Type != c.Type {
			d = vector.New(c.Type, len(sel))
			dst.Cols[i] = d
		}
		d.Gather(c, sel)
	}
	dst.Len = len(sel)
}

// ---- project ---------------------------------------------------------------

type projectOp struct {
	base
	input op
	progs []*eval.Program // nil where the column is not needed or is a plain reference
	refs  []int           // input column for plain references, -1 otherwise
	pool  sync.Pool       // *projectState
}

type projectState struct {
	evs  []*eval.Evaluator
	vecs []*vector.Vector
	out  vector.Batch
}

func (x *runner) buildProject(b base, n *ir.Project) (op, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	o := &projectOp{base: b, input: in, progs: make([]*eval.Program, len(n.Exprs)), refs: make([]int, len(n.Exprs))}
	for i, e := range n.Exprs {
		o.refs[i] = -1
		if !b.need[i] {
			continue
		}
		if r, ok := e.(*ir.ColumnRef); ok && r.Type() == n.Input.Schema()[r.Index].Type {
			o.refs[i] = r.Index
			continue
		}
		if o.progs[i], err = eval.Compile(e, n.Input.Schema(), x.opts.Env); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *projectOp) children() []op                 { return []op{o.input} }
func (o *projectOp) open(ctx context.Context) error { return o.input.open(ctx) }
func (o *projectOp) morsels() int                   { return o.input.morsels() }
func (o *projectOp) run(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	t := now()
	defer func() { o.st.inclusive.Add(since(t)) }()
	emit = o.st.countedEmit(emit)
	st, _ := o.pool.Get().(*projectState)
	if st == nil {
		st = &projectState{evs: make([]*eval.Evaluator, len(o.progs)), vecs: make([]*vector.Vector, len(o.progs))}
		st.out.Cols = make([]*vector.Vector, len(o.progs))
		for i, p := range o.progs {
			if p != nil {
				st.evs[i] = p.NewEvaluator()
				st.vecs[i] = vector.New(o.out[i].Type, 0)
			}
		}
	}
	defer o.pool.Put(st)
	return o.input.run(ctx, m, func(b *vector.Batch) error {
		for i := range o.progs {
			switch {
			case o.refs[i] >= 0:
				st.out.Cols[i] = b.Cols[o.refs[i]]
			case st.evs[i] != nil:
				if err := st.evs[i].Eval(b, st.vecs[i]); err != nil {
					return &ExecError{Op: ir.Label(o.node), Err: err}
				}
				st.out.Cols[i] = st.vecs[i]
			default:
				st.out.Cols[i] = nil
			}
		}
		st.out.Len = b.Len
		return emit(&st.out)
	})
}

// ---- limit -----------------------------------------------------------------

// errStop ends a run early once a limit is reached; it is not a failure.
var errStop = errors.New("executor: enough rows")

type limitOp struct {
	base
	input op
}

func (x *runner) buildLimit(b base, n *ir.Limit) (op, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	// sort then limit keeps only the first rows: a top-N, unless the sort
	// also feeds other operators.
	if s, ok := in.(*sortOp); ok && n.Count+n.Offset < 1<<31 && x.parents(n.Input) == 1 {
		s.topN = int(n.Count + n.Offset)
	}
	return &limitOp{base: b, input: in}, nil
}

func (o *limitOp) children() []op                 { return []op{o.input} }
func (o *limitOp) open(ctx context.Context) error { return o.input.open(ctx) }
func (o *limitOp) morsels() int                   { return 1 }

// run reads the input's morsels in order (in parallel, through
// orderedRun) until Offset+Count rows have gone by.
func (o *limitOp) run(ctx context.Context, _ int, emit func(*vector.Batch) error) error {
	t := now()
	defer func() { o.st.inclusive.Add(since(t)) }()
	emit = o.st.countedEmit(emit)
	n := o.node.(*ir.Limit)
	skip, left := n.Offset, n.Count
	if left == 0 {
		return nil
	}
	var out vector.Batch
	err := orderedRun(ctx, o.input, o.x.opts.Workers, nil, func(b *vector.Batch) error {
		from := 0
		if skip > 0 {
			k := min(skip, int64(b.Len))
			skip -= k
			from = int(k)
		}
		to := b.Len
		if int64(to-from) > left {
			to = from + int(left)
		}
		if to > from {
			left -= int64(to - from)
			if from == 0 && to == b.Len {
				if err := emit(b); err != nil {
					return err
				}
			} else {
				sliceBatch(&out, b, from, to)
				if err := emit(&out); err != nil {
					return err
				}
			}
		}
		if left == 0 {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// sliceBatch makes dst hold src's rows [from, to).
func sliceBatch(dst, src *vector.Batch, from, to int) {
	sel := make([]int32, to-from)
	for i := range sel {
		sel[i] = int32(from + i)
	}
	gatherBatch(dst, src, sel)
}

// ---- union -----------------------------------------------------------------

type unionOp struct {
	base
	inputs []op
	// starts[i] is the first morsel of input i.
	starts []int
}

func (x *runner) buildUnion(b base, n *ir.Union) (op, error) {
	o := &unionOp{base: b}
	for _, in := range n.Inputs {
		io, err := x.build(in)
		if err != nil {
			return nil, err
		}
		o.inputs = append(o.inputs, io)
	}
	if n.Distinct {
		// union distinct = distinct over union all.
		all := &unionOp{base: newBase(x, n, all(len(b.out))), inputs: o.inputs}
		return newDistinct(b, all), nil
	}
	return o, nil
}

func (o *unionOp) children() []op { return o.inputs }
func (o *unionOp) open(ctx context.Context) error {
	return o.once(func() error {
		o.starts = make([]int, len(o.inputs)+1)
		for i, in := range o.inputs {
			if err := in.open(ctx); err != nil {
				return err
			}
			o.starts[i+1] = o.starts[i] + in.morsels()
		}
		return nil
	})
}
func (o *unionOp) morsels() int { return o.starts[len(o.inputs)] }
func (o *unionOp) run(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	t := now()
	defer func() { o.st.inclusive.Add(since(t)) }()
	emit = o.st.countedEmit(emit)
	for i := range o.inputs {
		if m < o.starts[i+1] {
			return o.inputs[i].run(ctx, m-o.starts[i], emit)
		}
	}
	return fmt.Errorf("executor: union morsel %d out of range", m)
}
