package vector

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/lang/types"
)

// texts renders every row through AppendText, nulls as "<null>".
func texts(v *Vector) []string {
	out := make([]string, v.Len)
	for i := range out {
		b, null := v.AppendText(nil, i)
		if null {
			out[i] = "<null>"
		} else {
			out[i] = string(b)
		}
	}
	return out
}

func strVec(vals ...any) *Vector {
	v := New(types.StringType, len(vals))
	v.Reset(len(vals))
	for i, x := range vals {
		if x == nil {
			v.SetNull(i)
			v.AppendString(i, nil)
			continue
		}
		v.AppendString(i, []byte(x.(string)))
	}
	return v
}

func int64Vec(t types.Type, vals ...any) *Vector {
	v := New(t, len(vals))
	v.Reset(len(vals))
	for i, x := range vals {
		if x == nil {
			v.SetNull(i)
			continue
		}
		v.I64[i] = int64(x.(int))
	}
	return v
}

func TestAppendKeepsNulls(t *testing.T) {
	src := int64Vec(types.Int64Type, 1, nil, 3)
	dst := New(types.Int64Type, 0)
	dst.Append(src, 0, 3)
	dst.Append(src, 1, 3)
	if got, want := texts(dst), []string{"1", "<null>", "3", "<null>", "3"}; !cmp.Equal(got, want) {
		t.Errorf("Append = %v, want %v", got, want)
	}
	if dst.NullCount() != 2 {
		t.Errorf("NullCount = %d", dst.NullCount())
	}
	// Appending a vector without nulls to one with nulls marks rows valid.
	dst.Append(int64Vec(types.Int64Type, 7), 0, 1)
	if got := texts(dst)[5]; got != "7" {
		t.Errorf("row 5 = %s", got)
	}
}

func TestGatherAndDictionary(t *testing.T) {
	src := strVec("a", nil, "ccc", "dd")
	dst := New(types.StringType, 0)
	dst.Gather(src, []int32{3, 1, 0, 0})
	if got, want := texts(dst), []string{"dd", "<null>", "a", "a"}; !cmp.Equal(got, want) {
		t.Errorf("Gather = %v, want %v", got, want)
	}

	dict := strVec("x", "yy")
	enc := New(types.StringType, 3)
	enc.Reset(3)
	enc.Dict, enc.Codes = dict, []int32{1, 0, 1}
	enc.SetNull(2)
	g := New(types.StringType, 0)
	g.Gather(enc, []int32{2, 0})
	if g.Dict != dict || !cmp.Equal(texts(g), []string{"<null>", "yy"}) {
		t.Errorf("Gather of a dictionary vector = %v (shares dictionary: %v)", texts(g), g.Dict == dict)
	}
	enc.Flatten()
	if enc.Dict != nil || !cmp.Equal(texts(enc), []string{"yy", "x", "<null>"}) {
		t.Errorf("Flatten = %v", texts(enc))
	}
}

func TestResetReusesMemory(t *testing.T) {
	v := int64Vec(types.Int64Type, 1, nil, 3)
	p := &v.I64[0]
	v.Reset(2)
	if v.Valid != nil || v.HasNulls() {
		t.Error("Reset must make every row valid")
	}
	if &v.I64[0] != p {
		t.Error("Reset reallocated a large enough slice")
	}
	v.SetNull(1)
	if !v.IsNull(1) || v.IsNull(0) {
		t.Error("SetNull after Reset")
	}
}

func TestAppendTextForms(t *testing.T) {
	dec := int64Vec(types.DecimalType(10, 2), 1234, -5)
	if got := texts(dec); !cmp.Equal(got, []string{"12.34", "-0.05"}) {
		t.Errorf("decimal text = %v", got)
	}
	wide := New(types.DecimalType(38, 3), 1)
	wide.Reset(1)
	wide.I128[0], _ = decimal.Pow10(25).Add(decimal.FromInt64(7))
	if got := texts(wide)[0]; got != "10000000000000000000000.007" {
		t.Errorf("wide decimal = %s", got)
	}
	d := New(types.DateType, 1)
	d.Reset(1)
	d.I32[0] = 19723 // 2024-01-01
	ts := New(types.TimestampType, 1)
	ts.Reset(1)
	ts.I64[0] = 1704067200123456
	if got := texts(d)[0] + " " + texts(ts)[0]; got != "2024-01-01 2024-01-01T00:00:00.123456Z" {
		t.Errorf("temporal text = %s", got)
	}
	c := (&Batch{Cols: []*Vector{d, nil}, Len: 1}).Clone()
	if c.Cols[1] != nil || c.Cols[0] == d || texts(c.Cols[0])[0] != "2024-01-01" {
		t.Error("Batch.Clone must deep-copy present columns and keep absent ones nil")
	}
}

func TestBitmap(t *testing.T) {
	b := make(Bitmap, 2)
	for _, i := range []int{0, 63, 64, 70} {
		b.Set(i)
	}
	b.Clear(63)
	if b.CountSet(71) != 3 || b.CountSet(64) != 1 || !b.Get(70) || b.Get(63) {
		t.Errorf("bitmap %b", b)
	}
}

func TestTruncate(t *testing.T) {
	for _, phys := range []Physical{PhysBool, PhysInt32, PhysInt64, PhysFloat64, PhysInt128, PhysString} {
		v := &Vector{Phys: phys}
		v.Reset(130)
		if phys == PhysString {
			for i := range 130 {
				v.AppendString(i, []byte("x"))
			}
		}
		v.SetNull(129)
		v.Truncate(65)
		if v.Len != 65 || len(v.Valid) != 2 {
			t.Errorf("%v: len %d, %d validity words", phys, v.Len, len(v.Valid))
		}
		if phys == PhysString && (len(v.Offsets) != 66 || string(v.String(64)) != "x") {
			t.Errorf("strings: %d offsets, last %q", len(v.Offsets), v.String(64))
		}
	}
}
