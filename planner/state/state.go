// Package state is the model of a workspace's deployed state (DESIGN.md
// §2): a versioned JSON document with a lineage id and a serial that grows
// on every write, and per product what was last applied — definition and
// plan fingerprints, the published contract and output version, input
// fingerprints, check results, prevent_destroy.
//
// state encodes and validates the document, and Store loads and saves it
// through a backend (planner/statestore), which only stores bytes. It
// imports planner/statestore, and no provider, the executor or cmd.
package state

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"
)

// FormatVersion is the version of the state document this meshctl writes.
// A document with a greater version is refused, never overwritten.
const FormatVersion = 1

// State is a workspace's deployed state.
type State struct {
	FormatVersion int `json:"format_version"`
	// Lineage identifies this state's history; two states with different
	// lineages are different workspaces' and must never be mixed.
	Lineage string `json:"lineage"`
	// Serial grows by one on every write.
	Serial         int64               `json:"serial"`
	MeshctlVersion string              `json:"meshctl_version"`
	Products       map[string]*Product `json:"products"`
}

// Product is what the last apply of one product left.
type Product struct {
	// DefinitionHash covers everything of the definition that changes the
	// data (the compiled plan, the output settings, the contract's types);
	// metadata is compared field by field.
	DefinitionHash string `json:"definition_hash"`
	// PlanFingerprint is the hash of the compiled plan; Transforms holds
	// one per transform, to say which one changed.
	PlanFingerprint string            `json:"plan_fingerprint"`
	Transforms      map[string]string `json:"transforms,omitempty"`
	Metadata        Metadata          `json:"metadata"`
	// Contract is the published schema.
	Contract []Column `json:"contract"`
	Output   Output   `json:"output"`
	// Inputs maps input names to what was read.
	Inputs map[string]Input `json:"inputs"`
	Checks []Check          `json:"checks,omitempty"`
	// PreventDestroy is recorded here so that deleting the lifecycle block
	// does not lift the protection: it must be applied as false first.
	PreventDestroy bool      `json:"prevent_destroy"`
	AppliedAt      time.Time `json:"applied_at"`
}

// Metadata is what an update (no recomputation) may change.
type Metadata struct {
	Domain      string   `json:"domain"`
	Owner       string   `json:"owner,omitempty"`
	Team        string   `json:"team,omitempty"`
	Description string   `json:"description,omitempty"`
	Version     string   `json:"version,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Freshness   string   `json:"freshness,omitempty"`
	// Readers are the access block's readers: who may read the output.
	Readers []string `json:"readers,omitempty"`
}

// Column is one column of a published schema.
type Column struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Nullable    bool     `json:"nullable"`
	Description string   `json:"description,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Mask        string   `json:"mask,omitempty"`
}

// Output is the published version of a product's output.
type Output struct {
	Format      string   `json:"format"`
	Path        string   `json:"path,omitempty"`
	Table       string   `json:"table,omitempty"`
	PartitionBy []string `json:"partition_by,omitempty"`
	// Encryption and KMSKeyID are the output's server-side encryption
	// settings ("AES256" or "aws:kms"; S3 outputs).
	Encryption string `json:"encryption,omitempty"`
	KMSKeyID   string `json:"kms_key_id,omitempty"`
	// VersionID names the published version (a folder under the output's
	// _versions/, listed by its _manifest.json).
	VersionID      string `json:"version_id"`
	ManifestSHA256 string `json:"manifest_sha256"`
	Files          []File `json:"files"`
	Rows           int64  `json:"rows"`
	Bytes          int64  `json:"bytes"`
}

// File is one published file.
type File struct {
	Path   string `json:"path"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Input is what one input pointed at and the fingerprint of its data.
type Input struct {
	// From is source.x or product.y.
	From        string `json:"from"`
	Fingerprint string `json:"fingerprint"`
}

// Check is a check's result at the last apply.
type Check struct {
	Name     string `json:"name"`
	Severity string `json:"severity"`
	Passed   bool   `json:"passed"`
}

// New returns an empty state with a fresh lineage.
func New(meshctlVersion string) *State {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &State{FormatVersion: FormatVersion, Lineage: hex.EncodeToString(b[:]), MeshctlVersion: meshctlVersion, Products: map[string]*Product{}}
}

// Names returns the products' names, sorted.
func (s *State) Names() []string {
	out := make([]string, 0, len(s.Products))
	for n := range s.Products {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Encode returns the document as indented JSON, products sorted by name
// (encoding/json sorts map keys), ending with a newline.
func Encode(s *State) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Decode reads and validates a state document. where names it for errors
// ("local state .meshctl/state.json"). Every error says the file was left
// untouched: a document this meshctl cannot read is never overwritten.
func Decode(doc []byte, where string) (*State, error) {
	var head struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field == "":
			return nil, fmt.Errorf("%s is not a meshctl state file (it holds a JSON %s, not an object); it was left untouched", where, typeErr.Value)
		case errors.As(err, &typeErr):
			return nil, fmt.Errorf("%s is not a meshctl state file (its format_version is a %s, not a whole number); it was left untouched", where, typeErr.Value)
		}
		return nil, fmt.Errorf("%s is not a meshctl state file (it is not valid JSON: %v); it was left untouched — restore it from its backup or fix it by hand", where, err)
	}
	if head.FormatVersion == nil {
		return nil, fmt.Errorf("%s is not a meshctl state file (no format_version); it was left untouched", where)
	}
	if *head.FormatVersion > FormatVersion {
		return nil, fmt.Errorf("%s was written by a newer meshctl (state format %d; this meshctl reads up to %d): upgrade meshctl; the file was left untouched", where, *head.FormatVersion, FormatVersion)
	}
	if *head.FormatVersion < 1 {
		return nil, fmt.Errorf("%s has an invalid format_version %d; it was left untouched", where, *head.FormatVersion)
	}
	var s State
	dec := json.NewDecoder(bytesReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s is corrupt: %v; it was left untouched — restore it from its backup", where, err)
	}
	if s.Products == nil {
		s.Products = map[string]*Product{}
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%s is corrupt: %v; it was left untouched", where, err)
	}
	return &s, nil
}

// validate checks what the JSON types alone do not: Decode refuses a
// document that fails it, and Store.Save refuses to write one.
func (s *State) validate() error {
	if s.Lineage == "" {
		return errors.New("it has no lineage")
	}
	if s.Serial < 0 {
		return fmt.Errorf("negative serial %d", s.Serial)
	}
	for _, name := range s.Names() {
		if s.Products[name] == nil {
			return fmt.Errorf("product %q has no record", name)
		}
	}
	return nil
}
