package sorter

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

var concatSchema = types.Schema{
	{Name: "id", Type: types.Int64Type},
	{Name: "status", Type: types.StringType, Nullable: true},
	{Name: "amount", Type: types.DecimalType(38, 2), Nullable: true},
	{Name: "ok", Type: types.BoolType},
}

// texts is a small way to write test data: "" is null.
type texts [][]string

// batchOf builds a batch of concatSchema from rows of text; status is
// dictionary-encoded over dict when dict is not nil.
func batchOf(t *testing.T, rows texts, dict *vector.Vector) *vector.Batch {
	t.Helper()
	n := len(rows)
	b := vector.NewBatch(concatSchema, n)
	b.Reset(n)
	id, status, amount, ok := b.Cols[0], b.Cols[1], b.Cols[2], b.Cols[3]
	if dict != nil {
		status.Dict = dict
		status.Codes = make([]int32, n)
	}
	for i, r := range rows {
		for _, c := range r[0] {
			id.I64[i] = id.I64[i]*10 + int64(c-'0')
		}
		switch {
		case dict != nil:
			status.Codes[i] = -1
			for c := range dict.Len {
				if string(dict.String(c)) == r[1] {
					status.Codes[i] = int32(c)
				}
			}
			if r[1] == "" {
				status.Codes[i] = 0
				status.SetNull(i)
			}
		default:
			status.AppendString(i, []byte(r[1]))
			if r[1] == "" {
				status.SetNull(i)
			}
		}
		if r[2] == "" {
			amount.SetNull(i)
		} else {
			for _, c := range r[2] {
				amount.I128[i].Lo = amount.I128[i].Lo*10 + uint64(c-'0')
			}
		}
		ok.Bool[i] = r[3] == "true"
	}
	return b
}

func dictVector(entries ...string) *vector.Vector {
	d := vector.New(types.StringType, len(entries))
	d.Reset(len(entries))
	for i, e := range entries {
		d.AppendString(i, []byte(e))
	}
	return d
}

// textOf renders a batch as rows of text, null as "".
func textOf(b *vector.Batch) texts {
	out := texts{}
	for i := range b.Len {
		var row []string
		for _, v := range b.Cols {
			s, null := v.AppendText(nil, i)
			if null {
				s = nil
			}
			row = append(row, strings.TrimSuffix(string(s), ".00"))
		}
		out = append(out, row)
	}
	return out
}

func TestConcat(t *testing.T) {
	shared := dictVector("shipped", "pending")
	tests := []struct {
		name     string
		batches  func() []*vector.Batch
		want     texts
		wantDict bool
	}{
		{
			name:    "none",
			batches: func() []*vector.Batch { return nil },
			want:    texts{},
		},
		{
			// vector.Append loses the nulls of the first batch appended to
			// an empty vector; Concat must not.
			name: "flat with nulls in the first and second batches",
			batches: func() []*vector.Batch {
				return []*vector.Batch{
					batchOf(t, texts{{"1", "a", "100", "true"}, {"4", "", "", "true"}}, nil),
					batchOf(t, texts{{"2", "", "", "false"}, {"3", "ccc", "300", "true"}}, nil),
				}
			},
			want: texts{{"1", "a", "1", "true"}, {"4", "", "", "true"}, {"2", "", "", "false"}, {"3", "ccc", "3", "true"}},
		},
		{
			name: "shared dictionary stays encoded",
			batches: func() []*vector.Batch {
				return []*vector.Batch{
					batchOf(t, texts{{"1", "pending", "1", "true"}}, shared),
					batchOf(t, texts{}, shared),
					batchOf(t, texts{{"2", "shipped", "2", "true"}, {"3", "", "3", "false"}}, shared),
				}
			},
			want:     texts{{"1", "pending", "0.01", "true"}, {"2", "shipped", "0.02", "true"}, {"3", "", "0.03", "false"}},
			wantDict: true,
		},
		{
			name: "different dictionaries and flat are decoded",
			batches: func() []*vector.Batch {
				return []*vector.Batch{
					batchOf(t, texts{{"1", "pending", "", "true"}}, shared),
					batchOf(t, texts{{"2", "x", "", "true"}}, dictVector("x")),
					batchOf(t, texts{{"3", "flat", "", "true"}}, nil),
				}
			},
			want: texts{{"1", "pending", "", "true"}, {"2", "x", "", "true"}, {"3", "flat", "", "true"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Concat(tt.batches(), concatSchema)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, textOf(got)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if isDict := got.Cols[1].Dict != nil; isDict != tt.wantDict {
				t.Errorf("status dictionary-encoded = %v, want %v", isDict, tt.wantDict)
			}
			// The result sorts like any vector.
			if _, err := Sort(got.Cols[1:2], []Key{{}}, got.Len, 1); err != nil {
				t.Errorf("Sort of the result: %v", err)
			}
		})
	}
}

func TestConcatErrors(t *testing.T) {
	good := func() *vector.Batch { return batchOf(t, texts{{"1", "a", "1", "true"}}, nil) }
	tests := []struct {
		name    string
		batches func() []*vector.Batch
		want    string
	}{
		{"nil batch", func() []*vector.Batch { return []*vector.Batch{good(), nil} }, "batch 1 is nil"},
		{"columns", func() []*vector.Batch {
			b := good()
			b.Cols = b.Cols[:2]
			return []*vector.Batch{b}
		}, "batch 0 has 2 columns, want 4"},
		{"type", func() []*vector.Batch {
			b := good()
			b.Cols[0] = vector.New(types.Int32Type, 1)
			b.Cols[0].Reset(1)
			return []*vector.Batch{b}
		}, `column "id": vector has type int32, want int64`},
		{"length", func() []*vector.Batch {
			b := good()
			b.Len = 2
			return []*vector.Batch{b}
		}, "vector has 1 rows, the batch 2"},
		{"dictionary code", func() []*vector.Batch {
			return []*vector.Batch{batchOf(t, texts{{"1", "nope", "1", "true"}}, dictVector("a"))}
		}, "row 0 has dictionary code -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Concat(tt.batches(), concatSchema)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestConcatEveryType splits vectors of every key type into batches and
// checks that Concat gives the rows back.
func TestConcatEveryType(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for name, g := range gens {
		t.Run(name, func(t *testing.T) {
			full := withNulls(g, 4)(r, 50)
			var batches []*vector.Batch
			for lo := 0; lo < full.Len; lo += 20 {
				hi := min(lo+20, full.Len)
				sel := make([]int32, 0, hi-lo)
				for i := lo; i < hi; i++ {
					sel = append(sel, int32(i))
				}
				part := vector.New(full.Type, 0)
				part.Gather(full, sel)
				batches = append(batches, &vector.Batch{Cols: []*vector.Vector{part}, Len: len(sel)})
			}
			schema := types.Schema{{Name: "k", Type: full.Type, Nullable: true}}
			got, err := Concat(batches, schema)
			if err != nil {
				t.Fatal(err)
			}
			want := &vector.Batch{Cols: []*vector.Vector{full}, Len: full.Len}
			if diff := cmp.Diff(textOf(want), textOf(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if (full.Dict != nil) != (got.Cols[0].Dict != nil) {
				t.Errorf("dictionary kept = %v, want %v", got.Cols[0].Dict != nil, full.Dict != nil)
			}
		})
	}
}
