package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/lang/diag"
)

func newValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate",
		Short: "Check the workspace: syntax, references, types of every expression",
		Long: `Validate loads every *.mesh.hcl file of the workspace, resolves every
reference and type-checks every product against the schemas of its inputs
(read from the data where they are not declared). It reports every problem
at once, each with file:line:col, and exits 1 if there is any error.

With --json it prints the diagnostics as JSON, with ranges, for editors and CI.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := g.loadWorkspace(cmd.Context(), nil)
			if err != nil {
				return err
			}
			errs, warns := w.diags.Count()
			if g.json {
				out := validateJSON{FormatVersion: "1.0", Valid: errs == 0, ErrorCount: errs, WarningCount: warns,
					Diagnostics: diag.ToJSON(w.diags, w.sources())}
				enc := json.NewEncoder(g.streams.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
			} else {
				g.printDiags(w.diags, w.sources())
				if errs == 0 {
					fmt.Fprintf(g.streams.Out, "Success! The configuration is valid: %s.\n", w.summary())
				}
			}
			if errs > 0 {
				return exitCode(exitError)
			}
			return nil
		},
	}
}

// validateJSON is the stable JSON output of validate, shaped like
// `terraform validate -json`.
type validateJSON struct {
	FormatVersion string                `json:"format_version"`
	Valid         bool                  `json:"valid"`
	ErrorCount    int                   `json:"error_count"`
	WarningCount  int                   `json:"warning_count"`
	Diagnostics   []diag.JSONDiagnostic `json:"diagnostics"`
}

func (w *workspace) summary() string {
	c := w.config
	return fmt.Sprintf("%s, %s, %s", count(len(c.Products), "product"), count(len(c.Sources), "source"), count(len(c.Policies), "policy"))
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if what == "policy" {
		return fmt.Sprintf("%d policies", n)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
