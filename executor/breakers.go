package executor

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/meshctl/meshctl/executor/eval"
	"github.com/meshctl/meshctl/executor/hashagg"
	"github.com/meshctl/meshctl/executor/hashjoin"
	"github.com/meshctl/meshctl/executor/sorter"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// exprSet evaluates a list of expressions over batches of one schema. A
// plain column reference of the same type is passed through without a copy.
type exprSet struct {
	progs []*eval.Program
	refs  []int
	types []types.Type
}

func newExprSet(es []ir.Expr, input types.Schema, env eval.Env) (*exprSet, error) {
	s := &exprSet{progs: make([]*eval.Program, len(es)), refs: make([]int, len(es)), types: make([]types.Type, len(es))}
	for i, e := range es {
		s.refs[i] = -1
		if e == nil {
			continue
		}
		s.types[i] = e.Type()
		if r, ok := e.(*ir.ColumnRef); ok && input[r.Index].Type == e.Type() {
			s.refs[i] = r.Index
			continue
		}
		p, err := eval.Compile(e, input, env)
		if err != nil {
			return nil, err
		}
		s.progs[i] = p
	}
	return s, nil
}

// exprState is one goroutine's scratch for an exprSet.
type exprState struct {
	set  *exprSet
	evs  []*eval.Evaluator
	vecs []*vector.Vector
	out  []*vector.Vector
}

func (s *exprSet) state() *exprState {
	st := &exprState{set: s, evs: make([]*eval.Evaluator, len(s.progs)), vecs: make([]*vector.Vector, len(s.progs)), out: make([]*vector.Vector, len(s.progs))}
	for i, p := range s.progs {
		if p != nil {
			st.evs[i] = p.NewEvaluator()
			st.vecs[i] = vector.New(s.types[i], 0)
		}
	}
	return st
}

// eval computes every expression over b; the result is valid until the
// next call.
func (st *exprState) eval(b *vector.Batch) ([]*vector.Vector, error) {
	for i := range st.set.progs {
		switch {
		case st.set.refs[i] >= 0:
			st.out[i] = b.Cols[st.set.refs[i]]
		case st.evs[i] != nil:
			if err := st.evs[i].Eval(b, st.vecs[i]); err != nil {
				return nil, err
			}
			st.out[i] = st.vecs[i]
		default:
			st.out[i] = nil
		}
	}
	return st.out, nil
}

// ---- aggregate ----------------------------------------------------------

type aggOp struct {
	base
	input  op
	keys   *exprSet
	args   *exprSet
	spec   *hashagg.Spec
	result []*vector.Batch
	groups int64
}

func (x *runner) buildAggregate(b base, n *ir.Aggregate) (op, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	return x.newAggregate(b, in, n.Keys, n.Aggs, n.Input.Schema())
}

func (x *runner) newAggregate(b base, in op, keys []ir.Expr, aggs []ir.AggCall, input types.Schema) (*aggOp, error) {
	o := &aggOp{base: b, input: in, spec: &hashagg.Spec{}}
	var err error
	if o.keys, err = newExprSet(keys, input, x.opts.Env); err != nil {
		return nil, err
	}
	args := make([]ir.Expr, len(aggs))
	for i, a := range aggs {
		args[i] = a.Arg
		spec := hashagg.AggSpec{Fn: a.Fn, OutType: a.T}
		if a.Arg != nil {
			spec.ArgType = a.Arg.Type()
		}
		o.spec.Aggs = append(o.spec.Aggs, spec)
	}
	for _, k := range keys {
		o.spec.KeyTypes = append(o.spec.KeyTypes, k.Type())
	}
	if o.args, err = newArgSet(args, input, x.opts.Env); err != nil {
		return nil, err
	}
	return o, nil
}

// newArgSet is newExprSet allowing nil entries (count()).
func newArgSet(es []ir.Expr, input types.Schema, env eval.Env) (*exprSet, error) {
	s := &exprSet{progs: make([]*eval.Program, len(es)), refs: make([]int, len(es)), types: make([]types.Type, len(es))}
	for i, e := range es {
		s.refs[i] = -1
		if e == nil {
			continue
		}
		one, err := newExprSet([]ir.Expr{e}, input, env)
		if err != nil {
			return nil, err
		}
		s.progs[i], s.refs[i], s.types[i] = one.progs[0], one.refs[0], one.types[0]
	}
	return s, nil
}

// newDistinct removes duplicate rows: an aggregate keyed by every column.
func newDistinct(b base, in op) op {
	n := len(in.schema())
	keys := make([]ir.Expr, n)
	for i, c := range in.schema() {
		keys[i] = &ir.ColumnRef{Meta: ir.Meta{T: c.Type, Null: c.Nullable}, Index: i, Name: c.Name}
	}
	o, err := b.x.newAggregate(b, in, keys, nil, in.schema())
	if err != nil {
		panic(err) // plain column references always compile
	}
	return o
}

func (x *runner) buildDistinct(b base, n *ir.Distinct) (op, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	return newDistinct(b, in), nil
}

func (o *aggOp) children() []op { return []op{o.input} }

func (o *aggOp) open(ctx context.Context) error {
	return o.once(func() error {
		if err := o.input.open(ctx); err != nil {
			return err
		}
		w := o.x.opts.Workers
		tables := make([]*hashagg.Table, w)
		keySt := make([]*exprState, w)
		argSt := make([]*exprState, w)
		for i := range w {
			tables[i] = hashagg.NewTable(o.spec)
			keySt[i], argSt[i] = o.keys.state(), o.args.state()
		}
		err := forEachMorsel(ctx, o.input.morsels(), w, func(ctx context.Context, wk, m int) error {
			t := now()
			defer func() { o.st.build.Add(since(t)) }()
			row := uint64(0)
			return o.input.run(ctx, m, func(b *vector.Batch) error {
				keys, err := keySt[wk].eval(b)
				if err != nil {
					return &ExecError{Op: ir.Label(o.node), Err: err}
				}
				args, err := argSt[wk].eval(b)
				if err != nil {
					return &ExecError{Op: ir.Label(o.node), Err: err}
				}
				if err := tables[wk].Add(keys, args, b.Len, uint64(m)<<32|row); err != nil {
					return &ExecError{Op: ir.Label(o.node), Err: err}
				}
				row += uint64(b.Len)
				return nil
			})
		})
		if err != nil {
			return err
		}
		t := now()
		o.result, err = hashagg.Finish(tables, w, o.x.opts.BatchSize)
		o.st.build.Add(since(t))
		if err != nil {
			return &ExecError{Op: ir.Label(o.node), Err: err}
		}
		for _, b := range o.result {
			o.groups += int64(b.Len)
		}
		return nil
	})
}

func (o *aggOp) morsels() int { return len(o.result) }
func (o *aggOp) run(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	t := now()
	defer func() { o.st.inclusive.Add(since(t)) }()
	return o.st.countedEmit(emit)(o.result[m])
}
func (o *aggOp) extra() string { return fmt.Sprintf("%d groups", o.groups) }

// ---- join ---------------------------------------------------------------

type joinOp struct {
	base
	left, right  op
	kind         ir.JoinKind
	lkeys, rkeys *exprSet
	// lcols and rcols are the columns of each side the join outputs.
	lcols, rcols []int
	nl           int
	table        *hashjoin.Table
	probers      sync.Pool
	probed       atomic.Int64
	allProbed    chan struct{}
	buildRows    int
}

func (x *runner) buildJoin(b base, n *ir.Join) (op, error) {
	l, err := x.build(n.Left)
	if err != nil {
		return nil, err
	}
	r, err := x.build(n.Right)
	if err != nil {
		return nil, err
	}
	o := &joinOp{base: b, left: l, right: r, kind: n.Kind, nl: len(n.Left.Schema()), allProbed: make(chan struct{})}
	if o.lkeys, err = newExprSet(n.LeftKeys, n.Left.Schema(), x.opts.Env); err != nil {
		return nil, err
	}
	if o.rkeys, err = newExprSet(n.RightKeys, n.Right.Schema(), x.opts.Env); err != nil {
		return nil, err
	}
	for i := 0; i < o.nl; i++ {
		if b.need[i] {
			o.lcols = append(o.lcols, i)
		}
	}
	if n.Kind != ir.SemiJoin && n.Kind != ir.AntiJoin {
		for i := range n.Right.Schema() {
			if b.need[o.nl+i] {
				o.rcols = append(o.rcols, i)
			}
		}
	}
	return o, nil
}

func pick(s types.Schema, idx []int) types.Schema {
	out := make(types.Schema, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}

func (o *joinOp) children() []op { return []op{o.left, o.right} }

func (o *joinOp) open(ctx context.Context) error {
	return o.once(func() error {
		if err := o.right.open(ctx); err != nil {
			return err
		}
		t := now()
		bld := hashjoin.NewBuilder(o.rkeys.types, pick(o.right.schema(), o.rcols))
		keySt := o.rkeys.state()
		var payload vector.Batch
		err := orderedRun(ctx, o.right, o.x.opts.Workers, nil, func(b *vector.Batch) error {
			keys, err := keySt.eval(b)
			if err != nil {
				return &ExecError{Op: ir.Label(o.node), Err: err}
			}
			project(&payload, b, o.rcols)
			return bld.Add(keys, &payload)
		})
		if err != nil {
			return err
		}
		o.table, err = bld.Finish(o.x.opts.Workers)
		o.st.build.Add(since(t))
		if err != nil {
			return &ExecError{Op: ir.Label(o.node), Err: err}
		}
		o.buildRows = o.table.Rows()
		if err := o.left.open(ctx); err != nil {
			return err
		}
		if o.left.morsels() == 0 {
			close(o.allProbed)
		}
		return nil
	})
}

// project makes dst hold src's columns idx, in that order.
func project(dst, src *vector.Batch, idx []int) {
	dst.Cols = dst.Cols[:0]
	for _, i := range idx {
		dst.Cols = append(dst.Cols, src.Cols[i])
	}
	dst.Len = src.Len
}

func (o *joinOp) outer() bool { return o.kind == ir.RightJoin || o.kind == ir.FullJoin }

func (o *joinOp) morsels() int {
	if o.outer() {
		return o.left.morsels() + 1
	}
	return o.left.morsels()
}

type probeState struct {
	p       *hashjoin.Prober
	keys    *exprState
	payload vector.Batch
	out     vector.Batch
}

func (o *joinOp) run(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	t := now()
	defer func() { o.st.inclusive.Add(since(t)) }()
	emit = o.st.countedEmit(emit)
	st, _ := o.probers.Get().(*probeState)
	if st == nil {
		st = &probeState{p: o.table.NewProber(), keys: o.lkeys.state()}
		st.out.Cols = make([]*vector.Vector, len(o.out))
	}
	defer o.probers.Put(st)
	expand := func(b *vector.Batch) error {
		clear(st.out.Cols)
		for i, c := range o.lcols {
			st.out.Cols[c] = b.Cols[i]
		}
		if o.kind != ir.SemiJoin && o.kind != ir.AntiJoin {
			for j, c := range o.rcols {
				st.out.Cols[o.nl+c] = b.Cols[len(o.lcols)+j]
			}
		}
		st.out.Len = b.Len
		return emit(&st.out)
	}
	if m == o.left.morsels() { // the rows of the right side nothing matched
		select {
		case <-o.allProbed:
		case <-ctx.Done():
			return ctx.Err()
		}
		return o.table.Unmatched(pick(o.left.schema(), o.lcols), o.x.opts.BatchSize, expand)
	}
	defer func() {
		if o.probed.Add(1) == int64(o.left.morsels()) {
			close(o.allProbed)
		}
	}()
	return o.left.run(ctx, m, func(b *vector.Batch) error {
		keys, err := st.keys.eval(b)
		if err != nil {
			return &ExecError{Op: ir.Label(o.node), Err: err}
		}
		project(&st.payload, b, o.lcols)
		return st.p.Probe(o.kind, keys, &st.payload, o.x.opts.BatchSize, expand)
	})
}

func (o *joinOp) extra() string { return fmt.Sprintf("build %d rows", o.buildRows) }

// ---- sort ---------------------------------------------------------------

type sortOp struct {
	base
	input op
	keys  *exprSet
	spec  []sorter.Key
	// topN, when positive, keeps only the first topN rows (a limit above).
	topN int
	data *vector.Batch
	perm []int32
	rows int
}

func (x *runner) buildSort(b base, n *ir.Sort) (op, error) {
	in, err := x.build(n.Input)
	if err != nil {
		return nil, err
	}
	o := &sortOp{base: b, input: in}
	es := make([]ir.Expr, len(n.Keys))
	for i, k := range n.Keys {
		es[i] = k.Expr
		o.spec = append(o.spec, sorter.Key{Desc: k.Desc, NullsFirst: k.NullsFirst})
	}
	if o.keys, err = newExprSet(es, n.Input.Schema(), x.opts.Env); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *sortOp) children() []op { return []op{o.input} }

func (o *sortOp) open(ctx context.Context) error {
	return o.once(func() error {
		if err := o.input.open(ctx); err != nil {
			return err
		}
		t := now()
		defer func() { o.st.build.Add(since(t)) }()
		var batches []*vector.Batch
		err := orderedRun(ctx, o.input, o.x.opts.Workers, nil, func(b *vector.Batch) error {
			batches = append(batches, b.Clone()) // b is only valid during the call
			return nil
		})
		if err != nil {
			return err
		}
		if len(batches) == 0 {
			return nil // nothing to sort
		}
		data, err := concat(batches, o.out)
		if err != nil {
			return err
		}
		o.data = data
		keys, err := o.keys.state().eval(data)
		if err != nil {
			return &ExecError{Op: ir.Label(o.node), Err: err}
		}
		if o.topN > 0 && o.topN < data.Len {
			o.perm, err = sorter.TopN(keys, o.spec, data.Len, o.topN, o.x.opts.Workers)
		} else {
			o.perm, err = sorter.Sort(keys, o.spec, data.Len, o.x.opts.Workers)
		}
		o.rows = len(o.perm)
		return err
	})
}

func (o *sortOp) morsels() int {
	bs := o.x.opts.BatchSize
	return (len(o.perm) + bs - 1) / bs
}

func (o *sortOp) run(ctx context.Context, m int, emit func(*vector.Batch) error) error {
	t := now()
	defer func() { o.st.inclusive.Add(since(t)) }()
	bs := o.x.opts.BatchSize
	from, to := m*bs, min((m+1)*bs, len(o.perm))
	var out vector.Batch
	gatherBatch(&out, o.data, o.perm[from:to])
	return o.st.countedEmit(emit)(&out)
}

func (o *sortOp) extra() string { return fmt.Sprintf("%d rows sorted", o.rows) }

// concat joins batches into one, column by column; nil (unneeded) columns
// stay nil. A string column whose batches share one dictionary stays
// encoded (sorter.Concat), so that a sort ranks the dictionary once.
func concat(batches []*vector.Batch, schema types.Schema) (*vector.Batch, error) {
	out := &vector.Batch{Cols: make([]*vector.Vector, len(schema))}
	for _, b := range batches {
		out.Len += b.Len
	}
	var idx []int
	if len(batches) > 0 {
		for i, c := range batches[0].Cols {
			if c != nil {
				idx = append(idx, i)
			}
		}
	}
	parts := make([]*vector.Batch, len(batches))
	for i, b := range batches {
		parts[i] = &vector.Batch{Len: b.Len}
		project(parts[i], b, idx)
	}
	joined, err := sorter.Concat(parts, pick(schema, idx))
	if err != nil {
		return nil, err
	}
	for j, i := range idx {
		out.Cols[i] = joined.Cols[j]
	}
	return out, nil
}
