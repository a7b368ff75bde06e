product "adults_by_country" {
  domain      = domain.customers
  owner       = "customer-data@example.com"
  description = "Number of adult customers per country"
  version     = "1.0.0"
  tags        = ["tier:silver"]

  input "customers" {
    from = source.customers
  }

  transform "adults" {
    from = input.customers
    filter {
      where = age >= 18 && country != null
    }
    select {
      columns = {
        id      = id
        country = upper(country)
      }
    }
  }

  transform "by_country" {
    from = transform.adults
    aggregate {
      group_by = [country]
      columns = {
        customers = count()
      }
    }
    sort {
      by = [desc(customers), country]
    }
  }

  output {
    format = "parquet"
    path   = "lake/adults_by_country/"
  }

  contract {
    column "country" {
      type     = "string"
      nullable = false
    }
    column "customers" {
      type        = "int64"
      description = "Adult customers living in the country"
    }
  }

  check "has_rows" {
    assert = row_count() > 0
  }

  sla {
    freshness = "24h"
  }
}
