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
  schema {
    infer = false
    column "id" {
      type = "int64"
      nullable = false
    }
    column "age" { type = "int32" }
    column "country" { type = "string" }
    column "email" {
      type = "string"
      tags = ["pii"]
    }
  }
}

source "orders" {
  type = "parquet"
  path = "data/orders.parquet"
  schema {
    infer = false
    column "customer_id" { type = "int64" }
    column "amount" { type = "decimal(18,2)" }
    column "status" { type = "string" }
  }
}

product "orders_clean" {
  domain = domain.sales
  input "orders" { from = source.orders }
  transform "clean" {
    from = input.orders
    filter { where = status != "cancelled" && amount > 0 }
  }
  output { path = "lake/orders_clean/" }
}


product "adult_customers_by_country" {
  domain      = domain.sales
  owner       = "sales-data@acme.example"
  description = "Adult customers per country"
  version     = "1.2.0"
  tags        = ["tier:gold"]

  input "customers" { from = source.crm }
  input "orders"    { from = product.orders_clean }

  transform "adults" {
    from = input.customers
    filter { where = age > 18 && country != null }
    select {
      columns = {
        id      = id
        country = upper(country)
        email   = lower(email)
      }
    }
  }

  transform "by_country" {
    from = transform.adults
    join {
      with = input.orders
      type = "left"
      on   = adults.id == orders.customer_id
    }
    aggregate {
      group_by = [country]
      columns  = {
        customers = count_distinct(id)
        revenue   = sum(amount)
      }
    }
    sort  { by = [desc(revenue)] }
  }

  output {
    from         = transform.by_country
    format       = "parquet"
    path         = "s3://acme-lake/sales/adult_customers_by_country/"
    partition_by = ["country"]
  }

  contract {
    column "country" {
      type     = "string"
      nullable = false
    }
    column "customers" { type = "int64" }
    column "revenue" {
      type        = "decimal(18,2)"
      description = "Sum of order amounts"
    }
  }
  check "has_rows"        { assert = row_count() > 0 }
  check "country_present" {
    assert   = null_count(country) == 0
    severity = "error"
  }

  sla { freshness = "24h" }
  lifecycle { prevent_destroy = true }
}
