package eval

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// The benchmarks run one 64K-row batch shaped like ANCHORS.md's customers
// table and report ns/row.

const benchRows = 64 * 1024

var benchSchema = types.Schema{
	{Name: "age", Type: types.Int32Type},
	{Name: "country", Type: types.StringType, Nullable: true},
	{Name: "email", Type: types.StringType},
	{Name: "income", Type: types.Float64Type, Nullable: true},
	{Name: "amount", Type: dec(18, 2)},
	{Name: "amount2", Type: dec(18, 2)},
	{Name: "digits", Type: types.StringType},
	{Name: "income2", Type: types.Float64Type},
}

var countries = []string{"US", "DE", "FR", "GB", "JP", "CN", "IN", "BR", "CA", "AU", "IT", "ES", "MX", "KR", "NL",
	"SE", "CH", "PL", "BE", "AT", "NO", "DK", "FI", "IE", "PT", "CZ", "GR", "HU", "RO", "NZ",
	"AR", "CL", "CO", "PE", "ZA", "EG", "NG", "KE", "TR", "IL"}

// benchBatch builds the batch; country is dictionary-encoded when dict.
func benchBatch(dict bool) *vector.Batch {
	r := rand.New(rand.NewPCG(42, 1))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(7, 7)), 1.1, 1, uint64(len(countries)-1))
	b := vector.NewBatch(benchSchema, benchRows)
	b.Reset(benchRows)
	age, country, email, income, amount, amount2, digits, income2 := b.Cols[0], b.Cols[1], b.Cols[2], b.Cols[3], b.Cols[4], b.Cols[5], b.Cols[6], b.Cols[7]
	codes := make([]int32, benchRows)
	income.EnsureValid()
	first := []string{"Ann", "Bob", "Carla", "Dmitri", "Eve", "Farid", "Gus", "Hana"}
	last := []string{"Lee", "Smith", "Okafor", "Novak", "Garcia", "Kim", "Rossi", "Ito"}
	for i := 0; i < benchRows; i++ {
		age.I32[i] = int32(10 + r.IntN(80))
		codes[i] = int32(zipf.Uint64())
		country.AppendString(i, []byte(countries[codes[i]]))
		email.AppendString(i, fmt.Appendf(nil, "%s.%s%d@Example%d.COM", first[r.IntN(8)], last[r.IntN(8)], i, r.IntN(100)))
		income.F64[i] = float64(1_500_000+r.IntN(20_000_000)) / 100
		if r.IntN(50) == 0 {
			income.Valid.Clear(i)
		}
		amount.I64[i] = int64(r.IntN(100_000_000))
		amount2.I64[i] = int64(r.IntN(100_000_000))
		digits.AppendString(i, strconv.AppendInt(nil, r.Int64N(1e12)-5e11, 10))
		income2.F64[i] = float64(1_500_000+r.IntN(20_000_000)) / 100
	}
	if dict {
		d := vector.New(types.StringType, len(countries))
		d.Reset(len(countries))
		for i, c := range countries {
			d.AppendString(i, []byte(c))
		}
		country.Dict, country.Codes = d, codes
	}
	return b
}

func col(name string) *ir.ColumnRef {
	i := benchSchema.Index(name)
	return &ir.ColumnRef{Meta: ir.Meta{T: benchSchema[i].Type, Null: benchSchema[i].Nullable}, Index: i, Name: name}
}

func benchEval(b *testing.B, e ir.Expr, batch *vector.Batch) {
	p, err := Compile(e, benchSchema, Env{})
	if err != nil {
		b.Fatal(err)
	}
	ev := p.NewEvaluator()
	out := vector.New(e.Type(), benchRows)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		if err := ev.Eval(batch, out); err != nil {
			b.Fatal(err)
		}
	}
	reportPerRow(b, cpuTime()-cpu)
}

func benchSelect(b *testing.B, e ir.Expr, batch *vector.Batch) {
	p, err := Compile(e, benchSchema, Env{})
	if err != nil {
		b.Fatal(err)
	}
	ev := p.NewEvaluator()
	sel := make([]int32, 0, benchRows)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	cpu := cpuTime()
	for b.Loop() {
		sel, err = ev.Select(batch, sel)
		if err != nil {
			b.Fatal(err)
		}
		n = len(sel)
	}
	reportPerRow(b, cpuTime()-cpu)
	b.ReportMetric(float64(n)/benchRows, "selected")
}

// reportPerRow reports wall and CPU nanoseconds per row.
func reportPerRow(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/benchRows, "cpu-ns/row")
	}
}

func inCountries() ir.Expr {
	x := col("country")
	return &ir.In{Meta: ir.Meta{T: types.BoolType, Null: true}, X: x,
		List: []ir.Value{{Type: types.StringType, Str: "DE"}, {Type: types.StringType, Str: "FR"}}}
}

func BenchmarkSelectAgeGT18(b *testing.B) {
	e := &ir.Binary{Meta: ir.Meta{T: types.BoolType}, Op: ir.Gt, L: col("age"), R: &ir.Literal{Meta: ir.Meta{T: types.Int32Type}, Value: ir.Value{Type: types.Int32Type, Int: 18}}}
	benchSelect(b, e, benchBatch(false))
}

func BenchmarkSelectCountryInDict(b *testing.B) { benchSelect(b, inCountries(), benchBatch(true)) }
func BenchmarkSelectCountryInFlat(b *testing.B) { benchSelect(b, inCountries(), benchBatch(false)) }
func BenchmarkEvalCountryInDict(b *testing.B)   { benchEval(b, inCountries(), benchBatch(true)) }
func BenchmarkEvalCountryInFlat(b *testing.B)   { benchEval(b, inCountries(), benchBatch(false)) }

// q2's filter: country IN ('DE','FR') AND income IS NOT NULL.
func BenchmarkSelectQ2Filter(b *testing.B) {
	e := &ir.Binary{Meta: ir.Meta{T: types.BoolType, Null: true}, Op: ir.And, L: inCountries(),
		R: &ir.IsNull{Meta: ir.Meta{T: types.BoolType}, X: col("income"), Negated: true}}
	benchSelect(b, e, benchBatch(true))
}

func BenchmarkEvalLowerEmail(b *testing.B) {
	benchEval(b, &ir.Call{Meta: ir.Meta{T: types.StringType}, Fn: ir.FnLower, Args: []ir.Expr{col("email")}}, benchBatch(false))
}

func BenchmarkEvalIncomeTimes1_1(b *testing.B) {
	e := &ir.Binary{Meta: ir.Meta{T: types.Float64Type, Null: true}, Op: ir.Mul, L: col("income"),
		R: &ir.Literal{Meta: ir.Meta{T: types.Float64Type}, Value: ir.Value{Type: types.Float64Type, Float: 1.1}}}
	benchEval(b, e, benchBatch(false))
}

func BenchmarkEvalDecimalAdd(b *testing.B) {
	e := &ir.Binary{Meta: ir.Meta{T: dec(19, 2)}, Op: ir.Add, L: col("amount"), R: col("amount2")}
	benchEval(b, e, benchBatch(false))
}

func BenchmarkEvalCastStringToInt64(b *testing.B) {
	e := &ir.Cast{Meta: ir.Meta{T: types.Int64Type}, X: col("digits"), Explicit: true}
	benchEval(b, e, benchBatch(false))
}

// Float comparisons follow the total order (NaN equal to NaN, above every
// number); the data has no NaN, the common case they must stay fast for.
// Half the rows compare true, so a branchy kernel would mispredict.

func floatCmp(op ir.BinaryOp, r ir.Expr) ir.Expr {
	return &ir.Binary{Meta: ir.Meta{T: types.BoolType, Null: true}, Op: op, L: col("income"), R: r}
}

func floatLit(f float64) ir.Expr {
	return &ir.Literal{Meta: ir.Meta{T: types.Float64Type}, Value: ir.Value{Type: types.Float64Type, Float: f}}
}

func BenchmarkEvalFloatEqColumns(b *testing.B) {
	benchEval(b, floatCmp(ir.Eq, col("income2")), benchBatch(false))
}

func BenchmarkEvalFloatLtColumns(b *testing.B) {
	benchEval(b, floatCmp(ir.Lt, col("income2")), benchBatch(false))
}

func BenchmarkEvalFloatGeColumns(b *testing.B) {
	benchEval(b, floatCmp(ir.Ge, col("income2")), benchBatch(false))
}

func BenchmarkEvalFloatGtConst(b *testing.B) {
	benchEval(b, floatCmp(ir.Gt, floatLit(100_000)), benchBatch(false))
}

func BenchmarkSelectFloatGtConst(b *testing.B) {
	benchSelect(b, floatCmp(ir.Gt, floatLit(100_000)), benchBatch(false))
}

func BenchmarkSelectFloatLeConst(b *testing.B) {
	benchSelect(b, floatCmp(ir.Le, floatLit(100_000)), benchBatch(false))
}

func BenchmarkSelectFloatIn(b *testing.B) {
	e := &ir.In{Meta: ir.Meta{T: types.BoolType, Null: true}, X: col("income"), List: []ir.Value{
		{Type: types.Float64Type, Float: 15000}, {Type: types.Float64Type, Float: 100000.5}, {Type: types.Float64Type, Float: 214999.99}}}
	benchSelect(b, e, benchBatch(false))
}

// BenchmarkBaselineLoop is the cost of the simplest loop over the age
// column (count age > 18), to read the others against on a noisy machine.
func BenchmarkBaselineLoop(b *testing.B) {
	ages := benchBatch(false).Cols[0].I32
	n := 0
	cpu := cpuTime()
	for b.Loop() {
		k := 0
		for _, a := range ages {
			if a > 18 {
				k++
			}
		}
		n += k
	}
	reportPerRow(b, cpuTime()-cpu)
	if n == 0 {
		b.Fatal("no rows")
	}
}
