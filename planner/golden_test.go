package planner

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/render"
	"github.com/meshctl/meshctl/planner/state"
)

// This file holds the planner's end-to-end golden scenarios: each
// testdata/scenarios/NAME.txtar is a workspace as first applied (before/),
// optionally as applied next (between/), and as it is now (after/), with
// the fake lake's fingerprints, drift and hand edits of the state. The
// test plans and "applies" each step, plans the last one and compares its
// three views (NAME.txt, NAME.md, NAME.json) with the goldens; refresh
// them with
//
//	go test ./planner -run TestGoldenScenarios -update
//
// The key facts of every plan (actions, reasons, breaking flags, bumps)
// are also asserted in Go, in goldenWants, so that a golden refreshed
// without reading it cannot bless a wrong plan.

var updateGolden = flag.Bool("update", false, "rewrite testdata/scenarios/*.{txt,md,json} from the planner's and renderers' output")

// goldenNow is every plan's and apply's clock.
var goldenNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// The plan id and the state lineage are random, and the views show them:
// the test sets these instead.
const (
	goldenPlanID  = "20261125T120000Z-golden"
	goldenLineage = "00000000000000000000000000golden"
)

// archiveFile is one file of a txtar-style archive.
type archiveFile struct {
	Name string
	Data []byte
}

// splitArchive reads the txtar format (golang.org/x/tools/txtar, which this
// module does not require directly): a comment, then files each introduced
// by a line "-- name --". (A copy of lang/compile's test helper: test code
// is not imported across packages.)
func splitArchive(data []byte) (comment []byte, files []archiveFile) {
	var cur *archiveFile
	for len(data) > 0 {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		if name, ok := markerName(line); ok {
			files = append(files, archiveFile{Name: name})
			cur = &files[len(files)-1]
			continue
		}
		if cur == nil {
			comment = append(append(comment, line...), '\n')
		} else {
			cur.Data = append(append(cur.Data, line...), '\n')
		}
	}
	return comment, files
}

func markerName(line []byte) (string, bool) {
	s := strings.TrimRight(string(line), "\r")
	if !strings.HasPrefix(s, "-- ") || !strings.HasSuffix(s, " --") || len(s) < 7 {
		return "", false
	}
	return strings.TrimSpace(s[3 : len(s)-3]), true
}

// goldenScenario is an archive, parsed.
type goldenScenario struct {
	// steps are the workspaces in the order they are planned: before,
	// between (optional), after. Every step but the last is applied.
	steps     [][]configs.File
	stepNames []string
	// fingerprints are the lake's fingerprints per path, one per step
	// (the last value repeats for later steps). A path not listed
	// fingerprints as "files:1".
	fingerprints map[string][]string
	// drift lists, per product, the problems the lake reports on its
	// published output before the last plan; "!unpublished" removes the
	// output's manifest.
	drift map[string][]string
	// edits are hand edits of the state before the last plan.
	edits [][]string
	// targets are the last plan's -target products.
	targets []string
}

func parseScenario(t *testing.T, data []byte) *goldenScenario {
	t.Helper()
	sc := &goldenScenario{fingerprints: map[string][]string{}, drift: map[string][]string{}}
	byStep := map[string][]configs.File{}
	_, files := splitArchive(data)
	for _, f := range files {
		dir, name, ok := strings.Cut(f.Name, "/")
		switch {
		case ok && (dir == "before" || dir == "between" || dir == "after"):
			byStep[dir] = append(byStep[dir], configs.File{Name: name, Src: f.Data})
		case f.Name == "fingerprints":
			for _, l := range lines(f.Data) {
				fs := strings.Fields(l)
				if len(fs) < 2 {
					t.Fatalf("fingerprints: %q is not PATH FINGERPRINT...", l)
				}
				sc.fingerprints[fs[0]] = fs[1:]
			}
		case f.Name == "drift":
			for _, l := range lines(f.Data) {
				product, problem, ok := strings.Cut(l, ":")
				if !ok {
					t.Fatalf("drift: %q is not PRODUCT: PROBLEM", l)
				}
				sc.drift[product] = append(sc.drift[product], strings.TrimSpace(problem))
			}
		case f.Name == "state-edits":
			for _, l := range lines(f.Data) {
				sc.edits = append(sc.edits, strings.Fields(l))
			}
		case f.Name == "targets":
			sc.targets = lines(f.Data)
		default:
			t.Fatalf("unknown archive file %q", f.Name)
		}
	}
	for _, step := range []string{"before", "between", "after"} {
		if files := byStep[step]; len(files) > 0 {
			sc.steps = append(sc.steps, files)
			sc.stepNames = append(sc.stepNames, step)
		}
	}
	if len(sc.steps) < 2 || sc.stepNames[0] != "before" || sc.stepNames[len(sc.stepNames)-1] != "after" {
		t.Fatalf("an archive needs before/ and after/ files, got steps %v", sc.stepNames)
	}
	return sc
}

// lines returns the non-blank lines of data that are not # comments.
func lines(data []byte) []string {
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// goldenLake is a fake lake: fingerprints from the scenario, manifests
// from the fake applies, problems from the scenario's drift.
type goldenLake struct {
	fingerprints map[string]string
	manifests    map[string]*lakeio.Manifest
	problems     map[string][]string
}

func (l *goldenLake) Fingerprint(_ context.Context, path string) (string, error) {
	if fp, ok := l.fingerprints[path]; ok {
		return fp, nil
	}
	return "files:1", nil
}

func (l *goldenLake) Current(_ context.Context, path string) (*lakeio.Manifest, string, error) {
	m := l.manifests[path]
	if m == nil {
		return nil, "", lakeio.ErrNotPublished
	}
	return m, "sum-" + m.VersionID, nil
}

func (l *goldenLake) Verify(_ context.Context, path string, _ *lakeio.Manifest, _ bool) ([]string, error) {
	return l.problems[path], nil
}

func (l *goldenLake) Stage(context.Context, string, string) (string, error)   { return "", nil }
func (l *goldenLake) Publish(context.Context, string, *lakeio.Manifest) error { return nil }
func (l *goldenLake) Discard(context.Context, string, string) error           { return nil }
func (l *goldenLake) Prune(context.Context, string, int) error                { return nil }
func (l *goldenLake) Delete(context.Context, string) error                    { return nil }

// goldenApply pretends apply carried every change of p out: it returns the
// state apply writes and publishes the new versions in the lake. Like
// apply, an update keeps the record's output, inputs and checks, and a
// create or replace records a product input's fingerprint as the version
// of the upstream it read ("version:<id>"). Versions are named by the
// state serial and the plan position, so that every version is distinct.
func goldenApply(p *plans.Plan, lake *goldenLake, prior *state.State) *state.State {
	s := &state.State{FormatVersion: state.FormatVersion, Lineage: prior.Lineage, Serial: prior.Serial + 1,
		MeshctlVersion: prior.MeshctlVersion, Products: map[string]*state.Product{}}
	for n, r := range prior.Products {
		s.Products[n] = r
	}
	for i, c := range p.Changes {
		if c.Refused != "" {
			continue
		}
		switch c.Action {
		case plans.Delete:
			delete(s.Products, c.Product)
			delete(lake.manifests, c.Before.Output.Path)
		case plans.Create, plans.Replace:
			rec := *c.After
			rec.Inputs = map[string]state.Input{}
			for name, in := range c.After.Inputs {
				if up := s.Products[strings.TrimPrefix(in.From, "product.")]; strings.HasPrefix(in.From, "product.") && up != nil {
					in.Fingerprint = "version:" + up.Output.VersionID
				}
				rec.Inputs[name] = in
			}
			rec.Output.VersionID = fmt.Sprintf("v%d.%d", s.Serial, i)
			rec.Output.ManifestSHA256 = "sum-" + rec.Output.VersionID
			rec.AppliedAt = goldenNow
			lake.manifests[rec.Output.Path] = &lakeio.Manifest{VersionID: rec.Output.VersionID}
			s.Products[c.Product] = &rec
		case plans.Update:
			rec := *c.After
			rec.Output = c.Before.Output
			rec.Inputs = c.Before.Inputs
			rec.Checks = c.Before.Checks
			rec.AppliedAt = goldenNow
			s.Products[c.Product] = &rec
		}
	}
	return s
}

// roundTrip encodes and decodes a state, so that the planner sees what
// it sees of a state file.
func roundTrip(t *testing.T, s *state.State) *state.State {
	t.Helper()
	doc, err := state.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := state.Decode(doc, "golden state")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// editState applies a scenario's hand edits of the state:
//
//	PRODUCT prevent_destroy true|false
//	PRODUCT check NAME SEVERITY passed|failed
func editState(t *testing.T, s *state.State, edits [][]string) {
	t.Helper()
	for _, e := range edits {
		if len(e) < 2 {
			t.Fatalf("state edit %q: too short", e)
		}
		rec := s.Products[e[0]]
		if rec == nil {
			t.Fatalf("state edit %q: no product %s in state", e, e[0])
		}
		cp := *rec
		switch {
		case e[1] == "prevent_destroy" && len(e) == 3:
			cp.PreventDestroy = e[2] == "true"
		case e[1] == "check" && len(e) == 5:
			cp.Checks = append(slices.Clone(cp.Checks), state.Check{Name: e[2], Severity: e[3], Passed: e[4] == "passed"})
		default:
			t.Fatalf("state edit %q: unknown", e)
		}
		s.Products[e[0]] = &cp
	}
}

// compileStep loads and compiles one step's workspace; every source
// declares its schema, so nothing is read.
func compileStep(t *testing.T, files []configs.File) (*configs.Workspace, *compile.Result) {
	t.Helper()
	ws, ds := configs.LoadFiles(slices.Clone(files), configs.Options{})
	if ds.HasErrors() {
		t.Fatalf("load: %v", ds.Err())
	}
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds.Err())
	}
	return ws, res
}

// runScenario plans and applies every step but the last, then returns the
// last step's plan, its id and lineage fixed.
func runScenario(t *testing.T, sc *goldenScenario) *plans.Plan {
	t.Helper()
	lake := &goldenLake{fingerprints: map[string]string{}, manifests: map[string]*lakeio.Manifest{}, problems: map[string][]string{}}
	s := state.New("test")
	s.Lineage = goldenLineage
	var p *plans.Plan
	for i, files := range sc.steps {
		for path, fps := range sc.fingerprints {
			lake.fingerprints[path] = fps[min(i, len(fps)-1)]
		}
		last := i == len(sc.steps)-1
		var targets []string
		if last {
			for product, problems := range sc.drift {
				rec := s.Products[product]
				if rec == nil {
					t.Fatalf("drift: no product %s in state", product)
				}
				for _, pr := range problems {
					if pr == "!unpublished" {
						delete(lake.manifests, rec.Output.Path)
					} else {
						lake.problems[rec.Output.Path] = append(lake.problems[rec.Output.Path], pr)
					}
				}
			}
			editState(t, s, sc.edits)
			targets = sc.targets
		}
		ws, res := compileStep(t, files)
		var err error
		p, err = Plan(context.Background(), Options{Workspace: ws, Compiled: res, Prior: s, Lake: lake, Targets: targets,
			Now: func() time.Time { return goldenNow }})
		if err != nil {
			t.Fatalf("plan %s: %v", sc.stepNames[i], err)
		}
		p.ID = goldenPlanID
		p.Lineage = goldenLineage
		if !last {
			s = roundTrip(t, goldenApply(p, lake, s))
			// Once applied, the same workspace plans no changes.
			again, err := Plan(context.Background(), Options{Workspace: ws, Compiled: res, Prior: s, Lake: lake,
				Now: func() time.Time { return goldenNow }})
			if err != nil {
				t.Fatalf("plan %s again: %v", sc.stepNames[i], err)
			}
			if again.HasChanges() {
				t.Fatalf("plan %s again, after applying it, has changes: %s", sc.stepNames[i], render.Summary(again))
			}
		}
	}
	return p
}

// goldenViews renders the three views of a plan: extension → bytes.
func goldenViews(t *testing.T, p *plans.Plan) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var buf bytes.Buffer
	if err := render.Text(&buf, p, render.TextOptions{}); err != nil {
		t.Fatalf("Text: %v", err)
	}
	out[".txt"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := render.Markdown(&buf, p, render.MarkdownOptions{}); err != nil {
		t.Fatalf("Markdown: %v", err)
	}
	out[".md"] = bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := render.JSON(&buf, p); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	out[".json"] = bytes.Clone(buf.Bytes())
	return out
}

// productFact is what goldenWants asserts of one product's change. Bumps
// "none" are left empty; Columns are "column kind", with a "!" for a
// breaking change; Reasons are "kind subject" (just the kind when there
// is no subject, and for "failed");
// Downstream ("product owner", "(indirect)" appended) is compared only
// when the want lists it.
type productFact struct {
	Action     string
	Reasons    []string
	Columns    []string
	Breaking   bool
	Required   plans.Bump
	Declared   plans.Bump
	Refused    bool
	Downstream []string
}

// planWant is what goldenWants asserts of a plan: every product's facts,
// in plan order, and the warnings (substrings, one per warning).
type planWant struct {
	Order    []string
	Products map[string]productFact
	Warnings []string
	// Violations are "policy enforcement object", with " exempted" or
	// " expired" appended; compared only when the want lists them.
	Violations []string
	// Exemptions are "name days-left used" of the active exemptions.
	Exemptions []string
}

func factsOf(p *plans.Plan, want planWant) planWant {
	got := planWant{Products: map[string]productFact{}}
	for _, c := range p.Changes {
		got.Order = append(got.Order, c.Product)
		f := productFact{Action: c.Action.Word(), Breaking: c.Breaking, Refused: c.Refused != ""}
		if c.RequiredBump != plans.BumpNone {
			f.Required = c.RequiredBump
		}
		if c.DeclaredBump != plans.BumpNone {
			f.Declared = c.DeclaredBump
		}
		for _, r := range c.Reasons {
			if r.Kind == plans.ReasonFailed {
				// No convention names the failed check yet: the kind
				// is what matters.
				f.Reasons = append(f.Reasons, string(r.Kind))
				continue
			}
			f.Reasons = append(f.Reasons, strings.TrimSpace(string(r.Kind)+" "+r.Subject))
		}
		for _, cc := range c.ContractChanges {
			s := cc.Column + " " + string(cc.Kind)
			if cc.Breaking {
				s += "!"
			}
			f.Columns = append(f.Columns, s)
		}
		if want.Products[c.Product].Downstream != nil {
			f.Downstream = []string{}
			for _, d := range c.Downstream {
				s := d.Product + " " + d.Owner
				if !d.Direct {
					s += " (indirect)"
				}
				f.Downstream = append(f.Downstream, s)
			}
		}
		got.Products[c.Product] = f
	}
	if want.Order == nil {
		got.Order = nil
	}
	if want.Violations != nil {
		got.Violations = []string{}
		for _, v := range p.Violations {
			s := v.Policy + " " + v.Enforcement + " " + v.Object
			if v.Exemption != "" {
				s += " exempted"
			}
			if v.ExpiredExemption != "" {
				s += " expired"
			}
			got.Violations = append(got.Violations, s)
		}
		for _, e := range p.Exemptions {
			got.Exemptions = append(got.Exemptions, fmt.Sprintf("%s %d %d", e.Name, e.DaysLeft, e.Used))
		}
	}
	// Warnings match by substring: keep the want's text where it matches.
	for _, w := range p.Warnings {
		text := w
		for _, ww := range want.Warnings {
			if strings.Contains(w, ww) {
				text = ww
				break
			}
		}
		got.Warnings = append(got.Warnings, text)
	}
	return got
}

func TestGoldenScenarios(t *testing.T) {
	archives, err := filepath.Glob(filepath.Join("testdata", "scenarios", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(archives) < 22 {
		t.Fatalf("%d scenarios in testdata/scenarios, want at least 22", len(archives))
	}
	seen := map[string]bool{}
	for _, path := range archives {
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sc := parseScenario(t, data)
			p := runScenario(t, sc)
			got := goldenViews(t, p)

			// The views are deterministic: the same plan twice, and the
			// whole scenario run again, give the same bytes.
			if diff := cmp.Diff(got, goldenViews(t, p)); diff != "" {
				t.Errorf("rendering the plan twice differs:\n%s", diff)
			}
			if diff := cmp.Diff(got, goldenViews(t, runScenario(t, sc))); diff != "" {
				t.Errorf("running the scenario twice differs:\n%s", diff)
			}
			if !json.Valid(got[".json"]) {
				t.Error("the JSON view is not valid JSON")
			}
			if bytes.Contains(got[".txt"], []byte("\x1b")) {
				t.Error("the text view without colour holds an escape sequence")
			}
			if summary := render.Summary(p); !bytes.Contains(got[".txt"], []byte(summary)) || !bytes.Contains(got[".md"], []byte(summary)) {
				t.Errorf("a view lacks the summary %q", summary)
			}

			base := strings.TrimSuffix(path, ".txtar")
			for _, ext := range []string{".txt", ".md", ".json"} {
				file := base + ext
				if *updateGolden {
					if err := os.WriteFile(file, got[ext], 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./planner -run TestGoldenScenarios -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(got[ext])); diff != "" {
					t.Errorf("%s differs (-want +got):\n%s", file, diff)
				}
			}

			want, ok := goldenWants[name]
			if !ok {
				t.Fatalf("no facts in goldenWants for %s", name)
			}
			if diff := cmp.Diff(want, factsOf(p, want)); diff != "" {
				t.Errorf("plan facts differ (-want +got):\n%s", diff)
			}
		})
	}
	for name := range goldenWants {
		if !seen[name] {
			t.Errorf("goldenWants has %s, which has no archive", name)
		}
	}
}

// Reasons, contract changes and downstream products of the scenarios'
// products, as goldenWants spells them.
var (
	upstreamClean    = "upstream product.orders_clean"
	statsRemoved     = []string{"orders removed!", "revenue removed!"}
	statsDownstream  = []string{"order_stats finance@acme.example"}
	noOp             = productFact{Action: "no-op"}
	cleanTransformed = productFact{Action: "replace", Reasons: []string{"transform transform.valid"}, Downstream: statsDownstream}
	statsCascade     = productFact{Action: "replace", Reasons: []string{upstreamClean}}
)

// goldenWants are the key facts of every scenario's last plan: what the
// planner must decide, whatever the goldens say. Where the planner does
// otherwise today, the want is what it should decide, with a comment.
var goldenWants = map[string]planWant{
	"new_product": {Products: map[string]productFact{
		"orders_clean": noOp,
		"order_stats":  {Action: "create", Reasons: []string{"new"}},
	}},
	"product_removed": {Products: map[string]productFact{
		"orders_clean": noOp,
		"order_stats":  {Action: "delete", Reasons: []string{"removed"}, Columns: statsRemoved, Breaking: true, Required: plans.BumpMajor},
	}},
	"governance": {
		Products: map[string]productFact{
			// Unmasked, email carries its pii tag again.
			"customers": {Action: "replace", Reasons: []string{"plan", "metadata access.readers", "metadata contract.column.email"},
				Columns: []string{"email mask!", "email tags"}, Breaking: true, Required: plans.BumpMajor},
			"by_country": {Action: "create", Reasons: []string{"new"}},
		},
		Violations: []string{
			"pii_is_masked soft_mandatory product.customers.column.email",
			"pii_is_masked soft_mandatory product.by_country.column.emails exempted",
			"no_pii_for_everyone hard_mandatory product.customers",
			"described advisory product.by_country",
			"masks_stay soft_mandatory product.customers",
			"no_silent_breaking_changes soft_mandatory product.customers",
			"described advisory product.customers expired",
		},
		Exemptions: []string{"by_country_emails 126 1"},
	},
	"column_removed": {
		Products: map[string]productFact{
			"orders_clean": {Action: "replace", Reasons: []string{"transform transform.valid"}, Columns: []string{"customer_id removed!"},
				Breaking: true, Required: plans.BumpMajor, Downstream: statsDownstream},
			// order_stats' transform was not edited: it is recomputed
			// because its upstream is.
			"order_stats": statsCascade,
		},
	},
	"column_added": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"transform transform.valid", "metadata version"}, Columns: []string{"status added"},
			Required: plans.BumpMinor, Declared: plans.BumpMinor},
		"order_stats": statsCascade,
	}},
	"type_widened": {
		Products: map[string]productFact{
			"orders_clean": {Action: "replace", Reasons: []string{"transform transform.valid"}, Columns: []string{"quantity type"}, Required: plans.BumpMinor},
		},
	},
	"type_narrowed": {
		Products: map[string]productFact{
			"orders_clean": {Action: "replace", Reasons: []string{"transform transform.valid", "metadata version"}, Columns: []string{"quantity type!"},
				Breaking: true, Required: plans.BumpMajor, Declared: plans.BumpMinor},
		},
	},
	"nullable_to_not_null": {
		Products: map[string]productFact{
			"orders_clean": {Action: "replace", Reasons: []string{"plan"}, Columns: []string{"customer_id nullable"}, Required: plans.BumpMinor},
		},
	},
	"not_null_to_nullable": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"plan", "metadata version"}, Columns: []string{"order_id nullable!"},
			Breaking: true, Required: plans.BumpMajor, Declared: plans.BumpMajor},
	}},
	"owner_change": {Products: map[string]productFact{
		"orders_clean": {Action: "update", Reasons: []string{"metadata owner"}, Required: plans.BumpPatch, Downstream: statsDownstream},
		"order_stats":  noOp,
	}},
	"description_tags_sla": {Products: map[string]productFact{
		"orders_clean": {Action: "update", Reasons: []string{"metadata description", "metadata tags", "metadata freshness"}, Required: plans.BumpPatch},
	}},
	"contract_description_only": {Products: map[string]productFact{
		"orders_clean": {Action: "update", Reasons: []string{"metadata contract.column.amount"}, Columns: []string{"amount description"},
			Required: plans.BumpPatch, Downstream: statsDownstream},
		"order_stats": noOp,
	}},
	// Tags are documentation (DESIGN.md §3): nothing is recomputed, in
	// orders_clean or in order_stats, whose revenue column inherits the
	// tag.
	"contract_tags_only": {Products: map[string]productFact{
		"orders_clean": {Action: "update", Reasons: []string{"metadata contract.column.amount"}, Columns: []string{"amount tags"},
			Required: plans.BumpPatch, Downstream: statsDownstream},
		"order_stats": {Action: "update", Reasons: []string{"metadata contract.column.revenue"}, Columns: []string{"revenue tags"}, Required: plans.BumpPatch},
	}},
	"transform_changed": {Products: map[string]productFact{
		"orders_clean": cleanTransformed,
		"order_stats":  statsCascade,
	}},
	"transform_added": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"transform transform.big"}},
	}},
	// Only transform.valid was edited.
	"chained_transform_changed": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"transform transform.valid"}},
	}},
	"input_data_changed": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"input input.orders"}, Downstream: statsDownstream},
		"order_stats":  statsCascade,
	}},
	// No transform was edited: the input reads another source.
	"input_repointed": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"input input.orders"}},
	}},
	"upstream_cascade": {
		Order: []string{"orders_clean", "customer_revenue", "top_customers", "big_orders"},
		Products: map[string]productFact{
			"orders_clean": {Action: "replace", Reasons: []string{"transform transform.valid"},
				Downstream: []string{"customer_revenue sales-data@acme.example", "top_customers account-managers@acme.example (indirect)"}},
			"customer_revenue": {Action: "replace", Reasons: []string{upstreamClean},
				Downstream: []string{"top_customers account-managers@acme.example"}},
			"top_customers": {Action: "replace", Reasons: []string{"upstream product.customer_revenue"}},
			"big_orders":    noOp,
		},
	},
	"delete_refused": {Products: map[string]productFact{
		"orders_clean": noOp,
		"order_stats": {Action: "delete", Reasons: []string{"removed", "protected"}, Columns: statsRemoved, Breaking: true,
			Required: plans.BumpMajor, Refused: true},
	}},
	"protected_in_state_only": {Products: map[string]productFact{
		"orders_clean": noOp,
		"order_stats": {Action: "delete", Reasons: []string{"removed", "protected"}, Columns: statsRemoved, Breaking: true,
			Required: plans.BumpMajor, Refused: true},
	}},
	"prevent_destroy_lifted": {Products: map[string]productFact{
		"orders_clean": noOp,
		"order_stats":  {Action: "update", Reasons: []string{"lifecycle prevent_destroy"}},
	}},
	"prevent_destroy_lifted_then_delete": {Products: map[string]productFact{
		"orders_clean": noOp,
		"order_stats":  {Action: "delete", Reasons: []string{"removed"}, Columns: statsRemoved, Breaking: true, Required: plans.BumpMajor},
	}},
	"drifted_output": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"drift output"}, Downstream: statsDownstream},
		"order_stats":  {Action: "replace", Reasons: []string{upstreamClean, "drift output"}},
	}},
	// Only the output moved: the compiled plan's inputs, types and
	// checks did not change, and order_stats' transform was not edited.
	"output_moved": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"output output"}, Downstream: statsDownstream},
		"order_stats":  statsCascade,
	}},
	"breaking_with_major_bump": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"transform transform.valid", "metadata version"}, Columns: []string{"quantity removed!"},
			Breaking: true, Required: plans.BumpMajor, Declared: plans.BumpMajor},
		"order_stats": statsCascade,
	}},
	"mixed_actions_domains": {
		Order: []string{"orders_clean", "customer_revenue", "campaign_audience", "revenue_report", "big_orders", "top_customers", "order_stats"},
		Products: map[string]productFact{
			"orders_clean": {Action: "replace", Reasons: []string{"transform transform.valid"}, Columns: []string{"quantity removed!"},
				Breaking: true, Required: plans.BumpMajor, Downstream: []string{
					"campaign_audience marketing-data@acme.example",
					"customer_revenue sales-data@acme.example",
					"revenue_report cfo-office@acme.example (indirect)",
					"top_customers account-managers@acme.example (indirect)",
				}},
			"customer_revenue": {Action: "replace", Reasons: []string{upstreamClean},
				Downstream: []string{"revenue_report cfo-office@acme.example", "top_customers account-managers@acme.example"}},
			"campaign_audience": {Action: "replace", Reasons: []string{upstreamClean}},
			"revenue_report":    {Action: "replace", Reasons: []string{"upstream product.customer_revenue"}},
			"big_orders":        {Action: "update", Reasons: []string{"metadata owner"}, Required: plans.BumpPatch},
			"top_customers":     {Action: "create", Reasons: []string{"new"}},
			"order_stats":       {Action: "delete", Reasons: []string{"removed"}, Columns: statsRemoved, Breaking: true, Required: plans.BumpMajor},
		},
	},
	"target_plan": {
		Order: []string{"orders_clean", "customer_revenue"},
		Products: map[string]productFact{
			"orders_clean":     {Action: "replace", Reasons: []string{"transform transform.valid"}},
			"customer_revenue": {Action: "replace", Reasons: []string{upstreamClean}},
		},
	},
	// The plan says the last apply did not publish (plans.ReasonFailed),
	// besides the reason that still holds.
	"failed_check": {Products: map[string]productFact{
		"orders_clean": {Action: "replace", Reasons: []string{"input input.orders", "failed"}, Downstream: statsDownstream},
		"order_stats":  statsCascade,
	}},
}
