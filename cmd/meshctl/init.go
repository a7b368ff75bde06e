package main

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/lang/discover"
)

// scaffold holds the files of a new workspace. Templates end in .tmpl so
// that they are not themselves taken for configuration files.
//
//go:embed scaffold
var scaffold embed.FS

func newInitCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Create a new workspace that validates: a domain, a CSV source, a product, a policy",
		Long: `Init scaffolds a workspace in DIR (default: the current directory, or
--chdir), creating it if needed: the mesh block and a domain, a CSV source
with sample data, a product that counts adult customers per country, and a
governance policy. It refuses to touch a folder that already holds
*.mesh.hcl files, and never overwrites a file.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := g.chdir
			if dir == "" {
				dir = "."
			}
			if len(args) == 1 {
				if filepath.IsAbs(args[0]) {
					dir = args[0]
				} else {
					dir = filepath.Join(dir, args[0])
				}
			}
			created, err := initWorkspace(dir)
			if err != nil {
				return err
			}
			for _, f := range created {
				fmt.Fprintf(g.streams.Out, "  created %s\n", filepath.Join(dir, f))
			}
			fmt.Fprintf(g.streams.Out, "\nmeshctl workspace ready in %s. Next:\n  meshctl --chdir %s validate\n  meshctl --chdir %s explain adults_by_country\n", dir, dir, dir)
			return nil
		},
	}
}

// workspaceName turns a folder name into a mesh name.
func workspaceName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "my-mesh"
	}
	name := strings.ToLower(filepath.Base(abs))
	name = regexp.MustCompile(`[^a-z0-9_-]+`).ReplaceAllString(name, "-")
	name = strings.Trim(name, "-")
	if name == "" {
		return "my-mesh"
	}
	return name
}

// initWorkspace writes the scaffold into dir and returns the files created,
// relative to dir. It checks everything before writing anything.
func initWorkspace(dir string) ([]string, error) {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("init %s: not a directory", dir)
		}
		existing, err := discover.Files(os.DirFS(dir))
		if err != nil {
			return nil, fmt.Errorf("init %s: %w", dir, err)
		}
		if len(existing) > 0 {
			return nil, fmt.Errorf("init %s: this folder is a workspace already (it holds %s); nothing was written", dir, existing[0])
		}
	}
	type file struct {
		rel  string
		data []byte
	}
	var files []file
	vars := struct{ Name string }{Name: workspaceName(dir)}
	err := fs.WalkDir(scaffold, "scaffold", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := scaffold.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, "scaffold/")
		if strings.HasSuffix(rel, ".tmpl") {
			rel = strings.TrimSuffix(rel, ".tmpl")
			t, err := template.New(rel).Parse(string(data))
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if err := t.Execute(&buf, vars); err != nil {
				return err
			}
			data = buf.Bytes()
		}
		if rel == "gitignore" {
			rel = ".gitignore"
		}
		files = append(files, file{rel: filepath.FromSlash(rel), data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("init: read scaffold: %w", err)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join(dir, f.rel)); err == nil {
			return nil, fmt.Errorf("init %s: %s exists already; nothing was written", dir, f.rel)
		}
	}
	var created []string
	for _, f := range files {
		path := filepath.Join(dir, f.rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return created, fmt.Errorf("init: %w", err)
		}
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			return created, fmt.Errorf("init: %w", err)
		}
		created = append(created, f.rel)
	}
	return created, nil
}
