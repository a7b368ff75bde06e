package format

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the arrows of doc.go honest: lang/format depends on
// none of the planner, the executor, the providers or the command.
func TestImports(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/meshctl/meshctl/"
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"planner", "executor", "providers", "cmd"} {
			if pkg == module+banned || strings.HasPrefix(pkg, module+banned+"/") {
				t.Errorf("lang/format depends on %s", pkg)
			}
		}
	}
}
