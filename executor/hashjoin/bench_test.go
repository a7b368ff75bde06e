package hashjoin

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// q3Countries is the dictionary of the customers' country column.
var q3Countries = []string{"US", "DE", "FR", "GB", "JP", "CN", "IN", "BR", "IT", "ES"}

// q3Build returns the build side of ANCHORS q3 in batches of batch rows:
// customers.id 1..n (the key) with a payload of country (dictionary-encoded)
// and income (float64, ~2% null).
func q3Build(n, batch int) ([][]*vector.Vector, []*vector.Batch) {
	rng := rand.New(rand.NewPCG(1, 2))
	dict := vector.New(types.StringType, len(q3Countries))
	dict.Reset(len(q3Countries))
	for i, c := range q3Countries {
		dict.AppendString(i, []byte(c))
	}
	var keys [][]*vector.Vector
	var data []*vector.Batch
	for lo := 0; lo < n; lo += batch {
		k := min(batch, n-lo)
		id := vector.New(types.Int64Type, k)
		id.Reset(k)
		country := vector.New(types.StringType, k)
		country.Reset(k)
		country.Dict, country.Codes = dict, make([]int32, k)
		income := vector.New(types.Float64Type, k)
		income.Reset(k)
		for i := range k {
			id.I64[i] = int64(lo + i + 1)
			country.Codes[i] = int32(rng.IntN(len(q3Countries)))
			income.F64[i] = float64(rng.IntN(20_000_000)) / 100
			if rng.IntN(50) == 0 {
				income.SetNull(i)
			}
		}
		keys = append(keys, []*vector.Vector{id})
		data = append(data, &vector.Batch{Cols: []*vector.Vector{country, income}, Len: k})
	}
	return keys, data
}

var q3Payload = types.Schema{
	{Name: "country", Type: types.StringType},
	{Name: "income", Type: types.Float64Type, Nullable: true},
}

// q3Probe returns m orders in batches: customer_id uniform over 1..n (every
// order matches once) and amount.
func q3Probe(n, m, batch int) ([][]*vector.Vector, []*vector.Batch) {
	rng := rand.New(rand.NewPCG(3, 4))
	var keys [][]*vector.Vector
	var data []*vector.Batch
	for lo := 0; lo < m; lo += batch {
		k := min(batch, m-lo)
		cid := vector.New(types.Int64Type, k)
		cid.Reset(k)
		amount := vector.New(types.Float64Type, k)
		amount.Reset(k)
		for i := range k {
			cid.I64[i] = int64(rng.IntN(n) + 1)
			amount.F64[i] = float64(rng.IntN(50_000)+1) / 100
		}
		keys = append(keys, []*vector.Vector{cid})
		data = append(data, &vector.Batch{Cols: []*vector.Vector{amount}, Len: k})
	}
	return keys, data
}

func q3Table(tb testing.TB, n, batch int) (*Table, [][]*vector.Vector, []*vector.Batch) {
	tb.Helper()
	keys, data := q3Build(n, batch)
	b := NewBuilder([]types.Type{types.Int64Type}, q3Payload)
	for i := range data {
		if err := b.Add(keys[i], data[i]); err != nil {
			tb.Fatal(err)
		}
	}
	tab, err := b.Finish(runtime.GOMAXPROCS(0))
	if err != nil {
		tb.Fatal(err)
	}
	pk, pd := q3Probe(n, batch, batch)
	return tab, pk, pd
}

const benchBatch = 64 * 1024

// layouts are the two tables a single int64 key may get: q3's ids 1..N
// make a dense one; hashed is what sparse ids would get.
var layouts = []struct {
	name        string
	denseFactor int
}{{"dense", 3}, {"hashed", 0}}

// BenchmarkBuild builds ANCHORS q3's hash table: 1M int64 keys with a
// 2-column payload (Add and Finish).
func BenchmarkBuild(b *testing.B) {
	const n = 1 << 20
	keys, data := q3Build(n, benchBatch)
	defer func(f int) { denseFactor = f }(denseFactor)
	for _, l := range layouts {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", l.name, workers), func(b *testing.B) {
				denseFactor = l.denseFactor
				b.ReportAllocs()
				var st Stats
				cpu0 := cpuTime()
				for b.Loop() {
					bld := NewBuilder([]types.Type{types.Int64Type}, q3Payload)
					for i := range data {
						if err := bld.Add(keys[i], data[i]); err != nil {
							b.Fatal(err)
						}
					}
					tab, err := bld.Finish(workers)
					if err != nil {
						b.Fatal(err)
					}
					st = tab.Stats()
				}
				cpu := cpuTime() - cpu0
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/n, "cpu-ns/row")
				b.ReportMetric(float64(st.TableBytes)/n, "table-B/row")
				b.ReportMetric(float64(st.PayloadBytes)/n, "payload-B/row")
			})
		}
	}
}

// BenchmarkProbe probes ANCHORS q3's shape: 5M orders against 1M customers,
// inner join, every order matching once; one prober per goroutine.
func BenchmarkProbe(b *testing.B) {
	const n, m = 1 << 20, 5 << 20
	keys, data := q3Build(n, benchBatch)
	pk, pd := q3Probe(n, m, benchBatch)
	defer func(f int) { denseFactor = f }(denseFactor)
	for _, l := range layouts {
		denseFactor = l.denseFactor
		bld := NewBuilder([]types.Type{types.Int64Type}, q3Payload)
		for i := range data {
			if err := bld.Add(keys[i], data[i]); err != nil {
				b.Fatal(err)
			}
		}
		tab, err := bld.Finish(2)
		if err != nil {
			b.Fatal(err)
		}
		for _, probers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/probers=%d", l.name, probers), func(b *testing.B) {
				b.ReportAllocs()
				ps := make([]*Prober, probers)
				for i := range ps {
					ps[i] = tab.NewProber()
				}
				cpu0 := cpuTime()
				for b.Loop() {
					var wg sync.WaitGroup
					for w := range probers {
						wg.Add(1)
						go func() {
							defer wg.Done()
							rows := 0
							for i := w; i < len(pd); i += probers {
								err := ps[w].Probe(ir.InnerJoin, pk[i], pd[i], benchBatch, func(o *vector.Batch) error {
									rows += o.Len
									return nil
								})
								if err != nil {
									b.Error(err)
									return
								}
							}
						}()
					}
					wg.Wait()
				}
				cpu := cpuTime() - cpu0
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/m, "ns/probe-row")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/m, "cpu-ns/probe-row")
			})
		}
	}
}

// BenchmarkProbeString is the general path: a string key, 1M build rows,
// 1M probe rows.
func BenchmarkProbeString(b *testing.B) {
	const n = 1 << 20
	mk := func(seed uint64, count int) ([]*vector.Vector, []*vector.Batch) {
		rng := rand.New(rand.NewPCG(seed, 9))
		var ks []*vector.Vector
		var ds []*vector.Batch
		for lo := 0; lo < count; lo += benchBatch {
			k := min(benchBatch, count-lo)
			v := vector.New(types.StringType, k)
			v.Reset(k)
			for i := range k {
				id := lo + i
				if seed != 1 {
					id = rng.IntN(n)
				}
				v.AppendString(i, []byte("customer-"+itoa(int64(id))))
			}
			ks = append(ks, v)
			ds = append(ds, &vector.Batch{Len: k})
		}
		return ks, ds
	}
	bk, bd := mk(1, n)
	bld := NewBuilder([]types.Type{types.StringType}, nil)
	for i := range bd {
		if err := bld.Add([]*vector.Vector{bk[i]}, bd[i]); err != nil {
			b.Fatal(err)
		}
	}
	tab, err := bld.Finish(2)
	if err != nil {
		b.Fatal(err)
	}
	pk, pd := mk(2, n)
	p := tab.NewProber()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		for i := range pd {
			if err := p.Probe(ir.InnerJoin, []*vector.Vector{pk[i]}, pd[i], benchBatch, func(*vector.Batch) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/probe-row")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/n, "cpu-ns/probe-row")
}

// BenchmarkBuild10M builds q3's table at N = 10M, the anchor's large scale,
// and reports its memory. It needs about 1.5 GB, so it runs only with
// MESHCTL_BENCH_LARGE=1.
func BenchmarkBuild10M(b *testing.B) {
	if os.Getenv("MESHCTL_BENCH_LARGE") == "" {
		b.Skip("set MESHCTL_BENCH_LARGE=1 to build 10M rows")
	}
	const n = 10_000_000
	keys, data := q3Build(n, benchBatch)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			var st Stats
			cpu0 := cpuTime()
			for b.Loop() {
				bld := NewBuilder([]types.Type{types.Int64Type}, q3Payload)
				for i := range data {
					if err := bld.Add(keys[i], data[i]); err != nil {
						b.Fatal(err)
					}
				}
				tab, err := bld.Finish(workers)
				if err != nil {
					b.Fatal(err)
				}
				st = tab.Stats()
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/n, "cpu-ns/row")
			b.ReportMetric(float64(st.TableBytes)/n, "table-B/row")
			b.ReportMetric(float64(st.PayloadBytes)/n, "payload-B/row")
		})
	}
}
