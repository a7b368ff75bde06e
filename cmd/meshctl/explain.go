package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/executor"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/suggest"
)

func newExplainCmd(g *globals) *cobra.Command {
	var analyze bool
	var threads int
	cmd := &cobra.Command{
		Use:   "explain [PRODUCT...]",
		Short: "Show a product's compiled plan: the operator tree with every column's type",
		Long: `Explain compiles the named products (all when none is named) and prints
each one's plan the way EXPLAIN prints a query plan: the operators from the
output down to the scans, each with its output columns, their types and
nullability, and the transform it ends; then the checks. Nothing is read
but source schemas, and nothing is written.

With --analyze it also runs each product on its real inputs (writing
nothing) and shows, per operator, the rows it produced and the time it
took, and the checks' results.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := g.loadWorkspace(cmd.Context(), args)
			if err != nil {
				return err
			}
			if w.config != nil && !w.diags.HasErrors() {
				w.diags = append(w.diags, unknownProducts(w, args)...)
			}
			g.printDiags(w.diags, w.sources())
			if w.diags.HasErrors() {
				return exitCode(exitError)
			}
			names := args
			if len(names) == 0 {
				names = w.compiled.Order
			}
			if analyze {
				for i, n := range names {
					if i > 0 {
						fmt.Fprintln(g.streams.Out)
					}
					if err := g.analyze(cmd.Context(), w, w.compiled.Products[n], threads); err != nil {
						return err
					}
				}
				return nil
			}
			if g.json {
				out := make([]*ir.PlanJSON, 0, len(names))
				for _, n := range names {
					out = append(out, ir.ExplainJSON(w.compiled.Products[n]))
				}
				enc := json.NewEncoder(g.streams.Out)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			for i, n := range names {
				if i > 0 {
					fmt.Fprintln(g.streams.Out)
				}
				p := w.config.Products[n]
				var meta []string
				meta = append(meta, "domain "+p.Domain.Name)
				if p.Owner != "" {
					meta = append(meta, "owner "+p.Owner)
				}
				if p.Version != "" {
					meta = append(meta, "version "+p.Version)
				}
				text := ir.Explain(w.compiled.Products[n])
				first, rest, _ := strings.Cut(text, "\n")
				fmt.Fprintf(g.streams.Out, "%s (%s)\n%s", first, strings.Join(meta, ", "), rest)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&analyze, "analyze", false, "run the products and show rows and time per operator")
	cmd.Flags().IntVar(&threads, "threads", 0, "with --analyze: use at most `N` CPUs (default: all)")
	return cmd
}

// analyze runs p without writing and prints its plan with measured rows
// and times.
func (g *globals) analyze(ctx context.Context, w *workspace, p *ir.Product, threads int) error {
	plan, err := executor.Compile(p, g.executorOptions(w, threads))
	if err != nil {
		return err
	}
	res, err := plan.Run(ctx, nil)
	if err != nil {
		return g.runError(err)
	}
	fmt.Fprintf(g.streams.Out, "product.%s: %d rows in %s\n\n", p.Name, res.Rows, res.Elapsed.Round(time.Millisecond))
	for _, st := range res.Stats() {
		line := fmt.Sprintf("%s%s  [%d rows, %s", st.Prefix, st.Label, st.Rows, st.Self.Round(time.Microsecond))
		if st.Extra != "" {
			line += ", " + st.Extra
		}
		fmt.Fprintln(g.streams.Out, line+"]")
	}
	if len(res.Checks) > 0 {
		fmt.Fprintln(g.streams.Out)
	}
	return g.reportChecks(res.Checks)
}

func unknownProducts(w *workspace, names []string) diag.Diagnostics {
	var ds diag.Diagnostics
	known := w.config.ProductOrder
	for _, n := range names {
		if !slices.Contains(known, n) {
			ds = append(ds, diag.New(diag.Error, diag.Range{}, fmt.Sprintf("No product %q", n),
				"The workspace declares no product of that name."+suggest.DidYouMean(n, known)+" Products: "+strings.Join(known, ", ")+"."))
		}
	}
	return ds
}
