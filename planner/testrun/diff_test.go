package testrun

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// batch builds a batch of (int64, string) rows; a nil string is a null.
func batch(rows ...[2]any) *vector.Batch {
	b := vector.NewBatch(types.Schema{{Name: "k", Type: types.Int64Type}, {Name: "v", Type: types.StringType, Nullable: true}}, len(rows))
	b.Reset(len(rows))
	for i, r := range rows {
		b.Cols[0].I64[i] = int64(r[0].(int))
		if r[1] == nil {
			b.Cols[1].AppendString(i, nil)
			b.Cols[1].SetNull(i)
		} else {
			b.Cols[1].AppendString(i, []byte(r[1].(string)))
		}
	}
	return b
}

func TestCompareOrdered(t *testing.T) {
	both := []int{0, 1}
	for _, tc := range []struct {
		name      string
		want, got *vector.Batch
		ties      []int
		diff      string
	}{
		{
			name: "ties on the key may come in any order",
			want: batch([2]any{1, "a"}, [2]any{1, "b"}, [2]any{2, "c"}),
			got:  batch([2]any{1, "b"}, [2]any{1, "a"}, [2]any{2, "c"}),
			ties: []int{0},
		},
		{
			name: "without known keys the order of ties counts",
			want: batch([2]any{1, "a"}, [2]any{1, "b"}),
			got:  batch([2]any{1, "b"}, [2]any{1, "a"}),
			diff: "    k  v\n    -  -\n  - 1  a\n    1  b\n  + 1  a\n",
		},
		{
			name: "rows of different keys keep their order",
			want: batch([2]any{1, "a"}, [2]any{2, "b"}),
			got:  batch([2]any{2, "b"}, [2]any{1, "a"}),
			ties: []int{0},
			diff: "    k  v\n    -  -\n  - 1  a\n    2  b\n  + 1  a\n",
		},
		{
			name: "a changed value inside a tie",
			want: batch([2]any{1, "a"}, [2]any{1, nil}, [2]any{3, "c"}),
			got:  batch([2]any{1, "x"}, [2]any{1, nil}, [2]any{3, "c"}),
			ties: []int{0},
			diff: "    k  v\n    -  ----\n  - 1  a\n    1  null\n  + 1  x\n    3  c\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := compareOrdered([]string{"k", "v"}, rowSet{tc.want, both}, rowSet{tc.got, both}, tc.ties)
			got := ""
			if !d.Equal() {
				got = d.Text("  ")
			}
			if diff := cmp.Diff(tc.diff, got); diff != "" {
				t.Errorf("diff (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffTextHidesMatchesOfLongDiffs(t *testing.T) {
	var want, got [][2]any
	for i := range 60 {
		want = append(want, [2]any{i, "same"})
		got = append(got, [2]any{i, "same"})
	}
	got[59][1] = "changed"
	d := compareUnordered([]string{"k", "v"}, rowSet{batch(want...), []int{0, 1}}, rowSet{batch(got...), []int{0, 1}})
	const text = "    k   v\n    --  -------\n  + 59  changed\n  - 59  same\n    (59 matching rows not shown)\n"
	if diff := cmp.Diff(text, d.Text("  ")); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	if s := d.Summary(); s != "1 row missing, 1 unexpected row" {
		t.Errorf("summary %q", s)
	}
}

func TestCellEqual(t *testing.T) {
	f := func(xs ...float64) *vector.Vector {
		v := vector.New(types.Float64Type, len(xs))
		v.Reset(len(xs))
		copy(v.F64, xs)
		return v
	}
	for _, tc := range []struct {
		a, b float64
		want bool
	}{
		{0.1 + 0.2, 0.3, true},
		{1e20, 1e20 + 1e6, true},
		{1, 1.0001, false},
		{0, 1e-300, false},
	} {
		if got := cellEqual(f(tc.a), 0, f(tc.b), 0); got != tc.want {
			t.Errorf("cellEqual(%v, %v) = %v", tc.a, tc.b, got)
		}
	}
}

func TestSortOrder(t *testing.T) {
	_, opts := setup(t, nil)
	p := func(name string) string {
		var parts []string
		prod := opts.Compiled.Products[name]
		ordered, ties := sortOrder(prod.Output.Root)
		parts = append(parts, fmt.Sprintf("output %v %v", ordered, ties))
		for _, tr := range prod.Transforms {
			ordered, ties := sortOrder(tr.Root)
			parts = append(parts, fmt.Sprintf("%s %v %v", tr.Name, ordered, ties))
		}
		return strings.Join(parts, "; ")
	}
	if got, want := p("ranked"), "output true [1]; totals false []; named true [1]"; got != want {
		t.Errorf("ranked: %s, want %s", got, want)
	}
	if got, want := p("adults"), "output false []; grown false []"; got != want {
		t.Errorf("adults: %s, want %s", got, want)
	}
}
