package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/planner/odcs"
	"github.com/meshctl/meshctl/planner/state"
)

func newExportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export a product's definition in a standard format (odcs)",
	}
	var out string
	od := &cobra.Command{
		Use:   "odcs PRODUCT [--out FILE]",
		Short: "Write a product's contract as an Open Data Contract Standard v3 YAML document",
		Long: `Export odcs writes the contract of PRODUCT as an Open Data Contract Standard
(ODCS) v3.0.2 document, which contract tools and catalogs (datacontract-cli,
DataHub, OpenMetadata) read: the published schema with types, nullability
(required), descriptions, tags, classification and masks; the checks as
quality rules; the SLA's freshness; the team; the readers; and the output's
location. The status is "active" when state records a published version,
"proposed" otherwise.

It prints the YAML, or writes it to FILE with --out.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			name := strings.TrimPrefix(args[0], "product.")
			w, err := g.loadWorkspace(ctx, []string{name})
			if err != nil {
				return err
			}
			if w.config != nil && !w.diags.HasErrors() {
				w.diags = append(w.diags, unknownProducts(w, []string{name})...)
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
			status := odcs.StatusProposed
			if rec := st.Products[name]; rec != nil && rec.Output.VersionID != "" {
				status = odcs.StatusActive
			}
			var buf bytes.Buffer
			if err := odcs.Write(&buf, odcs.Build(w.config, name, w.compiled.Products[name], odcs.Options{Status: status})); err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err := g.streams.Out.Write(buf.Bytes())
				return err
			}
			if err := os.MkdirAll(filepath.Dir(g.path(out)), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(g.path(out), buf.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(g.streams.Out, "Wrote the ODCS contract of product.%s to %s.\n", name, out)
			return nil
		},
	}
	od.Flags().StringVar(&out, "out", "", "write the document to `FILE` instead of standard output")
	cmd.AddCommand(od)
	return cmd
}
