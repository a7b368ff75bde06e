package render

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/plans"
)

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan *plans.Plan
		want string
	}{
		{"nil", nil, "No changes. The deployed products match the configuration."},
		{"no-ops only", noChangesPlan(), "No changes. The deployed products match the configuration."},
		{"create", newProduct(), "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete."},
		{"breaking", removedColumn(), "Plan: 0 to create, 0 to update, 1 to replace, 0 to delete; 1 breaking change."},
		{"refused", deleteRefused(), "Plan: 0 to create, 0 to update, 0 to replace, 1 to delete; 1 refused."},
		{"many", manyProducts(50), "Plan: 10 to create, 10 to update, 10 to replace, 10 to delete; 10 breaking changes; 2 refused."},
		{"nil change", &plans.Plan{Changes: []*plans.ProductChange{nil, {Action: plans.Create}}}, "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete."},
		{"violations", policyViolations(), "Plan: 1 to create, 0 to update, 1 to replace, 0 to delete; 1 breaking change; 6 policy violations (4 blocking, 1 exempted)."},
		{"no changes, violations", noChangesViolations(), "No changes. The deployed products match the configuration; 3 policy violations (1 blocking, 1 exempted)."},
		{"one advisory", withViolations(newProduct(), plans.Violation{Policy: "p", Enforcement: plans.Advisory}),
			"Plan: 1 to create, 0 to update, 0 to replace, 0 to delete; 1 policy violation (none blocking)."},
		{"exempted only", withViolations(noChangesPlan(), plans.Violation{Policy: "p", Enforcement: plans.SoftMandatory, Exemption: "e"}, plans.Violation{Policy: "p", Enforcement: plans.SoftMandatory, Exemption: "e"}),
			"No changes. The deployed products match the configuration; 2 policy violations (none blocking, 2 exempted)."},
		{"refused and blocking", withViolations(deleteRefused(), plans.Violation{Policy: "p", Enforcement: plans.HardMandatory}),
			"Plan: 0 to create, 0 to update, 0 to replace, 1 to delete; 1 refused; 1 policy violation (1 blocking)."},
		// Unknown enforcement levels block nothing, as plans.Violation.Blocking says.
		{"unknown enforcement", withViolations(noChangesPlan(), plans.Violation{Policy: "p", Enforcement: "strict"}),
			"No changes. The deployed products match the configuration; 1 policy violation (none blocking)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Summary(tc.plan); got != tc.want {
				t.Errorf("Summary = %q, want %q", got, tc.want)
			}
			// The renderers' counts are the plan model's.
			if tc.plan != nil && tc.plan.Changes[0] != nil {
				got, want := countPlan(tc.plan).Summary, tc.plan.Summary()
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("counts differ from plans.Summary (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestInvalidPlans: what no view can show is an error, never a panic.
func TestInvalidPlans(t *testing.T) {
	for _, tc := range []struct {
		name string
		plan *plans.Plan
	}{
		{"nil plan", nil},
		{"nil change", &plans.Plan{Changes: []*plans.ProductChange{nil}}},
		{"unknown action", &plans.Plan{Changes: []*plans.ProductChange{{Product: "x", Action: plans.Action(9)}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Text(&buf, tc.plan, TextOptions{}); err == nil {
				t.Error("Text: no error")
			}
			if err := Markdown(&buf, tc.plan, MarkdownOptions{}); err == nil {
				t.Error("Markdown: no error")
			}
			if err := JSON(&buf, tc.plan); err == nil {
				t.Error("JSON: no error")
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %q", buf.String())
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterErrors(t *testing.T) {
	p := newProduct()
	if err := Text(failingWriter{}, p, TextOptions{}); err == nil {
		t.Error("Text hid a write error")
	}
	if err := Markdown(failingWriter{}, p, MarkdownOptions{}); err == nil {
		t.Error("Markdown hid a write error")
	}
	if err := JSON(failingWriter{}, p); err == nil {
		t.Error("JSON hid a write error")
	}
}

// TestTextWidth: at any width, a line is longer than the width only when
// it is a contract or metadata line or the summary (never wrapped: scripts
// grep them) or when a single word does not fit.
func TestTextWidth(t *testing.T) {
	for _, width := range []int{40, 60, 80, 100, 140} {
		for _, sc := range scenarios {
			var buf bytes.Buffer
			if err := Text(&buf, sc.plan(), TextOptions{Width: width, ShowNoOps: true}); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(buf.String(), "\n") {
				if utf8.RuneCountInString(line) <= width || line == Summary(sc.plan()) {
					continue
				}
				trimmed := strings.TrimLeft(line, " ")
				if strings.HasPrefix(trimmed, "+ ") || strings.HasPrefix(trimmed, "- ") || strings.HasPrefix(trimmed, "~ ") ||
					strings.HasPrefix(trimmed, "-/+ ") || strings.Contains(line, " will be ") || strings.Contains(line, " must be ") || strings.Contains(line, " has no changes") {
					continue
				}
				fields := strings.Fields(line)
				last := fields[len(fields)-1]
				if len(fields) > 2 && utf8.RuneCountInString(line)-utf8.RuneCountInString(last) <= width {
					t.Errorf("%s at width %d: line of %d runes could wrap: %q", sc.name, width, utf8.RuneCountInString(line), line)
				}
			}
		}
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		text  string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"one two three four", 9, []string{"one two", "three", "four"}},
		{"a s3://a-very-long/path/that/does/not/fit b", 10, []string{"a", "s3://a-very-long/path/that/does/not/fit", "b"}},
		{"été été été", 7, []string{"été été", "été"}},
		{"", 5, []string{""}},
		{"x y", 0, []string{"x", "y"}},
	} {
		if got := wrap(tc.text, tc.width); !cmp.Equal(got, tc.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", tc.text, tc.width, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"été 売上 👩‍💻", "été 売上 👩‍💻"},
		{"a\nb\tc\r", "a b c "},
		{"\x1b[31mred", `\u001b[31mred`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"del\x7f", `del\u007f`},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"売上売上", 3, "売上…"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// TestReasonText: reasons without a message are still said in words.
func TestReasonText(t *testing.T) {
	for _, tc := range []struct {
		r    plans.Reason
		want string
	}{
		{plans.Reason{Kind: plans.ReasonNew}, "new product"},
		{plans.Reason{Kind: plans.ReasonRemoved}, "removed from the configuration"},
		{plans.Reason{Kind: plans.ReasonTransform, Subject: "transform.adults"}, "transform.adults changed"},
		{plans.Reason{Kind: plans.ReasonUpstream, Subject: "product.orders"}, "product.orders is replaced"},
		{plans.Reason{Kind: plans.ReasonDrift}, "the published output no longer matches state"},
		{plans.Reason{Kind: plans.ReasonFailed}, "the last apply did not publish"},
		{plans.Reason{Kind: plans.ReasonOutput}, "output changed"},
		{plans.Reason{Kind: plans.ReasonInput, Subject: "input.c", Message: "input.c changed: data/c.csv"}, "input.c changed: data/c.csv"},
	} {
		if got := reasonText(tc.r); got != tc.want {
			t.Errorf("reasonText(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

// TestProductNames: a plan may name products with or without the
// "product." prefix; the views show one address either way.
func TestProductNames(t *testing.T) {
	a, b := newProduct(), newProduct()
	b.Changes[0].Product = "product." + b.Changes[0].Product
	for _, render := range []func(*bytes.Buffer, *plans.Plan) error{
		func(w *bytes.Buffer, p *plans.Plan) error { return Text(w, p, TextOptions{}) },
		func(w *bytes.Buffer, p *plans.Plan) error { return Markdown(w, p, MarkdownOptions{}) },
		func(w *bytes.Buffer, p *plans.Plan) error { return JSON(w, p) },
	} {
		var x, y bytes.Buffer
		if err := render(&x, a); err != nil {
			t.Fatal(err)
		}
		if err := render(&y, b); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(x.String(), y.String()); diff != "" {
			t.Errorf("views differ with the prefix:\n%s", diff)
		}
	}
}

func withViolations(p *plans.Plan, vs ...plans.Violation) *plans.Plan {
	p.Violations = append(p.Violations, vs...)
	return p
}

// TestBumpWarning: the warning names the versions when both parse, and
// the version the change needs, computed from the one before.
func TestBumpWarning(t *testing.T) {
	change := func(before, after string, required, declared plans.Bump) *plans.ProductChange {
		return &plans.ProductChange{Action: plans.Replace,
			Before: withVersion(record("a"), before), After: withVersion(record("a"), after),
			RequiredBump: required, DeclaredBump: declared}
	}
	for _, tc := range []struct {
		name string
		c    *plans.ProductChange
		want string
	}{
		{"major, minor declared", change("1.2.0", "1.3.0", plans.BumpMajor, plans.BumpMinor),
			"version 1.2.0 → 1.3.0, but this change is breaking and needs 2.0.0."},
		{"minor, patch declared", change("1.2.0", "1.2.1", plans.BumpMinor, plans.BumpPatch),
			"version 1.2.0 → 1.2.1, but this change adds to the contract and needs 1.3.0."},
		{"major, not bumped", change("1.2.0", "1.2.0", plans.BumpMajor, plans.BumpNone),
			"version 1.2.0 unchanged, but this change is breaking and needs 2.0.0."},
		{"minor, not bumped, patch reset", change("0.9.7", "0.9.7", plans.BumpMinor, plans.BumpNone),
			"version 0.9.7 unchanged, but this change adds to the contract and needs 0.10.0."},
		{"v prefix", change("v1.2.3", "v1.2.4", plans.BumpMajor, plans.BumpPatch),
			"version v1.2.3 → v1.2.4, but this change is breaking and needs v2.0.0."},
		{"v prefix added", change("1.2.3", "v1.2.3", plans.BumpMajor, plans.BumpNone),
			"version 1.2.3 unchanged, but this change is breaking and needs 2.0.0."},
		{"version lowered", change("1.2.3", "1.1.0", plans.BumpMajor, plans.BumpNone),
			"version 1.2.3 → 1.1.0, but this change is breaking and needs 2.0.0."},
		// Versions that do not parse: the warning in bumps.
		{"after not semver", change("1.2.0", "1.3", plans.BumpMajor, plans.BumpMinor),
			"the contract changes require a major version bump, but the declared version is only a minor bump."},
		{"before empty", change("", "1.0.0", plans.BumpMajor, plans.BumpNone),
			"the contract changes require a major version bump, but the version was not bumped."},
		{"pre-release", change("1.2.0-rc.1", "1.2.0", plans.BumpMajor, plans.BumpPatch),
			"the contract changes require a major version bump, but the declared version is only a patch bump."},
		{"leading zero", change("01.2.0", "1.3.0", plans.BumpMajor, plans.BumpMinor),
			"the contract changes require a major version bump, but the declared version is only a minor bump."},
		{"huge", change("1.2.99999999999", "1.3.0", plans.BumpMajor, plans.BumpMinor),
			"the contract changes require a major version bump, but the declared version is only a minor bump."},
		{"no records", &plans.ProductChange{Action: plans.Replace, RequiredBump: plans.BumpMinor},
			"the contract changes require a minor version bump, but the version was not bumped."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bumpWarning(tc.c); got != tc.want {
				t.Errorf("bumpWarning = %q\nwant          %q", got, tc.want)
			}
		})
	}
}

// TestTextViolations checks the order of the violations (blocking hard,
// blocking soft, exempted, advisory; the planner's order within each) and
// what each entry says.
func TestTextViolations(t *testing.T) {
	p := policyViolations()
	// An exempted hard_mandatory violation (which the policy package never
	// makes) still blocks, and says the exemption does not apply.
	p.Violations = append(p.Violations, plans.Violation{Policy: "policy.no_public_pii", Enforcement: plans.HardMandatory,
		Object: "product.x.output", Message: "m", Exemption: "try_anyway"})
	var buf bytes.Buffer
	if err := Text(&buf, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	var heads []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "  ✗ ") || strings.HasPrefix(line, "  ✓ ") || strings.HasPrefix(line, "  ! ") {
			heads = append(heads, line)
		}
	}
	want := []string{
		"  ✗ policy.no_silent_breaking_changes (hard_mandatory, blocking) on product.orders_clean",
		"  ✗ policy.products_have_owner (hard_mandatory, blocking) on product.customers_gold",
		"  ✗ policy.no_public_pii (hard_mandatory, blocking) on product.x.output",
		"  ✗ policy.pii_is_masked (soft_mandatory, blocking) on product.customers_gold.column.email",
		"  ✗ policy.pii_is_masked (soft_mandatory, blocking) on product.old_feed",
		"  ✓ policy.pii_is_masked (soft_mandatory, exempted) on product.legacy_export.column.email",
		"  ! policy.product_names_have_domain (advisory) on product.legacy_export",
	}
	if diff := cmp.Diff(want, heads); diff != "" {
		t.Errorf("violation heads (-want +got):\n%s", diff)
	}
	for _, block := range []string{
		"  ✗ policy.no_public_pii (hard_mandatory, blocking) on product.x.output\n" +
			"      m\n" +
			"      exemption.try_anyway does not apply: a hard_mandatory policy cannot be waived\n",
		"  ✓ policy.pii_is_masked (soft_mandatory, exempted) on product.legacy_export.column.email\n" +
			"      legacy_export.email is PII and must be masked\n" +
			"      exempted by exemption.legacy_export_pii, which expires 2027-03-31 (126 days left)\n" +
			"      policy at ../acme-governance/pii.mesh.hcl:1:1 (governance ../acme-governance)\n" +
			"      defined at products/legacy_export.mesh.hcl:9:5\n",
		"      expired exemption.old_feed_pii defined at exemptions.mesh.hcl:8:1\n",
		"    exemption.sandbox_names: policy.product_names_have_domain for domain.sandbox\n" +
			"      reason: sandbox products are throwaway\n" +
			"      expires 2026-11-26 (1 day left); covers no violation in this plan\n",
		"Error: 5 policy violations are blocking: apply will stop before changing anything.\n",
	} {
		if !strings.Contains(out, block) {
			t.Errorf("no\n%s\nin\n%s", block, out)
		}
	}
	// Sections come after the products and before the summary.
	prod, viol, ex, sum := strings.Index(out, "product.customers_gold will be created"), strings.Index(out, "Policy violations:"), strings.Index(out, "Active exemptions:"), strings.Index(out, "Plan: ")
	if !(prod < viol && viol < ex && ex < sum) {
		t.Errorf("sections out of order: product %d, violations %d, exemptions %d, summary %d", prod, viol, ex, sum)
	}
	// A plan whose exemption expires today, with a violation that has no
	// locations at all.
	q := noChangesPlan()
	q.Violations = []plans.Violation{{Policy: "p", Enforcement: plans.SoftMandatory, Object: "source.s", Message: "m", ExpiredExemption: "old"}}
	q.Exemptions = []plans.Exemption{{Name: "e", Policy: "p", Target: "product.x", Reason: "r", Expires: "2026-11-25", DaysLeft: 0, Used: 2}}
	buf.Reset()
	if err := Text(&buf, q, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"  ✗ policy.p (soft_mandatory, blocking) on source.s\n      m\n      expired exemption.old\n\n",
		"      expires 2026-11-25 (today is its last day); covers 2 violations in this plan\n",
	} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("no %q in\n%s", s, buf.String())
		}
	}
	if strings.Contains(buf.String(), "Error:") {
		t.Errorf("a plan without changes says apply will stop:\n%s", buf.String())
	}
}

// TestTextViolationsHostile: text from policies is cleaned like any other.
func TestTextViolationsHostile(t *testing.T) {
	p := withViolations(noChangesPlan(), plans.Violation{Policy: "p\x1b[31m", Enforcement: "hard_mandatory\u202e", Object: "o\nx",
		Message: "evil\u202etxt", PolicyAt: "a\x1b.hcl:1:1", Governance: "g\r", ObjectAt: "b\u2066.hcl:1:1"})
	p.Exemptions = []plans.Exemption{{Name: "e\x1b", Policy: "p", Target: "t\n", Reason: "r\u202e", Expires: "x\x1b"}}
	var buf bytes.Buffer
	if err := Text(&buf, p, TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	out := stripANSI(buf.String())
	if strings.ContainsAny(out, "\x1b\u202e\u2066\r") {
		t.Errorf("control or bidi characters leaked:\n%q", out)
	}
	for _, s := range []string{`policy.p\u001b[31m (hard_mandatory\u202e) on o x`, `evil\u202etxt`, `policy at a\u001b.hcl:1:1 (governance g )`, `defined at b\u2066.hcl:1:1`} {
		if !strings.Contains(out, s) {
			t.Errorf("no %q in\n%s", s, out)
		}
	}
}
