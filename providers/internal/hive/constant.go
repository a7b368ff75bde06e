package hive

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/textvalue"
)

// Constant is a partition column of one file: the value of its folder,
// converted to the column's type once, and filled into every batch the
// file yields. It is immutable and safe for concurrent use.
type Constant struct {
	typ  types.Type
	null bool
	// The value, in the field of the type's storage.
	b    bool
	i64  int64
	f64  float64
	i128 decimal.Int128
	// dict is the one-entry dictionary of a string column (the empty
	// string for a null): rows are code 0 of it, so that no string is
	// copied per row. It is never changed, so batches may hand it out.
	dict *vector.Vector
}

// NewConstant converts a partition value to the type of col, with the
// spellings CSV fields are read with (providers/internal/textvalue):
// strings as they are; bool, int32, int64, float64, date and timestamp as
// CSV inference reads them; decimals as decimal.Parse reads them, rounded
// to the scale. NullMarker is a null, an error when col is not nullable.
// The error says what is wrong with the value; the caller names the file
// and the column.
func NewConstant(kv KV, col types.Column) (*Constant, error) {
	c := &Constant{typ: col.Type, null: kv.Null}
	phys := vector.PhysicalOf(col.Type)
	if phys == 0 {
		return nil, fmt.Errorf("a partition column cannot have the type %s", col.Type)
	}
	if kv.Null {
		if !col.Nullable {
			return nil, fmt.Errorf("the partition value is null (%s), but the column is declared not null", NullMarker)
		}
		if phys == vector.PhysString {
			c.dict = oneString("")
		}
		return c, nil
	}
	v := []byte(kv.Value)
	ok := true
	switch col.Type.Kind {
	case types.Bool:
		c.b, ok = textvalue.ParseBool(v)
	case types.Int32:
		var x int32
		x, ok = textvalue.ParseInt32(v)
		c.i64 = int64(x)
	case types.Int64:
		c.i64, ok = textvalue.ParseInt64(v)
	case types.Float64:
		c.f64, ok = textvalue.ParseFloat64(v)
	case types.Date:
		var d int32
		d, ok = textvalue.ParseDate(v)
		c.i64 = int64(d)
	case types.Timestamp:
		c.i64, ok = textvalue.ParseTimestamp(v)
	case types.Decimal:
		c.i128, ok = decimal.Parse(v, int(col.Type.Precision), int(col.Type.Scale))
		c.i64 = c.i128.Int64() // the storage of precisions ≤ 18
	case types.String:
		c.dict = oneString(kv.Value)
	}
	if !ok {
		return nil, fmt.Errorf("the partition value %q is not %s", kv.Value, typeNoun(col.Type))
	}
	return c, nil
}

// oneString returns a dictionary of one string.
func oneString(s string) *vector.Vector {
	d := vector.New(types.StringType, 1)
	d.Reset(1)
	d.AppendString(0, []byte(s))
	return d
}

// typeNoun names a type with its article, for "… is not an int32".
func typeNoun(t types.Type) string {
	if t.Kind == types.Int32 || t.Kind == types.Int64 {
		return "an " + t.String()
	}
	return "a " + t.String()
}

// Null reports whether the value is a null.
func (c *Constant) Null() bool { return c.null }

// Fill makes v, a vector of the constant's type, hold n rows of the
// constant. A string column is dictionary-encoded: the constant's
// one-entry dictionary and n zero codes. v's buffers are reused.
func (c *Constant) Fill(v *vector.Vector, n int) {
	v.Reset(n)
	switch v.Phys {
	case vector.PhysBool:
		fill(v.Bool[:n], c.b)
	case vector.PhysInt32:
		fill(v.I32[:n], int32(c.i64))
	case vector.PhysInt64:
		fill(v.I64[:n], c.i64)
	case vector.PhysFloat64:
		fill(v.F64[:n], c.f64)
	case vector.PhysInt128:
		fill(v.I128[:n], c.i128)
	case vector.PhysString:
		if cap(v.Codes) < n {
			v.Codes = make([]int32, n)
		}
		v.Codes = v.Codes[:n]
		clear(v.Codes)
		v.Dict = c.dict
	}
	if c.null {
		v.EnsureValid()
		clear(v.Valid)
	}
}

// fill sets every element of s to x (the zero value of a null's storage
// is as good as any), doubling the filled prefix with copy so that the
// work is done by memmove rather than one store per iteration.
func fill[T any](s []T, x T) {
	if len(s) == 0 {
		return
	}
	s[0] = x
	for n := 1; n < len(s); n *= 2 {
		copy(s[n:], s[:n])
	}
}

// Excludes reports whether the constant proves that no row of its file
// satisfies p, a predicate on its column: then the scan need not read the
// file. Comparisons are the executor's: numbers by value, strings byte by
// byte, false before true; a comparison with a null is never true.
func (c *Constant) Excludes(p dataio.Predicate) bool {
	if p.NotNull {
		return c.null
	}
	if !p.Op.IsComparison() || p.Value.Null {
		return false
	}
	if c.null {
		return true
	}
	cmp, ok := c.compare(p.Value)
	if !ok {
		return false
	}
	switch p.Op {
	case ir.Eq:
		return cmp != 0
	case ir.Ne:
		return cmp == 0
	case ir.Lt:
		return cmp >= 0
	case ir.Le:
		return cmp > 0
	case ir.Gt:
		return cmp <= 0
	case ir.Ge:
		return cmp < 0
	}
	return false
}

// compare compares the constant (not null) with v; ok is false when they
// cannot be compared, and nothing is proven then.
func (c *Constant) compare(v ir.Value) (cmp int, ok bool) {
	switch c.typ.Kind {
	case types.Bool:
		if v.Type.Kind != types.Bool {
			return 0, false
		}
		return compareOrdered(b2i(c.b), b2i(v.Bool)), true
	case types.Int32, types.Int64, types.Date, types.Timestamp:
		if v.Type.Kind != c.typ.Kind && !(v.Type.IsInteger() && c.typ.IsInteger()) {
			return 0, false
		}
		return compareOrdered(c.i64, v.Int), true
	case types.Float64:
		if v.Type.Kind != types.Float64 || math.IsNaN(v.Float) || math.IsNaN(c.f64) {
			return 0, false
		}
		return compareOrdered(c.f64, v.Float), true
	case types.Decimal:
		if v.Type.Kind != types.Decimal || v.Dec == nil {
			return 0, false
		}
		// Bring both to the larger scale; big.Int is fine once per file.
		x, y := c.i128.Big(), new(big.Int).Set(v.Dec)
		cs, vs := int(c.typ.Scale), int(v.Type.Scale)
		if cs < vs {
			x.Mul(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(vs-cs)), nil))
		} else if vs < cs {
			y.Mul(y, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(cs-vs)), nil))
		}
		return x.Cmp(y), true
	case types.String:
		if v.Type.Kind != types.String {
			return 0, false
		}
		return strings.Compare(string(c.dict.String(0)), v.Str), true
	}
	return 0, false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func compareOrdered[T int | int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
