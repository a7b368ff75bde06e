package hashagg

import (
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

const (
	benchRows  = 10_000_000
	benchBatch = 64 * 1024 // dataio.DefaultBatchSize
)

// benchBatches is the input of a benchmark: pre-built batches (keys, then
// arguments), fed as morsels of one batch each.
type benchInput struct {
	keys [][]*vector.Vector
	args [][]*vector.Vector
	rows int
}

// benchAggregate feeds the input with workers goroutines, each with its own
// table pulling batches from a shared counter, then finishes; it reports
// ns per input row.
func benchAggregate(b *testing.B, spec *Spec, in *benchInput, workers int) {
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	groups := 0
	for range b.N {
		tables := make([]*Table, workers)
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range tables {
			tables[w] = NewTable(spec)
			wg.Go(func() {
				for {
					i := int(next.Add(1) - 1)
					if i >= len(in.keys) {
						return
					}
					n := benchBatch
					if len(in.keys[i]) > 0 {
						n = in.keys[i][0].Len
					} else if len(in.args[i]) > 0 && in.args[i][0] != nil {
						n = in.args[i][0].Len
					}
					if err := tables[w].Add(in.keys[i], in.args[i], n, uint64(i)<<32); err != nil {
						panic(err)
					}
				}
			})
		}
		wg.Wait()
		out, err := Finish(tables, workers, benchBatch)
		if err != nil {
			b.Fatal(err)
		}
		groups = 0
		for _, o := range out {
			groups += o.Len
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(in.rows), "ns/row")
	// CPU time per row is steadier than wall time on a shared machine.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/float64(in.rows), "cpu-ns/row")
	b.ReportMetric(float64(groups), "groups")
}

// countryCodes are 40 ISO codes, most frequent first.
var countryCodes = []string{"US", "DE", "FR", "GB", "JP", "IT", "ES", "CA", "BR", "NL",
	"AU", "SE", "CH", "PL", "BE", "AT", "NO", "DK", "FI", "IE", "PT", "CZ", "GR", "HU",
	"RO", "MX", "AR", "CL", "CO", "IN", "CN", "KR", "SG", "NZ", "ZA", "IL", "TR", "UA", "SK", "LT"}

// countryInput is ANCHORS q1's key: 40 countries with Zipf(1.1) skew,
// dictionary-encoded (one dictionary, as in a Parquet column chunk) or
// flat.
func countryInput(dict bool) *benchInput {
	rnd := rand.New(rand.NewSource(1))
	z := rand.NewZipf(rnd, 1.1, 1, uint64(len(countryCodes)-1))
	d := vector.New(types.StringType, len(countryCodes))
	d.Reset(len(countryCodes))
	for i, c := range countryCodes {
		d.AppendString(i, []byte(c))
	}
	in := &benchInput{rows: benchRows}
	for lo := 0; lo < benchRows; lo += benchBatch {
		n := min(benchBatch, benchRows-lo)
		v := vector.New(types.StringType, n)
		v.Reset(n)
		if dict {
			v.Dict = d
			v.Codes = make([]int32, n)
			for i := range v.Codes {
				v.Codes[i] = int32(z.Uint64())
			}
		} else {
			for i := range n {
				v.AppendString(i, []byte(countryCodes[z.Uint64()]))
			}
		}
		in.keys = append(in.keys, []*vector.Vector{v})
		in.args = append(in.args, []*vector.Vector{nil})
	}
	return in
}

var countSpec = &Spec{KeyTypes: []types.Type{types.StringType}, Aggs: []AggSpec{{Fn: ir.AggCountRows, OutType: types.Int64Type}}}

// BenchmarkCountByDictString is ANCHORS q1's aggregation: count() by a
// 40-value dictionary-encoded string over 10M rows.
func BenchmarkCountByDictString(b *testing.B) {
	in := countryInput(true)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchAggregate(b, countSpec, in, w) })
	}
}

// BenchmarkCountByFlatString is the same with a plain string key.
func BenchmarkCountByFlatString(b *testing.B) {
	in := countryInput(false)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchAggregate(b, countSpec, in, w) })
	}
}

// int64Input is 10M rows of int64 keys uniform over groups values and a
// float64 argument.
func int64Input(groups int) *benchInput {
	rnd := rand.New(rand.NewSource(2))
	in := &benchInput{rows: benchRows}
	for lo := 0; lo < benchRows; lo += benchBatch {
		n := min(benchBatch, benchRows-lo)
		k := vector.New(types.Int64Type, n)
		k.Reset(n)
		f := vector.New(types.Float64Type, n)
		f.Reset(n)
		for i := range n {
			k.I64[i] = rnd.Int63n(int64(groups)) * 1_000_003
			f.F64[i] = float64(rnd.Intn(50000)+1) / 100
		}
		in.keys = append(in.keys, []*vector.Vector{k})
		in.args = append(in.args, []*vector.Vector{f})
	}
	return in
}

// BenchmarkSumFloatByInt64 is sum(float64) by an int64 key with 1M groups.
func BenchmarkSumFloatByInt64(b *testing.B) {
	in := int64Input(1_000_000)
	spec := &Spec{KeyTypes: []types.Type{types.Int64Type}, Aggs: []AggSpec{{Fn: ir.AggSum, ArgType: types.Float64Type, OutType: types.Float64Type}}}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchAggregate(b, spec, in, w) })
	}
}

// customerInput is 10M order rows: a customer id uniform over 1M
// customers, the customer's country (40 values, Zipf skew, a function of
// the customer, as after a join with customers), dictionary-encoded, and
// an amount (whole cents up to 500.00).
func customerInput() (ids, countries, amounts *benchInput) {
	rnd := rand.New(rand.NewSource(3))
	const customers = 1_000_000
	z := rand.NewZipf(rnd, 1.1, 1, uint64(len(countryCodes)-1))
	countryOf := make([]int32, customers)
	for i := range countryOf {
		countryOf[i] = int32(z.Uint64())
	}
	d := vector.New(types.StringType, len(countryCodes))
	d.Reset(len(countryCodes))
	for i, c := range countryCodes {
		d.AppendString(i, []byte(c))
	}
	ids, countries, amounts = &benchInput{rows: benchRows}, &benchInput{rows: benchRows}, &benchInput{rows: benchRows}
	for lo := 0; lo < benchRows; lo += benchBatch {
		n := min(benchBatch, benchRows-lo)
		id := vector.New(types.Int64Type, n)
		id.Reset(n)
		c := vector.New(types.StringType, n)
		c.Reset(n)
		c.Dict, c.Codes = d, make([]int32, n)
		a := vector.New(types.Float64Type, n)
		a.Reset(n)
		for i := range n {
			cust := rnd.Intn(customers)
			id.I64[i] = int64(cust + 1)
			c.Codes[i] = countryOf[cust]
			a.F64[i] = float64(rnd.Intn(50000)+1) / 100
		}
		ids.keys = append(ids.keys, []*vector.Vector{id})
		countries.keys = append(countries.keys, []*vector.Vector{c})
		amounts.keys = append(amounts.keys, []*vector.Vector{a})
	}
	return ids, countries, amounts
}

// BenchmarkCountSumByCountry is ANCHORS q3's aggregation: count() and
// sum(amount) by country over 10M joined rows.
func BenchmarkCountSumByCountry(b *testing.B) {
	_, countries, amounts := customerInput()
	in := &benchInput{rows: benchRows}
	for i := range countries.keys {
		in.keys = append(in.keys, countries.keys[i])
		in.args = append(in.args, []*vector.Vector{nil, amounts.keys[i][0]})
	}
	spec := &Spec{KeyTypes: []types.Type{types.StringType}, Aggs: []AggSpec{
		{Fn: ir.AggCountRows, OutType: types.Int64Type},
		{Fn: ir.AggSum, ArgType: types.Float64Type, OutType: types.Float64Type},
	}}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchAggregate(b, spec, in, w) })
	}
}

// BenchmarkCountDistinct is count_distinct(customer id) over 10M rows with
// 1M distinct customers: alone, and by country (1M distinct pairs).
func BenchmarkCountDistinct(b *testing.B) {
	ids, countries, _ := customerInput()
	alone := &benchInput{rows: benchRows}
	byCountry := &benchInput{rows: benchRows}
	for i := range ids.keys {
		alone.keys = append(alone.keys, nil)
		alone.args = append(alone.args, ids.keys[i])
		byCountry.keys = append(byCountry.keys, countries.keys[i])
		byCountry.args = append(byCountry.args, ids.keys[i])
	}
	cd := AggSpec{Fn: ir.AggCountDistinct, ArgType: types.Int64Type, OutType: types.Int64Type}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("alone/workers=%d", w), func(b *testing.B) { benchAggregate(b, &Spec{Aggs: []AggSpec{cd}}, alone, w) })
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("by-country/workers=%d", w), func(b *testing.B) {
			benchAggregate(b, &Spec{KeyTypes: []types.Type{types.StringType}, Aggs: []AggSpec{cd}}, byCountry, w)
		})
	}
}

// BenchmarkDistinct is distinct (country, customer id) over 10M rows: the
// general multi-key path, 1M groups.
func BenchmarkDistinct(b *testing.B) {
	ids, countries, _ := customerInput()
	in := &benchInput{rows: benchRows}
	for i := range ids.keys {
		in.keys = append(in.keys, []*vector.Vector{countries.keys[i][0], ids.keys[i][0]})
		in.args = append(in.args, nil)
	}
	spec := &Spec{KeyTypes: []types.Type{types.StringType, types.Int64Type}}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) { benchAggregate(b, spec, in, w) })
	}
}

// cpuTime returns the process's user and system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
