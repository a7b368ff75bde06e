package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/suggest"
)

func newExplainCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "explain [PRODUCT...]",
		Short: "Show a product's compiled plan: the operator tree with every column's type",
		Long: `Explain compiles the named products (all when none is named) and prints
each one's plan the way EXPLAIN prints a query plan: the operators from the
output down to the scans, each with its output columns, their types and
nullability, and the transform it ends; then the checks. Nothing is read
but source schemas, and nothing is written.`,
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
