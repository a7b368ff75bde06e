package apply_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/apply"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/providers/lake"
	"github.com/meshctl/meshctl/providers/statelocal"
)

// TestWithTheLocalLake runs the main paths through providers/lake: create,
// replace with dependents reading the fresh version, a failing check.
func TestWithTheLocalLake(t *testing.T) {
	e := newEnv(t)
	e.lk = lake.New(e.root)
	ctx := context.Background()
	e.createAll()
	names := func() string {
		t.Helper()
		return e.read("lake/names/" + lakeio.VersionDir(e.state.Products["names"].Output.VersionID) + "/part-00000.csv")
	}
	if got := names(); got != "name\nANN\nCY\n" {
		t.Errorf("names = %q", got)
	}

	e.write("data/people.csv", peopleV1+"4,dan,50\n")
	res, err := apply.Run(ctx, e.options(e.plan(map[string]plans.Action{"adults": plans.Replace, "names": plans.Replace})))
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	if got := names(); got != "name\nANN\nCY\nDAN\n" {
		t.Errorf("names = %q", got)
	}
	good := e.state.Products["adults"].Output

	e.write("data/people.csv", peopleV1+"4,old,150\n")
	res, err = apply.Run(ctx, e.options(e.plan(map[string]plans.Action{"adults": plans.Replace, "names": plans.Replace})))
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(res); got["adults"] != apply.StatusFailed || got["names"] != apply.StatusSkipped {
		t.Errorf("statuses = %v", got)
	}
	m, sum, err := e.lk.Current(ctx, "lake/adults/")
	if err != nil || m.VersionID != good.VersionID || sum != good.ManifestSHA256 || e.state.Products["adults"].Output.VersionID != good.VersionID {
		t.Errorf("current = %v %v, state %+v; want %s", m, err, e.state.Products["adults"].Output, good.VersionID)
	}
	if problems, err := e.lk.Verify(ctx, "lake/adults/", m, true); err != nil || len(problems) > 0 {
		t.Errorf("verify: %v %v", problems, err)
	}
	_ = filepath.WalkDir(e.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, lake.StagingSuffix) {
			t.Errorf("staged folder left: %s", p)
		}
		return nil
	})
}

// TestWithTheStateStore saves through state.Store on a local backend: the
// document on disk is the state apply left in memory.
func TestWithTheStateStore(t *testing.T) {
	e := newEnv(t)
	e.lk = lake.New(e.root)
	store := &state.Store{Backend: statelocal.New(filepath.Join(e.root, ".meshctl", "state.json")), MeshctlVersion: "0.test"}
	ctx := context.Background()
	s, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.state = s
	acts := map[string]plans.Action{}
	for _, n := range e.order {
		acts[n] = plans.Create
	}
	o := e.options(e.plan(acts))
	o.Save = store.Save
	res, err := apply.Run(ctx, o)
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	loaded, err := store.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Serial != 4 {
		t.Errorf("serial = %d, want 4", loaded.Serial)
	}
	if diff := cmp.Diff(e.state, loaded); diff != "" {
		t.Errorf("stored state differs (-memory +disk):\n%s", diff)
	}
}
