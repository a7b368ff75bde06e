package render

import (
	"bytes"
	"encoding/json"
	"io"
	"time"

	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// JSONFormatVersion is the version of the JSON plan schema (JSON.md).
// The minor number grows when fields are added, which scripts must
// ignore; the major number grows when a field is removed, renamed or
// changes meaning, which never happens within a major version. 1.1 added
// the policy violations and active exemptions.
const JSONFormatVersion = "1.1"

// JSON writes the plan as one JSON document (indented, ending with a
// newline) in the schema JSON.md documents; scripts rely on it.
//
//	{
//	  "format_version": "1.1",
//	  "id": "…", "created_at": "2025-01-02T03:04:05Z" | null,
//	  "lineage": "…", "serial": 7, "workspace_hash": "…",
//	  "targets": ["orders"],
//	  "summary": {"create": 1, "update": 0, "replace": 1, "delete": 0, "no_op": 3,
//	              "breaking": 1, "refused": 0, "violations": 3, "blocking_violations": 2,
//	              "exempted_violations": 1, "has_changes": true, "text": "Plan: …"},
//	  "changes": [{
//	    "product": "orders", "address": "product.orders",
//	    "action": "create" | "update" | "replace" | "delete" | "no-op",
//	    "reasons": [{"kind": "input", "subject": "input.customers" | null,
//	                 "before": … | null, "after": … | null, "message": "…"}],
//	    "breaking": true,
//	    "contract_changes": [{"column": "age", "kind": "removed",
//	                          "before": "int32" | null, "after": null, "breaking": true}],
//	    "required_bump": "major", "declared_bump": "minor", "bump_below_required": true,
//	    "downstream": [{"product": "x", "address": "product.x", "workspace": null,
//	                    "owner": "…" | null, "team": "…" | null, "direct": true}],
//	    "refused": "…" | null,
//	    "before": {"metadata": {…}, "prevent_destroy": false, "contract": […], "output": {…}} | null,
//	    "after":  … | null
//	  }],
//	  "warnings": ["…"],
//	  "violations": [{"policy": "pii_is_masked", "enforcement": "hard_mandatory",
//	                  "applies_to": "column", "object": "product.orders.column.email",
//	                  "product": "orders" | null, "message": "…", "blocking": true,
//	                  "policy_at": "policies.mesh.hcl:3:1" | null, "object_at": … | null,
//	                  "governance": "../governance" | null, "exemption": … | null,
//	                  "expired_exemption": … | null}],
//	  "exemptions": [{"name": "legacy_export_pii", "policy": "pii_is_masked",
//	                  "target": "product.legacy_export", "reason": "…", "expires": "2027-03-31",
//	                  "days_left": 126, "used": 1, "at": "policies.mesh.hcl:20:1" | null}]
//	}
//
// Every key is always present; lists are [] rather than null; strings that
// may be absent are null rather than "" (except inside before/after, which
// mirror the state document, where "" means unset). Changes keep the plan's
// order (dependency order, upstream first) and include no-ops; reasons and
// contract changes keep the planner's order; downstream products are
// sorted (direct first, this workspace first, then by workspace and
// name); violations and exemptions keep the planner's order (the text and
// Markdown views list blocking violations first, JSON leaves sorting to
// scripts). The same plan always gives the same bytes.
func JSON(w io.Writer, p *plans.Plan) error {
	if err := validate(p); err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonOf(p)); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// The JSON schema's types. They are separate from plans' so that the
// plan model can change without changing what scripts read.

type jsonPlan struct {
	FormatVersion string          `json:"format_version"`
	ID            string          `json:"id"`
	CreatedAt     *string         `json:"created_at"`
	Lineage       string          `json:"lineage"`
	Serial        int64           `json:"serial"`
	WorkspaceHash string          `json:"workspace_hash"`
	Targets       []string        `json:"targets"`
	Summary       jsonSummary     `json:"summary"`
	Changes       []jsonChange    `json:"changes"`
	Warnings      []string        `json:"warnings"`
	Violations    []jsonViolation `json:"violations"`
	Exemptions    []jsonExemption `json:"exemptions"`
}

type jsonSummary struct {
	Create     int    `json:"create"`
	Update     int    `json:"update"`
	Replace    int    `json:"replace"`
	Delete     int    `json:"delete"`
	NoOp       int    `json:"no_op"`
	Breaking   int    `json:"breaking"`
	Refused    int    `json:"refused"`
	Violations int    `json:"violations"`
	Blocking   int    `json:"blocking_violations"`
	Exempted   int    `json:"exempted_violations"`
	HasChanges bool   `json:"has_changes"`
	Text       string `json:"text"`
}

type jsonChange struct {
	Product           string             `json:"product"`
	Address           string             `json:"address"`
	Action            string             `json:"action"`
	Reasons           []jsonReason       `json:"reasons"`
	Breaking          bool               `json:"breaking"`
	ContractChanges   []jsonColumnChange `json:"contract_changes"`
	RequiredBump      string             `json:"required_bump"`
	DeclaredBump      string             `json:"declared_bump"`
	BumpBelowRequired bool               `json:"bump_below_required"`
	Downstream        []jsonDownstream   `json:"downstream"`
	Refused           *string            `json:"refused"`
	Before            *jsonProduct       `json:"before"`
	After             *jsonProduct       `json:"after"`
}

type jsonViolation struct {
	Policy           string  `json:"policy"`
	Enforcement      string  `json:"enforcement"`
	AppliesTo        string  `json:"applies_to"`
	Object           string  `json:"object"`
	Product          *string `json:"product"`
	Message          string  `json:"message"`
	Blocking         bool    `json:"blocking"`
	PolicyAt         *string `json:"policy_at"`
	ObjectAt         *string `json:"object_at"`
	Governance       *string `json:"governance"`
	Exemption        *string `json:"exemption"`
	ExpiredExemption *string `json:"expired_exemption"`
}

type jsonExemption struct {
	Name     string  `json:"name"`
	Policy   string  `json:"policy"`
	Target   string  `json:"target"`
	Reason   string  `json:"reason"`
	Expires  string  `json:"expires"`
	DaysLeft int     `json:"days_left"`
	Used     int     `json:"used"`
	At       *string `json:"at"`
}

type jsonReason struct {
	Kind    string  `json:"kind"`
	Subject *string `json:"subject"`
	Before  *string `json:"before"`
	After   *string `json:"after"`
	Message string  `json:"message"`
}

type jsonColumnChange struct {
	Column   string  `json:"column"`
	Kind     string  `json:"kind"`
	Before   *string `json:"before"`
	After    *string `json:"after"`
	Breaking bool    `json:"breaking"`
}

type jsonDownstream struct {
	Product   string  `json:"product"`
	Address   string  `json:"address"`
	Workspace *string `json:"workspace"`
	Owner     *string `json:"owner"`
	Team      *string `json:"team"`
	Direct    bool    `json:"direct"`
}

type jsonProduct struct {
	Metadata       jsonMetadata `json:"metadata"`
	PreventDestroy bool         `json:"prevent_destroy"`
	Contract       []jsonColumn `json:"contract"`
	Output         jsonOutput   `json:"output"`
}

type jsonMetadata struct {
	Domain      string   `json:"domain"`
	Owner       string   `json:"owner"`
	Team        string   `json:"team"`
	Description string   `json:"description"`
	Version     string   `json:"version"`
	Tags        []string `json:"tags"`
	Freshness   string   `json:"freshness"`
}

type jsonColumn struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Nullable    bool     `json:"nullable"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
	Mask        string   `json:"mask"`
}

type jsonOutput struct {
	Format      string   `json:"format"`
	Path        string   `json:"path"`
	Table       string   `json:"table"`
	PartitionBy []string `json:"partition_by"`
}

func jsonOf(p *plans.Plan) jsonPlan {
	s := countPlan(p)
	out := jsonPlan{
		FormatVersion: JSONFormatVersion,
		ID:            p.ID,
		Lineage:       p.Lineage,
		Serial:        p.Serial,
		WorkspaceHash: p.WorkspaceHash,
		Targets:       strings0(p.Targets),
		Summary: jsonSummary{
			Create: s.Create, Update: s.Update, Replace: s.Replace, Delete: s.Delete, NoOp: s.NoOp,
			Breaking: s.Breaking, Refused: s.Refused, Violations: s.Violations, Blocking: s.Blocking, Exempted: s.Exempted,
			HasChanges: s.changes() > 0, Text: Summary(p),
		},
		Changes:    make([]jsonChange, 0, len(p.Changes)),
		Warnings:   strings0(p.Warnings),
		Violations: make([]jsonViolation, 0, len(p.Violations)),
		Exemptions: make([]jsonExemption, 0, len(p.Exemptions)),
	}
	if !p.CreatedAt.IsZero() {
		t := p.CreatedAt.UTC().Format(time.RFC3339Nano)
		out.CreatedAt = &t
	}
	for _, c := range p.Changes {
		out.Changes = append(out.Changes, jsonChangeOf(c))
	}
	for _, v := range p.Violations {
		out.Violations = append(out.Violations, jsonViolation{
			Policy: v.Policy, Enforcement: v.Enforcement, AppliesTo: v.AppliesTo, Object: v.Object,
			Product: orNull(v.Product), Message: v.Message, Blocking: v.Blocking(),
			PolicyAt: orNull(v.PolicyAt), ObjectAt: orNull(v.ObjectAt), Governance: orNull(v.Governance),
			Exemption: orNull(v.Exemption), ExpiredExemption: orNull(v.ExpiredExemption),
		})
	}
	for _, e := range p.Exemptions {
		out.Exemptions = append(out.Exemptions, jsonExemption{
			Name: e.Name, Policy: e.Policy, Target: e.Target, Reason: e.Reason,
			Expires: e.Expires, DaysLeft: e.DaysLeft, Used: e.Used, At: orNull(e.At),
		})
	}
	return out
}

func jsonChangeOf(c *plans.ProductChange) jsonChange {
	jc := jsonChange{
		Product:           productName(c.Product),
		Address:           productAddr(c.Product),
		Action:            c.Action.Word(),
		Reasons:           make([]jsonReason, 0, len(c.Reasons)),
		Breaking:          c.Breaking,
		ContractChanges:   make([]jsonColumnChange, 0, len(c.ContractChanges)),
		RequiredBump:      bumpJSON(c.RequiredBump),
		DeclaredBump:      bumpJSON(c.DeclaredBump),
		BumpBelowRequired: bumpBelow(c),
		Downstream:        []jsonDownstream{},
		Refused:           orNull(c.Refused),
		Before:            jsonProductOf(c.Before),
		After:             jsonProductOf(c.After),
	}
	for _, r := range c.Reasons {
		msg := r.Message
		if msg == "" {
			msg = reasonText(r)
		}
		jc.Reasons = append(jc.Reasons, jsonReason{Kind: string(r.Kind), Subject: orNull(r.Subject), Before: orNull(r.Before), After: orNull(r.After), Message: msg})
	}
	for _, cc := range c.ContractChanges {
		jc.ContractChanges = append(jc.ContractChanges, jsonColumnChange{Column: cc.Column, Kind: string(cc.Kind), Before: orNull(cc.Before), After: orNull(cc.After), Breaking: cc.Breaking})
	}
	for _, d := range sortedDownstream(c.Downstream) {
		jc.Downstream = append(jc.Downstream, jsonDownstream{
			Product: productName(d.Product), Address: productAddr(d.Product),
			Workspace: orNull(d.Workspace), Owner: orNull(d.Owner), Team: orNull(d.Team), Direct: d.Direct,
		})
	}
	return jc
}

func jsonProductOf(p *state.Product) *jsonProduct {
	if p == nil {
		return nil
	}
	m := p.Metadata
	jp := &jsonProduct{
		Metadata: jsonMetadata{Domain: m.Domain, Owner: m.Owner, Team: m.Team, Description: m.Description,
			Version: m.Version, Tags: strings0(m.Tags), Freshness: m.Freshness},
		PreventDestroy: p.PreventDestroy,
		Contract:       make([]jsonColumn, 0, len(p.Contract)),
		Output:         jsonOutput{Format: p.Output.Format, Path: p.Output.Path, Table: p.Output.Table, PartitionBy: strings0(p.Output.PartitionBy)},
	}
	for _, col := range p.Contract {
		jp.Contract = append(jp.Contract, jsonColumn{Name: col.Name, Type: col.Type, Nullable: col.Nullable,
			Description: col.Description, Tags: strings0(col.Tags), Mask: col.Mask})
	}
	return jp
}

// bumpJSON is a bump as JSON shows it: "" becomes "none".
func bumpJSON(b plans.Bump) string {
	if b == "" {
		return string(plans.BumpNone)
	}
	return string(b)
}

// strings0 returns ss, or an empty list for nil, so that JSON shows [].
func strings0(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
