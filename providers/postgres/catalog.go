package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshctl/meshctl/lang/types"
)

// field is one column of a relation as PostgreSQL describes it.
type field struct {
	name string
	// oid and typmod are the column's type; a domain is described by its
	// base type, as the server sends its values.
	oid    uint32
	typmod int32
	// typeName is the type as PostgreSQL prints it ("numeric(12,2)").
	typeName string
	// notNull is set for a table column with a NOT NULL constraint.
	notNull bool
}

// describe returns the columns a SELECT * of rel returns, in order,
// without running it.
func describe(ctx context.Context, conn *pgx.Conn, rel relation) ([]field, error) {
	stmt := rel.selectAll()
	sd, err := conn.PgConn().Prepare(ctx, "", stmt, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel.label, sqlError(err, stmt, rel.query))
	}
	fields := make([]field, len(sd.Fields))
	oids := make([]uint32, len(sd.Fields))
	mods := make([]int32, len(sd.Fields))
	seen := make(map[string]bool, len(sd.Fields))
	for i, fd := range sd.Fields {
		if seen[fd.Name] {
			return nil, fmt.Errorf("%s returns two columns named %q; rename one with AS", rel.label, fd.Name)
		}
		seen[fd.Name] = true
		fields[i] = field{name: fd.Name, oid: fd.DataTypeOID, typmod: fd.TypeModifier}
		oids[i], mods[i] = fd.DataTypeOID, fd.TypeModifier
	}
	rows, err := conn.Query(ctx, `SELECT pg_catalog.format_type(o, m) FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS x(o, m, i) ORDER BY i`, oids, mods)
	if err != nil {
		return nil, fmt.Errorf("%s: read the column types: %w", rel.label, sqlError(err, "", ""))
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("%s: read the column types: %w", rel.label, sqlError(err, "", ""))
	}
	if len(names) != len(fields) {
		return nil, fmt.Errorf("%s: read the column types: %d names for %d columns", rel.label, len(names), len(fields))
	}
	for i := range fields {
		fields[i].typeName = names[i]
	}
	if rel.oid == 0 {
		return fields, nil
	}
	// NOT NULL constraints hold for the columns that come straight from
	// the table; a view's columns are all nullable.
	rows, err = conn.Query(ctx, `SELECT attnum FROM pg_catalog.pg_attribute WHERE attrelid = $1 AND attnum > 0 AND attnotnull AND NOT attisdropped`, rel.oid)
	if err != nil {
		return nil, fmt.Errorf("%s: read the NOT NULL constraints: %w", rel.label, sqlError(err, "", ""))
	}
	notNull, err := pgx.CollectRows(rows, pgx.RowTo[int16])
	if err != nil {
		return nil, fmt.Errorf("%s: read the NOT NULL constraints: %w", rel.label, sqlError(err, "", ""))
	}
	attnums := make(map[uint16]bool, len(notNull))
	for _, n := range notNull {
		attnums[uint16(n)] = true
	}
	for i, fd := range sd.Fields {
		fields[i].notNull = fd.TableOID == rel.oid && attnums[fd.TableAttributeNumber]
	}
	return fields, nil
}

// unconstrainedNumeric is the type a numeric column without precision and
// scale is read as: its values may have any number of digits, and this
// holds the usual ones (money, quantities, rates) while leaving room for
// 29 digits before the point.
var unconstrainedNumeric = types.DecimalType(types.MaxDecimalPrecision, 9)

// meshType returns the meshctl type a PostgreSQL type is read as, or an
// error naming the column and suggesting a cast (in fix).
func meshType(f field, fix string) (types.Type, error) {
	switch f.oid {
	case pgtype.BoolOID:
		return types.BoolType, nil
	case pgtype.Int2OID, pgtype.Int4OID:
		return types.Int32Type, nil
	case pgtype.Int8OID:
		return types.Int64Type, nil
	case pgtype.Float4OID, pgtype.Float8OID:
		return types.Float64Type, nil
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID:
		return types.StringType, nil
	case pgtype.DateOID:
		return types.DateType, nil
	case pgtype.TimestampOID, pgtype.TimestamptzOID:
		return types.TimestampType, nil
	case pgtype.NumericOID:
		p, s, ok := numericTypmod(f.typmod)
		if !ok {
			return unconstrainedNumeric, nil
		}
		switch {
		case s < 0: // numeric(5,-2) holds 9999900: integers of p-s digits
			p, s = p-s, 0
		case s > p: // numeric(2,5) holds 0.00099: fractions of s digits
			p = s
		}
		if p > types.MaxDecimalPrecision {
			return types.Type{}, fmt.Errorf("column %q has type %s, which has more digits than meshctl's decimals hold (%d); %s", f.name, f.typeName, types.MaxDecimalPrecision, fix)
		}
		return types.DecimalType(p, s), nil
	}
	return types.Type{}, fmt.Errorf("column %q has type %s, which meshctl cannot read; %s", f.name, f.typeName, fix)
}

// castAdvice says how to read a column of an unsupported type.
func castAdvice(rel relation) string {
	if rel.oid == 0 {
		return "cast it in the query (::text, ::float8, ::numeric(18,2))"
	}
	return "cast it in a query source (query = \"SELECT ..., col::text FROM ...\")"
}

// numericTypmod decodes numeric's type modifier into precision and scale;
// ok is false for a numeric without them. Since PostgreSQL 15 the scale
// may be negative or exceed the precision.
func numericTypmod(typmod int32) (p, s int, ok bool) {
	if typmod < 4 {
		return 0, 0, false
	}
	t := typmod - 4
	return int(t>>16) & 0xffff, int((t&0x7ff)^1024) - 1024, true
}
