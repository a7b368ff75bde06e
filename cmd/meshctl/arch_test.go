package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyArrows keeps DESIGN.md §6 honest: data flows one way
// (cmd → planner → executor → lang/ir), lang/ir is all the executor sees of
// lang and imports no HCL, and providers import neither each other nor the
// core they plug into (providers/internal holds helpers they share).
func TestDependencyArrows(t *testing.T) {
	const mod = "github.com/meshctl/meshctl/"
	out, err := exec.Command("go", "list", "-deps=false", "-json", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath string
		Imports    []string
		Deps       []string
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	within := func(path, prefix string) bool {
		return path == mod+prefix || strings.HasPrefix(path, mod+prefix+"/")
	}
	leaves := []string{"lang/ir", "lang/types", "lang/diag"}
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, mod)
		for _, imp := range p.Deps {
			isHCL := strings.HasPrefix(imp, "github.com/hashicorp/hcl") || strings.HasPrefix(imp, "github.com/zclconf/go-cty")
			for _, leaf := range leaves {
				if within(p.ImportPath, leaf) && isHCL {
					t.Errorf("%s depends on %s: the IR and what it uses must not see HCL", rel, imp)
				}
			}
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, mod) {
				continue
			}
			to := strings.TrimPrefix(imp, mod)
			switch {
			case within(imp, "cmd"):
				t.Errorf("%s imports %s: no package imports cmd", rel, to)
			case within(p.ImportPath, "lang") && (within(imp, "planner") || within(imp, "executor") || within(imp, "providers")):
				t.Errorf("%s imports %s: lang is below the planner, the executor and the providers", rel, to)
			case within(p.ImportPath, "executor") && within(imp, "planner"):
				t.Errorf("%s imports %s: the executor is below the planner", rel, to)
			case within(p.ImportPath, "providers") && (within(imp, "planner") || within(imp, "executor")) && !dataPackage(imp, mod):
				t.Errorf("%s imports %s: providers implement interfaces; they import only the data format (executor/vector, executor/decimal, executor/dataio), not the core", rel, to)
			case dataPackage(p.ImportPath, mod) && (within(imp, "executor") || within(imp, "planner")) && !dataPackage(imp, mod):
				t.Errorf("%s imports %s: the data format packages are leaves below the executor", rel, to)
			case within(p.ImportPath, "providers") && within(imp, "providers") && !within(imp, "providers/internal") && !sameProvider(p.ImportPath, imp, mod):
				t.Errorf("%s imports %s: providers do not import each other", rel, to)
			}
			if within(p.ImportPath, "lang/ir") && !(within(imp, "lang/types") || within(imp, "lang/diag")) {
				t.Errorf("%s imports %s: lang/ir may import only lang/types and lang/diag", rel, to)
			}
		}
	}
}

// sameProvider reports whether two packages belong to one provider
// (providers/csv and providers/csv/internal/x).
func sameProvider(a, b, mod string) bool {
	first := func(p string) string {
		parts := strings.Split(strings.TrimPrefix(p, mod+"providers/"), "/")
		return parts[0]
	}
	return first(a) == first(b)
}

// dataPackage reports the core packages providers may import: the columnar
// data format and the interfaces they implement (scans and sinks, state
// backends, lakes).
func dataPackage(path, mod string) bool {
	for _, p := range []string{"executor/vector", "executor/decimal", "executor/dataio", "planner/statestore", "planner/lakeio"} {
		if path == mod+p {
			return true
		}
	}
	return false
}
