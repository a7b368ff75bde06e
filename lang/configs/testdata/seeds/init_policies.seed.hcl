# Governance: rules every product of the mesh must follow, checked by
# meshctl plan before anything is published.
policy "products_have_owner" {
  description = "Every data product names an owning team"
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
  message     = "product ${product.name} has no owner"
}
