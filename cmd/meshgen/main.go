// Command meshgen writes the benchmark data of /work/shared/perf/ANCHORS.md,
// deterministically: customers.parquet (N rows), orders.parquet (5N rows),
// customers.csv (the customers again) and meta.json, into one folder.
//
//	go run ./cmd/meshgen -customers 1000000 -seed 42 -out testdata/bench/data
//
// A second run with the same -customers and -seed finds meta.json and does
// nothing. The same flags always give the same bytes, whatever the machine.
//
// meshgen is a benchmark tool, not part of meshctl: it imports no meshctl
// package, and no package imports it (cmd/meshbench runs it as a binary).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"
)

func main() {
	var opts options
	flag.Int64Var(&opts.customers, "customers", 0, "number of customers N (orders: 5N); required")
	flag.Uint64Var(&opts.seed, "seed", 42, "random seed; the same seed gives the same bytes")
	flag.StringVar(&opts.dir, "out", "", "output folder, created if missing; required")
	flag.Parse()
	if opts.customers <= 0 || opts.dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: meshgen -customers N [-seed S] -out DIR")
		flag.PrintDefaults()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := generate(ctx, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "meshgen:", err)
		os.Exit(1)
	}
	verb := "generated"
	if res.skipped {
		verb = "up to date:"
	}
	fmt.Printf("meshgen: %s %s (%d customers, %d orders, seed %d) in %s\n", verb, opts.dir,
		res.meta.Customers, res.meta.Orders, res.meta.Seed, res.elapsed.Round(time.Millisecond))
	for _, name := range []string{customersParquet, ordersParquet, customersCSV} {
		fmt.Printf("  %-18s %8.1f MB\n", name, float64(res.meta.Files[name])/1e6)
	}
}
