package discover

import (
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// workspace holds configuration files, test files and the look-alikes
// neither kind may pick up.
var workspace = fstest.MapFS{
	"main.mesh.hcl":                        {},
	"products/b.mesh.hcl":                  {},
	"products/a.mesh.hcl":                  {},
	"products/notes.hcl":                   {},
	"products/.hidden.mesh.hcl":            {},
	".meshctl/state.mesh.hcl":              {},
	".git/x.mesh.hcl":                      {},
	"node_modules/y/z.mesh.hcl":            {},
	"data/customers.csv":                   {},
	"deep/er/still/found.mesh.hcl":         {},
	".mesh.hcl":                            {},
	"products/x.mesh.hcl.tmpl":             {},
	"tests/products.meshtest.hcl":          {},
	"products/a.meshtest.hcl":              {},
	"tests/.hidden.meshtest.hcl":           {},
	".meshtest.hcl":                        {},
	".git/t.meshtest.hcl":                  {},
	"tests/fixtures/orders.csv":            {},
	"tests/products.meshtest.hcl.orig":     {},
	"tests/old.test.mesh.hcl":              {},
	"node_modules/q/vendored.meshtest.hcl": {},
}

func TestConfigFiles(t *testing.T) {
	got, err := Files(workspace)
	if err != nil {
		t.Fatal(err)
	}
	// A *.meshtest.hcl file is not configuration; a *.test.mesh.hcl is.
	want := []string{"deep/er/still/found.mesh.hcl", "main.mesh.hcl", "products/a.mesh.hcl", "products/b.mesh.hcl", "tests/old.test.mesh.hcl"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
}

func TestTestFiles(t *testing.T) {
	got, err := TestFiles(workspace)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"products/a.meshtest.hcl", "tests/products.meshtest.hcl"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TestFiles (-want +got):\n%s", diff)
	}
}

func TestIsFile(t *testing.T) {
	for _, tc := range []struct {
		name         string
		config, test bool
	}{
		{"a.mesh.hcl", true, false},
		{"dir/a.meshtest.hcl", false, true},
		{".meshtest.hcl", false, false},
		{"a.meshtest.hcl.bak", false, false},
		{"a.hcl", false, false},
	} {
		if got := IsConfigFile(tc.name); got != tc.config {
			t.Errorf("IsConfigFile(%q) = %v, want %v", tc.name, got, tc.config)
		}
		if got := IsTestFile(tc.name); got != tc.test {
			t.Errorf("IsTestFile(%q) = %v, want %v", tc.name, got, tc.test)
		}
	}
}
