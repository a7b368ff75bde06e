# The marketing domain's workspace. It consumes a data product published by
# the sales domain (examples/sales) and plans campaigns with it.
mesh {
  name = "acme-marketing"
}

domain "marketing" {
  owner       = "marketing-analytics@acme.example"
  team        = "acme/marketing-analytics"
  description = "Campaign planning and reach"
}
