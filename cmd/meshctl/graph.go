package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/planner/lineage"
)

func newGraphCmd(g *globals) *cobra.Command {
	var format string
	var columns bool
	cmd := &cobra.Command{
		Use:   "graph [--format dot|mermaid|json] [--columns]",
		Short: "Print the product graph, and with --columns the column-level lineage",
		Long: `Graph compiles the workspace and prints its lineage: sources and products
as nodes grouped by domain, each product input as an edge. With --columns
every node lists its columns, and edges join each published column to the
input columns it is computed from, through expressions, aggregates and
joins (a filter's or a join's condition decides which rows there are, not
what a column holds, so it adds no edge).

Formats: dot (Graphviz: meshctl graph | dot -Tsvg > graph.svg), mermaid (a
flowchart for a Markdown page: GitHub draws it in a mermaid code block) and
json (the same graph as data; --json is short for --format json). Output
is deterministic. Nothing is read but source schemas.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.json {
				format = "json"
			}
			render, ok := map[string]func(*globals, *lineage.Graph) error{
				"dot":     func(g *globals, gr *lineage.Graph) error { return lineage.DOT(g.streams.Out, gr) },
				"mermaid": func(g *globals, gr *lineage.Graph) error { return lineage.Mermaid(g.streams.Out, gr) },
				"json":    func(g *globals, gr *lineage.Graph) error { return lineage.JSON(g.streams.Out, gr) },
			}[format]
			if !ok {
				return fmt.Errorf("--format %q is not a graph format: use dot, mermaid or json", format)
			}
			w, err := g.loadWorkspace(cmd.Context(), nil)
			if err != nil {
				return err
			}
			g.printDiags(w.diags, w.sources())
			if w.config == nil || w.diags.HasErrors() {
				return exitCode(exitError)
			}
			return render(g, lineage.Build(w.config, w.compiled.Products, lineage.Options{Columns: columns}))
		},
	}
	cmd.Flags().StringVar(&format, "format", "dot", "output `FORMAT`: dot, mermaid or json")
	cmd.Flags().BoolVar(&columns, "columns", false, "add column-level lineage: each column and the input columns it comes from")
	return cmd
}
