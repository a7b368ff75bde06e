# Who owns what, and names that every tool in the mesh can handle.

policy "products_have_owner" {
  description = "Every data product names an owning team"
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
  message     = "product ${product.name} has no owner: set owner on the product or on domain.${product.domain}"
}

policy "products_have_description" {
  description = "Consumers find products by their description"
  enforcement = "soft_mandatory"
  applies_to  = "product"
  condition   = length(trimspace(product.description)) >= 10
  message     = "product ${product.name} needs a description of at least 10 characters"
}

policy "snake_case_names" {
  description = "Product names are snake_case: they become table and folder names"
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = can(regex("^[a-z][a-z0-9_]*$", product.name))
  message     = "product ${product.name} is not snake_case"
}

policy "column_names_snake_case" {
  description = "Published columns are snake_case"
  enforcement = "advisory"
  applies_to  = "column"
  condition   = can(regex("^[a-z][a-z0-9_]*$", column.name))
  message     = "${product.name}.${column.name} is not snake_case"
}
