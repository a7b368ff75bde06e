package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/meshctl/meshctl/executor"
	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// apply carries out one product's change and reports it. fatal is set when
// saving state failed: the walk stops.
func (a *applier) apply(ctx context.Context, n *node) (res *ProductResult, fatal error) {
	c := n.change
	start := a.o.Now()
	res = &ProductResult{Product: c.Product, Action: c.Action}
	a.emit(Event{Kind: ProductStarted, Product: c.Product, Action: c.Action})
	var err error
	switch c.Action {
	case plans.Update:
		err = a.update(ctx, c)
	case plans.Delete:
		err = a.delete(ctx, c)
	case plans.Create, plans.Replace:
		err = a.compute(ctx, n, res, start)
	default:
		err = fmt.Errorf("unknown action %v", c.Action)
	}
	res.Elapsed = a.o.Now().Sub(start)
	var sf *saveFailure
	if errors.As(err, &sf) {
		fatal = sf.err
	}
	if err != nil {
		res.Status = StatusFailed
		res.Error = err.Error()
		a.emit(Event{Kind: ProductFailed, Product: c.Product, Action: c.Action, Rows: res.Rows, Bytes: res.Bytes, Elapsed: res.Elapsed, Result: res, Err: err})
		return res, fatal
	}
	res.Status = StatusDone
	a.emit(Event{Kind: ProductFinished, Product: c.Product, Action: c.Action, Rows: res.Rows, Bytes: res.Bytes, Elapsed: res.Elapsed, Result: res})
	return res, nil
}

// saveFailure wraps a failure to save state: the product failed and the
// apply stops.
type saveFailure struct {
	err  error
	what string
}

func (e *saveFailure) Error() string { return e.what + ": " + e.err.Error() }
func (e *saveFailure) Unwrap() error { return e.err }

// update writes the planned metadata and contract into state, keeping the
// record's output, inputs and checks: no data is recomputed.
func (a *applier) update(ctx context.Context, c *plans.ProductChange) error {
	if c.After == nil {
		return errors.New("the plan has no record to write")
	}
	cur := a.record(c.Product)
	if cur == nil {
		return errors.New("the product is not in state: it cannot be updated; run plan again")
	}
	rec := cloneRecord(c.After)
	rec.Output = cur.Output
	rec.Inputs = cur.Inputs
	rec.Checks = cur.Checks
	rec.AppliedAt = a.o.Now().UTC()
	if err := a.commit(ctx, func(s *state.State) { s.Products[c.Product] = rec }); err != nil {
		return &saveFailure{err: err, what: "the metadata was not recorded"}
	}
	return nil
}

// delete removes the published output and the state record. An output
// path another product keeps (after this apply) is left alone: only the
// record goes.
func (a *applier) delete(ctx context.Context, c *plans.ProductChange) error {
	cur := a.record(c.Product)
	if cur == nil {
		cur = c.Before
	}
	if cur != nil && cur.Output.Path != "" && !a.keptPaths[cur.Output.Path] {
		if err := a.o.Lake.Delete(ctx, cur.Output.Path); err != nil {
			return fmt.Errorf("delete %s: %w", cur.Output.Path, err)
		}
	}
	if err := a.commit(ctx, func(s *state.State) { delete(s.Products, c.Product) }); err != nil {
		return &saveFailure{err: err, what: "the output was deleted but state still lists the product (the next plan deletes it again)"}
	}
	return nil
}

// compute creates or replaces a product: check the inputs against the
// plan, stage, run, check, publish, record, prune.
func (a *applier) compute(ctx context.Context, n *node, res *ProductResult, start time.Time) error {
	c := n.change
	p := a.o.Products[c.Product]
	switch {
	case p == nil:
		return errors.New("the product is not compiled: run plan again")
	case c.After == nil:
		return errors.New("the plan has no record to write")
	case p.Output.Path == "":
		return fmt.Errorf("publishing %s outputs is not supported", orWord(p.Output.Format, "table"))
	}
	snk := a.o.Sinkers[p.Output.Format]
	if snk == nil {
		return fmt.Errorf("writing %s outputs is not supported", p.Output.Format)
	}
	inputs, pins, changed, err := a.checkInputs(ctx, n, p)
	if err != nil {
		return err
	}
	if len(changed) > 0 {
		res.InputsChanged = changed
		names := make([]string, len(changed))
		for i, ch := range changed {
			names[i], _, _ = strings.Cut(ch, ":")
		}
		return fmt.Errorf("%s changed since the plan was made; run plan again", strings.Join(names, ", "))
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	path := p.Output.Path
	id := versionID(a.o.Now())
	dir, err := a.o.Lake.Stage(ctx, path, id)
	if err != nil {
		return fmt.Errorf("stage a version of %s: %w", path, err)
	}
	published := false
	defer func() {
		if !published {
			// Not cancelled with ctx: an interrupted apply still cleans up.
			_ = a.o.Lake.Discard(context.WithoutCancel(ctx), path, id)
		}
	}()

	run, err := a.runProduct(ctx, n, p, snk, dir, pins, start)
	if run != nil {
		res.Rows, res.Bytes, res.Files = run.rows, run.bytes, len(run.files)
		res.Checks = run.checks
		res.Quarantined = run.quarantined(id)
	}
	if err != nil {
		return err
	}
	if failed := failedErrorChecks(run.checks); failed != "" {
		what := a.keptText(c.Product)
		if a.record(c.Product) != nil {
			checks := stateChecks(run.checks)
			if err := a.commit(ctx, func(s *state.State) {
				if cur := s.Products[c.Product]; cur != nil {
					r := *cur
					r.Checks = checks
					s.Products[c.Product] = &r
				}
			}); err != nil {
				return &saveFailure{err: err, what: "recording the failed checks"}
			}
		}
		return fmt.Errorf("%s; %s", failed, what)
	}
	// The compiler guarantees this; a plan made by another build, or a
	// bug, must not publish what the contract does not promise.
	contract := c.After.Contract
	if len(contract) == 0 {
		contract = stateColumns(p.Output.Schema)
	}
	if err := verifyContract(contract, executor.SinkSchema(p), run.checks); err != nil {
		return fmt.Errorf("%w; %s", err, a.keptText(c.Product))
	}

	m := &lakeio.Manifest{
		FormatVersion:  lakeio.ManifestFormatVersion,
		Product:        p.Name,
		VersionID:      id,
		PlanID:         a.o.Plan.ID,
		MeshctlVersion: a.o.MeshctlVersion,
		CreatedAt:      a.o.Now().UTC(),
		Format:         p.Output.Format,
		PartitionBy:    p.Output.PartitionBy,
		Rows:           run.rows,
		Readers:        slices.Clone(c.After.Metadata.Readers),
		Encryption:     c.After.Output.Encryption,
		KMSKeyID:       c.After.Output.KMSKeyID,
	}
	for _, col := range p.Output.Schema {
		m.Schema = append(m.Schema, lakeio.Column{Name: col.Name, Type: col.Type.String(), Nullable: col.Nullable})
	}
	for _, f := range run.files {
		m.Files = append(m.Files, lakeio.File{Path: f.Path, Rows: f.Rows, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	if err := a.publish(ctx, path, m); err != nil {
		return err
	}
	published = true
	// From here on the version is what readers see: finish the
	// bookkeeping even if ctx is cancelled, so that state follows.
	bg := context.WithoutCancel(ctx)
	cur, sum, err := a.o.Lake.Current(bg, path)
	if err == nil && cur.VersionID != id {
		err = fmt.Errorf("the lake names version %s as current", cur.VersionID)
	}
	if err != nil {
		return &saveFailure{err: fmt.Errorf("read back the manifest of %s: %w", path, err), what: "version " + id + " was published but not recorded in state (the next plan sees the drift and replaces it)"}
	}
	rec := cloneRecord(c.After)
	rec.Inputs = inputs
	rec.Output = state.Output{
		Format:         orWord(rec.Output.Format, p.Output.Format),
		Path:           orWord(rec.Output.Path, p.Output.Path),
		Table:          rec.Output.Table,
		PartitionBy:    rec.Output.PartitionBy,
		Encryption:     rec.Output.Encryption,
		KMSKeyID:       rec.Output.KMSKeyID,
		VersionID:      id,
		ManifestSHA256: sum,
		Rows:           run.rows,
		Bytes:          run.bytes,
	}
	if rec.Output.PartitionBy == nil {
		rec.Output.PartitionBy = p.Output.PartitionBy
	}
	for _, f := range run.files {
		rec.Output.Files = append(rec.Output.Files, state.File{Path: f.Path, Rows: f.Rows, Bytes: f.Bytes, SHA256: f.SHA256})
	}
	rec.Checks = stateChecks(run.checks)
	rec.AppliedAt = a.o.Now().UTC()
	res.VersionID = id
	if err := a.commit(bg, func(s *state.State) { s.Products[c.Product] = rec }); err != nil {
		return &saveFailure{err: err, what: "version " + id + " was published but not recorded in state (the next plan sees the drift and replaces it)"}
	}
	if err := a.o.Lake.Prune(bg, path, a.o.KeepVersions); err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("pruning old versions of %s failed: %v", path, err))
	}
	return nil
}

// publish makes the staged version current. When Publish fails, the lake
// is asked what is current: a publish that took effect before its error
// (or before ctx was cancelled) counts as done, so that state records it.
func (a *applier) publish(ctx context.Context, path string, m *lakeio.Manifest) error {
	err := a.o.Lake.Publish(ctx, path, m)
	if err == nil {
		return nil
	}
	if cur, _, cerr := a.o.Lake.Current(context.WithoutCancel(ctx), path); cerr == nil && cur.VersionID == m.VersionID {
		return nil
	}
	return fmt.Errorf("publish %s: %w", path, err)
}

// runOutcome is what computing a product produced.
type runOutcome struct {
	rows, bytes int64
	files       []dataio.File
	checks      []CheckResult
	rejected    []rejected
}

// rejected is one non-empty quarantine file.
type rejected struct {
	source string
	file   dataio.File
}

func (r *runOutcome) quarantined(id string) []QuarantineFile {
	var out []QuarantineFile
	for _, q := range r.rejected {
		out = append(out, QuarantineFile{Source: q.source, Path: lakeio.VersionDir(id) + "/" + quarantineDir + "/" + q.file.Path, Rows: q.file.Rows})
	}
	return out
}

// runProduct computes p into dir. The outcome is returned even with an error
// when something was counted.
func (a *applier) runProduct(ctx context.Context, n *node, p *ir.Product, snk dataio.Sinker, dir string, pins map[string]string, start time.Time) (*runOutcome, error) {
	opts := a.o.Executor
	opts.Scanners = maps.Clone(a.o.Executor.Scanners)
	if opts.Scanners == nil {
		opts.Scanners = map[ir.SourceKind]dataio.Scanner{}
	}
	if opts.Scanners[ir.SourceProduct] == nil {
		opts.Scanners[ir.SourceProduct] = &productScanner{lake: a.o.Lake, scanners: a.o.Executor.Scanners, pins: pins}
	}
	if opts.Products == nil {
		opts.Products = a.o.Products
	}
	q := &quarantines{dir: filepath.Join(dir, quarantineDir), create: a.o.Quarantine}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		// The staged version is not a local folder (a PostgreSQL staging
		// table): there is nowhere to keep quarantined rows, which are
		// then only counted, rather than a folder made in the working
		// directory.
		q.create = nil
	}
	opts.Rejects = q.sink

	plan, err := executor.Compile(p, opts)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	w, err := snk.Create(ctx, dataio.SinkRequest{Output: p.Output, Schema: executor.SinkSchema(p), Dir: dir})
	if err != nil {
		return nil, fmt.Errorf("create the %s writer: %w", p.Output.Format, err)
	}
	cw := &countingWriter{w: w}
	stop := a.progress(p.Name, n.change.Action, &cw.rows, dir, start)
	r, err := plan.Run(ctx, cw)
	stop()
	out := &runOutcome{rows: cw.rows.Load()}
	if err != nil {
		w.Abort()
		_, _ = q.close()
		if ctx.Err() != nil {
			return out, fmt.Errorf("interrupted: %w", ctx.Err())
		}
		return out, err
	}
	out.rows = r.Rows
	for _, c := range r.Checks {
		out.checks = append(out.checks, checkResult(c))
	}
	files, err := w.Close(ctx)
	if err != nil {
		return out, fmt.Errorf("write the output: %w", err)
	}
	out.files = files
	for _, f := range files {
		out.bytes += f.Bytes
	}
	if out.rejected, err = q.close(); err != nil {
		return out, fmt.Errorf("quarantine: %w", err)
	}
	return out, nil
}

// checkInputs re-checks, before a product is computed, that its inputs
// hold the data the plan saw. It returns the inputs to record (what is
// read now), the version of each upstream product to read, and one line
// per input that moved. An upstream published again by this apply moved
// by design: the product reads its new version.
//
// Fingerprints are those of the planner: Lake.Fingerprint(path) for file
// sources, "version:<id>" of the upstream's state record for product
// inputs, none for PostgreSQL sources (not checked).
func (a *applier) checkInputs(ctx context.Context, n *node, p *ir.Product) (map[string]state.Input, map[string]string, []string, error) {
	planned := n.change.After.Inputs
	inputs := map[string]state.Input{}
	pins := map[string]string{}
	var changed []string
	for _, in := range p.Inputs {
		src := in.Source
		was, hasPlan := planned[in.Name]
		from := "source." + src.Name
		if src.Kind == ir.SourceProduct {
			from = "product." + src.Name
		}
		label := "input." + in.Name + " (" + from + ")"
		switch {
		case src.Kind == ir.SourceProduct:
			rec := a.record(src.Name)
			if rec == nil || rec.Output.VersionID == "" {
				changed = append(changed, label+": nothing of "+from+" is recorded as published; apply it first")
				continue
			}
			fp := "version:" + rec.Output.VersionID
			up := a.byName[src.Name]
			moved := up != nil && up.republished()
			if !moved && hasPlan && was.Fingerprint != "" && was.Fingerprint != fp {
				changed = append(changed, fmt.Sprintf("%s: %s when planned, %s now", label, was.Fingerprint, fp))
				continue
			}
			// Readers go through the lake: it must publish what state
			// records, or the product would read other data.
			m, _, err := a.o.Lake.Current(ctx, src.Path)
			switch {
			case errors.Is(err, lakeio.ErrNotPublished):
				changed = append(changed, label+": nothing is published at "+src.Path)
				continue
			case err != nil:
				return nil, nil, nil, fmt.Errorf("%s: %w", label, err)
			case m.VersionID != rec.Output.VersionID:
				changed = append(changed, fmt.Sprintf("%s: version %s is published, state records %s", label, m.VersionID, rec.Output.VersionID))
				continue
			}
			pins[src.Name] = rec.Output.VersionID
			inputs[in.Name] = state.Input{From: from, Fingerprint: fp}
		case src.Kind == ir.SourcePostgres && a.o.FingerprintSource != nil:
			fp, err := a.o.FingerprintSource(ctx, src)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%s: fingerprint: %w", label, err)
			}
			if hasPlan && was.Fingerprint != "" && was.Fingerprint != fp {
				changed = append(changed, fmt.Sprintf("%s: the data of %s changed since the plan", label, from))
				continue
			}
			inputs[in.Name] = state.Input{From: from, Fingerprint: fp}
		case src.Path == "" || src.Kind == ir.SourcePostgres:
			inputs[in.Name] = state.Input{From: from, Fingerprint: was.Fingerprint}
		default:
			fp, err := a.o.Lake.Fingerprint(ctx, src.Path)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%s: fingerprint %s: %w", label, src.Path, err)
			}
			if hasPlan && was.Fingerprint != "" && was.Fingerprint != fp {
				changed = append(changed, fmt.Sprintf("%s: the data at %s changed", label, src.Path))
				continue
			}
			inputs[in.Name] = state.Input{From: from, Fingerprint: fp}
		}
	}
	return inputs, pins, changed, nil
}

// countingWriter counts the rows handed to the writer, for progress.
type countingWriter struct {
	w    dataio.Writer
	rows atomic.Int64
}

func (c *countingWriter) Write(ctx context.Context, b *vector.Batch) error {
	if err := c.w.Write(ctx, b); err != nil {
		return err
	}
	c.rows.Add(int64(b.Len))
	return nil
}

func (c *countingWriter) Close(ctx context.Context) ([]dataio.File, error) { return c.w.Close(ctx) }
func (c *countingWriter) Abort()                                           { c.w.Abort() }

// versionID returns a version id that sorts by time, to the microsecond:
// 20261125T161500Z-01e240, the suffix being the microsecond within the
// second in hex. Two versions of one output within a second (a quick
// re-apply) thus still sort in order, which pruning relies on; ids of one
// output never collide, since one apply at a time writes it.
func versionID(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%s-%06x", t.Format("20060102T150405Z"), t.Nanosecond()/1000)
}

// cloneRecord copies a planned record so that apply never changes the
// plan: the maps and slices apply replaces are fresh.
func cloneRecord(r *state.Product) *state.Product {
	c := *r
	c.Transforms = maps.Clone(r.Transforms)
	c.Inputs = maps.Clone(r.Inputs)
	c.Contract = slices.Clone(r.Contract)
	c.Checks = slices.Clone(r.Checks)
	c.Output.Files = slices.Clone(r.Output.Files)
	return &c
}

func stateChecks(cs []CheckResult) []state.Check {
	if len(cs) == 0 {
		return nil // as a decoded state has it
	}
	out := make([]state.Check, len(cs))
	for i, c := range cs {
		out[i] = state.Check{Name: c.Name, Severity: string(c.Severity), Passed: c.Passed}
	}
	return out
}

// failedErrorChecks says which error-severity checks failed ("" when
// none did): the contract's with their detail, the others by name.
func failedErrorChecks(cs []CheckResult) string {
	var parts, names []string
	for _, c := range cs {
		if c.Passed || c.Severity != ir.SeverityError {
			continue
		}
		if c.Detail != "" {
			parts = append(parts, c.Detail)
		} else {
			names = append(names, c.Name)
		}
	}
	if len(names) > 0 {
		parts = append(parts, plural(len(names), "check", "checks")+" "+strings.Join(names, ", ")+" failed")
	}
	return strings.Join(parts, "; ")
}

// keptText says what readers still see when product's new version is not
// published.
func (a *applier) keptText(product string) string {
	prev := a.record(product)
	switch {
	case prev == nil:
		return "nothing was published"
	case prev.Output.VersionID != "":
		return "version " + prev.Output.VersionID + " stays published"
	}
	return "the previous version stays published"
}

// checkResult is the report of an executor's check result, with the
// detail of a failed contract check.
func checkResult(c executor.CheckResult) CheckResult {
	r := CheckResult{Name: c.Name, Severity: c.Severity, Implicit: c.Implicit, Column: c.Column, Passed: c.Passed}
	for _, o := range c.Observed {
		r.Observed = append(r.Observed, Observation{Name: o.Name, Value: o.Value, Null: o.Null})
	}
	if !c.Passed && c.Implicit && c.Column != "" {
		r.Detail = fmt.Sprintf("contract: column %q is declared nullable = false but some rows are null", c.Column)
		// ir.Check.Column: the check's aggregates are count() and
		// count(column).
		if len(c.Observed) == 2 {
			rows, err1 := strconv.ParseInt(c.Observed[0].Value, 10, 64)
			nonNull, err2 := strconv.ParseInt(c.Observed[1].Value, 10, 64)
			if err1 == nil && err2 == nil {
				r.Detail = fmt.Sprintf("contract: column %q is declared nullable = false but %d of %d %s null",
					c.Column, rows-nonNull, rows, plural(int(rows), "row is", "rows are"))
			}
		}
	}
	return r
}

// verifyContract checks the schema a product's output was written with
// against the contract it publishes (state's columns: name, type,
// nullability): the same columns in the same order and of the same types,
// and a column promised non-null either non-null by construction or
// verified by its passed implicit check.
func verifyContract(contract []state.Column, staged types.Schema, checks []CheckResult) error {
	verified := map[string]bool{}
	for _, c := range checks {
		if c.Implicit && c.Passed && c.Column != "" {
			verified[c.Column] = true
		}
	}
	for _, col := range contract {
		i := staged.Index(col.Name)
		if i < 0 {
			return fmt.Errorf("contract: column %q is not in the output (it has %s)", col.Name, strings.Join(staged.Names(), ", "))
		}
		got := staged[i]
		if got.Type.String() != col.Type {
			return fmt.Errorf("contract: column %q is declared %s but the output writes %s", col.Name, col.Type, got.Type)
		}
		if !col.Nullable && got.Nullable && !verified[col.Name] {
			return fmt.Errorf("contract: column %q is declared nullable = false but the output may hold nulls and no check verified it", col.Name)
		}
	}
	if len(staged) != len(contract) {
		listed := map[string]bool{}
		for _, col := range contract {
			listed[col.Name] = true
		}
		for _, col := range staged {
			if !listed[col.Name] {
				return fmt.Errorf("contract: the output writes column %q, which the contract does not list", col.Name)
			}
		}
		return fmt.Errorf("contract: the output writes %d columns, the contract lists %d", len(staged), len(contract))
	}
	for i, col := range contract {
		if staged[i].Name != col.Name {
			names := make([]string, len(contract))
			for j, c := range contract {
				names[j] = c.Name
			}
			return fmt.Errorf("contract: the output writes its columns in the order %s, the contract lists %s",
				strings.Join(staged.Names(), ", "), strings.Join(names, ", "))
		}
	}
	return nil
}

// stateColumns is a published schema as state records it.
func stateColumns(s types.Schema) []state.Column {
	out := make([]state.Column, len(s))
	for i, c := range s {
		out[i] = state.Column{Name: c.Name, Type: c.Type.String(), Nullable: c.Nullable}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
