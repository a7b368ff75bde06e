package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/meshctl/meshctl/planner/plans"
)

// TestMarkdownLimits renders a large plan at limits from 500 bytes to
// GitHub's 65,536: the comment never exceeds the limit, stays valid, keeps
// its summary, and says what it left out.
func TestMarkdownLimits(t *testing.T) {
	p := manyProducts(2000)
	// Long, hostile and multi-byte text, so that the pieces are uneven.
	p.Changes[7].Product = strings.Repeat("très_long_名前_", 30)
	p.Changes[12].Reasons[0].Message = strings.Repeat("```\n</details>| ", 200)
	p.Warnings = append(p.Warnings, strings.Repeat("⚠ long warning ", 300))
	summary := "**" + mdText(Summary(p)) + "**"
	var full bytes.Buffer
	if err := Markdown(&full, p, MarkdownOptions{Limit: 1 << 30, Marker: testMarker}); err != nil {
		t.Fatal(err)
	}
	if full.Len() <= DefaultMarkdownLimit {
		t.Fatalf("the large plan takes %d bytes: too small to test truncation", full.Len())
	}
	checkMarkdown(t, full.String(), testMarker, 1<<30)
	var limits []int
	for l := 500; l < 2000; l += 37 {
		limits = append(limits, l)
	}
	for l := 2000; l < DefaultMarkdownLimit; l = l*9/8 + 1 {
		limits = append(limits, l)
	}
	limits = append(limits, DefaultMarkdownLimit-1, DefaultMarkdownLimit)
	prev := 0
	for _, limit := range limits {
		var buf bytes.Buffer
		err := Markdown(&buf, p, MarkdownOptions{Limit: limit, Marker: testMarker, Title: "meshctl plan — acme-sales"})
		if err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		md := buf.String()
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			checkMarkdown(t, md, testMarker, limit)
			if !strings.Contains(md, summary) {
				t.Error("the summary line is missing")
			}
			if !strings.Contains(md, "not shown") {
				t.Error("no truncation notice")
			}
		})
		if len(md) < prev {
			t.Errorf("limit %d: %d bytes, less than %d at a smaller limit", limit, len(md), prev)
		}
		prev = len(md)
	}
	// The default limit is GitHub's.
	var buf bytes.Buffer
	if err := Markdown(&buf, p, MarkdownOptions{Marker: testMarker}); err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, buf.String(), testMarker, DefaultMarkdownLimit)
	if buf.Len() < DefaultMarkdownLimit*9/10 {
		t.Errorf("at the default limit the comment uses only %d bytes", buf.Len())
	}
}

// TestMarkdownDropOrder checks what goes first: the unchanged products,
// then the details of the least important changes, keeping refusals and
// breaking changes longest.
func TestMarkdownDropOrder(t *testing.T) {
	p := manyProducts(10) // 0 create, 1 update, 2 replace breaking, 3 no-op, 4 delete refused, …
	render := func(limit int) string {
		var buf bytes.Buffer
		if err := Markdown(&buf, p, MarkdownOptions{Limit: limit}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	var full bytes.Buffer
	if err := Markdown(&full, p, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	all := full.String()
	if !strings.Contains(all, "unchanged products") {
		t.Fatal("the full comment does not list the unchanged products")
	}
	md := render(len(all) - 1)
	if strings.Contains(md, "unchanged products") {
		t.Error("one byte short, the unchanged products should go first")
	}
	if strings.Count(md, "<details>") != 8 {
		t.Errorf("one byte short, %d details blocks, want all 8", strings.Count(md, "<details>"))
	}
	// Shrink until exactly one details block remains: it must be the
	// refused delete's.
	for limit := len(all); limit > 0; limit -= 10 {
		md = render(limit)
		if strings.Count(md, "<details>") == 1 {
			if !strings.Contains(md, "<b>product.product_0004</b>") {
				t.Errorf("the last details block left is not the refused delete's:\n%s", md)
			}
			break
		}
	}
	// And the last rows left are the refused and breaking ones.
	for limit := len(all); limit > 0; limit -= 10 {
		md = render(limit)
		if strings.Contains(md, "more products not shown") {
			if !strings.Contains(md, "| product.product_0004 |") {
				t.Errorf("the refused delete's row went before others:\n%s", md)
			}
			break
		}
	}
}

func TestMarkdownTooSmall(t *testing.T) {
	var buf bytes.Buffer
	err := Markdown(&buf, manyProducts(50), MarkdownOptions{Limit: 100, Marker: testMarker})
	if err == nil || !strings.Contains(err.Error(), "the limit is 100") {
		t.Fatalf("err = %v, want a limit error", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes on error", buf.Len())
	}
}

func TestMarkdownMarker(t *testing.T) {
	for _, tc := range []struct {
		marker string
		ok     bool
	}{
		{"", true},
		{"<!-- meshctl-plan:acme-sales -->", true},
		{"<!--x-->", true},
		{"meshctl-plan", false},
		{"<!-- a --> b -->", false},
		{"<!-- a\nb -->", false},
		{"<!-->", false},
	} {
		err := Markdown(&bytes.Buffer{}, newProduct(), MarkdownOptions{Marker: tc.marker})
		if (err == nil) != tc.ok {
			t.Errorf("marker %q: err = %v, want ok=%v", tc.marker, err, tc.ok)
		}
	}
}

func TestMarkdownFullPlanCommand(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, manyProducts(200), MarkdownOptions{Limit: 3000, FullPlanCommand: "meshctl show `tfplan`"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "run ``meshctl show `tfplan```") && !strings.Contains(buf.String(), "run `` meshctl show `tfplan` ``") {
		t.Errorf("the command is not in a safe code span:\n%s", buf.String())
	}
}

// FuzzMarkdown renders plans with arbitrary names, reasons and limits:
// the comment stays within the limit and valid, or Markdown says the limit
// is too small.
func FuzzMarkdown(f *testing.F) {
	f.Add("orders", "transform.x changed", "warn", 800)
	f.Add("x<details>`|y", "```\n</details>", "<!-- -->", 500)
	f.Add("売上_€", "\x1b[31m\u202e", "| a | b |", 2000)
	f.Add(strings.Repeat("a", 300), strings.Repeat("`", 40), "", 65536)
	f.Fuzz(func(t *testing.T, name, reason, warning string, limit int) {
		if limit < 0 || limit > 1<<20 {
			return
		}
		p := manyProducts(12)
		for i, c := range p.Changes {
			c.Product = fmt.Sprintf("%s_%d", name, i)
			if len(c.Reasons) > 0 {
				c.Reasons[0].Message = reason
			}
			if c.Action == plans.Replace {
				c.ContractChanges[0].Column = name
				c.Downstream[0].Owner = reason
			}
		}
		p.Warnings = append(p.Warnings, warning)
		var buf bytes.Buffer
		err := Markdown(&buf, p, MarkdownOptions{Limit: limit, Marker: testMarker, Title: name})
		if err != nil {
			if buf.Len() != 0 {
				t.Fatalf("wrote %d bytes on error", buf.Len())
			}
			if !strings.Contains(err.Error(), "needs at least") {
				t.Fatal(err)
			}
			return
		}
		checkMarkdown(t, buf.String(), testMarker, limitOf(MarkdownOptions{Limit: limit}))
	})
}
