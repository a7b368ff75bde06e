source "crm" {
  type  = "postgres"
  dsn = env("CRM_PG_DSN")  
  # secrets only through env()


  table = "public.customers"
}

product "notes" {
  description = <<EOT
line one
line two
EOT
}
