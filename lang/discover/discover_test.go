package discover

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func TestFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"main.mesh.hcl":                {},
		"products/b.mesh.hcl":          {},
		"products/a.mesh.hcl":          {},
		"products/notes.hcl":           {},
		"products/.hidden.mesh.hcl":    {},
		".meshctl/state.mesh.hcl":      {},
		".git/x.mesh.hcl":              {},
		"node_modules/y/z.mesh.hcl":    {},
		"data/customers.csv":           {},
		"deep/er/still/found.mesh.hcl": {},
		".mesh.hcl":                    {},
		"products/x.mesh.hcl.tmpl":     {},
	}
	got, err := Files(fsys)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"deep/er/still/found.mesh.hcl", "main.mesh.hcl", "products/a.mesh.hcl", "products/b.mesh.hcl"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
}
