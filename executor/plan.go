package executor

import (
	"context"
	"fmt"
	"sync"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// op is a physical operator. Its batches have one column per column of
// schema(); a column no operator above needs is nil (column pruning keeps
// ir's column indexes valid without renumbering).
type op interface {
	irNode() ir.Node
	schema() types.Schema
	// open prepares the operator and everything below it; pipeline
	// breakers consume their input here. It is idempotent.
	open(ctx context.Context) error
	morsels() int
	// run produces morsel m, calling emit with each batch in order. It may
	// be called concurrently for different morsels.
	run(ctx context.Context, m int, emit func(*vector.Batch) error) error
	children() []op
	stats() *opStats
	// extra describes operator-specific counters for explain --analyze.
	extra() string
}

// base is what every operator shares.
type base struct {
	node ir.Node
	out  types.Schema
	// need[i] says whether an operator above reads column i.
	need []bool
	st   *opStats
	x    *runner
	// opened makes open run once, whichever parent asks first.
	opened *onceErr
}

// onceErr runs a function once and remembers its error.
type onceErr struct {
	once sync.Once
	err  error
}

func (b *base) irNode() ir.Node      { return b.node }
func (b *base) schema() types.Schema { return b.out }
func (b *base) stats() *opStats      { return b.st }
func (b *base) extra() string        { return "" }

// once runs f the first time open is called.
func (b *base) once(f func() error) error {
	b.opened.once.Do(func() { b.opened.err = f() })
	return b.opened.err
}

// countedEmit wraps emit to count rows and the time spent downstream.
func (st *opStats) countedEmit(emit func(*vector.Batch) error) func(*vector.Batch) error {
	return func(bt *vector.Batch) error {
		st.rows.Add(int64(bt.Len))
		st.batches.Add(1)
		t := now()
		err := emit(bt)
		st.emit.Add(since(t))
		return err
	}
}

// runner holds what a plan's operators share.
type runner struct {
	opts Options
	ops  map[ir.Node]op
	need map[ir.Node][]bool
	// building guards against product inputs that read each other.
	building map[string]bool
	// parentCount counts the parents of each node in the plan's DAG.
	parentCount map[ir.Node]int
}

// parents returns how many operators read n.
func (x *runner) parents(n ir.Node) int { return x.parentCount[n] }

// plan builds the physical operators for the given roots; each root's
// columns are all needed.
func (x *runner) plan(roots ...ir.Node) ([]op, error) {
	x.ops = map[ir.Node]op{}
	x.need = map[ir.Node][]bool{}
	x.parentCount = map[ir.Node]int{}
	x.building = map[string]bool{}
	x.analyseNeeds(roots)
	out := make([]op, len(roots))
	for i, r := range roots {
		o, err := x.build(r)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

// analyseNeeds computes, for every node of the DAG, which of its output
// columns some parent reads.
func (x *runner) analyseNeeds(roots []ir.Node) {
	needs := make([][]bool, len(roots))
	for i, r := range roots {
		needs[i] = all(len(r.Schema()))
	}
	x.analyseFrom(roots, needs)
}

// analyseFrom propagates the given needs of roots down the DAG, adding to
// what is already known.
func (x *runner) analyseFrom(roots []ir.Node, rootNeeds [][]bool) {
	var order []ir.Node // post-order: children before parents
	seen := map[ir.Node]bool{}
	var visit func(n ir.Node)
	visit = func(n ir.Node) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, c := range n.Children() {
			x.parentCount[c]++
			visit(c)
		}
		order = append(order, n)
	}
	for i, r := range roots {
		visit(r)
		cur := x.need[r]
		if cur == nil {
			cur = make([]bool, len(r.Schema()))
			x.need[r] = cur
		}
		for j, v := range rootNeeds[i] {
			cur[j] = cur[j] || v
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		need := x.need[n]
		if need == nil {
			need = make([]bool, len(n.Schema()))
			x.need[n] = need
		}
		for ci, childNeed := range childNeeds(n, need) {
			c := n.Children()[ci]
			cur := x.need[c]
			if cur == nil {
				cur = make([]bool, len(c.Schema()))
				x.need[c] = cur
			}
			for j, v := range childNeed {
				cur[j] = cur[j] || v
			}
		}
	}
}

func all(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}

// uses marks the columns e reads.
func uses(need []bool, es ...ir.Expr) {
	for _, e := range es {
		for _, i := range ir.ColumnsUsed(e) {
			need[i] = true
		}
	}
}

// childNeeds returns, per child of n, the columns n reads given that its
// parents read need.
func childNeeds(n ir.Node, need []bool) [][]bool {
	switch n := n.(type) {
	case *ir.Scan:
		return nil
	case *ir.Filter:
		c := append([]bool(nil), need...)
		uses(c, n.Pred)
		return [][]bool{c}
	case *ir.Project:
		c := make([]bool, len(n.Input.Schema()))
		for i, e := range n.Exprs {
			if need[i] {
				uses(c, e)
			}
		}
		return [][]bool{c}
	case *ir.Join:
		nl := len(n.Left.Schema())
		l := make([]bool, nl)
		r := make([]bool, len(n.Right.Schema()))
		copy(l, need[:nl])
		if len(need) > nl {
			copy(r, need[nl:])
		}
		uses(l, n.LeftKeys...)
		uses(r, n.RightKeys...)
		return [][]bool{l, r}
	case *ir.Aggregate:
		c := make([]bool, len(n.Input.Schema()))
		uses(c, n.Keys...)
		for _, a := range n.Aggs {
			if a.Arg != nil {
				uses(c, a.Arg)
			}
		}
		return [][]bool{c}
	case *ir.Sort:
		c := append([]bool(nil), need...)
		for _, k := range n.Keys {
			uses(c, k.Expr)
		}
		return [][]bool{c}
	case *ir.Limit:
		return [][]bool{append([]bool(nil), need...)}
	case *ir.Distinct:
		return [][]bool{all(len(n.Input.Schema()))}
	case *ir.Union:
		out := make([][]bool, len(n.Inputs))
		for i := range n.Inputs {
			if n.Distinct {
				out[i] = all(len(need))
			} else {
				out[i] = append([]bool(nil), need...)
			}
		}
		return out
	}
	return nil
}

// build returns the operator for n, building it once.
func (x *runner) build(n ir.Node) (op, error) {
	if o, ok := x.ops[n]; ok {
		return o, nil
	}
	b := newBase(x, n, x.need[n])
	var o op
	var err error
	switch n := n.(type) {
	case *ir.Scan:
		o, err = x.buildScan(b, n)
	case *ir.Filter:
		o, err = x.buildFilter(b, n)
	case *ir.Project:
		o, err = x.buildProject(b, n)
	case *ir.Join:
		o, err = x.buildJoin(b, n)
	case *ir.Aggregate:
		o, err = x.buildAggregate(b, n)
	case *ir.Sort:
		o, err = x.buildSort(b, n)
	case *ir.Limit:
		o, err = x.buildLimit(b, n)
	case *ir.Distinct:
		o, err = x.buildDistinct(b, n)
	case *ir.Union:
		o, err = x.buildUnion(b, n)
	default:
		err = fmt.Errorf("executor: unknown plan node %T", n)
	}
	if err != nil {
		return nil, err
	}
	x.ops[n] = o
	return o, nil
}

// scanner returns the scanner for a source kind.
func (x *runner) scanner(k ir.SourceKind) (dataio.Scanner, error) {
	s := x.opts.Scanners[k]
	if s == nil {
		return nil, fmt.Errorf("no reader for %s sources is configured", k)
	}
	return s, nil
}

func newBase(x *runner, n ir.Node, need []bool) base {
	return base{node: n, out: n.Schema(), need: need, x: x, st: &opStats{}, opened: &onceErr{}}
}
