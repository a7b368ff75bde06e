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
