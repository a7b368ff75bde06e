package render

import (
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/meshctl/meshctl/planner/plans"
)

// MarkdownOptions tunes the pull-request comment.
type MarkdownOptions struct {
	// Limit is the most bytes the comment may take; 0 means
	// DefaultMarkdownLimit. GitHub counts characters, and a character is
	// at least a byte, so a byte limit is safe.
	Limit int
	// Title is the comment's heading, for instance
	// "meshctl plan — acme-sales"; empty means "meshctl plan".
	Title string
	// Marker is the hidden HTML comment that identifies the sticky
	// comment, for instance "<!-- meshctl-plan:acme-sales -->". When set it
	// is the comment's first line; it must be one line holding one
	// complete HTML comment.
	Marker string
	// FullPlanCommand is the command the truncation notice tells readers
	// to run for the whole plan; empty means "meshctl show plan.out".
	FullPlanCommand string
	// FullPlanURL is a page that shows the whole plan, such as the CI
	// run's log. When set, truncation notices link to it — readers of a
	// pull request cannot run a command on a plan file that lives on the
	// CI runner — and name FullPlanCommand too only when that is set. It
	// must be an absolute http or https URL.
	FullPlanURL string
	// RiskOrder lists the changed products by risk instead of in
	// dependency order: refused changes first (apply stops on them), then
	// breaking changes, deletes, replaces, creates and updates, each group
	// in dependency order. Reviewers read from the top.
	RiskOrder bool
	// Consumers adds an alert that names, per breaking change, the
	// downstream products with their owners and teams, so that reviewers
	// see who would break without opening the details. It is kept longer
	// than the product table and the warnings when the comment is cut.
	Consumers bool
}

// DefaultMarkdownLimit is GitHub's limit on the size of a comment.
const DefaultMarkdownLimit = 65536

// Markdown caps applied to single items, so that one huge name or reason
// cannot crowd out the rest of the comment.
const (
	mdMaxTitle     = 200
	mdMaxName      = 120
	mdMaxReasons   = 100
	mdMaxItem      = 500
	mdMaxTargets   = 20
	mdMaxConsumers = 20 // downstream products named per breaking change
	mdMaxURL       = 2000
)

// Markdown writes the plan as a pull-request comment: the marker, a
// heading, the Summary line in bold, refusals as a GitHub alert, the
// policy violations as a table (blocking ones first, with an alert when
// they stop apply), the active exemptions, with opts.Consumers the
// consumers of breaking changes as an alert, warnings as an alert, a table
// of the changed products (action, reasons shortened, breaking; in
// dependency order, or by risk with opts.RiskOrder), then per changed
// product a collapsed <details> block with its full diff, the unchanged
// products in one collapsed block, and a footer naming the plan and state.
//
// The comment never exceeds opts.Limit bytes. When the whole plan does not
// fit, it drops, in this order and least important first: the unchanged
// products, the details blocks (updates, then creates, replaces, deletes,
// breaking changes, refusals; later products before earlier ones), the
// footer, the exempted violations, the active exemptions, the advisory
// violations, the product table's rows (in the details' order), the
// warnings, the consumers of breaking changes, the refusals, and last the
// blocking violations (soft_mandatory before hard_mandatory; later ones
// first) — each loss stated in a notice
// that says how to see the full plan. Advisory violations go before the
// product rows because a policy over columns can fail thousands of times,
// and the plan itself must stay readable. Whole blocks are dropped, never
// cut, so every <details> is closed and every code fence ends. It returns
// an error, and writes nothing, when even the marker, heading, summary,
// section headings and notices do not fit.
func Markdown(w io.Writer, p *plans.Plan, opts MarkdownOptions) error {
	if err := validate(p); err != nil {
		return err
	}
	if err := checkMarker(opts.Marker); err != nil {
		return err
	}
	if err := checkURL(opts.FullPlanURL); err != nil {
		return err
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = DefaultMarkdownLimit
	}
	d := buildMarkdown(p, opts)
	out, err := d.fit(limit)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, out)
	return err
}

func checkMarker(m string) error {
	if m == "" {
		return nil
	}
	if !strings.HasPrefix(m, "<!--") || !strings.HasSuffix(m, "-->") || len(m) < 7 ||
		strings.Count(m, "-->") != 1 || strings.ContainsAny(m, "\r\n") {
		return fmt.Errorf("render: Markdown marker %q is not one single-line HTML comment (<!-- … -->)", m)
	}
	return nil
}

// checkURL refuses a full-plan link that is not a plain absolute http(s)
// URL: it goes into a Markdown link, where a space, a bracket or a quote
// could end it early or inject text.
func checkURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > mdMaxURL ||
		strings.ContainsAny(s, " \t\r\n<>\"'`[]()\\") {
		return fmt.Errorf("render: Markdown FullPlanURL %q is not an absolute http(s) URL without spaces, quotes, brackets or parentheses", s)
	}
	return nil
}

// mdRow is one changed product: its table row and its details block.
type mdRow struct {
	action     plans.Action
	rank       int // importance: the least important go first
	row        string
	details    string
	keepRow    bool
	keepDetail bool
}

// mdDoc is the comment in droppable pieces, with the running sizes that
// let fit decide in constant time per piece.
type mdDoc struct {
	head   string
	see    string // how to see the full plan: "run `meshctl show plan.out` for the full plan"
	alerts struct {
		refusedHead, warnHead, consumersHead string
		refused, warnings, consumers         []string
		nRefused, nWarnings, nConsumers      int // kept, from the front
	}
	viol      mdViolations
	exempt    mdExemptions
	tableHead string
	rows      []mdRow
	noops     string
	keepNoops bool
	footer    string
	keepFoot  bool

	// running sums over what is kept
	sumRefused, sumWarnings, sumConsumers, sumRows, sumDetails int
	nRows, nDetails                                            int
	droppedRows                                                [plans.Delete + 1]int
}

// mdViolations is the policy violations section: a heading (and an
// alert when some block a plan with changes), then one table row per
// violation in display order (sortedViolations).
type mdViolations struct {
	head, tableHead string
	rows            []mdViolation
	nKept, sum      int
	dropped         [nStatus]int
}

type mdViolation struct {
	status violationStatus
	row    string
	keep   bool
}

// mdExemptions is the active exemptions section: a heading, then one list
// item per exemption, kept from the front.
type mdExemptions struct {
	head       string
	items      []string
	nKept, sum int
}

var mdActions = [...]string{
	plans.NoOp:    "no-op",
	plans.Create:  "➕ create",
	plans.Update:  "📝 update",
	plans.Replace: "🔄 replace",
	plans.Delete:  "🗑️ delete",
}

func buildMarkdown(p *plans.Plan, opts MarkdownOptions) *mdDoc {
	d := &mdDoc{keepNoops: true, keepFoot: true}
	d.see = fullPlanHint(opts)
	title := opts.Title
	if title == "" {
		title = "meshctl plan"
	}
	s := countPlan(p)

	var h strings.Builder
	if opts.Marker != "" {
		h.WriteString(opts.Marker + "\n")
	}
	h.WriteString("### " + mdText(truncate(title, mdMaxTitle)) + "\n\n")
	h.WriteString("**" + mdText(Summary(p)) + "**\n\n")
	if len(p.Targets) > 0 {
		names := p.Targets
		more := ""
		if len(names) > mdMaxTargets {
			more = fmt.Sprintf(" and %d more", len(names)-mdMaxTargets)
			names = names[:mdMaxTargets]
		}
		h.WriteString("> [!NOTE]\n> This plan is limited to " + mdText(truncate(targetList(names), mdMaxItem)) + more + " and the products they read.\n\n")
	}
	d.head = h.String()

	if s.Refused > 0 {
		d.alerts.refusedHead = "> [!CAUTION]\n> **" + countText(s.Refused, "change is", "changes are") + " refused**: apply will stop before changing anything.\n>\n"
	}
	var noops []string
	for _, c := range p.Changes {
		if c.Refused != "" {
			d.alerts.refused = append(d.alerts.refused, "> - **"+mdText(truncate(productAddr(c.Product), mdMaxName))+"**: "+mdText(truncate(clean(c.Refused), mdMaxItem))+"\n")
		}
		if c.Action == plans.NoOp {
			noops = append(noops, mdText(truncate(productAddr(c.Product), mdMaxName)))
			continue
		}
		v := newView(c)
		r := mdRow{action: c.Action, rank: importance(c), keepRow: true, keepDetail: true}
		r.row = "| " + mdText(truncate(productAddr(c.Product), mdMaxName)) + " | " + mdActionCell(c) + " | " + mdText(truncate(reasonSummary(c), mdMaxReasons)) + " | " + breakingCell(c) + " |\n"
		r.details = mdDetails(v)
		d.rows = append(d.rows, r)
	}
	if opts.RiskOrder {
		sort.SliceStable(d.rows, func(i, j int) bool { return d.rows[i].rank > d.rows[j].rank })
	}
	d.viol = buildViolations(p, s)
	d.exempt = buildExemptions(p)
	if opts.Consumers {
		d.alerts.consumersHead, d.alerts.consumers = buildConsumers(p)
	}
	if len(p.Warnings) > 0 {
		d.alerts.warnHead = "> [!WARNING]\n"
		for _, w := range p.Warnings {
			d.alerts.warnings = append(d.alerts.warnings, "> - "+mdText(truncate(clean(w), mdMaxItem))+"\n")
		}
	}
	if len(d.rows) > 0 {
		d.tableHead = "| Product | Action | Reasons | Breaking |\n| :-- | :-- | :-- | :-- |\n"
	}
	if len(noops) > 0 {
		d.noops = "<details><summary>" + countText(len(noops), "unchanged product", "unchanged products") + "</summary>\n\n" + strings.Join(noops, ", ") + "\n\n</details>\n\n"
	}
	if p.ID != "" || p.Lineage != "" {
		d.footer = "<sub>plan " + mdText(truncate(p.ID, mdMaxName)) + " · state serial " + strconv.FormatInt(p.Serial, 10) + ", lineage " + mdText(truncate(p.Lineage, mdMaxName)) + "</sub>\n"
	}

	d.alerts.nRefused = len(d.alerts.refused)
	d.alerts.nWarnings = len(d.alerts.warnings)
	d.alerts.nConsumers = len(d.alerts.consumers)
	for _, s := range d.alerts.refused {
		d.sumRefused += len(s)
	}
	for _, s := range d.alerts.consumers {
		d.sumConsumers += len(s)
	}
	for _, s := range d.alerts.warnings {
		d.sumWarnings += len(s)
	}
	for _, r := range d.rows {
		d.sumRows += len(r.row)
		d.sumDetails += len(r.details)
	}
	d.nRows, d.nDetails = len(d.rows), len(d.rows)
	return d
}

// fullPlanHint is how notices tell readers to see the whole plan: a link
// to opts.FullPlanURL and, when set, opts.FullPlanCommand, or the command
// alone.
func fullPlanHint(opts MarkdownOptions) string {
	cmd := opts.FullPlanCommand
	if opts.FullPlanURL != "" {
		hint := "see the full plan in [the run's log](" + opts.FullPlanURL + ")"
		if cmd != "" {
			hint += ", or run " + codeSpan(cmd)
		}
		return hint
	}
	if cmd == "" {
		cmd = "meshctl show plan.out"
	}
	return "run " + codeSpan(cmd) + " for the full plan"
}

// buildConsumers is the alert that names the consumers of each breaking
// change: one item per breaking change with downstream products, each
// capped at mdMaxConsumers names. It returns nothing when no breaking
// change has a consumer.
func buildConsumers(p *plans.Plan) (head string, items []string) {
	seen := map[string]bool{}
	for _, c := range p.Changes {
		if c == nil || !c.Breaking || len(c.Downstream) == 0 {
			continue
		}
		ds := sortedDownstream(c.Downstream)
		names := make([]string, 0, min(len(ds), mdMaxConsumers))
		for i, d := range ds {
			seen[d.Workspace+"\x00"+d.Product] = true
			if i < mdMaxConsumers {
				names = append(names, mdDownstream(d))
			}
		}
		item := "> - **" + mdText(truncate(productAddr(c.Product), mdMaxName)) + "** is read by " + strings.Join(names, ", ")
		if n := len(ds) - len(names); n > 0 {
			item += " and " + countText(n, "more product", "more products")
		}
		items = append(items, item+"\n")
	}
	if len(items) == 0 {
		return "", nil
	}
	head = "> [!IMPORTANT]\n> **Breaking changes reach " + countText(len(seen), "downstream product", "downstream products") +
		"**: their owners should review this change.\n>\n"
	return head, items
}

// mdBadge is the first cell of a violation's row: "⛔ blocking
// (hard_mandatory)", "✅ exempted (soft_mandatory)", "⚠️ advisory".
func mdBadge(v plans.Violation) string {
	e := mdText(truncate(v.Enforcement, mdMaxName))
	switch statusOf(v) {
	case statusHard, statusSoft:
		return "⛔ blocking (" + e + ")"
	case statusExempted:
		return "✅ exempted (" + e + ")"
	}
	return "⚠️ " + e
}

func buildViolations(p *plans.Plan, s counts) mdViolations {
	var v mdViolations
	if len(p.Violations) == 0 {
		return v
	}
	v.head = "#### Policy violations\n\n"
	if s.Blocking > 0 && s.changes() > 0 {
		v.head += "> [!CAUTION]\n> **" + countText(s.Blocking, "policy violation is", "policy violations are") + " blocking**: apply will stop before changing anything.\n\n"
	}
	v.tableHead = "| Enforcement | Policy | Object | Message |\n| :-- | :-- | :-- | :-- |\n"
	for _, x := range sortedViolations(p.Violations) {
		st := statusOf(x)
		row := "| " + mdBadge(x) + " | " + mdText(truncate(policyAddr(x.Policy), mdMaxName)) + mdPolicyWhere(x) + " | " +
			mdText(truncate(x.Object, mdMaxName)) + mdWhere(objectWhere(x)) + " | " +
			mdText(truncate(clean(x.Message), mdMaxItem))
		if n := exemptionNote(x, p.Exemptions); n != "" {
			row += "<br>" + mdText(truncate(n, mdMaxItem))
		}
		row += " |\n"
		v.rows = append(v.rows, mdViolation{status: st, row: row, keep: true})
		v.sum += len(row)
	}
	v.nKept = len(v.rows)
	return v
}

// mdPolicyWhere is policyWhere under the policy's name, in code spans:
// "<br><sub>`FILE:L:C` (governance `DIR`)</sub>".
func mdPolicyWhere(v plans.Violation) string {
	var parts []string
	if v.PolicyAt != "" {
		parts = append(parts, mdCode(truncate(clean(v.PolicyAt), mdMaxItem)))
	}
	if v.Governance != "" {
		gov := "governance " + mdCode(truncate(clean(v.Governance), mdMaxItem))
		if len(parts) > 0 {
			gov = "(" + gov + ")"
		}
		parts = append(parts, gov)
	}
	if len(parts) == 0 {
		return ""
	}
	return "<br><sub>" + strings.Join(parts, " ") + "</sub>"
}

// mdWhere is a location under a table cell's text: "<br><sub>LABEL
// `FILE:L:C`</sub>", or "" without either.
func mdWhere(label, at string) string {
	var parts []string
	if label != "" {
		parts = append(parts, mdText(truncate(label, mdMaxItem)))
	}
	if at != "" {
		parts = append(parts, mdCode(truncate(clean(at), mdMaxItem)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "<br><sub>" + strings.Join(parts, " ") + "</sub>"
}

// mdCode is codeSpan for a table cell. Text holding a pipe is escaped
// text instead: in a table a pipe ends the cell even inside a code span,
// and the backslash that would keep it in shows in the span.
func mdCode(s string) string {
	if strings.ContainsRune(s, '|') {
		return mdText(s)
	}
	return codeSpan(s)
}

func buildExemptions(p *plans.Plan) mdExemptions {
	var x mdExemptions
	if len(p.Exemptions) == 0 {
		return x
	}
	x.head = "#### Active exemptions\n\n"
	for _, e := range p.Exemptions {
		item := "- **" + mdText(truncate(exemptionAddr(e.Name), mdMaxName)) + "**: " + mdText(truncate(policyAddr(e.Policy), mdMaxName)) +
			" for " + mdText(truncate(e.Target, mdMaxName)) + "; " + mdText(truncate(expiryText(e), mdMaxName)) +
			"; covers " + coverText(e.Used) + " in this plan. Reason: " + mdText(truncate(clean(e.Reason), mdMaxItem))
		if e.At != "" {
			item += " <sub>" + codeSpan(truncate(e.At, mdMaxItem)) + "</sub>"
		}
		item += "\n"
		x.items = append(x.items, item)
		x.sum += len(item)
	}
	x.nKept = len(x.items)
	return x
}

func mdActionCell(c *plans.ProductChange) string {
	if c.Refused != "" {
		return "⛔ " + c.Action.Word() + " (refused)"
	}
	return mdActions[c.Action]
}

func breakingCell(c *plans.ProductChange) string {
	if c.Breaking {
		return "⚠️ yes"
	}
	return "no"
}

// reasonSummary is a change's reasons on one line, for the table.
func reasonSummary(c *plans.ProductChange) string {
	parts := make([]string, 0, len(c.Reasons))
	for _, r := range c.Reasons {
		parts = append(parts, reasonText(r))
	}
	return strings.Join(parts, "; ")
}

// mdDetails is a product's collapsed block: its diff in a diff-highlighted
// code block (with "!" for "~", which the highlighter colours as a
// change), then the version bump, downstream products and any refusal.
func mdDetails(v *productView) string {
	c := v.c
	var b strings.Builder
	b.WriteString("<details><summary><code>" + htmlText(c.Action.String()) + "</code> <b>" + htmlText(truncate(productAddr(c.Product), mdMaxName)) + "</b> " + actionWords[c.Action])
	if c.Breaking {
		b.WriteString(" — ⚠️ breaking")
	}
	if c.Refused != "" {
		b.WriteString(" — ⛔ refused")
	}
	b.WriteString("</summary>\n\n")
	if len(v.lines) > 0 {
		var body strings.Builder
		for _, l := range v.lines {
			switch l.kind {
			case lineReason:
				body.WriteString("# ")
			case lineAdd:
				body.WriteString("+ ")
			case lineRemove:
				body.WriteString("- ")
			default:
				body.WriteString("! ")
			}
			body.WriteString(l.text)
			if l.breaking {
				body.WriteString("   # breaking")
			}
			body.WriteByte('\n')
		}
		fence := fenceFor(body.String())
		b.WriteString(fence + "diff\n" + body.String() + fence + "\n\n")
	}
	if showBump(c) {
		b.WriteString("**Version bump:** " + bumpName(c.RequiredBump) + " required, " + bumpName(c.DeclaredBump) + " declared.\n\n")
		if bumpBelow(c) {
			b.WriteString("⚠️ **Warning:** " + mdText(bumpWarning(c)) + "\n\n")
		}
	}
	if len(v.downstream) > 0 {
		b.WriteString("**Downstream:**\n\n")
		for _, d := range v.downstream {
			b.WriteString("- " + mdDownstream(d) + "\n")
		}
		b.WriteString("\n")
	}
	if c.Refused != "" {
		b.WriteString("⛔ **Refused:** " + mdText(c.Refused) + "\n\n")
	}
	b.WriteString("</details>\n\n")
	return b.String()
}

// mdDownstream is downstreamText for Markdown, with owner and team in
// code spans: GitHub notifies an "@org/team" written as text on every
// update of the comment, and a plan is no reason to page a team.
func mdDownstream(d plans.Downstream) string {
	var b strings.Builder
	b.WriteString(mdText(truncate(productAddr(d.Product), mdMaxName)))
	if d.Workspace != "" {
		b.WriteString(" in workspace " + mdText(truncate(d.Workspace, mdMaxName)))
	}
	var who []string
	for _, s := range []string{d.Owner, d.Team} {
		if s != "" {
			who = append(who, codeSpan(truncate(s, mdMaxName)))
		}
	}
	paren := strings.Join(who, ", ")
	if !d.Direct {
		if paren != "" {
			paren += "; "
		}
		paren += "indirect"
	}
	if paren != "" {
		b.WriteString(" (" + paren + ")")
	}
	return b.String()
}

// Notices, built from the counts of what was dropped.

// moreNotice ends an alert whose last n items were dropped.
func moreNotice(n, kept int, what string) string {
	switch {
	case n == 0:
		return ""
	case kept == 0:
		return "> - … " + strconv.Itoa(n) + " " + what + " not shown\n"
	}
	return "> - … and " + strconv.Itoa(n) + " more " + what + "\n"
}

func (d *mdDoc) refusedNotice() string {
	return moreNotice(len(d.alerts.refused)-d.alerts.nRefused, d.alerts.nRefused, "refused changes")
}

func (d *mdDoc) consumersNotice() string {
	return moreNotice(len(d.alerts.consumers)-d.alerts.nConsumers, d.alerts.nConsumers, "breaking changes with consumers")
}

func (d *mdDoc) warningsNotice() string {
	return moreNotice(len(d.alerts.warnings)-d.alerts.nWarnings, d.alerts.nWarnings, "warnings")
}

func (d *mdDoc) rowsNotice() string {
	n := 0
	var parts []string
	for _, a := range []plans.Action{plans.Create, plans.Update, plans.Replace, plans.Delete} {
		if k := d.droppedRows[a]; k > 0 {
			n += k
			parts = append(parts, strconv.Itoa(k)+" to "+a.Word())
		}
	}
	if n == 0 {
		return ""
	}
	more := " more"
	if d.nRows == 0 {
		more = ""
	}
	tail := ""
	if d.nRows > d.nDetails {
		tail = ", nor the details of those above"
	}
	return "**… " + strconv.Itoa(n) + more + " product" + plural(n) + " not shown** (" + strings.Join(parts, ", ") + ")" + tail + ": " + d.see + ".\n\n"
}

// detailsNotice says how many products of the table have no details
// block; once rows are dropped, rowsNotice says it instead.
func (d *mdDoc) detailsNotice() string {
	n := d.nRows - d.nDetails
	if n == 0 || d.nRows < len(d.rows) {
		return ""
	}
	return "_The details of " + strconv.Itoa(n) + " product" + plural(n) + " are not shown, to keep this comment within its size limit: " + d.see + "._\n\n"
}

// violationsNotice says how many violations the table leaves out, and of
// which kind.
func (d *mdDoc) violationsNotice() string {
	v := &d.viol
	n := len(v.rows) - v.nKept
	if n == 0 {
		return ""
	}
	var parts []string
	if k := v.dropped[statusHard] + v.dropped[statusSoft]; k > 0 {
		parts = append(parts, strconv.Itoa(k)+" blocking")
	}
	if k := v.dropped[statusAdvisory]; k > 0 {
		parts = append(parts, strconv.Itoa(k)+" advisory")
	}
	if k := v.dropped[statusExempted]; k > 0 {
		parts = append(parts, strconv.Itoa(k)+" exempted")
	}
	more := " more"
	if v.nKept == 0 {
		more = ""
	}
	return "**… " + strconv.Itoa(n) + more + " policy violation" + plural(n) + " not shown** (" + strings.Join(parts, ", ") + "): " + d.see + ".\n\n"
}

// exemptionsNotice ends the exemptions list when its last ones were
// dropped.
func (d *mdDoc) exemptionsNotice() string {
	x := &d.exempt
	n := len(x.items) - x.nKept
	switch {
	case n == 0:
		return ""
	case x.nKept == 0:
		return "- … " + strconv.Itoa(n) + " active exemption" + plural(n) + " not shown\n"
	}
	return "- … and " + strconv.Itoa(n) + " more active exemption" + plural(n) + "\n"
}

// size is the length of the comment as it stands.
func (d *mdDoc) size() int {
	n := len(d.head)
	if len(d.alerts.refused) > 0 {
		n += len(d.alerts.refusedHead) + d.sumRefused + len(d.refusedNotice()) + 1
	}
	if len(d.viol.rows) > 0 {
		n += len(d.viol.head) + len(d.violationsNotice())
		if d.viol.nKept > 0 {
			n += len(d.viol.tableHead) + d.viol.sum + 1
		}
	}
	if len(d.exempt.items) > 0 {
		n += len(d.exempt.head) + d.exempt.sum + len(d.exemptionsNotice()) + 1
	}
	if len(d.alerts.consumers) > 0 {
		n += len(d.alerts.consumersHead) + d.sumConsumers + len(d.consumersNotice()) + 1
	}
	if len(d.alerts.warnings) > 0 {
		n += len(d.alerts.warnHead) + d.sumWarnings + len(d.warningsNotice()) + 1
	}
	if d.nRows > 0 {
		n += len(d.tableHead) + d.sumRows + 1
	}
	n += len(d.rowsNotice()) + len(d.detailsNotice()) + d.sumDetails
	if d.keepNoops {
		n += len(d.noops)
	}
	if d.keepFoot {
		n += len(d.footer)
	}
	return n
}

// fit drops pieces until the comment fits the limit, then assembles it.
func (d *mdDoc) fit(limit int) (string, error) {
	order := make([]int, len(d.rows))
	for i := range order {
		order[i] = i
	}
	rank := make([]int, len(d.rows))
	for i, r := range d.rows {
		rank[i] = r.rank
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if rank[i] != rank[j] {
			return rank[i] < rank[j]
		}
		return i > j
	})
	if d.size() > limit {
		d.keepNoops = false
	}
	for _, i := range order {
		if d.size() <= limit {
			break
		}
		r := &d.rows[i]
		r.keepDetail = false
		d.sumDetails -= len(r.details)
		d.nDetails--
	}
	if d.size() > limit {
		d.keepFoot = false
	}
	d.dropViolations(limit, statusExempted)
	for d.size() > limit && d.exempt.nKept > 0 {
		d.exempt.nKept--
		d.exempt.sum -= len(d.exempt.items[d.exempt.nKept])
	}
	d.dropViolations(limit, statusAdvisory)
	for _, i := range order {
		if d.size() <= limit {
			break
		}
		r := &d.rows[i]
		r.keepRow = false
		d.sumRows -= len(r.row)
		d.nRows--
		d.droppedRows[r.action]++
	}
	for d.size() > limit && d.alerts.nWarnings > 0 {
		d.alerts.nWarnings--
		d.sumWarnings -= len(d.alerts.warnings[d.alerts.nWarnings])
	}
	for d.size() > limit && d.alerts.nConsumers > 0 {
		d.alerts.nConsumers--
		d.sumConsumers -= len(d.alerts.consumers[d.alerts.nConsumers])
	}
	for d.size() > limit && d.alerts.nRefused > 0 {
		d.alerts.nRefused--
		d.sumRefused -= len(d.alerts.refused[d.alerts.nRefused])
	}
	d.dropViolations(limit, statusSoft)
	d.dropViolations(limit, statusHard)
	if n := d.size(); n > limit {
		return "", fmt.Errorf("render: a Markdown plan needs at least %d bytes (marker, heading, summary and notices); the limit is %d", n, limit)
	}
	out := d.assemble()
	if len(out) > limit || len(out) != d.size() {
		// The size bookkeeping and the assembly disagree: a bug here,
		// reported rather than posted over the limit.
		return "", fmt.Errorf("render: internal error: Markdown plan is %d bytes, computed %d, limit %d", len(out), d.size(), limit)
	}
	// Pieces end with a blank line; the comment ends with one newline.
	return strings.TrimRight(out, "\n") + "\n", nil
}

// dropViolations drops the rows of violations of one status, the last
// first, until the comment fits.
func (d *mdDoc) dropViolations(limit int, st violationStatus) {
	v := &d.viol
	for i := len(v.rows) - 1; i >= 0 && d.size() > limit; i-- {
		r := &v.rows[i]
		if !r.keep || r.status != st {
			continue
		}
		r.keep = false
		v.sum -= len(r.row)
		v.nKept--
		v.dropped[st]++
	}
}

func (d *mdDoc) assemble() string {
	var b strings.Builder
	b.Grow(d.size())
	b.WriteString(d.head)
	if len(d.alerts.refused) > 0 {
		b.WriteString(d.alerts.refusedHead)
		for _, s := range d.alerts.refused[:d.alerts.nRefused] {
			b.WriteString(s)
		}
		b.WriteString(d.refusedNotice())
		b.WriteString("\n")
	}
	if len(d.viol.rows) > 0 {
		b.WriteString(d.viol.head)
		if d.viol.nKept > 0 {
			b.WriteString(d.viol.tableHead)
			for _, r := range d.viol.rows {
				if r.keep {
					b.WriteString(r.row)
				}
			}
			b.WriteString("\n")
		}
		b.WriteString(d.violationsNotice())
	}
	if len(d.exempt.items) > 0 {
		b.WriteString(d.exempt.head)
		for _, s := range d.exempt.items[:d.exempt.nKept] {
			b.WriteString(s)
		}
		b.WriteString(d.exemptionsNotice())
		b.WriteString("\n")
	}
	if len(d.alerts.consumers) > 0 {
		b.WriteString(d.alerts.consumersHead)
		for _, s := range d.alerts.consumers[:d.alerts.nConsumers] {
			b.WriteString(s)
		}
		b.WriteString(d.consumersNotice())
		b.WriteString("\n")
	}
	if len(d.alerts.warnings) > 0 {
		b.WriteString(d.alerts.warnHead)
		for _, s := range d.alerts.warnings[:d.alerts.nWarnings] {
			b.WriteString(s)
		}
		b.WriteString(d.warningsNotice())
		b.WriteString("\n")
	}
	if d.nRows > 0 {
		b.WriteString(d.tableHead)
		for _, r := range d.rows {
			if r.keepRow {
				b.WriteString(r.row)
			}
		}
		b.WriteString("\n")
	}
	b.WriteString(d.rowsNotice())
	b.WriteString(d.detailsNotice())
	for _, r := range d.rows {
		if r.keepRow && r.keepDetail {
			b.WriteString(r.details)
		}
	}
	if d.keepNoops {
		b.WriteString(d.noops)
	}
	if d.keepFoot {
		b.WriteString(d.footer)
	}
	return b.String()
}
