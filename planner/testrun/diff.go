package testrun

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// DiffOp marks a line of a row diff.
type DiffOp byte

// Row diff markers, as printed.
const (
	Same       DiffOp = ' '
	Missing    DiffOp = '-'
	Unexpected DiffOp = '+'
)

// RowDiff is how the rows a test got differ from the rows it expected.
type RowDiff struct {
	// Columns are the compared columns, in the order of the compared
	// relation's schema.
	Columns []string
	// Ordered is true when row order was compared (the rows are sorted).
	Ordered bool
	// Lines are every expected and every computed row: matched rows once
	// (Same), expected rows that did not come out (Missing) and rows that
	// came out unexpectedly (Unexpected). In order, they read as the
	// expected rows turned into the computed ones; unordered, they are
	// sorted by value, so that a row and its near miss stand together.
	Lines []DiffLine
	// Missing and Unexpected count the lines of each kind.
	Missing, Unexpected int
}

// DiffLine is one row of a diff.
type DiffLine struct {
	Op    DiffOp
	Cells []DiffCell
}

// DiffCell is one value of a row as text (the text preview prints).
type DiffCell struct {
	Text string
	Null bool
}

// Equal reports whether the diff shows no difference.
func (d *RowDiff) Equal() bool { return d.Missing == 0 && d.Unexpected == 0 }

// Summary says in a few words how the rows differ: "1 row missing, 2
// unexpected rows".
func (d *RowDiff) Summary() string {
	var parts []string
	if d.Missing > 0 {
		parts = append(parts, plural(d.Missing, "row")+" missing")
	}
	if d.Unexpected > 0 {
		parts = append(parts, plural(d.Unexpected, "unexpected row"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// maxShownLines bounds a diff that shows matching rows: beyond it only the
// differing rows are printed.
const maxShownLines = 50

// Text renders the diff as an aligned table, each line starting with
// indent and a marker: "-" for a missing row, "+" for an unexpected one.
func (d *RowDiff) Text(indent string) string {
	lines := d.Lines
	hidden := 0
	if len(lines) > maxShownLines {
		lines = slices.DeleteFunc(slices.Clone(lines), func(l DiffLine) bool { return l.Op == Same })
		hidden = len(d.Lines) - len(lines)
	}
	widths := make([]int, len(d.Columns))
	for i, c := range d.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	text := func(c DiffCell) string {
		if c.Null {
			return "null"
		}
		return c.Text
	}
	for _, l := range lines {
		for i, c := range l.Cells {
			widths[i] = max(widths[i], utf8.RuneCountInString(text(c)))
		}
	}
	var b strings.Builder
	line := func(op DiffOp, vals []string) {
		b.WriteString(indent)
		b.WriteByte(byte(op))
		for i, v := range vals {
			b.WriteByte(' ')
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(v)
			if i < len(vals)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v)))
			}
		}
		b.WriteByte('\n')
	}
	line(Same, d.Columns)
	dashes := make([]string, len(d.Columns))
	for i := range dashes {
		dashes[i] = strings.Repeat("-", widths[i])
	}
	line(Same, dashes)
	for _, l := range lines {
		vals := make([]string, len(l.Cells))
		for i, c := range l.Cells {
			vals[i] = text(c)
		}
		line(l.Op, vals)
	}
	if hidden > 0 {
		fmt.Fprintf(&b, "%s  (%s not shown)\n", indent, plural(hidden, "matching row"))
	}
	return b.String()
}

// rowSet is the rows of a batch seen through some of its columns.
type rowSet struct {
	b    *vector.Batch
	cols []int
}

func (s rowSet) len() int { return s.b.Len }

func (s rowSet) equal(i int, o rowSet, j int) bool {
	for k, c := range s.cols {
		if !cellEqual(s.b.Cols[c], i, o.b.Cols[o.cols[k]], j) {
			return false
		}
	}
	return true
}

// key is the text of the row's exactly compared cells (floats, compared
// with a tolerance, are left out), for grouping candidate matches.
func (s rowSet) key(i int) string {
	var buf []byte
	for _, c := range s.cols {
		v := s.b.Cols[c]
		if v.Phys == vector.PhysFloat64 {
			continue
		}
		var null bool
		n := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		buf, null = v.AppendText(buf, i)
		if null {
			buf = append(buf[:n], 1)
			continue
		}
		l := len(buf) - n - 4
		buf[n], buf[n+1], buf[n+2], buf[n+3] = byte(l>>24), byte(l>>16), byte(l>>8), byte(l)
	}
	return string(buf)
}

func (s rowSet) line(op DiffOp, i int) DiffLine {
	cells := make([]DiffCell, len(s.cols))
	var buf []byte
	for k, c := range s.cols {
		var null bool
		buf, null = s.b.Cols[c].AppendText(buf[:0], i)
		cells[k] = DiffCell{Text: printable(string(buf)), Null: null}
	}
	return DiffLine{Op: op, Cells: cells}
}

// printable keeps a value on one line of the table.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// cellEqual compares two values of one type; floats match to about 12
// significant digits, so that 0.1 + 0.2 is 0.3.
func cellEqual(a *vector.Vector, i int, b *vector.Vector, j int) bool {
	an, bn := a.IsNull(i), b.IsNull(j)
	if an || bn {
		return an && bn
	}
	switch a.Phys {
	case vector.PhysBool:
		return a.Bool[i] == b.Bool[j]
	case vector.PhysInt32:
		return a.I32[i] == b.I32[j]
	case vector.PhysInt64:
		return a.I64[i] == b.I64[j]
	case vector.PhysInt128:
		return a.I128[i] == b.I128[j]
	case vector.PhysFloat64:
		x, y := a.F64[i], b.F64[j]
		if x == y || math.IsNaN(x) && math.IsNaN(y) {
			return true
		}
		return math.Abs(x-y) <= 1e-12*max(math.Abs(x), math.Abs(y))
	case vector.PhysString:
		return bytes.Equal(a.String(i), b.String(j))
	}
	return false
}

// cellCompare orders two values of one type, nulls last.
func cellCompare(a *vector.Vector, i int, b *vector.Vector, j int) int {
	an, bn := a.IsNull(i), b.IsNull(j)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	switch a.Phys {
	case vector.PhysBool:
		return cmp.Compare(btoi(a.Bool[i]), btoi(b.Bool[j]))
	case vector.PhysInt32:
		return cmp.Compare(a.I32[i], b.I32[j])
	case vector.PhysInt64:
		return cmp.Compare(a.I64[i], b.I64[j])
	case vector.PhysInt128:
		return a.I128[i].Cmp(b.I128[j])
	case vector.PhysFloat64:
		return cmp.Compare(a.F64[i], b.F64[j])
	case vector.PhysString:
		return bytes.Compare(a.String(i), b.String(j))
	}
	return 0
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// match pairs each computed row with an equal expected row not taken yet
// (the first in expected order); -1 when there is none.
func match(want, got rowSet) []int {
	byKey := map[string][]int{}
	for i := range want.len() {
		k := want.key(i)
		byKey[k] = append(byKey[k], i)
	}
	used := make([]bool, want.len())
	out := make([]int, got.len())
	for j := range got.len() {
		out[j] = -1
		for _, i := range byKey[got.key(j)] {
			if !used[i] && want.equal(i, got, j) {
				used[i], out[j] = true, i
				break
			}
		}
	}
	return out
}

// compareUnordered diffs two multisets of rows.
func compareUnordered(columns []string, want, got rowSet) *RowDiff {
	d := &RowDiff{Columns: columns}
	pair := match(want, got)
	matched := make([]bool, want.len())
	for _, i := range pair {
		if i >= 0 {
			matched[i] = true
		}
	}
	type item struct {
		op  DiffOp
		set rowSet
		i   int
	}
	var items []item
	for i := range want.len() {
		op := Same
		if !matched[i] {
			op = Missing
			d.Missing++
		}
		items = append(items, item{op, want, i})
	}
	for j, i := range pair {
		if i < 0 {
			items = append(items, item{Unexpected, got, j})
			d.Unexpected++
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		for k := range a.set.cols {
			if c := cellCompare(a.set.b.Cols[a.set.cols[k]], a.i, b.set.b.Cols[b.set.cols[k]], b.i); c != 0 {
				return c
			}
		}
		return cmp.Compare(opRank(a.op), opRank(b.op))
	})
	for _, it := range items {
		d.Lines = append(d.Lines, it.set.line(it.op, it.i))
	}
	return d
}

func opRank(op DiffOp) int {
	switch op {
	case Same:
		return 0
	case Missing:
		return 1
	}
	return 2
}

// maxLCSCells bounds the table of the longest-common-subsequence diff;
// beyond it the differing middle is shown as all missing, then all
// unexpected.
const maxLCSCells = 4 << 20

// compareOrdered diffs two sequences of rows. Rows that tie on every sort
// key (ties, when the keys are output columns) may come in any order: the
// computed rows of a tie are put in the order of the expected rows they
// match before the sequences are compared.
func compareOrdered(columns []string, want, got rowSet, ties []int) *RowDiff {
	d := &RowDiff{Columns: columns, Ordered: true}
	order := make([]int, got.len())
	for j := range order {
		order[j] = j
	}
	if ties != nil {
		pair := match(want, got)
		rank := func(j int) int {
			if pair[j] < 0 {
				return math.MaxInt
			}
			return pair[j]
		}
		keys := rowSet{b: got.b, cols: ties}
		for lo := 0; lo < len(order); {
			hi := lo + 1
			for hi < len(order) && keys.equal(lo, keys, hi) {
				hi++
			}
			slices.SortStableFunc(order[lo:hi], func(x, y int) int { return cmp.Compare(rank(x), rank(y)) })
			lo = hi
		}
	}
	n, m := want.len(), len(order)
	eq := func(i, j int) bool { return want.equal(i, got, order[j]) }
	pre := 0
	for pre < n && pre < m && eq(pre, pre) {
		pre++
	}
	suf := 0
	for suf < n-pre && suf < m-pre && eq(n-1-suf, m-1-suf) {
		suf++
	}
	emit := func(op DiffOp, i int) {
		if op == Unexpected {
			d.Lines = append(d.Lines, got.line(op, order[i]))
			d.Unexpected++
			return
		}
		d.Lines = append(d.Lines, want.line(op, i))
		if op == Missing {
			d.Missing++
		}
	}
	for i := range pre {
		emit(Same, i)
	}
	a, b := n-pre-suf, m-pre-suf
	if a*b > maxLCSCells {
		for i := range a {
			emit(Missing, pre+i)
		}
		for j := range b {
			emit(Unexpected, pre+j)
		}
	} else {
		// lcs[i][j] is the longest common subsequence of want[pre+i:]
		// and got[pre+j:] (middles only).
		lcs := make([][]int32, a+1)
		for i := range lcs {
			lcs[i] = make([]int32, b+1)
		}
		for i := a - 1; i >= 0; i-- {
			for j := b - 1; j >= 0; j-- {
				if eq(pre+i, pre+j) {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < a || j < b {
			switch {
			case i < a && j < b && eq(pre+i, pre+j):
				emit(Same, pre+i)
				i++
				j++
			case j >= b || i < a && lcs[i+1][j] >= lcs[i][j+1]:
				emit(Missing, pre+i)
				i++
			default:
				emit(Unexpected, pre+j)
				j++
			}
		}
	}
	for k := range suf {
		emit(Same, n-suf+k)
	}
	return d
}

// sortOrder reports whether node's rows come out in a defined order: a
// sort, possibly under filters, projections and limits. ties are the
// columns of node holding the sort keys, when every key is a column that
// reaches node; nil otherwise (then tied rows must come in the order
// computed, which is the stable order of the sort's input).
func sortOrder(node ir.Node) (ordered bool, ties []int) {
	var chain []ir.Node
	n := node
	for {
		switch x := n.(type) {
		case *ir.Sort:
			return true, tieColumns(x, chain)
		case *ir.Project:
			chain = append(chain, x)
			n = x.Input
		case *ir.Filter:
			n = x.Input
		case *ir.Limit:
			n = x.Input
		default:
			return false, nil
		}
	}
}

func tieColumns(s *ir.Sort, chain []ir.Node) []int {
	var out []int
	for _, k := range s.Keys {
		ref, ok := k.Expr.(*ir.ColumnRef)
		if !ok {
			return nil
		}
		idx := ref.Index
		for i := len(chain) - 1; i >= 0; i-- {
			idx = projected(chain[i].(*ir.Project), idx)
			if idx < 0 {
				return nil
			}
		}
		out = append(out, idx)
	}
	return out
}

// projected returns the output column of p that passes its input column
// idx through (as is, or cast), or -1.
func projected(p *ir.Project, idx int) int {
	for j, e := range p.Exprs {
		if c, ok := e.(*ir.Cast); ok {
			e = c.X
		}
		if r, ok := e.(*ir.ColumnRef); ok && r.Index == idx {
			return j
		}
	}
	return -1
}

// columnIndex finds the column an expectation names: a name, or
// "qualifier.name" for a column of a join that both sides have.
func columnIndex(s types.Schema, name string) (int, string) {
	if i := s.Index(name); i >= 0 {
		return i, ""
	}
	if q, n, ok := strings.Cut(name, "."); ok {
		if idx := s.Lookup(q, n); len(idx) == 1 {
			return idx[0], ""
		}
	}
	if idx := s.Lookup("", name); len(idx) > 1 {
		var alts []string
		for _, i := range idx {
			alts = append(alts, fmt.Sprintf("%q", s[i].Qualifier+"."+name))
		}
		return -1, fmt.Sprintf("column %q is ambiguous: name it %s", name, strings.Join(alts, " or "))
	}
	return -1, ""
}
