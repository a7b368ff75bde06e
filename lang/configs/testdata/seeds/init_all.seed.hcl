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
# The workspace: one domain team's data products. meshctl reads every
# *.mesh.hcl file below this folder.
mesh {
  name = "dtinit"

  state {
    backend = "local"
    path    = ".meshctl/state.json"
  }
}

domain "customers" {
  owner       = "customer-data@example.com"
  team        = "example/customer-data"
  description = "Who our customers are and where they live"
}
# Governance: rules every product of the mesh must follow, checked by
# meshctl plan before anything is published.
policy "products_have_owner" {
  description = "Every data product names an owning team"
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.owner != ""
  message     = "product ${product.name} has no owner"
}
# Sources are the systems the mesh reads from. This one is a CSV file
# shipped with the workspace; its column types are inferred from the data.
source "customers" {
  type        = "csv"
  path        = "data/customers.csv"
  description = "Customer master data exported from the CRM"

  schema {
    # Inferred types can be overridden or annotated per column.
    column "email" {
      tags = ["pii"]
    }
  }
}
