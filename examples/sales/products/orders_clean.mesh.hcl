product "orders_clean" {
  domain      = domain.sales
  owner       = "sales-data@acme.example"
  description = "Orders that count as revenue: not cancelled, with their month"
  version     = "1.0.0"
  tags        = ["tier:gold"]

  input "orders" {
    from = source.orders
  }

  transform "valid" {
    from = input.orders
    filter {
      where = !contains(["cancelled", "returned"], status) && amount > 0
    }
    select {
      columns = {
        order_id    = order_id
        customer_id = customer_id
        amount      = amount
        status      = status
        ordered_at  = ordered_at
        order_month = date_trunc("month", ordered_at)
      }
    }
  }

  output {
    path = "lake/orders_clean/"
  }

  contract {
    column "order_id" {
      type     = "int64"
      nullable = false
    }
    column "customer_id" {
      type = "int64"
    }
    column "amount" {
      type        = "decimal(10,2)"
      nullable    = false
      description = "Order total in EUR"
    }
    column "order_month" {
      type = "timestamp"
    }
  }

  check "has_rows" {
    assert = row_count() > 0
  }

  check "order_ids_unique" {
    assert = count_distinct(order_id) == row_count()
  }

  sla {
    freshness = "6h"
  }
}
