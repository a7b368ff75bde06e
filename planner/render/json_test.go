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

// TestJSONViolations: violations keep the planner's order with every
// field, absent strings as null, blocking computed; exemptions likewise;
// the summary counts them.
func TestJSONViolations(t *testing.T) {
	p := policyViolations()
	var buf bytes.Buffer
	if err := JSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	var got jsonPlan
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Violations) != len(p.Violations) {
		t.Fatalf("%d violations, want %d", len(got.Violations), len(p.Violations))
	}
	for i, v := range got.Violations {
		if v.Policy != p.Violations[i].Policy || v.Object != p.Violations[i].Object || v.Blocking != p.Violations[i].Blocking() {
			t.Errorf("violation %d: %+v, want the plan's order and blocking %v", i, v, p.Violations[i].Blocking())
		}
	}
	wantExempted := jsonViolation{
		Policy: "pii_is_masked", Enforcement: "soft_mandatory", AppliesTo: "column", Object: "product.legacy_export.column.email",
		Product: ptr("legacy_export"), Message: "legacy_export.email is PII and must be masked", Blocking: false,
		PolicyAt: ptr("../acme-governance/pii.mesh.hcl:1:1"), ObjectAt: ptr("products/legacy_export.mesh.hcl:9:5"),
		Governance: ptr("../acme-governance"), Exemption: ptr("legacy_export_pii"),
	}
	if diff := cmp.Diff(wantExempted, got.Violations[3]); diff != "" {
		t.Errorf("exempted violation (-want +got):\n%s", diff)
	}
	if v := got.Violations[5]; !v.Blocking || v.ExpiredExemption == nil || *v.ExpiredExemption != "old_feed_pii" || v.Exemption != nil {
		t.Errorf("expired exemption's violation: %+v", v)
	}
	if v := got.Violations[0]; !v.Blocking || v.Governance != nil || v.Exemption != nil || v.ExpiredExemption != nil {
		t.Errorf("workspace hard_mandatory violation: %+v", v)
	}
	wantEx := []jsonExemption{
		{Name: "legacy_export_pii", Policy: "pii_is_masked", Target: "product.legacy_export", Reason: "migration ticket DATA-412",
			Expires: "2027-03-31", DaysLeft: 126, Used: 1, At: ptr("exemptions.mesh.hcl:1:1")},
		{Name: "sandbox_names", Policy: "product_names_have_domain", Target: "domain.sandbox", Reason: "sandbox products are throwaway",
			Expires: "2026-11-26", DaysLeft: 1, Used: 0, At: ptr("exemptions.mesh.hcl:15:1")},
	}
	if diff := cmp.Diff(wantEx, got.Exemptions); diff != "" {
		t.Errorf("exemptions (-want +got):\n%s", diff)
	}
	if s := got.Summary; s.Violations != 6 || s.Blocking != 4 || s.Exempted != 1 || s.Text != Summary(p) {
		t.Errorf("summary %+v", s)
	}
	// Without any: empty lists and zero counts, never null.
	buf.Reset()
	if err := JSON(&buf, noChangesPlan()); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"violations": []`, `"exemptions": []`, `"violations": 0,`, `"blocking_violations": 0,`, `"exempted_violations": 0,`} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("no %s in\n%s", s, buf.String())
		}
	}
	// A no-change plan reports its violations too.
	buf.Reset()
	if err := JSON(&buf, noChangesViolations()); err != nil {
		t.Fatal(err)
	}
	got = jsonPlan{}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Summary.HasChanges || got.Summary.Blocking != 1 || len(got.Violations) != 3 {
		t.Errorf("no-change plan: summary %+v, %d violations", got.Summary, len(got.Violations))
	}
}
