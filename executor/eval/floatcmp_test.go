package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

var (
	negZero = math.Copysign(0, -1)
	nan     = math.NaN()
	negNaN  = math.Copysign(math.NaN(), -1)
	// sigNaN is a signalling NaN: a NaN all the same.
	sigNaN = math.Float64frombits(0x7ff0_0000_0000_0001)
	inf    = math.Inf(1)
)

var allOps = []ir.BinaryOp{ir.Eq, ir.Ne, ir.Lt, ir.Le, ir.Gt, ir.Ge}

// TestFloatTotalOrderCases spells out the order on the values where it
// differs from IEEE's, each as column op column, column op constant,
// constant op column and constant op constant (folded at compile time).
func TestFloatTotalOrderCases(t *testing.T) {
	cases := []struct {
		l    float64
		op   ir.BinaryOp
		r    float64
		want bool
	}{
		{nan, ir.Eq, nan, true},
		{nan, ir.Ne, nan, false},
		{nan, ir.Lt, nan, false},
		{nan, ir.Le, nan, true},
		{nan, ir.Gt, nan, false},
		{nan, ir.Ge, nan, true},
		{negNaN, ir.Eq, nan, true},
		{sigNaN, ir.Eq, negNaN, true},
		{nan, ir.Gt, inf, true},
		{nan, ir.Ge, inf, true},
		{inf, ir.Lt, nan, true},
		{inf, ir.Ge, nan, false},
		{nan, ir.Eq, inf, false},
		{nan, ir.Ne, 1, true},
		{1, ir.Le, nan, true},
		{nan, ir.Le, 1, false},
		{nan, ir.Lt, 1, false},
		{-inf, ir.Lt, nan, true},
		{negNaN, ir.Gt, -inf, true}, // the sign of a NaN does not matter
		{negZero, ir.Eq, 0, true},
		{negZero, ir.Lt, 0, false},
		{0, ir.Gt, negZero, false},
		{negZero, ir.Ge, 0, true},
		{negZero, ir.Ne, 0, false},
		{-inf, ir.Lt, -math.MaxFloat64, true},
		{inf, ir.Eq, inf, true},
	}
	var tcs []testCase
	for _, tc := range cases {
		want := strs(fmt.Sprint(tc.want))
		name := fmt.Sprintf("%v %s %v", tc.l, tc.op, tc.r)
		tcs = append(tcs,
			testCase{name: name + " columns", e: bin(tc.op, c("f"), c("fb")), d: data{"f": rows(tc.l), "fb": rows(tc.r)}, want: want},
			testCase{name: name + " column const", e: bin(tc.op, c("f"), f64(tc.r)), d: data{"f": rows(tc.l)}, want: want},
			testCase{name: name + " const column", e: bin(tc.op, f64(tc.l), c("fb")), d: data{"fb": rows(tc.r)}, want: want},
			testCase{name: name + " consts", e: bin(tc.op, f64(tc.l), f64(tc.r)), d: data{"f": rows(0.0)}, want: want},
		)
	}
	runAll(t, tcs)
}

// floatRanks lists float values in increasing order; the values of one
// rank are equal.
var floatRanks = [][]float64{
	{math.Inf(-1)}, {-math.MaxFloat64}, {-1.5}, {0, negZero}, {math.SmallestNonzeroFloat64},
	{1.5}, {math.MaxFloat64}, {inf}, {nan, negNaN, sigNaN},
}

// TestFloatTotalOrder compares every pair of the ranked values with every
// operator, as columns and with either side constant, plus a null row;
// under && the comparison filters the rows kept so far.
func TestFloatTotalOrder(t *testing.T) {
	type ranked struct {
		v    float64
		rank int
	}
	var vals []ranked
	for r, vs := range floatRanks {
		for _, v := range vs {
			vals = append(vals, ranked{v, r})
		}
	}
	test := func(op ir.BinaryOp, a, b int) string {
		return fmt.Sprint(testTable(op)[cmpInt(a, b)+1])
	}
	var tcs []testCase
	for _, op := range allOps {
		// Every pair as two columns, then a null on either side.
		var l, r []any
		var want []string
		for _, x := range vals {
			for _, y := range vals {
				l, r = append(l, x.v), append(r, y.v)
				want = append(want, test(op, x.rank, y.rank))
			}
		}
		l, r = append(l, nil, 1.0), append(r, 1.0, nil)
		want = append(want, "NULL", "NULL")
		tcs = append(tcs, testCase{name: "columns " + op.String(), e: bin(op, c("f"), c("fb")), d: data{"f": l, "fb": r}, want: want})

		for _, k := range vals {
			col := []any{}
			var vs, fw []string
			for _, x := range vals {
				col = append(col, x.v)
				vs = append(vs, test(op, x.rank, k.rank))
				fw = append(fw, test(op, k.rank, x.rank))
			}
			col = append(col, nil)
			vs, fw = append(vs, "NULL"), append(fw, "NULL")
			name := fmt.Sprintf("%s %v", op, k.v)
			tcs = append(tcs,
				testCase{name: "f " + name, e: bin(op, c("f"), f64(k.v)), d: data{"f": col}, want: vs},
				testCase{name: "const " + name, e: bin(op, f64(k.v), c("f")), d: data{"f": col}, want: fw},
				testCase{name: "not null && f " + name, e: bin(ir.And, isNull(c("f"), true), bin(op, c("f"), f64(k.v))), d: data{"f": col},
					want: strs(strings.ReplaceAll(strings.Join(vs, "|"), "NULL", "false"))},
			)
		}
	}
	runAll(t, tcs)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestFloatOrderAgainstReference evaluates comparisons and contains over
// random floats, a quarter of them special (NaN of either sign, ±Inf,
// ±0, extremes), through Eval and Select, and checks every row against
// the reference interpreter.
func TestFloatOrderAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 14))
	specials := []float64{nan, negNaN, sigNaN, inf, math.Inf(-1), 0, negZero, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, 1, -1}
	pool := []float64{0.5, -2, 1e10, 3.25} // repeated values, for equality
	randFloat := func() float64 {
		switch rng.IntN(4) {
		case 0:
			return specials[rng.IntN(len(specials))]
		case 1:
			return pool[rng.IntN(len(pool))]
		}
		return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
	}
	randCol := func(n int) []any {
		vals := make([]any, n)
		for i := range vals {
			if rng.IntN(10) > 0 {
				vals[i] = randFloat()
			}
		}
		return vals
	}
	fi, fbi := table.Index("f"), table.Index("fb")
	for round := range 24 {
		// Several validity words, a partial last one, and every tail of
		// the four-row unrolled loops.
		n := 290 + round
		d := data{"f": randCol(n), "fb": randCol(n)}
		if round%3 == 0 {
			// Plain numbers but for at most one NaN anywhere, the tail
			// included: the fast path must notice it.
			for _, k := range []string{"f", "fb"} {
				for i, v := range d[k] {
					if f, ok := v.(float64); ok && (f != f || math.IsInf(f, 0)) {
						d[k][i] = 2.5
					}
				}
			}
			if round%2 == 0 {
				d["f"][rng.IntN(n)] = nan
			} else {
				d["fb"][n-1-rng.IntN(3)] = negNaN
			}
		}
		var exprs []ir.Expr
		for _, op := range allOps {
			k, k2 := randFloat(), randFloat()
			exprs = append(exprs,
				bin(op, c("f"), c("fb")),
				bin(op, c("f"), f64(k)),
				bin(op, f64(k), c("fb")),
				bin(op, f64(k), f64(k2)),
				bin(ir.And, bin(ir.Ne, c("fb"), f64(pool[0])), bin(op, c("f"), f64(k))),
			)
		}
		for range 4 {
			list := make([]any, rng.IntN(12))
			for i := range list {
				list[i] = randFloat()
				if rng.IntN(8) == 0 {
					list[i] = nil
				}
			}
			exprs = append(exprs, in(c("f"), list...))
		}
		b := makeBatch(d, n)
		row := make(reference.Row, len(table))
		for _, e := range exprs {
			name := fmt.Sprintf("round %d: %s", round, ir.FormatExpr(e, table))
			p, err := Compile(e, table, Env{})
			if err != nil {
				t.Fatalf("%s: Compile: %v", name, err)
			}
			want := make([]string, n)
			wantSel := []int32{}
			for i := range n {
				row[fi], row[fbi] = d["f"][i], d["fb"][i]
				v, err := reference.Eval(e, row, reference.Env{})
				if err != nil {
					t.Fatalf("%s: reference.Eval row %d: %v", name, i, err)
				}
				want[i] = "NULL"
				if v != nil {
					want[i] = fmt.Sprint(v)
				}
				if v == true {
					wantSel = append(wantSel, int32(i))
				}
			}
			ev := p.NewEvaluator()
			out := vector.New(types.BoolType, n)
			if err := ev.Eval(b, out); err != nil {
				t.Fatalf("%s: Eval: %v", name, err)
			}
			if diff := cmp.Diff(want, texts(out)); diff != "" {
				t.Fatalf("%s: Eval differs from the reference (-want +got):\n%s", name, diff)
			}
			sel, err := ev.Select(b, nil)
			if err != nil {
				t.Fatalf("%s: Select: %v", name, err)
			}
			if diff := cmp.Diff(wantSel, append([]int32{}, sel...)); diff != "" {
				t.Fatalf("%s: Select differs from the reference (-want +got):\n%s", name, diff)
			}
		}
	}
}
