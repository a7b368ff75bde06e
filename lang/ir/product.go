package ir

import (
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/types"
)

// Product is one data product compiled: the plans of its transforms, what
// it publishes and the checks its output must pass.
type Product struct {
	Name string
	// Inputs are the sources and products the product reads, in the order
	// declared.
	Inputs []Input
	// Transforms are in dependency order; their roots are nodes of the
	// output plan (or of each other's).
	Transforms []Transform
	Output     Output
	Checks     []Check
}

// Input is one named input of a product.
type Input struct {
	Name   string
	Source *Source
}

// Transform names the root of one transform's plan.
type Transform struct {
	Name string
	Root Node
}

// Output is the plan of what the product publishes and where.
type Output struct {
	// Root computes the published rows; contract types are applied.
	Root Node
	// Schema is the published schema: Root's columns with the contract's
	// nullability, descriptions and tags.
	Schema types.Schema
	Format string
	// Path is a folder or an s3:// prefix; Table a PostgreSQL table.
	Path        string
	Table       string
	Endpoint    string
	PartitionBy []string
	// Compression is "snappy" (default) or "zstd" for Parquet.
	Compression string
}

// Severity of a check: an "error" check that fails blocks publication, a
// "warn" check is reported.
type Severity string

// Check severities.
const (
	SeverityError Severity = "error"
	SeverityWarn  Severity = "warn"
)

// Check is a quality assertion over a product's whole output. Root is an
// Aggregate over Output.Root (the same node: the executor computes the
// output once) followed by a Project, and yields exactly one row with one
// bool column: true means the check passed, false or null that it failed.
type Check struct {
	Name     string
	Severity Severity
	Root     Node
	// Implicit marks checks the compiler adds to enforce the contract
	// (nullable = false on a column it cannot prove non-null).
	Implicit bool
	// Column is, for an implicit check, the contract column whose
	// nullable = false it enforces. Its Aggregate computes count() and
	// count(Column), in that order, so that a failure can say how many
	// rows are null.
	Column string
	Src    diag.Range
}
