package main

import (
	"context"
	"os"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/providers/csv"
	"github.com/meshctl/meshctl/providers/parquet"
)

// workspace is a loaded and compiled workspace.
type workspace struct {
	root     string
	config   *configs.Workspace
	compiled *compile.Result
	diags    diag.Diagnostics
}

// readers wires the concrete schema readers; only cmd knows providers.
func readers(root string) sourceschema.Readers {
	return sourceschema.Readers{
		ir.SourceCSV:     csv.SchemaReader{Dir: root},
		ir.SourceParquet: parquet.SchemaReader{Dir: root},
	}
}

// loadWorkspace loads the workspace at the root the user chose and, when it
// decodes without errors, compiles the products named (all when none).
func (g *globals) loadWorkspace(ctx context.Context, products []string) (*workspace, error) {
	root, err := g.root()
	if err != nil {
		return nil, err
	}
	cfg, diags := configs.Load(os.DirFS(root), configs.Options{Getenv: g.lookup, DisplayDir: g.displayDir()})
	w := &workspace{root: root, config: cfg, diags: diags}
	if cfg == nil || diags.HasErrors() {
		return w, nil
	}
	res, more := compile.Compile(ctx, cfg, compile.Options{Readers: readers(root), Products: products})
	w.compiled = res
	w.diags = append(w.diags, more...)
	w.diags.Sort()
	return w, nil
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
