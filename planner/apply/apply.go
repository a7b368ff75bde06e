package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/meshctl/meshctl/executor"
	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// Defaults of Options.
const (
	DefaultParallelism  = 4
	DefaultKeepVersions = 3
)

// Options is what an apply needs.
type Options struct {
	// Plan is carried out. Its Lineage and Serial, when set, must be the
	// State's: a plan made against another state is refused.
	Plan *plans.Plan
	// Products are the compiled products of the workspace (the desired
	// definitions): every product the plan creates or replaces must be
	// there.
	Products map[string]*ir.Product
	// State is the deployed state, loaded under the lock the caller holds
	// for the whole apply. Apply changes it in place and calls Save after
	// every product.
	State *state.State
	// Save writes State (incrementing its Serial, as state.Store.Save
	// does). Calls are serialised: never two at once.
	Save func(ctx context.Context, s *state.State) error
	// Lake stages, publishes, prunes and deletes outputs, and fingerprints
	// inputs.
	Lake lakeio.Lake
	// FingerprintSource fingerprints database sources, as the planner
	// did, to re-check them before a product reads them; nil skips them.
	FingerprintSource func(ctx context.Context, src *ir.Source) (string, error)
	// Sinkers write outputs, by output format ("parquet", "csv").
	Sinkers map[string]dataio.Sinker
	// Executor configures the runs: workers, batch size, scanners,
	// environment. Scanners[ir.SourceProduct], when nil, is set by apply to
	// a reader of the upstream's published version: the folder of the
	// version state records (checked to be the lake's current one before
	// the product starts), read by Scanners of the upstream's output
	// format. Rejects is replaced per product (see Quarantine); Products
	// defaults to Products.
	Executor executor.Options
	// Quarantine creates the file that rows set aside by a CSV source with
	// on_error = "quarantine" go to, in dir (providers/csv's
	// NewQuarantineSink). Nil: such rows are only counted.
	Quarantine func(dir, name string) (RejectFile, error)
	// Parallelism is the most products computed at once
	// (DefaultParallelism when 0 or less).
	Parallelism int
	// KeepVersions is how many versions of each output are kept for
	// rollback, the current one included (DefaultKeepVersions when 0 or
	// less).
	KeepVersions int
	// MeshctlVersion goes into manifests and state.
	MeshctlVersion string
	// Events, when set, receives progress. It is called from several
	// goroutines, but never twice at once: calls are serialised, and a
	// product's events arrive in order (started, progress…, then one of
	// finished or failed). A slow Events slows the apply down.
	Events func(Event)
	// Now is the clock (time.Now when nil): version ids, manifests'
	// CreatedAt, state's AppliedAt.
	Now func() time.Time
}

// RejectFile receives the rows a source sets aside and describes the file
// written when closed. providers/csv's *QuarantineSink is one.
type RejectFile interface {
	dataio.RejectSink
	// Close flushes the file and describes it (Path as given at creation,
	// Rows the rows rejected).
	Close() (dataio.File, error)
}

// Status is what became of one product.
type Status string

// Statuses.
const (
	// StatusDone: the action was carried out.
	StatusDone Status = "done"
	// StatusFailed: the action failed; the previous version (if any) stays
	// published and recorded.
	StatusFailed Status = "failed"
	// StatusSkipped: the action was not attempted (an upstream failed or
	// was skipped, or the apply was interrupted first).
	StatusSkipped Status = "skipped"
	// StatusUnchanged: the plan had nothing to do (no-op).
	StatusUnchanged Status = "unchanged"
)

// ProductResult is what apply did to one product.
type ProductResult struct {
	Product string       `json:"product"`
	Action  plans.Action `json:"action"`
	Status  Status       `json:"status"`
	// VersionID is the version published (create, replace).
	VersionID string `json:"version_id,omitempty"`
	Rows      int64  `json:"rows"`
	Bytes     int64  `json:"bytes"`
	Files     int    `json:"files"`
	// Elapsed is the wall time spent on the product.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Error says why the product failed.
	Error string `json:"error,omitempty"`
	// Reason says why the product was skipped.
	Reason string `json:"reason,omitempty"`
	// InputsChanged lists the inputs whose data moved since the plan was
	// made, one line each.
	InputsChanged []string      `json:"inputs_changed,omitempty"`
	Checks        []CheckResult `json:"checks,omitempty"`
	// Quarantined lists the files of rows set aside by sources with
	// on_error = "quarantine".
	Quarantined []QuarantineFile `json:"quarantined,omitempty"`
	// Warnings are problems that did not fail the product (pruning old
	// versions failed).
	Warnings []string `json:"warnings,omitempty"`
}

// CheckResult is one check's outcome.
type CheckResult struct {
	Name     string      `json:"name"`
	Severity ir.Severity `json:"severity"`
	Implicit bool        `json:"implicit,omitempty"`
	// Column is the contract column an implicit check enforces
	// nullable = false on.
	Column string `json:"column,omitempty"`
	Passed bool   `json:"passed"`
	// Detail says why a failed check failed when apply can tell more than
	// its name: for a contract's nullable = false, how many rows are null.
	Detail string `json:"detail,omitempty"`
	// Observed are the aggregates the check computed, in order: what its
	// assertion was about ("count()" = "120").
	Observed []Observation `json:"observed,omitempty"`
}

// Observation is one aggregate a check computed.
type Observation struct {
	// Name is the aggregate as written: "count()", "max(age)".
	Name string `json:"name"`
	// Value is its text (decimals with their scale, dates YYYY-MM-DD,
	// timestamps RFC 3339 in UTC); "" when Null.
	Value string `json:"value"`
	Null  bool   `json:"null,omitempty"`
}

// QuarantineFile is one file of quarantined rows.
type QuarantineFile struct {
	// Source is the source whose rows these are.
	Source string `json:"source"`
	// Path is relative to the output's folder:
	// _versions/<id>/_quarantine/<source>.csv.
	Path string `json:"path"`
	Rows int64  `json:"rows"`
}

// Result is what an apply did: every product of the plan, in the plan's
// order.
type Result struct {
	PlanID   string          `json:"plan_id"`
	Products []ProductResult `json:"products"`
	Elapsed  time.Duration   `json:"elapsed_ns"`
}

func (r *Result) with(s Status) []ProductResult {
	var out []ProductResult
	for _, p := range r.Products {
		if p.Status == s {
			out = append(out, p)
		}
	}
	return out
}

// Done returns the products whose action was carried out.
func (r *Result) Done() []ProductResult { return r.with(StatusDone) }

// Failed returns the products that failed.
func (r *Result) Failed() []ProductResult { return r.with(StatusFailed) }

// Skipped returns the products that were not attempted.
func (r *Result) Skipped() []ProductResult { return r.with(StatusSkipped) }

// Unchanged returns the products the plan left alone.
func (r *Result) Unchanged() []ProductResult { return r.with(StatusUnchanged) }

// OK reports whether every product was done or unchanged.
func (r *Result) OK() bool {
	for _, p := range r.Products {
		if p.Status == StatusFailed || p.Status == StatusSkipped {
			return false
		}
	}
	return true
}

// RefusedError is returned, before anything is done, for a plan holding
// changes that cannot be carried out (a delete under prevent_destroy).
type RefusedError struct {
	// Changes lists "product.x: why", one per refused change.
	Changes []string
}

func (e *RefusedError) Error() string {
	return "the plan cannot be applied; nothing was changed:\n  " + strings.Join(e.Changes, "\n  ")
}

// Run carries o.Plan out. It returns an error, with a nil Result, when it
// refuses to start (a refused change, a plan made against another state,
// missing options). Once started it always returns a Result listing every
// product of the plan; the error is then ctx's when the apply was
// interrupted (running products fail and their staged versions are
// discarded; those not started are skipped), or a failure to save state
// (after which no product is started). Products that fail are reported in
// the Result, not as an error: see Result.OK.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	if o.Parallelism <= 0 {
		o.Parallelism = DefaultParallelism
	}
	if o.KeepVersions <= 0 {
		o.KeepVersions = DefaultKeepVersions
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.State.Products == nil {
		o.State.Products = map[string]*state.Product{}
	}
	a := newApplier(o)
	return a.run(ctx)
}

func (o *Options) validate() error {
	switch {
	case o.Plan == nil:
		return errors.New("apply: no plan")
	case o.State == nil:
		return errors.New("apply: no state")
	case o.Save == nil:
		return errors.New("apply: no way to save state")
	case o.Lake == nil:
		return errors.New("apply: no lake")
	}
	if o.Plan.Lineage != "" && o.Plan.Lineage != o.State.Lineage {
		return fmt.Errorf("the plan was made against another state (lineage %s, the state's is %s): run plan again", o.Plan.Lineage, o.State.Lineage)
	}
	if o.Plan.Lineage != "" && o.Plan.Serial != o.State.Serial {
		return fmt.Errorf("the state changed since the plan was made (serial %d then, %d now): run plan again", o.Plan.Serial, o.State.Serial)
	}
	var refused []string
	for _, c := range o.Plan.Changes {
		switch {
		case c.Refused != "":
			refused = append(refused, "product."+c.Product+": "+c.Refused)
		case c.Action == plans.Delete && o.State.Products[c.Product] != nil && o.State.Products[c.Product].PreventDestroy:
			refused = append(refused, "product."+c.Product+": lifecycle.prevent_destroy is set in state; apply prevent_destroy = false first")
		}
	}
	if len(refused) > 0 {
		return &RefusedError{Changes: refused}
	}
	return nil
}

// node is one product of the plan in the walk.
type node struct {
	change *plans.ProductChange
	// ups are the products of the plan this one reads; downs those that
	// read it.
	ups, downs []*node
	// pending counts the ups not finished yet.
	pending int
	// blockers are ups that did not succeed.
	blockers []*node
	// result is set once the product is finished; fatal when a state save
	// failed.
	result *ProductResult
	fatal  error
}

func (n *node) ok() bool {
	return n.result != nil && (n.result.Status == StatusDone || n.result.Status == StatusUnchanged)
}

// republished reports whether the node published a new version in this
// apply.
func (n *node) republished() bool {
	a := n.change.Action
	return n.result != nil && n.result.Status == StatusDone && (a == plans.Create || a == plans.Replace)
}

// applier is one apply in progress.
type applier struct {
	o      Options
	nodes  []*node
	byName map[string]*node
	// keptPaths are the output paths that products keep after the apply:
	// a delete leaves their data alone.
	keptPaths map[string]bool

	// stateMu guards o.State and serialises Save.
	stateMu sync.Mutex
	// eventMu serialises o.Events.
	eventMu sync.Mutex
}

func newApplier(o Options) *applier {
	a := &applier{o: o, byName: map[string]*node{}, keptPaths: map[string]bool{}}
	for _, c := range o.Plan.Changes {
		n := &node{change: c}
		a.nodes = append(a.nodes, n)
		a.byName[c.Product] = n
	}
	for _, n := range a.nodes {
		if n.change.Action != plans.Delete {
			if path := a.outputPath(n); path != "" {
				a.keptPaths[path] = true
			}
		}
		seen := map[string]bool{}
		for _, up := range a.upstreams(n) {
			u := a.byName[up]
			if u == nil || u == n || seen[up] {
				continue
			}
			seen[up] = true
			n.ups = append(n.ups, u)
			u.downs = append(u.downs, n)
		}
		n.pending = len(n.ups)
	}
	for name, rec := range o.State.Products {
		if c := a.byName[name]; (c == nil || c.change.Action != plans.Delete) && rec.Output.Path != "" {
			a.keptPaths[rec.Output.Path] = true
		}
	}
	return a
}

// upstreams returns the products n reads: the product inputs of its
// compiled product, else (an update or no-op of a product that is not
// compiled) those its planned record names.
func (a *applier) upstreams(n *node) []string {
	var out []string
	if p := a.o.Products[n.change.Product]; p != nil && n.change.Action != plans.Delete {
		for _, in := range p.Inputs {
			if in.Source != nil && in.Source.Kind == ir.SourceProduct {
				out = append(out, in.Source.Name)
			}
		}
		return out
	}
	if n.change.After != nil {
		for _, in := range n.change.After.Inputs {
			if name, ok := strings.CutPrefix(in.From, "product."); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// outputPath is where the product's output is, after the apply.
func (a *applier) outputPath(n *node) string {
	if p := a.o.Products[n.change.Product]; p != nil {
		return p.Output.Path
	}
	if n.change.After != nil {
		return n.change.After.Output.Path
	}
	return ""
}

// run walks the plan: a product starts when every upstream in the plan is
// finished, at most Parallelism at once.
func (a *applier) run(ctx context.Context) (*Result, error) {
	start := a.o.Now()
	var ready []*node
	for _, n := range a.nodes {
		if n.pending == 0 {
			ready = append(ready, n)
		}
	}
	finished := make(chan *node)
	running := 0
	var fatal error
	release := func(n *node) {
		for _, d := range n.downs {
			d.pending--
			if !n.ok() {
				d.blockers = append(d.blockers, n)
			}
			if d.pending == 0 {
				ready = append(ready, d)
			}
		}
	}
	for {
		for running < a.o.Parallelism && len(ready) > 0 && ctx.Err() == nil && fatal == nil {
			n := ready[0]
			ready = ready[1:]
			if why := blockedBy(n); why != "" {
				n.result = &ProductResult{Product: n.change.Product, Action: n.change.Action, Status: StatusSkipped, Reason: why}
				a.emit(Event{Kind: ProductSkipped, Product: n.change.Product, Action: n.change.Action, Result: n.result})
				release(n)
				continue
			}
			if n.change.Action == plans.NoOp {
				n.result = &ProductResult{Product: n.change.Product, Action: plans.NoOp, Status: StatusUnchanged}
				release(n)
				continue
			}
			running++
			go func() {
				n.result, n.fatal = a.apply(ctx, n)
				finished <- n
			}()
		}
		if running == 0 {
			break
		}
		n := <-finished
		running--
		if n.fatal != nil && fatal == nil {
			fatal = n.fatal
		}
		release(n)
	}

	res := &Result{PlanID: a.o.Plan.ID}
	for _, n := range a.nodes {
		if n.result == nil {
			r := &ProductResult{Product: n.change.Product, Action: n.change.Action, Status: StatusSkipped}
			switch {
			case n.change.Action == plans.NoOp:
				r.Status = StatusUnchanged
			case fatal != nil:
				r.Reason = "not started: saving state failed"
			case ctx.Err() != nil:
				r.Reason = "not started: the apply was interrupted"
			default:
				r.Reason = "not started: its upstreams never finished (a dependency cycle)"
			}
			n.result = r
			if r.Status == StatusSkipped {
				a.emit(Event{Kind: ProductSkipped, Product: r.Product, Action: r.Action, Result: r})
			}
		}
		res.Products = append(res.Products, *n.result)
	}
	res.Elapsed = a.o.Now().Sub(start)
	if fatal != nil {
		return res, fatal
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	return res, nil
}

// blockedBy says why n cannot run: an upstream failed or was skipped. Only
// products that read their upstreams' data (create, replace) are held
// back: an update or a delete reads no data, and a no-op's published data
// stays consistent with its upstreams' published versions, which a failure
// leaves in place.
func blockedBy(n *node) string {
	if len(n.blockers) == 0 || (n.change.Action != plans.Create && n.change.Action != plans.Replace) {
		return ""
	}
	var parts []string
	for _, b := range n.blockers {
		verb := "failed"
		if b.result != nil && b.result.Status == StatusSkipped {
			verb = "was skipped"
		}
		parts = append(parts, "product."+b.change.Product+" "+verb)
	}
	return "upstream " + strings.Join(parts, ", ")
}

// commit changes state and saves it, under the state lock. The save is
// not cancelled with ctx: what it records has happened.
func (a *applier) commit(ctx context.Context, change func(s *state.State)) error {
	a.stateMu.Lock()
	defer a.stateMu.Unlock()
	change(a.o.State)
	if a.o.MeshctlVersion != "" {
		a.o.State.MeshctlVersion = a.o.MeshctlVersion
	}
	if err := a.o.Save(context.WithoutCancel(ctx), a.o.State); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// record returns the state record of a product (nil when none), read
// under the state lock.
func (a *applier) record(name string) *state.Product {
	a.stateMu.Lock()
	defer a.stateMu.Unlock()
	return a.o.State.Products[name]
}
