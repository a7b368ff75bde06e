package odcs

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
)

var update = flag.Bool("update", false, "rewrite testdata/*.yaml from Write's output")

// testWorkspace has three products: one using every part of the contract
// (masks, PII, a classification tag, partitions, checks with a
// description and a warn severity, readers, an SLA in minutes, a
// description that needs quoting, a domain whose owner is not the
// product's), one published to S3 without version or SLA, and one
// published as a PostgreSQL table.
const testWorkspace = `mesh {
  name = "shop"
}

domain "crm" {
  owner = "crm-lead@example.com"
  team  = "acme/crm"
}

source "people" {
  type   = "csv"
  domain = domain.crm
  path   = "data/people.csv"
  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
    column "country" { type = "string" }
    column "born" { type = "date" }
    column "score" { type = "decimal(9,2)" }
    column "vip" { type = "bool" }
  }
}

product "contacts" {
  domain      = domain.crm
  owner       = "contacts@example.com"
  description = "People to contact: one row each.\nMasked: the email is hashed # not plain"
  version     = "2.1.0"
  tags        = ["tier:gold", "marketing"]

  input "people" { from = source.people }

  transform "t" {
    from = input.people
    select {
      columns = {
        id      = id
        email   = email
        country = coalesce(country, "??")
        born    = born
        score   = score
        vip     = vip
        secret  = email
      }
    }
  }

  output {
    path         = "lake/contacts/"
    partition_by = ["country", "vip"]
  }

  contract {
    column "id" {
      type        = "int64"
      nullable    = false
      description = "Person id: \"stable\""
    }
    column "email" {
      type = "string"
      mask = "hash"
    }
    column "country" { type = "string" }
    column "born" { type = "date" }
    column "score" { type = "decimal(9,2)" }
    column "vip" { type = "bool" }
    column "secret" {
      type = "string"
      tags = ["classification:confidential"]
    }
  }

  check "has_rows" {
    assert = row_count() > 0
  }
  check "few_vips" {
    assert      = sum(cast(vip, "int64")) < 1000
    severity    = "warn"
    description = "VIPs are rare"
  }

  sla { freshness = "90m" }

  access {
    readers = ["team-marketing", "yes"]
  }
}

product "archive" {
  domain = domain.crm
  input "people" { from = source.people }
  transform "t" {
    from = input.people
    select {
      columns = { id = id }
    }
  }
  output { path = "s3://bucket/archive/" }
}

product "warehouse" {
  domain = domain.crm
  input "people" { from = source.people }
  transform "t" {
    from = input.people
    select {
      columns = { id = id }
    }
  }
  output {
    format = "postgres"
    table  = "analytics.people"
    dsn    = env("WAREHOUSE_DSN")
  }
  sla { freshness = "48h" }
}
`

func buildTest(t *testing.T, name, status string) *Document {
	t.Helper()
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(testWorkspace)}}, configs.Options{})
	if ds.HasErrors() {
		t.Fatalf("load: %v", ds)
	}
	res, ds := compile.Compile(context.Background(), ws, compile.Options{})
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds)
	}
	return Build(ws, name, res.Products[name], Options{Status: status})
}

// TestGolden compares each product's document with testdata/NAME.yaml;
// refresh them with go test ./planner/odcs -update. TestReadBack asserts
// the facts of the main one, so that a refreshed golden cannot bless a
// wrong document.
func TestGolden(t *testing.T) {
	for _, name := range []string{"contacts", "archive", "warehouse"} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, buildTest(t, name, StatusActive)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".yaml")
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./planner/odcs -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
			if _, err := readYAML(b.String()); err != nil {
				t.Errorf("the document does not read back: %v\n%s", err, b.String())
			}
		})
	}
}

func TestReadBack(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, buildTest(t, "contacts", "")); err != nil {
		t.Fatal(err)
	}
	doc, err := readYAML(b.String())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	props := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for _, p := range m["schema"].([]any)[0].(map[string]any)["properties"].([]any) {
			pm := p.(map[string]any)
			out[pm["name"].(string)] = pm
		}
		return out
	}(doc)
	obj := doc["schema"].([]any)[0].(map[string]any)
	want := map[string]any{
		"apiVersion":  "v3.0.2",
		"kind":        "DataContract",
		"id":          "urn:meshctl:shop:contacts",
		"name":        "contacts",
		"version":     "2.1.0",
		"status":      "proposed",
		"domain":      "crm",
		"dataProduct": "contacts",
		"tags":        []any{"tier:gold", "marketing"},
		"description": map[string]any{"purpose": "People to contact: one row each.\nMasked: the email is hashed # not plain"},
		"slaProperties": []any{
			map[string]any{"property": "latency", "value": int64(90), "unit": "m"},
		},
		"team": []any{
			map[string]any{"username": "contacts@example.com", "role": "owner"},
			map[string]any{"username": "crm-lead@example.com", "role": "domain owner"},
			map[string]any{"username": "acme/crm", "role": "domain team"},
		},
		"roles": []any{
			map[string]any{"role": "team-marketing", "access": "read"},
			map[string]any{"role": "yes", "access": "read"},
		},
		"servers": []any{
			map[string]any{"server": "lake", "type": "local", "format": "parquet", "path": "lake/contacts/"},
		},
	}
	for k, v := range want {
		if diff := cmp.Diff(v, doc[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	if obj["logicalType"] != "object" || obj["physicalName"] != "lake/contacts/" || obj["name"] != "contacts" {
		t.Errorf("schema object = %v", obj)
	}
	wantProps := map[string]any{
		"id": map[string]any{"name": "id", "logicalType": "integer", "physicalType": "int64", "required": true,
			"description": `Person id: "stable"`, "transformSourceObjects": []any{"source.people"}},
		"email": map[string]any{"name": "email", "logicalType": "string", "physicalType": "string", "required": false,
			"transformSourceObjects": []any{"source.people"},
			"customProperties":       []any{map[string]any{"property": "mask", "value": "hash"}}},
		"country": map[string]any{"name": "country", "logicalType": "string", "physicalType": "string", "required": true,
			"partitioned": true, "partitionKeyPosition": int64(1), "transformSourceObjects": []any{"source.people"}},
		"born": map[string]any{"name": "born", "logicalType": "date", "physicalType": "date", "required": false,
			"transformSourceObjects": []any{"source.people"}},
		"score": map[string]any{"name": "score", "logicalType": "number", "physicalType": "decimal(9,2)", "required": false,
			"transformSourceObjects": []any{"source.people"}},
		"vip": map[string]any{"name": "vip", "logicalType": "boolean", "physicalType": "bool", "required": false,
			"partitioned": true, "partitionKeyPosition": int64(2), "transformSourceObjects": []any{"source.people"}},
		"secret": map[string]any{"name": "secret", "logicalType": "string", "physicalType": "string", "required": false,
			"classification": "confidential", "tags": []any{"classification:confidential", "pii"},
			"transformSourceObjects": []any{"source.people"}},
	}
	if diff := cmp.Diff(wantProps, props); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}
	wantQuality := []any{
		map[string]any{"name": "has_rows", "type": "custom", "severity": "error", "engine": "meshctl", "implementation": "row_count() > 0"},
		map[string]any{"name": "few_vips", "description": "VIPs are rare", "type": "custom", "severity": "warn", "engine": "meshctl",
			"implementation": `sum(cast(vip, "int64")) < 1000`},
	}
	if diff := cmp.Diff(wantQuality, obj["quality"]); diff != "" {
		t.Errorf("quality (-want +got):\n%s", diff)
	}
}

func TestServers(t *testing.T) {
	for _, tc := range []struct {
		product string
		want    []Server
		phys    [2]string
		sla     []SLAProperty
	}{
		{"archive", []Server{{Server: "lake", Type: "s3", Format: "parquet", Location: "s3://bucket/archive/"}}, [2]string{"s3://bucket/archive/", "file"}, nil},
		{"warehouse", []Server{{Server: "warehouse", Type: "custom", Location: "postgres://WAREHOUSE_DSN/analytics.people", Schema: "analytics"}},
			[2]string{"analytics.people", "table"}, []SLAProperty{{Property: "latency", Value: 2, Unit: "d"}}},
	} {
		d := buildTest(t, tc.product, "")
		if diff := cmp.Diff(tc.want, d.Servers); diff != "" {
			t.Errorf("%s servers (-want +got):\n%s", tc.product, diff)
		}
		if got := [2]string{d.Schema[0].PhysicalName, d.Schema[0].PhysicalType}; got != tc.phys {
			t.Errorf("%s physical name and type = %v, want %v", tc.product, got, tc.phys)
		}
		if diff := cmp.Diff(tc.sla, d.SLAProperties); diff != "" {
			t.Errorf("%s SLA (-want +got):\n%s", tc.product, diff)
		}
		if d.Version != "0.0.0" || d.Status != StatusProposed {
			t.Errorf("%s version %q status %q, want 0.0.0 (none declared) and proposed", tc.product, d.Version, d.Status)
		}
	}
}

// TestScalarQuoting writes strings YAML would misread if left plain and
// reads them back: each must come back as written.
func TestScalarQuoting(t *testing.T) {
	values := []string{
		"plain", "two words", "sales-data@acme.example", "lake/x/", "yes", "No", "ON", "null", "~", "y",
		"true", "false", "123", "1.5", "-1", "0x1F", ".inf", "1e3", "2026-01-01", "a: b", "a:b", "trailing:",
		"# comment", "a #b", "a#b", "- item", "? key", "[list]", "{map}", "x, y", "*alias", "&anchor", "!tag",
		"|block", ">folded", "'single'", `"double"`, "%directive", "@at", "`tick`", " lead", "trail ", "a  b",
		"line\nbreak", "tab\there", "back\\slash", "ünïcödé", "€", "\x00nul", "\u2028sep", "",
	}
	for _, v := range values {
		var b bytes.Buffer
		if err := writeYAML(&b, yMap{{"k", v}, {"end", "x"}}); err != nil {
			t.Fatal(err)
		}
		if v == "" {
			if b.String() != "end: x\n" {
				t.Errorf("an empty string is written %q, want it left out", b.String())
			}
			continue
		}
		doc, err := readYAML(b.String())
		if err != nil {
			t.Errorf("%q: %v\n%s", v, err, b.String())
			continue
		}
		if doc["k"] != v {
			t.Errorf("%q reads back as %#v from %q", v, doc["k"], b.String())
		}
		if line, _, _ := strings.Cut(b.String(), "\n"); !strings.HasPrefix(line, `k: "`) && plainProblem(v) != "" {
			t.Errorf("%q is written plain (%q) though %s", v, line, plainProblem(v))
		}
	}
}

// TestWriteStructure checks the emitter's layout: nesting, lists of
// maps and of scalars, and that empty values are left out.
func TestWriteStructure(t *testing.T) {
	var b bytes.Buffer
	err := writeYAML(&b, yMap{
		{"a", "x"},
		{"skip", ""},
		{"none", yList{}},
		{"m", yMap{{"b", true}, {"c", int64(3)}, {"gone", yMap{{"e", ""}}}}},
		{"l", yList{yMap{{"nm", "1"}, {"o", yList{"p", "q"}}}, "r", yMap{}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `a: x
m:
  b: true
  c: 3
l:
  - nm: "1"
    o:
      - p
      - q
  - r
  - {}
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := readYAML(b.String()); err != nil {
		t.Errorf("does not read back: %v", err)
	}
}
