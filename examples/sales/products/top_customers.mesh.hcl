product "top_customers" {
  domain      = domain.sales
  owner       = "sales-data@acme.example"
  description = "The 20 customers with the most revenue, for the account managers"
  version     = "0.3.0"

  input "customers" {
    from = source.customers
  }
  input "orders" {
    from = product.orders_clean
  }

  transform "revenue" {
    from = input.orders
    aggregate {
      group_by = [customer_id]
      columns = {
        orders        = count()
        revenue       = sum(amount)
        first_order   = min(ordered_at)
        average_order = round(avg(amount), 2)
      }
    }
  }

  transform "ranked" {
    from = transform.revenue
    join {
      with = input.customers
      on   = revenue.customer_id == customers.id
    }
    select {
      columns = {
        customer_id   = customer_id
        name          = name
        country       = coalesce(upper(country), "unknown")
        orders        = orders
        revenue       = revenue
        average_order = average_order
        customer_for  = "${year(first_order) - year(signup_date)} years before first order"
      }
    }
    sort {
      by = [desc(revenue), customer_id]
    }
    limit {
      count = 20
    }
  }

  output {
    path = "lake/top_customers/"
  }

  check "at_most_20" {
    assert = row_count() <= 20
  }

  sla {
    freshness = "24h"
  }

  access {
    readers = ["acme/account-managers"]
  }
}
