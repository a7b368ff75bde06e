package configs

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/meshctl/meshctl/lang/addrs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/types"
)

// Workspace is everything the *.mesh.hcl files of one workspace declare.
// Maps are keyed by name; the *Order slices keep declaration order (files
// sorted by path, blocks in file order) for deterministic output.
type Workspace struct {
	// Files holds every file's source, keyed by the name used in ranges.
	Files diag.Sources
	// Governance holds the names of the files that came from governance
	// folders (--policies); DisplayDir is the prefix every workspace file
	// name carries (Options.DisplayDir).
	Governance map[string]bool
	DisplayDir string
	// Bodies are the parsed files, in the same order as FileNames.
	Bodies    map[string]*hcl.File
	FileNames []string

	Mesh       *Mesh
	Domains    map[string]*Domain
	Sources    map[string]*Source
	Products   map[string]*Product
	Policies   map[string]*Policy
	Exemptions map[string]*Exemption

	DomainOrder, SourceOrder, ProductOrder, PolicyOrder, ExemptionOrder []string
}

// Mesh is the workspace's settings: its name, where state lives, the mask key.
type Mesh struct {
	Name        string
	Description string
	// MaskKey keys the HMAC of mask = "hash"; nil means plain SHA-256.
	MaskKey *Secret
	State   *StateConfig
	// Lineage is where apply sends OpenLineage run events; nil sends none.
	Lineage *LineageConfig
	Range   hcl.Range
}

// LineageConfig names where apply emits OpenLineage run events (START,
// COMPLETE, FAIL per product): a JSON-lines file or an HTTP endpoint,
// exactly one of them.
type LineageConfig struct {
	// File is a JSON-lines file events are appended to, relative to the
	// workspace root.
	File string
	// URL is an OpenLineage HTTP endpoint's base (http:// or https://),
	// such as Marquez's "http://marquez:5000"; events are POSTed to URL
	// joined with Endpoint.
	URL string
	// Endpoint is the API path below URL (DefaultLineageEndpoint when not
	// written, as in OpenLineage's own clients).
	Endpoint string
	// APIKey is sent as a bearer token; nil sends none.
	APIKey *Secret
	// Namespace is the OpenLineage job namespace; "" means the mesh's name.
	Namespace string
	Range     hcl.Range
}

// DefaultLineageEndpoint is the API path of OpenLineage's HTTP transport.
const DefaultLineageEndpoint = "api/v1/lineage"

// StateConfig says where deployed state lives.
type StateConfig struct {
	// Backend is local (default), s3 or postgres.
	Backend  string
	Path     string
	Bucket   string
	Key      string
	Region   string
	Endpoint string
	Table    string
	DSN      *Secret
	Range    hcl.Range
}

// Secret is a value that must never be stored or printed: the name of the
// environment variable holding it, or (for values that are not secret in
// practice, such as a local DSN without a password) the literal text.
type Secret struct {
	Env     string
	Literal string
	Range   hcl.Range
}

// String describes the secret without revealing it.
func (s *Secret) String() string {
	if s == nil {
		return ""
	}
	if s.Env != "" {
		return `env("` + s.Env + `")`
	}
	return "(literal)"
}

// Domain is a team's area of ownership.
type Domain struct {
	Name        string
	Owner       string
	Team        string
	Description string
	Range       hcl.Range
}

// Source is a system the mesh reads from.
type Source struct {
	Name string
	// Type is postgres, parquet or csv.
	Type        string
	TypeRange   hcl.Range
	Description string
	Domain      *addrs.Ref
	DomainRange hcl.Range
	// Path is a file, folder, glob or s3:// prefix, relative to the
	// workspace root.
	Path      string
	PathRange hcl.Range
	// Table and Query are what a postgres source reads: a table or view
	// ("public.customers"), or the result of a SELECT; exactly one is set.
	Table    string
	Query    string
	DSN      *Secret
	Endpoint string
	CSV      CSVConfig
	Schema   *SourceSchema
	Range    hcl.Range
}

// CSVConfig holds the CSV reading options of a source.
type CSVConfig struct {
	Delimiter rune
	// Header is true unless the source says header = false.
	Header    bool
	NullValue string
	// OnError is fail (default), skip or quarantine.
	OnError string
}

// SourceSchema is a source's schema block. With Infer (the default) the
// schema is read from the data and the declared columns override or
// annotate the columns found; with infer = false the declared columns are
// the whole schema and nothing is read at plan time.
type SourceSchema struct {
	Infer   bool
	Columns []*Column
	Range   hcl.Range
}

// Column is a column declared in a source schema or a contract.
type Column struct {
	Name string
	// Type is valid when HasType; a source schema column may leave the type
	// to inference and only add tags or a description.
	Type      types.Type
	HasType   bool
	TypeRange hcl.Range
	// Nullable is nil when not written.
	Nullable    *bool
	Description string
	Tags        []string
	// Mask is how a contract column is masked on output ("hash"), or "".
	Mask      string
	MaskRange hcl.Range
	Range     hcl.Range
}

// Product is a data product.
type Product struct {
	Name         string
	Domain       addrs.Ref
	DomainRange  hcl.Range
	Owner        string
	Description  string
	Version      string
	VersionRange hcl.Range
	Tags         []string

	Inputs     []*Input
	Transforms []*Transform
	Output     *Output
	Contract   *Contract
	Checks     []*Check
	SLA        *SLA
	Lifecycle  *Lifecycle
	// Access is nil when the product has no access block.
	Access *Access

	Range hcl.Range
	// Block is the whole product block, for hashing its definition.
	Block hcl.Range
}

// Input returns the input called name, or nil.
func (p *Product) Input(name string) *Input {
	for _, in := range p.Inputs {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// Transform returns the transform called name, or nil.
func (p *Product) Transform(name string) *Transform {
	for _, t := range p.Transforms {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Input is a named input of a product: a source or another product.
type Input struct {
	Name string
	// From is source.x or product.x.
	From      addrs.Ref
	FromRange hcl.Range
	Range     hcl.Range
}

// Transform is an ordered pipeline of operators over an input or another
// transform.
type Transform struct {
	Name string
	// From is input.x or transform.y of the same product.
	From      addrs.Ref
	FromRange hcl.Range
	Operators []Operator
	Range     hcl.Range
}

// Operator is one step of a transform. The set is closed: *Filter, *Select,
// *Join, *Aggregate, *Sort, *Limit, *Distinct, *Union.
type Operator interface {
	// Kind is the block type ("filter").
	Kind() string
	// DeclRange is the operator block's header.
	DeclRange() hcl.Range
	isOperator()
}

// OpBase is the part every operator shares.
type OpBase struct {
	Range hcl.Range
}

// DeclRange implements Operator.
func (o OpBase) DeclRange() hcl.Range { return o.Range }
func (OpBase) isOperator()            {}

// Filter keeps the rows where Where is true.
type Filter struct {
	OpBase
	Where hcl.Expression
}

// NamedExpr is one output column of a select or an aggregate.
type NamedExpr struct {
	Name      string
	NameRange hcl.Range
	Expr      hcl.Expression
}

// Select projects and derives columns; it keeps only these.
type Select struct {
	OpBase
	Columns []NamedExpr
}

// Join joins the rows so far with another input or transform.
type Join struct {
	OpBase
	With      addrs.Ref
	WithRange hcl.Range
	// As names the right side in expressions; default: With's name.
	As        string
	Type      string
	TypeRange hcl.Range
	On        hcl.Expression
}

// Aggregate groups by columns and computes aggregates.
type Aggregate struct {
	OpBase
	GroupBy []hcl.Expression
	Columns []NamedExpr
}

// Sort orders rows; each key is an expression, optionally wrapped in
// asc() or desc().
type Sort struct {
	OpBase
	By []hcl.Expression
}

// Limit passes at most Count rows after skipping Offset.
type Limit struct {
	OpBase
	Count  int64
	Offset int64
}

// Distinct removes duplicate rows.
type Distinct struct {
	OpBase
}

// Union appends the rows of other inputs or transforms, matching columns
// by name.
type Union struct {
	OpBase
	With       []addrs.Ref
	WithRanges []hcl.Range
	Distinct   bool
}

func (*Filter) Kind() string    { return "filter" }
func (*Select) Kind() string    { return "select" }
func (*Join) Kind() string      { return "join" }
func (*Aggregate) Kind() string { return "aggregate" }
func (*Sort) Kind() string      { return "sort" }
func (*Limit) Kind() string     { return "limit" }
func (*Distinct) Kind() string  { return "distinct" }
func (*Union) Kind() string     { return "union" }

// Output says what a product publishes and where.
type Output struct {
	// From is transform.x or input.x; nil means the last transform.
	From        *addrs.Ref
	FromRange   hcl.Range
	Format      string
	FormatRange hcl.Range
	Path        string
	Table       string
	// DSN is where a postgres output's table lives: always env("NAME"),
	// since the output's location names the variable (see Location).
	DSN         *Secret
	Endpoint    string
	PartitionBy []string
	// PartitionRange covers the partition_by attribute.
	PartitionRange hcl.Range
	Compression    string
	// Encryption is "", "AES256" (SSE-S3) or "aws:kms" (SSE-KMS). It is
	// kept for any output, for policies, but only takes effect on s3://.
	Encryption      string
	EncryptionRange hcl.Range
	// KMSKeyID is the KMS key of aws:kms encryption; "" means the
	// bucket's default key.
	KMSKeyID string
	Range    hcl.Range
}

// Access says who may read a product's output, so that policies can
// check it (no PII readable by everyone).
type Access struct {
	// Readers are groups or principals ("everyone", "team-finance"), each
	// once, in the order written.
	Readers      []string
	ReadersRange hcl.Range
	Range        hcl.Range
}

// Contract is what consumers of a product may rely on.
type Contract struct {
	Columns []*Column
	Range   hcl.Range
}

// Check is a quality assertion over a product's output.
type Check struct {
	Name        string
	Assert      hcl.Expression
	Severity    string
	Description string
	Range       hcl.Range
}

// SLA is a product's service level.
type SLA struct {
	Freshness time.Duration
	// FreshnessText is the duration as written ("24h").
	FreshnessText string
	Range         hcl.Range
}

// Lifecycle controls how a product may change.
type Lifecycle struct {
	PreventDestroy bool
	Range          hcl.Range
}

// Policy is a governance rule evaluated at plan time.
type Policy struct {
	Name        string
	Description string
	// Enforcement is advisory (the default when not written: a rule only
	// warns until the mesh decides to enforce it), soft_mandatory or
	// hard_mandatory.
	Enforcement string
	// AppliesTo is one of policymodel.Targets: product, column, output,
	// source or change.
	AppliesTo      string
	AppliesToRange hcl.Range
	// When selects the objects the rule covers; nil means all.
	When      hcl.Expression
	Condition hcl.Expression
	// Message is a template; nil means a default message.
	Message hcl.Expression
	// Governance is the governance folder the policy comes from, as the
	// user wrote it; "" for a policy of the workspace.
	Governance string
	Range      hcl.Range
}

// Exemption is a documented, expiring exception to a policy.
type Exemption struct {
	Name        string
	Policy      addrs.Ref
	PolicyRange hcl.Range
	Target      addrs.Ref
	TargetRange hcl.Range
	Reason      string
	Expires     time.Time
	// Governance is the governance folder the exemption comes from; "" for
	// one of the workspace. A governance exemption names a governance
	// policy; its target may belong to another workspace sharing the folder,
	// so a target this workspace does not declare is not an error.
	Governance string
	Range      hcl.Range
}
