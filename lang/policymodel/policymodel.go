// Package policymodel is the object model policies are written against:
// the cty types of product, column, output, source and change, which of
// them a policy sees for each applies_to, the Go values the planner fills
// them from, and the functions policy expressions may call. The compiler
// type-checks policies against it; the planner builds values of these
// types to evaluate them. Keeping both on one definition means a policy
// that validates can be evaluated.
//
// policymodel imports cty and HCL's try/can only; it must not import the planner, the
// executor, providers or cmd.
package policymodel

import (
	"github.com/zclconf/go-cty/cty"
)

// ColumnType is a column of a product's published schema, or of a source.
var ColumnType = cty.Object(map[string]cty.Type{
	"name":        cty.String,
	"type":        cty.String,
	"nullable":    cty.Bool,
	"description": cty.String,
	// tags are the classification tags after propagation: a derived column
	// carries the tags of the columns it is computed from.
	"tags": cty.List(cty.String),
	// tag_sources names the input columns the tags came from, such as
	// "source.crm.email" (empty for a source's own columns).
	"tag_sources": cty.List(cty.String),
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
	// encryption is null, "AES256" or "aws:kms"; kms_key_id is null
	// unless set.
	"encryption": cty.String,
	"kms_key_id": cty.String,
	"columns":    cty.List(ColumnType),
})

// SLAType is a product's service level; product.sla is null without one.
var SLAType = cty.Object(map[string]cty.Type{
	// freshness is the duration as written ("24h"); freshness_hours the
	// same in hours, for comparisons.
	"freshness":       cty.String,
	"freshness_hours": cty.Number,
})

// CheckType is a declared quality check.
var CheckType = cty.Object(map[string]cty.Type{
	"name":     cty.String,
	"severity": cty.String,
})

// AccessType says who may read a product.
var AccessType = cty.Object(map[string]cty.Type{
	"readers": cty.List(cty.String),
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
	"inputs": cty.List(cty.String),
	// columns are the published columns; contract those the contract
	// promises (empty without a contract).
	"columns":         cty.List(ColumnType),
	"contract":        cty.List(ColumnType),
	"has_contract":    cty.Bool,
	"output":          OutputType,
	"checks":          cty.List(CheckType),
	"sla":             SLAType,
	"access":          AccessType,
	"prevent_destroy": cty.Bool,
})

// SourceType is a system the mesh reads from; secrets (DSNs) are never
// part of it.
var SourceType = cty.Object(map[string]cty.Type{
	"name":        cty.String,
	"type":        cty.String,
	"domain":      cty.String,
	"description": cty.String,
	"path":        cty.String,
	"table":       cty.String,
	// query is a PostgreSQL source's query ("" for a table).
	"query":    cty.String,
	"endpoint": cty.String,
	// has_dsn is true when the source names a DSN (the DSN itself is
	// secret); dsn_from_env is true when it comes from env().
	"has_dsn":      cty.Bool,
	"dsn_from_env": cty.Bool,
	"columns":      cty.List(ColumnType),
})

// ColumnChangeType is one change to a published contract.
var ColumnChangeType = cty.Object(map[string]cty.Type{
	"column": cty.String,
	// kind is added, removed, type, nullable, description, tags or mask.
	"kind":     cty.String,
	"before":   cty.String,
	"after":    cty.String,
	"breaking": cty.Bool,
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
	"version_before":       cty.String,
	"version_after":        cty.String,
	"reasons":              cty.List(cty.String),
	"removed_columns":      cty.List(cty.String),
	"added_columns":        cty.List(cty.String),
	"changed_columns":      cty.List(cty.String),
	// masks_removed lists the columns published masked before and not now.
	"masks_removed":  cty.List(cty.String),
	"column_changes": cty.List(ColumnChangeType),
	// downstream lists the products that read this one, directly or not.
	"downstream": cty.List(cty.String),
})

// Targets lists the values of applies_to, in documentation order.
var Targets = []string{"product", "column", "output", "source", "change"}

// Scope returns the variables a policy that applies to target sees: the
// product (except for sources, which belong to no product), and the
// column, output, source or change it is about.
func Scope(target string) map[string]cty.Type {
	if target == "source" {
		return map[string]cty.Type{"source": SourceType}
	}
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
