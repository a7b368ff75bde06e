package configs

import (
	"errors"
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
	// PolicyDirs are governance folders (meshctl --policies DIR) whose
	// policies and exemptions are loaded next to the workspace's, in
	// this order: when two define the same policy, the later is the error.
	PolicyDirs []PolicyDir
}

// PolicyDir is a governance folder: the mesh's shared policies and
// exemptions, kept outside the domain's workspace so that a domain cannot
// change the rules it is held to.
type PolicyDir struct {
	// Dir is the folder as the user wrote it, slash-separated. It prefixes
	// the folder's file names in diagnostics and is recorded in
	// File.Governance, Policy.Governance and Exemption.Governance.
	Dir string
	// FS reads the folder; every *.mesh.hcl below it is loaded.
	FS fs.FS
}

// File is one configuration file to load.
type File struct {
	// Name is the path shown in diagnostics (slash-separated, relative to
	// the workspace root, or the governance folder joined with the path
	// inside it).
	Name string
	Src  []byte
	// Governance is the governance folder holding the file, as the user
	// wrote it; "" for a file of the workspace. A governance file may hold
	// policy and exemption blocks only.
	Governance string
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

// LoadFiles decodes a workspace from files already in memory, together with
// the files of opts.PolicyDirs. Governance files (File.Governance set) are
// decoded first, folder by folder in the order they first appear, so that a
// workspace policy clashing with a governance one is the one reported.
func LoadFiles(files []File, opts Options) (*Workspace, diag.Diagnostics) {
	var diags diag.Diagnostics
	for _, pd := range opts.PolicyDirs {
		more, ds := readPolicyDir(pd)
		files = append(files, more...)
		diags = append(diags, ds...)
	}
	files = orderFiles(files)
	ws := &Workspace{
		Files:      diag.Sources{},
		Governance: map[string]bool{},
		DisplayDir: opts.DisplayDir,
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
		if f.Governance != "" {
			ws.Governance[f.Name] = true
		}
		file, hd := parsed[i].file, parsed[i].diags
		d.diags = append(d.diags, hcldiag.Diags(hd)...)
		if file == nil || hd.HasErrors() {
			continue // a file that does not parse contributes nothing
		}
		ws.Bodies[f.Name] = file
		ws.FileNames = append(ws.FileNames, f.Name)
		d.gov = f.Governance
		d.file(ws, file)
	}
	if ws.Mesh == nil && !d.diags.HasErrors() {
		d.diags = append(d.diags, diag.New(diag.Error, diag.Range{}, "Missing mesh block",
			"A workspace needs one mesh block naming it, such as:\n\n  mesh {\n    name = \"acme-sales\"\n  }"))
	}
	resolve(ws, d)
	diags = append(diags, d.diags...).Dedup()
	diags.Sort()
	return ws, diags
}

// readPolicyDir reads every *.mesh.hcl file of a governance folder. A
// folder that is missing or holds no such file is an error: a mistyped
// --policies must not pass as "no rules".
func readPolicyDir(pd PolicyDir) ([]File, diag.Diagnostics) {
	dir := path.Clean(pd.Dir)
	st, err := fs.Stat(pd.FS, ".")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, diag.Diagnostics{diag.New(diag.Error, diag.Range{}, "Governance folder not found",
			fmt.Sprintf("The governance folder %s does not exist. A --policies folder is relative to --chdir, like every path given to meshctl.", dir))}
	case err != nil:
		return nil, diag.Diagnostics{diag.New(diag.Error, diag.Range{}, "Cannot read the governance folder", fmt.Sprintf("%s: %v", dir, unwrapPath(err)))}
	case !st.IsDir():
		return nil, diag.Diagnostics{diag.New(diag.Error, diag.Range{}, "Governance folder not found",
			fmt.Sprintf("%s is a file; a governance folder is a folder of *.mesh.hcl files holding policies and exemptions.", dir))}
	}
	names, err := discover.Files(pd.FS)
	if err != nil {
		return nil, diag.Diagnostics{diag.New(diag.Error, diag.Range{}, "Cannot read the governance folder", fmt.Sprintf("%s: %v", dir, unwrapPath(err)))}
	}
	if len(names) == 0 {
		return nil, diag.Diagnostics{diag.New(diag.Error, diag.Range{}, "No policy files in the governance folder",
			fmt.Sprintf("There is no *.mesh.hcl file in %s or below it; a governance folder holds the mesh's policies and exemptions.", dir))}
	}
	var files []File
	var diags diag.Diagnostics
	for _, n := range names {
		src, err := fs.ReadFile(pd.FS, n)
		if err != nil {
			diags = append(diags, diag.New(diag.Error, diag.Range{}, "Cannot read configuration file", fmt.Sprintf("%s: %v", path.Join(dir, n), unwrapPath(err))))
			continue
		}
		files = append(files, File{Name: path.Join(dir, n), Src: src, Governance: dir})
	}
	return files, diags
}

// unwrapPath drops the path an fs.PathError repeats: the message names the
// file already, as the user wrote it.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// orderFiles puts governance files first, folder by folder in the order the
// folders first appear, then the workspace's; each group sorted by name. A
// workspace file that is also a governance file (a governance folder inside
// the workspace) is loaded once, as governance.
func orderFiles(files []File) []File {
	rank := map[string]int{}
	gov := map[string]bool{}
	for _, f := range files {
		if f.Governance != "" {
			gov[f.Name] = true
			if _, ok := rank[f.Governance]; !ok {
				rank[f.Governance] = len(rank)
			}
		}
	}
	out := make([]File, 0, len(files))
	for _, f := range files {
		if f.Governance == "" && gov[f.Name] {
			continue
		}
		out = append(out, f)
	}
	group := func(f File) int {
		if f.Governance == "" {
			return len(rank)
		}
		return rank[f.Governance]
	}
	sort.SliceStable(out, func(i, j int) bool {
		if gi, gj := group(out[i]), group(out[j]); gi != gj {
			return gi < gj
		}
		return out[i].Name < out[j].Name
	})
	return out
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
