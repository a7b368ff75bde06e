package postgres

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// statement is the SELECT a scan sends and its bind parameters, encoded in
// the binary format.
type statement struct {
	sql    string
	params [][]byte
	oids   []uint32
	// pushed counts the predicates in the WHERE clause.
	pushed int
}

// sqlOps spells the comparisons meshctl pushes down.
var sqlOps = map[ir.BinaryOp]string{ir.Eq: "=", ir.Ne: "<>", ir.Lt: "<", ir.Le: "<=", ir.Gt: ">", ir.Ge: ">="}

// castNames are the types of bind parameters, written into the SQL so that
// a reader of the statement (pg_stat_activity, a log) sees them.
var castNames = map[uint32]string{
	pgtype.BoolOID: "bool", pgtype.Int4OID: "int4", pgtype.Int8OID: "int8", pgtype.Float8OID: "float8",
	pgtype.NumericOID: "numeric", pgtype.TextOID: "text", pgtype.DateOID: "date",
	pgtype.TimestampOID: "timestamp", pgtype.TimestamptzOID: "timestamptz",
}

// buildSelect writes the scan's statement: the columns cols from rel,
// filtered by those of preds that PostgreSQL evaluates exactly as meshctl
// does; with no columns, the count of the rows. predCols holds the plan of
// each predicate's column (nil where the column cannot be read).
func buildSelect(rel relation, cols []column, preds []dataio.Predicate, predCols []*column, tm *pgtype.Map) (statement, error) {
	var st statement
	var b strings.Builder
	b.WriteString("SELECT ")
	if len(cols) == 0 {
		b.WriteString("count(*)")
	}
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pgx.Identifier{c.name}.Sanitize())
	}
	b.WriteString(" FROM ")
	b.WriteString(rel.from)
	b.WriteString(" AS ")
	b.WriteString(alias)
	for i, p := range preds {
		c := predCols[i]
		if c == nil {
			continue
		}
		cond, ok, err := st.condition(*c, p, tm)
		if err != nil {
			return statement{}, err
		}
		if !ok {
			continue
		}
		if st.pushed == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		b.WriteString(cond)
		st.pushed++
	}
	st.sql = b.String()
	return st, nil
}

// condition writes p as SQL, adding its value to the parameters; ok is
// false for a predicate that PostgreSQL could evaluate differently from
// meshctl, which must then not drop rows.
func (st *statement) condition(c column, p dataio.Predicate, tm *pgtype.Map) (cond string, ok bool, err error) {
	col := pgx.Identifier{c.name}.Sanitize()
	if p.NotNull {
		return col + " IS NOT NULL", true, nil
	}
	op, known := sqlOps[p.Op]
	v := p.Value
	if !known || v.Null || v.Type.Kind != c.typ.Kind || c.lossy {
		return "", false, nil
	}
	var (
		oid   uint32
		value any
	)
	switch v.Type.Kind {
	case types.Bool:
		oid, value = pgtype.BoolOID, v.Bool
	case types.Int32:
		oid, value = pgtype.Int4OID, int32(v.Int)
	case types.Int64:
		oid, value = pgtype.Int8OID, v.Int
	case types.Float64:
		if math.IsNaN(v.Float) {
			return "", false, nil
		}
		oid, value = pgtype.Float8OID, v.Float
	case types.Decimal:
		if v.Dec == nil {
			return "", false, nil
		}
		oid, value = pgtype.NumericOID, pgtype.Numeric{Int: v.Dec, Exp: -int32(v.Type.Scale), Valid: true}
	case types.String:
		oid, value = pgtype.TextOID, v.Str
		if p.Op != ir.Eq {
			// meshctl orders strings by their bytes, as the C collation
			// does; the column's own collation may not. Equality needs no
			// collation (and so keeps the column's indexes usable): no
			// collation makes byte-equal strings unequal.
			col += ` COLLATE "C"`
		}
	case types.Date:
		oid, value = pgtype.DateOID, pgtype.Date{Time: time.Unix(v.Int*86400, 0).UTC(), Valid: true}
	case types.Timestamp:
		t := time.UnixMicro(v.Int).UTC()
		if c.field.oid == pgtype.TimestamptzOID {
			oid, value = pgtype.TimestamptzOID, pgtype.Timestamptz{Time: t, Valid: true}
		} else {
			oid, value = pgtype.TimestampOID, pgtype.Timestamp{Time: t, Valid: true}
		}
	default:
		return "", false, nil
	}
	buf, err := tm.Encode(oid, pgtype.BinaryFormatCode, value, nil)
	if err != nil {
		return "", false, fmt.Errorf("column %q: encode %s for the server: %w", c.name, v, err)
	}
	st.params = append(st.params, buf)
	st.oids = append(st.oids, oid)
	return fmt.Sprintf("%s %s $%d::%s", col, op, len(st.params), castNames[oid]), true, nil
}
