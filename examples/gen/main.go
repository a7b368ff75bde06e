//go:build ignore

// Command gen writes the example data of examples/sales and
// examples/marketing, deterministically (fixed seed):
//
//	go run examples/gen/main.go
//
// The files are committed; run this only to change them.
package main

import (
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
)

var (
	firstNames = []string{"Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "John", "Katherine", "Edsger", "Radia", "Donald", "Sophie", "Tim"}
	lastNames  = []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "Backus", "Johnson", "Dijkstra", "Perlman", "Knuth", "Wilson", "Berners-Lee"}
	countries  = []string{"US", "US", "US", "DE", "DE", "FR", "GB", "NL", "ES", "IT", "SE", "PL"}
	statuses   = []string{"shipped", "shipped", "shipped", "shipped", "delivered", "delivered", "delivered", "pending", "pending", "cancelled", "returned"}
)

// order is one row of orders.parquet.
type order struct {
	OrderID    int64  `parquet:"order_id"`
	CustomerID int64  `parquet:"customer_id"`
	Amount     int64  `parquet:"amount,decimal(2:10)"`
	Status     string `parquet:"status,dict"`
	OrderedAt  int64  `parquet:"ordered_at,timestamp(microsecond)"`
}

func main() {
	rng := rand.New(rand.NewPCG(42, 2024))
	dir := filepath.Join("examples", "sales", "data")
	const customers = 200
	var b strings.Builder
	b.WriteString("id,name,email,age,country,signup_date\n")
	for id := 1; id <= customers; id++ {
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		country := countries[rng.IntN(len(countries))]
		if rng.IntN(25) == 0 {
			country = "" // a few customers never said where they live
		}
		signup := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(6*365))
		fmt.Fprintf(&b, "%d,%s %s,%s.%s%d@Example.com,%d,%s,%s\n", id, first, last,
			first, strings.ReplaceAll(last, "-", ""), id, 12+rng.IntN(70), country, signup.Format(time.DateOnly))
	}
	must(os.WriteFile(filepath.Join(dir, "customers.csv"), []byte(b.String()), 0o644))

	rows := make([]order, 0, 1000)
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= 1000; i++ {
		rows = append(rows, order{
			OrderID:    int64(i),
			CustomerID: int64(1 + rng.IntN(customers)),
			Amount:     int64(199 + rng.IntN(49_800)), // cents: 1.99 .. 499.99
			Status:     statuses[rng.IntN(len(statuses))],
			OrderedAt:  start.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour)))).UnixMicro(),
		})
	}
	f, err := os.Create(filepath.Join(dir, "orders.parquet"))
	must(err)
	w := parquet.NewGenericWriter[order](f, parquet.Compression(&parquet.Snappy))
	_, err = w.Write(rows)
	must(err)
	must(w.Close())
	must(f.Close())

	var c strings.Builder
	c.WriteString("campaign,country,channel,budget,starts_on\n")
	for i, country := range []string{"US", "DE", "FR", "GB", "NL", "ES", "IT", "SE", "PL", "BR"} {
		fmt.Fprintf(&c, "spring-%s,%s,%s,%d.00,2025-0%d-01\n", strings.ToLower(country), country,
			[]string{"email", "social", "search"}[i%3], 5000+rng.IntN(20)*1000, 3+i%3)
	}
	must(os.WriteFile(filepath.Join("examples", "marketing", "data", "campaigns.csv"), []byte(c.String()), 0o644))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
