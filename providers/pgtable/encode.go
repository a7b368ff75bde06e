package pgtable

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// Binary COPY (PostgreSQL's "binary" format): a header, then per row the
// field count and each field as its length (-1 for NULL) and value in the
// type's binary wire form, then a trailer.
var (
	copyHeader  = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")
	copyTrailer = []byte{0xff, 0xff}
)

// PostgreSQL counts dates and timestamps from 2000-01-01; meshctl from
// 1970-01-01.
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
)

// encoder appends row i of v (not null) as one field: length and value.
type encoder func(dst []byte, v *vector.Vector, i int) []byte

// encoderFor picks the encoder of a column type, once per writer.
func encoderFor(t types.Type) (encoder, error) {
	switch t.Kind {
	case types.Bool:
		return func(dst []byte, v *vector.Vector, i int) []byte {
			b := byte(0)
			if v.Bool[i] {
				b = 1
			}
			return append(dst, 0, 0, 0, 1, b)
		}, nil
	case types.Int32:
		return func(dst []byte, v *vector.Vector, i int) []byte {
			return binary.BigEndian.AppendUint32(append(dst, 0, 0, 0, 4), uint32(v.I32[i]))
		}, nil
	case types.Date:
		return func(dst []byte, v *vector.Vector, i int) []byte {
			return binary.BigEndian.AppendUint32(append(dst, 0, 0, 0, 4), uint32(v.I32[i]-pgEpochDays))
		}, nil
	case types.Int64:
		return func(dst []byte, v *vector.Vector, i int) []byte {
			return binary.BigEndian.AppendUint64(append(dst, 0, 0, 0, 8), uint64(v.I64[i]))
		}, nil
	case types.Timestamp:
		return func(dst []byte, v *vector.Vector, i int) []byte {
			return binary.BigEndian.AppendUint64(append(dst, 0, 0, 0, 8), uint64(v.I64[i]-pgEpochMicros))
		}, nil
	case types.Float64:
		return func(dst []byte, v *vector.Vector, i int) []byte {
			return binary.BigEndian.AppendUint64(append(dst, 0, 0, 0, 8), math.Float64bits(v.F64[i]))
		}, nil
	case types.String:
		return func(dst []byte, v *vector.Vector, i int) []byte {
			s := v.String(i)
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(s)))
			return append(dst, s...)
		}, nil
	case types.Decimal:
		scale := int(t.Scale)
		if vector.PhysicalOf(t) == vector.PhysInt64 {
			return func(dst []byte, v *vector.Vector, i int) []byte {
				var buf [24]byte
				return appendNumeric(dst, decimal.AppendInt64(buf[:0], v.I64[i], 0), scale)
			}, nil
		}
		return func(dst []byte, v *vector.Vector, i int) []byte {
			var buf [48]byte
			return appendNumeric(dst, v.I128[i].AppendFormat(buf[:0], 0), scale)
		}, nil
	}
	return nil, fmt.Errorf("type %s cannot be written to PostgreSQL", t)
}

// Numeric's sign words.
const (
	numericPos = 0x0000
	numericNeg = 0x4000
)

var pow10 = [4]int16{1, 10, 100, 1000}

// appendNumeric appends, as one field, PostgreSQL's binary numeric of the
// unscaled integer written in text (an optional '-', then decimal digits)
// at scale: base-10000 digits around the point, the weight of the first,
// the sign and the display scale.
func appendNumeric(dst, text []byte, scale int) []byte {
	sign := uint16(numericPos)
	if len(text) > 0 && text[0] == '-' {
		sign, text = numericNeg, text[1:]
	}
	for len(text) > 1 && text[0] == '0' {
		text = text[1:]
	}
	if len(text) == 0 || (len(text) == 1 && text[0] == '0') {
		dst = binary.BigEndian.AppendUint32(dst, 8)
		return append(dst, 0, 0, 0, 0, 0, 0, byte(scale>>8), byte(scale))
	}
	// The first digit's power of ten, and the weights (powers of 10000)
	// of the first and last groups.
	e0 := len(text) - scale - 1
	weight := floorDiv4(e0)
	last := floorDiv4(-scale)
	var groups [16]int16 // 39 digits at scale 38 span 12 groups
	n := weight - last + 1
	for j, c := range text {
		e := e0 - j
		w := floorDiv4(e)
		groups[weight-w] += int16(c-'0') * pow10[e-4*w]
	}
	for n > 1 && groups[n-1] == 0 {
		n--
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(8+2*n))
	dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	dst = binary.BigEndian.AppendUint16(dst, uint16(int16(weight)))
	dst = binary.BigEndian.AppendUint16(dst, sign)
	dst = binary.BigEndian.AppendUint16(dst, uint16(scale))
	for _, g := range groups[:n] {
		dst = binary.BigEndian.AppendUint16(dst, uint16(g))
	}
	return dst
}

// floorDiv4 is ⌊e/4⌋ for negative e too.
func floorDiv4(e int) int {
	if e >= 0 {
		return e / 4
	}
	return -((-e + 3) / 4)
}
