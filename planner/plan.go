package planner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/policy"
	"github.com/meshctl/meshctl/planner/state"
)

// Options is what planning needs.
type Options struct {
	Workspace *configs.Workspace
	// Compiled holds every product of the workspace, compiled without
	// errors.
	Compiled *compile.Result
	// Prior is the deployed state (an empty one before the first apply).
	Prior *state.State
	// Lake fingerprints file sources and finds published outputs.
	Lake lakeio.Lake
	// Targets, when set, limit the plan to these products and those they
	// read.
	Targets []string
	// DeepVerify checks the checksums of every published file for drift,
	// not only their presence and sizes.
	DeepVerify bool
	// Now stamps the plan (time.Now when nil).
	Now func() time.Time
	// FingerprintSource fingerprints the data of database sources
	// (PostgreSQL tables and queries), which the lake cannot see as files;
	// nil leaves them unfingerprinted (their changes go unseen).
	FingerprintSource func(ctx context.Context, src *ir.Source) (string, error)
}

// Plan compares the workspace with the deployed state and returns what
// apply would do. Errors are for what cannot be looked at (a source whose
// files cannot be listed, an unreadable manifest).
func Plan(ctx context.Context, o Options) (*plans.Plan, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	ws, prior := o.Workspace, o.Prior
	p := &plans.Plan{
		ID:            newID(now()),
		CreatedAt:     now().UTC(),
		Lineage:       prior.Lineage,
		Serial:        prior.Serial,
		WorkspaceHash: workspaceHash(ws),
		Targets:       o.Targets,
	}
	selected, err := selection(ws, prior, o.Targets)
	if err != nil {
		return nil, err
	}
	order := productOrder(ws, prior, selected)

	// Desired records, with the fingerprints of what they read. Looking at
	// data is I/O: do it for all products at once.
	want := map[string]*state.Product{}
	for _, name := range order {
		cp := ws.Products[name]
		ip := o.Compiled.Products[name]
		if cp == nil || ip == nil {
			continue
		}
		want[name] = desired(cp, ws, ip)
	}
	if err := fingerprintInputs(ctx, o, want); err != nil {
		return nil, err
	}
	drift, err := findDrift(ctx, o, prior, order)
	if err != nil {
		return nil, err
	}

	readers := readersOf(ws)
	recomputed := map[string]bool{}
	for _, name := range order {
		before := prior.Products[name]
		after := want[name]
		f := facts{drift: drift[name]}
		if ip := o.Compiled.Products[name]; ip != nil {
			for _, in := range ip.Inputs {
				if in.Source.Kind == ir.SourceProduct && recomputed[in.Source.Name] {
					f.upstream = append(f.upstream, "product."+in.Source.Name)
				}
			}
		}
		action, reasons, refused := decideAction(before, after, f)
		if action == plans.Create || action == plans.Replace {
			recomputed[name] = true
		}
		c := &plans.ProductChange{Product: name, Action: action, Reasons: reasons, Before: before, After: after, Refused: refused,
			RequiredBump: plans.BumpNone, DeclaredBump: plans.BumpNone}
		if before != nil && after != nil {
			c.ContractChanges = contractChanges(before.Contract, after.Contract)
			for _, cc := range c.ContractChanges {
				c.Breaking = c.Breaking || cc.Breaking
			}
			metaChanged := slices.ContainsFunc(reasons, func(r plans.Reason) bool { return r.Kind == plans.ReasonMetadata })
			c.RequiredBump = requiredBump(c.ContractChanges, metaChanged)
			c.DeclaredBump = declaredBump(before.Metadata.Version, after.Metadata.Version)
		}
		if action == plans.Delete && before != nil {
			c.ContractChanges = contractChanges(before.Contract, nil)
			c.Breaking = true
			c.RequiredBump = plans.BumpMajor
		}
		if action != plans.NoOp {
			c.Downstream = downstream(ws, readers, name)
		}
		p.Changes = append(p.Changes, c)
	}
	res := policy.Evaluate(policy.Input{Workspace: ws, Compiled: o.Compiled, Plan: p, Now: now()})
	p.Violations, p.Exemptions = res.Violations, res.Exemptions
	return p, nil
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

func newID(t time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// selection returns the products to plan: all of the workspace and of the
// state, or the targets and everything they read.
func selection(ws *configs.Workspace, prior *state.State, targets []string) (map[string]bool, error) {
	sel := map[string]bool{}
	if len(targets) == 0 {
		for _, n := range ws.ProductOrder {
			sel[n] = true
		}
		for n := range prior.Products {
			sel[n] = true
		}
		return sel, nil
	}
	var add func(string)
	add = func(n string) {
		if sel[n] {
			return
		}
		sel[n] = true
		if cp := ws.Products[n]; cp != nil {
			for _, in := range cp.Inputs {
				if in.From.Kind == addrs.ProductKind {
					add(in.From.Name)
				}
			}
		}
	}
	for _, t := range targets {
		if ws.Products[t] == nil && prior.Products[t] == nil {
			return nil, fmt.Errorf("-target %s: no product of that name in the configuration or the state", t)
		}
		add(t)
	}
	return sel, nil
}

// productOrder lists the selected products upstream first (declaration
// order among independent ones), then those only in state (to delete),
// by name.
func productOrder(ws *configs.Workspace, prior *state.State, sel map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if seen[n] || !sel[n] {
			return
		}
		seen[n] = true
		if cp := ws.Products[n]; cp != nil {
			for _, in := range cp.Inputs {
				if in.From.Kind == addrs.ProductKind {
					visit(in.From.Name)
				}
			}
		}
		out = append(out, n)
	}
	for _, n := range ws.ProductOrder {
		visit(n)
	}
	var gone []string
	for n := range prior.Products {
		if sel[n] && !seen[n] {
			gone = append(gone, n)
		}
	}
	sort.Strings(gone)
	return append(out, gone...)
}

// fingerprintInputs fills the desired records' input fingerprints: file
// sources by the lake (names, sizes, times), product inputs by the
// upstream's published version.
func fingerprintInputs(ctx context.Context, o Options, want map[string]*state.Product) error {
	type job struct {
		product, input string
		src            *ir.Source
	}
	var jobs, dbJobs []job
	for name, rec := range want {
		for _, in := range o.Compiled.Products[name].Inputs {
			s := in.Source
			from := "source." + s.Name
			if s.Kind == ir.SourceProduct {
				from = "product." + s.Name
			}
			fp := ""
			switch s.Kind {
			case ir.SourceProduct:
				if up := o.Prior.Products[s.Name]; up != nil && up.Output.VersionID != "" {
					fp = "version:" + up.Output.VersionID
				}
			case ir.SourcePostgres:
				if o.FingerprintSource != nil {
					dbJobs = append(dbJobs, job{product: name, input: in.Name, src: s})
				}
			default:
				jobs = append(jobs, job{product: name, input: in.Name, src: s})
			}
			rec.Inputs[in.Name] = state.Input{From: from, Fingerprint: fp}
		}
	}
	// A database source is fingerprinted once per plan, however many
	// products read it.
	dbPrints := map[string]string{}
	for _, j := range dbJobs {
		fp, ok := dbPrints[j.src.Name]
		if !ok {
			var err error
			if fp, err = o.FingerprintSource(ctx, j.src); err != nil {
				return fmt.Errorf("source %s: fingerprint: %w", j.src.Name, err)
			}
			dbPrints[j.src.Name] = fp
		}
		in := want[j.product].Inputs[j.input]
		in.Fingerprint = fp
		want[j.product].Inputs[j.input] = in
	}
	if o.Lake == nil || len(jobs) == 0 {
		return nil
	}
	// Many products read the same source: look at each path once.
	paths := map[string]string{}
	for _, j := range jobs {
		paths[j.src.Path] = ""
	}
	list := make([]string, 0, len(paths))
	for path := range paths {
		list = append(list, path)
	}
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, path := range list {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fp, err := o.Lake.Fingerprint(ctx, path)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("fingerprint %s: %w", path, err)
			}
			paths[path] = fp
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for _, j := range jobs {
		in := want[j.product].Inputs[j.input]
		in.Fingerprint = paths[j.src.Path]
		want[j.product].Inputs[j.input] = in
	}
	return nil
}

// findDrift checks every published output recorded in state against what
// is published now.
func findDrift(ctx context.Context, o Options, prior *state.State, order []string) (map[string][]string, error) {
	out := map[string][]string{}
	if o.Lake == nil {
		return out, nil
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr error
	sem := make(chan struct{}, 8)
	for _, name := range order {
		rec := prior.Products[name]
		if rec == nil || rec.Output.VersionID == "" || rec.Output.Path == "" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			problems, err := driftOf(ctx, o, rec)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("product.%s: %w", name, err)
			}
			if len(problems) > 0 {
				out[name] = problems
			}
		}()
	}
	wg.Wait()
	return out, firstErr
}

func driftOf(ctx context.Context, o Options, rec *state.Product) ([]string, error) {
	m, sum, err := o.Lake.Current(ctx, rec.Output.Path)
	if errors.Is(err, lakeio.ErrNotPublished) {
		return []string{"nothing is published at " + rec.Output.Path}, nil
	}
	if err != nil {
		return nil, err
	}
	if m.VersionID != rec.Output.VersionID {
		return []string{fmt.Sprintf("the published version is %s, state records %s", m.VersionID, rec.Output.VersionID)}, nil
	}
	if rec.Output.ManifestSHA256 != "" && sum != rec.Output.ManifestSHA256 {
		return []string{"the manifest was modified"}, nil
	}
	return o.Lake.Verify(ctx, rec.Output.Path, m, o.DeepVerify)
}

// readersOf maps each product to the products that read it directly.
func readersOf(ws *configs.Workspace) map[string][]string {
	readers := map[string][]string{}
	for _, n := range ws.ProductOrder {
		for _, in := range ws.Products[n].Inputs {
			if in.From.Kind == addrs.ProductKind {
				readers[in.From.Name] = append(readers[in.From.Name], n)
			}
		}
	}
	return readers
}

// downstream lists the products that read name, directly or not, with
// their owners.
func downstream(ws *configs.Workspace, readers map[string][]string, name string) []plans.Downstream {
	var out []plans.Downstream
	seen := map[string]bool{}
	var walk func(n string, direct bool)
	walk = func(n string, direct bool) {
		for _, r := range readers[n] {
			if seen[r] {
				continue
			}
			seen[r] = true
			cp := ws.Products[r]
			m := metadataOf(cp, ws)
			out = append(out, plans.Downstream{Product: r, Owner: m.Owner, Team: m.Team, Direct: direct})
			walk(r, false)
		}
	}
	walk(name, true)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Direct != out[j].Direct {
			return out[i].Direct
		}
		return out[i].Product < out[j].Product
	})
	return out
}
