package eval

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// castKind is the kernel of a conversion.
type castKind uint8

const (
	ckIntWiden  castKind = iota + 1 // int32 → int64
	ckIntNarrow                     // int64 → int32
	ckIntToFloat
	ckIntToDec
	ckFloatToInt
	ckFloatToDec
	ckDecToFloat
	ckDecToInt
	ckDecToDec
	ckBoolToInt
	ckIntToBool
	ckDateToTs
	ckTsToDate
	ckToString
	ckFromString
)

// castNode converts x to the node's type.
type castNode struct {
	base
	x    node
	from types.Type
	kind castKind
	// check says a value may not fit the target: each is checked.
	check bool
}

func (c *compiler) cast(e *ir.Cast) (node, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return nil, err
	}
	from, to := x.info().t, e.T
	if from == to {
		return x, nil
	}
	n := &castNode{base: c.newBase(e), x: x, from: from}
	if err := n.pick(from, to, e.Explicit); err != nil {
		return nil, err
	}
	if n.check {
		c.failing(&n.base, e)
	}
	n.fails = n.fails || x.info().fails
	return n, nil
}

// intDigits is the number of digits an integer type needs.
func intDigits(k types.Kind) int {
	if k == types.Int32 {
		return 10
	}
	return 19
}

// pick chooses the kernel, refusing conversions the compiler never emits.
func (n *castNode) pick(from, to types.Type, explicit bool) error {
	implicitOK := false
	switch {
	case to.Kind == types.String:
		n.kind, implicitOK = ckToString, true
	case from.Kind == types.String:
		n.kind, n.check = ckFromString, true
	case from.Kind == types.Int32 && to.Kind == types.Int64:
		n.kind, implicitOK = ckIntWiden, true
	case from.Kind == types.Int64 && to.Kind == types.Int32:
		n.kind, n.check = ckIntNarrow, true
	case from.IsInteger() && to.Kind == types.Float64:
		n.kind, implicitOK = ckIntToFloat, true
	case from.IsInteger() && to.Kind == types.Decimal:
		n.kind = ckIntToDec
		n.check = int(to.Precision-to.Scale) < intDigits(from.Kind)
		// Widening, or the 38-digit cap of types.Common (int64 with
		// decimal(38,20) meet in decimal(38,20)).
		implicitOK = !n.check || to.Precision == types.MaxDecimalPrecision
	case from.Kind == types.Float64 && to.IsInteger():
		n.kind, n.check = ckFloatToInt, true
	case from.Kind == types.Float64 && to.Kind == types.Decimal:
		n.kind, n.check = ckFloatToDec, true
	case from.Kind == types.Decimal && to.Kind == types.Float64:
		n.kind, implicitOK = ckDecToFloat, true
	case from.Kind == types.Decimal && to.IsInteger():
		n.kind = ckDecToInt
		n.check = intDigits(to.Kind) < int(from.Precision-from.Scale)+1
	case from.Kind == types.Decimal && to.Kind == types.Decimal:
		n.kind = ckDecToDec
		intFrom, intTo := int(from.Precision-from.Scale), int(to.Precision-to.Scale)
		if to.Scale >= from.Scale {
			n.check = intTo < intFrom
			// Widening, or the 38-digit cap of types.Common.
			implicitOK = !n.check || to.Precision == types.MaxDecimalPrecision
		} else {
			n.check = intTo < intFrom+1 // rounding may carry a digit
		}
	case from.Kind == types.Bool && to.IsInteger():
		n.kind = ckBoolToInt
	case from.IsInteger() && to.Kind == types.Bool:
		n.kind = ckIntToBool
	case from.Kind == types.Date && to.Kind == types.Timestamp:
		n.kind, implicitOK = ckDateToTs, true
	case from.Kind == types.Timestamp && to.Kind == types.Date:
		n.kind = ckTsToDate
	default:
		return bug("cannot cast %s to %s", from, to)
	}
	if !explicit && !implicitOK {
		return bug("implicit cast of %s to %s", from, to)
	}
	return nil
}

func (n *castNode) kids() []node { return []node{n.x} }

func (n *castNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	copyValid(out, x.Valid, rows)
	switch n.kind {
	case ckToString:
		n.toString(x, rows, out)
		return out, nil
	case ckFromString:
		return out, n.fromString(ev, x, rows, act, out)
	}
	return out, n.convert(ev, x, rows, act, out)
}

// numFail is the error of a number that does not fit the target.
func (n *castNode) numFail(x *vector.Vector, i int) *Error {
	v := scalarText(n.from, scalarAt(x, i))
	return n.fail(i, v, "%s does not fit %s", v, n.t)
}

func (n *castNode) convert(ev *Evaluator, x *vector.Vector, rows int, act vector.Bitmap, out *vector.Vector) error {
	to := n.t
	switch n.kind {
	case ckIntWiden:
		o := out.I64[:rows]
		for i, v := range x.I32[:rows] {
			o[i] = int64(v)
		}
	case ckIntNarrow:
		o := out.I32[:rows]
		for i, v := range x.I64[:rows] {
			if v < math.MinInt32 || v > math.MaxInt32 {
				if live(i, act, x.Valid) {
					return n.numFail(x, i)
				}
			}
			o[i] = int32(v)
		}
	case ckIntToFloat:
		o := out.F64[:rows]
		if x.Phys == vector.PhysInt32 {
			for i, v := range x.I32[:rows] {
				o[i] = float64(v)
			}
		} else {
			for i, v := range x.I64[:rows] {
				o[i] = float64(v)
			}
		}
	case ckIntToDec:
		return n.intToDec(x, rows, act, out)
	case ckFloatToInt:
		// NaN fails both comparisons; hi for int64 is 2^63 as a float,
		// itself out of range.
		lo, hi := -9223372036854775808.0, 9223372036854775808.0
		if to.Kind == types.Int32 {
			lo, hi = math.MinInt32, math.MaxInt32+1
		}
		o := out.I64
		if to.Kind == types.Int32 {
			sl := &ev.slots[n.id]
			sl.i64 = growT(sl.i64, rows)
			o = sl.i64
		}
		o = o[:rows]
		for i, f := range x.F64[:rows] {
			r := math.Round(f)
			if !(r >= lo && r < hi) {
				if live(i, act, x.Valid) {
					return n.numFail(x, i)
				}
				r = 0
			}
			o[i] = int64(r)
		}
		if to.Kind == types.Int32 {
			for i, q := range o {
				out.I32[i] = int32(q)
			}
		}
	case ckFloatToDec:
		var buf [64]byte
		p, s := int(to.Precision), int(to.Scale)
		for i, f := range x.F64[:rows] {
			// The shortest text that reads back as f, rounded in decimal:
			// 1.005 becomes 1.01 at scale 2, as the user wrote it.
			d, ok := decimal.Parse(strconv.AppendFloat(buf[:0], f, 'f', -1, 64), p, s)
			if !ok && live(i, act, x.Valid) {
				return n.numFail(x, i)
			}
			storeDec(out, i, d)
		}
	case ckDecToFloat:
		o := out.F64[:rows]
		s := int(n.from.Scale)
		if x.Phys == vector.PhysInt64 && s <= 18 {
			// decimal.Float64's fast path, the division hoisted: below
			// 2^53 the integer is exact, and so is 10^s, so the division
			// rounds once; beyond, Float64 divides exactly.
			div := math.Pow10(s)
			for i, v := range x.I64[:rows] {
				if v > maxExact || v < -maxExact {
					o[i] = decimal.FromInt64(v).Float64(s)
					continue
				}
				o[i] = float64(v) / div
			}
		} else if x.Phys == vector.PhysInt64 {
			for i, v := range x.I64[:rows] {
				o[i] = decimal.FromInt64(v).Float64(s)
			}
		} else {
			for i, v := range x.I128[:rows] {
				o[i] = v.Float64(s)
			}
		}
	case ckDecToInt:
		s := int(n.from.Scale)
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		if to.Kind == types.Int32 {
			lo, hi = math.MinInt32, math.MaxInt32
		}
		// Compute into int64s, then narrow to int32 when needed.
		o := out.I64
		if to.Kind == types.Int32 {
			sl := &ev.slots[n.id]
			sl.i64 = growT(sl.i64, rows)
			o = sl.i64
		}
		o = o[:rows]
		if x.Phys == vector.PhysInt64 {
			p := decimal.Pow10Int64(s)
			for i, v := range x.I64[:rows] {
				q := divRound64(v, p)
				if (q < lo || q > hi) && live(i, act, x.Valid) {
					return n.numFail(x, i)
				}
				o[i] = q
			}
		} else {
			for i, v := range x.I128[:rows] {
				d := v.DivRound(s)
				q := d.Int64()
				if (!d.IsInt64() || q < lo || q > hi) && live(i, act, x.Valid) {
					return n.numFail(x, i)
				}
				o[i] = q
			}
		}
		if to.Kind == types.Int32 {
			for i, q := range o {
				out.I32[i] = int32(q)
			}
		}
	case ckDecToDec:
		return n.decToDec(x, rows, act, out)
	case ckBoolToInt:
		if to.Kind == types.Int32 {
			o := out.I32[:rows]
			for i, v := range x.Bool[:rows] {
				o[i] = int32(b2i(v))
			}
		} else {
			o := out.I64[:rows]
			for i, v := range x.Bool[:rows] {
				o[i] = int64(b2i(v))
			}
		}
	case ckIntToBool:
		o := out.Bool[:rows]
		if x.Phys == vector.PhysInt32 {
			for i, v := range x.I32[:rows] {
				o[i] = v != 0
			}
		} else {
			for i, v := range x.I64[:rows] {
				o[i] = v != 0
			}
		}
	case ckDateToTs:
		o := out.I64[:rows]
		for i, d := range x.I32[:rows] {
			o[i] = int64(d) * microsPerDay
		}
	case ckTsToDate:
		o := out.I32[:rows]
		for i, us := range x.I64[:rows] {
			o[i] = int32(dayOf(us))
		}
	}
	return nil
}

// maxExact is the largest power of two below which every int64 converts
// to a float64 exactly.
const maxExact = 1 << 53

// storeDec writes a decimal into int64 or Int128 storage.
func storeDec(out *vector.Vector, i int, d decimal.Int128) {
	if out.Phys == vector.PhysInt64 {
		out.I64[i] = d.Int64()
	} else {
		out.I128[i] = d
	}
}

// divRound64 divides by p > 0, rounding half away from zero.
func divRound64(v, p int64) int64 {
	q, r := v/p, v%p
	if r < 0 {
		if -2*r >= p {
			q--
		}
	} else if 2*r >= p {
		q++
	}
	return q
}

func (n *castNode) intToDec(x *vector.Vector, rows int, act vector.Bitmap, out *vector.Vector) error {
	p, s := int(n.t.Precision), int(n.t.Scale)
	at := func(i int) int64 {
		if x.Phys == vector.PhysInt32 {
			return int64(x.I32[i])
		}
		return x.I64[i]
	}
	if p <= 18 {
		o := out.I64[:rows]
		m := decimal.Pow10Int64(s)
		bound := decimal.Pow10Int64(p - s)
		if x.Phys == vector.PhysInt32 && !n.check {
			for i, v := range x.I32[:rows] {
				o[i] = int64(v) * m
			}
			return nil
		}
		for i := range o {
			v := at(i)
			if n.check && (v >= bound || v <= -bound) {
				if live(i, act, x.Valid) {
					return n.numFail(x, i)
				}
				v = 0
			}
			o[i] = v * m
		}
		return nil
	}
	o := out.I128[:rows]
	if s <= 18 {
		m := decimal.Pow10Int64(s)
		for i := range o {
			d := mulWide(at(i), m)
			o[i] = d
			if n.check && !d.FitsDigits(p) && live(i, act, x.Valid) {
				return n.numFail(x, i)
			}
		}
		return nil
	}
	for i := range o {
		d, ovf := decimal.FromInt64(at(i)).MulPow10(s)
		o[i] = d
		if (ovf || !d.FitsDigits(p)) && live(i, act, x.Valid) {
			return n.numFail(x, i)
		}
	}
	return nil
}

func (n *castNode) decToDec(x *vector.Vector, rows int, act vector.Bitmap, out *vector.Vector) error {
	p := int(n.t.Precision)
	up := int(n.t.Scale) - int(n.from.Scale)
	if x.Phys == vector.PhysInt64 && out.Phys == vector.PhysInt64 {
		// Both fit an int64: bound the input, then scale it.
		o, a := out.I64[:rows], x.I64[:rows]
		if up >= 0 {
			m := decimal.Pow10Int64(up)
			bound := decimal.Pow10Int64(p - up)
			for i, v := range a {
				if n.check && (v >= bound || v <= -bound) {
					if live(i, act, x.Valid) {
						return n.numFail(x, i)
					}
					v = 0
				}
				o[i] = v * m
			}
			return nil
		}
		d := decimal.Pow10Int64(-up)
		bound := decimal.Pow10Int64(p)
		for i, v := range a {
			q := divRound64(v, d)
			if n.check && (q >= bound || q <= -bound) && live(i, act, x.Valid) {
				return n.numFail(x, i)
			}
			o[i] = q
		}
		return nil
	}
	for i := 0; i < rows; i++ {
		var v decimal.Int128
		if x.Phys == vector.PhysInt64 {
			v = decimal.FromInt64(x.I64[i])
		} else {
			v = x.I128[i]
		}
		ok := true
		if up >= 0 {
			var ovf bool
			v, ovf = v.MulPow10(up)
			ok = !ovf
		} else {
			v = v.DivRound(-up)
		}
		if n.check && !(ok && v.FitsDigits(p)) {
			if live(i, act, x.Valid) {
				return n.numFail(x, i)
			}
			v = decimal.Int128{}
		}
		storeDec(out, i, v)
	}
	return nil
}

// toString formats every row as vector.AppendText does; null rows are "".
func (n *castNode) toString(x *vector.Vector, rows int, out *vector.Vector) {
	off := out.Offsets[:rows+1]
	valid := x.Valid
	buf := out.Bytes[:0]
	switch n.from.Kind {
	case types.Bool:
		buf = formatRows(boolFmt{}, buf, x.Bool[:rows], valid, off)
	case types.Int32:
		buf = formatRows(int32Fmt{}, buf, x.I32[:rows], valid, off)
	case types.Int64:
		buf = formatRows(int64Fmt{}, buf, x.I64[:rows], valid, off)
	case types.Float64:
		buf = formatRows(floatFmt{}, buf, x.F64[:rows], valid, off)
	case types.Decimal:
		if x.Phys == vector.PhysInt64 {
			buf = formatRows(dec64Fmt{scale: int(n.from.Scale)}, buf, x.I64[:rows], valid, off)
		} else {
			buf = formatRows(dec128Fmt{scale: int(n.from.Scale)}, buf, x.I128[:rows], valid, off)
		}
	case types.Date:
		buf = formatRows(dateFmt{}, buf, x.I32[:rows], valid, off)
	case types.Timestamp:
		buf = formatRows(timestampFmt{}, buf, x.I64[:rows], valid, off)
	}
	out.Bytes = buf
}

// formatter appends the text of one value. Implementations are structs
// of distinct shapes, so that formatRows is compiled once per formatter
// with the call direct.
type formatter[T any] interface {
	format(dst []byte, v T) []byte
}

type boolFmt struct{ _ uint8 }

func (boolFmt) format(dst []byte, v bool) []byte { return strconv.AppendBool(dst, v) }

type int32Fmt struct{ _ uint8 }

func (int32Fmt) format(dst []byte, v int32) []byte { return strconv.AppendInt(dst, int64(v), 10) }

type dateFmt struct{ _ uint16 }

func (dateFmt) format(dst []byte, v int32) []byte { return appendDate(dst, int64(v)) }

type int64Fmt struct{ _ uint8 }

func (int64Fmt) format(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

type timestampFmt struct{ _ uint16 }

func (timestampFmt) format(dst []byte, v int64) []byte { return appendTimestamp(dst, v) }

type dec64Fmt struct{ scale int }

func (f dec64Fmt) format(dst []byte, v int64) []byte { return decimal.AppendInt64(dst, v, f.scale) }

type floatFmt struct{ _ uint8 }

func (floatFmt) format(dst []byte, v float64) []byte { return appendFloat(dst, v) }

type dec128Fmt struct{ scale int }

func (f dec128Fmt) format(dst []byte, v decimal.Int128) []byte { return v.AppendFormat(dst, f.scale) }

// formatRows appends the text of every valid row to buf, setting the
// offsets.
func formatRows[T any, F formatter[T]](f F, buf []byte, vals []T, valid vector.Bitmap, off []int32) []byte {
	off = off[:len(vals)+1]
	for i, v := range vals {
		if valid == nil || valid.Get(i) {
			buf = f.format(buf, v)
		}
		off[i+1] = int32(len(buf))
	}
	return buf
}

// article puts "a" or "an" before a type name.
func article(t types.Type) string {
	s := t.String()
	if strings.IndexByte("aeiou", s[0]) >= 0 {
		return "an " + s
	}
	return "a " + s
}

// parseFail is the error of a string that does not read as the target.
func (n *castNode) parseFail(x *vector.Vector, i int) *Error {
	s := strAt(x, i)
	v := string(s)
	to := n.t
	msg := fmt.Sprintf("%q is not %s", v, article(to))
	switch to.Kind {
	case types.Int32, types.Int64:
		if _, ok := parseInt(s, math.MinInt64, math.MaxInt64); ok || allDigits(s) {
			msg = fmt.Sprintf("%q does not fit %s", v, to)
		}
	case types.Decimal:
		if _, ok := decimal.Parse(s, types.MaxDecimalPrecision, int(to.Scale)); ok {
			msg = fmt.Sprintf("%q does not fit %s", v, to)
		}
	case types.Bool:
		msg += " (true, false, 1 or 0)"
	case types.Date:
		msg += " (YYYY-MM-DD)"
	case types.Timestamp:
		msg += " (RFC 3339, YYYY-MM-DD HH:MM:SS[.ffffff] or YYYY-MM-DD)"
	}
	return &Error{Src: n.src, Expr: n.text, Row: i, Value: v, Msg: msg}
}

func allDigits(s []byte) bool {
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (n *castNode) fromString(ev *Evaluator, x *vector.Vector, rows int, act vector.Bitmap, out *vector.Vector) error {
	to := n.t
	switch to.Kind {
	case types.Bool:
		return parseStrings(ev, n, boolParser{}, x, rows, act, out.Bool)
	case types.Int32:
		return parseStrings(ev, n, int32Parser{}, x, rows, act, out.I32)
	case types.Int64:
		return parseStrings(ev, n, int64Parser{}, x, rows, act, out.I64)
	case types.Float64:
		return parseStrings(ev, n, floatParser{}, x, rows, act, out.F64)
	case types.Decimal:
		if to.Precision <= 18 {
			return parseStrings(ev, n, dec64Parser{p: int(to.Precision), s: int(to.Scale)}, x, rows, act, out.I64)
		}
		return parseStrings(ev, n, dec128Parser{p: int32(to.Precision), s: int32(to.Scale)}, x, rows, act, out.I128)
	case types.Date:
		return parseStrings(ev, n, dateParser{}, x, rows, act, out.I32)
	case types.Timestamp:
		return parseStrings(ev, n, timestampParser{}, x, rows, act, out.I64)
	}
	return bug("cast of string to %s", to)
}

// sliceOf returns the typed slice of v holding T (once per batch).
func sliceOf[T any](v *vector.Vector) []T {
	var z T
	switch any(z).(type) {
	case bool:
		return any(v.Bool).([]T)
	case int32:
		return any(v.I32).([]T)
	case int64:
		return any(v.I64).([]T)
	case float64:
		return any(v.F64).([]T)
	case decimal.Int128:
		return any(v.I128).([]T)
	}
	return nil
}

// parseStrings parses every row of x into o. A dictionary-encoded x is
// parsed once per entry into a table gathered through the codes; an entry
// that does not parse fails only if a row that matters uses it. Null rows
// are not parsed.
func parseStrings[T any, P parser[T]](ev *Evaluator, n *castNode, p P, x *vector.Vector, rows int, act vector.Bitmap, o []T) error {
	o = o[:rows]
	valid := x.Valid
	if x.Dict != nil && dictWorthIt(x, rows) {
		s := &ev.slots[n.id]
		d := x.Dict
		if s.aux == nil {
			s.aux = vector.New(n.t, d.Len)
		}
		s.aux.Reset(d.Len)
		tab := sliceOf[T](s.aux)
		s.bools = growT(s.bools, d.Len)
		ok := s.bools
		for e := range tab {
			tab[e], ok[e] = p.parse(strAt(d, e))
		}
		for i, c := range x.Codes[:rows] {
			if uint(c) < uint(len(tab)) && ok[c] {
				o[i] = tab[c]
			} else if live(i, act, valid) {
				return n.parseFail(x, i)
			}
		}
		return nil
	}
	if x.Dict != nil {
		for i := range o {
			if valid != nil && !valid.Get(i) {
				continue
			}
			v, ok := p.parse(strAt(x, i))
			if !ok && live(i, act, valid) {
				return n.parseFail(x, i)
			}
			o[i] = v
		}
		return nil
	}
	off := x.Offsets[:rows+1]
	data := x.Bytes
	if valid == nil && act == nil {
		for i := range o {
			v, ok := p.parse(data[off[i]:off[i+1]])
			if !ok {
				return n.parseFail(x, i)
			}
			o[i] = v
		}
		return nil
	}
	for i := range o {
		if valid != nil && !valid.Get(i) {
			continue
		}
		v, ok := p.parse(data[off[i]:off[i+1]])
		if !ok && live(i, act, valid) {
			return n.parseFail(x, i)
		}
		o[i] = v
	}
	return nil
}
