package render

import (
	"bytes"
	"io"
	"strconv"
	"strings"

	"github.com/meshctl/meshctl/planner/plans"
)

// TextOptions tunes the terminal view.
type TextOptions struct {
	// Color turns on ANSI colour. The caller decides (--no-color,
	// NO_COLOR, not a terminal); without it the output holds no escape
	// sequence at all.
	Color bool
	// Width is the column at which reasons, warnings and errors wrap; 0
	// means 100.
	Width int
	// ShowNoOps lists the products that do not change too.
	ShowNoOps bool
}

// DefaultWidth is the wrap column when TextOptions.Width is 0.
const DefaultWidth = 100

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// bodyIndent is where a product's lines start, under the name after a
// three-column marker.
const bodyIndent = "      "

// Text writes the plan for a terminal, the way terraform plan does: a
// legend of the markers in use, then per changed product (in plan order)
// its marker, address and action in words, its reasons as "# …" lines, its
// metadata and contract changes column by column, the version bump
// required and declared, its downstream products and any refusal; then the
// policy violations (blocking first), the active exemptions, the plan's
// warnings and the Summary line. It writes once, at the end, so a
// failing writer sees nothing partial from it.
func Text(w io.Writer, p *plans.Plan, opts TextOptions) error {
	if err := validate(p); err != nil {
		return err
	}
	t := &textWriter{color: opts.Color, width: opts.Width}
	if t.width <= 0 {
		t.width = DefaultWidth
	}
	t.plan(p, opts.ShowNoOps)
	_, err := w.Write(t.buf.Bytes())
	return err
}

type textWriter struct {
	buf   bytes.Buffer
	color bool
	width int
}

func (t *textWriter) paint(s string, codes ...string) string {
	if !t.color || s == "" {
		return s
	}
	return strings.Join(codes, "") + s + ansiReset
}

// marker paints an action's marker, right-aligned in three columns.
func (t *textWriter) marker(a plans.Action) string {
	pad := strings.Repeat(" ", 3-len(a.String()))
	switch a {
	case plans.Create:
		return pad + t.paint("+", ansiGreen)
	case plans.Update:
		return pad + t.paint("~", ansiYellow)
	case plans.Replace:
		return t.paint("-", ansiRed) + "/" + t.paint("+", ansiGreen)
	case plans.Delete:
		return pad + t.paint("-", ansiRed)
	}
	return "   "
}

// wrapped writes text after prefix (whose visible width is prefixLen),
// wrapped at the width, continuation lines indented by cont spaces.
func (t *textWriter) wrapped(prefix string, prefixLen int, text string, cont int, paintText func(string) string) {
	lines := wrap(text, t.width-prefixLen)
	for i, l := range lines {
		if i == 0 {
			t.buf.WriteString(prefix)
		} else {
			t.buf.WriteString(strings.Repeat(" ", cont))
		}
		if paintText != nil {
			l = paintText(l)
		}
		t.buf.WriteString(l)
		t.buf.WriteByte('\n')
	}
}

var legend = [...]string{
	plans.Create:  "create",
	plans.Update:  "update in place (metadata only: nothing is recomputed)",
	plans.Replace: "replace (the data is recomputed and published as a new version)",
	plans.Delete:  "delete",
}

func (t *textWriter) plan(p *plans.Plan, showNoOps bool) {
	s := countPlan(p)
	if s.changes() == 0 {
		// The summary heads the view, on one line like the "Plan:" one;
		// green unless a policy blocks.
		head := t.paint(Summary(p), ansiBold, ansiGreen)
		if s.Blocking > 0 {
			head = t.paint(Summary(p), ansiBold)
		}
		t.buf.WriteString(head + "\n\n")
		t.wrapped("", 0, "meshctl compared the configuration with the deployed state and found no differences, so there is nothing to apply.", 0, nil)
		if showNoOps {
			t.buf.WriteString("\n")
			t.products(p, true)
		}
		t.violations(p)
		t.exemptions(p)
		t.warnings(p)
		return
	}
	t.wrapped("", 0, "Product actions are shown with the following markers:", 0, nil)
	used := [...]int{plans.Create: s.Create, plans.Update: s.Update, plans.Replace: s.Replace, plans.Delete: s.Delete}
	for _, a := range []plans.Action{plans.Create, plans.Update, plans.Replace, plans.Delete} {
		if used[a] > 0 {
			t.buf.WriteString(t.marker(a) + " " + legend[a] + "\n")
		}
	}
	t.buf.WriteString("\n")
	if len(p.Targets) > 0 {
		t.wrapped(t.paint("Note:", ansiBold)+" ", 6, "this plan is limited to "+targetList(p.Targets)+" and the products they read.", 6, nil)
		t.buf.WriteString("\n")
	}
	t.wrapped("", 0, "meshctl will perform the following actions:", 0, nil)
	t.buf.WriteString("\n")
	t.products(p, showNoOps)
	t.violations(p)
	t.exemptions(p)
	t.warnings(p)
	if s.Refused > 0 {
		t.wrapped(t.paint("Error:", ansiBold, ansiRed)+" ", 7, countText(s.Refused, "change is", "changes are")+" refused: apply will stop before changing anything.", 0, nil)
		t.buf.WriteString("\n")
	}
	if s.Blocking > 0 {
		t.wrapped(t.paint("Error:", ansiBold, ansiRed)+" ", 7, countText(s.Blocking, "policy violation is", "policy violations are")+" blocking: apply will stop before changing anything.", 0, nil)
		t.buf.WriteString("\n")
	}
	t.buf.WriteString(t.paint(Summary(p), ansiBold) + "\n")
}

func targetList(targets []string) string {
	names := make([]string, len(targets))
	for i, n := range targets {
		names[i] = clean(productAddr(n))
	}
	return strings.Join(names, ", ")
}

// countText is "1 change is" or "3 changes are".
func countText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func (t *textWriter) products(p *plans.Plan, showNoOps bool) {
	// A blank line separates products, except between two no-ops, which
	// are one line each.
	printed, prevNoOp := false, false
	for _, c := range p.Changes {
		if c.Action == plans.NoOp && !showNoOps {
			continue
		}
		if printed && !(prevNoOp && c.Action == plans.NoOp) {
			t.buf.WriteString("\n")
		}
		t.product(newView(c))
		printed, prevNoOp = true, c.Action == plans.NoOp
	}
	if printed {
		t.buf.WriteString("\n")
	}
}

func (t *textWriter) product(v *productView) {
	c := v.c
	t.buf.WriteString(t.marker(c.Action) + " " + t.paint(v.addr, ansiBold) + " " + actionWords[c.Action] + "\n")
	for _, l := range v.lines {
		switch l.kind {
		case lineReason:
			t.wrapped(bodyIndent+"# ", len(bodyIndent)+2, l.text, len(bodyIndent)+2, nil)
			continue
		case lineAdd:
			t.buf.WriteString(bodyIndent + t.paint("+", ansiGreen) + " " + l.text)
		case lineRemove:
			t.buf.WriteString(bodyIndent + t.paint("-", ansiRed) + " " + l.text)
		default:
			t.buf.WriteString(bodyIndent + t.paint("~", ansiYellow) + " " + l.text)
		}
		if l.breaking {
			t.buf.WriteString("   " + t.paint("# breaking", ansiRed))
		}
		t.buf.WriteString("\n")
	}
	if showBump(c) {
		t.buf.WriteString(bodyIndent + bumpLine(c) + "\n")
		if bumpBelow(c) {
			t.wrapped(bodyIndent+t.paint("Warning:", ansiBold, ansiYellow)+" ", len(bodyIndent)+9, bumpWarning(c), len(bodyIndent)+9, nil)
		}
	}
	for _, d := range v.downstream {
		t.wrapped(bodyIndent+"Downstream: ", len(bodyIndent)+12, downstreamText(d), len(bodyIndent)+12, nil)
	}
	if c.Refused != "" {
		t.wrapped(bodyIndent+t.paint("Error:", ansiBold, ansiRed)+" ", len(bodyIndent)+7, clean(c.Refused), len(bodyIndent)+7, func(s string) string { return t.paint(s, ansiRed) })
	}
}

func (t *textWriter) warnings(p *plans.Plan) {
	if len(p.Warnings) == 0 {
		return
	}
	t.separate()
	for _, w := range p.Warnings {
		t.wrapped(t.paint("Warning:", ansiBold, ansiYellow)+" ", 9, clean(w), 9, nil)
	}
	t.buf.WriteString("\n")
}

// separate starts a section with a blank line unless one is there.
func (t *textWriter) separate() {
	if t.buf.Len() > 0 && !bytes.HasSuffix(t.buf.Bytes(), []byte("\n\n")) {
		t.buf.WriteString("\n")
	}
}

// violations lists the failed policies, blocking ones first (see
// sortedViolations), one entry each: a marker, the policy, its
// enforcement and what that means here, the object, the message, and
// where the policy and the object are defined.
func (t *textWriter) violations(p *plans.Plan) {
	if len(p.Violations) == 0 {
		return
	}
	t.separate()
	t.buf.WriteString(t.paint("Policy violations:", ansiBold) + "\n\n")
	for i, v := range sortedViolations(p.Violations) {
		if i > 0 {
			t.buf.WriteString("\n")
		}
		t.violation(v, p.Exemptions)
	}
	t.buf.WriteString("\n")
}

func (t *textWriter) violation(v plans.Violation, active []plans.Exemption) {
	st := statusOf(v)
	var marker string
	var paintHead func(string) string
	switch st {
	case statusHard, statusSoft:
		marker, paintHead = t.paint("✗", ansiBold, ansiRed), func(s string) string { return t.paint(s, ansiRed) }
	case statusExempted:
		marker = t.paint("✓", ansiGreen)
	default:
		marker, paintHead = t.paint("!", ansiBold, ansiYellow), func(s string) string { return t.paint(s, ansiYellow) }
	}
	head := policyAddr(v.Policy) + " (" + enforcementText(v) + ") on " + clean(v.Object)
	t.wrapped("  "+marker+" ", 4, head, 4, paintHead)
	t.wrapped(bodyIndent, len(bodyIndent), clean(v.Message), len(bodyIndent), nil)
	for _, l := range violationNotes(v, active) {
		t.wrapped(bodyIndent, len(bodyIndent), l, len(bodyIndent), nil)
	}
}

// exemptions lists the active exemptions: what they waive, why, until
// when, and how many violations of this plan they cover.
func (t *textWriter) exemptions(p *plans.Plan) {
	if len(p.Exemptions) == 0 {
		return
	}
	t.separate()
	t.buf.WriteString(t.paint("Active exemptions:", ansiBold) + "\n\n")
	for i, e := range p.Exemptions {
		if i > 0 {
			t.buf.WriteString("\n")
		}
		t.wrapped("    ", 4, exemptionAddr(e.Name)+": "+policyAddr(e.Policy)+" for "+clean(e.Target), len(bodyIndent), nil)
		t.wrapped(bodyIndent+"reason: ", len(bodyIndent)+8, clean(e.Reason), len(bodyIndent)+8, nil)
		t.wrapped(bodyIndent, len(bodyIndent), expiryText(e)+"; covers "+coverText(e.Used)+" in this plan", len(bodyIndent), nil)
		if e.At != "" {
			t.wrapped(bodyIndent, len(bodyIndent), "defined at "+clean(e.At), len(bodyIndent), nil)
		}
	}
	t.buf.WriteString("\n")
}
