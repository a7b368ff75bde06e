package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/planner/catalog"
	"github.com/meshctl/meshctl/planner/state"
)

func newCatalogCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "catalog --out DIR",
		Short: "Write a static catalog site of the products (works offline), with catalog.json",
		Long: `Catalog builds, from the workspace's definitions and its deployed state, a
static site that needs no server and no network: DIR/index.html lists the
products by domain with a search box (index.html?q=words links to a
search), and DIR/products/<name>.html shows each product's owner, domain,
team, contract (types, nullability, descriptions, masks, classification
tags), SLA and freshness at build time, last apply and row count, check
results, readers, and its upstream and downstream lineage as a graph and
column by column. DIR/catalog.json holds the same data for other tools
(its schema is documented in planner/catalog/JSON.md).

The state is read without locking it. Products never applied show as not
deployed. DIR is created; a DIR that holds other files but no catalog.json
is refused. With --json the catalog document is also printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" && !g.json {
				return fmt.Errorf("catalog needs --out DIR, the folder to write the site into (or --json to print catalog.json)")
			}
			ctx := cmd.Context()
			w, err := g.loadWorkspace(ctx, nil)
			if err != nil {
				return err
			}
			g.printDiags(w.diags, w.sources())
			if w.config == nil || w.diags.HasErrors() {
				return exitCode(exitError)
			}
			b, err := g.backend(ctx, w)
			if err != nil {
				return err
			}
			st, err := (&state.Store{Backend: b}).Load(ctx)
			if err != nil {
				return err
			}
			c := catalog.Build(catalog.Options{
				Workspace:   w.config,
				Compiled:    w.compiled.Products,
				State:       st,
				Now:         time.Now(),
				GeneratedBy: "meshctl " + buildVersion().Version,
			})
			if out != "" {
				dir := g.path(out)
				if err := catalog.Write(dir, c); err != nil {
					return err
				}
				if !g.json {
					fmt.Fprintf(g.streams.Out, "Catalog of %s written to %s\n", count(len(c.Products), "product"), filepath.Join(out, "index.html"))
				}
			}
			if g.json {
				doc, err := catalog.EncodeJSON(c)
				if err != nil {
					return err
				}
				_, err = g.streams.Out.Write(doc)
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the site into `DIR` (created if missing)")
	return cmd
}
