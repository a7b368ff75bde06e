// Package plans is the plan model: per product an Action and the reasons
// for it, the contract changes column by column, the downstream products a
// change touches, and the input fingerprints the plan saw. Plans are plain
// data: renderers (planner/render) and apply (planner/apply) read them and
// never choose actions. The plan file (File) is a separate, versioned type
// encoded only at the edge.
//
// plans imports lang/addrs and planner/state only.
package plans

import (
	"time"

	"github.com/meshctl/meshctl/planner/state"
)

// Action is what apply will do to a product. Its String is the marker the
// user sees.
type Action uint8

const (
	NoOp Action = iota
	Create
	// Update changes metadata only (owner, description, tags, version…):
	// nothing is recomputed.
	Update
	// Replace recomputes the product and publishes a new version.
	Replace
	Delete
)

var markers = [...]string{NoOp: " ", Create: "+", Update: "~", Replace: "-/+", Delete: "-"}
var words = [...]string{NoOp: "no-op", Create: "create", Update: "update", Replace: "replace", Delete: "delete"}

// String returns the marker: "+", "~", "-/+", "-" (a space for no-op).
func (a Action) String() string { return markers[a] }

// Word returns the action's name as in JSON: "create", "no-op"…
func (a Action) Word() string { return words[a] }

// MarshalText writes the word, so JSON shows "create".
func (a Action) MarshalText() ([]byte, error) { return []byte(a.Word()), nil }

// UnmarshalText reads the word.
func (a *Action) UnmarshalText(b []byte) error {
	for i, w := range words {
		if w == string(b) {
			*a = Action(i)
			return nil
		}
	}
	return &UnknownActionError{Word: string(b)}
}

// UnknownActionError is returned for an action word this meshctl does not know.
type UnknownActionError struct{ Word string }

func (e *UnknownActionError) Error() string { return "unknown plan action " + e.Word }

// ReasonKind classifies a reason.
type ReasonKind string

// Reason kinds.
const (
	ReasonNew       ReasonKind = "new"       // not in state
	ReasonRemoved   ReasonKind = "removed"   // not in the code any more
	ReasonTransform ReasonKind = "transform" // a transform's compiled plan changed
	ReasonPlan      ReasonKind = "plan"      // the compiled plan changed elsewhere (inputs, output settings, contract)
	ReasonInput     ReasonKind = "input"     // an input's data changed
	ReasonUpstream  ReasonKind = "upstream"  // an upstream product is replaced
	ReasonOutput    ReasonKind = "output"    // output format, location or partitioning changed
	ReasonDrift     ReasonKind = "drift"     // the published output no longer matches state
	ReasonMetadata  ReasonKind = "metadata"  // an attribute that needs no recomputation changed
	ReasonFailed    ReasonKind = "failed"    // the last apply did not publish (a check failed)
	ReasonProtected ReasonKind = "protected" // delete refused by prevent_destroy
	ReasonLifecycle ReasonKind = "lifecycle" // prevent_destroy changed
)

// Reason says why a product gets its action.
type Reason struct {
	Kind ReasonKind `json:"kind"`
	// Subject is what changed: "transform.adults", "input.customers",
	// "product.orders_clean", "owner".
	Subject string `json:"subject,omitempty"`
	Before  string `json:"before,omitempty"`
	After   string `json:"after,omitempty"`
	// Message is the reason in words.
	Message string `json:"message"`
}

// ColumnChangeKind classifies a contract change.
type ColumnChangeKind string

// Column change kinds.
const (
	ColumnAdded       ColumnChangeKind = "added"
	ColumnRemoved     ColumnChangeKind = "removed"
	ColumnType        ColumnChangeKind = "type"
	ColumnNullable    ColumnChangeKind = "nullable"
	ColumnDescription ColumnChangeKind = "description"
	ColumnTags        ColumnChangeKind = "tags"
	ColumnMask        ColumnChangeKind = "mask"
)

// ColumnChange is one change to a published contract.
type ColumnChange struct {
	Column string           `json:"column"`
	Kind   ColumnChangeKind `json:"kind"`
	Before string           `json:"before,omitempty"`
	After  string           `json:"after,omitempty"`
	// Breaking is true when a consumer relying on the old contract may
	// break: a column removed (or renamed), a type that does not widen, a
	// non-null column becoming nullable.
	Breaking bool `json:"breaking"`
}

// Bump is a semantic version bump.
type Bump string

// Bumps, from none to major.
const (
	BumpNone  Bump = "none"
	BumpPatch Bump = "patch"
	BumpMinor Bump = "minor"
	BumpMajor Bump = "major"
)

// Downstream is a product that reads a changed product, directly or not.
type Downstream struct {
	Product string `json:"product"`
	Owner   string `json:"owner,omitempty"`
	Team    string `json:"team,omitempty"`
	// Direct is true when it reads the product itself.
	Direct bool `json:"direct"`
	// Workspace is empty for this workspace, else the other workspace's
	// name (through the catalog).
	Workspace string `json:"workspace,omitempty"`
}

// ProductChange is the plan for one product.
type ProductChange struct {
	Product string   `json:"product"`
	Action  Action   `json:"action"`
	Reasons []Reason `json:"reasons,omitempty"`
	// Before is the state record (nil for a create); After is the record
	// apply will write when it succeeds (nil for a delete), without the
	// output's version, files and check results, which apply fills in.
	Before *state.Product `json:"before,omitempty"`
	After  *state.Product `json:"after,omitempty"`
	// ContractChanges lists the changes to the published schema, column by
	// column.
	ContractChanges []ColumnChange `json:"contract_changes,omitempty"`
	Breaking        bool           `json:"breaking"`
	// RequiredBump is what the contract changes require; DeclaredBump what
	// the version attribute did. A declared bump below the required one
	// is a warning (and a policy can make it an error).
	RequiredBump Bump         `json:"required_bump"`
	DeclaredBump Bump         `json:"declared_bump"`
	Downstream   []Downstream `json:"downstream,omitempty"`
	// Refused is set when the action cannot be carried out
	// (prevent_destroy): apply stops before doing anything.
	Refused string `json:"refused,omitempty"`
}

// Plan is what apply will do, and what plan shows.
type Plan struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	// Lineage and Serial identify the state the plan was made against.
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
	// WorkspaceHash covers every configuration file; apply of a saved plan
	// refuses a workspace that changed since.
	WorkspaceHash string `json:"workspace_hash"`
	// Targets, when set, limit the plan to these products and what they
	// read.
	Targets []string `json:"targets,omitempty"`
	// Changes, in dependency order (upstream first), every product of the
	// workspace and of the state, no-ops included.
	Changes []*ProductChange `json:"changes"`
	// Warnings are notes the plan wants seen (a breaking change without a
	// major version bump).
	Warnings []string `json:"warnings,omitempty"`
	// Violations are the policies that failed, in policy then object
	// order; those an active exemption covers are kept, marked Exempted,
	// so reviewers see them.
	Violations []Violation `json:"violations,omitempty"`
	// Exemptions are the workspace's exemptions still active when the
	// plan was made (expired ones are violations).
	Exemptions []Exemption `json:"exemptions,omitempty"`
}

// Enforcement levels of a policy.
const (
	Advisory      = "advisory"
	SoftMandatory = "soft_mandatory"
	HardMandatory = "hard_mandatory"
)

// Violation is one policy that failed for one object.
type Violation struct {
	Policy string `json:"policy"`
	// Enforcement is advisory, soft_mandatory or hard_mandatory.
	Enforcement string `json:"enforcement"`
	// AppliesTo is product, column, output, source or change; Object the
	// object that failed: "product.orders", "product.orders.column.email",
	// "product.orders.output", "source.crm".
	AppliesTo string `json:"applies_to"`
	Object    string `json:"object"`
	// Product is the product the object belongs to ("" for a source).
	Product string `json:"product,omitempty"`
	Message string `json:"message"`
	// PolicyAt and ObjectAt are the file:line:col of the policy and of
	// the offending definition.
	PolicyAt string `json:"policy_at,omitempty"`
	ObjectAt string `json:"object_at,omitempty"`
	// Governance is the governance folder the policy came from ("" for a
	// workspace policy).
	Governance string `json:"governance,omitempty"`
	// Exemption names the active exemption that covers the violation;
	// ExpiredExemption the exemption whose expiry is itself the violation.
	Exemption        string `json:"exemption,omitempty"`
	ExpiredExemption string `json:"expired_exemption,omitempty"`
}

// Blocking reports whether the violation stops apply: a hard_mandatory
// one always, a soft_mandatory one unless an exemption covers it.
func (v Violation) Blocking() bool {
	switch v.Enforcement {
	case HardMandatory:
		return true
	case SoftMandatory:
		return v.Exemption == ""
	}
	return false
}

// Exemption is an active exemption, with the days it has left.
type Exemption struct {
	Name   string `json:"name"`
	Policy string `json:"policy"`
	Target string `json:"target"`
	Reason string `json:"reason"`
	// Expires is the last day the exemption holds (YYYY-MM-DD).
	Expires  string `json:"expires"`
	DaysLeft int    `json:"days_left"`
	// Used counts the violations it covers in this plan.
	Used int    `json:"used"`
	At   string `json:"at,omitempty"`
}

// Blocking returns the violations that stop apply.
func (p *Plan) Blocking() []Violation {
	var out []Violation
	for _, v := range p.Violations {
		if v.Blocking() {
			out = append(out, v)
		}
	}
	return out
}

// Summary counts a plan's actions.
type Summary struct {
	Create, Update, Replace, Delete, NoOp, Breaking int
	// Violations counts failed policies, Blocking those that stop apply,
	// Exempted those an exemption covers.
	Violations, Blocking, Exempted int
}

// Summary counts the plan's actions and breaking changes.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			s.Create++
		case Update:
			s.Update++
		case Replace:
			s.Replace++
		case Delete:
			s.Delete++
		default:
			s.NoOp++
		}
		if c.Breaking {
			s.Breaking++
		}
	}
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

// HasChanges reports whether applying the plan would do anything.
func (p *Plan) HasChanges() bool {
	s := p.Summary()
	return s.Create+s.Update+s.Replace+s.Delete > 0
}

// Change returns the change of a product, or nil.
func (p *Plan) Change(product string) *ProductChange {
	for _, c := range p.Changes {
		if c.Product == product {
			return c
		}
	}
	return nil
}
