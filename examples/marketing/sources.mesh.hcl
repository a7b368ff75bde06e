# The sales domain publishes adult_customers_by_country; its contract is
# declared here (infer = false) so that this workspace validates and plans
# before sales has published anything, and the data is checked against the
# contract when it is read.
source "sales_adults_by_country" {
  type        = "parquet"
  path        = "../sales/lake/adult_customers_by_country/"
  description = "product.adult_customers_by_country of the sales domain"

  schema {
    infer = false
    column "country" {
      type     = "string"
      nullable = false
    }
    column "customers" {
      type = "int64"
    }
    column "revenue" {
      type = "decimal(18,2)"
    }
  }
}

source "campaigns" {
  type        = "csv"
  domain      = domain.marketing
  path        = "data/campaigns.csv"
  description = "Planned campaigns, maintained by hand"

  schema {
    column "budget" {
      type = "decimal(12,2)"
    }
  }
}
