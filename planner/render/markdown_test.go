package render

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

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
		for i, e := range []string{plans.HardMandatory, plans.SoftMandatory, plans.Advisory, warning} {
			p.Violations = append(p.Violations, plans.Violation{Policy: name, Enforcement: e, Object: reason, Message: reason,
				PolicyAt: warning, ObjectAt: name, Governance: reason, Exemption: []string{"", name, "", ""}[i], ExpiredExemption: warning})
		}
		p.Exemptions = append(p.Exemptions, plans.Exemption{Name: name, Policy: reason, Target: warning, Reason: reason, Expires: warning, At: name})
		var buf bytes.Buffer
		err := Markdown(&buf, p, MarkdownOptions{Limit: limit, Marker: testMarker, Title: name, RiskOrder: limit%2 == 1, Consumers: limit%2 == 1})
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

// manyViolations is a plan of 200 products with n violations per status:
// hard and soft blocking ones, exempted ones, advisory ones, each row a
// few hundred bytes.
func manyViolations(nHard, nSoft, nExempted, nAdvisory int) *plans.Plan {
	p := manyProducts(200)
	add := func(n int, enforcement, exemption string) {
		for i := range n {
			prod := fmt.Sprintf("product_%04d", i%200)
			p.Violations = append(p.Violations, plans.Violation{
				Policy: "pii_is_masked_" + enforcement, Enforcement: enforcement, AppliesTo: "column",
				Object: fmt.Sprintf("product.%s.column.col_%d", prod, i), Product: prod,
				Message:  fmt.Sprintf("%s.col_%d is PII and must be masked before it reaches an output readable by everyone", prod, i),
				PolicyAt: "../acme-governance/pii.mesh.hcl:1:1", ObjectAt: fmt.Sprintf("products/%s.mesh.hcl:%d:5", prod, i+1),
				Governance: "../acme-governance", Exemption: exemption,
			})
		}
	}
	add(nAdvisory, plans.Advisory, "")
	add(nExempted, plans.SoftMandatory, "legacy_pii")
	add(nSoft, plans.SoftMandatory, "")
	add(nHard, plans.HardMandatory, "")
	p.Exemptions = []plans.Exemption{{Name: "legacy_pii", Policy: "pii_is_masked_soft_mandatory", Target: "domain.sales", Reason: "DATA-412",
		Expires: "2027-03-31", DaysLeft: 126, Used: nExempted, At: "exemptions.mesh.hcl:1:1"}}
	return p
}

// violationRows returns the Markdown comment's violation rows by status.
func violationRows(md string) (rows [nStatus]int) {
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "| ⛔ blocking (hard_mandatory) |"):
			rows[statusHard]++
		case strings.HasPrefix(line, "| ⛔ blocking (soft_mandatory) |"):
			rows[statusSoft]++
		case strings.HasPrefix(line, "| ✅ exempted"):
			rows[statusExempted]++
		case strings.HasPrefix(line, "| ⚠️ advisory |"):
			rows[statusAdvisory]++
		}
	}
	return rows
}

// TestMarkdownManyViolations: thousands of violations keep the comment
// under the limit, with a notice of what is left out; blocking ones are
// the last to go, hard_mandatory after soft_mandatory.
func TestMarkdownManyViolations(t *testing.T) {
	const nHard, nSoft, nExempted, nAdvisory = 30, 60, 1000, 3000
	p := manyViolations(nHard, nSoft, nExempted, nAdvisory)
	summary := "**Plan: 40 to create, 40 to update, 40 to replace, 40 to delete; 40 breaking changes; 8 refused; 4090 policy violations (90 blocking, 1000 exempted).**"
	var buf bytes.Buffer
	if err := Markdown(&buf, p, MarkdownOptions{Marker: testMarker}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	checkMarkdown(t, md, testMarker, DefaultMarkdownLimit)
	if !strings.Contains(md, summary) {
		t.Errorf("no summary %s", summary)
	}
	// At GitHub's limit every blocking violation is shown, and the notice
	// counts the others: exempted ones go first, then advisory ones.
	rows := violationRows(md)
	if rows[statusHard] != nHard || rows[statusSoft] != nSoft || rows[statusExempted] != 0 {
		t.Errorf("rows by status %v, want all %d hard and %d soft, no exempted", rows, nHard, nSoft)
	}
	notice := fmt.Sprintf("**… %d more policy violations not shown** (%d advisory, %d exempted): run `meshctl show plan.out` for the full plan.",
		nExempted+nAdvisory-rows[statusAdvisory], nAdvisory-rows[statusAdvisory], nExempted)
	if !strings.Contains(md, notice) {
		t.Errorf("no notice %s", notice)
	}
	if !strings.Contains(md, "- … 1 active exemption not shown") {
		t.Error("the exemption is neither shown nor counted")
	}
	// At every limit: within it, and a kind of violation is shown only
	// when every violation of the more important kinds is.
	order := []violationStatus{statusHard, statusSoft, statusAdvisory, statusExempted}
	want := [nStatus]int{statusHard: nHard, statusSoft: nSoft, statusExempted: nExempted, statusAdvisory: nAdvisory}
	prev := 0
	for limit := 1500; limit <= DefaultMarkdownLimit; limit = limit*5/4 + 1 {
		buf.Reset()
		if err := Markdown(&buf, p, MarkdownOptions{Limit: limit, Marker: testMarker}); err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		md := buf.String()
		checkMarkdown(t, md, testMarker, limit)
		if !strings.Contains(md, summary) || !strings.Contains(md, "policy violations not shown**") {
			t.Errorf("limit %d: no summary or no notice", limit)
		}
		rows := violationRows(md)
		for i, st := range order[1:] {
			if rows[st] > 0 && rows[order[i]] != want[order[i]] {
				t.Errorf("limit %d: rows by status %v: status %d shown before all of status %d", limit, rows, st, order[i])
			}
		}
		n := rows[statusHard] + rows[statusSoft]
		if n < prev {
			t.Errorf("limit %d: %d blocking rows, fewer than at a smaller limit (%d)", limit, n, prev)
		}
		prev = n
		// Product rows go before blocking violations.
		if rows[statusHard] < nHard && strings.Contains(md, "| Product | Action |") {
			t.Errorf("limit %d: a product row is kept while hard_mandatory violations are dropped", limit)
		}
	}
	if prev == 0 {
		t.Error("no blocking violation shown at any limit")
	}
	// With nothing else left, the notice alone.
	buf.Reset()
	small := manyViolations(2, 0, 0, 0)
	small.Changes = small.Changes[:1]
	small.Exemptions = nil
	var full bytes.Buffer
	if err := Markdown(&full, small, MarkdownOptions{Marker: testMarker}); err != nil {
		t.Fatal(err)
	}
	for limit := full.Len(); limit > 0; limit-- {
		buf.Reset()
		if err := Markdown(&buf, small, MarkdownOptions{Limit: limit, Marker: testMarker}); err != nil {
			if !strings.Contains(err.Error(), "needs at least") {
				t.Fatal(err)
			}
			break
		}
		md := buf.String()
		checkMarkdown(t, md, testMarker, limit)
		if rows := violationRows(md); rows[statusHard] == 0 {
			if !strings.Contains(md, "**… 2 policy violations not shown** (2 blocking)") || strings.Contains(md, "| Enforcement |") {
				t.Errorf("limit %d: no violation shown, but no notice or a table left:\n%s", limit, md)
			}
			break
		}
	}
}

// TestMarkdownViolationsHostile: text from policies cannot break the
// table, the comment or the code spans.
func TestMarkdownViolationsHostile(t *testing.T) {
	p := withViolations(noChangesPlan(), plans.Violation{
		Policy: "p|x", Enforcement: "hard_mandatory", Object: "product.a|b", Message: "| <details> `x` *y*\n# z",
		PolicyAt: "gov|x/p.mesh.hcl:1:1", Governance: "../g`o|v", ObjectAt: "a`b.mesh.hcl:2:3", Exemption: "e|x",
	}, plans.Violation{Policy: "q", Enforcement: plans.SoftMandatory, Object: "o", Message: "m", Exemption: "<b>x</b>"})
	p.Exemptions = []plans.Exemption{{Name: "<b>x</b>", Policy: "q", Target: "@acme/team", Reason: "[link](http://x) |", Expires: "2027-01-01", DaysLeft: 37, At: "e`x.hcl:1:1"}}
	var buf bytes.Buffer
	if err := Markdown(&buf, p, MarkdownOptions{Marker: testMarker}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	checkMarkdown(t, md, testMarker, DefaultMarkdownLimit)
	for _, s := range []string{
		"| ⛔ blocking (hard_mandatory) | policy.p\\|x<br><sub>gov\\|x/p.mesh.hcl:1:1 (governance ../g\\`o\\|v)</sub> | product.a\\|b<br><sub>defined at ``a`b.mesh.hcl:2:3``</sub> | \\| \\<details\\> \\`x\\` \\*y\\* # z<br>exemption.e\\|x does not apply: a hard_mandatory policy cannot be waived |",
		"<br>exempted by exemption.\\<b\\>x\\</b\\>, which expires 2027-01-01 (37 days left) |",
		"- **exemption.\\<b\\>x\\</b\\>**: policy.q for @\u200bacme/team; expires 2027-01-01 (37 days left); covers no violation in this plan. Reason: \\[link\\](http://x) \\| <sub>``e`x.hcl:1:1``</sub>",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("no\n%s\nin\n%s", s, md)
		}
	}
}

// productRows returns the products of the Markdown comment's table, in
// order.
func productRows(md string) []string {
	var out []string
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "| product.") {
			out = append(out, strings.TrimPrefix(strings.SplitN(line, " | ", 2)[0], "| "))
		}
	}
	return out
}

func TestMarkdownRiskOrder(t *testing.T) {
	for _, tc := range []struct {
		risk bool
		want []string
	}{
		{false, []string{"product.customers_raw", "product.customers_gold", "product.orders_clean", "product.revenue_by_region", "product.orders_archive"}},
		// Breaking, delete, replace, create, update.
		{true, []string{"product.orders_clean", "product.orders_archive", "product.revenue_by_region", "product.customers_gold", "product.customers_raw"}},
	} {
		var buf bytes.Buffer
		if err := Markdown(&buf, reviewOrder(), MarkdownOptions{RiskOrder: tc.risk}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, productRows(buf.String())); diff != "" {
			t.Errorf("RiskOrder %v: rows (-want +got):\n%s", tc.risk, diff)
		}
		// The details blocks follow the table.
		md := buf.String()
		if i, j := strings.Index(md, "<b>"+tc.want[0]+"</b>"), strings.Index(md, "<b>"+tc.want[1]+"</b>"); i < 0 || j < i {
			t.Errorf("RiskOrder %v: the details of %s do not come before those of %s", tc.risk, tc.want[0], tc.want[1])
		}
	}
	// Refused changes come before everything, as apply stops on them.
	var buf bytes.Buffer
	if err := Markdown(&buf, manyProducts(10), MarkdownOptions{RiskOrder: true}); err != nil {
		t.Fatal(err)
	}
	want := []string{"product.product_0004", "product.product_0002", "product.product_0007", "product.product_0009",
		"product.product_0000", "product.product_0005", "product.product_0001", "product.product_0006"}
	if diff := cmp.Diff(want, productRows(buf.String())); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestMarkdownConsumers(t *testing.T) {
	var buf bytes.Buffer
	if err := Markdown(&buf, reviewOrder(), MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "[!IMPORTANT]") {
		t.Error("the consumers alert is shown without MarkdownOptions.Consumers")
	}
	// Many consumers: the first 20 are named, the others counted.
	p := removedColumn()
	var ds []plans.Downstream
	for i := range 25 {
		ds = append(ds, plans.Downstream{Product: fmt.Sprintf("report_%02d", i), Owner: "@acme/everyone", Team: "acme/finance", Direct: true})
	}
	p.Changes[0].Downstream = ds
	buf.Reset()
	if err := Markdown(&buf, p, MarkdownOptions{Consumers: true}); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, s := range []string{
		"> **Breaking changes reach 25 downstream products**: their owners should review this change.",
		"> - **product.orders_clean** is read by product.report_00 (`@acme/everyone`, `acme/finance`), product.report_01 (",
		"product.report_19 (`@acme/everyone`, `acme/finance`) and 5 more products\n",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("no %q in\n%s", s, md)
		}
	}
	alert := md[strings.Index(md, "[!IMPORTANT]"):strings.Index(md, "| Product |")]
	if strings.Contains(alert, "report_20") {
		t.Error("more than 20 consumers named in the alert")
	}
}

// TestMarkdownConsumersKept: when the comment is cut, the consumers of
// breaking changes outlast the product table and the warnings.
func TestMarkdownConsumersKept(t *testing.T) {
	p := manyProducts(100)
	opts := MarkdownOptions{Consumers: true, RiskOrder: true, Marker: testMarker}
	count := func(md, prefix string) int {
		n := 0
		for _, line := range strings.Split(md, "\n") {
			if strings.HasPrefix(line, prefix) {
				n++
			}
		}
		return n
	}
	sawCut := false
	for limit := 8000; limit >= 1000; limit -= 100 {
		opts.Limit = limit
		var buf bytes.Buffer
		if err := Markdown(&buf, p, opts); err != nil {
			t.Fatalf("limit %d: %v", limit, err)
		}
		md := buf.String()
		checkMarkdown(t, md, testMarker, limit)
		consumers, warnings, rows := count(md, "> - **product."), count(md, "> - product."), len(productRows(md))
		if consumers < 20 {
			sawCut = true
			if warnings > 0 || rows > 0 {
				t.Errorf("limit %d: %d of 20 consumer items kept, but %d warnings and %d rows", limit, consumers, warnings, rows)
			}
			if !strings.Contains(md, "breaking changes with consumers") {
				t.Errorf("limit %d: consumers dropped without a notice", limit)
			}
		}
	}
	if !sawCut {
		t.Error("no limit cut the consumers")
	}
}

func TestMarkdownFullPlanURL(t *testing.T) {
	const url = "https://github.com/acme/mesh/actions/runs/42"
	for _, tc := range []struct {
		opts MarkdownOptions
		want string
	}{
		{MarkdownOptions{}, ": run `meshctl show plan.out` for the full plan."},
		{MarkdownOptions{FullPlanURL: url}, ": see the full plan in [the run's log](" + url + ")."},
		{MarkdownOptions{FullPlanURL: url, FullPlanCommand: "meshctl show plan.out"}, ": see the full plan in [the run's log](" + url + "), or run `meshctl show plan.out`."},
	} {
		tc.opts.Limit = 3000
		var buf bytes.Buffer
		if err := Markdown(&buf, manyProducts(200), tc.opts); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "not shown** (") || !strings.Contains(buf.String(), tc.want) {
			t.Errorf("%+v: no %q in\n%s", tc.opts, tc.want, buf.String())
		}
	}
	for _, bad := range []string{"ftp://x/y", "/actions/runs/1", "https://x/a b", "https://x/a)[b](c", "javascript:alert(1)", "https://x/\"", "https://"} {
		err := Markdown(&bytes.Buffer{}, newProduct(), MarkdownOptions{FullPlanURL: bad})
		if err == nil || !strings.Contains(err.Error(), "FullPlanURL") {
			t.Errorf("FullPlanURL %q: err = %v, want a refusal", bad, err)
		}
	}
}
