package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/meshctl/meshctl/providers/s3"
)

// Exit codes. validate, plan and apply exit 1 on errors; fmt -check exits 3
// when files would change, as terraform fmt does.
const (
	exitOK      = 0
	exitError   = 1
	exitChanges = 2
	exitFormat  = 3
)

// streams are the process's standard files, injected for tests.
type streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// exitCode is returned by a command to choose the exit status after it has
// printed what it had to say.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// globals are the flags every command takes.
type globals struct {
	chdir      string
	noColor    bool
	json       bool
	cpuprofile string
	// policies are the governance folders of --policies, as written:
	// relative to --chdir, like every path the user gives.
	policies []string

	streams streams
	lookup  func(string) (string, bool)

	// s3 reads s3:// sources, made once per run (s3Stores).
	s3     *s3.Stores
	s3once sync.Once
}

// root returns the workspace root the user asked for.
func (g *globals) root() (string, error) {
	dir := g.chdir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("--chdir %s: %w", dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return "", fmt.Errorf("--chdir %s: not a directory", dir)
	}
	return abs, nil
}

// displayDir is the prefix shown before workspace-relative file names, so
// that file:line:col in messages opens from where the user typed the command.
func (g *globals) displayDir() string {
	if g.chdir == "" || g.chdir == "." {
		return ""
	}
	return filepath.ToSlash(filepath.Clean(g.chdir))
}

// color reports whether output to w may use ANSI colour: not with
// --no-color, not when NO_COLOR is set (https://no-color.org), and only
// on a terminal.
func (g *globals) color(w io.Writer) bool {
	if g.noColor {
		return false
	}
	if v, ok := g.lookup("NO_COLOR"); ok && v != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (g *globals) getenv(name string) string {
	v, _ := g.lookup(name)
	return v
}

// run executes meshctl with args and returns the exit status.
func run(args []string, s streams, lookup func(string) (string, bool)) int {
	g := &globals{streams: s, lookup: lookup}
	root := newRoot(g)
	root.SetArgs(normalizeArgs(root, args))
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	var prof *os.File
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if g.cpuprofile == "" {
			return nil
		}
		f, err := os.Create(g.cpuprofile)
		if err != nil {
			return err
		}
		prof = f
		return pprof.StartCPUProfile(f)
	}
	// Ctrl-C (or SIGTERM) cancels the run: apply stops starting products,
	// discards what it was writing and saves the state of what finished.
	// A second one exits at once, as Terraform's does: staged versions are
	// never visible, and a stale lock is what force-unlock is for.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer func() {
		// No signal is delivered after Stop: closing ends the watcher.
		signal.Stop(sigs)
		close(sigs)
	}()
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		cancel()
		fmt.Fprintln(s.Err, "Interrupted: stopping cleanly (interrupt again to exit at once).")
		if _, ok := <-sigs; ok {
			fmt.Fprintln(s.Err, "Interrupted twice: exiting now.")
			os.Exit(130)
		}
	}()
	err := root.ExecuteContext(ctx)
	if prof != nil {
		pprof.StopCPUProfile()
		prof.Close()
	}
	var code exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	default:
		fmt.Fprintf(s.Err, "Error: %s\n", err)
		if strings.Contains(err.Error(), "flag") || strings.Contains(err.Error(), "arg") {
			fmt.Fprintf(s.Err, "Run \"meshctl --help\" for usage.\n")
		}
		return exitError
	}
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "meshctl",
		Short: "Declarative GitOps pipelines for a Data Mesh",
		Long: `meshctl compiles the data products of a Data Mesh, declared in *.mesh.hcl
files, into typed columnar pipelines, and plans and applies them against
deployed state the way Terraform does for infrastructure: validate, test,
plan (with the mesh's policies, and as a pull-request comment), apply
(PostgreSQL, Parquet and CSV in; Parquet, CSV or PostgreSQL tables out, on
local disk or S3), then graph, catalog, export and status for consumers.

Flags may be written with one dash or two (-out or --out) and may stand
before or after positional arguments.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Plain "meshctl" prints help.
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.chdir, "chdir", "", "run in `DIR` (the workspace root) instead of the current directory")
	pf.BoolVar(&g.noColor, "no-color", false, "disable colour (NO_COLOR in the environment does too)")
	pf.BoolVar(&g.json, "json", false, "print machine-readable JSON")
	pf.StringArrayVar(&g.policies, "policies", nil, "also load the policies and exemptions of the governance folder `DIR` (repeatable; relative to --chdir, like every path)")
	pf.StringVar(&g.cpuprofile, "cpuprofile", "", "write a CPU profile of the command to `FILE` (for go tool pprof)")
	_ = pf.MarkHidden("cpuprofile")
	root.CompletionOptions.HiddenDefaultCmd = true
	root.AddCommand(
		newInitCmd(g),
		newValidateCmd(g),
		newFmtCmd(g),
		newExplainCmd(g),
		newPreviewCmd(g),
		newRunCmd(g),
		newPlanCmd(g),
		newApplyCmd(g),
		newShowCmd(g),
		newDriftCmd(g),
		newStateCmd(g),
		newForceUnlockCmd(g),
		newVersionCmd(g),
		newGitHubCmd(g),
		newTestCmd(g),
		newGraphCmd(g),
		newExportCmd(g),
		newStatusCmd(g),
		newCatalogCmd(g),
	)
	return root
}

// normalizeArgs lets Terraform habits work: a long flag written with one
// dash (-out, -check, -chdir=dir) is rewritten to two dashes when some
// command defines it. Single-letter flags, "-" (standard input), negative
// numbers and everything after "--" are left alone.
func normalizeArgs(root *cobra.Command, args []string) []string {
	long := map[string]bool{"help": true}
	var collect func(*cobra.Command)
	collect = func(c *cobra.Command) {
		add := func(f *pflag.Flag) { long[f.Name] = true }
		c.Flags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			collect(sub)
		}
	}
	collect(root)
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if len(name) > 1 && long[name] {
			out[i] = "-" + a
		}
	}
	return out
}
