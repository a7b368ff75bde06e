package format_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/discover"
	"github.com/meshctl/meshctl/lang/format"
	"github.com/meshctl/meshctl/lang/ir"
)

// messy is a valid workspace written every way fmt rewrites.
const messy = "mesh {\r\nname=\"m\"\r\n}\r\n\r\n\r\n\r\ndomain \"d\" {\n     owner =   \"o@example.com\"\n\n\n}\n" +
	"source \"s\" {\ntype=\"csv\"\npath   = \"x.csv\"\n  schema {\n    infer = false\n\n    column \"a\" { type = \"int64\" }\n" +
	"    column \"b\" {\n type=\"string\"   \n   tags=[\"pii\",\"x\"]\n}\n  }\n}\n" +
	"product \"p\" {\n domain=domain.d\n\tinput \"s\" { from = source.s }\n" +
	"  transform \"t\" {\n    from=input.s\n    filter { where = a>1&&b!=null }\n" +
	"    select {\n      columns = {\n a=a\n        bb  =   upper(b)   # comment\n        c = \"${b}-${a*2}\"\n      }\n    }\n" +
	"    aggregate {\n group_by=[bb]\n columns={ n=count() , s = sum(a) }\n }\n  }\n" +
	"  output {\n path=\"out/\"\n }\n  check \"rows\" { assert = row_count()>0 }\n}\n"

// TestFormattingKeepsTheModel formats every file of the examples and of a
// deliberately messy workspace and checks that the decoded model and the
// compiled plans are the same before and after: fmt changes layout, never
// meaning.
func TestFormattingKeepsTheModel(t *testing.T) {
	cases := map[string][]configs.File{"messy": {{Name: "main.mesh.hcl", Src: []byte(messy)}}}
	for _, ex := range []string{"sales", "marketing"} {
		dir := filepath.Join("..", "..", "examples", ex)
		names, err := discover.Files(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			src, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatal(err)
			}
			cases[ex] = append(cases[ex], configs.File{Name: n, Src: src})
		}
	}
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			before := load(t, files)
			formatted := make([]configs.File, len(files))
			changed := false
			for i, f := range files {
				out, ds := format.Source(f.Name, f.Src)
				if ds.HasErrors() {
					t.Fatalf("format %s: %v", f.Name, ds.Err())
				}
				changed = changed || string(out) != string(f.Src)
				formatted[i] = configs.File{Name: f.Name, Src: out}
			}
			if name == "messy" && !changed {
				t.Fatal("the messy workspace came out of fmt unchanged: the test proves nothing")
			}
			after := load(t, formatted)
			opts := cmp.Options{
				cmpopts.IgnoreTypes(hcl.Range{}, diag.Sources{}, map[string]*hcl.File{}),
				cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) }),
				cmp.Comparer(func(a, b *hclsyntax.Operation) bool { return a == b }),
				cmpopts.IgnoreUnexported(hclsyntax.Body{}, hcl.TraverseRoot{}, hcl.TraverseAttr{}, hcl.TraverseIndex{}, hcl.TraverseSplat{}),
			}
			if diff := cmp.Diff(before.ws, after.ws, opts); diff != "" {
				t.Errorf("formatting changed the decoded model (-before +after):\n%s", diff)
			}
			if diff := cmp.Diff(before.plans, after.plans); diff != "" {
				t.Errorf("formatting changed the compiled plans (-before +after):\n%s", diff)
			}
		})
	}
}

type loaded struct {
	ws    *configs.Workspace
	plans map[string]string
}

func load(t *testing.T, files []configs.File) loaded {
	t.Helper()
	ws, ds := configs.LoadFiles(files, configs.Options{})
	if ds.HasErrors() {
		t.Fatalf("load: %v", ds.Err())
	}
	// Sources whose schema is inferred cannot be read here; the examples'
	// sources are replaced by declared ones for the plan comparison.
	for _, s := range ws.Sources {
		if s.Schema == nil || s.Schema.Infer {
			return loaded{ws: ws}
		}
	}
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds.Err())
	}
	plans := map[string]string{}
	for n, p := range res.Products {
		plans[n] = ir.Explain(p)
	}
	return loaded{ws: ws, plans: plans}
}
