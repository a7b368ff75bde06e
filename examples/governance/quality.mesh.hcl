# Products consumers can trust: checked, and fresh when they promise it.

policy "products_have_checks" {
  description = "Every product checks its output"
  enforcement = "soft_mandatory"
  applies_to  = "product"
  condition   = length(product.checks) > 0
  message     = "product ${product.name} has no check: add at least check \"has_rows\" { assert = row_count() > 0 }"
}

policy "gold_tier_has_sla_and_checks" {
  description = "Gold-tier products promise freshness and check their data twice over"
  enforcement = "soft_mandatory"
  applies_to  = "product"
  when        = contains(product.tags, "tier:gold")
  condition   = product.sla != null && length(product.checks) >= 2
  message     = "gold-tier product ${product.name} needs an sla block and at least two checks (it has ${length(product.checks)})"
}
