package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// TestSecretsStayOutOfErrors needs no server: every DSN points nowhere.
func TestSecretsStayOutOfErrors(t *testing.T) {
	const password = "s3cr3t-P4ss"
	env := func(dsn string) func(string) (string, bool) {
		return func(name string) (string, bool) {
			if name == "CRM_DSN" {
				return dsn, dsn != "unset"
			}
			return "", false
		}
	}
	for _, tc := range []struct {
		name string
		dsn  string
		want string
	}{
		{"refused", "postgres://app:" + password + "@127.0.0.1:1/crm?sslmode=disable&connect_timeout=5",
			`source "crm": cannot connect with the DSN in $CRM_DSN: failed to connect to ` + "`user=app database=crm`"},
		{"unknown host", "postgres://app:" + password + "@meshctl-no-such-host.invalid:5432/crm?connect_timeout=5",
			`source "crm": cannot connect with the DSN in $CRM_DSN: failed to connect to`},
		{"key=value", "host=127.0.0.1 port=1 user=app password=" + password + " dbname=crm sslmode=disable connect_timeout=5",
			`source "crm": cannot connect with the DSN in $CRM_DSN:`},
		{"unparsable URL", "postgres://app:" + password + "@db:notaport/crm",
			`source "crm": the DSN in $CRM_DSN is not a valid connection string: write a URL (postgres://user:password@host:5432/db) or key=value pairs (host=... dbname=...)`},
		{"unparsable key=value", "host=db password=" + password + " port=x",
			`source "crm": the DSN in $CRM_DSN is not a valid connection string`},
		{"unset", "unset", `source "crm": $CRM_DSN is not set; it must hold the PostgreSQL connection string`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &ir.Source{Kind: ir.SourcePostgres, Name: "crm", DSNEnv: "CRM_DSN", Table: "public.customers"}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err1 := SchemaReader{Getenv: env(tc.dsn)}.ReadSchema(ctx, src)
			_, err2 := Scanner{Getenv: env(tc.dsn)}.Open(ctx, dataio.ScanRequest{Source: src, Schema: types.Schema{{Name: "id", Type: types.Int64Type}}, Columns: []int{0}})
			_, err3 := Fingerprint(ctx, src, env(tc.dsn))
			for _, err := range []error{err1, err2, err3} {
				if err == nil {
					t.Fatal("no error")
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, tc.want) {
					t.Errorf("error = %s\nwant it to start with %s", msg, tc.want)
				}
				if strings.Contains(msg, password) || strings.Contains(msg, tc.dsn) {
					t.Errorf("error reveals the DSN or its password: %s", msg)
				}
			}
		})
	}

	t.Run("literal dsn", func(t *testing.T) {
		src := &ir.Source{Kind: ir.SourcePostgres, Name: "crm", DSN: "postgres://app:" + password + "@127.0.0.1:1/crm?sslmode=disable", Table: "t"}
		_, err := SchemaReader{}.ReadSchema(context.Background(), src)
		if err == nil || !strings.HasPrefix(err.Error(), `source "crm": cannot connect with its dsn: `) || strings.Contains(err.Error(), password) {
			t.Errorf("error = %v", err)
		}
	})
}

func TestScrub(t *testing.T) {
	if got := scrub("user=app password=hunter2 pw", "", "pw", "hunter2"); got != "user=app password=xxxxx pw" {
		t.Errorf("scrub = %q", got)
	}
}
