# q3, join + aggregate:
#   SELECT c.country, count(*), sum(o.amount) FROM orders o
#   JOIN customers c ON o.customer_id = c.id
#   WHERE o.status = 'shipped' GROUP BY c.country
product "q3" {
  domain      = domain.bench
  owner       = "meshctl-maintainers@meshctl.example"
  description = "Shipped orders and their amount per customer country"

  input "orders" {
    from = source.orders
  }
  input "customers" {
    from = source.customers
  }

  transform "shipped_by_country" {
    from = input.orders
    filter {
      where = status == "shipped"
    }
    join {
      with = input.customers
      on   = orders.customer_id == customers.id
    }
    aggregate {
      group_by = [country]
      columns = {
        orders = count()
        amount = sum(amount)
      }
    }
  }

  output {
    format = "parquet"
    path   = "out/q3/"
  }
}
