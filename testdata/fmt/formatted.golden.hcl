# A file already in canonical layout comes out byte for byte the same.
mesh {
  name = "acme-sales"
  state {
    backend = "local"
    path    = ".meshctl/state.json"
  }
}

product "adult_customers_by_country" {
  domain      = domain.sales
  owner       = "sales-data@acme.example"
  description = "Adult customers per country"
  version     = "1.2.0" # semver
  tags        = ["tier:gold"]

  input "customers" { from = source.crm }

  transform "adults" {
    from = input.customers
    filter { where = age > 18 && country != null }
    select {
      columns = {
        id      = id
        country = upper(country)
      }
    }
  }

  contract {
    column "country" {
      type     = "string"
      nullable = false
    }
  }

  check "has_rows" { assert = row_count() > 0 }
  lifecycle { prevent_destroy = true }
}
