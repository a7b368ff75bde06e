package render

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/plans"
)

// TestJSONDocumented keeps JSON.md honest: every key of the schema is
// documented there as `key`, and the doc comment names the version.
func TestJSONDocumented(t *testing.T) {
	doc, err := os.ReadFile("JSON.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "`format_version` "+JSONFormatVersion) {
		t.Errorf("JSON.md does not name format_version %s in its title", JSONFormatVersion)
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if key == "" || key == "-" {
				t.Errorf("%s.%s has no JSON key", typ.Name(), f.Name)
				continue
			}
			if strings.Contains(f.Tag.Get("json"), "omitempty") {
				t.Errorf("%s.%s is omitempty: every documented key is always present", typ.Name(), f.Name)
			}
			if !strings.Contains(string(doc), "| `"+key+"` |") {
				t.Errorf("key %q (%s.%s) is not documented in JSON.md", key, typ.Name(), f.Name)
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(jsonPlan{}))
	for _, k := range []plans.ReasonKind{plans.ReasonNew, plans.ReasonRemoved, plans.ReasonTransform, plans.ReasonPlan, plans.ReasonInput,
		plans.ReasonUpstream, plans.ReasonOutput, plans.ReasonDrift, plans.ReasonMetadata, plans.ReasonFailed, plans.ReasonProtected, plans.ReasonLifecycle} {
		if !strings.Contains(string(doc), "| `"+string(k)+"` |") {
			t.Errorf("reason kind %q is not documented in JSON.md", k)
		}
	}
}

// TestJSONSchema decodes every golden scenario's JSON strictly into the
// schema types: no key the schema does not declare.
func TestJSONSchema(t *testing.T) {
	for _, sc := range scenarios {
		var buf bytes.Buffer
		if err := JSON(&buf, sc.plan()); err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(&buf)
		dec.DisallowUnknownFields()
		var got jsonPlan
		if err := dec.Decode(&got); err != nil {
			t.Errorf("%s: %v", sc.name, err)
		}
	}
}

func TestJSONValues(t *testing.T) {
	p := breakingWithoutMajor()
	p.CreatedAt = time.Date(2025, 3, 14, 10, 26, 53, 500, time.FixedZone("CET", 3600))
	p.Changes[0].Reasons = append(p.Changes[0].Reasons, plans.Reason{Kind: plans.ReasonInput, Subject: "input.x"})
	var buf bytes.Buffer
	if err := JSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	var got jsonPlan
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if *got.CreatedAt != "2025-03-14T09:26:53.0000005Z" {
		t.Errorf("created_at %s, want UTC", *got.CreatedAt)
	}
	c := got.Changes[0]
	want := []jsonColumnChange{{Column: "age", Kind: "removed", Before: ptr("int32"), Breaking: true}}
	if diff := cmp.Diff(want, c.ContractChanges); diff != "" {
		t.Errorf("contract_changes (-want +got):\n%s", diff)
	}
	if c.Action != "replace" || !c.Breaking || c.RequiredBump != "major" || c.DeclaredBump != "minor" || !c.BumpBelowRequired || c.Refused != nil || c.Before == nil || c.After == nil {
		t.Errorf("change: %+v", c)
	}
	if m := c.Reasons[1].Message; m != "input.x changed" {
		t.Errorf("a reason without a message reads %q", m)
	}
	if !got.Summary.HasChanges || got.Summary.Breaking != 1 || got.Summary.Text != Summary(p) {
		t.Errorf("summary %+v", got.Summary)
	}
	// Zero time, empty lists, bumps left empty.
	p = &plans.Plan{Changes: []*plans.ProductChange{{Product: "x", Action: plans.NoOp}}}
	buf.Reset()
	if err := JSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"created_at": null`, `"targets": []`, `"warnings": []`, `"reasons": []`, `"downstream": []`, `"required_bump": "none"`, `"before": null`} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("no %s in\n%s", s, buf.String())
		}
	}
}

func ptr(s string) *string { return &s }
