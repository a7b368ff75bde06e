product "adults" {
  domain = domain.sales
  owner  = "sales-data@acme.example"

  transform "adults" {
    from = input.customers
    filter { where = age > 18 }
    select {
      columns = {
        id      = id
        country = upper(country)
      }
    }
  }
}
