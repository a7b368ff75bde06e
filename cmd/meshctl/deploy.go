package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/planner"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/render"
	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/planner/statestore"
	"github.com/meshctl/meshctl/providers/csv"
	"github.com/meshctl/meshctl/providers/parquet"
	"github.com/meshctl/meshctl/providers/pgtable"
	"github.com/meshctl/meshctl/providers/s3"
	"github.com/meshctl/meshctl/providers/statelocal"
	"github.com/meshctl/meshctl/providers/statepg"
)

// lockFlags are the locking flags of the commands that read or write state.
type lockFlags struct {
	lock    bool
	timeout time.Duration
}

func (l *lockFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&l.lock, "lock", true, "lock the state while the command runs (-lock=false only when you know nothing else runs)")
	cmd.Flags().DurationVar(&l.timeout, "lock-timeout", 0, "wait up to `DURATION` for a state lock held by another run (e.g. 30s)")
}

// backend returns the workspace's state backend, per its mesh { state }.
func (g *globals) backend(ctx context.Context, w *workspace) (statestore.Backend, error) {
	st := w.config.Mesh.State
	backend, path := "local", filepath.Join(".meshctl", "state.json")
	if st != nil {
		backend = st.Backend
		if st.Path != "" {
			path = st.Path
		}
	}
	switch backend {
	case "", "local":
		if !filepath.IsAbs(path) {
			path = filepath.Join(w.root, path)
		}
		return statelocal.New(path), nil
	case "s3":
		return s3.NewStateBackend(ctx, s3.StateOptions{S3: s3.Options{Region: st.Region, Endpoint: st.Endpoint}, Bucket: st.Bucket, Key: st.Key})
	case "postgres":
		dsn := st.DSN.Literal
		if st.DSN.Env != "" {
			v, ok := g.lookup(st.DSN.Env)
			if !ok || v == "" {
				return nil, fmt.Errorf("the postgres state backend reads its DSN from $%s, which is not set", st.DSN.Env)
			}
			dsn = v
		}
		return statepg.New(statepg.Options{DSN: dsn, DSNSource: st.DSN.String(), Table: st.Table, Workspace: w.config.Mesh.Name})
	}
	return nil, fmt.Errorf("the %s state backend is not supported yet: use backend = \"local\"", backend)
}

// session is a workspace whose state is loaded, under the lock.
type session struct {
	w      *workspace
	store  *state.Store
	state  *state.State
	lockID string
	// lake serves every location the workspace reads and publishes.
	lake lakeio.Lake
}

// openState loads the workspace (compiling every product), then locks and
// loads its state. close releases the lock.
func (g *globals) openState(ctx context.Context, op string, lf lockFlags) (*session, error) {
	w, err := g.loadWorkspace(ctx, nil)
	if err != nil {
		return nil, err
	}
	g.printDiags(w.diags, w.sources())
	if w.diags.HasErrors() {
		return nil, exitCode(exitError)
	}
	return g.lockState(ctx, w, op, lf)
}

func (g *globals) lockState(ctx context.Context, w *workspace, op string, lf lockFlags) (*session, error) {
	b, err := g.backend(ctx, w)
	if err != nil {
		return nil, err
	}
	lk, err := g.lakes(w)
	if err != nil {
		return nil, err
	}
	s := &session{w: w, store: &state.Store{Backend: b, MeshctlVersion: buildVersion().Version}, lake: lk}
	if lf.lock {
		id := newLockID()
		info := statestore.LockInfo{ID: id, Operation: op, Who: statestore.WhoAmI(), PID: os.Getpid(), Version: buildVersion().Version, Created: time.Now().UTC()}
		if err := s.store.Lock(ctx, info, lf.timeout); err != nil {
			var le *statestore.LockedError
			if errors.As(err, &le) {
				return nil, fmt.Errorf("cannot %s: %w", op, err)
			}
			return nil, err
		}
		s.lockID = id
	}
	st, err := s.store.Load(ctx)
	if err != nil {
		s.close(ctx)
		return nil, err
	}
	s.state = st
	return s, nil
}

func (s *session) close(ctx context.Context) {
	if s.lockID != "" {
		_ = s.store.Unlock(context.WithoutCancel(ctx), s.lockID)
		s.lockID = ""
	}
}

func newLockID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// makePlan plans the session's workspace against its state.
func (g *globals) makePlan(ctx context.Context, s *session, targets []string) (*plans.Plan, error) {
	return planner.Plan(ctx, planner.Options{
		Workspace: s.w.config,
		Compiled:  s.w.compiled,
		Prior:     s.state,
		Lake:      s.lake,
		Targets:   targets,
		// Database sources are fingerprinted by a full read: plan sees
		// a changed table as a changed input.
		FingerprintSource: g.fingerprintSource,
	})
}

// showPlan renders a plan for the terminal (or JSON).
func (g *globals) showPlan(p *plans.Plan) error {
	if g.json {
		return render.JSON(g.streams.Out, p)
	}
	return render.Text(g.streams.Out, p, render.TextOptions{Color: g.color(g.streams.Out)})
}

// refused reports changes that cannot be applied: a protected delete, or
// mandatory policies that failed.
func refused(p *plans.Plan) error {
	for _, c := range p.Changes {
		if c.Refused != "" {
			return fmt.Errorf("the plan cannot be applied: product.%s: %s", c.Product, c.Refused)
		}
	}
	blocking := p.Blocking()
	if len(blocking) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the plan cannot be applied: %d mandatory policy %s failed:", len(blocking), plural(len(blocking), "check", "checks"))
	soft := false
	for _, v := range blocking {
		fmt.Fprintf(&b, "\n  - %s (%s) on %s: %s", v.Policy, v.Enforcement, v.Object, v.Message)
		soft = soft || v.Enforcement == plans.SoftMandatory
	}
	b.WriteString("\nFix the definitions")
	if soft {
		b.WriteString(", or, for a soft_mandatory policy, add an exemption (policy, target, reason, expires) that reviewers approve")
	}
	b.WriteString(".")
	return errors.New(b.String())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func newPlanCmd(g *globals) *cobra.Command {
	var out string
	var detailed bool
	var targets []string
	var lf lockFlags
	var gh githubFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would change: products created, updated, replaced, deleted, and why",
		Long: `Plan compares the workspace's products with the deployed state and shows,
per product, what apply would do and why: + create, ~ update (metadata only,
nothing recomputed), -/+ replace (the definition, the compiled plan, the
input data or an upstream product changed, or the published output
drifted), - delete. Contract changes are classified column by column as
breaking or not, with the version bump they call for and the downstream
products they touch.

Every policy (the workspace's and those of each --policies DIR) is
evaluated against the products, their columns, outputs and sources, and
the planned changes. Advisory policies warn; a failed soft_mandatory policy
blocks unless an active exemption covers it, a hard_mandatory one always
blocks: plan then exits 1, saves no plan, and apply refuses.

-out FILE saves the plan for apply FILE. -detailed-exitcode exits 0 when
there are no changes, 1 on error, 2 when there are changes.
--github-comment posts the plan to its pull request, blocked or not (see
meshctl github comment --help).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := g.openState(ctx, "plan", lf)
			if err != nil {
				return err
			}
			defer s.close(ctx)
			p, err := g.makePlan(ctx, s, targets)
			if err != nil {
				return err
			}
			// The plan is made: the state lock is not needed to show it or
			// post it (GitHub retries may wait minutes).
			s.close(ctx)
			if err := g.showPlan(p); err != nil {
				return err
			}
			// Posted before the refusal: a blocked plan is when reviewers need it most.
			if err := gh.post(ctx, g, s.w, p); err != nil {
				return err
			}
			// A plan that cannot be applied is not saved: apply would refuse it.
			if err := refused(p); err != nil {
				return err
			}
			if out != "" {
				b, err := plans.EncodeFile(p, buildVersion().Version)
				if err != nil {
					return err
				}
				if err := os.WriteFile(g.path(out), b, 0o644); err != nil {
					return err
				}
				if !g.json {
					fmt.Fprintf(g.streams.Out, "\nSaved the plan to %s. To perform exactly these actions, run:\n  meshctl apply %s\n", out, out)
				}
			}
			if detailed && p.HasChanges() {
				return exitCode(exitChanges)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "save the plan to `FILE` for apply FILE")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false, "exit 0 with no changes, 1 on error, 2 with changes")
	cmd.Flags().StringArrayVar(&targets, "target", nil, "plan only `PRODUCT` and what it reads (repeatable)")
	lf.register(cmd)
	gh.register(cmd, true)
	return cmd
}

// path resolves a path the user gave relative to --chdir, as every path
// after --chdir is.
func (g *globals) path(p string) string {
	if p == "" || p == "-" || filepath.IsAbs(p) || g.chdir == "" {
		return p
	}
	return filepath.Join(g.chdir, p)
}

// sinkers lists the output writers, by format.
func (g *globals) sinkers() map[string]dataio.Sinker {
	return map[string]dataio.Sinker{"parquet": parquet.Sinker{}, "csv": csv.Sinker{},
		"postgres": pgtable.NewSinker(pgtable.Options{Getenv: g.lookup})}
}
