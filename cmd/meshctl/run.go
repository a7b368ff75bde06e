package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/executor"
	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/executor/eval"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/providers/csv"
	"github.com/meshctl/meshctl/providers/parquet"
	"github.com/meshctl/meshctl/providers/postgres"
)

// executorOptions wires the concrete scanners and the run's environment.
func (g *globals) executorOptions(w *workspace, threads int) executor.Options {
	if threads > 0 {
		// --threads bounds every goroutine of the run, the writers'
		// encoders included, not only the executor's workers.
		runtime.GOMAXPROCS(threads)
	}
	opts := executor.Options{
		Workers: threads,
		Scanners: map[ir.SourceKind]dataio.Scanner{
			ir.SourceCSV:      csv.Scanner{Dir: w.root, S3: g.s3Stores()},
			ir.SourceParquet:  parquet.Scanner{Dir: w.root, S3: g.s3Stores()},
			ir.SourcePostgres: postgres.Scanner{Getenv: g.lookup},
		},
		Products: w.compiled.Products,
		Env:      eval.Env{Now: time.Now().UTC()},
	}
	if m := w.config.Mesh; m != nil && m.MaskKey != nil {
		key := m.MaskKey.Literal
		if m.MaskKey.Env != "" {
			key = g.getenv(m.MaskKey.Env)
		}
		opts.Env.MaskKey = []byte(key)
	}
	return opts
}

// maskKeyProblem says what is wrong with the mask key the workspace
// declares: an env() variable that is not set would hash with an empty
// key, publishing values that differ from every other run's.
func (g *globals) maskKeyProblem(w *workspace) string {
	m := w.config.Mesh
	if m == nil || m.MaskKey == nil || m.MaskKey.Env == "" {
		return ""
	}
	if _, ok := g.lookup(m.MaskKey.Env); ok && g.getenv(m.MaskKey.Env) != "" {
		return ""
	}
	return fmt.Sprintf("mesh.mask_key names the environment variable %s, which is not set: mask = \"hash\" needs its key", m.MaskKey.Env)
}

// sinker returns the writer factory for an output format.
func sinker(format string) (dataio.Sinker, error) {
	switch format {
	case "parquet":
		return parquet.Sinker{}, nil
	case "csv":
		return csv.Sinker{}, nil
	}
	return nil, fmt.Errorf("writing %s outputs is not supported yet", format)
}

// compiledProduct loads the workspace and compiles one product (and what
// it reads), printing diagnostics.
func (g *globals) compiledProduct(ctx context.Context, name string) (*workspace, *ir.Product, error) {
	w, err := g.loadWorkspace(ctx, []string{name})
	if err != nil {
		return nil, nil, err
	}
	if w.config != nil && !w.diags.HasErrors() {
		w.diags = append(w.diags, unknownProducts(w, []string{name})...)
	}
	g.printDiags(w.diags, w.sources())
	if w.diags.HasErrors() {
		return nil, nil, exitCode(exitError)
	}
	return w, w.compiled.Products[name], nil
}

func newRunCmd(g *globals) *cobra.Command {
	var out string
	var threads int
	cmd := &cobra.Command{
		Use:   "run PRODUCT",
		Short: "Compute a product on its real inputs and write its output files to a folder",
		Long: `Run computes one product on its real inputs — products it reads are
computed too — and writes its output files into --out (by default a
temporary folder, removed afterwards), then runs its checks. It touches no
state and publishes nothing: it is for trying a change and for benchmarks.
Use plan and apply to deploy.

Exits 1 when the product cannot be computed or an error check fails.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, p, err := g.compiledProduct(ctx, args[0])
			if err != nil {
				return err
			}
			dir := out
			if dir != "" && !filepath.IsAbs(dir) && g.chdir != "" {
				dir = filepath.Join(g.chdir, dir) // like every path after --chdir
			}
			if dir == "" {
				tmp, err := os.MkdirTemp("", "meshctl-run-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			} else if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				return fmt.Errorf("--out %s: the folder is not empty", dir)
			}
			snk, err := sinker(p.Output.Format)
			if err != nil {
				return err
			}
			opts := g.executorOptions(w, threads)
			q := &quarantines{dir: filepath.Join(dir, "_quarantine")}
			opts.Rejects = q.sink
			plan, err := executor.Compile(p, opts)
			if err != nil {
				return err
			}
			wr, err := snk.Create(ctx, dataio.SinkRequest{Output: p.Output, Schema: executor.SinkSchema(p), Dir: dir})
			if err != nil {
				return err
			}
			res, err := plan.Run(ctx, wr)
			if err != nil {
				wr.Abort()
				return g.runError(err)
			}
			files, err := wr.Close(ctx)
			if err != nil {
				return err
			}
			qfiles, err := q.close()
			if err != nil {
				return err
			}
			var bytes int64
			for _, f := range files {
				bytes += f.Bytes
			}
			fmt.Fprintf(g.streams.Out, "product.%s: %d rows in %s, %d files (%s) written to %s\n",
				p.Name, res.Rows, res.Elapsed.Round(time.Millisecond), len(files), executor.BytesText(bytes), dir)
			for _, f := range qfiles {
				fmt.Fprintf(g.streams.Out, "  %d rejected rows of %s quarantined in %s\n", f.Rows, strings.TrimSuffix(filepath.Base(f.Path), ".csv"), filepath.Join(q.dir, f.Path))
			}
			return g.reportChecks(res.Checks)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the output files into `DIR` (created; must be empty; relative to --chdir)")
	cmd.Flags().IntVar(&threads, "threads", 0, "use at most `N` CPUs (default: all)")
	return cmd
}

// reportChecks prints failed checks; an error check failing is exit 1.
func (g *globals) reportChecks(checks []executor.CheckResult) error {
	failed := false
	for _, c := range checks {
		status := "passed"
		if !c.Passed {
			status = "FAILED"
			if c.Severity == ir.SeverityError {
				failed = true
			}
		}
		fmt.Fprintf(g.streams.Out, "  check %s (%s): %s\n", c.Name, c.Severity, status)
	}
	if failed {
		return exitCode(exitError)
	}
	return nil
}

// runError prints a failure of the data as a diagnostic at the expression
// that failed, when there is one.
func (g *globals) runError(err error) error {
	var ee *eval.Error
	if errors.As(err, &ee) && !ee.Src.IsZero() {
		detail := fmt.Sprintf("%s: %s (row %d of the batch).", ee.Expr, ee.Msg, ee.Row)
		d := diag.New(diag.Error, ee.Src, "Computing the product failed", detail)
		g.printDiags(diag.Diagnostics{d}, readSources(diag.Diagnostics{d}))
		return exitCode(exitError)
	}
	return err
}

func newPreviewCmd(g *globals) *cobra.Command {
	var limit, threads int
	var transform string
	cmd := &cobra.Command{
		Use:   "preview PRODUCT",
		Short: "Compute a product (or one of its transforms) and print its first rows",
		Long: `Preview computes a product on its real inputs and prints the first rows of
its output — or, with --transform, of one transform — as an aligned table
(or JSON with --json). Nothing is written or published.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			w, p, err := g.compiledProduct(ctx, args[0])
			if err != nil {
				return err
			}
			node, schema := p.Output.Root, p.Output.Schema
			if transform != "" {
				node = nil
				var names []string
				for _, t := range p.Transforms {
					names = append(names, t.Name)
					if t.Name == transform {
						node, schema = t.Root, t.Root.Schema()
					}
				}
				if node == nil {
					return fmt.Errorf("product.%s has no transform %q (transforms: %s)", p.Name, transform, strings.Join(names, ", "))
				}
			}
			if limit < 0 {
				return fmt.Errorf("--limit must be zero or more")
			}
			b, err := executor.Preview(ctx, node, limit, g.executorOptions(w, threads))
			if err != nil {
				return g.runError(err)
			}
			if g.json {
				return writeRowsJSON(g.streams.Out, schema.Names(), b)
			}
			writeTable(g.streams.Out, schema.Names(), b)
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "print at most `N` rows")
	cmd.Flags().StringVar(&transform, "transform", "", "preview the transform `NAME` instead of the output")
	cmd.Flags().IntVar(&threads, "threads", 0, "use at most `N` CPUs (default: all)")
	return cmd
}

// writeTable prints rows as an aligned table, nulls as "null".
func writeTable(w io.Writer, names []string, b *vector.Batch) {
	const maxWidth = 40
	cells := make([][]string, b.Len)
	widths := make([]int, len(names))
	for i, n := range names {
		widths[i] = utf8.RuneCountInString(n)
	}
	var buf []byte
	for r := 0; r < b.Len; r++ {
		row := make([]string, len(names))
		for c, v := range b.Cols {
			var null bool
			buf, null = v.AppendText(buf[:0], r)
			s := string(buf)
			if null {
				s = "null"
			}
			s = strings.Map(func(r rune) rune {
				if r == '\n' || r == '\t' || r == '\r' {
					return ' '
				}
				return r
			}, s)
			if utf8.RuneCountInString(s) > maxWidth {
				s = string([]rune(s)[:maxWidth-1]) + "…"
			}
			row[c] = s
			widths[c] = max(widths[c], utf8.RuneCountInString(s))
		}
		cells[r] = row
	}
	line := func(vals []string) {
		var sb strings.Builder
		for i, v := range vals {
			if i > 0 {
				sb.WriteString("  ")
			}
			sb.WriteString(v)
			if i < len(vals)-1 {
				sb.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v)))
			}
		}
		fmt.Fprintln(w, sb.String())
	}
	line(names)
	sep := make([]string, len(names))
	for i := range sep {
		sep[i] = strings.Repeat("-", widths[i])
	}
	line(sep)
	for _, row := range cells {
		line(row)
	}
	fmt.Fprintf(w, "(%d rows)\n", b.Len)
}

// writeRowsJSON prints rows as a JSON array of objects; numbers stay
// numbers (decimals exact), dates and timestamps are strings.
func writeRowsJSON(w io.Writer, names []string, b *vector.Batch) error {
	rows := make([]json.RawMessage, 0, b.Len)
	var buf []byte
	for r := 0; r < b.Len; r++ {
		obj := []byte{'{'}
		for c, v := range b.Cols {
			if c > 0 {
				obj = append(obj, ',')
			}
			k, _ := json.Marshal(names[c])
			obj = append(obj, k...)
			obj = append(obj, ':')
			var null bool
			buf, null = v.AppendText(buf[:0], r)
			switch {
			case null:
				obj = append(obj, "null"...)
			case v.Type.IsNumeric():
				if s := string(buf); s == "NaN" || strings.Contains(s, "Inf") {
					q, _ := json.Marshal(s)
					obj = append(obj, q...)
				} else {
					obj = append(obj, buf...)
				}
			case v.Phys == vector.PhysBool:
				obj = append(obj, buf...)
			default:
				q, _ := json.Marshal(string(buf))
				obj = append(obj, q...)
			}
		}
		rows = append(rows, append(obj, '}'))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

// quarantines hands out one quarantine file per source with on_error =
// "quarantine", beside the output (in _quarantine/, which readers of the
// output skip).
type quarantines struct {
	dir   string
	mu    sync.Mutex
	sinks []*csv.QuarantineSink
	err   error
}

func (q *quarantines) sink(src *ir.Source) dataio.RejectSink {
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := os.MkdirAll(q.dir, 0o755); err != nil {
		q.err = err
		return nil
	}
	s, err := csv.NewQuarantineSink(q.dir, src.Name+".csv")
	if err != nil {
		q.err = err
		return nil
	}
	q.sinks = append(q.sinks, s)
	return s
}

func (q *quarantines) close() ([]dataio.File, error) {
	var files []dataio.File
	for _, s := range q.sinks {
		f, err := s.Close()
		if err != nil {
			return nil, err
		}
		if f.Rows > 0 {
			files = append(files, f)
		} else {
			_ = os.Remove(filepath.Join(q.dir, f.Path)) // nothing was rejected
		}
	}
	_ = os.Remove(q.dir) // only if empty
	return files, q.err
}
