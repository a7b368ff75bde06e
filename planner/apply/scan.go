package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/lakeio"
)

// productScanner reads a product input from the upstream's published
// output: the folder of one version (_versions/<id>/ below the upstream's
// output path), through the scanner of the upstream's output format.
type productScanner struct {
	lake     lakeio.Lake
	scanners map[ir.SourceKind]dataio.Scanner
	// pins are the versions to read, by upstream product: those checked
	// against state before the product started. An upstream without a pin
	// is read at its current version.
	pins map[string]string
}

var _ dataio.Scanner = (*productScanner)(nil)

// Open delegates to the format's scanner with a copy of the source that
// names the version's folder.
func (s *productScanner) Open(ctx context.Context, req dataio.ScanRequest) (dataio.Scan, error) {
	if req.Source == nil {
		return nil, errors.New("product scan: no source")
	}
	src := *req.Source
	var kind ir.SourceKind
	switch src.Format {
	case "parquet":
		kind = ir.SourceParquet
	case "csv":
		kind = ir.SourceCSV
		// As the CSV sinker writes: a header line, commas, nulls as
		// empty fields.
		src.CSV = ir.CSVOptions{Delimiter: ',', Header: true}
	case "postgres":
		// A table holds one version: the one its manifest row names,
		// which apply checked against state before the product started.
		env, schema, table, err := ir.ParsePostgresLocation(src.Path)
		if err != nil {
			return nil, fmt.Errorf("product.%s: %w", src.Name, err)
		}
		sc := s.scanners[ir.SourcePostgres]
		if sc == nil {
			return nil, fmt.Errorf("product.%s: no postgres scanner is configured", src.Name)
		}
		src.Kind, src.Table, src.DSNEnv, src.Path = ir.SourcePostgres, quoteIdent(schema)+"."+quoteIdent(table), env, ""
		req.Source = &src
		return sc.Open(ctx, req)
	default:
		return nil, fmt.Errorf("product.%s: reading a %q output is not supported", src.Name, src.Format)
	}
	sc := s.scanners[kind]
	if sc == nil {
		return nil, fmt.Errorf("product.%s: no %s scanner is configured", src.Name, src.Format)
	}
	id := s.pins[src.Name]
	if id == "" {
		m, _, err := s.lake.Current(ctx, src.Path)
		if err != nil {
			return nil, fmt.Errorf("product.%s: %w", src.Name, err)
		}
		id = m.VersionID
	}
	src.Kind = kind
	src.Path = versionPath(src.Path, id)
	req.Source = &src
	return sc.Open(ctx, req)
}

// versionPath is the folder of version id below an output path, in the
// path's own syntax (a relative or absolute folder, an s3:// prefix).
func versionPath(path, id string) string {
	return strings.TrimRight(path, "/") + "/" + lakeio.VersionDir(id)
}

// quoteIdent quotes a PostgreSQL identifier, so that the table is read
// under exactly the name it was published with.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
