package pgtable

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Everyone is the reader that stands for every role: PUBLIC.
const Everyone = "everyone"

// public is the grantee name PostgreSQL gives every role.
const public = "PUBLIC"

// grantee is the role a reader is granted to: PUBLIC for "everyone".
func grantee(reader string) string {
	if reader == Everyone {
		return public
	}
	return reader
}

// granteeSQL is a grantee as GRANT and REVOKE take it.
func granteeSQL(g string) string {
	if g == public {
		return public
	}
	return quote(g)
}

// missingRoles returns the readers that are not roles of the server
// ("everyone" always is), sorted.
func missingRoles(ctx context.Context, q querier, readers []string) ([]string, error) {
	var names []string
	for _, r := range readers {
		if grantee(r) != public {
			names = append(names, r)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT r FROM unnest($1::text[]) AS r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) ORDER BY r`, names)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// grant is one privilege held on a table.
type grant struct {
	grantee   string // a role's name, or PUBLIC
	privilege string // SELECT, INSERT, …
}

// tableGrants lists the privileges held on schema.name by roles other
// than its owner, and the owner's name.
func tableGrants(ctx context.Context, q querier, schema, name string) (owner string, grants []grant, err error) {
	rel := quote(schema, name)
	if err := q.QueryRow(ctx, `SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass($1)`, rel).Scan(&owner); err != nil {
		return "", nil, err
	}
	rows, err := q.Query(ctx, `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type
		FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
		WHERE c.oid = to_regclass($1) AND a.grantee <> c.relowner ORDER BY 1, 2`, rel)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g grant
		if err := rows.Scan(&g.grantee, &g.privilege); err != nil {
			return "", nil, err
		}
		grants = append(grants, g)
	}
	return owner, grants, rows.Err()
}

// grantProblems compares the privileges held on a table with its
// readers': each reader (but the owner, who reads anyway) holds SELECT,
// and nobody else holds anything.
func grantProblems(owner string, got []grant, readers []string) []string {
	want := map[string]string{} // grantee → reader, for messages
	for _, r := range readers {
		if g := grantee(r); g != owner {
			want[g] = r
		}
	}
	var problems []string
	has := map[string]bool{}
	for _, g := range got {
		if g.privilege == "SELECT" && want[g.grantee] != "" {
			has[g.grantee] = true
			continue
		}
		problems = append(problems, fmt.Sprintf("%s is granted to %s, which the manifest does not list", g.privilege, g.grantee))
	}
	var missing []string
	for g, r := range want {
		if !has[g] {
			what := "SELECT to " + g
			if r != g {
				what += " (reader " + r + ")"
			}
			missing = append(missing, what+" is not granted")
		}
	}
	slices.Sort(missing)
	return append(problems, missing...)
}

// setGrants makes SELECT for readers the only privileges others hold on
// the table ident (a staged table may have received some from the
// schema's default privileges).
func setGrants(ctx context.Context, q querier, schema, name string, readers []string) error {
	_, got, err := tableGrants(ctx, q, schema, name)
	if err != nil {
		return err
	}
	ident := quote(schema, name)
	var revoke []string
	for _, g := range got {
		if !slices.Contains(revoke, g.grantee) {
			revoke = append(revoke, g.grantee)
		}
	}
	for _, g := range revoke {
		if _, err := q.Exec(ctx, "REVOKE ALL ON "+ident+" FROM "+granteeSQL(g)); err != nil {
			return fmt.Errorf("revoke the privileges of %s: %w", g, err)
		}
	}
	var to []string
	for _, r := range readers {
		if g := granteeSQL(grantee(r)); !slices.Contains(to, g) {
			to = append(to, g)
		}
	}
	if len(to) == 0 {
		return nil
	}
	if _, err := q.Exec(ctx, "GRANT SELECT ON "+ident+" TO "+strings.Join(to, ", ")); err != nil {
		return fmt.Errorf("grant SELECT to the readers: %w", err)
	}
	return nil
}
