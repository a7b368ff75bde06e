package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/render"
	"github.com/meshctl/meshctl/planner/state"
)

func newShowCmd(g *globals) *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "show PLANFILE",
		Short: "Show a saved plan (text, --json or --markdown)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(g.path(args[0]))
			if err != nil {
				return err
			}
			f, err := plans.DecodeFile(b, args[0])
			if err != nil {
				return err
			}
			switch {
			case g.json:
				return render.JSON(g.streams.Out, f.Plan)
			case markdown:
				return render.Markdown(g.streams.Out, f.Plan, render.MarkdownOptions{
					FullPlanCommand: "meshctl show " + shellQuote(args[0]),
				})
			}
			return render.Text(g.streams.Out, f.Plan, render.TextOptions{Color: g.color(g.streams.Out)})
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print the plan as a pull-request comment")
	return cmd
}

func newDriftCmd(g *globals) *cobra.Command {
	var deep bool
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Check every published output against state (read-only); exit 2 on drift",
		Long: `Drift checks, for every product in state, that its published output is
still the version state records, with every file present at its recorded
size (and, with --deep, its recorded SHA-256). It changes nothing: exit 0
when all match, 2 when something drifted (plan then replaces it), 1 on error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			w, err := g.loadWorkspace(ctx, nil)
			if err != nil {
				return err
			}
			if w.config == nil || w.diags.HasErrors() {
				g.printDiags(w.diags, w.sources())
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
			type item struct {
				Product  string   `json:"product"`
				Path     string   `json:"path"`
				Version  string   `json:"version"`
				Drifted  bool     `json:"drifted"`
				Problems []string `json:"problems,omitempty"`
			}
			l, err := g.lakes(w)
			if err != nil {
				return err
			}
			var items []item
			drifted := false
			for _, name := range st.Names() {
				rec := st.Products[name]
				if rec.Output.VersionID == "" || rec.Output.Path == "" {
					continue
				}
				it := item{Product: name, Path: rec.Output.Path, Version: rec.Output.VersionID}
				m, sum, err := l.Current(ctx, rec.Output.Path)
				switch {
				case errors.Is(err, lakeio.ErrNotPublished):
					it.Problems = []string{"nothing is published at " + rec.Output.Path}
				case err != nil:
					return fmt.Errorf("product.%s: %w", name, err)
				case m.VersionID != rec.Output.VersionID:
					it.Problems = []string{fmt.Sprintf("the published version is %s, state records %s", m.VersionID, rec.Output.VersionID)}
				case rec.Output.ManifestSHA256 != "" && sum != rec.Output.ManifestSHA256:
					it.Problems = []string{"the manifest was modified"}
				default:
					if it.Problems, err = l.Verify(ctx, rec.Output.Path, m, deep); err != nil {
						return fmt.Errorf("product.%s: %w", name, err)
					}
				}
				it.Drifted = len(it.Problems) > 0
				drifted = drifted || it.Drifted
				items = append(items, it)
			}
			if g.json {
				enc := json.NewEncoder(g.streams.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"format_version": "1.0", "drifted": drifted, "products": items}); err != nil {
					return err
				}
			} else {
				for _, it := range items {
					if it.Drifted {
						fmt.Fprintf(g.streams.Out, "product.%s drifted:\n  %s\n", it.Product, strings.Join(it.Problems, "\n  "))
					}
				}
				if drifted {
					fmt.Fprintln(g.streams.Out, "\nRun meshctl plan to see the replacements that restore them.")
				} else {
					fmt.Fprintf(g.streams.Out, "No drift: %d published outputs match state.\n", len(items))
				}
			}
			if drifted {
				return exitCode(exitChanges)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&deep, "deep", false, "also verify every file's SHA-256 (reads all published data)")
	return cmd
}

func newStateCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Inspect and repair the deployed state: list, show, rm, pull, push",
	}
	var lf lockFlags
	list := &cobra.Command{
		Use:   "list",
		Short: "List the products in state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := g.readState(cmd.Context())
			if err != nil {
				return err
			}
			for _, n := range st.Names() {
				fmt.Fprintf(g.streams.Out, "product.%s\n", n)
			}
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "show PRODUCT",
		Short: "Show a product's state record",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, _, err := g.readState(cmd.Context())
			if err != nil {
				return err
			}
			name := strings.TrimPrefix(args[0], "product.")
			rec := st.Products[name]
			if rec == nil {
				return fmt.Errorf("no product %q in state (meshctl state list shows them)", name)
			}
			enc := json.NewEncoder(g.streams.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(rec)
		},
	}
	rm := &cobra.Command{
		Use:   "rm PRODUCT...",
		Short: "Forget products: remove them from state without touching their data",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, err := g.loadConfigOnly(ctx)
			if err != nil {
				return err
			}
			s, err := g.lockState(ctx, w, "state rm", lf)
			if err != nil {
				return err
			}
			defer s.close(ctx)
			for _, a := range args {
				name := strings.TrimPrefix(a, "product.")
				if s.state.Products[name] == nil {
					return fmt.Errorf("no product %q in state; nothing was removed", name)
				}
			}
			for _, a := range args {
				delete(s.state.Products, strings.TrimPrefix(a, "product."))
			}
			if err := s.store.Save(ctx, s.state); err != nil {
				return err
			}
			fmt.Fprintf(g.streams.Out, "Removed %d product(s) from state; their published data is untouched.\n", len(args))
			return nil
		},
	}
	lf.register(rm)
	pull := &cobra.Command{
		Use:   "pull",
		Short: "Print the state document",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := g.readState(cmd.Context())
			if err != nil {
				return err
			}
			b, err := state.Encode(st)
			if err != nil {
				return err
			}
			_, err = g.streams.Out.Write(b)
			return err
		},
	}
	var force bool
	var plf lockFlags
	push := &cobra.Command{
		Use:   "push FILE",
		Short: "Replace the state with a document (\"-\" reads standard input)",
		Long: `Push replaces the workspace's state with the document in FILE. It refuses a
document of another lineage (another workspace's state) or with a lower
serial than the current one, unless -force.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var b []byte
			var err error
			if args[0] == "-" {
				b, err = io.ReadAll(g.streams.In)
			} else {
				b, err = os.ReadFile(g.path(args[0]))
			}
			if err != nil {
				return err
			}
			doc, err := state.Decode(b, args[0])
			if err != nil {
				return err
			}
			w, err := g.loadConfigOnly(ctx)
			if err != nil {
				return err
			}
			s, err := g.lockState(ctx, w, "state push", plf)
			if err != nil {
				return err
			}
			defer s.close(ctx)
			cur := s.state
			if !force && len(cur.Products) > 0 || !force && cur.Serial > 0 {
				if doc.Lineage != cur.Lineage {
					return fmt.Errorf("%s belongs to another state (lineage %s; this workspace's is %s): nothing was written; use -force to replace it anyway", args[0], doc.Lineage, cur.Lineage)
				}
				if doc.Serial < cur.Serial {
					return fmt.Errorf("%s is older than the current state (serial %d < %d): nothing was written; use -force to replace it anyway", args[0], doc.Serial, cur.Serial)
				}
			}
			// Save checks the stored lineage and serial: push writes the
			// document as the next version of the current one.
			doc.Lineage = cur.Lineage
			doc.Serial = cur.Serial
			if err := s.store.Save(ctx, doc); err != nil {
				return err
			}
			fmt.Fprintf(g.streams.Out, "State replaced: %d product(s), serial %d.\n", len(doc.Products), doc.Serial)
			return nil
		},
	}
	push.Flags().BoolVar(&force, "force", false, "replace even a state of another lineage or a newer serial")
	plf.register(push)
	cmd.AddCommand(list, show, rm, pull, push)
	return cmd
}

// loadConfigOnly loads the workspace's files (for its state settings)
// without compiling products.
func (g *globals) loadConfigOnly(ctx context.Context) (*workspace, error) {
	w, err := g.loadWorkspace(ctx, []string{"\x00"})
	if err != nil {
		return nil, err
	}
	if w.config == nil || w.config.Mesh == nil {
		g.printDiags(w.diags, w.sources())
		return nil, exitCode(exitError)
	}
	return w, nil
}

// readState reads the state without locking (read-only commands).
func (g *globals) readState(ctx context.Context) (*state.State, *workspace, error) {
	w, err := g.loadConfigOnly(ctx)
	if err != nil {
		return nil, nil, err
	}
	b, err := g.backend(ctx, w)
	if err != nil {
		return nil, nil, err
	}
	st, err := (&state.Store{Backend: b}).Load(ctx)
	return st, w, err
}

func newForceUnlockCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "force-unlock LOCK_ID",
		Short: "Break the state lock of a run that died",
		Long: `Force-unlock removes the state lock with LOCK_ID, whoever holds it. Use it
only when the holder (named by the error that showed the ID) is gone: two
runs writing state at once can lose work.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := g.loadConfigOnly(cmd.Context())
			if err != nil {
				return err
			}
			b, err := g.backend(cmd.Context(), w)
			if err != nil {
				return err
			}
			if err := b.ForceUnlock(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.streams.Out, "The state lock %s was removed. The state is unlocked.\n", args[0])
			return nil
		},
	}
}

// shellQuote quotes s for a POSIX shell when it holds anything beyond
// the characters paths usually have, so a command shown to a reader can
// be pasted as is.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
