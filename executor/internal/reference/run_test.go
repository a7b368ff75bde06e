package reference_test

import (
	"math"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// nodeCase is one plan over tables with its hand-computed rows, or an
// error containing err.
type nodeCase struct {
	name   string
	plan   ir.Node
	tables reference.Tables
	want   []R
	err    string
}

func runNodeCases(t *testing.T, cases []nodeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := reference.Run(tc.plan, tc.tables, reference.Env{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Run = %v, %v; want an error containing %q", got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := diffRows(tc.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

var (
	numsSchema = schema("n", tI64, "s", tStr)
	nums       = scan("nums", numsSchema)
	numsRows   = []R{{int64(3), "c"}, {nil, "n1"}, {int64(1), "a"}, {int64(3), "b"}, {nil, "n2"}, {int64(2), "x"}}
	numsTables = reference.Tables{"nums": numsRows}
)

func TestRunScanFilterProject(t *testing.T) {
	notNull := types.Schema{{Name: "n", Type: tI64}}
	runNodeCases(t, []nodeCase{
		{name: "scan returns the table", plan: nums, tables: numsTables, want: numsRows},
		{name: "scan of an empty table", plan: nums, tables: reference.Tables{"nums": nil}, want: rows()},
		{name: "scan of a missing table", plan: nums, tables: reference.Tables{}, err: `no table "nums"`},
		{name: "scan of a row of the wrong width", plan: nums, tables: reference.Tables{"nums": {{int64(1)}}}, err: "1 values for 2 columns"},
		{name: "scan of a value of the wrong type", plan: nums, tables: reference.Tables{"nums": {{int32(1), "a"}}}, err: "holds int32 1, not a int64"},
		{name: "scan of a null in a non-nullable column", plan: scan("t", notNull), tables: reference.Tables{"t": {{int64(1)}, {nil}}}, err: "row 2: null in non-nullable column n"},
		{
			name:   "filter keeps true rows in order; null and false are dropped",
			plan:   &ir.Filter{Input: nums, Pred: pred(ir.Gt, col(0, tI64), lit(tI64, int64(1)))},
			tables: numsTables,
			want:   []R{{int64(3), "c"}, {int64(3), "b"}, {int64(2), "x"}},
		},
		{
			name:   "filter over no rows",
			plan:   &ir.Filter{Input: nums, Pred: lit(tBool, true)},
			tables: reference.Tables{"nums": {}},
			want:   rows(),
		},
		{
			name:   "a failing row names the operator and the row",
			plan:   &ir.Filter{Input: nums, Pred: pred(ir.Gt, cast(col(1, tStr), tI64), lit(tI64, int64(0)))},
			tables: reference.Tables{"nums": {{int64(1), "7"}, {int64(2), "x"}}},
			err:    `row 2: cannot cast string "x" to int64`,
		},
		{
			name: "project computes one column per expression",
			plan: &ir.Project{Input: nums, Exprs: []ir.Expr{
				col(1, tStr),
				bin(ir.Mul, col(0, tI64), lit(tI64, int64(10)), tI64),
				isNull(col(0, tI64), false),
			}, Out: schema("s", tStr, "n10", tI64, "missing", tBool)},
			tables: numsTables,
			want: []R{{"c", int64(30), false}, {"n1", nil, true}, {"a", int64(10), false},
				{"b", int64(30), false}, {"n2", nil, true}, {"x", int64(20), false}},
		},
	})
}

func TestRunJoin(t *testing.T) {
	left := scan("l", schema("id", tI64, "name", tStr))
	right := scan("r", schema("rid", tI64, "v", tStr))
	// Duplicated keys on both sides, null keys on both sides, and keys
	// that only one side has.
	tables := reference.Tables{
		"l": {{int64(1), "a"}, {int64(2), "b"}, {nil, "c"}, {int64(2), "d"}, {int64(4), "e"}},
		"r": {{int64(2), "x"}, {nil, "y"}, {int64(1), "z"}, {int64(2), "w"}, {int64(3), "q"}},
	}
	empty := reference.Tables{"l": tables["l"], "r": {}}
	emptyLeft := reference.Tables{"l": {}, "r": tables["r"]}
	join := func(kind ir.JoinKind) ir.Node {
		out := schema("id", tI64, "name", tStr, "rid", tI64, "v", tStr)
		if kind == ir.SemiJoin || kind == ir.AntiJoin {
			out = out[:2]
		}
		return &ir.Join{Left: left, Right: right, Kind: kind, LeftKeys: []ir.Expr{col(0, tI64)}, RightKeys: []ir.Expr{col(0, tI64)}, RightName: "r", Out: out}
	}
	inner := []R{
		{int64(1), "a", int64(1), "z"},
		{int64(2), "b", int64(2), "x"}, {int64(2), "b", int64(2), "w"},
		{int64(2), "d", int64(2), "x"}, {int64(2), "d", int64(2), "w"},
	}
	leftJoin := []R{
		{int64(1), "a", int64(1), "z"},
		{int64(2), "b", int64(2), "x"}, {int64(2), "b", int64(2), "w"},
		{nil, "c", nil, nil},
		{int64(2), "d", int64(2), "x"}, {int64(2), "d", int64(2), "w"},
		{int64(4), "e", nil, nil},
	}
	unmatchedRight := []R{{nil, nil, nil, "y"}, {nil, nil, int64(3), "q"}}

	// Two keys, one of them a string computed on the left side and widened
	// on the right.
	l2 := scan("l2", schema("a", tI32, "b", tStr))
	r2 := scan("r2", schema("a", tI64, "b", tStr))
	twoKeys := &ir.Join{Left: l2, Right: r2, Kind: ir.InnerJoin,
		LeftKeys:  []ir.Expr{widen(col(0, tI32), tI64), call(ir.FnLower, tStr, col(1, tStr))},
		RightKeys: []ir.Expr{col(0, tI64), col(1, tStr)},
		Out:       schema("a", tI32, "b", tStr, "a", tI64, "b", tStr)}
	twoKeyTables := reference.Tables{
		"l2": {{int32(1), "X"}, {int32(1), "y"}, {int32(2), "x"}, {int32(1), nil}},
		"r2": {{int64(1), "x"}, {int64(1), nil}, {int64(2), "y"}, {int64(1), "x"}},
	}

	runNodeCases(t, []nodeCase{
		{name: "inner: duplicates multiply, null keys never match", plan: join(ir.InnerJoin), tables: tables, want: inner},
		{name: "left: unmatched left rows get nulls in place", plan: join(ir.LeftJoin), tables: tables, want: leftJoin},
		{name: "right: matches in left order, then unmatched right rows", plan: join(ir.RightJoin), tables: tables, want: append(append([]R{}, inner...), unmatchedRight...)},
		{name: "full: left join, then unmatched right rows", plan: join(ir.FullJoin), tables: tables, want: append(append([]R{}, leftJoin...), unmatchedRight...)},
		{name: "semi: left rows with a match, once each", plan: join(ir.SemiJoin), tables: tables, want: []R{{int64(1), "a"}, {int64(2), "b"}, {int64(2), "d"}}},
		{name: "anti: left rows without a match, null keys included", plan: join(ir.AntiJoin), tables: tables, want: []R{{nil, "c"}, {int64(4), "e"}}},
		{name: "inner with an empty right side", plan: join(ir.InnerJoin), tables: empty, want: rows()},
		{name: "left with an empty right side", plan: join(ir.LeftJoin), tables: empty, want: []R{{int64(1), "a", nil, nil}, {int64(2), "b", nil, nil}, {nil, "c", nil, nil}, {int64(2), "d", nil, nil}, {int64(4), "e", nil, nil}}},
		{name: "anti with an empty right side keeps everything", plan: join(ir.AntiJoin), tables: empty, want: tables["l"]},
		{name: "semi with an empty right side", plan: join(ir.SemiJoin), tables: empty, want: rows()},
		{name: "right with an empty left side", plan: join(ir.RightJoin), tables: emptyLeft, want: []R{{nil, nil, int64(2), "x"}, {nil, nil, nil, "y"}, {nil, nil, int64(1), "z"}, {nil, nil, int64(2), "w"}, {nil, nil, int64(3), "q"}}},
		{name: "full with both sides empty", plan: join(ir.FullJoin), tables: reference.Tables{"l": {}, "r": {}}, want: rows()},
		{
			name: "two keys: every pair must be equal; a null in either key never matches",
			plan: twoKeys, tables: twoKeyTables,
			want: []R{{int32(1), "X", int64(1), "x"}, {int32(1), "X", int64(1), "x"}},
		},
	})
}

func TestRunAggregate(t *testing.T) {
	in := scan("t", schema("k", tStr, "x", tI64, "d", tDec(18, 2), "f", tF64))
	tables := reference.Tables{"t": {
		{"a", int64(1), dec("1.5", 2), 1e16},
		{nil, int64(2), nil, 0.5},
		{"b", nil, dec("2.25", 2), nil},
		{"a", int64(3), dec("0.5", 2), 1.0},
		{nil, int64(4), dec("1", 2), 0.25},
		{"b", int64(3), nil, nil},
		{"a", nil, nil, -1e16},
	}}
	x, d, f := col(1, tI64), col(2, tDec(18, 2)), col(3, tF64)
	aggs := []ir.AggCall{
		{Meta: ir.Meta{T: tI64}, Fn: ir.AggCountRows},
		{Meta: ir.Meta{T: tI64}, Fn: ir.AggCount, Arg: x},
		{Meta: ir.Meta{T: tI64}, Fn: ir.AggCountDistinct, Arg: x},
		{Meta: meta(tI64), Fn: ir.AggSum, Arg: x},
		{Meta: meta(tDec(38, 2)), Fn: ir.AggSum, Arg: d},
		{Meta: meta(tI64), Fn: ir.AggMin, Arg: x},
		{Meta: meta(tDec(18, 2)), Fn: ir.AggMax, Arg: d},
		{Meta: meta(tF64), Fn: ir.AggAvg, Arg: x},
		{Meta: meta(tF64), Fn: ir.AggSum, Arg: f},
		{Meta: meta(tF64), Fn: ir.AggAvg, Arg: d},
	}
	out := schema("k", tStr, "count()", tI64, "count(x)", tI64, "count_distinct(x)", tI64, "sum(x)", tI64,
		"sum(d)", tDec(38, 2), "min(x)", tI64, "max(d)", tDec(18, 2), "avg(x)", tF64, "sum(f)", tF64, "avg(d)", tF64)
	byK := &ir.Aggregate{Input: in, Keys: []ir.Expr{col(0, tStr)}, Aggs: aggs, Out: out}
	noKeys := &ir.Aggregate{Input: in, Aggs: aggs, Out: out[1:]}

	one := func(fn ir.AggFunc, t types.Type, argT types.Type) *ir.Aggregate {
		return &ir.Aggregate{Input: scan("v", schema("v", argT)), Aggs: []ir.AggCall{{Meta: meta(t), Fn: fn, Arg: col(0, argT)}}, Out: schema("out", t)}
	}
	values := func(vs ...any) reference.Tables {
		t := reference.Tables{"v": {}}
		for _, v := range vs {
			t["v"] = append(t["v"], R{v})
		}
		return t
	}
	negZero := math.Copysign(0, -1)

	runNodeCases(t, []nodeCase{
		{
			// a: 1e16 + 1 rounds back to 1e16 (float64 spacing there is 2),
			// then -1e16 gives 0: floats add in input order.
			name: "groups in order of first appearance; null keys group together", plan: byK, tables: tables,
			want: []R{
				{"a", int64(3), int64(2), int64(2), int64(4), wide("2", 2), int64(1), dec("1.5", 2), 2.0, 0.0, 1.0},
				{nil, int64(2), int64(2), int64(2), int64(6), wide("1", 2), int64(2), dec("1", 2), 3.0, 0.75, 1.0},
				{"b", int64(2), int64(1), int64(1), int64(3), wide("2.25", 2), int64(3), dec("2.25", 2), 3.0, nil, 2.25},
			},
		},
		{
			name: "no keys: one row over everything", plan: noKeys, tables: tables,
			want: []R{{int64(7), int64(5), int64(4), int64(13), wide("5.25", 2), int64(1), dec("2.25", 2), 2.6, 0.0, 1.3125}},
		},
		{
			name: "no keys over no rows: one row, counts 0, the rest null", plan: noKeys, tables: reference.Tables{"t": {}},
			want: []R{{int64(0), int64(0), int64(0), nil, nil, nil, nil, nil, nil, nil}},
		},
		{name: "keys over no rows: no rows", plan: byK, tables: reference.Tables{"t": {}}, want: rows()},
		{
			name: "multi-key groups: (a, null) and (a, 1) differ",
			plan: &ir.Aggregate{Input: in, Keys: []ir.Expr{col(0, tStr), col(1, tI64)}, Aggs: aggs[:1], Out: schema("k", tStr, "x", tI64, "n", tI64)},
			tables: reference.Tables{"t": {
				{"a", int64(1), nil, nil}, {"a", nil, nil, nil}, {nil, nil, nil, nil}, {"a", int64(1), nil, nil}, {nil, nil, nil, nil}, {"a", nil, nil, nil},
			}},
			want: []R{{"a", int64(1), int64(2)}, {"a", nil, int64(2)}, {nil, nil, int64(2)}},
		},
		{name: "sum of int64 overflowing is an error", plan: one(ir.AggSum, tI64, tI64), tables: values(int64(math.MaxInt64), int64(1)), err: "does not fit int64"},
		{name: "sum of int64 is exact: an overflow undone by the end is fine", plan: one(ir.AggSum, tI64, tI64), tables: values(int64(math.MaxInt64), int64(1), int64(-1)), want: []R{{int64(math.MaxInt64)}}},
		{name: "sum of int32 is int64", plan: one(ir.AggSum, tI64, tI32), tables: values(int32(math.MaxInt32), int32(math.MaxInt32)), want: []R{{int64(2 * math.MaxInt32)}}},
		{name: "sum of decimal(38,0) past 38 digits is an error", plan: one(ir.AggSum, tDec(38, 0), tDec(38, 0)), tables: values(wide("60000000000000000000000000000000000000", 0), wide("60000000000000000000000000000000000000", 0)), err: "does not fit decimal(38,0)"},
		{name: "sum of decimal(18,2) is decimal(38,2), exact", plan: one(ir.AggSum, tDec(38, 2), tDec(18, 2)), tables: values(dec("9999999999999999.99", 2), dec("9999999999999999.99", 2), dec("0.02", 2)), want: []R{{wide("20000000000000000.00", 2)}}},
		{name: "avg of int64 is the exact mean", plan: one(ir.AggAvg, tF64, tI64), tables: values(int64(math.MaxInt64), int64(math.MaxInt64)), want: []R{{float64(math.MaxInt64)}}},
		{name: "count_distinct: -0 equals 0, NaN equals NaN", plan: one(ir.AggCountDistinct, tI64, tF64), tables: values(0.0, negZero, math.NaN(), nil, math.NaN(), 1.0), want: []R{{int64(3)}}},
		{name: "count_distinct of all nulls is 0", plan: one(ir.AggCountDistinct, tI64, tStr), tables: values(nil, nil), want: []R{{int64(0)}}},
		{name: "min of strings is bytewise", plan: one(ir.AggMin, tStr, tStr), tables: values("b", "B", nil, "a", "é"), want: []R{{"B"}}},
		{name: "max of strings is bytewise", plan: one(ir.AggMax, tStr, tStr), tables: values("b", "B", nil, "a", "é"), want: []R{{"é"}}},
		{name: "min of bools: false < true", plan: one(ir.AggMin, tBool, tBool), tables: values(true, nil, false), want: []R{{false}}},
		{name: "max of bools", plan: one(ir.AggMax, tBool, tBool), tables: values(false, nil, true), want: []R{{true}}},
		{name: "max of floats: NaN is above every number", plan: one(ir.AggMax, tF64, tF64), tables: values(1.0, math.NaN(), math.Inf(1)), want: []R{{math.NaN()}}},
		{name: "min of floats skips NaN", plan: one(ir.AggMin, tF64, tF64), tables: values(1.0, math.NaN(), math.Inf(-1)), want: []R{{math.Inf(-1)}}},
		{name: "min of dates", plan: one(ir.AggMin, tDate, tDate), tables: values(date("2024-01-02"), date("1969-12-31")), want: []R{{date("1969-12-31")}}},
		{name: "max of decimal(38,2)", plan: one(ir.AggMax, tDec(38, 2), tDec(38, 2)), tables: values(wide("-1", 2), wide("12345678901234567890", 2), nil), want: []R{{wide("12345678901234567890", 2)}}},
		{name: "sum of all nulls is null", plan: one(ir.AggSum, tI64, tI64), tables: values(nil, nil), want: []R{{nil}}},
		{name: "avg of floats adds in order", plan: one(ir.AggAvg, tF64, tF64), tables: values(1e16, 1.0, -1e16, 2.0), want: []R{{0.5}}},
	})
}

func TestRunSortLimitDistinctUnion(t *testing.T) {
	sortBy := func(keys ...ir.SortKey) ir.Node { return &ir.Sort{Input: nums, Keys: keys} }
	n, s := col(0, tI64), col(1, tStr)
	floats := scan("f", schema("f", tF64))
	floatRows := reference.Tables{"f": {{1.0}, {math.NaN()}, {math.Inf(-1)}, {nil}, {0.0}}}
	strs := scan("s", schema("s", tStr))
	five := scan("five", schema("i", tI64))
	fiveRows := reference.Tables{"five": {{int64(1)}, {int64(2)}, {int64(3)}, {int64(4)}, {int64(5)}}}
	limit := func(count, offset int64) ir.Node { return &ir.Limit{Input: five, Count: count, Offset: offset} }

	a := scan("a", schema("k", tI64, "v", tStr))
	b := scan("b", schema("k", tI64, "v", tStr))
	abTables := reference.Tables{
		"a": {{int64(1), "x"}, {nil, nil}, {int64(1), "x"}},
		"b": {{nil, nil}, {int64(2), "y"}, {int64(1), "x"}},
	}
	twice := &ir.Filter{Input: a, Pred: isNull(col(0, tI64), true)}

	runNodeCases(t, []nodeCase{
		{name: "sort asc, nulls last, stable", plan: sortBy(ir.SortKey{Expr: n}), tables: numsTables,
			want: []R{{int64(1), "a"}, {int64(2), "x"}, {int64(3), "c"}, {int64(3), "b"}, {nil, "n1"}, {nil, "n2"}}},
		{name: "sort desc, nulls still last, stable", plan: sortBy(ir.SortKey{Expr: n, Desc: true}), tables: numsTables,
			want: []R{{int64(3), "c"}, {int64(3), "b"}, {int64(2), "x"}, {int64(1), "a"}, {nil, "n1"}, {nil, "n2"}}},
		{name: "sort asc, nulls first", plan: sortBy(ir.SortKey{Expr: n, NullsFirst: true}), tables: numsTables,
			want: []R{{nil, "n1"}, {nil, "n2"}, {int64(1), "a"}, {int64(2), "x"}, {int64(3), "c"}, {int64(3), "b"}}},
		{name: "sort desc, nulls first", plan: sortBy(ir.SortKey{Expr: n, Desc: true, NullsFirst: true}), tables: numsTables,
			want: []R{{nil, "n1"}, {nil, "n2"}, {int64(3), "c"}, {int64(3), "b"}, {int64(2), "x"}, {int64(1), "a"}}},
		{name: "sort by two keys", plan: sortBy(ir.SortKey{Expr: n}, ir.SortKey{Expr: s, Desc: true}), tables: numsTables,
			want: []R{{int64(1), "a"}, {int64(2), "x"}, {int64(3), "c"}, {int64(3), "b"}, {nil, "n2"}, {nil, "n1"}}},
		{name: "sort by an expression", plan: sortBy(ir.SortKey{Expr: bin(ir.Mod, n, lit(tI64, int64(2)), tI64)}, ir.SortKey{Expr: s}), tables: numsTables,
			want: []R{{int64(2), "x"}, {int64(1), "a"}, {int64(3), "b"}, {int64(3), "c"}, {nil, "n1"}, {nil, "n2"}}},
		{name: "sort floats: NaN after numbers, null after NaN", plan: &ir.Sort{Input: floats, Keys: []ir.SortKey{{Expr: col(0, tF64)}}}, tables: floatRows,
			want: []R{{math.Inf(-1)}, {0.0}, {1.0}, {math.NaN()}, {nil}}},
		{name: "sort floats desc: NaN first, null last", plan: &ir.Sort{Input: floats, Keys: []ir.SortKey{{Expr: col(0, tF64), Desc: true}}}, tables: floatRows,
			want: []R{{math.NaN()}, {1.0}, {0.0}, {math.Inf(-1)}, {nil}}},
		{name: "sort strings bytewise", plan: &ir.Sort{Input: strs, Keys: []ir.SortKey{{Expr: col(0, tStr)}}}, tables: reference.Tables{"s": {{"a"}, {"é"}, {"B"}, {""}, {"Z"}}},
			want: []R{{""}, {"B"}, {"Z"}, {"a"}, {"é"}}},
		{name: "sort of no rows", plan: sortBy(ir.SortKey{Expr: n}), tables: reference.Tables{"nums": {}}, want: rows()},

		{name: "limit 2 offset 1", plan: limit(2, 1), tables: fiveRows, want: []R{{int64(2)}, {int64(3)}}},
		{name: "limit past the end", plan: limit(10, 3), tables: fiveRows, want: []R{{int64(4)}, {int64(5)}}},
		{name: "offset past the end", plan: limit(2, 10), tables: fiveRows, want: rows()},
		{name: "limit 0", plan: limit(0, 0), tables: fiveRows, want: rows()},

		{name: "distinct keeps first occurrences; nulls equal each other", plan: &ir.Distinct{Input: a}, tables: abTables,
			want: []R{{int64(1), "x"}, {nil, nil}}},
		{name: "distinct floats: -0 equals 0, NaN equals NaN", plan: &ir.Distinct{Input: floats},
			tables: reference.Tables{"f": {{0.0}, {math.Copysign(0, -1)}, {math.NaN()}, {nil}, {math.NaN()}, {nil}}},
			want:   []R{{0.0}, {math.NaN()}, {nil}}},
		{name: "union all concatenates in order", plan: &ir.Union{Inputs: []ir.Node{a, b}, Out: a.Out}, tables: abTables,
			want: []R{{int64(1), "x"}, {nil, nil}, {int64(1), "x"}, {nil, nil}, {int64(2), "y"}, {int64(1), "x"}}},
		{name: "union distinct", plan: &ir.Union{Inputs: []ir.Node{a, b}, Distinct: true, Out: a.Out}, tables: abTables,
			want: []R{{int64(1), "x"}, {nil, nil}, {int64(2), "y"}}},
		{name: "a node used twice is read twice", plan: &ir.Union{Inputs: []ir.Node{twice, twice}, Out: a.Out}, tables: abTables,
			want: []R{{int64(1), "x"}, {int64(1), "x"}, {int64(1), "x"}, {int64(1), "x"}}},
		{name: "union of empty inputs", plan: &ir.Union{Inputs: []ir.Node{a, b}, Out: a.Out}, tables: reference.Tables{"a": {}, "b": {}}, want: rows()},
	})
}

func TestCheck(t *testing.T) {
	in := scan("t", schema("x", tI64))
	// null_count(x) == 0, as the compiler writes it.
	check := ir.Check{Name: "no_nulls", Root: &ir.Project{
		Input: &ir.Aggregate{Input: in, Aggs: []ir.AggCall{
			{Meta: ir.Meta{T: tI64}, Fn: ir.AggCountRows},
			{Meta: ir.Meta{T: tI64}, Fn: ir.AggCount, Arg: col(0, tI64)},
		}, Out: schema("count()", tI64, "count(x)", tI64)},
		Exprs: []ir.Expr{pred(ir.Eq, bin(ir.Sub, col(0, tI64), col(1, tI64), tI64), lit(tI64, int64(0)))},
		Out:   schema("ok", tBool),
	}}
	// max(x) > 0: null over no rows, which fails.
	maxCheck := ir.Check{Name: "positive", Root: &ir.Project{
		Input: &ir.Aggregate{Input: in, Aggs: []ir.AggCall{{Meta: meta(tI64), Fn: ir.AggMax, Arg: col(0, tI64)}}, Out: schema("max(x)", tI64)},
		Exprs: []ir.Expr{pred(ir.Gt, col(0, tI64), lit(tI64, int64(0)))},
		Out:   schema("ok", tBool),
	}}
	tests := []struct {
		name  string
		check ir.Check
		rows  []R
		want  bool
	}{
		{"passes", check, []R{{int64(1)}, {int64(2)}}, true},
		{"fails", check, []R{{int64(1)}, {nil}}, false},
		{"passes over no rows", check, nil, true},
		{"a null result fails", maxCheck, nil, false},
		{"max passes", maxCheck, []R{{int64(-1)}, {int64(3)}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := reference.Check(tt.check, reference.Tables{"t": tt.rows}, reference.Env{})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Check = %v, want %v", got, tt.want)
			}
		})
	}
	// A plan that is not one bool is refused.
	if _, err := reference.Check(ir.Check{Name: "bad", Root: in}, reference.Tables{"t": {{int64(1)}, {int64(2)}}}, reference.Env{}); err == nil {
		t.Error("Check of a two-row plan: no error")
	}
}

// TestRunResultIsACopy: changing Run's result changes neither the tables
// nor the next run.
func TestRunResultIsACopy(t *testing.T) {
	tables := reference.Tables{"nums": {{int64(1), "a"}}}
	got := mustRun(t, nums, tables)
	got[0][0] = int64(99)
	if tables["nums"][0][0] != int64(1) {
		t.Errorf("the table changed: %v", tables["nums"])
	}
}

// TestRunRefusesMismatchedTypes: the reference does not guess when the
// plan's types disagree (two decimal scales look alike as int64s); it
// reports the plan as wrong.
func TestRunRefusesMismatchedTypes(t *testing.T) {
	d2 := scan("d", schema("a", tDec(18, 2), "b", tDec(18, 4)))
	tables := reference.Tables{"d": {{dec("1", 2), dec("1", 4)}}}
	runNodeCases(t, []nodeCase{
		{
			name:   "comparison of two decimal scales",
			plan:   &ir.Filter{Input: d2, Pred: pred(ir.Eq, col(0, tDec(18, 2)), col(1, tDec(18, 4)))},
			tables: tables,
			err:    "internal: == compares decimal(18,2) with decimal(18,4)",
		},
		{
			name: "join keys of two types",
			plan: &ir.Join{Left: d2, Right: d2, Kind: ir.InnerJoin, LeftKeys: []ir.Expr{col(0, tDec(18, 2))}, RightKeys: []ir.Expr{col(1, tDec(18, 4))},
				Out: append(append(types.Schema{}, d2.Out...), d2.Out...)},
			tables: tables,
			err:    "key 1 is decimal(18,2) on the left, decimal(18,4) on the right",
		},
		{
			name:   "union inputs of other types",
			plan:   &ir.Union{Inputs: []ir.Node{d2}, Out: schema("a", tDec(18, 2), "b", tDec(18, 2))},
			tables: tables,
			err:    "differ from the union's",
		},
		{
			name:   "project whose expression does not have its column's type",
			plan:   &ir.Project{Input: d2, Exprs: []ir.Expr{col(1, tDec(18, 4))}, Out: schema("b", tDec(18, 2))},
			tables: tables,
			err:    "column b is decimal(18,2) but is computed as decimal(18,4)",
		},
	})
}
