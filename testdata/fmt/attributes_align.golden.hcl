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

source "crm" {
  type  = "postgres"
  dsn   = env("CRM_PG_DSN")
  table = "public.customers"
}
