package configs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/internal/diagtest"
)

func TestDecodeAccessEncryptionPolicies(t *testing.T) {
	src := dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path       = "s3://lake/p/"
    encryption = "aws:kms"
    kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/k"
  }
  access {
    readers = ["everyone", "team-finance"]
  }
}

product "q" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output {
    path       = "s3://lake/q/"
    encryption = "AES256"
  }
}

policy "dsn_from_env" {
  applies_to = "source"
  condition  = source.dsn_from_env
}
`
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if len(ds) > 0 {
		t.Fatalf("diagnostics:%s", diagtest.Describe(ds))
	}
	p, q := ws.Products["p"], ws.Products["q"]

	if p.Access == nil {
		t.Fatal("product p: no access")
	}
	if diff := cmp.Diff([]string{"everyone", "team-finance"}, p.Access.Readers); diff != "" {
		t.Errorf("readers (-want +got):\n%s", diff)
	}
	pos := func(file string, line, col int) string {
		return diagtest.Pos{File: file, Line: line, Col: col}.String()
	}
	type at struct{ Line, Col int }
	for _, c := range []struct {
		what      string
		got, want at
	}{
		{"access block", at{p.Access.Range.Start.Line, p.Access.Range.Start.Column}, at{22, 3}},
		{"readers", at{p.Access.ReadersRange.Start.Line, p.Access.ReadersRange.Start.Column}, at{23, 15}},
		{"encryption", at{p.Output.EncryptionRange.Start.Line, p.Output.EncryptionRange.Start.Column}, at{19, 18}},
	} {
		if c.got != c.want {
			t.Errorf("%s starts at %s, want %s", c.what, pos("main.mesh.hcl", c.got.Line, c.got.Col), pos("main.mesh.hcl", c.want.Line, c.want.Col))
		}
	}
	if p.Output.Encryption != "aws:kms" || p.Output.KMSKeyID != "arn:aws:kms:eu-west-1:111122223333:key/k" {
		t.Errorf("p output encryption = %q, key %q", p.Output.Encryption, p.Output.KMSKeyID)
	}
	if q.Access != nil {
		t.Errorf("product q has access %+v without an access block", q.Access)
	}
	if q.Output.Encryption != "AES256" || q.Output.KMSKeyID != "" {
		t.Errorf("q output encryption = %q, key %q", q.Output.Encryption, q.Output.KMSKeyID)
	}

	pol := ws.Policies["dsn_from_env"]
	if pol.AppliesTo != "source" || pol.Enforcement != "advisory" || pol.Governance != "" {
		t.Errorf("policy: applies_to %q, enforcement %q, governance %q; want source, advisory (the default), none",
			pol.AppliesTo, pol.Enforcement, pol.Governance)
	}
}

func TestDecodeDuplicateReadersKeptOnce(t *testing.T) {
	src := dgHead + `
product "p" {
  domain = domain.sales
  input "crm" { from = source.crm }
  output { path = "lake/p/" }
  access { readers = ["a", "b", "a"] }
}
`
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if len(ds) != 1 || ds.HasErrors() {
		t.Fatalf("want one warning, got:%s", diagtest.Describe(ds))
	}
	if diff := cmp.Diff([]string{"a", "b"}, ws.Products["p"].Access.Readers); diff != "" {
		t.Errorf("readers (-want +got):\n%s", diff)
	}
}

// govWorkspace is a workspace whose exemption names a policy of the
// governance folder ../gov.
var govWorkspace = fstest.MapFS{
	"main.mesh.hcl": {Data: []byte(dgHead + dgProduct + `
exemption "legacy_pii" {
  policy  = policy.pii_is_masked
  target  = product.p
  reason  = "DATA-412"
  expires = "2027-03-31"
}
`)},
}

var govPII = fstest.MapFS{
	"pii.mesh.hcl": {Data: []byte(`policy "pii_is_masked" {
  enforcement = "soft_mandatory"
  applies_to  = "column"
  when        = contains(column.tags, "pii")
  condition   = column.mask != null
}
`)},
	// A target in another workspace sharing the folder is not an error.
	"exemptions/other.mesh.hcl": {Data: []byte(`exemption "finance_export" {
  policy  = policy.pii_is_masked
  target  = product.finance_export
  reason  = "FIN-7"
  expires = "2027-01-31"
}
`)},
	"README.md": {Data: []byte("not configuration")},
}

var govPlatform = fstest.MapFS{
	"owner.mesh.hcl": {Data: []byte(`policy "has_owner" {
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
}

policy "sources_use_env" {
  applies_to = "source"
  condition  = source.type != "postgres" || source.dsn_from_env
}
`)},
}

func TestLoadPolicyDirs(t *testing.T) {
	ws, ds := configs.Load(govWorkspace, configs.Options{
		DisplayDir: "sales",
		PolicyDirs: []configs.PolicyDir{{Dir: "../gov", FS: govPII}, {Dir: "/srv/platform", FS: govPlatform}},
	})
	if len(ds) > 0 {
		t.Fatalf("diagnostics:%s", diagtest.Describe(ds))
	}
	// Governance first, folder by folder, then the workspace.
	wantFiles := []string{"../gov/exemptions/other.mesh.hcl", "../gov/pii.mesh.hcl", "/srv/platform/owner.mesh.hcl", "sales/main.mesh.hcl"}
	if diff := cmp.Diff(wantFiles, ws.FileNames); diff != "" {
		t.Errorf("file names (-want +got):\n%s", diff)
	}
	for _, n := range wantFiles {
		if ws.Files[n] == nil {
			t.Errorf("no source kept for %s (snippets need it)", n)
		}
	}
	if diff := cmp.Diff([]string{"pii_is_masked", "has_owner", "sources_use_env"}, ws.PolicyOrder); diff != "" {
		t.Errorf("policy order (-want +got):\n%s", diff)
	}
	type origin struct{ Governance, File string }
	got := map[string]origin{}
	for n, p := range ws.Policies {
		got["policy."+n] = origin{p.Governance, p.Range.Filename}
	}
	for n, e := range ws.Exemptions {
		got["exemption."+n] = origin{e.Governance, e.Range.Filename}
	}
	want := map[string]origin{
		"policy.pii_is_masked":     {"../gov", "../gov/pii.mesh.hcl"},
		"policy.has_owner":         {"/srv/platform", "/srv/platform/owner.mesh.hcl"},
		"policy.sources_use_env":   {"/srv/platform", "/srv/platform/owner.mesh.hcl"},
		"exemption.finance_export": {"../gov", "../gov/exemptions/other.mesh.hcl"},
		"exemption.legacy_pii":     {"", "sales/main.mesh.hcl"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("origins (-want +got):\n%s", diff)
	}
}

func TestLoadPolicyDirsOverride(t *testing.T) {
	ws := fstest.MapFS{"main.mesh.hcl": {Data: []byte(dgHead + dgProduct + `
policy "has_owner" {
  applies_to = "product"
  condition  = true
}
`)}}
	_, ds := configs.Load(ws, configs.Options{PolicyDirs: []configs.PolicyDir{{Dir: "./platform/", FS: govPlatform}}})
	if len(ds) != 1 {
		t.Fatalf("want one diagnostic, got:%s", diagtest.Describe(ds))
	}
	d := ds[0]
	if got := d.Subject.String(); got != "main.mesh.hcl:20:8" {
		t.Errorf("subject %s, want main.mesh.hcl:20:8 (the workspace policy's label)", got)
	}
	if want := `Policy "has_owner" is defined by the governance policies in platform (platform/owner.mesh.hcl:1:1); a workspace cannot override the mesh's rules.`; !strings.HasPrefix(d.Detail, want) {
		t.Errorf("detail %q, want it to start with %q", d.Detail, want)
	}
}

// A governance folder inside the workspace is loaded once, as governance.
func TestLoadPolicyDirInsideWorkspace(t *testing.T) {
	fsys := fstest.MapFS{
		"main.mesh.hcl":    {Data: []byte(dgHead + dgProduct)},
		"gov/pii.mesh.hcl": govPII["pii.mesh.hcl"],
	}
	sub := fstest.MapFS{"pii.mesh.hcl": govPII["pii.mesh.hcl"]}
	ws, ds := configs.Load(fsys, configs.Options{PolicyDirs: []configs.PolicyDir{{Dir: "gov", FS: sub}}})
	if len(ds) > 0 {
		t.Fatalf("diagnostics:%s", diagtest.Describe(ds))
	}
	if diff := cmp.Diff([]string{"gov/pii.mesh.hcl", "main.mesh.hcl"}, ws.FileNames); diff != "" {
		t.Errorf("file names (-want +got):\n%s", diff)
	}
	if g := ws.Policies["pii_is_masked"].Governance; g != "gov" {
		t.Errorf("governance = %q, want gov", g)
	}
}

func TestLoadPolicyDirErrors(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, summary, detail string
		dir                   configs.PolicyDir
	}{
		{"missing", "Governance folder not found",
			"The governance folder ../govv does not exist. A --policies folder is relative to --chdir, like every path given to meshctl.",
			configs.PolicyDir{Dir: "../govv", FS: os.DirFS(filepath.Join(tmp, "nope"))}},
		{"a file", "Cannot read the governance folder", "../gov: not a directory",
			configs.PolicyDir{Dir: "../gov", FS: os.DirFS(file)}},
		{"no policy files", "No policy files in the governance folder",
			"There is no *.mesh.hcl file in ../gov or below it; a governance folder holds the mesh's policies and exemptions.",
			configs.PolicyDir{Dir: "../gov/", FS: fstest.MapFS{"README.md": {Data: []byte("x")}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := configs.Load(govWorkspace, configs.Options{PolicyDirs: []configs.PolicyDir{{Dir: "../ok", FS: govPII}, tc.dir}})
			// The workspace's exemption still resolves: only the bad folder
			// is reported.
			diagtest.CheckOne(t, ds, nil, tc.summary, diag.Error, nil, tc.detail)
		})
	}
}
