# Where data lives.

policy "s3_outputs_encrypted" {
  description = "Outputs in S3 are encrypted at rest"
  enforcement = "hard_mandatory"
  applies_to  = "output"
  when        = startswith(output.path, "s3://")
  condition   = output.encryption != null
  message     = "${product.name} writes to ${output.path} unencrypted: set encryption = \"AES256\" or \"aws:kms\" on its output"
}

policy "postgres_dsn_from_env" {
  description = "Database credentials come from the environment, never from the code"
  enforcement = "hard_mandatory"
  applies_to  = "source"
  when        = source.type == "postgres"
  condition   = source.dsn_from_env
  message     = "source ${source.name} writes its DSN in the code: use dsn = env(\"...\")"
}
