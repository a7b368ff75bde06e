# The sales domain's workspace: customers and their orders, and the data
# products built from them for the rest of the company.
mesh {
  name = "acme-sales"

  state {
    backend = "local"
    path    = ".meshctl/state.json"
  }
}

domain "sales" {
  owner       = "sales-data@acme.example"
  team        = "acme/sales-data"
  description = "Orders, customers and revenue"
}
