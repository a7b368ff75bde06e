# q5, Parquet → Parquet: customers copied whole.
product "q5" {
  domain      = domain.bench
  owner       = "meshctl-maintainers@meshctl.example"
  description = "The customers Parquet file copied"

  input "customers" {
    from = source.customers
  }

  output {
    format = "parquet"
    path   = "out/q5/"
  }
}
