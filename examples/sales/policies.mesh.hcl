# The sales domain's own rules. The mesh-wide ones live in the governance
# repository (examples/governance), loaded with --policies ../governance;
# a workspace cannot redefine them.

policy "order_products_are_fresh" {
  description = "Products built on web-shop orders refresh at least daily"
  enforcement = "advisory"
  applies_to  = "product"
  when        = contains(product.inputs, "source.orders") || contains(product.inputs, "product.orders_clean")
  condition   = product.sla != null && product.sla.freshness_hours <= 24
  message     = "product ${product.name} reads orders but promises no daily freshness"
}

# The account managers need their customers' names; the list goes to
# their team only (see top_customers' access block).
exemption "top_customers_names" {
  policy  = policy.pii_is_masked
  target  = product.top_customers
  reason  = "Account managers contact these customers by name; access restricted to acme/account-managers (DATA-412)"
  expires = "2027-03-31"
}
