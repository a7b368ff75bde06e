// Package addrs holds typed addresses of the objects a workspace declares
// (domain.sales, source.crm, product.orders_clean, product.x.column.y,
// policy.p, and inside a product input.x and transform.y), so that maps and
// plans are keyed by types rather than raw strings. String prints each in
// HCL traversal syntax.
//
// addrs imports nothing from meshctl.
package addrs

import "fmt"

// Kind is the kind of object an address names.
type Kind uint8

const (
	DomainKind Kind = iota + 1
	SourceKind
	ProductKind
	PolicyKind
	ExemptionKind
	// InputKind and TransformKind name objects inside one product.
	InputKind
	TransformKind
)

var kindNames = [...]string{DomainKind: "domain", SourceKind: "source", ProductKind: "product",
	PolicyKind: "policy", ExemptionKind: "exemption", InputKind: "input", TransformKind: "transform"}

// String returns the kind's keyword ("product").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// KindByName returns the kind whose keyword is s.
func KindByName(s string) (Kind, bool) {
	for k, n := range kindNames {
		if n == s && n != "" {
			return Kind(k), true
		}
	}
	return 0, false
}

// Ref is the address of a named object: product.orders_clean. Inside a
// product, input.x and transform.y are Refs of InputKind and TransformKind.
type Ref struct {
	Kind Kind
	Name string
}

// String prints the address in HCL traversal syntax.
func (r Ref) String() string { return r.Kind.String() + "." + r.Name }

// Product returns the address product.name.
func Product(name string) Ref { return Ref{Kind: ProductKind, Name: name} }

// Source returns the address source.name.
func Source(name string) Ref { return Ref{Kind: SourceKind, Name: name} }

// Domain returns the address domain.name.
func Domain(name string) Ref { return Ref{Kind: DomainKind, Name: name} }

// Policy returns the address policy.name.
func Policy(name string) Ref { return Ref{Kind: PolicyKind, Name: name} }

// Column is the address of one column of a product: product.x.column.y.
type Column struct {
	Product Ref
	Name    string
}

// String prints the address in HCL traversal syntax.
func (c Column) String() string { return c.Product.String() + ".column." + c.Name }
