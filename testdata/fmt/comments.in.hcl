# main.mesh.hcl — the sales workspace   
// owned by sales-data
/* Block comments stay where they are,
   line breaks and all.   

   Even the blank line above. */
product "orders_clean" {
  domain = domain.sales # the owning domain   
  owner = "sales-data@acme.example" // who answers pages
  description = /* inline */ "Orders without test data"

  # the pipeline
  transform "clean" {
    from = input.orders
    filter { where = !is_test } # drop test orders
  }

  sla { freshness = "24h" } /* trailing block comment */
  # a comment at the end of a block
}
# a comment at the end of the file