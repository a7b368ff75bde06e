package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshctl/meshctl/planner/apply"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/providers/openlineage"
)

// lineageCloseTimeout bounds how long an apply waits, at its end, for
// OpenLineage events still queued.
const lineageCloseTimeout = 30 * time.Second

// maxLineageWarnings is how many emission failures are printed one by one.
const maxLineageWarnings = 5

// lineageEvents sends OpenLineage events for the products an apply
// computes, when the mesh names a target in mesh { lineage { ... } }.
// Failures to send are warnings: they never fail the apply.
type lineageEvents struct {
	g    *globals
	e    *openlineage.Emitter
	jobs map[string]openlineage.Job
}

// openLineage returns the workspace's lineage emitter, or nil when the
// mesh has no lineage block.
func (g *globals) openLineage(w *workspace) *lineageEvents {
	lc := w.config.Mesh.Lineage
	if lc == nil {
		return nil
	}
	var tr openlineage.Transport
	if lc.File != "" {
		path := lc.File
		if !filepath.IsAbs(path) {
			path = filepath.Join(w.root, path)
		}
		tr = openlineage.File{Path: path}
	} else {
		h := openlineage.HTTP{URL: strings.TrimRight(lc.URL, "/") + "/" + strings.TrimLeft(lc.Endpoint, "/")}
		if k := lc.APIKey; k != nil {
			h.APIKey = k.Literal
			if k.Env != "" {
				v, ok := g.lookup(k.Env)
				if !ok {
					fmt.Fprintf(g.streams.Err, "Warning: OpenLineage: the environment variable %s (lineage api_key) is not set: events are sent without a key.\n", k.Env)
				}
				h.APIKey = v
			}
		}
		tr = h
	}
	ns := lc.Namespace
	if ns == "" {
		ns = w.config.Mesh.Name
	}
	l := &lineageEvents{g: g, jobs: map[string]openlineage.Job{}}
	for name, p := range w.compiled.Products {
		job := openlineage.Job{Product: p, Masks: map[string]string{}}
		if cp := w.config.Products[name]; cp != nil {
			job.Description, job.Owner = cp.Description, cp.Owner
			if job.Owner == "" && w.config.Domains[cp.Domain.Name] != nil {
				job.Owner = w.config.Domains[cp.Domain.Name].Owner
			}
			if cp.Contract != nil {
				for _, c := range cp.Contract.Columns {
					if c.Mask != "" {
						job.Masks[c.Name] = c.Mask
					}
				}
			}
		}
		l.jobs[name] = job
	}
	l.e = openlineage.New(openlineage.Options{
		Transport: tr,
		Namespace: ns,
		Version:   buildVersion().Version,
		Root:      w.root,
		Getenv:    g.lookup,
	})
	return l
}

// wrap returns an apply.Options.Events that reports to l, then to next.
// Only the products apply computes (create, replace) are runs: an update
// changes metadata and a delete reads nothing.
func (l *lineageEvents) wrap(next func(apply.Event)) func(apply.Event) {
	if l == nil {
		return next
	}
	return func(e apply.Event) {
		job, ok := l.jobs[e.Product]
		if ok && (e.Action == plans.Create || e.Action == plans.Replace) {
			switch e.Kind {
			case apply.ProductStarted:
				l.e.Start(job)
			case apply.ProductFinished:
				out := openlineage.Outcome{Rows: e.Rows, Bytes: e.Bytes}
				if e.Result != nil {
					out.VersionID = e.Result.VersionID
				}
				l.e.Complete(job, out)
			case apply.ProductFailed:
				l.e.Fail(job, e.Err)
			}
		}
		if next != nil {
			next(e)
		}
	}
}

// close waits for the events still queued and prints what could not be
// sent as warnings on standard error (standard output may be JSON).
func (l *lineageEvents) close() {
	if l == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), lineageCloseTimeout)
	defer cancel()
	errs := l.e.Close(ctx)
	for i, err := range errs {
		if i == maxLineageWarnings {
			fmt.Fprintf(l.g.streams.Err, "Warning: OpenLineage: and %d more failures to send events.\n", len(errs)-i)
			break
		}
		fmt.Fprintf(l.g.streams.Err, "Warning: OpenLineage: %v\n", err)
	}
}
