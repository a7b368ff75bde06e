# Personal data: tags such as "pii" flow from sources through every
# transform, so these rules see PII wherever it ends up.

policy "pii_is_masked" {
  description = "A published column computed from PII is masked"
  enforcement = "soft_mandatory"
  applies_to  = "column"
  when        = contains(column.tags, "pii")
  condition   = column.mask != null
  message     = "${product.name}.${column.name} carries PII (from ${join(", ", column.tag_sources)}) and must be masked: add mask = \"hash\" (or redact, null, last4, email_domain) to its contract column"
}

policy "no_pii_for_everyone" {
  description = "No PII reaches an output everyone may read"
  enforcement = "hard_mandatory"
  applies_to  = "product"
  when        = contains(product.access.readers, "everyone")
  condition   = !anytrue([for c in product.columns : contains(c.tags, "pii")])
  message     = "product ${product.name} is readable by everyone but publishes PII in ${join(", ", [for c in product.columns : c.name if contains(c.tags, "pii")])}"
}

policy "masks_are_not_removed" {
  description = "Removing a mask publishes personal data that was protected"
  enforcement = "soft_mandatory"
  applies_to  = "change"
  condition   = length(change.masks_removed) == 0
  message     = "product ${product.name} removes the mask of ${join(", ", change.masks_removed)}"
}
