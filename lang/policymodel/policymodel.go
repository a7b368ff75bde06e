// Package policymodel is the object model policies are written against:
// the cty types of product, column, output and change, which of them a
// policy sees for each applies_to, and the functions its expressions may
// call. The compiler type-checks policies against it; the planner builds
// values of these types to evaluate them. Keeping both on one definition
// means a policy that validates can be evaluated.
//
// policymodel imports cty only; it must not import the planner, the
// executor, providers or cmd.
package policymodel

import (
	"regexp"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// ColumnType is a column of a product's published schema.
var ColumnType = cty.Object(map[string]cty.Type{
	"name":        cty.String,
	"type":        cty.String,
	"nullable":    cty.Bool,
	"description": cty.String,
	"tags":        cty.List(cty.String),
	// mask is null when the column is published unmasked.
	"mask": cty.String,
	// contract is true when the product's contract promises the column.
	"contract": cty.Bool,
})

// OutputType is where and how a product publishes.
var OutputType = cty.Object(map[string]cty.Type{
	"format":       cty.String,
	"path":         cty.String,
	"table":        cty.String,
	"partition_by": cty.List(cty.String),
	"columns":      cty.List(ColumnType),
})

// ProductType is a data product as policies see it.
var ProductType = cty.Object(map[string]cty.Type{
	"name":        cty.String,
	"domain":      cty.String,
	"owner":       cty.String,
	"team":        cty.String,
	"description": cty.String,
	"version":     cty.String,
	"tags":        cty.List(cty.String),
	// inputs are addresses: "source.crm", "product.orders_clean".
	"inputs":          cty.List(cty.String),
	"columns":         cty.List(ColumnType),
	"output":          OutputType,
	"has_contract":    cty.Bool,
	"checks":          cty.List(cty.String),
	"freshness":       cty.String,
	"prevent_destroy": cty.Bool,
})

// ChangeType is a planned change to a product.
var ChangeType = cty.Object(map[string]cty.Type{
	// action is create, update, replace, delete or no-op.
	"action":   cty.String,
	"breaking": cty.Bool,
	// required_bump and declared_bump are major, minor, patch or none.
	"required_bump":        cty.String,
	"declared_bump":        cty.String,
	"major_version_bumped": cty.Bool,
	"reasons":              cty.List(cty.String),
	// downstream lists the products that read this one.
	"downstream": cty.List(cty.String),
})

// Targets lists the values of applies_to, in documentation order.
var Targets = []string{"product", "column", "output", "change"}

// Scope returns the variables a policy that applies to target sees: the
// product always, and the column, output or change it is about.
func Scope(target string) map[string]cty.Type {
	s := map[string]cty.Type{"product": ProductType}
	switch target {
	case "column":
		s["column"] = ColumnType
	case "output":
		s["output"] = OutputType
	case "change":
		s["change"] = ChangeType
	}
	return s
}

// Functions returns the functions policy expressions may call.
func Functions() map[string]function.Function {
	return map[string]function.Function{
		"contains":   stdlib.ContainsFunc,
		"length":     stdlib.LengthFunc,
		"lower":      stdlib.LowerFunc,
		"upper":      stdlib.UpperFunc,
		"trimspace":  stdlib.TrimSpaceFunc,
		"coalesce":   stdlib.CoalesceFunc,
		"concat":     stdlib.ConcatFunc,
		"join":       stdlib.JoinFunc,
		"split":      stdlib.SplitFunc,
		"startswith": stringPredicate(strings.HasPrefix),
		"endswith":   stringPredicate(strings.HasSuffix),
		"matches":    matchesFunc,
	}
}

func stringPredicate(fn func(s, affix string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "s", Type: cty.String}, {Name: "affix", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(fn(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// matchesFunc reports whether a string matches a regular expression (RE2).
var matchesFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "s", Type: cty.String}, {Name: "pattern", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		re, err := regexp.Compile(args[1].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(1, "invalid regular expression: %s", err)
		}
		return cty.BoolVal(re.MatchString(args[0].AsString())), nil
	},
})
