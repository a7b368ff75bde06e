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
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Summary(tc.plan); got != tc.want {
				t.Errorf("Summary = %q, want %q", got, tc.want)
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
// it is a contract or metadata line (never wrapped) or when a single word
// does not fit.
func TestTextWidth(t *testing.T) {
	for _, width := range []int{40, 60, 80, 100, 140} {
		for _, sc := range scenarios {
			var buf bytes.Buffer
			if err := Text(&buf, sc.plan(), TextOptions{Width: width, ShowNoOps: true}); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(buf.String(), "\n") {
				if utf8.RuneCountInString(line) <= width {
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
