package configs

import (
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/discover"
	"github.com/meshctl/meshctl/lang/hcldiag"
)

// Options controls loading.
type Options struct {
	// Getenv looks up an environment variable for env() in attributes; nil
	// means no variable is set. Secrets (dsn, mask_key) are not looked up
	// at load time: only the variable's name is kept.
	Getenv func(name string) (string, bool)
	// DisplayDir, when set, prefixes the file names used in ranges and
	// messages (path.Join), so that file:line:col opens from where the
	// user ran meshctl rather than from the workspace root.
	DisplayDir string
}

// File is one configuration file to load.
type File struct {
	// Name is the path shown in diagnostics (slash-separated, relative to
	// the workspace root).
	Name string
	Src  []byte
}

// Load reads every *.mesh.hcl file of fsys and decodes the workspace. The
// workspace is returned even with errors, as complete as it could be made,
// so that callers can still show what was understood.
func Load(fsys fs.FS, opts Options) (*Workspace, diag.Diagnostics) {
	names, err := discover.Files(fsys)
	if err != nil {
		return nil, diag.Diagnostics{diag.New(diag.Error, diag.Range{}, "Cannot read the workspace", err.Error())}
	}
	if len(names) == 0 {
		return nil, diag.Diagnostics{diag.New(diag.Error, diag.Range{}, "No configuration files",
			"There is no *.mesh.hcl file in this folder or below it. Run \"meshctl init\" to create a workspace, or use --chdir to point at one.")}
	}
	files := make([]File, 0, len(names))
	var diags diag.Diagnostics
	for _, n := range names {
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			diags = append(diags, diag.New(diag.Error, diag.Range{}, "Cannot read configuration file", fmt.Sprintf("%s: %v", n, err)))
			continue
		}
		files = append(files, File{Name: path.Join(opts.DisplayDir, n), Src: src})
	}
	ws, more := LoadFiles(files, opts)
	return ws, append(diags, more...)
}

// LoadFiles decodes a workspace from files already in memory.
func LoadFiles(files []File, opts Options) (*Workspace, diag.Diagnostics) {
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	ws := &Workspace{
		Files:      diag.Sources{},
		Bodies:     map[string]*hcl.File{},
		Domains:    map[string]*Domain{},
		Sources:    map[string]*Source{},
		Products:   map[string]*Product{},
		Policies:   map[string]*Policy{},
		Exemptions: map[string]*Exemption{},
	}
	d := newDecoder(opts)
	parsed := parseAll(files)
	for i, f := range files {
		ws.Files[f.Name] = f.Src
		file, hd := parsed[i].file, parsed[i].diags
		d.diags = append(d.diags, hcldiag.Diags(hd)...)
		if file == nil || hd.HasErrors() {
			continue // a file that does not parse contributes nothing
		}
		ws.Bodies[f.Name] = file
		ws.FileNames = append(ws.FileNames, f.Name)
		d.file(ws, file)
	}
	if ws.Mesh == nil && !d.diags.HasErrors() {
		d.diags = append(d.diags, diag.New(diag.Error, diag.Range{}, "Missing mesh block",
			"A workspace needs one mesh block naming it, such as:\n\n  mesh {\n    name = \"acme-sales\"\n  }"))
	}
	resolve(ws, d)
	diags := d.diags.Dedup()
	diags.Sort()
	return ws, diags
}

type parsedFile struct {
	file  *hcl.File
	diags hcl.Diagnostics
}

// parseAll parses files on all cores: parsing is most of the cost of
// loading a large workspace, and files parse independently. Decoding stays
// sequential, in file order, so that results do not depend on scheduling.
func parseAll(files []File) []parsedFile {
	out := make([]parsedFile, len(files))
	workers := min(runtime.GOMAXPROCS(0), len(files))
	if workers <= 1 {
		for i, f := range files {
			out[i].file, out[i].diags = hclsyntax.ParseConfig(f.Src, f.Name, hcl.InitialPos)
		}
		return out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				out[i].file, out[i].diags = hclsyntax.ParseConfig(files[i].Src, files[i].Name, hcl.InitialPos)
			}
		}()
	}
	wg.Wait()
	return out
}
