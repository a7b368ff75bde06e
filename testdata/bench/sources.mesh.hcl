# The generated data (cmd/meshgen). Every schema is declared (infer = false),
# so that the workspace validates and plans before any data is generated;
# it is the schema meshgen writes.

source "customers" {
  type        = "parquet"
  domain      = domain.bench
  path        = "data/customers.parquet"
  description = "N customers: Parquet, snappy, row groups of 131,072 rows"

  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "name" {
      type = "string"
    }
    column "age" {
      type     = "int32"
      nullable = false
    }
    column "country" {
      type = "string"
    }
    column "signup_date" {
      type = "date"
    }
    column "income" {
      type = "float64"
    }
    column "email" {
      type = "string"
    }
  }
}

source "orders" {
  type        = "parquet"
  domain      = domain.bench
  path        = "data/orders.parquet"
  description = "5N orders, each of one of the customers"

  schema {
    infer = false
    column "order_id" {
      type     = "int64"
      nullable = false
    }
    column "customer_id" {
      type     = "int64"
      nullable = false
    }
    column "amount" {
      type = "float64"
    }
    column "status" {
      type = "string"
    }
    column "ordered_at" {
      type = "timestamp"
    }
  }
}

source "customers_csv" {
  type        = "csv"
  domain      = domain.bench
  path        = "data/customers.csv"
  description = "The customers again, as CSV with a header"

  schema {
    infer = false
    column "id" {
      type     = "int64"
      nullable = false
    }
    column "name" {
      type = "string"
    }
    column "age" {
      type     = "int32"
      nullable = false
    }
    column "country" {
      type = "string"
    }
    column "signup_date" {
      type = "date"
    }
    column "income" {
      type = "float64"
    }
    column "email" {
      type = "string"
    }
  }
}
