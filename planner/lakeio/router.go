package lakeio

import (
	"context"
	"strings"
)

// Route sends the paths that start with Prefix to Lake.
type Route struct {
	Prefix string
	Lake   Lake
}

// Router is a Lake over several kinds of location: each path goes to the
// first route whose prefix it starts with ("s3://", "postgres://"), or
// to Default (local folders).
type Router struct {
	Routes  []Route
	Default Lake
}

var _ Lake = (*Router)(nil)

func (r *Router) lake(path string) Lake {
	for _, rt := range r.Routes {
		if strings.HasPrefix(path, rt.Prefix) {
			return rt.Lake
		}
	}
	return r.Default
}

// Fingerprint implements Lake.
func (r *Router) Fingerprint(ctx context.Context, path string) (string, error) {
	return r.lake(path).Fingerprint(ctx, path)
}

// Current implements Lake.
func (r *Router) Current(ctx context.Context, path string) (*Manifest, string, error) {
	return r.lake(path).Current(ctx, path)
}

// Verify implements Lake.
func (r *Router) Verify(ctx context.Context, path string, m *Manifest, deep bool) ([]string, error) {
	return r.lake(path).Verify(ctx, path, m, deep)
}

// Stage implements Lake.
func (r *Router) Stage(ctx context.Context, path, id string) (string, error) {
	return r.lake(path).Stage(ctx, path, id)
}

// Publish implements Lake.
func (r *Router) Publish(ctx context.Context, path string, m *Manifest) error {
	return r.lake(path).Publish(ctx, path, m)
}

// Discard implements Lake.
func (r *Router) Discard(ctx context.Context, path, id string) error {
	return r.lake(path).Discard(ctx, path, id)
}

// Prune implements Lake.
func (r *Router) Prune(ctx context.Context, path string, keep int) error {
	return r.lake(path).Prune(ctx, path, keep)
}

// Delete implements Lake.
func (r *Router) Delete(ctx context.Context, path string) error {
	return r.lake(path).Delete(ctx, path)
}
