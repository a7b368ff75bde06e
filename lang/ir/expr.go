package ir

import (
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/types"
)

// Expr is a typed scalar expression over the columns of one input batch.
// The set of expressions is closed: ColumnRef, Literal, Unary, Binary, Cast,
// IsNull, Cond, Call, In.
type Expr interface {
	// Type is the type of the value the expression yields.
	Type() types.Type
	// Nullable reports whether the expression may yield null.
	Nullable() bool
	// Range is where the expression was written, for runtime errors.
	Range() diag.Range
	isExpr()
}

// Meta is the part every expression node shares.
type Meta struct {
	T    types.Type
	Null bool
	Src  diag.Range
}

// Type implements Expr.
func (m Meta) Type() types.Type { return m.T }

// Nullable implements Expr.
func (m Meta) Nullable() bool { return m.Null }

// Range implements Expr.
func (m Meta) Range() diag.Range { return m.Src }

func (Meta) isExpr() {}

// ColumnRef reads the input column at Index.
type ColumnRef struct {
	Meta
	Index int
	// Name is for explain output only.
	Name string
}

// Literal is a constant.
type Literal struct {
	Meta
	Value Value
}

// UnaryOp is a prefix operator.
type UnaryOp uint8

const (
	// Not is boolean negation; !null is null.
	Not UnaryOp = iota + 1
	// Neg is arithmetic negation.
	Neg
)

// String returns the operator as written in HCL.
func (o UnaryOp) String() string {
	if o == Not {
		return "!"
	}
	return "-"
}

// Unary applies a prefix operator.
type Unary struct {
	Meta
	Op UnaryOp
	X  Expr
}

// BinaryOp is an infix operator.
type BinaryOp uint8

const (
	Add BinaryOp = iota + 1
	Sub
	Mul
	// Div always yields float64 for integer and float operands and
	// float64 for decimals too (as DuckDB does); division by zero yields
	// null.
	Div
	// Mod is the remainder, with the sign of the dividend; x % 0 is null.
	Mod
	Eq
	Ne
	Lt
	Le
	Gt
	Ge
	// And and Or follow SQL's three-valued logic: false && null is false,
	// true || null is true, otherwise null wins.
	And
	Or
)

var binaryNames = [...]string{Add: "+", Sub: "-", Mul: "*", Div: "/", Mod: "%", Eq: "==", Ne: "!=",
	Lt: "<", Le: "<=", Gt: ">", Ge: ">=", And: "&&", Or: "||"}

// String returns the operator as written in HCL.
func (o BinaryOp) String() string {
	if int(o) < len(binaryNames) && binaryNames[o] != "" {
		return binaryNames[o]
	}
	return "?"
}

// Mirror returns the comparison that gives the same result with the
// operands swapped (3 < x is x > 3); other operators are returned as is.
func (o BinaryOp) Mirror() BinaryOp {
	switch o {
	case Lt:
		return Gt
	case Le:
		return Ge
	case Gt:
		return Lt
	case Ge:
		return Le
	}
	return o
}

// IsComparison reports whether o compares its operands.
func (o BinaryOp) IsComparison() bool { return o >= Eq && o <= Ge }

// IsArithmetic reports whether o computes a number.
func (o BinaryOp) IsArithmetic() bool { return o >= Add && o <= Mod }

// IsLogical reports whether o is && or ||.
func (o BinaryOp) IsLogical() bool { return o == And || o == Or }

// Binary applies an infix operator. L and R have the same type (the
// compiler inserts Cast nodes for implicit widening), with one exception:
// decimal multiplication takes decimals of any precision and scale and
// yields scale L.Scale+R.Scale, as in SQL (decimal(18,2) * 2 is
// decimal(19,2)). Decimal results are capped at 38 digits; an overflow is a
// run-time error.
type Binary struct {
	Meta
	Op   BinaryOp
	L, R Expr
}

// Cast converts X to the node's type. Implicit casts (inserted by the
// compiler for widening) never fail, except a decimal converted to a
// 38-digit decimal of larger scale (types.Common at the cap), which is
// checked value by value. Explicit ones come from cast(x, "t"):
// a value that does not convert is a runtime error naming the value and
// the row.
type Cast struct {
	Meta
	X        Expr
	Explicit bool
}

// IsNull tests X for null (x == null, is_null(x)); Negated for x != null.
// It never yields null.
type IsNull struct {
	Meta
	X       Expr
	Negated bool
}

// Cond is cond ? then : else; a null condition takes the else branch, as
// SQL's CASE WHEN does. Then and Else have the node's type.
type Cond struct {
	Meta
	If, Then, Else Expr
}

// In tests membership of X in a list of constants of X's type: contains(list, x).
// A null X yields null; a miss when the list holds a null yields null.
type In struct {
	Meta
	X    Expr
	List []Value
}

// Call applies a scalar function.
type Call struct {
	Meta
	Fn   Func
	Args []Expr
}

// Func is a scalar function.
type Func uint8

const (
	FnLower Func = iota + 1
	FnUpper
	FnTrim
	// FnLength counts Unicode characters of a string (int64).
	FnLength
	// FnSubstr is substr(s, start [, length]) with start counted from 1, as
	// in SQL.
	FnSubstr
	// FnConcat joins its string arguments; null arguments count as "".
	FnConcat
	// FnTemplate joins the parts of a template ("${a}-${b}"); any null part
	// makes the result null.
	FnTemplate
	// FnCoalesce returns its first non-null argument.
	FnCoalesce
	FnAbs
	// FnRound rounds half away from zero to Args[1] digits (a constant).
	FnRound
	FnFloor
	FnCeil
	// FnLike matches SQL LIKE patterns: % any run, _ one character, \ escapes.
	FnLike
	FnYear
	FnMonth
	FnDay
	// FnDateTrunc truncates Args[1] to the unit named by the constant Args[0]
	// (year, quarter, month, week, day, hour, minute, second).
	FnDateTrunc
	// FnNow is the time the run started: one value for every row.
	FnNow
	// FnMaskHash publishes a contract column with mask = "hash": the
	// lower-case hex HMAC-SHA256 of the value's text, keyed by the mesh's
	// mask_key (plain SHA-256 without one). Null stays null.
	FnMaskHash
	// FnMaskRedact publishes mask = "redact": "****" for every non-null
	// value, whatever its type. Null stays null.
	FnMaskRedact
	// FnMaskNull publishes mask = "null": null of the call's type (the
	// computed type, or one the contract widens it to) in every row. Its
	// argument, the masked column, is evaluated and its value discarded.
	FnMaskNull
	// FnMaskLast4 publishes mask = "last4": the value's text (as
	// FnMaskHash reads it) with every character but the last 4 replaced
	// by '*'; a text of 4 characters or fewer becomes all '*', so that
	// the mask never reveals a whole value. Characters are runes (an
	// invalid UTF-8 byte counts as one). Null stays null.
	FnMaskLast4
	// FnMaskEmailDomain publishes mask = "email_domain": "***" followed
	// by the value's text from its last '@' ("alice@example.com" becomes
	// "***@example.com"); "***" when it has none. Null stays null.
	FnMaskEmailDomain
)

var funcNames = [...]string{FnLower: "lower", FnUpper: "upper", FnTrim: "trim", FnLength: "length",
	FnSubstr: "substr", FnConcat: "concat", FnTemplate: "template", FnCoalesce: "coalesce", FnAbs: "abs",
	FnRound: "round", FnFloor: "floor", FnCeil: "ceil", FnLike: "like", FnYear: "year", FnMonth: "month",
	FnDay: "day", FnDateTrunc: "date_trunc", FnNow: "now", FnMaskHash: "mask_hash",
	FnMaskRedact: "mask_redact", FnMaskNull: "mask_null", FnMaskLast4: "mask_last4", FnMaskEmailDomain: "mask_email_domain"}

// String returns the function's name as written in HCL.
func (f Func) String() string {
	if int(f) < len(funcNames) && funcNames[f] != "" {
		return funcNames[f]
	}
	return "?"
}

// AggFunc is an aggregate function.
type AggFunc uint8

const (
	// AggCountRows is count(): the number of rows.
	AggCountRows AggFunc = iota + 1
	// AggCount is count(x): the number of non-null x.
	AggCount
	AggCountDistinct
	AggSum
	AggMin
	AggMax
	// AggAvg is the mean as float64.
	AggAvg
)

var aggNames = [...]string{AggCountRows: "count", AggCount: "count", AggCountDistinct: "count_distinct",
	AggSum: "sum", AggMin: "min", AggMax: "max", AggAvg: "avg"}

// String returns the aggregate's name as written in HCL.
func (f AggFunc) String() string {
	if int(f) < len(aggNames) && aggNames[f] != "" {
		return aggNames[f]
	}
	return "?"
}

// AggCall is one aggregate computed by an Aggregate node. Arg is nil for
// count(). Null arguments are ignored, as in SQL; sum, min, max and avg of
// no values are null.
type AggCall struct {
	Meta
	Fn  AggFunc
	Arg Expr
}
