package apply_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/apply"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/providers/csv"
)

func TestCreatePublishesAndRecords(t *testing.T) {
	e := newEnv(t)
	res := e.createAll()
	ctx := context.Background()

	want := map[string]apply.Status{"adults": apply.StatusDone, "names": apply.StatusDone, "minors": apply.StatusDone, "visit_count": apply.StatusDone}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// One save per product, each incrementing the serial.
	if len(e.saves) != 4 || e.state.Serial != 4 {
		t.Fatalf("saves = %d, serial = %d; want 4, 4", len(e.saves), e.state.Serial)
	}
	for i, s := range e.saves {
		if s.Serial != int64(i+1) {
			t.Errorf("save %d has serial %d", i, s.Serial)
		}
		if len(s.Products) != i+1 {
			t.Errorf("save %d holds %d products, want %d", i, len(s.Products), i+1)
		}
	}
	// names is saved after adults, which it reads.
	for _, s := range e.saves {
		if s.Products["names"] != nil && s.Products["adults"] == nil {
			t.Errorf("names was saved before adults")
		}
	}

	rows := map[string]int64{"adults": 2, "names": 2, "minors": 1, "visit_count": 1}
	for name, n := range rows {
		rec := e.state.Products[name]
		m, sum, err := e.lake.Current(ctx, e.products[name].Output.Path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rec.Output.VersionID != m.VersionID || rec.Output.ManifestSHA256 != sum {
			t.Errorf("%s: state records %s/%s, lake has %s/%s", name, rec.Output.VersionID, rec.Output.ManifestSHA256, m.VersionID, sum)
		}
		if m.Rows != n || rec.Output.Rows != n || product(res, name).Rows != n {
			t.Errorf("%s: rows manifest %d, state %d, result %d; want %d", name, m.Rows, rec.Output.Rows, product(res, name).Rows, n)
		}
		if m.PlanID != "plan-1" || m.MeshctlVersion != "0.test" || m.Product != name || m.Format != e.products[name].Output.Format || m.FormatVersion != lakeio.ManifestFormatVersion {
			t.Errorf("%s: manifest %+v", name, m)
		}
		var stateFiles []lakeio.File
		var bytes int64
		for _, f := range rec.Output.Files {
			stateFiles = append(stateFiles, lakeio.File(f))
			bytes += f.Bytes
			b, err := os.ReadFile(filepath.Join(e.root, e.products[name].Output.Path, lakeio.VersionDir(m.VersionID), f.Path))
			if err != nil {
				t.Fatal(err)
			}
			if s := sha256.Sum256(b); hex.EncodeToString(s[:]) != f.SHA256 {
				t.Errorf("%s: %s checksum differs", name, f.Path)
			}
		}
		if diff := cmp.Diff(m.Files, stateFiles); diff != "" || len(m.Files) == 0 {
			t.Errorf("%s: files (-manifest +state):\n%s", name, diff)
		}
		if rec.Output.Bytes != bytes || bytes == 0 {
			t.Errorf("%s: bytes %d, files sum to %d", name, rec.Output.Bytes, bytes)
		}
		if rec.AppliedAt.IsZero() || rec.DefinitionHash != "def-"+name {
			t.Errorf("%s: record %+v", name, rec)
		}
		if got := e.lake.staged(); len(got) > 0 {
			t.Errorf("staged folders left: %v", got)
		}
	}
	if diff := cmp.Diff([]lakeio.Column{{Name: "id", Type: "int64"}, {Name: "name", Type: "string", Nullable: true}, {Name: "age", Type: "int32"}}, // age >= 18 proves it non-null
		mustCurrent(t, e, "adults").Schema); diff != "" {
		t.Errorf("adults schema (-want +got):\n%s", diff)
	}
	wantChecks := []state.Check{{Name: "has_rows", Severity: "error", Passed: true}, {Name: "plausible_age", Severity: "error", Passed: true}, {Name: "few", Severity: "warn", Passed: true}}
	if diff := cmp.Diff(wantChecks, e.state.Products["adults"].Checks); diff != "" {
		t.Errorf("adults checks (-want +got):\n%s", diff)
	}
	// names read the version adults had just published, and says so.
	if got, want := e.state.Products["names"].Inputs["adults"], (state.Input{From: "product.adults", Fingerprint: "version:" + e.state.Products["adults"].Output.VersionID}); got != want {
		t.Errorf("names input = %+v, want %+v", got, want)
	}
	fp, _ := e.lake.Fingerprint(ctx, "data/people.csv")
	if got := e.state.Products["adults"].Inputs["people"]; got != (state.Input{From: "source.people", Fingerprint: fp}) {
		t.Errorf("adults input = %+v", got)
	}
	if got := e.read("lake/names/" + lakeio.VersionDir(e.state.Products["names"].Output.VersionID) + "/part-00000.csv"); got != "name\nANN\nCY\n" {
		t.Errorf("names output = %q", got)
	}
}

func mustCurrent(t *testing.T, e *env, name string) *lakeio.Manifest {
	t.Helper()
	m, _, err := e.lake.Current(context.Background(), e.products[name].Output.Path)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestDependentsReadTheFreshVersion(t *testing.T) {
	e := newEnv(t)
	e.createAll()
	oldAdults := e.state.Products["adults"].Output.VersionID
	e.write("data/people.csv", peopleV1+"4,dan,50\n")
	p := e.plan(map[string]plans.Action{"adults": plans.Replace, "names": plans.Replace, "minors": plans.Replace})
	res, err := apply.Run(context.Background(), e.options(p))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]apply.Status{"adults": apply.StatusDone, "names": apply.StatusDone, "minors": apply.StatusDone, "visit_count": apply.StatusUnchanged}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	newAdults := e.state.Products["adults"].Output.VersionID
	if newAdults == oldAdults {
		t.Fatalf("adults was not republished")
	}
	if got := e.read("lake/names/" + lakeio.VersionDir(e.state.Products["names"].Output.VersionID) + "/part-00000.csv"); got != "name\nANN\nCY\nDAN\n" {
		t.Errorf("names output = %q", got)
	}
	if got := e.state.Products["names"].Inputs["adults"].Fingerprint; got != "version:"+newAdults {
		t.Errorf("names input fingerprint = %s, want version:%s", got, newAdults)
	}
	// The previous version is kept for rollback.
	if diff := cmp.Diff([]string{oldAdults, newAdults}, e.lake.versions("lake/adults/")); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if e.state.Serial != 4+3 {
		t.Errorf("serial = %d, want 7", e.state.Serial)
	}
}

func TestPruneKeepsVersions(t *testing.T) {
	e := newEnv(t)
	e.createAll()
	clock := time.Now()
	for i := range 4 {
		e.write("data/people.csv", peopleV1+strings.Repeat("9,zed,20\n", i+1))
		o := e.options(e.plan(map[string]plans.Action{"adults": plans.Replace}))
		o.KeepVersions = 2
		// Version ids sort by time, to the second.
		o.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
		res, err := apply.Run(context.Background(), o)
		if err != nil || !res.OK() {
			t.Fatalf("apply %d: %v %+v", i, err, res)
		}
	}
	got := e.lake.versions("lake/adults/")
	if len(got) != 2 || got[1] != e.state.Products["adults"].Output.VersionID {
		t.Errorf("versions = %v, want 2 ending with the current %s", got, e.state.Products["adults"].Output.VersionID)
	}
}

func TestFailingCheckKeepsThePreviousVersion(t *testing.T) {
	e := newEnv(t)
	e.createAll()
	before := *e.state.Products["adults"]
	namesBefore := e.state.Products["names"]
	serial := e.state.Serial
	e.write("data/people.csv", peopleV1+"4,old,150\n5,kid,3\n")
	p := e.plan(map[string]plans.Action{"adults": plans.Replace, "names": plans.Replace, "minors": plans.Replace})
	ev := &events{}
	o := e.options(p)
	o.Events = ev.add
	res, err := apply.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]apply.Status{"adults": apply.StatusFailed, "names": apply.StatusSkipped, "minors": apply.StatusDone, "visit_count": apply.StatusUnchanged}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	a := product(res, "adults")
	if !strings.Contains(a.Error, "check plausible_age failed") || !strings.Contains(a.Error, before.Output.VersionID+" stays published") {
		t.Errorf("adults error = %q", a.Error)
	}
	if got := product(res, "names").Reason; got != "upstream product.adults failed" {
		t.Errorf("names reason = %q", got)
	}
	// The old version stays current and recorded; the failed attempt's
	// checks are recorded beside it.
	if got := mustCurrent(t, e, "adults").VersionID; got != before.Output.VersionID {
		t.Errorf("current adults version = %s, want %s", got, before.Output.VersionID)
	}
	after := e.state.Products["adults"]
	if diff := cmp.Diff(before.Output, after.Output); diff != "" {
		t.Errorf("adults output changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(before.Inputs, after.Inputs); diff != "" {
		t.Errorf("adults inputs changed (-before +after):\n%s", diff)
	}
	wantChecks := []state.Check{{Name: "has_rows", Severity: "error", Passed: true}, {Name: "plausible_age", Severity: "error", Passed: false}, {Name: "few", Severity: "warn", Passed: true}}
	if diff := cmp.Diff(wantChecks, after.Checks); diff != "" {
		t.Errorf("adults checks (-want +got):\n%s", diff)
	}
	if e.state.Products["names"] != namesBefore {
		t.Errorf("names record changed")
	}
	if e.state.Products["minors"].Output.Rows != 2 {
		t.Errorf("minors rows = %d, want 2", e.state.Products["minors"].Output.Rows)
	}
	// adults' failure and minors' success: two saves.
	if e.state.Serial != serial+2 {
		t.Errorf("serial = %d, want %d", e.state.Serial, serial+2)
	}
	if !hasPrefix(e.lake.discarded, "lake/adults/@") {
		t.Errorf("adults' staged version was not discarded: %v", e.lake.discarded)
	}
	if got := e.lake.staged(); len(got) > 0 {
		t.Errorf("staged folders left: %v", got)
	}
	if len(e.lake.versions("lake/adults/")) != 1 {
		t.Errorf("adults versions = %v", e.lake.versions("lake/adults/"))
	}
	lines := ev.lines()
	for _, l := range []string{"started adults", "failed adults", "skipped names", "started minors", "finished minors"} {
		if !strings.Contains(joinLines(lines), l) {
			t.Errorf("events lack %q:\n%s", l, joinLines(lines))
		}
	}
}

func TestCreateFailingCheckLeavesNoRecord(t *testing.T) {
	e := newEnv(t)
	e.write("data/people.csv", "id,name,age\n1,old,150\n")
	p := e.plan(map[string]plans.Action{"adults": plans.Create, "names": plans.Create, "visit_count": plans.Create})
	res, err := apply.Run(context.Background(), e.options(p))
	if err != nil {
		t.Fatal(err)
	}
	if got := product(res, "adults"); got.Status != apply.StatusFailed || !strings.Contains(got.Error, "nothing was published") {
		t.Errorf("adults = %+v", got)
	}
	if e.state.Products["adults"] != nil || e.state.Products["names"] != nil || e.state.Products["visit_count"] == nil {
		t.Errorf("state products = %v", e.state.Names())
	}
	if _, _, err := e.lake.Current(context.Background(), "lake/adults/"); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Errorf("adults current: %v", err)
	}
}

func TestUpdateTouchesNoData(t *testing.T) {
	e := newEnv(t)
	e.createAll()
	before := *e.state.Products["adults"]
	published := len(e.lake.published)
	p := e.plan(map[string]plans.Action{"adults": plans.Update})
	p.Changes[0].After.Metadata.Description = "Grown-ups"
	p.Changes[0].After.Contract[1].Description = "Their name"
	res, err := apply.Run(context.Background(), e.options(p))
	if err != nil {
		t.Fatal(err)
	}
	if got := product(res, "adults").Status; got != apply.StatusDone {
		t.Fatalf("adults = %+v", product(res, "adults"))
	}
	after := e.state.Products["adults"]
	if after.Metadata.Description != "Grown-ups" || after.Contract[1].Description != "Their name" {
		t.Errorf("metadata not recorded: %+v", after)
	}
	if diff := cmp.Diff(before.Output, after.Output); diff != "" {
		t.Errorf("output changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(before.Checks, after.Checks); diff != "" {
		t.Errorf("checks changed (-before +after):\n%s", diff)
	}
	if len(e.lake.published) != published || len(e.lake.versions("lake/adults/")) != 1 {
		t.Errorf("an update published data: %v", e.lake.published)
	}
	if e.state.Serial != 5 {
		t.Errorf("serial = %d, want 5", e.state.Serial)
	}
	if p.Changes[0].After.Output.VersionID != "" {
		t.Errorf("apply changed the plan")
	}
}

func TestDelete(t *testing.T) {
	e := newEnv(t)
	e.createAll()
	p := e.plan(map[string]plans.Action{"minors": plans.Delete})
	res, err := apply.Run(context.Background(), e.options(p))
	if err != nil {
		t.Fatal(err)
	}
	if got := product(res, "minors").Status; got != apply.StatusDone {
		t.Fatalf("minors = %+v", product(res, "minors"))
	}
	if e.state.Products["minors"] != nil {
		t.Errorf("minors still in state")
	}
	if _, err := os.Stat(filepath.Join(e.root, "lake/minors")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("minors output still there: %v", err)
	}
	if e.state.Serial != 5 {
		t.Errorf("serial = %d, want 5", e.state.Serial)
	}
}

func TestDeleteKeepsAPathStillUsed(t *testing.T) {
	e := newEnv(t)
	e.createAll()
	// A removed product whose old output path visit_count now uses.
	e.state.Products["old"] = &state.Product{Output: state.Output{Format: "parquet", Path: "lake/visit_count/", VersionID: "x"}}
	p := e.plan(nil)
	p.Changes = append(p.Changes, &plans.ProductChange{Product: "old", Action: plans.Delete, Before: e.state.Products["old"]})
	res, err := apply.Run(context.Background(), e.options(p))
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	if e.state.Products["old"] != nil || len(e.lake.deleted) > 0 {
		t.Errorf("old in state: %v; deleted %v", e.state.Products["old"] != nil, e.lake.deleted)
	}
	mustCurrent(t, e, "visit_count")
}

func TestRefusedPlanDoesNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(e *env, p *plans.Plan)
	}{
		{"refused change", func(e *env, p *plans.Plan) {
			p.Changes = append(p.Changes, &plans.ProductChange{Product: "gone", Action: plans.Delete, Refused: "lifecycle.prevent_destroy is set"})
		}},
		{"prevent_destroy in state", func(e *env, p *plans.Plan) {
			e.state.Products["gone"] = &state.Product{PreventDestroy: true, Output: state.Output{Path: "lake/gone/"}}
			p.Changes = append(p.Changes, &plans.ProductChange{Product: "gone", Action: plans.Delete, Before: e.state.Products["gone"]})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			acts := map[string]plans.Action{}
			for _, n := range e.order {
				acts[n] = plans.Create
			}
			p := e.plan(acts)
			tc.prepare(e, p)
			res, err := apply.Run(context.Background(), e.options(p))
			var re *apply.RefusedError
			if !errors.As(err, &re) || len(re.Changes) != 1 || !strings.HasPrefix(re.Changes[0], "product.gone: ") {
				t.Fatalf("err = %v", err)
			}
			if res != nil || len(e.saves) > 0 || len(e.lake.published) > 0 {
				t.Errorf("something was done: result %v, %d saves, published %v", res, len(e.saves), e.lake.published)
			}
		})
	}
}

func TestStalePlanIsRefused(t *testing.T) {
	e := newEnv(t)
	p := e.plan(map[string]plans.Action{"adults": plans.Create})
	e.state.Serial = 3
	if _, err := apply.Run(context.Background(), e.options(p)); err == nil || !strings.Contains(err.Error(), "serial 0 then, 3 now") {
		t.Errorf("err = %v", err)
	}
	p.Lineage = "other"
	if _, err := apply.Run(context.Background(), e.options(p)); err == nil || !strings.Contains(err.Error(), "another state") {
		t.Errorf("err = %v", err)
	}
}

func TestInputChangedSinceThePlan(t *testing.T) {
	e := newEnv(t)
	e.createAll()
	saved := e.state.Serial
	published := len(e.lake.published)

	t.Run("source", func(t *testing.T) {
		p := e.plan(map[string]plans.Action{"adults": plans.Replace, "names": plans.Replace})
		e.write("data/people.csv", peopleV1+"4,dan,50\n") // after the plan
		res, err := apply.Run(context.Background(), e.options(p))
		if err != nil {
			t.Fatal(err)
		}
		a := product(res, "adults")
		if a.Status != apply.StatusFailed || a.Error != "input.people (source.people) changed since the plan was made; run plan again" {
			t.Errorf("adults = %+v", a)
		}
		if len(a.InputsChanged) != 1 || !strings.Contains(a.InputsChanged[0], "data/people.csv") {
			t.Errorf("inputs changed = %q", a.InputsChanged)
		}
		if got := product(res, "names"); got.Status != apply.StatusSkipped {
			t.Errorf("names = %+v", got)
		}
	})
	t.Run("product", func(t *testing.T) {
		p := e.plan(map[string]plans.Action{"names": plans.Replace})
		p.Change("names").After.Inputs["adults"] = state.Input{From: "product.adults", Fingerprint: "version:older"}
		res, err := apply.Run(context.Background(), e.options(p))
		if err != nil {
			t.Fatal(err)
		}
		n := product(res, "names")
		if n.Status != apply.StatusFailed || !strings.Contains(n.Error, "input.adults (product.adults) changed since the plan was made") {
			t.Errorf("names = %+v", n)
		}
	})
	t.Run("published behind state's back", func(t *testing.T) {
		p := e.plan(map[string]plans.Action{"names": plans.Replace})
		// Another version of adults appears without state knowing.
		m := mustCurrent(t, e, "adults")
		m.VersionID = "99990101T000000Z-ffffff"
		if _, err := e.lake.Stage(context.Background(), "lake/adults/", m.VersionID); err != nil {
			t.Fatal(err)
		}
		if err := e.lake.Publish(context.Background(), "lake/adults/", m); err != nil {
			t.Fatal(err)
		}
		published++
		res, err := apply.Run(context.Background(), e.options(p))
		if err != nil {
			t.Fatal(err)
		}
		if n := product(res, "names"); n.Status != apply.StatusFailed || !strings.Contains(n.InputsChanged[0], "version 99990101T000000Z-ffffff is published") {
			t.Errorf("names = %+v", n)
		}
	})
	if e.state.Serial != saved || len(e.lake.published) != published {
		t.Errorf("state saved (%d → %d) or data published (%v)", saved, e.state.Serial, e.lake.published)
	}
	if got := e.lake.staged(); len(got) > 0 {
		t.Errorf("staged folders left: %v", got)
	}
}

func TestIndependentProductsRunInParallel(t *testing.T) {
	e := newEnv(t)
	ev := &events{}
	o := e.options(e.plan(map[string]plans.Action{"adults": plans.Create, "minors": plans.Create}))
	// Each scan waits until both products' scans are open: only a
	// parallel apply gets through.
	gate := &gateScanner{Scanner: o.Executor.Scanners[ir.SourceCSV], barrier: 2}
	o.Executor.Scanners[ir.SourceCSV] = gate
	o.Parallelism = 2
	o.Events = ev.add
	res, err := apply.Run(context.Background(), o)
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	lines := ev.lines()
	if len(lines) < 4 || !strings.HasPrefix(lines[0], "started") || !strings.HasPrefix(lines[1], "started") {
		t.Errorf("both products should start before either finishes:\n%s", joinLines(lines))
	}
}

func TestParallelismOneRunsOneAtATime(t *testing.T) {
	e := newEnv(t)
	ev := &events{}
	acts := map[string]plans.Action{}
	for _, n := range e.order {
		acts[n] = plans.Create
	}
	o := e.options(e.plan(acts))
	o.Parallelism = 1
	o.Events = ev.add
	res, err := apply.Run(context.Background(), o)
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	lines := ev.lines()
	for i := 0; i+1 < len(lines); i += 2 {
		s, f := lines[i], lines[i+1]
		if !strings.HasPrefix(s, "started ") || f != "finished "+strings.TrimPrefix(s, "started ") {
			t.Fatalf("products overlap:\n%s", joinLines(lines))
		}
	}
}

func TestProgressEvents(t *testing.T) {
	e := newEnv(t)
	ev := &events{}
	o := e.options(e.plan(map[string]plans.Action{"adults": plans.Create}))
	o.Executor.BatchSize = 1
	o.Executor.Workers = 1
	o.Sinkers["parquet"] = slowSinker{Sinker: o.Sinkers["parquet"], delay: 150 * time.Millisecond}
	o.Events = ev.add
	if res, err := apply.Run(context.Background(), o); err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	var kinds []apply.EventKind
	progress := false
	for _, x := range ev.list {
		if x.Product != "adults" {
			continue
		}
		if len(kinds) == 0 || kinds[len(kinds)-1] != x.Kind {
			kinds = append(kinds, x.Kind)
		}
		if x.Kind == apply.ProductProgress && x.Rows > 0 {
			progress = true
		}
	}
	if diff := cmp.Diff([]apply.EventKind{apply.ProductStarted, apply.ProductProgress, apply.ProductFinished}, kinds); diff != "" || !progress {
		t.Errorf("event kinds (-want +got):\n%s", diff)
	}
	last := ev.list[len(ev.list)-1]
	if last.Kind != apply.ProductFinished || last.Rows != 2 || last.Bytes == 0 || last.Result == nil || last.Result.VersionID == "" {
		t.Errorf("finished event = %+v", last)
	}
}

func TestCancellationLeavesStateConsistent(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := &events{}
	finished := 0
	ev.on = func(x apply.Event) {
		if x.Kind == apply.ProductFinished {
			finished++
			if finished == 3 { // adults, minors, names: visit_count hangs
				cancel()
			}
		}
	}
	acts := map[string]plans.Action{}
	for _, n := range e.order {
		acts[n] = plans.Create
	}
	o := e.options(e.plan(acts))
	o.Executor.Scanners[ir.SourceCSV] = &gateScanner{Scanner: o.Executor.Scanners[ir.SourceCSV], block: map[string]bool{"visits": true}}
	o.Events = ev.add
	res, err := apply.Run(ctx, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	want := map[string]apply.Status{"adults": apply.StatusDone, "names": apply.StatusDone, "minors": apply.StatusDone, "visit_count": apply.StatusFailed}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if got := product(res, "visit_count").Error; !strings.Contains(got, "context canceled") {
		t.Errorf("visit_count error = %q", got)
	}
	if diff := cmp.Diff([]string{"adults", "minors", "names"}, e.state.Names()); diff != "" {
		t.Errorf("state products (-want +got):\n%s", diff)
	}
	// What was saved last is what is published.
	last := e.saves[len(e.saves)-1]
	for _, name := range last.Names() {
		if got := mustCurrent(t, e, name).VersionID; got != last.Products[name].Output.VersionID {
			t.Errorf("%s: published %s, saved %s", name, got, last.Products[name].Output.VersionID)
		}
	}
	if _, _, err := e.lake.Current(context.Background(), "lake/visit_count/"); !errors.Is(err, lakeio.ErrNotPublished) {
		t.Errorf("visit_count published: %v", err)
	}
	if got := e.lake.staged(); len(got) > 0 {
		t.Errorf("staged folders left: %v", got)
	}
}

func TestCancelledBeforeStart(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := e.plan(map[string]plans.Action{"adults": plans.Create})
	res, err := apply.Run(ctx, e.options(p))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	want := map[string]apply.Status{"adults": apply.StatusSkipped, "names": apply.StatusUnchanged, "minors": apply.StatusUnchanged, "visit_count": apply.StatusUnchanged}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if len(e.saves) > 0 {
		t.Errorf("state was saved")
	}
}

func TestPublishFailure(t *testing.T) {
	e := newEnv(t)
	e.lake.failPublish["lake/adults/"] = errors.New("disk full")
	res, err := apply.Run(context.Background(), e.options(e.plan(map[string]plans.Action{"adults": plans.Create, "names": plans.Create, "minors": plans.Create})))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]apply.Status{"adults": apply.StatusFailed, "names": apply.StatusSkipped, "minors": apply.StatusDone, "visit_count": apply.StatusUnchanged}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if got := product(res, "adults").Error; got != "publish lake/adults/: disk full" {
		t.Errorf("adults error = %q", got)
	}
	if e.state.Products["adults"] != nil {
		t.Errorf("adults recorded")
	}
	if got := e.lake.staged(); len(got) > 0 {
		t.Errorf("staged folders left: %v", got)
	}
}

func TestPublishedVersionIsRecordedEvenWhenInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name string
		// after runs once the version is published; cancel interrupts the
		// apply.
		after   func(cancel func()) error
		wantErr error
	}{
		{"cancelled while publishing", func(cancel func()) error { cancel(); return nil }, context.Canceled},
		{"publish errs after taking effect", func(cancel func()) error { return errors.New("fsync failed") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e.lake.afterPublish = func(string) error { return tc.after(cancel) }
			res, err := apply.Run(ctx, e.options(e.plan(map[string]plans.Action{"adults": plans.Create, "names": plans.Create})))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got := product(res, "adults"); got.Status != apply.StatusDone {
				t.Fatalf("adults = %+v", got)
			}
			if got, want := e.state.Products["adults"].Output.VersionID, mustCurrent(t, e, "adults").VersionID; got != want {
				t.Errorf("state records %s, %s is published", got, want)
			}
		})
	}
}

func TestUpdateGoesOnWhenAnUpstreamFails(t *testing.T) {
	e := newEnv(t)
	e.createAll()
	e.write("data/people.csv", peopleV1+"4,old,150\n")
	p := e.plan(map[string]plans.Action{"adults": plans.Replace, "names": plans.Update})
	p.Change("names").After.Metadata.Owner = "other@example.com"
	res, err := apply.Run(context.Background(), e.options(p))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]apply.Status{"adults": apply.StatusFailed, "names": apply.StatusDone, "minors": apply.StatusUnchanged, "visit_count": apply.StatusUnchanged}
	if diff := cmp.Diff(want, statuses(res)); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if got := e.state.Products["names"].Metadata.Owner; got != "other@example.com" {
		t.Errorf("names owner = %q", got)
	}
}

func TestSaveFailureStopsTheApply(t *testing.T) {
	e := newEnv(t)
	e.failSave = func(n int) error {
		if n == 2 {
			return errors.New("disk full")
		}
		return nil
	}
	acts := map[string]plans.Action{}
	for _, n := range e.order {
		acts[n] = plans.Create
	}
	o := e.options(e.plan(acts))
	o.Parallelism = 1
	res, err := apply.Run(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
	var failed, skipped []string
	for _, p := range res.Products {
		switch p.Status {
		case apply.StatusFailed:
			failed = append(failed, p.Product)
			if !strings.Contains(p.Error, "published but not recorded in state") {
				t.Errorf("%s error = %q", p.Product, p.Error)
			}
		case apply.StatusSkipped:
			skipped = append(skipped, p.Product)
			if p.Reason != "not started: saving state failed" {
				t.Errorf("%s reason = %q", p.Product, p.Reason)
			}
		}
	}
	if len(failed) != 1 || len(skipped) != 2 {
		t.Errorf("failed %v, skipped %v", failed, skipped)
	}
}

func TestQuarantine(t *testing.T) {
	e := newEnv(t)
	e.write("data/people.csv", peopleV1+"4,dan,old\n")
	res, err := apply.Run(context.Background(), e.options(e.plan(map[string]plans.Action{"adults": plans.Create, "minors": plans.Create})))
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	for _, name := range []string{"adults", "minors"} {
		r := product(res, name)
		want := []apply.QuarantineFile{{Source: "people", Path: lakeio.VersionDir(r.VersionID) + "/_quarantine/people.csv", Rows: 1}}
		if diff := cmp.Diff(want, r.Quarantined); diff != "" {
			t.Errorf("%s quarantined (-want +got):\n%s", name, diff)
		}
		got := e.read(e.products[name].Output.Path + want[0].Path)
		if !strings.HasPrefix(got, "file,line,reason,record\n") || !strings.Contains(got, "4,dan,old") {
			t.Errorf("%s quarantine file = %q", name, got)
		}
		for _, f := range mustCurrent(t, e, name).Files {
			if strings.Contains(f.Path, "_quarantine") {
				t.Errorf("%s manifest lists %s", name, f.Path)
			}
		}
	}
	if e.state.Products["adults"].Output.Rows != 2 {
		t.Errorf("adults rows = %d", e.state.Products["adults"].Output.Rows)
	}
}

func TestQuarantineWithoutSinkOnlyCounts(t *testing.T) {
	e := newEnv(t)
	e.write("data/people.csv", peopleV1+"4,dan,old\n")
	o := e.options(e.plan(map[string]plans.Action{"adults": plans.Create}))
	o.Quarantine = nil
	res, err := apply.Run(context.Background(), o)
	if err != nil || !res.OK() {
		t.Fatalf("%v %+v", err, res)
	}
	if q := product(res, "adults").Quarantined; len(q) != 0 {
		t.Errorf("quarantined = %+v", q)
	}
}

func TestOptionsErrors(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		edit func(o *apply.Options)
		want string
	}{
		{"no plan", func(o *apply.Options) { o.Plan = nil }, "no plan"},
		{"no state", func(o *apply.Options) { o.State = nil }, "no state"},
		{"no save", func(o *apply.Options) { o.Save = nil }, "no way to save state"},
		{"no lake", func(o *apply.Options) { o.Lake = nil }, "no lake"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := e.options(e.plan(nil))
			tc.edit(&o)
			if _, err := apply.Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestProductFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(e *env, o *apply.Options)
		want string
	}{
		{"no sinker", func(e *env, o *apply.Options) { delete(o.Sinkers, "parquet") }, "writing parquet outputs is not supported"},
		{"not compiled", func(e *env, o *apply.Options) { o.Products = map[string]*ir.Product{} }, "not compiled"},
		{"scan error", func(e *env, o *apply.Options) { o.Executor.Scanners = map[ir.SourceKind]dataio.Scanner{} }, "no reader for csv sources"},
		{"update not in state", func(e *env, o *apply.Options) { o.Plan.Changes[0].Action = plans.Update }, "not in state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			o := e.options(e.plan(map[string]plans.Action{"adults": plans.Create}))
			tc.edit(e, &o)
			res, err := apply.Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if got := product(res, "adults"); got.Status != apply.StatusFailed || !strings.Contains(got.Error, tc.want) {
				t.Errorf("adults = %+v, want an error with %q", got, tc.want)
			}
			if len(e.saves) > 0 || e.lake.staged() != nil {
				t.Errorf("saved %d times; staged %v", len(e.saves), e.lake.staged())
			}
		})
	}
}

// TestQuarantineSinkIsACSVQuarantineSink keeps the RejectFile interface
// in step with providers/csv.
func TestQuarantineSinkIsACSVQuarantineSink(t *testing.T) {
	var _ apply.RejectFile = (*csv.QuarantineSink)(nil)
}
