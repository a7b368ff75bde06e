package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/meshctl/meshctl/lang/ir"
)

// Fingerprint summarises the data a PostgreSQL source reads now, so that
// the planner sees when it changed: "pg:<rows>:<hash>", where the hash
// covers the row count and the sum of a 64-bit hash of every row's text
// (hashtextextended, PostgreSQL 11 and later), computed in one read-only
// REPEATABLE READ transaction. An INSERT, UPDATE or DELETE changes it;
// VACUUM, a reordering of the rows or an index does not.
//
// Its cost is a full scan: the whole table is read, or the whole query
// run, on the server (only the two sums travel). getenv resolves the
// source's dsn = env("NAME"); os.LookupEnv when nil.
func Fingerprint(ctx context.Context, src *ir.Source, getenv func(string) (string, bool)) (string, error) {
	conn, err := connect(ctx, src, getenv)
	if err != nil {
		return "", err
	}
	defer closeConn(conn)
	if err := beginSnapshot(ctx, conn); err != nil {
		return "", fmt.Errorf("start a read-only transaction: %w", sqlError(err, "", ""))
	}
	rel, err := resolve(ctx, conn, src)
	if err != nil {
		return "", err
	}
	var rows int64
	var sum string
	// ROW(t.*) rather than t: a column named like the alias would win.
	q := "SELECT count(*), coalesce(sum(pg_catalog.hashtextextended(ROW(" + alias + ".*)::text, 0)), 0)::text FROM " + rel.from + " AS " + alias
	if err := conn.QueryRow(ctx, q).Scan(&rows, &sum); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("%s: %w", rel.label, sqlError(err, "", ""))
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%d/%s", rows, sum))
	return fmt.Sprintf("pg:%d:%s", rows, hex.EncodeToString(h[:8])), nil
}
