package eval

import (
	"fmt"
	"time"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Env is what expressions read besides their input.
type Env struct {
	// Now is the value of now(), one for the whole run.
	Now time.Time
	// MaskKey is the key of mask_hash (HMAC-SHA256); nil means plain SHA-256.
	MaskKey []byte
}

// Error is an error of the data found while evaluating an expression: a
// value that does not convert, an overflow, a negative substr length.
type Error struct {
	// Src is where the failing expression was written (the ir node's Range).
	Src diag.Range
	// Expr is the failing expression as explain prints it.
	Expr string
	// Row is the index of the row in the batch.
	Row int
	// Value is the offending value as text ("abc", or "2147483647 + 1"
	// for an overflow).
	Value string
	// Msg says what is wrong, naming the value.
	Msg string
}

// Error reads like
// products/x.mesh.hcl:12:9: cast(age, "int32"): "abc" is not an int32 (row 17 of the batch).
func (e *Error) Error() string {
	s := ""
	if loc := e.Src.String(); loc != "" {
		s = loc + ": "
	}
	if e.Expr != "" {
		s += e.Expr + ": "
	}
	return fmt.Sprintf("%s%s (row %d of the batch)", s, e.Msg, e.Row)
}

// Program is a compiled expression. It is immutable and safe for
// concurrent use; each goroutine makes its own Evaluator.
type Program struct {
	root   node
	filter filter
	nslots int
	cols   []colUse
	typ    types.Type
}

// colUse is an input column the program reads, checked against each batch.
type colUse struct {
	index int
	phys  vector.Physical
}

// Type returns the type of the values the program computes.
func (p *Program) Type() types.Type { return p.typ }

// Evaluator runs a Program over batches. It keeps scratch memory from
// batch to batch and must be used by one goroutine at a time.
type Evaluator struct {
	p     *Program
	slots []slot
	// rootID is the slot whose output vector is the caller's out during
	// Eval (-1 otherwise): a dictionary it builds must not be reused.
	rootID int
	// fresh is the dictionary built for the caller during this Eval.
	fresh *vector.Vector
}

// slot is the scratch memory of one node.
type slot struct {
	vec    *vector.Vector
	aux    *vector.Vector // a dictionary built by the node, a parsed table…
	bm     [2]vector.Bitmap
	selBm  vector.Bitmap // the rows a filter passes down as act
	bools  []bool        // per dictionary entry
	flags  []bool        // per row
	i32    []int32
	i64    []int64
	u8     []uint8
	buf    []byte
	i128   [2][]decimal.Int128
	vecs   []*vector.Vector
	filled int // rows of vec already filled by a constant (-1: none)
}

// NewEvaluator returns an Evaluator for p.
func (p *Program) NewEvaluator() *Evaluator {
	ev := &Evaluator{p: p, slots: make([]slot, p.nslots), rootID: -1}
	for i := range ev.slots {
		ev.slots[i].filled = -1
	}
	return ev
}

// Eval computes the expression for every row of b into out. out.Type must
// be the expression's type; Eval resets out to b.Len rows. A string result
// may come back dictionary-encoded: its dictionary is the caller's to keep,
// or that of an input column, shared as vector.Gather shares it. The values
// of null rows are undefined (the dictionary code of a null row is whatever
// the input had there).
func (ev *Evaluator) Eval(b *vector.Batch, out *vector.Vector) error {
	if err := ev.p.check(b); err != nil {
		return err
	}
	if out == nil || out.Type != ev.p.typ || out.Phys != vector.PhysicalOf(ev.p.typ) {
		return fmt.Errorf("eval: output vector has type %v, the expression %s", typeOf(out), ev.p.typ)
	}
	root := ev.p.root
	if c, ok := root.(*constNode); ok {
		c.fillFlat(out, b.Len)
		return nil
	}
	id := root.info().id
	saved := ev.slots[id].vec
	ev.slots[id].vec = out
	ev.rootID = id
	v, err := root.eval(ev, b, nil)
	ev.slots[id].vec = saved
	ev.rootID = -1
	if err != nil {
		return err
	}
	if v != out {
		copyVector(out, v, b.Len)
	}
	if out.Dict != nil && out.Dict != ev.fresh && !inputDict(b, out.Dict) {
		// A dictionary of the Evaluator's scratch (passed up unchanged by
		// ? : or coalesce): the caller gets its own copy.
		out.Dict = out.Dict.Clone()
	}
	ev.fresh = nil
	return nil
}

// inputDict reports whether d is the dictionary of an input column, which
// the result may share as vector.Gather does.
func inputDict(b *vector.Batch, d *vector.Vector) bool {
	for _, c := range b.Cols {
		if c != nil && c.Dict == d {
			return true
		}
	}
	return false
}

func typeOf(v *vector.Vector) any {
	if v == nil {
		return "nil"
	}
	return v.Type
}

// Select returns the rows of b for which the (bool) expression is true —
// not false, not null — appended to sel[:0], in increasing order.
func (ev *Evaluator) Select(b *vector.Batch, sel []int32) ([]int32, error) {
	if ev.p.filter == nil {
		return sel[:0], fmt.Errorf("eval: Select on a %s expression", ev.p.typ)
	}
	if err := ev.p.check(b); err != nil {
		return sel[:0], err
	}
	if cap(sel) < b.Len {
		sel = make([]int32, 0, b.Len)
	}
	if b.Len == 0 {
		return sel[:0], nil
	}
	return ev.p.filter.sel(ev, b, nil, sel[:0])
}

// check verifies that b has the columns the program reads, with the
// storage their types need: a mismatch is a bug of the caller.
func (p *Program) check(b *vector.Batch) error {
	if b == nil {
		return fmt.Errorf("eval: nil batch")
	}
	for _, c := range p.cols {
		if c.index >= len(b.Cols) || b.Cols[c.index] == nil {
			return fmt.Errorf("eval: the batch has %d columns, the expression reads column %d", len(b.Cols), c.index)
		}
		v := b.Cols[c.index]
		if v.Phys != c.phys {
			return fmt.Errorf("eval: column %d of the batch is stored as %d, the expression expects %d", c.index, v.Phys, c.phys)
		}
		if v.Len < b.Len {
			return fmt.Errorf("eval: column %d of the batch has %d rows, the batch %d", c.index, v.Len, b.Len)
		}
		if v.Phys == vector.PhysString {
			if v.Dict != nil {
				if len(v.Codes) < b.Len {
					return fmt.Errorf("eval: column %d of the batch has %d codes for %d rows", c.index, len(v.Codes), b.Len)
				}
			} else if len(v.Offsets) < b.Len+1 {
				return fmt.Errorf("eval: column %d of the batch has %d offsets for %d rows", c.index, len(v.Offsets), b.Len)
			}
		}
	}
	return nil
}

// node is one compiled expression node.
type node interface {
	info() *base
	// eval computes the node for the b.Len rows of b. Rows outside act (a
	// bitmap; nil means every row) are not needed: their values are
	// undefined and they raise no errors. The result belongs to the node
	// (or is an input column) and stays valid until the node runs again;
	// the caller only reads it.
	eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error)
	kids() []node
}

// base is what every node shares.
type base struct {
	id  int
	t   types.Type
	src diag.Range
	// text is the expression as written, for errors (set on nodes that
	// may fail).
	text string
	// fails says whether the node or a descendant may raise an error of
	// the data, which is when restricting rows (act) matters.
	fails bool
}

func (b *base) info() *base { return b }

// fail returns the error of row i.
func (b *base) fail(row int, value, format string, args ...any) *Error {
	return &Error{Src: b.src, Expr: b.text, Row: row, Value: value, Msg: fmt.Sprintf(format, args...)}
}

// out returns the node's output vector reset to n rows.
func (ev *Evaluator) out(b *base, n int) *vector.Vector {
	s := &ev.slots[b.id]
	if s.vec == nil {
		s.vec = vector.New(b.t, n)
	}
	s.vec.Reset(n)
	return s.vec
}

// dict returns a string vector of n rows, to be filled in order with
// AppendString, for a dictionary the node builds: scratch that is reused,
// except at the root, whose result the caller keeps.
func (ev *Evaluator) dict(b *base, n int) *vector.Vector {
	var d *vector.Vector
	if b.id == ev.rootID {
		d = vector.New(types.StringType, n)
		ev.fresh = d
	} else {
		s := &ev.slots[b.id]
		if s.aux == nil {
			s.aux = vector.New(types.StringType, n)
		}
		d = s.aux
	}
	d.Reset(n)
	return d
}

// live reports whether row i matters: active, and valid in the operands.
func live(i int, act, valid vector.Bitmap) bool {
	return (act == nil || act.Get(i)) && (valid == nil || valid.Get(i))
}

// compiler builds the node tree.
type compiler struct {
	input  types.Schema
	env    Env
	nslots int
	cols   []colUse
}

// Compile prepares e, an expression over rows of the given input schema,
// for evaluation. It fails only on IR the compiler cannot produce (a bug),
// never on data.
func Compile(e ir.Expr, input types.Schema, env Env) (*Program, error) {
	if e == nil {
		return nil, fmt.Errorf("eval: nil expression")
	}
	c := &compiler{input: input, env: env}
	root, err := c.expr(e)
	if err != nil {
		return nil, err
	}
	p := &Program{root: root, nslots: c.nslots, typ: e.Type()}
	// Folding may have removed column references: keep those left.
	seen := map[int]bool{}
	walk(root, func(n node) {
		if cn, ok := n.(*colNode); ok && !seen[cn.index] {
			seen[cn.index] = true
			p.cols = append(p.cols, colUse{index: cn.index, phys: vector.PhysicalOf(cn.t)})
		}
	})
	if e.Type().Kind == types.Bool {
		p.filter = c.filterOf(root)
	}
	return p, nil
}

func walk(n node, fn func(node)) {
	fn(n)
	for _, k := range n.kids() {
		walk(k, fn)
	}
}

// newBase assigns a slot to a node of IR e.
func (c *compiler) newBase(e ir.Expr) base {
	id := c.nslots
	c.nslots++
	return base{id: id, t: e.Type(), src: e.Range()}
}

// failing marks b as a node that may raise errors of the data.
func (c *compiler) failing(b *base, e ir.Expr) {
	b.fails = true
	b.text = ir.FormatExpr(e, c.input)
}

func bug(format string, args ...any) error {
	return fmt.Errorf("eval: "+format+" (a bug of the compiler)", args...)
}

// expr compiles e and folds it when all its operands are constants.
func (c *compiler) expr(e ir.Expr) (node, error) {
	if e == nil {
		return nil, bug("missing operand")
	}
	if !e.Type().IsValid() {
		return nil, bug("expression %s has type %s", ir.FormatExpr(e, c.input), e.Type())
	}
	n, err := c.build(e)
	if err != nil {
		return nil, err
	}
	return c.fold(n), nil
}

func (c *compiler) build(e ir.Expr) (node, error) {
	switch e := e.(type) {
	case *ir.ColumnRef:
		return c.column(e)
	case *ir.Literal:
		return c.literal(e)
	case *ir.Unary:
		return c.unary(e)
	case *ir.Binary:
		return c.binary(e)
	case *ir.Cast:
		return c.cast(e)
	case *ir.IsNull:
		return c.isNull(e)
	case *ir.Cond:
		return c.cond(e)
	case *ir.In:
		return c.in(e)
	case *ir.Call:
		return c.call(e)
	}
	return nil, bug("unknown expression node %T", e)
}

// fold replaces a node whose operands are all constants by its value.
// A node that fails on its constants stays, so that the error is raised
// with a row when the expression runs.
func (c *compiler) fold(n node) node {
	if _, ok := n.(*constNode); ok {
		return n
	}
	if _, ok := n.(*colNode); ok {
		return n
	}
	for _, k := range n.kids() {
		if _, ok := k.(*constNode); !ok {
			return n
		}
	}
	ev := &Evaluator{p: &Program{nslots: c.nslots}, slots: make([]slot, c.nslots), rootID: -1}
	for i := range ev.slots {
		ev.slots[i].filled = -1
	}
	v, err := n.eval(ev, &vector.Batch{Len: 1}, nil)
	if err != nil {
		return n
	}
	b := n.info()
	return &constNode{base: base{id: b.id, t: b.t, src: b.src}, val: scalarAt(v, 0)}
}

// colNode reads an input column.
type colNode struct {
	base
	index int
}

func (c *compiler) column(e *ir.ColumnRef) (node, error) {
	if e.Index < 0 || e.Index >= len(c.input) {
		return nil, bug("column %s is #%d, the input has %d columns", e.Name, e.Index, len(c.input))
	}
	if vector.PhysicalOf(c.input[e.Index].Type) != vector.PhysicalOf(e.T) {
		return nil, bug("column %s is %s in the input, %s in the expression", e.Name, c.input[e.Index].Type, e.T)
	}
	return &colNode{base: c.newBase(e), index: e.Index}, nil
}

func (n *colNode) kids() []node { return nil }

func (n *colNode) eval(_ *Evaluator, b *vector.Batch, _ vector.Bitmap) (*vector.Vector, error) {
	return b.Cols[n.index], nil
}

// copyVector makes dst a copy of src's first n rows (a dictionary is shared).
func copyVector(dst, src *vector.Vector, n int) {
	dst.Reset(n)
	switch {
	case src.Dict != nil:
		dst.Dict = src.Dict
		dst.Codes = append(dst.Codes[:0], src.Codes[:n]...)
	case src.Phys == vector.PhysBool:
		copy(dst.Bool, src.Bool[:n])
	case src.Phys == vector.PhysInt32:
		copy(dst.I32, src.I32[:n])
	case src.Phys == vector.PhysInt64:
		copy(dst.I64, src.I64[:n])
	case src.Phys == vector.PhysFloat64:
		copy(dst.F64, src.F64[:n])
	case src.Phys == vector.PhysInt128:
		copy(dst.I128, src.I128[:n])
	case src.Phys == vector.PhysString:
		base := src.Offsets[0]
		for i := 0; i <= n; i++ {
			dst.Offsets[i] = src.Offsets[i] - base
		}
		dst.Bytes = append(dst.Bytes[:0], src.Bytes[base:src.Offsets[n]]...)
	}
	copyValid(dst, src.Valid, n)
}
