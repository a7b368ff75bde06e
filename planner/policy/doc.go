// Package policy evaluates the mesh's governance policies against a plan:
// every policy over the objects its applies_to names (products, their
// published columns and outputs, sources, planned changes), with the
// workspace's exemptions. It turns configuration and a planned change set
// into plans.Violation values; it never decides actions, renders or
// exits.
//
// The object model policies see is lang/policymodel: this package fills
// its values from the workspace (lang/configs), the compiled products
// (lang/ir) and the plan (planner/plans).
package policy
