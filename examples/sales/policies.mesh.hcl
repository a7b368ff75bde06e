# Governance shared by every domain of the mesh.
policy "products_have_owner" {
  description = "Every data product names an owning team"
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
  message     = "product ${product.name} has no owner"
}

policy "no_silent_breaking_changes" {
  description = "A breaking contract change needs a major version bump"
  enforcement = "soft_mandatory"
  applies_to  = "change"
  condition   = !change.breaking || change.major_version_bumped
}
