package ir

import "github.com/meshctl/meshctl/lang/types"

// Node is a logical plan operator. The set is closed: Scan, Filter, Project,
// Join, Aggregate, Sort, Limit, Distinct, Union. A node may feed several
// parents (a transform used twice); the plan is a DAG.
type Node interface {
	// Schema is the node's output: every column's name, type and
	// nullability.
	Schema() types.Schema
	// Children are the node's inputs, left to right.
	Children() []Node
	isNode()
}

// SourceKind says what a Scan reads.
type SourceKind uint8

const (
	SourceCSV SourceKind = iota + 1
	SourceParquet
	SourcePostgres
	// SourceProduct reads the published output of another product.
	SourceProduct
)

var sourceKindNames = [...]string{SourceCSV: "csv", SourceParquet: "parquet", SourcePostgres: "postgres", SourceProduct: "product"}

// String returns the kind as written in HCL.
func (k SourceKind) String() string {
	if int(k) < len(sourceKindNames) {
		return sourceKindNames[k]
	}
	return "?"
}

// Source is everything the executor needs to read a source: where, how, and
// which schema the compiler assumed.
type Source struct {
	Kind SourceKind
	// Name is the source's or the product's name.
	Name string
	// Path is a file, a folder or an s3:// prefix; relative paths are
	// relative to the workspace root. For a product input, the upstream's
	// output path.
	Path string
	// Format is, for a product input, the upstream's output format
	// ("parquet", "csv") to read it with.
	Format string
	// Table is the PostgreSQL table (schema.table).
	Table string
	// Query is, instead of Table, the SELECT whose result a PostgreSQL
	// source reads.
	Query string
	// DSNEnv names the environment variable holding the PostgreSQL DSN:
	// secrets never enter the IR.
	DSNEnv string
	// DSN is a DSN written literally (no secret; a local database, say).
	DSN      string
	Endpoint string
	CSV      CSVOptions
	// Declared is true when the schema was declared in HCL rather than read
	// from the data: the executor checks it against the data it reads.
	Declared bool
}

// CSVOptions controls CSV parsing.
type CSVOptions struct {
	Delimiter rune
	Header    bool
	// NullValue is the text read as null (default: the empty field).
	NullValue string
	// OnError is "fail" (default), "skip" or "quarantine".
	OnError string
}

// Scan reads a source with the schema Out.
type Scan struct {
	Source *Source
	Out    types.Schema
}

// Filter keeps the rows for which Pred is true (not false, not null).
type Filter struct {
	Input Node
	Pred  Expr
	// Out is Input's schema with the columns that Pred proves non-null
	// (age > 18 is never true for a null age) marked so; nil means
	// Input's schema unchanged.
	Out types.Schema
}

// Project computes one output column per expression.
type Project struct {
	Input Node
	Exprs []Expr
	Out   types.Schema
}

// JoinKind is the kind of a join.
type JoinKind uint8

const (
	InnerJoin JoinKind = iota + 1
	LeftJoin
	RightJoin
	FullJoin
	// SemiJoin keeps the left rows that have a match, once each.
	SemiJoin
	// AntiJoin keeps the left rows that have no match.
	AntiJoin
)

var joinNames = [...]string{InnerJoin: "inner", LeftJoin: "left", RightJoin: "right", FullJoin: "full", SemiJoin: "semi", AntiJoin: "anti"}

// String returns the kind as written in HCL.
func (k JoinKind) String() string {
	if int(k) < len(joinNames) {
		return joinNames[k]
	}
	return "?"
}

// ParseJoinKind reads a join type as written in HCL.
func ParseJoinKind(s string) (JoinKind, bool) {
	for k, n := range joinNames {
		if n != "" && n == s {
			return JoinKind(k), true
		}
	}
	return 0, false
}

// JoinKindNames lists the join types, for error messages.
const JoinKindNames = "inner, left, right, full, semi, anti"

// Join is an equi-join: rows match when LeftKeys[i] equals RightKeys[i] for
// every i (LeftKeys over Left's schema, RightKeys over Right's, pairwise of
// one type). Null keys never match. Out is Left's columns then Right's (only
// Left's for semi and anti joins), made nullable on the outer side.
type Join struct {
	Left, Right         Node
	Kind                JoinKind
	LeftKeys, RightKeys []Expr
	// RightName is what expressions call the right side (orders in
	// orders.id), for explain output.
	RightName string
	Out       types.Schema
}

// Aggregate groups its input by Keys and computes Aggs per group; with no
// keys it yields exactly one row. Out is the keys then the aggregates.
type Aggregate struct {
	Input Node
	Keys  []Expr
	Aggs  []AggCall
	Out   types.Schema
}

// SortKey is one key of a Sort.
type SortKey struct {
	Expr       Expr
	Desc       bool
	NullsFirst bool
}

// Sort orders its input by Keys, stably.
type Sort struct {
	Input Node
	Keys  []SortKey
}

// Limit skips Offset rows then passes at most Count.
type Limit struct {
	Input  Node
	Count  int64
	Offset int64
}

// Distinct removes duplicate rows.
type Distinct struct {
	Input Node
}

// Union concatenates its inputs, whose schemas the compiler has aligned
// (same names, same types, in the same order); with Distinct, duplicates
// are removed.
type Union struct {
	Inputs   []Node
	Distinct bool
	Out      types.Schema
}

func (n *Scan) Schema() types.Schema { return n.Out }
func (n *Filter) Schema() types.Schema {
	if n.Out != nil {
		return n.Out
	}
	return n.Input.Schema()
}
func (n *Project) Schema() types.Schema   { return n.Out }
func (n *Join) Schema() types.Schema      { return n.Out }
func (n *Aggregate) Schema() types.Schema { return n.Out }
func (n *Sort) Schema() types.Schema      { return n.Input.Schema() }
func (n *Limit) Schema() types.Schema     { return n.Input.Schema() }
func (n *Distinct) Schema() types.Schema  { return n.Input.Schema() }
func (n *Union) Schema() types.Schema     { return n.Out }

func (n *Scan) Children() []Node      { return nil }
func (n *Filter) Children() []Node    { return []Node{n.Input} }
func (n *Project) Children() []Node   { return []Node{n.Input} }
func (n *Join) Children() []Node      { return []Node{n.Left, n.Right} }
func (n *Aggregate) Children() []Node { return []Node{n.Input} }
func (n *Sort) Children() []Node      { return []Node{n.Input} }
func (n *Limit) Children() []Node     { return []Node{n.Input} }
func (n *Distinct) Children() []Node  { return []Node{n.Input} }
func (n *Union) Children() []Node     { return n.Inputs }

func (*Scan) isNode()      {}
func (*Filter) isNode()    {}
func (*Project) isNode()   {}
func (*Join) isNode()      {}
func (*Aggregate) isNode() {}
func (*Sort) isNode()      {}
func (*Limit) isNode()     {}
func (*Distinct) isNode()  {}
func (*Union) isNode()     {}
