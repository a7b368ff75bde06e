package policymodel_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/meshctl/meshctl/lang/policymodel"
)

// TestFunctions evaluates policy expressions over a product value: the
// functions meshctl adds to HCL's, and the Terraform behaviour of regex.
func TestFunctions(t *testing.T) {
	product := policymodel.Product{
		Name: "orders_clean", Tags: []string{"tier:gold", "finance"},
		Columns: []policymodel.Column{{Name: "email", Tags: []string{"pii"}, Mask: "hash"}, {Name: "amount"}},
		Readers: []string{"everyone"},
	}.Value()
	tests := []struct {
		expr string
		want cty.Value
		err  string
	}{
		{expr: `startswith(product.name, "orders")`, want: cty.True},
		{expr: `endswith(product.name, "_dirty")`, want: cty.False},
		{expr: `matches(product.name, "^[a-z_]+$")`, want: cty.True},
		{expr: `can(regex("^[a-z_]+$", product.name))`, want: cty.True},
		{expr: `can(regex("^[A-Z]", product.name))`, want: cty.False},
		{expr: `regex("[a-z]+", "42 orders")`, want: cty.StringVal("orders")},
		{expr: `regex("(\\d+) (\\w+)", "42 orders")`, want: cty.TupleVal([]cty.Value{cty.StringVal("42"), cty.StringVal("orders")})},
		{expr: `regex("^x", product.name)`, err: "pattern did not match"},
		{expr: `regex("(", product.name)`, err: "invalid regular expression"},
		{expr: `length(product.name)`, want: cty.NumberIntVal(12)},
		{expr: `length(product.tags)`, want: cty.NumberIntVal(2)},
		{expr: `length(product.access)`, want: cty.NumberIntVal(1)},
		{expr: `alltrue([for c in product.columns : c.mask != null])`, want: cty.False},
		{expr: `anytrue([for c in product.columns : contains(c.tags, "pii")])`, want: cty.True},
		{expr: `alltrue([])`, want: cty.True},
		{expr: `anytrue([])`, want: cty.False},
		{expr: `contains(product.access.readers, "everyone")`, want: cty.True},
		{expr: `join(",", sort(product.tags))`, want: cty.StringVal("finance,tier:gold")},
		{expr: `try(product.sla.freshness, "none")`, want: cty.StringVal("none")},
		{expr: `product.sla == null`, want: cty.True},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			x, diags := hclsyntax.ParseExpression([]byte(tt.expr), "test.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got, diags := x.Value(&hcl.EvalContext{Variables: map[string]cty.Value{"product": product}, Functions: policymodel.Functions()})
			if tt.err != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.err) {
					t.Fatalf("got %#v, %v; want an error with %q", got, diags, tt.err)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if !got.RawEquals(tt.want) {
				t.Errorf("= %#v, want %#v", got, tt.want)
			}
		})
	}
}
