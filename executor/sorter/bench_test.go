package sorter

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// The benchmarks report ns/row: wall time per sorted row, every worker
// included.

var firstNames = []string{"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
	"William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
	"Charles", "Karen", "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret",
	"Mark", "Sandra", "Donald", "Ashley"}

var lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
	"Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark",
	"Ramirez", "Lewis", "Robinson", "Walker", "Young"}

// benchStrings returns n strings: "First Last" names (1,024 distinct values)
// or unique emails "First.Last<id>@domain.tld" (long shared prefixes), as
// in the customers table of perf/ANCHORS.md.
func benchStrings(n int, emails bool) *vector.Vector {
	r := rand.New(rand.NewPCG(3, 4))
	v := vector.New(types.StringType, n)
	v.Reset(n)
	var buf []byte
	for i := range n {
		f, l := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		if emails {
			buf = fmt.Appendf(buf[:0], "%s.%s%d@%s.com", f, l, r.IntN(n)+1, []string{"Example", "mail", "Acme"}[r.IntN(3)])
		} else {
			buf = fmt.Appendf(buf[:0], "%s %s", f, l)
		}
		v.AppendString(i, buf)
	}
	return v
}

func benchInt64s(n int) *vector.Vector {
	r := rand.New(rand.NewPCG(1, 2))
	v := vector.New(types.Int64Type, n)
	v.Reset(n)
	for i := range v.I64 {
		v.I64[i] = int64(r.Uint64())
	}
	return v
}

func benchFloats(n int) *vector.Vector {
	r := rand.New(rand.NewPCG(5, 6))
	v := vector.New(types.Float64Type, n)
	v.Reset(n)
	for i := range v.F64 {
		v.F64[i] = float64(r.IntN(50000)+1) / 100 // whole cents, like orders.amount
	}
	return v
}

// cpuTime returns the CPU time the process has used (every thread, GC
// included): on a shared machine it measures the work done better than
// wall time, which other processes inflate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportPerRow reports wall and CPU nanoseconds per row.
func reportPerRow(b *testing.B, n int, cpu0 time.Duration) {
	rows := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/rows, "cpu-ns/row")
}

func benchSort(b *testing.B, keys []*vector.Vector, spec []Key, n int) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := Sort(keys, spec, n, workers); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRow(b, n, cpu0)
		})
	}
}

func BenchmarkSortInt64_10M(b *testing.B) {
	n := 10_000_000
	benchSort(b, []*vector.Vector{benchInt64s(n)}, []Key{{}}, n)
}

func BenchmarkSortNames_1M(b *testing.B) {
	n := 1_000_000
	benchSort(b, []*vector.Vector{benchStrings(n, false)}, []Key{{}}, n)
}

func BenchmarkSortEmails_1M(b *testing.B) {
	n := 1_000_000
	benchSort(b, []*vector.Vector{benchStrings(n, true)}, []Key{{}}, n)
}

func BenchmarkSortNameAscAmountDesc_1M(b *testing.B) {
	n := 1_000_000
	benchSort(b, []*vector.Vector{benchStrings(n, false), benchFloats(n)}, []Key{{}, {Desc: true}}, n)
}

func BenchmarkTopN100Int64_10M(b *testing.B) {
	n := 10_000_000
	keys := []*vector.Vector{benchInt64s(n)}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := TopN(keys, []Key{{}}, n, 100, workers); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRow(b, n, cpu0)
		})
	}
}

// benchCountries returns n dictionary-encoded codes over 40 countries with
// a Zipf skew, like customers.country.
func benchCountries(n int) *vector.Vector {
	r := rand.New(rand.NewPCG(7, 8))
	z := rand.NewZipf(r, 1.1, 1, 39)
	dict := vector.New(types.StringType, 40)
	dict.Reset(40)
	for i := range 40 {
		dict.AppendString(i, []byte{byte('Z' - i%26), byte('A' + i)})
	}
	v := vector.New(types.StringType, n)
	v.Reset(n)
	v.Dict = dict
	v.Codes = make([]int32, n)
	for i := range v.Codes {
		v.Codes[i] = int32(z.Uint64())
	}
	return v
}

func BenchmarkSortCountryAscAmountDesc_1M(b *testing.B) {
	n := 1_000_000
	benchSort(b, []*vector.Vector{benchCountries(n), benchFloats(n)}, []Key{{}, {Desc: true}}, n)
}
