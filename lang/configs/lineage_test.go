package configs_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/internal/diagtest"
)

// lineageMesh is a workspace whose mesh block holds body after its name.
func lineageMesh(body string) map[string]string {
	return dgOne(`mesh {
  name = "t"
` + body + `}

domain "sales" {
  owner = "sales@example.com"
}
`)
}

func TestDecodeLineage(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want *configs.LineageConfig
	}{
		{
			name: "no block",
			want: nil,
		},
		{
			name: "file",
			body: "  lineage {\n    file = \".meshctl/lineage.jsonl\"\n  }\n",
			want: &configs.LineageConfig{File: ".meshctl/lineage.jsonl"},
		},
		{
			name: "url with the default endpoint",
			body: "  lineage {\n    url = \"http://marquez:5000\"\n  }\n",
			want: &configs.LineageConfig{URL: "http://marquez:5000", Endpoint: configs.DefaultLineageEndpoint},
		},
		{
			name: "url, endpoint, key and namespace",
			body: `  lineage {
    url       = "https://lineage.example.com"
    endpoint  = "api/v2/events"
    api_key   = env("OL_API_KEY")
    namespace = "acme"
  }
`,
			want: &configs.LineageConfig{URL: "https://lineage.example.com", Endpoint: "api/v2/events",
				APIKey: &configs.Secret{Env: "OL_API_KEY"}, Namespace: "acme"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, _ := dgPrepare(t, lineageMesh(tc.body), nil)
			ws, ds := configs.LoadFiles(files, configs.Options{})
			if len(ds) > 0 {
				t.Fatalf("diagnostics:%s", diagtest.Describe(ds))
			}
			got := ws.Mesh.Lineage
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
				t.Errorf("Mesh.Lineage (-want +got):\n%s", diff)
			}
			if got != nil && (got.Range.Start.Line != 3 || got.Range.Start.Column != 3) {
				t.Errorf("lineage block at %d:%d, want 3:3", got.Range.Start.Line, got.Range.Start.Column)
			}
		})
	}
}

func TestLineageDiagnostics(t *testing.T) {
	dgRun(t, []dgCase{
		{
			name:    "lineage: both file and url",
			files:   lineageMesh("  lineage {\n    file = \"l.jsonl\"\n    «url  = \"http://m:5000\"\n  }\n"),
			summary: "Both file and url",
			detail:  []string{"not both"},
		},
		{
			name:    "lineage: url written first, file second",
			files:   lineageMesh("  lineage {\n    url  = \"http://m:5000\"\n    «file = \"l.jsonl\"\n  }\n"),
			summary: "Both file and url",
		},
		{
			name:    "lineage: neither",
			files:   lineageMesh("  «lineage {\n    namespace = \"x\"\n  }\n"),
			summary: "Missing file or url",
			detail:  []string{`file = ".meshctl/lineage.jsonl"`, `url = "http://marquez:5000"`},
		},
		{
			name:    "lineage: empty file",
			files:   lineageMesh("  lineage {\n    file = «\" \"\n  }\n"),
			summary: "Empty file",
		},
		{
			name:        "lineage: url of another scheme",
			files:       lineageMesh("  lineage {\n    url = «\"ftp://m/\"\n  }\n"),
			summary:     "Invalid lineage url",
			exactDetail: `url is an OpenLineage HTTP endpoint such as "http://marquez:5000": http:// or https://, then a host; "ftp://m/" is not.`,
		},
		{
			name:    "lineage: url without a host",
			files:   lineageMesh("  lineage {\n    url = «\"http://\"\n  }\n"),
			summary: "Invalid lineage url",
		},
		{
			name:    "lineage: api_key with a file",
			files:   lineageMesh("  lineage {\n    file    = \"l.jsonl\"\n    «api_key = env(\"K\")\n  }\n"),
			summary: "Attribute not used with a lineage file",
			detail:  []string{"api_key applies to an HTTP endpoint"},
		},
		{
			name:    "lineage: endpoint with a file",
			files:   lineageMesh("  lineage {\n    file     = \"l.jsonl\"\n    «endpoint = \"api\"\n  }\n"),
			summary: "Attribute not used with a lineage file",
			detail:  []string{"endpoint applies"},
		},
		{
			name:    "lineage: two blocks",
			files:   lineageMesh("  lineage {\n    file = \"a.jsonl\"\n  }\n  «lineage {\n    file = \"b.jsonl\"\n  }\n"),
			summary: "Duplicate lineage block",
			detail:  []string{"main.mesh.hcl:3:3"},
		},
		{
			name:    "lineage: unknown attribute",
			files:   lineageMesh("  lineage {\n    file = \"a.jsonl\"\n    «path = \"b\"\n  }\n"),
			summary: "Unsupported argument",
		},
		{
			name:    "lineage: file is not a string",
			files:   lineageMesh("  lineage {\n    file = «[\"a\"]\n  }\n"),
			summary: "Incorrect attribute value type",
			detail:  []string{"file must be a string"},
		},
	})
}
