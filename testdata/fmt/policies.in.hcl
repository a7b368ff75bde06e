policy "pii_is_masked" {
  applies_to = "column"
  when = contains(column.tags,"pii")
  condition = column.mask != null
  message = "${product.name}.${column.name} is PII and must be masked"
}

policy "no_silent_breaking_changes" {
  applies_to = "change"
  condition = !change.breaking||change.major_version_bumped
}

exemption "legacy_export_pii" {
  policy = policy.pii_is_masked
  target = product.legacy_export
  reason = "migration ticket DATA-412"
  expires = "2027-03-31"
}