package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

// facts are what the planner learned about a product besides its records:
// the published output as found, and upstream products being recomputed.
type facts struct {
	// drift lists how the published output differs from state.
	drift []string
	// upstream lists the product inputs that this plan creates or
	// replaces.
	upstream []string
}

// decideAction chooses what apply does to one product, and why. prior is
// the state record (nil: never applied), want the desired record (nil:
// removed from the code). It is pure: every fact comes in as arguments.
func decideAction(prior, want *state.Product, f facts) (plans.Action, []plans.Reason, string) {
	switch {
	case prior == nil && want == nil:
		return plans.NoOp, nil, ""
	case prior == nil:
		return plans.Create, []plans.Reason{{Kind: plans.ReasonNew, Message: "not deployed yet"}}, ""
	case want == nil:
		reasons := []plans.Reason{{Kind: plans.ReasonRemoved, Message: "removed from the configuration"}}
		if prior.PreventDestroy {
			return plans.Delete, append(reasons, plans.Reason{Kind: plans.ReasonProtected,
					Message: "prevent_destroy is recorded in state: apply the product with lifecycle { prevent_destroy = false } before removing it"}),
				"the product has prevent_destroy = true in state; it cannot be deleted"
		}
		return plans.Delete, reasons, ""
	}
	var replace []plans.Reason
	// What the product computes.
	if prior.PlanFingerprint != want.PlanFingerprint {
		names := make([]string, 0, len(want.Transforms))
		for n := range want.Transforms {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			before, ok := prior.Transforms[n]
			switch {
			case !ok:
				replace = append(replace, plans.Reason{Kind: plans.ReasonTransform, Subject: "transform." + n, Message: "transform." + n + " is new"})
			case before != want.Transforms[n]:
				replace = append(replace, plans.Reason{Kind: plans.ReasonTransform, Subject: "transform." + n, Message: "transform." + n + " changed"})
			}
		}
		for n := range prior.Transforms {
			if _, ok := want.Transforms[n]; !ok {
				replace = append(replace, plans.Reason{Kind: plans.ReasonTransform, Subject: "transform." + n, Message: "transform." + n + " was removed"})
			}
		}
		sort.SliceStable(replace, func(i, j int) bool { return replace[i].Subject < replace[j].Subject })
	}
	planChanged := prior.PlanFingerprint != want.PlanFingerprint
	if outputKey(prior.Output) != outputKey(want.Output) {
		replace = append(replace, plans.Reason{Kind: plans.ReasonOutput, Subject: "output",
			Before: describeOutput(prior.Output), After: describeOutput(want.Output),
			Message: fmt.Sprintf("the output moves: %s → %s", describeOutput(prior.Output), describeOutput(want.Output))})
	}
	// A table's grants are set when it is published: new readers of a
	// PostgreSQL output need a new version, not only new state.
	if want.Output.Format == "postgres" && strings.Join(prior.Metadata.Readers, ",") != strings.Join(want.Metadata.Readers, ",") {
		replace = append(replace, plans.Reason{Kind: plans.ReasonOutput, Subject: "access.readers",
			Before: strings.Join(prior.Metadata.Readers, ", "), After: strings.Join(want.Metadata.Readers, ", "),
			Message: "the table's readers change, and grants are applied when it is published"})
	}
	// The data it reads.
	for _, name := range sortedKeys(want.Inputs) {
		in, before := want.Inputs[name], prior.Inputs[name]
		switch {
		case before.From == "":
			// A new input changes the plan fingerprint already.
		case before.From != in.From:
			replace = append(replace, plans.Reason{Kind: plans.ReasonInput, Subject: "input." + name, Before: before.From, After: in.From,
				Message: fmt.Sprintf("input.%s now reads %s instead of %s", name, in.From, before.From)})
		case before.Fingerprint != in.Fingerprint && in.Fingerprint != "" && before.Fingerprint != "":
			// An empty fingerprint is unknown (a table not fingerprinted, an
			// upstream not yet published when it was recorded): no reason.
			replace = append(replace, plans.Reason{Kind: plans.ReasonInput, Subject: "input." + name, Before: before.Fingerprint, After: in.Fingerprint,
				Message: fmt.Sprintf("the data of input.%s (%s) changed", name, in.From)})
		}
	}
	for _, up := range f.upstream {
		replace = append(replace, plans.Reason{Kind: plans.ReasonUpstream, Subject: up, Message: up + " is recomputed by this plan"})
	}
	if len(f.drift) > 0 {
		replace = append(replace, plans.Reason{Kind: plans.ReasonDrift, Subject: "output",
			Message: "the published output no longer matches state: " + strings.Join(f.drift, "; ")})
	}
	for _, c := range prior.Checks {
		if !c.Passed && c.Severity == "error" {
			replace = append(replace, plans.Reason{Kind: plans.ReasonFailed, Subject: "check." + c.Name,
				Message: fmt.Sprintf("the last apply did not publish: check %s failed", c.Name)})
			break
		}
	}
	if planChanged && len(replace) == 0 {
		// Nothing more specific explains it: checks, contract types or how
		// inputs are read changed.
		replace = append(replace, plans.Reason{Kind: plans.ReasonPlan, Message: "the compiled plan changed (checks, contract types or how inputs are read)"})
	}
	meta := metadataReasons(prior, want)
	if len(replace) > 0 {
		return plans.Replace, append(replace, meta...), ""
	}
	if len(meta) > 0 {
		return plans.Update, meta, ""
	}
	return plans.NoOp, nil, ""
}

func describeOutput(o state.Output) string {
	s := o.Format + " " + o.Path + o.Table
	if len(o.PartitionBy) > 0 {
		s += " partition_by " + strings.Join(o.PartitionBy, ",")
	}
	if o.Encryption != "" {
		s += " encryption " + o.Encryption
		if o.KMSKeyID != "" {
			s += " " + o.KMSKeyID
		}
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// metadataReasons lists the attributes that changed without changing the
// data: an update.
func metadataReasons(prior, want *state.Product) []plans.Reason {
	var out []plans.Reason
	add := func(attr, before, after string) {
		if before != after {
			out = append(out, plans.Reason{Kind: plans.ReasonMetadata, Subject: attr, Before: before, After: after,
				Message: fmt.Sprintf("%s: %q → %q", attr, before, after)})
		}
	}
	pm, wm := prior.Metadata, want.Metadata
	add("domain", pm.Domain, wm.Domain)
	add("owner", pm.Owner, wm.Owner)
	add("team", pm.Team, wm.Team)
	add("description", pm.Description, wm.Description)
	add("version", pm.Version, wm.Version)
	add("tags", strings.Join(pm.Tags, ", "), strings.Join(wm.Tags, ", "))
	add("freshness", pm.Freshness, wm.Freshness)
	add("access.readers", strings.Join(pm.Readers, ", "), strings.Join(wm.Readers, ", "))
	if prior.PreventDestroy != want.PreventDestroy {
		out = append(out, plans.Reason{Kind: plans.ReasonLifecycle, Subject: "prevent_destroy",
			Before: fmt.Sprint(prior.PreventDestroy), After: fmt.Sprint(want.PreventDestroy),
			Message: fmt.Sprintf("prevent_destroy: %v → %v", prior.PreventDestroy, want.PreventDestroy)})
	}
	// Contract metadata (descriptions, tags) changes no data either.
	before := map[string]state.Column{}
	for _, c := range prior.Contract {
		before[c.Name] = c
	}
	for _, c := range want.Contract {
		b, ok := before[c.Name]
		if !ok {
			continue
		}
		if b.Description != c.Description || strings.Join(b.Tags, ",") != strings.Join(c.Tags, ",") {
			out = append(out, plans.Reason{Kind: plans.ReasonMetadata, Subject: "contract.column." + c.Name,
				Message: fmt.Sprintf("the contract's column %q has new documentation or tags", c.Name)})
		}
	}
	return out
}

// contractChanges compares two published schemas column by column
// (DESIGN.md §3): a column removed or renamed, a type that does not widen,
// a non-null column becoming nullable, or a new mask is breaking; a column
// added, a widened type, a nullable column becoming non-null, documentation
// and tags are not.
func contractChanges(prior, want []state.Column) []plans.ColumnChange {
	var out []plans.ColumnChange
	before := map[string]state.Column{}
	for _, c := range prior {
		before[c.Name] = c
	}
	after := map[string]bool{}
	for _, c := range want {
		after[c.Name] = true
		b, ok := before[c.Name]
		if !ok {
			out = append(out, plans.ColumnChange{Column: c.Name, Kind: plans.ColumnAdded, After: columnText(c)})
			continue
		}
		if b.Type != c.Type {
			from, err1 := types.Parse(b.Type)
			to, err2 := types.Parse(c.Type)
			widens := err1 == nil && err2 == nil && types.CanWiden(from, to)
			out = append(out, plans.ColumnChange{Column: c.Name, Kind: plans.ColumnType, Before: b.Type, After: c.Type, Breaking: !widens})
		}
		if b.Nullable != c.Nullable {
			out = append(out, plans.ColumnChange{Column: c.Name, Kind: plans.ColumnNullable,
				Before: nullText(b.Nullable), After: nullText(c.Nullable), Breaking: c.Nullable})
		}
		if b.Mask != c.Mask {
			out = append(out, plans.ColumnChange{Column: c.Name, Kind: plans.ColumnMask, Before: b.Mask, After: c.Mask, Breaking: true})
		}
		if b.Description != c.Description {
			out = append(out, plans.ColumnChange{Column: c.Name, Kind: plans.ColumnDescription, Before: b.Description, After: c.Description})
		}
		if strings.Join(b.Tags, ",") != strings.Join(c.Tags, ",") {
			out = append(out, plans.ColumnChange{Column: c.Name, Kind: plans.ColumnTags, Before: strings.Join(b.Tags, ", "), After: strings.Join(c.Tags, ", ")})
		}
	}
	for _, c := range prior {
		if !after[c.Name] {
			out = append(out, plans.ColumnChange{Column: c.Name, Kind: plans.ColumnRemoved, Before: columnText(c), Breaking: true})
		}
	}
	return out
}

func columnText(c state.Column) string {
	s := c.Type
	if !c.Nullable {
		s += " not null"
	}
	return s
}

func nullText(n bool) string {
	if n {
		return "nullable"
	}
	return "not null"
}

// requiredBump is the version bump contract changes call for.
func requiredBump(cs []plans.ColumnChange, metadataChanged bool) plans.Bump {
	bump := plans.BumpNone
	if metadataChanged {
		bump = plans.BumpPatch
	}
	for _, c := range cs {
		switch {
		case c.Breaking:
			return plans.BumpMajor
		case c.Kind == plans.ColumnAdded || c.Kind == plans.ColumnType || c.Kind == plans.ColumnNullable:
			bump = plans.BumpMinor
		case bump == plans.BumpNone:
			bump = plans.BumpPatch
		}
	}
	return bump
}

// declaredBump compares two semantic versions.
func declaredBump(before, after string) plans.Bump {
	if before == after || before == "" || after == "" {
		return plans.BumpNone
	}
	b, err1 := semver.NewVersion(before)
	a, err2 := semver.NewVersion(after)
	if err1 != nil || err2 != nil || !a.GreaterThan(b) {
		return plans.BumpNone
	}
	switch {
	case a.Major() > b.Major():
		return plans.BumpMajor
	case a.Minor() > b.Minor():
		return plans.BumpMinor
	}
	return plans.BumpPatch
}

var bumpRank = map[plans.Bump]int{plans.BumpNone: 0, plans.BumpPatch: 1, plans.BumpMinor: 2, plans.BumpMajor: 3}
