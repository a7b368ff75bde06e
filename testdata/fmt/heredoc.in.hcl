policy "products_have_owner" {
  description = <<EOT
Every data product names an owning team.   
	Tabs and trailing spaces in here are part of the value.


Two blank lines above stay.
EOT
  message     =   <<-MSG
    product ${product.name} has no owner
      (indented heredoc, ${ upper("kept") })
    MSG
  enforcement="hard_mandatory"
}
