# Contracts are promises to other domains.

policy "no_silent_breaking_changes" {
  description = "A breaking contract change needs a major version bump"
  enforcement = "soft_mandatory"
  applies_to  = "change"
  condition   = !change.breaking || change.major_version_bumped
  message     = "product ${product.name} makes a breaking change (${join(", ", [for c in change.column_changes : "${c.column}: ${c.kind}" if c.breaking])}) at version ${change.version_after}: bump the major version; it affects ${length(change.downstream) == 0 ? "no product in this workspace" : join(", ", change.downstream)}"
}
