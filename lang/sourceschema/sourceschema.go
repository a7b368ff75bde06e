// Package sourceschema is how the compiler learns a source's columns from
// its data (a Parquet footer, a CSV header and sample, a PostgreSQL
// catalog) without lang doing any I/O itself: lang/compile calls a Reader
// per source kind, and providers implement Reader.
//
// It imports only lang/ir and lang/types.
package sourceschema

import (
	"context"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Reader reads the schema of a source from its data. Implementations must
// be safe for concurrent use; relative paths in src are resolved against the
// workspace root the Reader was built with.
type Reader interface {
	ReadSchema(ctx context.Context, src *ir.Source) (*Result, error)
}

// Result is a source's schema as found in its data.
type Result struct {
	// Columns in the data's order. Names are exactly as in the data.
	Columns types.Schema
	// Notes are things the user should know but that do not stop the
	// run, such as a column left out because its type is not supported;
	// the compiler reports them as warnings on the source.
	Notes []string
}

// Readers maps a source kind to its reader; a kind without one can only be
// used with a declared schema (schema { infer = false }).
type Readers map[ir.SourceKind]Reader
