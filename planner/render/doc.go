// Package render turns a plan (planner/plans) into the three views users
// and scripts read: Text for a terminal (Terraform-style markers, a
// column-by-column contract diff, optional ANSI colour), Markdown for a
// pull-request comment (summary table, collapsible details, kept under a
// byte limit with a truncation notice), and JSON with a documented,
// versioned schema (JSON.md, JSONFormatVersion).
//
// Renderers show what the plan says: they never choose actions, never
// recompute breaking changes or bumps, and never print or exit. Every view
// is deterministic — the same plan gives the same bytes — so that a changed
// pull-request comment means a changed plan. Text from the plan (names,
// reasons, descriptions) is treated as hostile: control and bidirectional
// characters are escaped, and Markdown and HTML metacharacters are escaped
// where they could break the comment.
//
// render imports planner/plans and planner/state only: not the executor,
// providers, lang or cmd.
package render
