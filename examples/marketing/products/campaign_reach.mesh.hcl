product "campaign_reach" {
  domain      = domain.marketing
  owner       = "marketing-analytics@acme.example"
  description = "Each campaign with the adult customers and revenue of its country"
  version     = "1.0.0"

  input "campaigns" {
    from = source.campaigns
  }
  input "adults" {
    from = source.sales_adults_by_country
  }

  transform "reach" {
    from = input.campaigns
    join {
      with = input.adults
      type = "left"
      on   = campaigns.country == adults.country
    }
    select {
      columns = {
        campaign            = campaign
        country             = campaigns.country
        channel             = channel
        starts_on           = starts_on
        budget              = budget
        customers           = coalesce(customers, 0)
        revenue             = revenue
        budget_per_customer = customers > 0 ? budget / customers : null
      }
    }
    sort {
      by = [starts_on, desc(customers), campaign]
    }
  }

  output {
    path = "lake/campaign_reach/"
  }

  contract {
    column "campaign" {
      type     = "string"
      nullable = false
    }
    column "customers" {
      type = "int64"
    }
  }

  check "every_campaign_kept" {
    assert = row_count() > 0
  }
}
