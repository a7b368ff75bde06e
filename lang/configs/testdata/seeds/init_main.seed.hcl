# The workspace: one domain team's data products. meshctl reads every
# *.mesh.hcl file below this folder.
mesh {
  name = "dtinit"

  state {
    backend = "local"
    path    = ".meshctl/state.json"
  }
}

domain "customers" {
  owner       = "customer-data@example.com"
  team        = "example/customer-data"
  description = "Who our customers are and where they live"
}
