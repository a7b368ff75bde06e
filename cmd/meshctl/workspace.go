package main

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/providers/csv"
	"github.com/meshctl/meshctl/providers/parquet"
	"github.com/meshctl/meshctl/providers/postgres"
	"github.com/meshctl/meshctl/providers/s3"
)

// workspace is a loaded and compiled workspace.
type workspace struct {
	root     string
	config   *configs.Workspace
	compiled *compile.Result
	diags    diag.Diagnostics
}

// readers wires the concrete schema readers; only cmd knows providers.
func (g *globals) readers(root string) sourceschema.Readers {
	return sourceschema.Readers{
		ir.SourceCSV:      csv.SchemaReader{Dir: root, S3: g.s3Stores()},
		ir.SourceParquet:  parquet.SchemaReader{Dir: root, S3: g.s3Stores()},
		ir.SourcePostgres: postgres.SchemaReader{Getenv: g.lookup},
	}
}

// s3Stores returns the run's S3 readers: one client per endpoint, made on
// first use and shared by schema reading and scans.
func (g *globals) s3Stores() *s3.Stores {
	g.s3once.Do(func() { g.s3 = new(s3.Stores) })
	return g.s3
}

// fingerprintSource fingerprints a database source for plan and apply.
func (g *globals) fingerprintSource(ctx context.Context, src *ir.Source) (string, error) {
	return postgres.Fingerprint(ctx, src, g.lookup)
}

// loadWorkspace loads the workspace at the root the user chose and, when it
// decodes without errors, compiles the products named (all when none).
func (g *globals) loadWorkspace(ctx context.Context, products []string) (*workspace, error) {
	root, err := g.root()
	if err != nil {
		return nil, err
	}
	dirs, err := g.policyDirs()
	if err != nil {
		return nil, err
	}
	cfg, diags := configs.Load(os.DirFS(root), configs.Options{Getenv: g.lookup, DisplayDir: g.displayDir(), PolicyDirs: dirs})
	w := &workspace{root: root, config: cfg, diags: diags}
	if cfg == nil || diags.HasErrors() {
		return w, nil
	}
	res, more := compile.Compile(ctx, cfg, compile.Options{Readers: g.readers(root), Products: products})
	w.compiled = res
	w.diags = append(w.diags, more...)
	w.diags.Sort()
	return w, nil
}

// policyDirs opens the governance folders of --policies. Like every path
// after --chdir (plan -out, apply FILE), they are relative to the
// workspace root --chdir names, and they are shown prefixed like the
// workspace's files, so that file:line:col opens from where the user
// typed the command.
func (g *globals) policyDirs() ([]configs.PolicyDir, error) {
	var out []configs.PolicyDir
	for _, dir := range g.policies {
		if dir == "" {
			return nil, fmt.Errorf("--policies needs a folder, such as --policies ../governance")
		}
		abs, err := filepath.Abs(g.path(dir))
		if err != nil {
			return nil, fmt.Errorf("--policies %s: %w", dir, err)
		}
		shown := filepath.ToSlash(filepath.Clean(dir))
		if !filepath.IsAbs(dir) {
			shown = path.Clean(path.Join(g.displayDir(), filepath.ToSlash(dir)))
		}
		out = append(out, configs.PolicyDir{Dir: shown, FS: os.DirFS(abs)})
	}
	return out, nil
}

// sources returns the file contents for diagnostic snippets.
func (w *workspace) sources() diag.Sources {
	if w.config == nil {
		return nil
	}
	return w.config.Files
}

// printDiags writes diagnostics as text to standard error.
func (g *globals) printDiags(ds diag.Diagnostics, srcs diag.Sources) {
	if len(ds) == 0 {
		return
	}
	tw := &diag.TextWriter{W: g.streams.Err, Sources: srcs, Color: g.color(g.streams.Err)}
	_ = tw.WriteDiagnostics(ds)
}
