source "customers" {
  type        = "csv"
  domain      = domain.sales
  path        = "data/customers.csv"
  description = "Customer master data, exported nightly from the CRM"

  schema {
    column "id" {
      nullable    = false
      description = "Customer id, unique"
    }
    column "email" {
      tags = ["pii"]
    }
    column "name" {
      tags = ["pii"]
    }
  }
}

source "orders" {
  type        = "parquet"
  domain      = domain.sales
  path        = "data/orders.parquet"
  description = "Orders from the web shop, one row per order"
}
