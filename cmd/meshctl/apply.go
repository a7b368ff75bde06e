package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/executor"
	"github.com/meshctl/meshctl/planner"
	"github.com/meshctl/meshctl/planner/apply"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/render"
	"github.com/meshctl/meshctl/providers/csv"
)

func newApplyCmd(g *globals) *cobra.Command {
	var autoApprove bool
	var parallelism, keep, threads int
	var targets []string
	var lf lockFlags
	cmd := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Carry out a plan: compute and publish products, save state after each",
		Long: `Apply carries out a plan. Without PLANFILE it plans first, shows the plan
and asks for "yes" (or -auto-approve). With a plan saved by plan -out, it
refuses a plan whose state or workspace changed since it was made.

Products are computed in dependency order, independent ones in parallel
(-parallelism). Each output is written to a staging folder, its checks run,
and only then is it published atomically (a manifest names the files of the
new version; earlier versions are kept for rollback). A failing error check
keeps the previous version published and skips the products that read it.
State is saved after every product, so an interrupted apply loses nothing:
run apply again to finish the job.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var saved *plans.Plan
			if len(args) == 1 {
				b, err := os.ReadFile(g.path(args[0]))
				if err != nil {
					return err
				}
				f, err := plans.DecodeFile(b, args[0])
				if err != nil {
					return err
				}
				saved = f.Plan
				if len(targets) > 0 {
					return fmt.Errorf("-target cannot be used with a saved plan: the plan decides what is applied")
				}
			}
			s, err := g.openState(ctx, "apply", lf)
			if err != nil {
				return err
			}
			defer s.close(ctx)
			p := saved
			if p != nil {
				if err := checkSaved(p, s); err != nil {
					return err
				}
			} else {
				if p, err = g.makePlan(ctx, s, targets); err != nil {
					return err
				}
				if !p.HasChanges() {
					if g.json {
						return render.JSON(g.streams.Out, p)
					}
					fmt.Fprintln(g.streams.Out, render.Summary(p))
					return nil
				}
				if err := g.showPlan(p); err != nil {
					return err
				}
				if err := refused(p); err != nil {
					return err
				}
				if !autoApprove {
					ok, err := g.confirm("Do you want to perform these actions? Only 'yes' will be accepted: ")
					if err != nil {
						return err
					}
					if !ok {
						fmt.Fprintln(g.streams.Out, "Apply cancelled.")
						return exitCode(exitError)
					}
				}
			}
			if err := refused(p); err != nil {
				return err
			}
			// Product inputs are read from what is published (apply sets the
			// reader of ir.SourceProduct), not computed inline.
			if problem := g.maskKeyProblem(s.w); problem != "" {
				return errors.New(problem)
			}
			opts := g.executorOptions(s.w, threads)
			progress := newProgress(g)
			lineage := g.openLineage(s.w)
			res, err := apply.Run(ctx, apply.Options{
				Plan:              p,
				Products:          s.w.compiled.Products,
				State:             s.state,
				Save:              s.store.Save,
				Lake:              s.lake,
				FingerprintSource: g.fingerprintSource,
				Sinkers:           g.sinkers(),
				Executor:          opts,
				Quarantine:        quarantineFile,
				Parallelism:       parallelism,
				KeepVersions:      keep,
				MeshctlVersion:    buildVersion().Version,
				Events:            lineage.wrap(progress.event),
			})
			progress.stop()
			lineage.close()
			if res != nil {
				g.applyReport(res)
			}
			if err != nil {
				return err
			}
			if !res.OK() {
				return exitCode(exitError)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking for confirmation")
	cmd.Flags().IntVar(&parallelism, "parallelism", apply.DefaultParallelism, "compute at most `N` products at once")
	cmd.Flags().IntVar(&keep, "keep-versions", apply.DefaultKeepVersions, "keep `N` versions of each output for rollback (the current one included)")
	cmd.Flags().IntVar(&threads, "threads", 0, "use at most `N` CPUs (default: all)")
	cmd.Flags().StringArrayVar(&targets, "target", nil, "apply only `PRODUCT` and what it reads (repeatable)")
	lf.register(cmd)
	return cmd
}

func quarantineFile(dir, name string) (apply.RejectFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return csv.NewQuarantineSink(dir, name)
}

// checkSaved refuses a saved plan whose state or workspace changed since it
// was made.
func checkSaved(p *plans.Plan, s *session) error {
	if s.state.Serial == 0 && len(s.state.Products) == 0 && p.Serial == 0 {
		// No state was ever written: the plan's fresh lineage becomes the
		// workspace's.
		s.state.Lineage = p.Lineage
	}
	if p.Lineage != s.state.Lineage {
		return fmt.Errorf("the saved plan was made against another state (lineage %s; this workspace's is %s): run plan again", p.Lineage, s.state.Lineage)
	}
	if p.Serial != s.state.Serial {
		return fmt.Errorf("the saved plan is stale: the state changed since it was made (serial %d, now %d); run plan again", p.Serial, s.state.Serial)
	}
	if h := planner.WorkspaceHash(s.w.config); h != p.WorkspaceHash {
		return fmt.Errorf("the saved plan is stale: the workspace's files changed since it was made; run plan again")
	}
	return nil
}

// confirm asks a question on the terminal and reads the answer.
func (g *globals) confirm(question string) (bool, error) {
	fmt.Fprint(g.streams.Out, "\n"+question)
	line, err := bufio.NewReader(g.streams.In).ReadString('\n')
	if err != nil && err != io.EOF {
		return false, err
	}
	if err == io.EOF && line == "" {
		fmt.Fprintln(g.streams.Out)
		return false, fmt.Errorf("no answer on standard input: run apply -auto-approve, or apply a saved plan, when nobody can answer")
	}
	return strings.TrimSpace(line) == "yes", nil
}

// applyReport prints what an apply did.
func (g *globals) applyReport(res *apply.Result) {
	if g.json {
		enc := json.NewEncoder(g.streams.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return
	}
	w := g.streams.Out
	fmt.Fprintln(w)
	for _, p := range res.Products {
		switch p.Status {
		case apply.StatusDone:
			line := fmt.Sprintf("%s product.%s: %s", p.Action, p.Product, p.Action.Word())
			if p.VersionID != "" {
				line += fmt.Sprintf("d, version %s, %d rows, %s, %s", p.VersionID, p.Rows, executor.BytesText(p.Bytes), p.Elapsed.Round(time.Millisecond))
			} else {
				line += "d"
			}
			fmt.Fprintln(w, line)
		case apply.StatusFailed:
			fmt.Fprintf(w, "! product.%s: %s failed: %s\n", p.Product, p.Action.Word(), p.Error)
		case apply.StatusSkipped:
			fmt.Fprintf(w, "  product.%s: skipped: %s\n", p.Product, p.Reason)
		default:
			continue
		}
		for _, c := range p.Checks {
			if !c.Passed {
				fmt.Fprintf(w, "    check %s (%s) FAILED\n", c.Name, c.Severity)
			}
		}
		for _, q := range p.Quarantined {
			fmt.Fprintf(w, "    %d rows of source.%s quarantined in %s\n", q.Rows, q.Source, q.Path)
		}
		for _, warn := range p.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", warn)
		}
	}
	fmt.Fprintf(w, "\nApply complete: %d done, %d failed, %d skipped, %d unchanged in %s.\n",
		len(res.Done()), len(res.Failed()), len(res.Skipped()), len(res.Unchanged()), res.Elapsed.Round(time.Millisecond))
}
