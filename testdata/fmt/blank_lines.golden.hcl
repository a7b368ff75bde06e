mesh {
  name = "acme-sales"

  state {
    backend = "local"
  }
}

domain "sales" {
  owner = "sales-data@acme.example"

  description = "Orders, customers and revenue"
  tags = [
    "tier:gold",
  ]
}
