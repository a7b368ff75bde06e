# Tests of the sales products, run by `meshctl test --policies ../governance`
# (the policy tests judge products against the mesh's governance rules).

# Inputs never read real data in a test: each gets its rows here, inline or
# from a CSV file next to the tests. The output sorts by revenue, so the
# expected rows are compared in order.
test "adults_are_counted_per_country" {
  product = product.adult_customers_by_country

  given "customers" {
    rows = [
      { id = 1, age = 30, country = "de", email = "Ada@Example.com" },
      { id = 2, age = 12, country = "de", email = null },
      { id = 3, age = 45, country = "fr", email = "bo@example.com" },
      { id = 4, age = 51, country = null, email = "cy@example.com" },
      { id = 5, age = 19, country = "de", email = null },
    ]
  }
  given "orders" {
    csv = "fixtures/orders.csv"
  }

  expect {
    rows = [
      { country = "DE", customers = 2, revenue = 25.5 },
      { country = "FR", customers = 1, revenue = 7.25 },
    ]
  }
}

# One transform on its own: only the inputs it reads need rows, and only
# the columns named are compared.
test "adults_keep_adults_with_a_country" {
  product = product.adult_customers_by_country

  given "customers" {
    rows = [
      { id = 1, age = 30, country = "de", email = "Ada@Example.com" },
      { id = 2, age = 18, country = "de" },
      { id = 3, age = 45, country = null },
    ]
  }

  expect {
    transform = "adults"
    rows = [
      { id = 1, country = "DE", email = "ada@example.com" },
    ]
  }
}

# A policy test judges a product written here (or product.NAME) against one
# policy; the snippet is loaded into a copy of the workspace.
policy_test "unmasked_emails_are_refused" {
  policy         = policy.pii_is_masked
  expect         = "fail"
  expect_message = "customer_emails.email carries PII"

  product = <<-EOT
    product "customer_emails" {
      domain      = domain.sales
      owner       = "sales-data@acme.example"
      description = "Every customer's e-mail address"

      input "customers" {
        from = source.customers
      }
      transform "emails" {
        from = input.customers
        select {
          columns = {
            id    = id
            email = lower(email)
          }
        }
      }
      output {
        path = "lake/customer_emails/"
      }
    }
  EOT
}

policy_test "hashed_emails_pass" {
  policy = policy.pii_is_masked
  expect = "pass"

  product = <<-EOT
    product "customer_emails" {
      domain      = domain.sales
      owner       = "sales-data@acme.example"
      description = "Every customer's e-mail address, hashed"

      input "customers" {
        from = source.customers
      }
      transform "emails" {
        from = input.customers
        select {
          columns = {
            id    = id
            email = lower(email)
          }
        }
      }
      output {
        path = "lake/customer_emails/"
      }
      contract {
        column "email" {
          type = "string"
          mask = "hash"
        }
      }
    }
  EOT
}
