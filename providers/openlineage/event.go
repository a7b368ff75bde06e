package openlineage

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// Schema URLs of the event and the facets written.
const (
	RunEventSchemaURL    = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
	schemaFacetURL       = "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet"
	columnLineageURL     = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"
	outputStatisticsURL  = "https://openlineage.io/spec/facets/1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet"
	datasetVersionURL    = "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet"
	errorMessageURL      = "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet"
	processingEngineURL  = "https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet"
	jobTypeURL           = "https://openlineage.io/spec/facets/2-0-3/JobTypeJobFacet.json#/$defs/JobTypeJobFacet"
	documentationURL     = "https://openlineage.io/spec/facets/1-0-1/DocumentationJobFacet.json#/$defs/DocumentationJobFacet"
	ownershipJobFacetURL = "https://openlineage.io/spec/facets/1-0-1/OwnershipJobFacet.json#/$defs/OwnershipJobFacet"
)

// DefaultProducer identifies meshctl as the events' producer.
const DefaultProducer = "https://github.com/meshctl/meshctl"

// EventType is a run's transition.
type EventType string

// Event types meshctl emits.
const (
	Start    EventType = "START"
	Complete EventType = "COMPLETE"
	Fail     EventType = "FAIL"
)

// RunEvent is an OpenLineage run event.
type RunEvent struct {
	EventType EventType `json:"eventType"`
	EventTime string    `json:"eventTime"`
	Run       Run       `json:"run"`
	Job       JobRef    `json:"job"`
	Inputs    []Dataset `json:"inputs"`
	Outputs   []Dataset `json:"outputs"`
	Producer  string    `json:"producer"`
	SchemaURL string    `json:"schemaURL"`
}

// Run identifies one run of a job.
type Run struct {
	RunID  string         `json:"runId"`
	Facets map[string]any `json:"facets,omitempty"`
}

// JobRef names the job: a product of the mesh.
type JobRef struct {
	Namespace string         `json:"namespace"`
	Name      string         `json:"name"`
	Facets    map[string]any `json:"facets,omitempty"`
}

// Dataset is an input or output dataset.
type Dataset struct {
	Namespace    string         `json:"namespace"`
	Name         string         `json:"name"`
	Facets       map[string]any `json:"facets,omitempty"`
	OutputFacets map[string]any `json:"outputFacets,omitempty"`
}

// facet is the part every facet shares.
type facet struct {
	Producer  string `json:"_producer"`
	SchemaURL string `json:"_schemaURL"`
}

type schemaFacet struct {
	facet
	Fields []schemaField `json:"fields"`
}

type schemaField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

type columnLineageFacet struct {
	facet
	Fields map[string]columnFields `json:"fields"`
}

type columnFields struct {
	InputFields []inputField `json:"inputFields"`
}

type inputField struct {
	Namespace       string           `json:"namespace"`
	Name            string           `json:"name"`
	Field           string           `json:"field"`
	Transformations []transformation `json:"transformations,omitempty"`
}

type transformation struct {
	Type        string `json:"type"`
	Subtype     string `json:"subtype,omitempty"`
	Description string `json:"description,omitempty"`
	Masking     bool   `json:"masking"`
}

// Job is what the events of one product's run describe.
type Job struct {
	// Product is the compiled product: its inputs, output and lineage.
	Product *ir.Product
	// Description and Owner are the product's, for the job's facets.
	Description string
	Owner       string
	// Masks are the contract's masks by column ("hash").
	Masks map[string]string
}

// Outcome is what a completed run published.
type Outcome struct {
	Rows, Bytes int64
	// VersionID is the version published.
	VersionID string
}

// namer names datasets.
type namer struct {
	root   string
	getenv func(string) (string, bool)
}

// source names the dataset a product input reads.
func (n namer) source(s *ir.Source) (namespace, name string) {
	switch s.Kind {
	case ir.SourcePostgres:
		ns, db := n.postgres(s.DSNEnv, s.DSN)
		switch {
		case s.Table != "":
			table := s.Table
			if !strings.Contains(table, ".") {
				table = ir.DefaultPostgresSchema + "." + table
			}
			return ns, joinName(db, table)
		default:
			return ns, joinName(db, "query", s.Name)
		}
	}
	return n.location(s.Path)
}

// location names the dataset at an output location (or a product input,
// which reads its upstream's location).
func (n namer) location(loc string) (namespace, name string) {
	if strings.HasPrefix(loc, ir.PostgresScheme) {
		if env, schema, table, err := ir.ParsePostgresLocation(loc); err == nil {
			ns, db := n.postgres(env, "")
			return ns, joinName(db, schema, table)
		}
	}
	if u, err := url.Parse(loc); err == nil && u.Scheme != "" && u.Host != "" && len(u.Scheme) > 1 {
		return u.Scheme + "://" + u.Host, strings.Trim(u.Path, "/")
	}
	p := loc
	if !filepath.IsAbs(p) {
		p = filepath.Join(n.root, p)
	}
	p = filepath.ToSlash(filepath.Clean(p))
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive: file:///C:/...
	}
	return "file", p
}

// postgres returns the namespace postgres://host:port of a DSN held in
// env (or written literally) and its database. Without a DSN to read, the
// namespace names the variable: a stable name that reveals nothing.
func (n namer) postgres(env, literal string) (namespace, database string) {
	dsn := literal
	if env != "" && n.getenv != nil {
		dsn, _ = n.getenv(env)
	}
	host, port, db := parseDSN(dsn)
	if host == "" {
		if env != "" {
			return "postgres://" + env, db
		}
		host = "localhost"
	}
	if port == "" {
		port = "5432"
	}
	return "postgres://" + host + ":" + port, db
}

// parseDSN reads the host, port and database of a PostgreSQL connection
// string, URL (postgres://user:pw@host:5432/db) or key/value (host=h
// port=5432 dbname=db) form. The password is never looked at.
func parseDSN(dsn string) (host, port, db string) {
	dsn = strings.TrimSpace(dsn)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", "", ""
		}
		h := u.Host
		if i := strings.IndexByte(h, ','); i >= 0 {
			h = h[:i] // several hosts: the first
		}
		host, port = h, ""
		if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
			host, port = h[:i], h[i+1:]
		}
		return host, port, strings.TrimPrefix(u.Path, "/")
	}
	for _, kv := range strings.Fields(dsn) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, "'")
		switch k {
		case "host":
			host, _, _ = strings.Cut(v, ",")
		case "port":
			port, _, _ = strings.Cut(v, ",")
		case "dbname":
			db = v
		}
	}
	return host, port, db
}

func joinName(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// builder makes the events of an Emitter.
type builder struct {
	namer
	namespace, producer, version string
}

func (b builder) facet(url string) facet { return facet{Producer: b.producer, SchemaURL: url} }

// event builds the event of type t for job's run runID at time at.
func (b builder) event(t EventType, job Job, runID string, at time.Time, out *Outcome, runErr error) *RunEvent {
	p := job.Product
	ev := &RunEvent{
		EventType: t,
		EventTime: at.UTC().Format(time.RFC3339Nano),
		Run:       Run{RunID: runID, Facets: map[string]any{}},
		Job:       JobRef{Namespace: b.namespace, Name: p.Name, Facets: map[string]any{}},
		Inputs:    []Dataset{},
		Outputs:   []Dataset{},
		Producer:  b.producer,
		SchemaURL: RunEventSchemaURL,
	}
	ev.Run.Facets["processing_engine"] = struct {
		facet
		Version string `json:"version"`
		Name    string `json:"name"`
	}{b.facet(processingEngineURL), b.version, "meshctl"}
	if runErr != nil {
		ev.Run.Facets["errorMessage"] = struct {
			facet
			Message             string `json:"message"`
			ProgrammingLanguage string `json:"programmingLanguage"`
		}{b.facet(errorMessageURL), runErr.Error(), "go"}
	}
	ev.Job.Facets["jobType"] = struct {
		facet
		ProcessingType string `json:"processingType"`
		Integration    string `json:"integration"`
		JobType        string `json:"jobType"`
	}{b.facet(jobTypeURL), "BATCH", "MESHCTL", "DATA_PRODUCT"}
	if job.Description != "" {
		ev.Job.Facets["documentation"] = struct {
			facet
			Description string `json:"description"`
		}{b.facet(documentationURL), job.Description}
	}
	if job.Owner != "" {
		type owner struct {
			Name string `json:"name"`
			Type string `json:"type"`
		}
		ev.Job.Facets["ownership"] = struct {
			facet
			Owners []owner `json:"owners"`
		}{b.facet(ownershipJobFacetURL), []owner{{Name: job.Owner, Type: "owner"}}}
	}

	// Inputs, once per dataset (two inputs may read one source), with the
	// schema they are scanned with.
	scans := map[*ir.Source]*ir.Scan{}
	visit := func(n ir.Node) {
		if s, ok := n.(*ir.Scan); ok && scans[s.Source] == nil {
			scans[s.Source] = s
		}
	}
	for _, t := range p.Transforms {
		ir.WalkNodes(t.Root, visit)
	}
	ir.WalkNodes(p.Output.Root, visit)
	inputDataset := map[string][2]string{} // input name → namespace, name
	seen := map[[2]string]bool{}
	for _, in := range p.Inputs {
		ns, name := b.source(in.Source)
		inputDataset[in.Name] = [2]string{ns, name}
		if seen[[2]string{ns, name}] {
			continue
		}
		seen[[2]string{ns, name}] = true
		ds := Dataset{Namespace: ns, Name: name}
		if s := scans[in.Source]; s != nil {
			ds.Facets = map[string]any{"schema": b.schema(s.Out)}
		}
		ev.Inputs = append(ev.Inputs, ds)
	}

	ns, name := b.location(p.Output.Path)
	outDS := Dataset{Namespace: ns, Name: name, Facets: map[string]any{"schema": b.schema(p.Output.Schema)}}
	lin := columnLineageFacet{facet: b.facet(columnLineageURL), Fields: map[string]columnFields{}}
	for i, origins := range ir.OutputLineage(p) {
		col := p.Output.Schema[i].Name
		var fields []inputField
		dup := map[[3]string]bool{}
		for _, o := range origins {
			d, ok := inputDataset[o.Input]
			if !ok || dup[[3]string{d[0], d[1], o.Column}] {
				continue
			}
			dup[[3]string{d[0], d[1], o.Column}] = true
			f := inputField{Namespace: d[0], Name: d[1], Field: o.Column}
			if m := job.Masks[col]; m != "" {
				f.Transformations = []transformation{{Type: "DIRECT", Subtype: "TRANSFORMATION", Description: "mask " + m, Masking: true}}
			}
			fields = append(fields, f)
		}
		if len(fields) > 0 {
			lin.Fields[col] = columnFields{InputFields: fields}
		}
	}
	outDS.Facets["columnLineage"] = lin
	if out != nil {
		if out.VersionID != "" {
			outDS.Facets["version"] = struct {
				facet
				DatasetVersion string `json:"datasetVersion"`
			}{b.facet(datasetVersionURL), out.VersionID}
		}
		outDS.OutputFacets = map[string]any{"outputStatistics": struct {
			facet
			RowCount int64 `json:"rowCount"`
			Size     int64 `json:"size"`
		}{b.facet(outputStatisticsURL), out.Rows, out.Bytes}}
	}
	ev.Outputs = append(ev.Outputs, outDS)
	return ev
}

func (b builder) schema(cols types.Schema) schemaFacet {
	f := schemaFacet{facet: b.facet(schemaFacetURL), Fields: []schemaField{}}
	for _, c := range cols {
		f.Fields = append(f.Fields, schemaField{Name: c.Name, Type: c.Type.String(), Description: c.Description})
	}
	return f
}

// newRunID returns a UUID version 7 (time-ordered, as OpenLineage
// recommends for run ids).
func newRunID(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	ms := uint64(now.UnixMilli())
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
