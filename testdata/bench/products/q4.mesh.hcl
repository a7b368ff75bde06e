# q4, CSV → Parquet: customers.csv, with its schema declared on the source,
# written whole to Parquet.
product "q4" {
  domain      = domain.bench
  owner       = "meshctl-maintainers@meshctl.example"
  description = "The customers CSV converted to Parquet"

  input "customers" {
    from = source.customers_csv
  }

  output {
    format = "parquet"
    path   = "out/q4/"
  }
}
