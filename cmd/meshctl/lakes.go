package main

import (
	"path/filepath"
	"sort"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/lake"
	"github.com/meshctl/meshctl/providers/pgtable"
	"github.com/meshctl/meshctl/providers/s3"
)

// lakes returns the Lake for every location the workspace publishes to or
// reads from: s3:// prefixes through S3 (a source or output with its own
// endpoint gets a lake of its own), postgres:// tables through
// PostgreSQL, everything else as local folders.
// Clients are created on first use, so a workspace without S3 never loads
// the AWS configuration.
func (g *globals) lakes(w *workspace) (lakeio.Lake, error) {
	staging := filepath.Join(w.root, ".meshctl", "staging")
	newS3 := func(endpoint string) (lakeio.Lake, error) {
		return s3.NewLake(s3.LakeOptions{S3: s3.Options{Endpoint: endpoint}, StagingRoot: staging})
	}
	r := &lakeio.Router{Default: lake.New(w.root)}
	// Locations with their own endpoint, longest first so that a nested
	// prefix wins over its parent.
	endpoints := map[string]string{}
	if cfg := w.config; cfg != nil {
		for _, s := range cfg.Sources {
			if s3.IsURL(s.Path) && s.Endpoint != "" {
				endpoints[s.Path] = s.Endpoint
			}
		}
		for _, p := range cfg.Products {
			if o := p.Output; o != nil && s3.IsURL(o.Path) && o.Endpoint != "" {
				endpoints[o.Path] = o.Endpoint
			}
		}
	}
	paths := make([]string, 0, len(endpoints))
	for p := range endpoints {
		paths = append(paths, p)
	}
	sort.Slice(paths, func(i, j int) bool { return len(paths[i]) > len(paths[j]) })
	for _, p := range paths {
		l, err := newS3(endpoints[p])
		if err != nil {
			return nil, err
		}
		r.Routes = append(r.Routes, lakeio.Route{Prefix: p, Lake: l})
	}
	l, err := newS3("")
	if err != nil {
		return nil, err
	}
	r.Routes = append(r.Routes, lakeio.Route{Prefix: "s3://", Lake: l},
		lakeio.Route{Prefix: ir.PostgresScheme, Lake: pgtable.New(pgtable.Options{Getenv: g.lookup})})
	return r, nil
}
