product "adult_customers_by_country" {
domain = domain.sales
    owner = "sales-data@acme.example"
  version = "1.2.0"
 tags = ["tier:gold","tier:pii"]

input "customers" { from = source.crm }
      input "orders"    { from = product.orders_clean }

transform "adults" {
from = input.customers
filter {
where = age>18&&country!=null
}
    select {
          columns = {
id = id
country = upper( country )
email = lower(email)
}
}
}

  transform "by_country" {
    from = transform.adults
    join {
      with = input.orders
      type = "left"
      on = adults.id==orders.customer_id
    }
    aggregate {
      group_by = [ country ]
      columns = {
        customers = count_distinct(id)
        revenue = sum(amount)
      }
    }
    sort  { by = [desc(revenue)] }
  }
}
