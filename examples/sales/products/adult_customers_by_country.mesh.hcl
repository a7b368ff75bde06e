# The seed pipeline: adult customers and their revenue, per country.
product "adult_customers_by_country" {
  domain      = domain.sales
  owner       = "sales-data@acme.example"
  description = "Adult customers per country, with the revenue of their orders"
  version     = "1.2.0"
  tags        = ["tier:gold"]

  input "customers" {
    from = source.customers
  }
  input "orders" {
    from = product.orders_clean
  }

  transform "adults" {
    from = input.customers
    filter {
      where = age > 18 && country != null
    }
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
      columns = {
        customers = count_distinct(id)
        revenue   = sum(amount)
      }
    }
    sort {
      by = [desc(revenue)]
    }
  }

  output {
    from         = transform.by_country
    format       = "parquet"
    path         = "lake/adult_customers_by_country/"
    partition_by = ["country"]
  }

  contract {
    column "country" {
      type     = "string"
      nullable = false
    }
    column "customers" {
      type = "int64"
    }
    column "revenue" {
      type        = "decimal(18,2)"
      description = "Sum of order amounts"
    }
  }

  check "has_rows" {
    assert = row_count() > 0
  }
  check "country_present" {
    assert   = null_count(country) == 0
    severity = "error"
  }

  sla {
    freshness = "24h"
  }
  lifecycle {
    prevent_destroy = true
  }
}
