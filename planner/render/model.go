package render

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// This file holds what the three views share: validation, counting, and
// the "view" of one product change — its reasons, metadata and contract
// diff as marked lines — so that Text and Markdown show the same content.

// validate refuses what no view can show: a nil plan, a nil change, an
// action this renderer does not know (plans.Action.String would panic on
// it).
func validate(p *plans.Plan) error {
	if p == nil {
		return fmt.Errorf("render: nil plan")
	}
	for i, c := range p.Changes {
		if c == nil {
			return fmt.Errorf("render: plan change %d is nil", i)
		}
		if c.Action > plans.Delete {
			return fmt.Errorf("render: product %q has an unknown action %d", c.Product, c.Action)
		}
	}
	return nil
}

// counts is plans.Summary plus refusals, tolerant of nil changes (Summary
// must not panic on a plan the others refuse).
type counts struct {
	plans.Summary
	Refused int
}

func (c counts) changes() int { return c.Create + c.Update + c.Replace + c.Delete }

func countPlan(p *plans.Plan) counts {
	var s counts
	if p == nil {
		return s
	}
	for _, c := range p.Changes {
		if c == nil {
			continue
		}
		switch c.Action {
		case plans.Create:
			s.Create++
		case plans.Update:
			s.Update++
		case plans.Replace:
			s.Replace++
		case plans.Delete:
			s.Delete++
		case plans.NoOp:
			s.NoOp++
		default:
			continue
		}
		if c.Breaking {
			s.Breaking++
		}
		if c.Refused != "" {
			s.Refused++
		}
	}
	// The same counts as plans.Summary: an exempted hard_mandatory
	// violation (which the policy package never makes) counts as both.
	for _, v := range p.Violations {
		s.Violations++
		if v.Blocking() {
			s.Blocking++
		}
		if v.Exemption != "" {
			s.Exempted++
		}
	}
	return s
}

// Summary returns the plan's one-line summary, the last line of the text
// view and the bold line of the Markdown one:
//
//	Plan: 2 to create, 1 to update, 1 to replace, 0 to delete; 1 breaking change.
//
// or, when applying would change nothing,
//
//	No changes. The deployed products match the configuration.
//
// Breaking changes, refused changes and policy violations are mentioned
// only when there are some ("; 1 breaking change; 1 refused; 3 policy
// violations (2 blocking, 1 exempted)."). A plan without changes still
// names its violations: an unchanged product can fail a policy added since
// it was applied.
func Summary(p *plans.Plan) string {
	s := countPlan(p)
	if s.changes() == 0 {
		if s.Violations == 0 {
			return noChanges
		}
		return strings.TrimSuffix(noChanges, ".") + "; " + violationCount(s) + "."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Plan: %d to create, %d to update, %d to replace, %d to delete", s.Create, s.Update, s.Replace, s.Delete)
	if s.Breaking > 0 {
		fmt.Fprintf(&b, "; %d breaking change%s", s.Breaking, plural(s.Breaking))
	}
	if s.Refused > 0 {
		fmt.Fprintf(&b, "; %d refused", s.Refused)
	}
	if s.Violations > 0 {
		b.WriteString("; " + violationCount(s))
	}
	b.WriteString(".")
	return b.String()
}

// violationCount is "3 policy violations (2 blocking, 1 exempted)". Whether
// any blocks is always said ("none blocking"), exemptions only when some
// apply.
func violationCount(s counts) string {
	blocking := "none blocking"
	if s.Blocking > 0 {
		blocking = strconv.Itoa(s.Blocking) + " blocking"
	}
	if s.Exempted > 0 {
		blocking += ", " + strconv.Itoa(s.Exempted) + " exempted"
	}
	return strconv.Itoa(s.Violations) + " policy violation" + plural(s.Violations) + " (" + blocking + ")"
}

const noChanges = "No changes. The deployed products match the configuration."

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// productName returns a change's product name without the "product."
// prefix, which the plan may or may not carry.
func productName(s string) string { return strings.TrimPrefix(s, "product.") }

// productAddr returns the address users type: product.NAME.
func productAddr(s string) string { return "product." + productName(s) }

// actionWords is what the text view says a product will undergo.
var actionWords = [...]string{
	plans.NoOp:    "has no changes",
	plans.Create:  "will be created",
	plans.Update:  "will be updated in place",
	plans.Replace: "must be replaced",
	plans.Delete:  "will be destroyed",
}

// bumpRank orders bumps; an unknown or empty bump counts as none.
func bumpRank(b plans.Bump) int {
	switch b {
	case plans.BumpPatch:
		return 1
	case plans.BumpMinor:
		return 2
	case plans.BumpMajor:
		return 3
	}
	return 0
}

// bumpName is the bump as shown: "" becomes "none".
func bumpName(b plans.Bump) string {
	if b == "" {
		return string(plans.BumpNone)
	}
	return clean(string(b))
}

// bumpBelow reports whether the declared bump is below the required one,
// for a contract change consumers must hear about (a minor or major one,
// on a product that stays).
func bumpBelow(c *plans.ProductChange) bool {
	return c.Action != plans.Delete && c.Action != plans.Create &&
		bumpRank(c.RequiredBump) >= bumpRank(plans.BumpMinor) && bumpRank(c.DeclaredBump) < bumpRank(c.RequiredBump)
}

// showBump reports whether a change has a version bump worth a line.
func showBump(c *plans.ProductChange) bool {
	return bumpRank(c.RequiredBump) > 0 || bumpRank(c.DeclaredBump) > 0 || bumpBelow(c)
}

// bumpLine and bumpWarning are the version lines of a change.
func bumpLine(c *plans.ProductChange) string {
	return fmt.Sprintf("version bump: %s required, %s declared", bumpName(c.RequiredBump), bumpName(c.DeclaredBump))
}

// bumpWarning says why the declared version falls short, with the
// versions when both records carry one that parses:
//
//	version 1.2.0 → 1.3.0, but this change is breaking and needs 2.0.0.
//	version 1.2.0 unchanged, but this change adds to the contract and needs 1.3.0.
//
// and in terms of bumps otherwise.
func bumpWarning(c *plans.ProductChange) string {
	if w, ok := versionWarning(c); ok {
		return w
	}
	if bumpRank(c.DeclaredBump) == 0 {
		return fmt.Sprintf("the contract changes require a %s version bump, but the version was not bumped.", bumpName(c.RequiredBump))
	}
	return fmt.Sprintf("the contract changes require a %s version bump, but the declared version is only a %s bump.", bumpName(c.RequiredBump), bumpName(c.DeclaredBump))
}

// versionWarning is bumpWarning in versions; ok is false when a record or
// a version is missing or not MAJOR.MINOR.PATCH.
func versionWarning(c *plans.ProductChange) (string, bool) {
	if c.Before == nil || c.After == nil {
		return "", false
	}
	before, ok := parseVersion(c.Before.Metadata.Version)
	if !ok {
		return "", false
	}
	after, ok := parseVersion(c.After.Metadata.Version)
	if !ok {
		return "", false
	}
	var why string
	switch c.RequiredBump {
	case plans.BumpMajor:
		why = "is breaking"
	case plans.BumpMinor:
		why = "adds to the contract"
	case plans.BumpPatch:
		why = "changes the contract"
	default:
		return "", false
	}
	head := "version " + before.String() + " → " + after.String()
	if after.same(before) {
		head = "version " + before.String() + " unchanged"
	}
	return head + ", but this change " + why + " and needs " + before.bump(c.RequiredBump).String() + ".", true
}

// version is a semantic version MAJOR.MINOR.PATCH, with the "v" it was
// written with, if any.
type version struct {
	v                   string // "" or "v"
	major, minor, patch int
}

// parseVersion reads "1.2.3" or "v1.2.3": three decimal numbers without
// leading zeros. Pre-release and build suffixes are not read: whoever
// uses them gets the warning in bumps rather than a wrong version.
func parseVersion(s string) (version, bool) {
	var v version
	if rest, ok := strings.CutPrefix(s, "v"); ok {
		v.v, s = "v", rest
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return v, false
	}
	var nums [3]int
	for i, part := range parts {
		if part == "" || len(part) > 9 || (len(part) > 1 && part[0] == '0') || !isDigits(part) {
			return v, false
		}
		nums[i], _ = strconv.Atoi(part)
	}
	v.major, v.minor, v.patch = nums[0], nums[1], nums[2]
	return v, true
}

func (v version) String() string {
	return fmt.Sprintf("%s%d.%d.%d", v.v, v.major, v.minor, v.patch)
}

// same compares the numbers only: "v1.2.0" is "1.2.0".
func (v version) same(w version) bool {
	return v.major == w.major && v.minor == w.minor && v.patch == w.patch
}

// bump returns the smallest version after v that makes bump b.
func (v version) bump(b plans.Bump) version {
	switch b {
	case plans.BumpMajor:
		return version{v: v.v, major: v.major + 1}
	case plans.BumpMinor:
		return version{v: v.v, major: v.major, minor: v.minor + 1}
	case plans.BumpPatch:
		return version{v: v.v, major: v.major, minor: v.minor, patch: v.patch + 1}
	}
	return v
}

// violationStatus is what a violation means for this plan, in the order
// the views list them: blocking ones first, hard before soft, then the
// exempted ones, then the advisory ones (and enforcement levels this
// renderer does not know, which block nothing).
type violationStatus uint8

const (
	statusHard violationStatus = iota
	statusSoft
	statusExempted
	statusAdvisory
	nStatus
)

func statusOf(v plans.Violation) violationStatus {
	switch {
	case v.Blocking() && v.Enforcement == plans.HardMandatory:
		return statusHard
	case v.Blocking():
		return statusSoft
	case v.Exemption != "":
		return statusExempted
	}
	return statusAdvisory
}

// sortedViolations orders violations by status, keeping the planner's
// order (policy, then object) within one status.
func sortedViolations(vs []plans.Violation) []plans.Violation {
	out := append([]plans.Violation(nil), vs...)
	sort.SliceStable(out, func(i, j int) bool { return statusOf(out[i]) < statusOf(out[j]) })
	return out
}

// enforcementText is a violation's enforcement and, unless it is only
// advice, its effect: "hard_mandatory, blocking", "soft_mandatory,
// exempted", "advisory".
func enforcementText(v plans.Violation) string {
	e := clean(v.Enforcement)
	switch statusOf(v) {
	case statusHard, statusSoft:
		return e + ", blocking"
	case statusExempted:
		return e + ", exempted"
	}
	return e
}

// policyAddr and exemptionAddr are the addresses of a policy and an
// exemption as written in HCL, cleaned for display.
func policyAddr(name string) string { return clean("policy." + strings.TrimPrefix(name, "policy.")) }
func exemptionAddr(name string) string {
	return clean("exemption." + strings.TrimPrefix(name, "exemption."))
}

// findExemption returns the active exemption of that name, or nil.
func findExemption(active []plans.Exemption, name string) *plans.Exemption {
	for i := range active {
		if active[i].Name == name {
			return &active[i]
		}
	}
	return nil
}

// exemptionNote says how a violation relates to the exemption that
// covers it, or "": "exempted by exemption.x, which expires 2027-03-31
// (126 days left)", or that a hard_mandatory policy cannot be waived. (An
// expired exemption is named where its location is, objectWhere.)
func exemptionNote(v plans.Violation, active []plans.Exemption) string {
	switch {
	case v.Exemption != "" && statusOf(v) == statusHard:
		return exemptionAddr(v.Exemption) + " does not apply: a hard_mandatory policy cannot be waived"
	case v.Exemption != "":
		note := "exempted by " + exemptionAddr(v.Exemption)
		if e := findExemption(active, v.Exemption); e != nil {
			note += ", which " + expiryText(*e)
		}
		return note
	}
	return ""
}

// policyWhere is where the policy is defined: "FILE:L:C (governance DIR)";
// "" when the plan does not say.
func policyWhere(v plans.Violation) string {
	where := clean(v.PolicyAt)
	if v.Governance != "" {
		gov := "governance " + clean(v.Governance)
		if where == "" {
			return gov
		}
		where += " (" + gov + ")"
	}
	return where
}

// objectWhere is what ObjectAt points at, in words, and ObjectAt cleaned:
// ("defined at", "products/x.mesh.hcl:1:1"), or for an expired exemption
// ("expired exemption.x defined at", "exemptions.mesh.hcl:8:1"). Both are
// "" when there is nothing to say.
func objectWhere(v plans.Violation) (label, at string) {
	at = clean(v.ObjectAt)
	switch {
	case v.ExpiredExemption != "" && at == "":
		return "expired " + exemptionAddr(v.ExpiredExemption), ""
	case v.ExpiredExemption != "":
		return "expired " + exemptionAddr(v.ExpiredExemption) + " defined at", at
	case at != "":
		return "defined at", at
	}
	return "", ""
}

// violationNotes are the lines under a violation's message in the text
// view.
func violationNotes(v plans.Violation, active []plans.Exemption) []string {
	var out []string
	if n := exemptionNote(v, active); n != "" {
		out = append(out, n)
	}
	if w := policyWhere(v); w != "" {
		if v.PolicyAt != "" {
			w = "policy at " + w
		} else {
			w = "policy from " + w
		}
		out = append(out, w)
	}
	if label, at := objectWhere(v); label != "" {
		out = append(out, strings.TrimSuffix(label+" "+at, " "))
	}
	return out
}

// expiryText is "expires 2027-03-31 (126 days left)"; on the last day,
// "expires 2027-03-31 (today is its last day)".
func expiryText(e plans.Exemption) string {
	left := strconv.Itoa(e.DaysLeft) + " day" + plural(e.DaysLeft) + " left"
	if e.DaysLeft <= 0 {
		left = "today is its last day"
	}
	return "expires " + clean(e.Expires) + " (" + left + ")"
}

// coverText is "1 violation", "3 violations", "no violation".
func coverText(n int) string {
	if n <= 0 {
		return "no violation"
	}
	return strconv.Itoa(n) + " violation" + plural(n)
}

// lineKind is the marker of one line of a product's diff.
type lineKind uint8

const (
	lineReason lineKind = iota // "# why"
	lineAdd                    // "+ what"
	lineRemove                 // "- what"
	lineChange                 // "~ what"
)

// diffLine is one line of a product's diff, without its marker.
type diffLine struct {
	kind     lineKind
	text     string
	breaking bool
}

// productView is what both human views show of one change.
type productView struct {
	c    *plans.ProductChange
	addr string // product.NAME, cleaned for display
	// lines are the reasons, then the metadata changes, then the contract
	// changes.
	lines      []diffLine
	downstream []plans.Downstream // sorted copy
}

func newView(c *plans.ProductChange) *productView {
	v := &productView{c: c, addr: clean(productAddr(c.Product))}
	meta := metadataLines(c)
	covered := map[string]bool{}
	for _, l := range meta {
		covered[l.field] = true
	}
	var extra []diffLine
	for _, r := range c.Reasons {
		if r.Kind == plans.ReasonMetadata || r.Kind == plans.ReasonLifecycle {
			// A metadata reason whose field the records already show as
			// "~ field: a → b" would say the same thing twice.
			if covered[r.Subject] {
				continue
			}
			if r.Before != "" || r.After != "" {
				covered[r.Subject] = true
				extra = append(extra, diffLine{kind: lineChange, text: clean(r.Subject) + ": " + strconv.Quote(r.Before) + " → " + strconv.Quote(r.After)})
				continue
			}
		}
		v.lines = append(v.lines, diffLine{kind: lineReason, text: reasonText(r)})
	}
	for _, l := range meta {
		v.lines = append(v.lines, l.diffLine)
	}
	v.lines = append(v.lines, extra...)
	v.lines = append(v.lines, contractLines(c)...)
	v.downstream = sortedDownstream(c.Downstream)
	return v
}

// reasonText is a reason in words: its message, or one made from its kind
// and subject when the planner left the message empty.
func reasonText(r plans.Reason) string {
	if r.Message != "" {
		return clean(r.Message)
	}
	subj := clean(r.Subject)
	switch r.Kind {
	case plans.ReasonNew:
		return "new product"
	case plans.ReasonRemoved:
		return "removed from the configuration"
	case plans.ReasonDrift:
		return "the published output no longer matches state"
	case plans.ReasonFailed:
		return "the last apply did not publish"
	case plans.ReasonProtected:
		return "prevent_destroy is set in state"
	case plans.ReasonUpstream:
		if subj != "" {
			return subj + " is replaced"
		}
	}
	if subj == "" {
		return clean(string(r.Kind)) + " changed"
	}
	return subj + " changed"
}

// metaLine is a metadata diff line and the field it is about.
type metaLine struct {
	field string
	diffLine
}

// metadataLines diffs the metadata (and prevent_destroy) of the records:
// "~ owner: "a" → "b"" for an update or replace, "+ owner: "a"" for a
// create. A delete shows none: everything goes.
func metadataLines(c *plans.ProductChange) []metaLine {
	if c.After == nil {
		return nil
	}
	type field struct {
		name          string
		before, after string
		set           bool // set in After (for a create)
	}
	a := c.After.Metadata
	var b state.Metadata
	if c.Before != nil {
		b = c.Before.Metadata
	}
	fields := []field{
		{"domain", strconv.Quote(b.Domain), strconv.Quote(a.Domain), a.Domain != ""},
		{"owner", strconv.Quote(b.Owner), strconv.Quote(a.Owner), a.Owner != ""},
		{"team", strconv.Quote(b.Team), strconv.Quote(a.Team), a.Team != ""},
		{"description", strconv.Quote(b.Description), strconv.Quote(a.Description), a.Description != ""},
		{"version", strconv.Quote(b.Version), strconv.Quote(a.Version), a.Version != ""},
		{"tags", quoteList(b.Tags), quoteList(a.Tags), len(a.Tags) > 0},
		{"freshness", strconv.Quote(b.Freshness), strconv.Quote(a.Freshness), a.Freshness != ""},
		{"access.readers", quoteList(b.Readers), quoteList(a.Readers), len(a.Readers) > 0},
		{"prevent_destroy", strconv.FormatBool(c.Before != nil && c.Before.PreventDestroy), strconv.FormatBool(c.After.PreventDestroy), c.After.PreventDestroy},
	}
	var bo state.Output
	if c.Before != nil {
		bo = c.Before.Output
	}
	ao := c.After.Output
	fields = append(fields, field{"encryption", encryptionText(bo), encryptionText(ao), ao.Encryption != ""})
	var out []metaLine
	for _, f := range fields {
		switch {
		case c.Before == nil && f.set:
			out = append(out, metaLine{f.name, diffLine{kind: lineAdd, text: f.name + ": " + f.after}})
		case c.Before != nil && f.before != f.after:
			out = append(out, metaLine{f.name, diffLine{kind: lineChange, text: f.name + ": " + f.before + " → " + f.after}})
		}
	}
	return out
}

// quotedOrNone quotes a value, or says none.
func quotedOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return strconv.Quote(s)
}

// orNone is s, or "none" for an empty value.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// encryptionText is an output's encryption as shown: "aws:kms (KEY)".
func encryptionText(o state.Output) string {
	if o.Encryption == "" {
		return "none"
	}
	if o.KMSKeyID != "" {
		return strconv.Quote(o.Encryption + " " + o.KMSKeyID)
	}
	return strconv.Quote(o.Encryption)
}

func quoteList(ss []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s))
	}
	b.WriteByte(']')
	return b.String()
}

// contractLines renders the contract changes column by column. A create
// whose plan lists no contract changes shows its whole contract as added.
func contractLines(c *plans.ProductChange) []diffLine {
	if len(c.ContractChanges) == 0 {
		if c.Action != plans.Create || c.After == nil {
			return nil
		}
		out := make([]diffLine, 0, len(c.After.Contract))
		for _, col := range c.After.Contract {
			out = append(out, diffLine{kind: lineAdd, text: "column " + strconv.Quote(col.Name) + " " + columnType(col)})
		}
		return out
	}
	out := make([]diffLine, 0, len(c.ContractChanges))
	for _, cc := range c.ContractChanges {
		name := "column " + strconv.Quote(cc.Column)
		l := diffLine{kind: lineChange, breaking: cc.Breaking}
		switch cc.Kind {
		case plans.ColumnAdded:
			l.kind = lineAdd
			l.text = name + " " + describeColumn(c.After, cc.Column, cc.After)
		case plans.ColumnRemoved:
			l.kind = lineRemove
			l.text = name + " " + describeColumn(c.Before, cc.Column, cc.Before)
		case plans.ColumnType:
			l.text = name + " " + clean(cc.Before) + " → " + clean(cc.After)
		case plans.ColumnNullable:
			l.text = name + " " + nullability(cc.Before) + " → " + nullability(cc.After)
		case plans.ColumnDescription:
			l.text = name + " " + string(cc.Kind) + ": " + strconv.Quote(cc.Before) + " → " + strconv.Quote(cc.After)
		case plans.ColumnMask:
			l.text = name + " mask: " + quotedOrNone(cc.Before) + " → " + quotedOrNone(cc.After)
		default: // tags, and kinds a newer planner may add
			l.text = name + " " + clean(string(cc.Kind)) + ": " + orNone(clean(cc.Before)) + " → " + orNone(clean(cc.After))
		}
		out = append(out, l)
	}
	return out
}

// columnType is a contract column as shown: its type, and "not null" when
// it may not be null.
func columnType(col state.Column) string {
	t := clean(col.Type)
	if !col.Nullable {
		t += " not null"
	}
	if col.Mask != "" {
		t += " masked (" + clean(col.Mask) + ")"
	}
	return t
}

// describeColumn describes an added or removed column from the record
// that has it (type and nullability), falling back to what the change
// says.
func describeColumn(p *state.Product, column, fallback string) string {
	if p != nil {
		for _, col := range p.Contract {
			if col.Name == column {
				return columnType(col)
			}
		}
	}
	return clean(fallback)
}

// nullability names a nullability as users say it; planners may write
// "true"/"false" or the words.
func nullability(s string) string {
	switch strings.ToLower(s) {
	case "true", "nullable", "null":
		return "nullable"
	case "false", "not null", "not_null", "required":
		return "not null"
	}
	return clean(s)
}

// sortedDownstream orders downstream products deterministically: direct
// readers first, this workspace before others, then by workspace and name.
func sortedDownstream(ds []plans.Downstream) []plans.Downstream {
	out := append([]plans.Downstream(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Direct != b.Direct {
			return a.Direct
		}
		if a.Workspace != b.Workspace {
			return a.Workspace < b.Workspace
		}
		return productName(a.Product) < productName(b.Product)
	})
	return out
}

// downstreamText is "product.x (owner, team)", with the workspace when it
// is another one and "indirect" when it reads the product through others.
func downstreamText(d plans.Downstream) string {
	var b strings.Builder
	b.WriteString(clean(productAddr(d.Product)))
	if d.Workspace != "" {
		b.WriteString(" in workspace ")
		b.WriteString(clean(d.Workspace))
	}
	var who []string
	if d.Owner != "" {
		who = append(who, clean(d.Owner))
	}
	if d.Team != "" {
		who = append(who, clean(d.Team))
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

// importance ranks a change for the Markdown view, which drops the least
// important details first when the comment is too long.
func importance(c *plans.ProductChange) int {
	switch {
	case c.Refused != "":
		return 6
	case c.Breaking:
		return 5
	case c.Action == plans.Delete:
		return 4
	case c.Action == plans.Replace:
		return 3
	case c.Action == plans.Create:
		return 2
	case c.Action == plans.Update:
		return 1
	}
	return 0
}

// clean makes text from the plan safe to print on one line: tabs and
// newlines become spaces; other control characters, bidirectional
// overrides (which can make a terminal or a browser show text in another
// order than it is) and invalid UTF-8 become visible escapes. Everything
// else, including any printable Unicode, is kept.
func clean(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isBidi(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// isBidi reports the bidirectional formatting characters and invisible
// marks behind "Trojan Source" tricks. The zero-width (non-)joiners stay:
// emoji sequences and several scripts need them.
func isBidi(r rune) bool {
	return r == 0x061c || r == 0x200b || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff
}

// truncate cuts s to at most n runes, ending with "…" when it cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for i < len(s) && k < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		k++
	}
	return s[:i] + "…"
}

// wrap splits text into lines of at most width runes at spaces; a word
// longer than width (a path, a URL) stays whole on its own line.
func wrap(text string, width int) []string {
	if width < 1 {
		width = 1
	}
	if utf8.RuneCountInString(text) <= width {
		return []string{text}
	}
	var lines []string
	var cur strings.Builder
	curLen := 0
	for _, w := range strings.Fields(text) {
		wl := utf8.RuneCountInString(w)
		if curLen > 0 && curLen+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			curLen = 0
		}
		if curLen > 0 {
			cur.WriteByte(' ')
			curLen++
		}
		cur.WriteString(w)
		curLen += wl
	}
	if curLen > 0 || len(lines) == 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
