# q1, the seed's pipeline, written to Parquet (so it is also ANCHORS.md's q1w):
#   SELECT country, count(*) FROM customers WHERE age > 18 GROUP BY country
product "q1" {
  domain      = domain.bench
  owner       = "meshctl-maintainers@meshctl.example"
  description = "Adult customers per country"

  input "customers" {
    from = source.customers
  }

  transform "adults_by_country" {
    from = input.customers
    filter {
      where = age > 18
    }
    aggregate {
      group_by = [country]
      columns = {
        customers = count()
      }
    }
  }

  output {
    format = "parquet"
    path   = "out/q1/"
  }
}
