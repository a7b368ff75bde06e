package testrun

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/meshtest"
	"github.com/meshctl/meshctl/lang/suggest"
	"github.com/meshctl/meshctl/lang/types"
)

// table converts rows to a batch of schema's columns. place names the rows
// in messages (`test "x", given "customers"`); whole says whether every
// column of schema is filled (given rows: the columns a row leaves out
// are null) or the rows' columns only (expected rows: schema is already
// those columns, and every row must give each of them). owner names what
// has the columns, for unknown-column messages.
func table(schema types.Schema, rows *meshtest.Rows, place, owner string, whole bool) (*vector.Batch, diag.Diagnostics) {
	var diags diag.Diagnostics
	for _, name := range rows.Columns {
		if !whole || schema.Index(name) >= 0 {
			continue // expected rows: the caller has checked their columns
		}
		at := firstCell(rows, name)
		diags = append(diags, diag.New(diag.Error, hcldiag.Range(at.NameRange), fmt.Sprintf("Unknown column %q", name),
			fmt.Sprintf("%s: %s has no column %q.%s", place, owner, name,
				orElse(suggest.DidYouMean(name, schema.Names()), " Its columns are "+suggest.List(schema.Names(), 12)+"."))))
	}
	n := len(rows.Rows)
	b := vector.NewBatch(schema, n)
	b.Reset(n)
	for c, col := range schema {
		v := b.Cols[c]
		for i := range rows.Rows {
			row := &rows.Rows[i]
			cell := row.Cell(col.Name)
			switch {
			case cell == nil && whole && !col.Nullable:
				diags = append(diags, diag.New(diag.Error, hcldiag.Range(row.Range), fmt.Sprintf("Missing value for column %q", col.Name),
					fmt.Sprintf("%s, row %d: column %q is not nullable: give it a value.", place, i+1, col.Name)))
			case cell == nil && !whole:
				diags = append(diags, diag.New(diag.Error, hcldiag.Range(row.Range), fmt.Sprintf("Missing value for column %q", col.Name),
					fmt.Sprintf("%s, row %d gives no value for column %q, which other rows give: write %s = null for a null.", place, i+1, col.Name, col.Name)))
			case cell != nil && cell.Value.IsNull() && whole && !col.Nullable:
				diags = append(diags, diag.New(diag.Error, hcldiag.Range(cell.Range), fmt.Sprintf("Null in column %q", col.Name),
					fmt.Sprintf("%s, row %d: column %q is not nullable, so it cannot be null here.", place, i+1, col.Name)))
			}
			var val cty.Value
			if cell == nil {
				val = cty.NullVal(cty.DynamicPseudoType)
			} else {
				val = cell.Value
			}
			if problem := setCell(v, i, val); problem != "" {
				diags = append(diags, diag.New(diag.Error, hcldiag.Range(cell.Range), fmt.Sprintf("Value does not fit column %q", col.Name),
					fmt.Sprintf("%s, row %d, column %q (%s): %s.", place, i+1, col.Name, col.Type, problem)))
			}
		}
	}
	return b, diags
}

func firstCell(rows *meshtest.Rows, name string) *meshtest.Cell {
	for i := range rows.Rows {
		if c := rows.Rows[i].Cell(name); c != nil {
			return c
		}
	}
	return &meshtest.Cell{}
}

func orElse(s, alt string) string {
	if s != "" {
		return s
	}
	return alt
}

// setCell stores val as row i of v (strings must be set in row order) and
// says what is wrong when it does not convert to v's type; the row is then
// null. Strings convert to every type, as a CSV field would; numbers and
// bools only to their own kinds.
func setCell(v *vector.Vector, i int, val cty.Value) string {
	if val.IsNull() {
		setNull(v, i)
		return ""
	}
	problem := convert(v, i, val)
	if problem != "" {
		setNull(v, i)
	}
	return problem
}

func setNull(v *vector.Vector, i int) {
	if v.Phys == vector.PhysString {
		v.AppendString(i, nil)
	}
	v.SetNull(i)
}

func convert(v *vector.Vector, i int, val cty.Value) string {
	t := v.Type
	text, isText := "", val.Type() == cty.String
	if isText {
		text = val.AsString()
	}
	shown := showValue(val)
	switch t.Kind {
	case types.Bool:
		switch {
		case val.Type() == cty.Bool:
			v.Bool[i] = val.True()
		case isText && (text == "true" || text == "false"):
			v.Bool[i] = text == "true"
		default:
			return shown + " is not a bool (true or false)"
		}
	case types.Int32, types.Int64:
		bits := 64
		if t.Kind == types.Int32 {
			bits = 32
		}
		var n int64
		switch {
		case val.Type() == cty.Number:
			f := val.AsBigFloat()
			if !f.IsInt() {
				return shown + " is not a whole number"
			}
			x, acc := f.Int64()
			if acc != big.Exact || x < -1<<(bits-1) || x > 1<<(bits-1)-1 {
				return fmt.Sprintf("%s is out of the range of %s", shown, t)
			}
			n = x
		case isText:
			x, err := strconv.ParseInt(text, 10, bits)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return fmt.Sprintf("%s is out of the range of %s", shown, t)
				}
				return fmt.Sprintf("%s is not %s", shown, article(t))
			}
			n = x
		default:
			return fmt.Sprintf("%s is not %s", shown, article(t))
		}
		if t.Kind == types.Int32 {
			v.I32[i] = int32(n)
		} else {
			v.I64[i] = n
		}
	case types.Float64:
		switch {
		case val.Type() == cty.Number:
			v.F64[i], _ = val.AsBigFloat().Float64()
		case isText:
			f, err := strconv.ParseFloat(text, 64)
			if err != nil && !(math.IsInf(f, 0) && strings.Contains(err.Error(), "range")) {
				return shown + " is not a float64"
			}
			v.F64[i] = f
		default:
			return shown + " is not a float64"
		}
	case types.Decimal:
		switch {
		case val.Type() == cty.Number:
			text = val.AsBigFloat().Text('f', -1)
		case !isText:
			return fmt.Sprintf("%s is not a %s", shown, t)
		}
		if frac := fractionDigits(text); frac > int(t.Scale) {
			return fmt.Sprintf("%s has %d digits after the point; %s keeps %d", shown, frac, t, t.Scale)
		}
		x, ok := decimal.Parse([]byte(text), int(t.Precision), int(t.Scale))
		if !ok {
			return fmt.Sprintf("%s is not a %s", shown, t)
		}
		if v.Phys == vector.PhysInt64 {
			v.I64[i] = x.Int64()
		} else {
			v.I128[i] = x
		}
	case types.String:
		if !isText {
			return fmt.Sprintf("%s is not a string: write %q", shown, strings.Trim(shown, `"`))
		}
		v.AppendString(i, []byte(text))
	case types.Date:
		if !isText {
			return shown + " is not a date: write it as a string, such as \"2024-01-31\""
		}
		d, err := ir.ParseDate(text)
		if err != nil {
			return err.Error()
		}
		v.I32[i] = int32(d)
	case types.Timestamp:
		if !isText {
			return shown + " is not a timestamp: write it as a string, such as \"2024-01-31T12:00:00Z\""
		}
		ts, err := ir.ParseTimestamp(text)
		if err != nil {
			return err.Error()
		}
		v.I64[i] = ts
	default:
		return fmt.Sprintf("values of type %s cannot be given in tests", t)
	}
	return ""
}

// fractionDigits counts the digits after the point, trailing zeros left
// out (12.50 has 1).
func fractionDigits(s string) int {
	_, frac, ok := strings.Cut(s, ".")
	if !ok {
		return 0
	}
	return len(strings.TrimRight(frac, "0"))
}

func article(t types.Type) string {
	s := t.String()
	if strings.HasPrefix(s, "int") {
		return "an " + s
	}
	return "a " + s
}

// showValue prints a test value as it is written.
func showValue(v cty.Value) string {
	switch v.Type() {
	case cty.String:
		return strconv.Quote(v.AsString())
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case cty.Bool:
		return strconv.FormatBool(v.True())
	}
	return v.Type().FriendlyName()
}

// memScanner serves given rows, by source, to the executor's scans.
type memScanner struct {
	tables map[*ir.Source]*vector.Batch
}

func (s *memScanner) Open(_ context.Context, req dataio.ScanRequest) (dataio.Scan, error) {
	b, ok := s.tables[req.Source]
	if !ok {
		return nil, fmt.Errorf("no rows are given for %s", req.Source.Name)
	}
	for i, c := range req.Schema {
		if i >= len(b.Cols) || b.Cols[i].Type != c.Type {
			return nil, fmt.Errorf("the rows given for %s do not have the schema the plan reads", req.Source.Name)
		}
	}
	per := req.BatchSize
	if per <= 0 {
		per = dataio.DefaultBatchSize
	}
	return &memScan{data: b, cols: req.Columns, per: per}, nil
}

// memScan reads a given table in morsels of one batch each.
type memScan struct {
	data *vector.Batch
	cols []int
	per  int
	rows int64
}

func (s *memScan) Morsels() int { return (s.data.Len + s.per - 1) / s.per }

func (s *memScan) Read(_ context.Context, m int, emit func(*vector.Batch) error) error {
	lo, hi := m*s.per, min((m+1)*s.per, s.data.Len)
	b := &vector.Batch{Cols: make([]*vector.Vector, len(s.cols)), Len: hi - lo}
	for i, c := range s.cols {
		src := s.data.Cols[c]
		b.Cols[i] = vector.New(src.Type, hi-lo)
		b.Cols[i].Append(src, lo, hi)
	}
	return emit(b)
}

func (s *memScan) Stats() dataio.ScanStats { return dataio.ScanStats{Rows: int64(s.data.Len)} }
func (s *memScan) Close() error            { return nil }
