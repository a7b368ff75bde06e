package apply_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/meshctl/meshctl/planner/apply"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// BenchmarkWalk measures the walk itself: 1,000 products in a chain of
// 10-product layers, half updates (one state save each, to a save that
// only counts) and half no-ops.
func BenchmarkWalk(b *testing.B) {
	const n = 1000
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := state.New("bench")
		p := &plans.Plan{ID: "p", Lineage: s.Lineage}
		for i := range n {
			name := fmt.Sprintf("p%04d", i)
			rec := &state.Product{Output: state.Output{Path: "lake/" + name + "/", VersionID: "v"}, Inputs: map[string]state.Input{}}
			if i >= 10 {
				rec.Inputs["up"] = state.Input{From: fmt.Sprintf("product.p%04d", i-10), Fingerprint: "version:v"}
			}
			s.Products[name] = rec
			action := plans.NoOp
			if i%2 == 0 {
				action = plans.Update
			}
			p.Changes = append(p.Changes, &plans.ProductChange{Product: name, Action: action, Before: rec, After: rec})
		}
		o := apply.Options{Plan: p, State: s, Lake: newDirLake(b.TempDir()),
			Save: func(ctx context.Context, s *state.State) error { s.Serial++; return nil }}
		b.StartTimer()
		res, err := apply.Run(context.Background(), o)
		if err != nil || !res.OK() {
			b.Fatal(err)
		}
	}
}
