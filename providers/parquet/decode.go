package parquet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"

	dec "github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/objects"
)

// columnReader decodes one column chunk of a row group into vectors, a
// batch at a time, straight from parquet-go's pages: it never goes through
// parquet-go's rows or boxed values. It is owned by one Read call.
type columnReader struct {
	// Set for the whole chunk.
	file     string
	rowGroup int
	// firstRow is the index in the file of the row group's first row.
	firstRow int64
	fc       fileColumn
	plan     plan
	col      types.Column

	pages pq.Pages
	// section is what the pages are read through: the object, or the
	// chunk's bytes fetched from a remote store.
	section objects.Section
	page    pq.Page
	// values are the page's non-null values (or dictionary codes).
	values encoding.Values
	// def holds the page's definition levels, one per row; nil for a
	// required column.
	def []byte
	// pageRows is the page's row count; rowPos and valPos are the next row
	// and the next non-null value to decode.
	pageRows, rowPos, valPos int
	// pageRow is the index in the row group of the page's first row.
	pageRow int64

	// dict is the chunk's dictionary when the current page is
	// dictionary-encoded, and dictValues its values.
	dict       pq.Dictionary
	dictValues encoding.Values
	// dictVec holds the dictionary of a string chunk as a vector. It is
	// allocated per chunk and never reused: batches hand it out as
	// vector.Dict, which operators may keep.
	dictVec *vector.Vector

	// Scratch space for values looked up in a dictionary.
	s32   []int32
	s64   []int64
	sf32  []float32
	sf64  []float64
	s96   []deprecated.Int96
	sbool []bool
	s128  []dec.Int128
}

// start prepares c to read a column chunk through section, which finish
// closes.
func (c *columnReader) start(chunk pq.ColumnChunk, section objects.Section) {
	c.section = section
	if fc, ok := chunk.(*pq.FileColumnChunk); ok {
		c.pages = fc.PagesFrom(section)
	} else {
		c.pages = chunk.Pages()
	}
	c.page, c.values, c.def = nil, encoding.Values{}, nil
	c.pageRows, c.rowPos, c.valPos, c.pageRow = 0, 0, 0, 0
	c.dict, c.dictValues, c.dictVec = nil, encoding.Values{}, nil
}

// finish releases the chunk's pages.
func (c *columnReader) finish() {
	if c.page != nil {
		pq.Release(c.page)
		c.page = nil
	}
	if c.pages != nil {
		c.pages.Close()
		c.pages = nil
	}
	if c.section != nil {
		c.section.Close()
		c.section = nil
	}
	c.dict, c.dictValues, c.dictVec = nil, encoding.Values{}, nil
}

// errCorrupt marks errors about data that breaks the Parquet format.
var errCorrupt = errors.New("the file is corrupt")

// corrupt returns an error about malformed data in the chunk.
func (c *columnReader) corrupt(format string, args ...any) error {
	return fmt.Errorf("%s: row group %d: column %q: %w: %s", c.file, c.rowGroup, c.fc.name, errCorrupt, fmt.Sprintf(format, args...))
}

// rowError returns an error about the value of one row; row counts from
// the chunk's current page position.
func (c *columnReader) rowError(row int, format string, args ...any) error {
	abs := c.firstRow + c.pageRow + int64(row)
	return fmt.Errorf("%s: row group %d, row %d: column %q: %s", c.file, c.rowGroup, abs, c.fc.name, fmt.Sprintf(format, args...))
}

// nextPage makes the chunk's next page current.
func (c *columnReader) nextPage() error {
	if c.page != nil {
		c.pageRow += int64(c.pageRows)
		pq.Release(c.page)
		c.page = nil
	}
	for {
		p, err := c.pages.ReadPage()
		if err == io.EOF {
			return c.corrupt("it holds fewer rows than the row group declares")
		}
		if err != nil {
			return c.corrupt("%v", err)
		}
		if p.NumRows() == 0 {
			pq.Release(p)
			continue
		}
		if len(p.RepetitionLevels()) != 0 {
			pq.Release(p)
			return c.corrupt("a page has repetition levels, but the column is not repeated")
		}
		c.page = p
		break
	}
	c.pageRows = int(c.page.NumRows())
	c.rowPos, c.valPos = 0, 0
	c.values = c.page.Data()
	c.def = nil
	if c.fc.optional {
		c.def = c.page.DefinitionLevels()
		if len(c.def) != c.pageRows {
			return c.corrupt("a page has %d definition levels for %d rows", len(c.def), c.pageRows)
		}
	}
	if d := c.page.Dictionary(); d != c.dict {
		c.dict, c.dictVec = d, nil
		if d != nil {
			c.dictValues = d.Page().Data()
		}
	}
	if c.dict != nil && c.values.Kind() != encoding.Int32 {
		return c.corrupt("a dictionary-encoded page holds %s values instead of indexes", c.values.Kind())
	}
	return nil
}

// fill decodes the chunk's next n rows into v, which Reset has sized to n
// rows, all valid.
func (c *columnReader) fill(v *vector.Vector, n int) error {
	dictMode := false
	if c.plan.conv == convString {
		if c.page == nil || c.rowPos == c.pageRows {
			if err := c.nextPage(); err != nil {
				return err
			}
		}
		if c.dict != nil {
			if err := c.buildDictVector(); err != nil {
				return err
			}
			if c.dictVec.Len > 0 {
				dictMode = true
				v.Dict = c.dictVec
				v.Codes = grow(v.Codes, n)
			}
		}
	}
	for filled := 0; filled < n; {
		if c.page == nil || c.rowPos == c.pageRows {
			if err := c.nextPage(); err != nil {
				return err
			}
		}
		k := min(n-filled, c.pageRows-c.rowPos)
		nn := k
		var def []byte
		if c.def != nil {
			d := c.def[c.rowPos : c.rowPos+k]
			if nulls := bytes.Count(d, zeroLevel); nulls > 0 {
				if !c.col.Nullable {
					return c.rowError(c.rowPos+bytes.IndexByte(d, 0), "the value is null, but the column is declared not null")
				}
				def, nn = d, k-nulls
			}
		}
		if c.plan.conv == convString {
			if dictMode && c.dict == nil {
				// The writer fell back from dictionary to plain encoding
				// within the chunk: decode what this batch holds so far.
				if !flattenCodes(v, filled) {
					return c.tooManyBytes()
				}
				dictMode = false
			}
			if err := c.decodeStrings(v, filled, k, nn, def, dictMode); err != nil {
				return err
			}
		} else {
			if err := c.decode(v, filled, nn); err != nil {
				return err
			}
			if def != nil {
				spreadVector(v, filled, k, def, nn)
			}
		}
		if def != nil {
			v.EnsureValid()
			for i, l := range def {
				if l == 0 {
					v.Valid.Clear(filled + i)
				}
			}
		}
		c.rowPos += k
		c.valPos += nn
		filled += k
	}
	return nil
}

var zeroLevel = []byte{0}

// spreadVector moves the nn values decoded at rows [at, at+nn) of v to the
// non-null rows of [at, at+k).
func spreadVector(v *vector.Vector, at, k int, def []byte, nn int) {
	switch v.Phys {
	case vector.PhysBool:
		spread(v.Bool[at:at+k], def, nn)
	case vector.PhysInt32:
		spread(v.I32[at:at+k], def, nn)
	case vector.PhysInt64:
		spread(v.I64[at:at+k], def, nn)
	case vector.PhysFloat64:
		spread(v.F64[at:at+k], def, nn)
	case vector.PhysInt128:
		spread(v.I128[at:at+k], def, nn)
	}
}

// flattenCodes turns the first n rows of a dictionary-encoded string
// vector into plain strings, so that decoding can go on without the
// dictionary. It fails when the strings outgrow int32 offsets.
func flattenCodes(v *vector.Vector, n int) bool {
	dict, codes := v.Dict, v.Codes
	v.Dict = nil
	v.Offsets[0] = 0
	v.Bytes = v.Bytes[:0]
	for i := range n {
		if v.Valid != nil && !v.Valid.Get(i) {
			v.Offsets[i+1] = int32(len(v.Bytes))
			continue
		}
		if !appendString(v, i, dict.String(int(codes[i]))) {
			return false
		}
	}
	v.Codes = codes[:0]
	return true
}

// buildDictVector makes dictVec hold the chunk's string dictionary.
func (c *columnReader) buildDictVector() error {
	if c.dictVec != nil {
		return nil
	}
	if c.dictValues.Kind() != encoding.ByteArray {
		return c.corrupt("the dictionary holds %s values instead of strings", c.dictValues.Kind())
	}
	data, offsets := c.dictValues.ByteArray()
	n := c.dict.Len()
	if len(offsets) < n+1 || int(offsets[n]) > len(data) || len(data) > math.MaxInt32 {
		return c.corrupt("the dictionary's strings do not match its offsets")
	}
	d := vector.New(types.StringType, 0)
	d.Offsets = make([]int32, n+1)
	d.Bytes = bytes.Clone(data[:offsets[n]])
	base := offsets[0]
	for i := range n + 1 {
		o := offsets[i]
		if o < base || (i > 0 && o < offsets[i-1]) {
			return c.corrupt("the dictionary's string offsets decrease")
		}
		d.Offsets[i] = int32(o - base)
	}
	d.Bytes = d.Bytes[base:]
	d.Len = n
	c.dictVec = d
	return nil
}

// codes returns the dictionary codes of the next nn values.
func (c *columnReader) codes(nn int) ([]int32, error) {
	all := c.values.Int32()
	if c.valPos+nn > len(all) {
		return nil, c.corrupt("a page holds fewer values than its definition levels say")
	}
	return all[c.valPos : c.valPos+nn], nil
}

// pageValues returns the next nn values of the page as a typed slice: a
// view of the page when it is plain, the values looked up in the
// dictionary (into scratch) when it is dictionary-encoded.
func pageValues[T any](c *columnReader, nn int, kind encoding.Kind, typed func(*encoding.Values) []T, scratch *[]T) ([]T, error) {
	if c.dict != nil {
		codes, err := c.codes(nn)
		if err != nil {
			return nil, err
		}
		if c.dictValues.Kind() != kind {
			return nil, c.corrupt("the dictionary holds %s values instead of %s", c.dictValues.Kind(), kind)
		}
		*scratch = grow(*scratch, nn)
		if bad := gatherDict(*scratch, typed(&c.dictValues), codes); bad >= 0 {
			return nil, c.corrupt("dictionary index %d is out of range", codes[bad])
		}
		return *scratch, nil
	}
	if c.values.Kind() != kind {
		return nil, c.corrupt("a page holds %s values instead of %s", c.values.Kind(), kind)
	}
	all := typed(&c.values)
	if c.valPos+nn > len(all) {
		return nil, c.corrupt("a page holds fewer values than its definition levels say")
	}
	return all[c.valPos : c.valPos+nn], nil
}

func (c *columnReader) int32s(nn int) ([]int32, error) {
	return pageValues(c, nn, encoding.Int32, (*encoding.Values).Int32, &c.s32)
}

func (c *columnReader) int64s(nn int) ([]int64, error) {
	return pageValues(c, nn, encoding.Int64, (*encoding.Values).Int64, &c.s64)
}

func (c *columnReader) float32s(nn int) ([]float32, error) {
	return pageValues(c, nn, encoding.Float, (*encoding.Values).Float, &c.sf32)
}

func (c *columnReader) float64s(nn int) ([]float64, error) {
	return pageValues(c, nn, encoding.Double, (*encoding.Values).Double, &c.sf64)
}

func (c *columnReader) int96s(nn int) ([]deprecated.Int96, error) {
	return pageValues(c, nn, encoding.Int96, (*encoding.Values).Int96, &c.s96)
}

// bools decodes the next nn booleans into dst.
func (c *columnReader) bools(dst []bool) error {
	nn := len(dst)
	if c.dict != nil {
		codes, err := c.codes(nn)
		if err != nil {
			return err
		}
		if c.dictValues.Kind() != encoding.Boolean {
			return c.corrupt("the dictionary holds %s values instead of BOOLEAN", c.dictValues.Kind())
		}
		bits := c.dictValues.Boolean()
		n := min(c.dict.Len(), 8*len(bits))
		if bad := checkCodes(codes, n); bad >= 0 {
			return c.corrupt("dictionary index %d is out of range", codes[bad])
		}
		for i, code := range codes {
			dst[i] = bits[code>>3]>>(uint(code)&7)&1 != 0
		}
		return nil
	}
	if c.values.Kind() != encoding.Boolean {
		return c.corrupt("a page holds %s values instead of BOOLEAN", c.values.Kind())
	}
	bits := c.values.Boolean()
	if c.valPos+nn > 8*len(bits) {
		return c.corrupt("a page holds fewer values than its definition levels say")
	}
	unpackBools(dst, bits, c.valPos)
	return nil
}

// wideDecimals decodes the next nn FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY
// decimals into c.s128.
func (c *columnReader) wideDecimals(nn int) ([]dec.Int128, error) {
	c.s128 = grow(c.s128, nn)
	out := c.s128
	src, codes := &c.values, []int32(nil)
	if c.dict != nil {
		var err error
		if codes, err = c.codes(nn); err != nil {
			return nil, err
		}
		src = &c.dictValues
	}
	switch src.Kind() {
	case encoding.FixedLenByteArray:
		data, size := src.FixedLenByteArray()
		if size <= 0 {
			return nil, c.corrupt("fixed-length values of %d bytes", size)
		}
		count := len(data) / size
		for i := range nn {
			j := c.valPos + i
			if codes != nil {
				j = int(codes[i])
			}
			if j < 0 || j >= count {
				return nil, c.corrupt("a page holds fewer values than its definition levels say")
			}
			x, ok := bigEndianInt128(data[j*size : (j+1)*size])
			if !ok {
				return nil, c.valueError(i, "the decimal is wider than 128 bits")
			}
			out[i] = x
		}
	case encoding.ByteArray:
		data, offsets := src.ByteArray()
		count := len(offsets) - 1
		for i := range nn {
			j := c.valPos + i
			if codes != nil {
				j = int(codes[i])
			}
			if j < 0 || j >= count || offsets[j] > offsets[j+1] || int(offsets[j+1]) > len(data) {
				return nil, c.corrupt("a page holds fewer values than its definition levels say")
			}
			x, ok := bigEndianInt128(data[offsets[j]:offsets[j+1]])
			if !ok {
				return nil, c.valueError(i, "the decimal is wider than 128 bits")
			}
			out[i] = x
		}
	default:
		return nil, c.corrupt("a page holds %s values instead of decimals", src.Kind())
	}
	return out, nil
}

// valueError returns an error about the i-th of the non-null values being
// decoded from the current position: it finds the value's row.
func (c *columnReader) valueError(i int, format string, args ...any) error {
	row := c.rowPos + i
	if c.def != nil {
		seen := 0
		for r := c.rowPos; r < c.pageRows; r++ {
			if c.def[r] != 0 {
				if seen == i {
					row = r
					break
				}
				seen++
			}
		}
	}
	return c.rowError(row, format, args...)
}

// decode converts the next nn non-null values into rows [at, at+nn) of v.
func (c *columnReader) decode(v *vector.Vector, at, nn int) error {
	if nn == 0 {
		return nil
	}
	to := c.col.Type
	switch c.plan.conv {
	case convBool:
		return c.bools(v.Bool[at : at+nn])
	case convInt32:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		copy(v.I32[at:], src)
	case convUint32ToInt32:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		if bad := uint32ToInt32(v.I32[at:], src); bad >= 0 {
			return c.valueError(bad, "%d does not fit in %s", uint32(src[bad]), to)
		}
	case convInt32ToInt64:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		widen(v.I64[at:], src)
	case convUint32ToInt64:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		widenUnsigned(v.I64[at:], src)
	case convInt64:
		src, err := c.int64s(nn)
		if err != nil {
			return err
		}
		copy(v.I64[at:], src)
	case convInt64ToInt32:
		src, err := c.int64s(nn)
		if err != nil {
			return err
		}
		if bad := int64ToInt32(v.I32[at:], src); bad >= 0 {
			return c.valueError(bad, "%d does not fit in %s", src[bad], to)
		}
	case convFloatToFloat64:
		src, err := c.float32s(nn)
		if err != nil {
			return err
		}
		widen(v.F64[at:], src)
	case convDouble:
		src, err := c.float64s(nn)
		if err != nil {
			return err
		}
		copy(v.F64[at:], src)
	case convInt32ToFloat64:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		widen(v.F64[at:], src)
	case convUint32ToFloat64:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		widenUnsigned(v.F64[at:], src)
	case convInt64ToFloat64:
		src, err := c.int64s(nn)
		if err != nil {
			return err
		}
		widen(v.F64[at:], src)
	case convDecimalToFloat64:
		return c.decodeDecimalToFloat(v.F64[at:at+nn], nn)
	case convDecimal:
		return c.decodeDecimal(v, at, nn)
	case convDateToTimestamp:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		if bad := daysToMicros(v.I64[at:], src); bad >= 0 {
			return c.valueError(bad, "day %d is out of the range of timestamps", src[bad])
		}
	case convTimestamp:
		src, err := c.int64s(nn)
		if err != nil {
			return err
		}
		switch c.fc.unit {
		case unitMillis:
			if bad := millisToMicros(v.I64[at:], src); bad >= 0 {
				return c.valueError(bad, "%d milliseconds is out of the range of timestamps", src[bad])
			}
		case unitNanos:
			nanosToMicros(v.I64[at:], src)
		default:
			copy(v.I64[at:], src)
		}
	case convInt96:
		src, err := c.int96s(nn)
		if err != nil {
			return err
		}
		if bad := int96ToMicros(v.I64[at:], src); bad >= 0 {
			return c.valueError(bad, "the INT96 timestamp %v is out of range", src[bad])
		}
	default:
		return fmt.Errorf("%s: column %q: no conversion to %s", c.file, c.fc.name, to)
	}
	return nil
}

func (c *columnReader) decodeDecimalToFloat(dst []float64, nn int) error {
	scale := c.plan.dp.fromScale
	switch c.fc.physical {
	case format.Int32:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		decimalsToFloat64(dst, src, scale)
	case format.Int64:
		src, err := c.int64s(nn)
		if err != nil {
			return err
		}
		decimalsToFloat64(dst, src, scale)
	default:
		src, err := c.wideDecimals(nn)
		if err != nil {
			return err
		}
		for i, x := range src {
			dst[i] = x.Float64(scale)
		}
	}
	return nil
}

// decodeDecimal converts decimals (or integers) of any storage to the
// column's decimal type.
func (c *columnReader) decodeDecimal(v *vector.Vector, at, nn int) error {
	d := c.plan.dp
	to := c.col.Type
	narrow := v.Phys == vector.PhysInt64
	overflow := func(bad int, text string) error {
		return c.valueError(bad, "%s does not fit in %s", text, to)
	}
	switch {
	case c.fc.physical == format.Int32 && c.fc.unsigned:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		c.s64 = grow(c.s64, nn)
		widenUnsigned(c.s64, src)
		return c.rescaleInt64s(v, at, c.s64, narrow, overflow)
	case c.fc.physical == format.Int32:
		src, err := c.int32s(nn)
		if err != nil {
			return err
		}
		var bad int
		if narrow {
			bad = rescaleToInt64(v.I64[at:], src, d)
		} else {
			bad = rescaleToInt128(v.I128[at:], src, d)
		}
		if bad >= 0 {
			return overflow(bad, dec.FormatInt64(int64(src[bad]), d.fromScale))
		}
	case c.fc.physical == format.Int64:
		src, err := c.int64s(nn)
		if err != nil {
			return err
		}
		return c.rescaleInt64s(v, at, src, narrow, overflow)
	default:
		src, err := c.wideDecimals(nn)
		if err != nil {
			return err
		}
		var bad int
		if narrow {
			bad = rescale128s(v.I64[at:at+nn], nil, src, d)
		} else {
			bad = rescale128s(nil, v.I128[at:at+nn], src, d)
		}
		if bad >= 0 {
			return overflow(bad, src[bad].Format(d.fromScale))
		}
	}
	return nil
}

func (c *columnReader) rescaleInt64s(v *vector.Vector, at int, src []int64, narrow bool, overflow func(int, string) error) error {
	d := c.plan.dp
	var bad int
	if narrow {
		bad = rescaleToInt64(v.I64[at:], src, d)
	} else {
		bad = rescaleToInt128(v.I128[at:], src, d)
	}
	if bad >= 0 {
		return overflow(bad, dec.FormatInt64(src[bad], d.fromScale))
	}
	return nil
}

// decodeStrings decodes the next k rows (nn of them not null, as def
// says) of a string column into rows [at, at+k) of v: as codes into the
// chunk's dictionary in dictMode, as bytes otherwise.
func (c *columnReader) decodeStrings(v *vector.Vector, at, k, nn int, def []byte, dictMode bool) error {
	if c.dict != nil {
		if err := c.buildDictVector(); err != nil {
			return err
		}
		codes, err := c.codes(nn)
		if err != nil {
			return err
		}
		if bad := checkCodes(codes, c.dictVec.Len); bad >= 0 {
			return c.corrupt("dictionary index %d is out of range", codes[bad])
		}
		if dictMode {
			dst := v.Codes[at : at+k]
			copy(dst, codes)
			if def != nil {
				spread(dst, def, nn)
			}
			return nil
		}
		j := 0
		for i := range k {
			if def == nil || def[i] != 0 {
				if !appendString(v, at+i, c.dictVec.String(int(codes[j]))) {
					return c.tooManyBytes()
				}
				j++
			} else {
				v.Offsets[at+i+1] = int32(len(v.Bytes))
			}
		}
		return nil
	}
	if c.values.Kind() != encoding.ByteArray {
		return c.corrupt("a page holds %s values instead of strings", c.values.Kind())
	}
	data, offsets := c.values.ByteArray()
	if c.valPos+nn >= len(offsets) && nn > 0 {
		return c.corrupt("a page holds fewer values than its definition levels say")
	}
	if nn > 0 {
		lo, hi := offsets[c.valPos], offsets[c.valPos+nn]
		if lo > hi || int(hi) > len(data) {
			return c.corrupt("a page's string offsets are out of range")
		}
	}
	if def == nil {
		if nn == 0 {
			return nil
		}
		lo, hi := offsets[c.valPos], offsets[c.valPos+nn]
		base := int64(len(v.Bytes)) - int64(lo)
		if base+int64(hi) > math.MaxInt32 {
			return c.tooManyBytes()
		}
		v.Bytes = append(v.Bytes, data[lo:hi]...)
		dst := v.Offsets[at+1 : at+1+nn]
		src := offsets[c.valPos+1 : c.valPos+1+nn]
		for i, o := range src {
			dst[i] = int32(base + int64(o))
		}
		if !offsetsIncrease(dst, int32(base+int64(lo))) {
			return c.corrupt("a page's string offsets decrease")
		}
		return nil
	}
	j := c.valPos
	for i := range k {
		if def[i] != 0 {
			lo, hi := offsets[j], offsets[j+1]
			if lo > hi {
				return c.corrupt("a page's string offsets decrease")
			}
			if !appendString(v, at+i, data[lo:hi]) {
				return c.tooManyBytes()
			}
			j++
		} else {
			v.Offsets[at+i+1] = int32(len(v.Bytes))
		}
	}
	return nil
}

// appendString sets row i of a string vector to s, unless the vector's
// bytes would outgrow its int32 offsets.
func appendString(v *vector.Vector, i int, s []byte) bool {
	if len(v.Bytes)+len(s) > math.MaxInt32 {
		return false
	}
	v.AppendString(i, s)
	return true
}

// tooManyBytes is the error of a batch whose strings outgrow int32 offsets.
func (c *columnReader) tooManyBytes() error {
	return c.rowError(c.rowPos, "the batch holds more than 2 GiB of strings")
}

// offsetsIncrease reports whether offsets never decrease, starting from
// first.
func offsetsIncrease(offsets []int32, first int32) bool {
	prev := first
	for _, o := range offsets {
		if o < prev {
			return false
		}
		prev = o
	}
	return true
}
