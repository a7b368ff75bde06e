package csv

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// customersSchema is the customers table of shared/perf/ANCHORS.md.
var customersSchema = types.Schema{
	notNull("id", types.Int64Type),
	col("name", types.StringType),
	notNull("age", types.Int32Type),
	col("country", types.StringType),
	col("signup_date", types.DateType),
	col("income", types.Float64Type),
	col("email", types.StringType),
}

var (
	firstNames = []string{"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
		"David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Christopher",
		"Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony", "Margaret", "Mark", "Sandra", "Donald", "Ashley"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
		"Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young"}
	countries = []string{"US", "DE", "FR", "GB", "IT", "ES", "NL", "BE", "CH", "AT", "SE", "NO", "DK", "FI", "PL", "CZ", "PT",
		"IE", "GR", "HU", "RO", "BG", "HR", "SI", "SK", "LT", "LV", "EE", "LU", "MT", "CY", "IS", "CA", "MX", "BR", "AR",
		"JP", "KR", "AU", "NZ"}
	domains = []string{"Example.com", "Mail.NET", "inbox.org", "ACME.io"}
)

// writeCustomersCSV writes n customers as ANCHORS.md describes them
// (deterministically: fixed seed) and returns the file's path.
func writeCustomersCSV(tb testing.TB, dir string, n int) string {
	tb.Helper()
	p := filepath.Join(dir, "customers.csv")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(42, 1))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(countries)-1))
	start := date("2010-01-01")
	days := date("2024-12-31") - start + 1
	w.WriteString("id,name,age,country,signup_date,income,email\n")
	var line []byte
	for id := 1; id <= n; id++ {
		first, last := firstNames[r.IntN(32)], lastNames[r.IntN(32)]
		line = strconv.AppendInt(line[:0], int64(id), 10)
		line = append(line, ',')
		line = append(line, first...)
		line = append(line, ' ')
		line = append(line, last...)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(10+r.IntN(80)), 10)
		line = append(line, ',')
		line = append(line, countries[zipf.Uint64()]...)
		line = append(line, ',')
		line = appendDate(line, start+int32(r.IntN(int(days))))
		line = append(line, ',')
		if r.IntN(50) != 0 {
			// Right-skewed: most incomes are low.
			cents := 1_500_000 + int64(math.Pow(r.Float64(), 3)*19_999_999)
			line = strconv.AppendFloat(line, float64(cents)/100, 'f', -1, 64)
		}
		line = append(line, ',')
		line = append(line, first...)
		line = append(line, '.')
		line = append(line, last...)
		line = strconv.AppendInt(line, int64(id), 10)
		line = append(line, '@')
		line = append(line, domains[id%len(domains)]...)
		line = append(line, '\n')
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return p
}

var customersOnce struct {
	sync.Once
	dir  string
	size int64
}

// customersDir returns a temporary folder holding a 1M-row customers.csv,
// made once per test binary.
func customersDir(b *testing.B) (string, int64) {
	customersOnce.Do(func() {
		dir, err := os.MkdirTemp("", "meshctl-csv-bench")
		if err != nil {
			b.Fatal(err)
		}
		p := writeCustomersCSV(b, dir, 1_000_000)
		info, _ := os.Stat(p)
		customersOnce.dir, customersOnce.size = dir, info.Size()
	})
	return customersOnce.dir, customersOnce.size
}

func TestMain(m *testing.M) {
	code := m.Run()
	if customersOnce.dir != "" {
		os.RemoveAll(customersOnce.dir)
	}
	os.Exit(code)
}

// BenchmarkScanCustomers parses a 1M-row customers.csv into typed vectors,
// every column typed, on 1 and 2 goroutines.
func BenchmarkScanCustomers(b *testing.B) {
	dir, size := customersDir(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", workers), func(b *testing.B) {
			req := scanRequest("customers.csv", header, customersSchema, allColumns(len(customersSchema)))
			b.SetBytes(size)
			b.ReportAllocs()
			var rows int64
			start, cpu := time.Now(), cpuTime()
			for b.Loop() {
				rows += scanCount(b, Scanner{Dir: dir}, req, workers)
			}
			b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}

// scanCount reads every morsel with workers goroutines and counts rows.
func scanCount(b *testing.B, s Scanner, req dataio.ScanRequest, workers int) int64 {
	sc, err := s.Open(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	defer sc.Close()
	var mu sync.Mutex
	next := 0
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				m := next
				next++
				mu.Unlock()
				if m >= sc.Morsels() {
					return
				}
				if err := sc.Read(context.Background(), m, func(*vector.Batch) error { return nil }); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return sc.Stats().Rows
}

// BenchmarkWriteCustomers writes 1M customers (read once from the CSV) as
// one CSV file.
func BenchmarkWriteCustomers(b *testing.B) {
	dir, _ := customersDir(b)
	var batches []*vector.Batch
	sc, err := Scanner{Dir: dir}.Open(context.Background(), scanRequest("customers.csv", header, customersSchema, allColumns(len(customersSchema))))
	if err != nil {
		b.Fatal(err)
	}
	for m := range sc.Morsels() {
		if err := sc.Read(context.Background(), m, func(batch *vector.Batch) error {
			batches = append(batches, batch.Clone())
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	sc.Close()
	rows := sc.Stats().Rows
	b.ReportAllocs()
	var written int64
	start, cpu := time.Now(), cpuTime()
	for b.Loop() {
		out := b.TempDir()
		w, err := Sinker{}.Create(context.Background(), dataio.SinkRequest{Output: ir.Output{}, Schema: customersSchema, Dir: out})
		if err != nil {
			b.Fatal(err)
		}
		for _, batch := range batches {
			if err := w.Write(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
		}
		files, err := w.Close(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		written += files[0].Rows
		b.SetBytes(files[0].Bytes)
		os.RemoveAll(out)
	}
	if written%rows != 0 {
		b.Fatalf("wrote %d rows", written)
	}
	b.ReportMetric(float64(written)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
