product "orders_clean" {
  domain = domain.sales

  transform "clean" {
    from = input.orders
    select { columns = { a = b, ccc = d } }
    select {
      columns = {
        order_id = id
        amount_eur = round(amount * fx_rate, 2)
        status = status == "" ? "unknown" : lower(status)
        "order date" = date_trunc("day", created_at)
      }
    }
  }

  output {
    from = transform.clean
    format = "parquet"
    partition_by = ["country","year"]
    options = {compression="zstd",row_group_rows=100000}
  }
}
