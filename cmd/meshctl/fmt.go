package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/format"
)

func newFmtCmd(g *globals) *cobra.Command {
	var check, diff, write bool
	cmd := &cobra.Command{
		Use:   "fmt [PATH...]",
		Short: "Rewrite *.mesh.hcl files in the canonical layout",
		Long: `Fmt rewrites configuration files in the canonical layout (indentation,
aligned equals signs, blank lines), as terraform fmt does. With no PATH it
formats every *.mesh.hcl file of the workspace; a PATH is a file or a
folder, and "-" formats standard input to standard output.

It lists the files it changed. With -check it changes nothing and exits 3
when some file is not formatted; -diff prints the changes as a unified diff.
Files with syntax errors are reported and left as they are.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if check {
				write = false
			}
			opts := format.Options{Write: write, Diff: diff}
			if len(args) == 1 && args[0] == "-" {
				return g.fmtStdin(opts, check)
			}
			targets := args
			if len(targets) == 0 {
				targets = []string{"."}
			}
			if g.chdir != "" {
				for i, t := range targets {
					if !filepath.IsAbs(t) {
						targets[i] = filepath.Join(g.chdir, t)
					}
				}
			}
			res, err := format.Paths(cmd.Context(), targets, opts)
			if res != nil {
				for _, f := range res.Files {
					if f.Changed {
						fmt.Fprintln(g.streams.Out, f.Path)
						if diff {
							fmt.Fprint(g.streams.Out, f.Diff)
						}
					}
				}
				ds := res.Diagnostics()
				g.printDiags(ds, readSources(ds))
				if ds.HasErrors() {
					return exitCode(exitError)
				}
			}
			if err != nil {
				return err
			}
			if check && len(res.Changed()) > 0 {
				return exitCode(exitFormat)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&check, "check", false, "change nothing; exit 3 if any file is not formatted")
	f.BoolVar(&diff, "diff", false, "print the changes as a unified diff")
	f.BoolVar(&write, "write", true, "write the formatted files back (-write=false only lists them)")
	return cmd
}

func (g *globals) fmtStdin(opts format.Options, check bool) error {
	opts.Write = false
	f, err := format.Reader("<stdin>", g.streams.In, opts)
	if err != nil {
		return err
	}
	if f.Diags.HasErrors() {
		g.printDiags(f.Diags, nil)
		return exitCode(exitError)
	}
	switch {
	case opts.Diff:
		fmt.Fprint(g.streams.Out, f.Diff)
	case !check:
		_, err = g.streams.Out.Write(f.Formatted)
	}
	if check && f.Changed {
		return exitCode(exitFormat)
	}
	return err
}

// readSources reads the files diagnostics point into, for their snippets.
func readSources(ds diag.Diagnostics) diag.Sources {
	srcs := diag.Sources{}
	for _, d := range ds {
		if d.Subject == nil || srcs[d.Subject.Filename] != nil || strings.HasPrefix(d.Subject.Filename, "<") {
			continue
		}
		if b, err := os.ReadFile(d.Subject.Filename); err == nil {
			srcs[d.Subject.Filename] = b
		}
	}
	return srcs
}
