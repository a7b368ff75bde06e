package pgtable

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/planner/lakeio"
)

// SQLType returns the PostgreSQL type a column of type t is published
// as, spelled as the server's format_type prints it, so that a table's
// columns compare with a manifest's as text.
func SQLType(t types.Type) (string, error) {
	switch t.Kind {
	case types.Bool:
		return "boolean", nil
	case types.Int32:
		return "integer", nil
	case types.Int64:
		return "bigint", nil
	case types.Float64:
		return "double precision", nil
	case types.Decimal:
		return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale), nil
	case types.String:
		return "text", nil
	case types.Date:
		return "date", nil
	case types.Timestamp:
		return "timestamp without time zone", nil
	}
	return "", fmt.Errorf("type %s has no PostgreSQL column type", t)
}

// tableColumn is a column as the catalog has it.
type tableColumn struct {
	name    string
	sqlType string
	notNull bool
}

// tableColumns lists the columns of schema.name in order.
func tableColumns(ctx context.Context, q querier, schema, name string) ([]tableColumn, error) {
	rows, err := q.Query(ctx, `SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
		WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, quote(schema, name))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tableColumn
	for rows.Next() {
		var c tableColumn
		if err := rows.Scan(&c.name, &c.sqlType, &c.notNull); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// columnProblems compares a table's columns with a manifest's schema:
// one line per difference.
func columnProblems(got []tableColumn, want []lakeio.Column) []string {
	var problems []string
	byName := map[string]tableColumn{}
	for _, c := range got {
		byName[c.name] = c
	}
	listed := map[string]bool{}
	for _, w := range want {
		listed[w.Name] = true
		c, ok := byName[w.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("column %q is missing", w.Name))
			continue
		}
		wantType := "(unknown type " + w.Type + ")"
		if t, err := types.Parse(w.Type); err == nil {
			if s, err := SQLType(t); err == nil {
				wantType = s
			}
		}
		if c.sqlType != wantType {
			problems = append(problems, fmt.Sprintf("column %q is %s, the manifest records %s (%s)", w.Name, c.sqlType, w.Type, wantType))
		}
		if c.notNull == w.Nullable {
			problems = append(problems, fmt.Sprintf("column %q is %s, the manifest records %s", w.Name, nullText(!c.notNull), nullText(w.Nullable)))
		}
	}
	for _, c := range got {
		if !listed[c.name] {
			problems = append(problems, fmt.Sprintf("column %q is not in the manifest", c.name))
		}
	}
	if len(problems) == 0 && len(got) == len(want) {
		gotNames := make([]string, len(got))
		for i, c := range got {
			gotNames[i] = c.name
		}
		wantNames := make([]string, len(want))
		for i, c := range want {
			wantNames[i] = c.Name
		}
		if !slices.Equal(gotNames, wantNames) {
			problems = append(problems, fmt.Sprintf("the columns are in the order %s, the manifest records %s", strings.Join(gotNames, ", "), strings.Join(wantNames, ", ")))
		}
	}
	return problems
}

func nullText(nullable bool) string {
	if nullable {
		return "nullable"
	}
	return "NOT NULL"
}
