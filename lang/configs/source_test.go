package configs_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/internal/diagtest"
)

func TestDecodePostgresSources(t *testing.T) {
	src := `mesh {
  name = "t"
}
source "crm" {
  type  = "postgres"
  dsn   = env("CRM_DSN")
  table = "public.customers"
}
source "active" {
  type  = "postgres"
  dsn   = "postgres://localhost/crm"
  query = "SELECT id, name FROM public.customers WHERE active"
}
`
	ws, ds := configs.LoadFiles([]configs.File{{Name: "main.mesh.hcl", Src: []byte(src)}}, configs.Options{})
	if len(ds) > 0 {
		t.Fatalf("diagnostics:%s", diagtest.Describe(ds))
	}
	type got struct{ Table, Query, Env, Literal string }
	for name, want := range map[string]got{
		"crm":    {Table: "public.customers", Env: "CRM_DSN"},
		"active": {Query: "SELECT id, name FROM public.customers WHERE active", Literal: "postgres://localhost/crm"},
	} {
		s := ws.Sources[name]
		if s == nil || s.DSN == nil {
			t.Fatalf("source %s: not loaded or no dsn: %+v", name, s)
		}
		if diff := cmp.Diff(want, got{s.Table, s.Query, s.DSN.Env, s.DSN.Literal}); diff != "" {
			t.Errorf("source %s (-want +got):\n%s", name, diff)
		}
	}
}
