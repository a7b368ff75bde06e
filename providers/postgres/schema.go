package postgres

import (
	"context"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/lang/types"
)

// SchemaReader reads the schema of PostgreSQL sources from the server's
// catalog. It holds no state besides its configuration and is safe for
// concurrent use; each call opens and closes its own connection.
type SchemaReader struct {
	// Getenv resolves a source's dsn = env("NAME"); os.LookupEnv when nil.
	Getenv func(string) (string, bool)
}

var _ sourceschema.Reader = SchemaReader{}

// ReadSchema returns the columns of the table (or view) src.Table names,
// or of the result of src.Query, in their order, without reading any row.
// A table name follows SQL's rules: unquoted parts fold to lower case
// ("public.Orders" is public.orders; write "public.\"Orders\"" for the
// mixed-case name), an unqualified name is looked up in the search_path.
//
// Types map as follows; a column of any other type is an error naming the
// column and its type, suggesting a cast in a query:
//
//	smallint, integer                        int32
//	bigint                                   int64
//	numeric(p,s)                             decimal(p,s); p > 38 is an error
//	numeric                                  decimal(38,9)
//	real, double precision                   float64
//	text, varchar(n), char(n), name          string
//	boolean                                  bool
//	date                                     date
//	timestamp, timestamptz                   timestamp (UTC)
//
// Domains are read as their base type. A numeric without precision and
// scale is read as decimal(38,9): values with more fraction digits are
// rounded half away from zero when read (as PostgreSQL's cast to
// numeric(38,9) does), and a value with more than 29 digits before the
// point fails the run; declare the column's type in the source's schema
// block or cast it in a query to choose otherwise. A char(n) value is read
// with its padding spaces, as PostgreSQL sends it.
//
// A table column is nullable unless it has a NOT NULL constraint; the
// columns of a view and of a query are all nullable.
func (r SchemaReader) ReadSchema(ctx context.Context, src *ir.Source) (*sourceschema.Result, error) {
	conn, err := connect(ctx, src, r.Getenv)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	rel, err := resolve(ctx, conn, src)
	if err != nil {
		return nil, err
	}
	fields, err := describe(ctx, conn, rel)
	if err != nil {
		return nil, err
	}
	res := &sourceschema.Result{Columns: make(types.Schema, len(fields))}
	for i, f := range fields {
		t, err := meshType(f, castAdvice(rel))
		if err != nil {
			return nil, err
		}
		res.Columns[i] = types.Column{Name: f.name, Type: t, Nullable: !f.notNull}
	}
	return res, nil
}
