package state

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const where = "local state .meshctl/state.json"

// sample returns a state that sets every field.
func sample() *State {
	applied := time.Date(2025, 3, 1, 10, 30, 0, 123456000, time.UTC)
	return &State{
		FormatVersion:  FormatVersion,
		Lineage:        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
		Serial:         7,
		MeshctlVersion: "0.1.0",
		Products: map[string]*Product{
			"orders_clean": {
				DefinitionHash:  "sha256:def1",
				PlanFingerprint: "sha256:plan1",
				Transforms:      map[string]string{"dedupe": "sha256:t1", "filter": "sha256:t2"},
				Metadata: Metadata{
					Domain: "sales", Owner: "alice@example.com", Team: "orders",
					Description: "Orders without test accounts", Version: "1.2.0",
					Tags: []string{"gold", "pii"}, Freshness: "1h",
				},
				Contract: []Column{
					{Name: "order_id", Type: "int64"},
					{Name: "email", Type: "string", Nullable: true, Description: "buyer", Tags: []string{"pii"}, Mask: "hash"},
					{Name: "amount", Type: "decimal(18,2)"},
				},
				Output: Output{
					Format: "parquet", Path: "lake/orders_clean", PartitionBy: []string{"country"},
					VersionID: "20250301T103000Z-ab12", ManifestSHA256: "sha256:m1",
					Files: []File{
						{Path: "country=DE/part-0.parquet", Rows: 10, Bytes: 1000, SHA256: "sha256:f1"},
						{Path: "country=FR/part-0.parquet", Rows: 5, Bytes: 600, SHA256: "sha256:f2"},
					},
					Rows: 15, Bytes: 1600,
				},
				Inputs: map[string]Input{
					"orders":    {From: "source.orders", Fingerprint: "sha256:i1"},
					"customers": {From: "product.customers", Fingerprint: "sha256:i2"},
				},
				Checks:         []Check{{Name: "amount_positive", Severity: "error", Passed: true}},
				PreventDestroy: true,
				AppliedAt:      applied,
			},
			"customers": {
				DefinitionHash:  "sha256:def2",
				PlanFingerprint: "sha256:plan2",
				Metadata:        Metadata{Domain: "crm"},
				Contract:        []Column{{Name: "id", Type: "int64"}},
				Output:          Output{Format: "postgres", Table: "public.customers", VersionID: "v1", Files: []File{}},
				Inputs:          map[string]Input{},
				AppliedAt:       applied.Add(-time.Hour),
			},
		},
	}
}

// TestEncodeGolden pins the document's layout: a change here is a change
// of the state format, which must come with a new FormatVersion.
func TestEncodeGolden(t *testing.T) {
	got, err := Encode(sample())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "state.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Encode (-golden +got):\n%s", diff)
	}
}

func TestRoundTrip(t *testing.T) {
	fresh := New("0.1.0")
	tests := []struct {
		name string
		s    *State
	}{
		{"fresh", fresh},
		{"full", sample()},
		{"product with zero values", &State{FormatVersion: 1, Lineage: "l", Products: map[string]*Product{"p": {}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Encode(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(doc, []byte("}\n")) {
				t.Errorf("document does not end with a newline:\n%s", doc)
			}
			got, err := Decode(doc, where)
			if err != nil {
				t.Fatalf("Decode: %v\n%s", err, doc)
			}
			// omitempty turns empty slices and maps into absent fields.
			if diff := cmp.Diff(tt.s, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEncodeDeterministic: the same state encodes to the same bytes,
// whatever order its maps were filled in.
func TestEncodeDeterministic(t *testing.T) {
	a := sample()
	b := &State{FormatVersion: a.FormatVersion, Lineage: a.Lineage, Serial: a.Serial, MeshctlVersion: a.MeshctlVersion, Products: map[string]*Product{}}
	names := a.Names()
	for i := len(names) - 1; i >= 0; i-- {
		b.Products[names[i]] = a.Products[names[i]]
	}
	first, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		for _, s := range []*State{a, b} {
			again, err := Encode(s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Fatalf("encoding %d differs:\n%s", i, cmp.Diff(string(first), string(again)))
			}
		}
	}
	if i, j := bytes.Index(first, []byte(`"customers": {`)), bytes.Index(first, []byte(`"orders_clean": {`)); i < 0 || j < 0 || i > j {
		t.Errorf("products are not sorted by name:\n%s", first)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // substrings of the message
	}{
		{"empty file", ``, []string{"not a meshctl state file", "not valid JSON", "left untouched"}},
		{"invalid JSON", `{"format_version": 1,`, []string{"not valid JSON", "backup", "left untouched"}},
		{"trailing garbage", `{"format_version": 1, "lineage": "l"} x`, []string{"not valid JSON"}},
		{"not an object", `["format_version"]`, []string{"not a meshctl state file", "JSON array, not an object"}},
		{"missing format_version", `{"lineage": "l", "serial": 1, "products": {}}`, []string{"no format_version", "left untouched"}},
		{"null format_version", `{"format_version": null, "lineage": "l"}`, []string{"no format_version"}},
		{"format_version not a number", `{"format_version": "1", "lineage": "l"}`, []string{"format_version is a string, not a whole number"}},
		{"fractional format_version", `{"format_version": 1.5, "lineage": "l"}`, []string{"format_version is a number 1.5, not a whole number"}},
		{"newer format_version", `{"format_version": 2, "lineage": "l", "future_field": true}`, []string{"newer meshctl", "state format 2", "reads up to 1", "upgrade meshctl", "the file was left untouched"}},
		{"zero format_version", `{"format_version": 0, "lineage": "l"}`, []string{"invalid format_version 0", "left untouched"}},
		{"unknown field", `{"format_version": 1, "lineage": "l", "serail": 1}`, []string{"corrupt", `unknown field "serail"`, "left untouched"}},
		{"unknown product field", `{"format_version": 1, "lineage": "l", "products": {"p": {"colour": "red"}}}`, []string{"corrupt", `unknown field "colour"`}},
		{"wrong field type", `{"format_version": 1, "lineage": "l", "serial": "7"}`, []string{"corrupt", "serial"}},
		{"missing lineage", `{"format_version": 1, "serial": 1, "products": {}}`, []string{"corrupt", "no lineage", "left untouched"}},
		{"empty lineage", `{"format_version": 1, "lineage": "", "products": {}}`, []string{"no lineage"}},
		{"negative serial", `{"format_version": 1, "lineage": "l", "serial": -1}`, []string{"corrupt", "negative serial -1", "left untouched"}},
		{"null product", `{"format_version": 1, "lineage": "l", "products": {"b": {}, "a": null}}`, []string{"corrupt", `product "a" has no record`, "left untouched"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Decode([]byte(tt.doc), where)
			if err == nil {
				t.Fatalf("Decode succeeded: %+v", s)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, where+" ") {
				t.Errorf("message %q does not start with %q", msg, where)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want *State
	}{
		{"minimal", `{"format_version": 1, "lineage": "l"}`, &State{FormatVersion: 1, Lineage: "l", Products: map[string]*Product{}}},
		{"null products", `{"format_version": 1, "lineage": "l", "serial": 3, "products": null}`, &State{FormatVersion: 1, Lineage: "l", Serial: 3, Products: map[string]*Product{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.doc), where)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNew(t *testing.T) {
	a, b := New("0.1.0"), New("0.1.0")
	if a.FormatVersion != FormatVersion || a.Serial != 0 || a.MeshctlVersion != "0.1.0" || a.Products == nil || len(a.Lineage) != 32 {
		t.Errorf("New = %+v", a)
	}
	if a.Lineage == b.Lineage {
		t.Errorf("two new states share lineage %s", a.Lineage)
	}
}

// FuzzDecode: Decode never panics, and whatever it accepts encodes to a
// document that decodes to the same state and encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	if golden, err := os.ReadFile(filepath.Join("testdata", "state.golden.json")); err == nil {
		f.Add(golden)
	}
	for _, seed := range []string{
		``, `null`, `[]`, `{}`, `{"format_version": 1}`,
		`{"format_version": 1, "lineage": "l"}`,
		`{"format_version": 1, "lineage": "l", "serial": 2, "products": {"p": {"applied_at": "2025-01-01T00:00:00+01:00", "metadata": {"tags": []}}}}`,
		`{"format_version": 2, "lineage": "l"}`,
		`{"format_version": 1, "lineage": "l", "products": {"a": null}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := Decode(doc, where)
		if err != nil {
			return
		}
		again, err := Encode(s)
		if err != nil {
			t.Fatalf("Encode of a decoded state: %v", err)
		}
		s2, err := Decode(again, where)
		if err != nil {
			t.Fatalf("Decode of a re-encoded state: %v\n%s", err, again)
		}
		if diff := cmp.Diff(s, s2, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("re-decoded state differs (-first +second):\n%s", diff)
		}
		third, err := Encode(s2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, third) {
			t.Fatalf("encoding is not stable:\n%s", cmp.Diff(string(again), string(third)))
		}
	})
}
