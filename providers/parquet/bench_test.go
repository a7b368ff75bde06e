package parquet

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/s3"
	"github.com/meshctl/meshctl/providers/s3/s3test"
)

// customers is the shape of ANCHORS.md's customers table.
var customers = types.Schema{
	col("id", types.Int64Type, false),
	col("name", types.StringType, true),
	col("age", types.Int32Type, false),
	col("country", types.StringType, true),
	col("signup_date", types.DateType, true),
	col("income", types.Float64Type, true),
	col("email", types.StringType, true),
}

var (
	firstNames = []string{"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
		"William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
		"Charles", "Karen", "Anna", "Lukas", "Sofia", "Mateo", "Emma", "Noah", "Olivia", "Liam", "Mia", "Hugo",
		"Chloe", "Yuki"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
		"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
		"Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Muller", "Schmidt", "Dubois",
		"Rossi", "Tanaka", "Silva", "Novak", "Jensen"}
	countryCodes = []string{"US", "DE", "FR", "GB", "JP", "CN", "IN", "BR", "CA", "IT", "ES", "MX", "KR",
		"AU", "NL", "RU", "CH", "SE", "PL", "BE", "AT", "NO", "DK", "FI", "IE", "PT", "CZ", "GR", "HU", "RO",
		"TR", "IL", "ZA", "AR", "CL", "CO", "NZ", "SG", "TH", "VN"}
	domains = []string{"Example.com", "mail.NET", "Inbox.org", "corp.IO", "Post.de", "web.FR"}
)

// genCustomers calls fn with batches of the customers table, rows first
// to first+n-1, generated deterministically from seed. The batch is reused.
func genCustomers(seed int64, first, n, batchSize int, fn func(*vector.Batch)) {
	r := rand.New(rand.NewSource(seed))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(countryCodes)-1))
	b := vector.NewBatch(customers, batchSize)
	day0, _ := ir.ParseDate("2010-01-01")
	day1, _ := ir.ParseDate("2024-12-31")
	var email []byte
	for done := 0; done < n; {
		k := min(batchSize, n-done)
		b.Reset(k)
		id, name, age, country, signup, income, mail := b.Cols[0], b.Cols[1], b.Cols[2], b.Cols[3], b.Cols[4], b.Cols[5], b.Cols[6]
		for i := range k {
			f, l := firstNames[r.Intn(len(firstNames))], lastNames[r.Intn(len(lastNames))]
			id.I64[i] = int64(first + done + i)
			name.AppendString(i, []byte(f+" "+l))
			age.I32[i] = int32(10 + r.Intn(80))
			country.AppendString(i, []byte(countryCodes[zipf.Uint64()]))
			signup.I32[i] = int32(day0 + r.Int63n(day1-day0+1))
			if r.Intn(50) == 0 {
				income.SetNull(i)
			} else {
				u := r.Float64()
				income.F64[i] = float64(1_500_000+int64(u*u*u*19_999_999)) / 100
			}
			email = fmt.Appendf(email[:0], "%s.%s%d@%s", f, l, id.I64[i], domains[r.Intn(len(domains))])
			mail.AppendString(i, email)
		}
		fn(b)
		done += k
	}
}

// customersFile returns a Parquet file of n customers, written once by the
// Sinker into a cache folder below the system's temporary folder (it is
// large and slow to generate, so benchmarks share it across runs).
func customersFile(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "meshctl-parquet-bench", fmt.Sprintf("customers-%d-v2", n))
	path := filepath.Join(dir, "part-00000.parquet")
	if _, err := os.Stat(path); err == nil {
		return dir
	}
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	w, err := Sinker{}.Create(ctx, dataio.SinkRequest{Schema: customers, Dir: tmp})
	if err != nil {
		b.Fatal(err)
	}
	genCustomers(1, 1, n, dataio.DefaultBatchSize, func(batch *vector.Batch) {
		if err := w.Write(ctx, batch); err != nil {
			b.Fatal(err)
		}
	})
	if _, err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

const benchRows = 10_000_000

// benchScan reads every morsel of the customers file with the given
// columns on threads goroutines.
func benchScan(b *testing.B, columns []int, threads int) {
	dir := customersFile(b, benchRows)
	benchScanWith(b, Scanner{Dir: dir}, ".", benchRows, columns, threads)
}

// benchScanWith reads every morsel of the customers file of want rows at
// path through s, with the given columns on threads goroutines.
func benchScanWith(b *testing.B, s Scanner, path string, want int64, columns []int, threads int) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var sink atomic.Int64
	for range b.N {
		sc, err := s.Open(ctx, dataio.ScanRequest{
			Source:  &ir.Source{Kind: ir.SourceParquet, Path: path},
			Schema:  customers,
			Columns: columns,
		})
		if err != nil {
			b.Fatal(err)
		}
		var next atomic.Int64
		var wg sync.WaitGroup
		for range threads {
			wg.Go(func() {
				var rows int64
				for {
					m := int(next.Add(1) - 1)
					if m >= sc.Morsels() {
						break
					}
					err := sc.Read(ctx, m, func(batch *vector.Batch) error {
						rows += int64(batch.Len)
						return nil
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
				sink.Add(rows)
			})
		}
		wg.Wait()
		if got := sc.Stats().Rows; got != want {
			b.Fatalf("read %d rows, want %d", got, want)
		}
		sc.Close()
	}
	b.ReportMetric(float64(want)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScanAgeCountry reads what ANCHORS.md's q1 needs: age (int32,
// required) and country (a dictionary-encoded string).
func BenchmarkScanAgeCountry(b *testing.B) {
	for _, threads := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) { benchScan(b, []int{2, 3}, threads) })
	}
}

// BenchmarkScanAllColumns reads the whole customers table.
func BenchmarkScanAllColumns(b *testing.B) {
	for _, threads := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) { benchScan(b, []int{0, 1, 2, 3, 4, 5, 6}, threads) })
	}
}

// BenchmarkWriteCustomers writes 10M customers rows with snappy, as q5
// does: 16 distinct batches of 64Ki rows are generated up front and
// written in turn.
func BenchmarkWriteCustomers(b *testing.B) {
	const distinct = 16
	var batches []*vector.Batch
	genCustomers(2, 1, distinct*dataio.DefaultBatchSize, dataio.DefaultBatchSize, func(batch *vector.Batch) {
		batches = append(batches, batch.Clone())
	})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	var bytes int64
	for range b.N {
		dir := b.TempDir()
		w, err := Sinker{}.Create(ctx, dataio.SinkRequest{Schema: customers, Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		for done, i := 0, 0; done < benchRows; i++ {
			batch := batches[i%distinct]
			if n := benchRows - done; n < batch.Len {
				batch = &vector.Batch{Cols: batch.Cols, Len: n}
			}
			if err := w.Write(ctx, batch); err != nil {
				b.Fatal(err)
			}
			done += batch.Len
		}
		files, err := w.Close(ctx)
		if err != nil {
			b.Fatal(err)
		}
		bytes = 0
		for _, f := range files {
			bytes += f.Bytes
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(bytes)/(1<<20), "MB/file")
}

// s3BenchRows makes a customers file of about 100 MB.
const s3BenchRows = 5_000_000

// BenchmarkS3Scan reads a customers file of about 100 MB from the
// in-process S3 server, over loopback HTTP, and from the local disk (warm
// page cache), every column and two of them, on every core. The server
// runs in the benchmark's process and shares its cores.
func BenchmarkS3Scan(b *testing.B) {
	dir := customersFile(b, s3BenchRows)
	data, err := os.ReadFile(filepath.Join(dir, "part-00000.parquet"))
	if err != nil {
		b.Fatal(err)
	}
	srv := s3test.Start(b, "lake")
	_, err = srv.Client.PutObject(context.Background(), &awss3.PutObjectInput{
		Bucket: aws.String(srv.Bucket), Key: aws.String("customers/part-00000.parquet"), Body: bytes.NewReader(data),
	})
	if err != nil {
		b.Fatal(err)
	}
	st := s3.NewStore(srv.Client)
	threads := runtime.GOMAXPROCS(0)
	for _, cols := range []struct {
		name    string
		columns []int
	}{{"all", []int{0, 1, 2, 3, 4, 5, 6}}, {"age,country", []int{2, 3}}} {
		b.Run("local/"+cols.name, func(b *testing.B) {
			benchScanWith(b, Scanner{Dir: dir}, ".", s3BenchRows, cols.columns, threads)
			b.ReportMetric(float64(len(data))/(1<<20), "MB/file")
		})
		b.Run("s3/"+cols.name, func(b *testing.B) {
			before := st.Stats()
			benchScanWith(b, Scanner{S3: oneStore{st}}, "s3://lake/customers/", s3BenchRows, cols.columns, threads)
			after := st.Stats()
			b.ReportMetric(float64(after.Bytes-before.Bytes)/float64(b.N)/(1<<20), "MB-fetched/op")
			b.ReportMetric(float64(after.Requests-before.Requests)/float64(b.N), "requests/op")
		})
	}
}
