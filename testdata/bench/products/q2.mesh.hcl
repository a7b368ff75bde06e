# q2, filter + project + write:
#   SELECT id, lower(email) AS email, income * 1.1 AS income_adj FROM customers
#   WHERE country IN ('DE', 'FR') AND income IS NOT NULL
product "q2" {
  domain      = domain.bench
  owner       = "meshctl-maintainers@meshctl.example"
  description = "German and French customers with an income, adjusted"

  input "customers" {
    from = source.customers
  }

  transform "de_fr" {
    from = input.customers
    filter {
      where = contains(["DE", "FR"], country) && income != null
    }
    select {
      columns = {
        id         = id
        email      = lower(email)
        income_adj = income * 1.1
      }
    }
  }

  output {
    format = "parquet"
    path   = "out/q2/"
  }
}
