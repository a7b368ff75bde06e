package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// The test data: small enough to be fast, large enough for the shares to be
// meaningful, with row groups small enough that there are several and the
// last one is partial.
const (
	testCustomers = 2000
	testRowGroup  = 700
)

// customerRead is a customers row as read back, nulls as nil pointers.
type customerRead struct {
	ID         int64    `parquet:"id"`
	Name       *string  `parquet:"name,optional"`
	Age        int32    `parquet:"age"`
	Country    *string  `parquet:"country,optional"`
	SignupDate *int32   `parquet:"signup_date,optional,date"`
	Income     *float64 `parquet:"income,optional"`
	Email      *string  `parquet:"email,optional"`
}

// orderRead is an orders row as read back.
type orderRead struct {
	OrderID    int64    `parquet:"order_id"`
	CustomerID int64    `parquet:"customer_id"`
	Amount     *float64 `parquet:"amount,optional"`
	Status     *string  `parquet:"status,optional"`
	OrderedAt  *int64   `parquet:"ordered_at,optional,timestamp(microsecond:utc)"`
}

// generated caches one generation per test binary: most tests only read it.
var generated struct {
	dir string
	res result
}

// testData generates the test data once and returns its folder.
func testData(t *testing.T) (string, result) {
	t.Helper()
	if generated.dir == "" {
		dir, err := os.MkdirTemp("", "meshgen-test-")
		if err != nil {
			t.Fatal(err)
		}
		res, err := generate(context.Background(), options{customers: testCustomers, seed: 42, dir: dir, rowGroupRows: testRowGroup})
		if err != nil {
			t.Fatal(err)
		}
		generated.dir, generated.res = dir, res
	}
	return generated.dir, generated.res
}

func TestMain(m *testing.M) {
	code := m.Run()
	if generated.dir != "" {
		os.RemoveAll(generated.dir)
	}
	os.Exit(code)
}

// openParquet opens a Parquet file for the duration of the test.
func openParquet(t *testing.T, path string) *parquet.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return pf
}

// readAll reads every row of a Parquet file as T.
func readAll[T any](t *testing.T, path string) []T {
	t.Helper()
	pf := openParquet(t, path)
	r := parquet.NewGenericReader[T](pf)
	defer r.Close()
	rows := make([]T, pf.NumRows())
	n, err := r.Read(rows)
	if err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("read %s: %v", path, err)
	}
	if n != len(rows) {
		t.Fatalf("read %s: %d rows of %d", path, n, len(rows))
	}
	return rows
}

// column describes a leaf column as the tests check it.
type column struct {
	Name     string
	Required bool
	Logical  string
	Dict     bool
}

func TestParquetLayout(t *testing.T) {
	dir, _ := testData(t)
	tests := []struct {
		file      string
		rows      int64
		columns   []column
		rowGroups []int64
	}{
		{
			file: customersParquet,
			rows: testCustomers,
			columns: []column{
				{"id", true, "INT(64,true)", false},
				{"name", false, "STRING", false},
				{"age", true, "INT(32,true)", false},
				{"country", false, "STRING", true},
				{"signup_date", false, "DATE", false},
				{"income", false, "", false},
				{"email", false, "STRING", false},
			},
			rowGroups: []int64{700, 700, 600},
		},
		{
			file: ordersParquet,
			rows: testCustomers * ordersPerCustomer,
			columns: []column{
				{"order_id", true, "INT(64,true)", false},
				{"customer_id", true, "INT(64,true)", false},
				{"amount", false, "", false},
				{"status", false, "STRING", true},
				{"ordered_at", false, "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)", false},
			},
			rowGroups: append(slices.Repeat([]int64{700}, 14), 200),
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			pf := openParquet(t, filepath.Join(dir, tt.file))
			if pf.NumRows() != tt.rows {
				t.Errorf("rows = %d, want %d", pf.NumRows(), tt.rows)
			}
			var got []column
			for _, f := range pf.Schema().Fields() {
				c := column{Name: f.Name(), Required: f.Required()}
				if lt := f.Type().LogicalType(); lt != nil {
					c.Logical = lt.String()
				}
				got = append(got, c)
			}
			md := pf.Metadata()
			var groups []int64
			for _, rg := range md.RowGroups {
				groups = append(groups, rg.NumRows)
				for i, cc := range rg.Columns {
					if cc.MetaData.Codec != format.Snappy {
						t.Errorf("%s: codec %v, want SNAPPY", cc.MetaData.PathInSchema, cc.MetaData.Codec)
					}
					for _, s := range cc.MetaData.EncodingStats {
						if s.PageType != format.DataPageV2 && s.PageType != format.DictionaryPage {
							t.Errorf("%s: a %v page, want data page v2", cc.MetaData.PathInSchema, s.PageType)
						}
					}
					if slices.Contains(cc.MetaData.Encoding, format.RLEDictionary) {
						got[i].Dict = true
					}
				}
			}
			if diff := cmp.Diff(tt.columns, got); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.rowGroups, groups); diff != "" {
				t.Errorf("row groups (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCustomers(t *testing.T) {
	dir, _ := testData(t)
	rows := readAll[customerRead](t, filepath.Join(dir, customersParquet))
	byCountry := map[string]int{}
	emails := map[string]bool{}
	var incomes []float64
	nullIncome, adults := 0, 0
	for i, r := range rows {
		if r.ID != int64(i)+1 {
			t.Fatalf("row %d: id %d, want %d", i, r.ID, i+1)
		}
		if r.Name == nil || r.Country == nil || r.SignupDate == nil || r.Email == nil {
			t.Fatalf("row %d: a null outside income: %+v", i, r)
		}
		first, last, ok := strings.Cut(*r.Name, " ")
		if !ok || !slices.Contains(firstNames[:], first) || !slices.Contains(lastNames[:], last) {
			t.Errorf("row %d: name %q is not First Last", i, *r.Name)
		}
		if r.Age < 10 || r.Age > 89 {
			t.Errorf("row %d: age %d outside 10..89", i, r.Age)
		}
		if r.Age > 18 {
			adults++
		}
		byCountry[*r.Country]++
		if d := *r.SignupDate; d < signupFirst || d >= signupFirst+signupDays {
			t.Errorf("row %d: signup_date %d outside 2010..2024", i, d)
		}
		if r.Income == nil {
			nullIncome++
		} else {
			v := *r.Income
			incomes = append(incomes, v)
			if v < 15_000 || v > 214_999.99 || !wholeCents(v) {
				t.Errorf("row %d: income %v not whole cents in 15,000.00..214,999.99", i, v)
			}
		}
		wantPrefix := first + "." + last + strconv.FormatInt(r.ID, 10) + "@"
		domain, ok := strings.CutPrefix(*r.Email, wantPrefix)
		if !ok || !slices.Contains(domains[:], domain) {
			t.Errorf("row %d: email %q, want %s<domain>", i, *r.Email, wantPrefix)
		}
		if emails[*r.Email] {
			t.Errorf("row %d: email %q repeated", i, *r.Email)
		}
		emails[*r.Email] = true
	}
	n := float64(len(rows))
	checkShare(t, "age > 18", float64(adults)/n, 71.0/80, 0.03)
	checkShare(t, "null income", float64(nullIncome)/n, 0.02, 0.012)
	if us := float64(byCountry["US"]) / n; us < 0.22 || us > 0.32 {
		t.Errorf("US share %.3f, want 0.22..0.32", us)
	}
	checkShare(t, "DE share", float64(byCountry["DE"])/n, 0.13, 0.03)
	if byCountry["US"] <= byCountry["DE"] || byCountry["DE"] <= byCountry["GB"] {
		t.Errorf("country counts not Zipf-ordered: US %d, DE %d, GB %d", byCountry["US"], byCountry["DE"], byCountry["GB"])
	}
	for c := range byCountry {
		if !slices.Contains(countries[:], c) {
			t.Errorf("country %q is not one of the 40 codes", c)
		}
	}
	if len(byCountry) < 30 {
		t.Errorf("only %d distinct countries in %d rows", len(byCountry), len(rows))
	}
	// Right-skewed: the mean lies above the median.
	slices.Sort(incomes)
	median := incomes[len(incomes)/2]
	mean := 0.0
	for _, v := range incomes {
		mean += v
	}
	mean /= float64(len(incomes))
	if mean <= median*1.05 {
		t.Errorf("income mean %.2f not above median %.2f: not right-skewed", mean, median)
	}
}

func TestOrders(t *testing.T) {
	dir, _ := testData(t)
	rows := readAll[orderRead](t, filepath.Join(dir, ordersParquet))
	statusCount := map[string]int{}
	customers := map[int64]bool{}
	from := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for i, r := range rows {
		if r.OrderID != int64(i)+1 {
			t.Fatalf("row %d: order_id %d, want %d", i, r.OrderID, i+1)
		}
		if r.CustomerID < 1 || r.CustomerID > testCustomers {
			t.Errorf("row %d: customer_id %d outside 1..%d", i, r.CustomerID, testCustomers)
		}
		customers[r.CustomerID] = true
		if r.Amount == nil || r.Status == nil || r.OrderedAt == nil {
			t.Fatalf("row %d: a null: %+v", i, r)
		}
		if a := *r.Amount; a < 0.01 || a > 500 || !wholeCents(a) {
			t.Errorf("row %d: amount %v not whole cents in 0.01..500.00", i, a)
		}
		statusCount[*r.Status]++
		if ts := *r.OrderedAt; ts < from || ts >= to {
			t.Errorf("row %d: ordered_at %d outside 2020..2024", i, ts)
		}
	}
	n := float64(len(rows))
	for status, want := range map[string]float64{"shipped": 0.40, "delivered": 0.30, "pending": 0.15, "cancelled": 0.10, "returned": 0.05} {
		checkShare(t, status, float64(statusCount[status])/n, want, 0.03)
	}
	if len(statusCount) != 5 {
		t.Errorf("statuses %v, want exactly 5", statusCount)
	}
	// Uniform over 1..N with 5 orders each: nearly every customer has one
	// (a customer has none with probability e^-5, under 1%).
	if len(customers) < testCustomers*98/100 {
		t.Errorf("only %d of %d customers have orders", len(customers), testCustomers)
	}
}

// TestCSVMatchesParquet reads customers.csv back and compares it, field by
// field, with customers.parquet.
func TestCSVMatchesParquet(t *testing.T) {
	dir, _ := testData(t)
	rows := readAll[customerRead](t, filepath.Join(dir, customersParquet))
	b, err := os.ReadFile(filepath.Join(dir, customersCSV))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != "id,name,age,country,signup_date,income,email" {
		t.Errorf("header %q", lines[0])
	}
	lines = lines[1:]
	if len(lines) != len(rows) {
		t.Fatalf("%d CSV lines, %d Parquet rows", len(lines), len(rows))
	}
	for i, r := range rows {
		income := ""
		if r.Income != nil {
			income = strconv.FormatFloat(*r.Income, 'f', 2, 64)
		}
		date := time.Unix(int64(*r.SignupDate)*86400, 0).UTC().Format(time.DateOnly)
		want := []string{strconv.FormatInt(r.ID, 10), *r.Name, strconv.Itoa(int(r.Age)), *r.Country, date, income, *r.Email}
		if diff := cmp.Diff(want, strings.Split(lines[i], ",")); diff != "" {
			t.Fatalf("line %d (-parquet +csv):\n%s", i+2, diff)
		}
	}
}

func TestDeterministic(t *testing.T) {
	dir, _ := testData(t)
	again := t.TempDir()
	if _, err := generate(context.Background(), options{customers: testCustomers, seed: 42, dir: again, rowGroupRows: testRowGroup}); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if _, err := generate(context.Background(), options{customers: testCustomers, seed: 43, dir: other, rowGroupRows: testRowGroup}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{customersParquet, ordersParquet, customersCSV, metaFile} {
		a := readFile(t, filepath.Join(dir, name))
		if !bytes.Equal(a, readFile(t, filepath.Join(again, name))) {
			t.Errorf("%s differs between two runs with seed 42", name)
		}
		if name != metaFile && bytes.Equal(a, readFile(t, filepath.Join(other, name))) {
			t.Errorf("%s is the same with seeds 42 and 43", name)
		}
	}
}

func TestSkipsUpToDate(t *testing.T) {
	dir := t.TempDir()
	opts := options{customers: 300, seed: 7, dir: dir}
	first, err := generate(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.skipped {
		t.Fatal("first run skipped")
	}
	if first.meta.RowGroup != rowGroupRows {
		t.Errorf("row group %d, want the default %d", first.meta.RowGroup, rowGroupRows)
	}
	tests := []struct {
		name    string
		change  func()
		opts    options
		skipped bool
	}{
		{"same options", func() {}, opts, true},
		{"another seed", func() {}, options{customers: 300, seed: 8, dir: dir}, false},
		{"back to the first seed", func() {}, opts, false},
		{"unchanged again", func() {}, opts, true},
		{"another N", func() {}, options{customers: 301, seed: 7, dir: dir}, false},
		{"truncated file", func() {
			if err := os.Truncate(filepath.Join(dir, ordersParquet), 10); err != nil {
				t.Fatal(err)
			}
		}, options{customers: 301, seed: 7, dir: dir}, false},
		{"missing meta", func() {
			if err := os.Remove(filepath.Join(dir, metaFile)); err != nil {
				t.Fatal(err)
			}
		}, options{customers: 301, seed: 7, dir: dir}, false},
	}
	for _, tt := range tests {
		tt.change()
		res, err := generate(context.Background(), tt.opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if res.skipped != tt.skipped {
			t.Errorf("%s: skipped = %v, want %v", tt.name, res.skipped, tt.skipped)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{customersCSV, customersParquet, metaFile, ordersParquet}, names); diff != "" {
		t.Errorf("folder content (-want +got):\n%s", diff)
	}
}

func TestBadOptions(t *testing.T) {
	for _, n := range []int64{0, -1, 1 << 41} {
		if _, err := generate(context.Background(), options{customers: n, seed: 1, dir: t.TempDir()}); err == nil {
			t.Errorf("customers %d: no error", n)
		}
	}
}

func TestAppendCents(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{1, "0.01"}, {10, "0.10"}, {50_000, "500.00"}, {1_500_000, "15000.00"}, {21_499_999, "214999.99"},
	}
	for _, tt := range tests {
		if got := string(appendCents(nil, tt.cents)); got != tt.want {
			t.Errorf("appendCents(%d) = %q, want %q", tt.cents, got, tt.want)
		}
	}
}

func BenchmarkFillCustomers(b *testing.B) {
	opts := options{customers: rowGroupRows, seed: 42, rowGroupRows: rowGroupRows}
	c := &customerChunk{}
	b.ReportAllocs()
	for b.Loop() {
		fillCustomers(opts, 0, c)
	}
	b.ReportMetric(float64(b.N)*rowGroupRows/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkFillOrders(b *testing.B) {
	opts := options{customers: rowGroupRows, seed: 42, rowGroupRows: rowGroupRows}
	c := &orderChunk{}
	b.ReportAllocs()
	for b.Loop() {
		fillOrders(opts, 0, c)
	}
	b.ReportMetric(float64(b.N)*rowGroupRows/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkGenerate(b *testing.B) {
	const n = 100_000
	b.ReportAllocs()
	for b.Loop() {
		if _, err := generate(context.Background(), options{customers: n, seed: 42, dir: b.TempDir()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*n*(1+ordersPerCustomer)/b.Elapsed().Seconds(), "rows/s")
}

// checkShare fails the test when got is not within tol of want.
func checkShare(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.3f, want %.3f ± %.3f", what, got, want, tol)
	}
}

// wholeCents reports whether v is a whole number of cents as float64 holds
// it: the double nearest to some n/100.
func wholeCents(v float64) bool {
	return float64(math.Round(v*100))/100 == v
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
