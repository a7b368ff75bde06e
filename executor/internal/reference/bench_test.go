package reference_test

import (
	"fmt"
	"testing"

	"github.com/meshctl/meshctl/executor/internal/reference"
	"github.com/meshctl/meshctl/lang/ir"
)

// BenchmarkJoinAggregate measures q3's shape (filter, join, group by,
// decimal sum) over 10,000 orders and 2,000 customers, to size the tables
// differential tests can afford; the reference is not meant to be fast.
func BenchmarkJoinAggregate(b *testing.B) {
	customers := scan("customers", schema("id", tI64, "country", tStr))
	orders := scan("orders", schema("customer_id", tI64, "amount", tDec(18, 2), "status", tStr))
	tables := reference.Tables{}
	for i := range 2000 {
		tables["customers"] = append(tables["customers"], R{int64(i), fmt.Sprintf("C%d", i%40)})
	}
	statuses := []string{"shipped", "delivered", "pending"}
	for i := range 10000 {
		tables["orders"] = append(tables["orders"], R{int64(i * 7 % 2000), int64(i%50000 + 1), statuses[i%3]})
	}
	shipped := &ir.Filter{Input: orders, Pred: pred(ir.Eq, col(2, tStr), lit(tStr, "shipped"))}
	join := &ir.Join{Left: shipped, Right: customers, Kind: ir.InnerJoin,
		LeftKeys: []ir.Expr{col(0, tI64)}, RightKeys: []ir.Expr{col(0, tI64)},
		Out: append(append(schema(), orders.Out...), customers.Out...)}
	plan := &ir.Aggregate{Input: join, Keys: []ir.Expr{col(4, tStr)},
		Aggs: []ir.AggCall{{Meta: meta(tI64), Fn: ir.AggCountRows}, {Meta: meta(tDec(38, 2)), Fn: ir.AggSum, Arg: col(1, tDec(18, 2))}},
		Out:  schema("country", tStr, "n", tI64, "sum", tDec(38, 2))}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reference.Run(plan, tables, reference.Env{}); err != nil {
			b.Fatal(err)
		}
	}
}
