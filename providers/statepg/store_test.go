package statepg_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/planner/statestore"
	"github.com/meshctl/meshctl/providers/internal/pgtest"
	"github.com/meshctl/meshctl/providers/statepg"
)

// TestWithTheStateStore runs planner/state.Store over the backend, as the
// commands do: the lock around load and saves, serials that grow, and
// the refusals of a stale state and of another workspace's state. (A
// test-only import of the planner: the store is what gives the bytes
// their meaning.)
func TestWithTheStateStore(t *testing.T) {
	s := pgtest.New(t)
	ctx := context.Background()
	backend := func() statestore.Backend {
		b, err := statepg.New(statepg.Options{DSN: s.DSN, Workspace: "sales"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	st := &state.Store{Backend: backend(), MeshctlVersion: "0.3.0"}
	if err := st.Lock(ctx, statestore.LockInfo{ID: "run-1", Operation: "apply"}, time.Second); err != nil {
		t.Fatal(err)
	}
	cur, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var stale *state.State // as loaded after the first save
	for i := 1; i <= 3; i++ {
		cur.Products["p"] = &state.Product{DefinitionHash: strings.Repeat("x", i)}
		if err := st.Save(ctx, cur); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if cur.Serial != int64(i) {
			t.Errorf("after save %d: serial %d", i, cur.Serial)
		}
		back, err := (&state.Store{Backend: backend()}).Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(cur, back, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("loaded after save %d (-saved +loaded):\n%s", i, diff)
		}
		if i == 1 {
			stale = back
		}
	}
	if err := st.Save(ctx, stale); err == nil || !strings.Contains(err.Error(), "was changed since this state was read (serial 3 there, 1 here)") {
		t.Errorf("Save of a stale state: %v", err)
	}
	other := state.New("0.3.0")
	other.Serial = 10
	if err := st.Save(ctx, other); err == nil || !strings.Contains(err.Error(), "belongs to another workspace") {
		t.Errorf("Save of another lineage: %v", err)
	}
	if err := st.Unlock(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}

	// Another workspace in the same table is independent.
	b2, err := statepg.New(statepg.Options{DSN: s.DSN, Workspace: "marketing"})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := (&state.Store{Backend: b2}).Load(ctx)
	if err != nil || fresh.Serial != 0 || fresh.Lineage == cur.Lineage {
		t.Errorf("another workspace's state: %+v, %v; want a fresh one", fresh, err)
	}
}
