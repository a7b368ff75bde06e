package lakeio

import (
	"context"
	"testing"
)

// nameLake answers Fingerprint with its name, to see where a path went.
type nameLake struct {
	Lake
	name string
}

func (l nameLake) Fingerprint(context.Context, string) (string, error) { return l.name, nil }

func TestRouter(t *testing.T) {
	r := &Router{
		Routes:  []Route{{Prefix: "s3://", Lake: nameLake{name: "s3"}}, {Prefix: "postgres://", Lake: nameLake{name: "pg"}}},
		Default: nameLake{name: "local"},
	}
	for path, want := range map[string]string{
		"s3://lake/sales/":            "s3",
		"postgres://DSN/public.x":     "pg",
		"lake/orders/":                "local",
		"/abs/s3://not-a-url/orders/": "local",
	} {
		if got, _ := r.Fingerprint(context.Background(), path); got != want {
			t.Errorf("%s went to %s, want %s", path, got, want)
		}
	}
}
