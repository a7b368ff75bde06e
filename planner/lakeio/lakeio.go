// Package lakeio defines where products' outputs are published and how
// the planner looks at data: the Lake interface a storage provider (local
// files, S3) implements, and the Manifest that names the files of a
// published version.
//
// A published output at path P is laid out as
//
//	P/_manifest.json           the current version (replaced atomically)
//	P/_versions/<id>/…         each version's files (partition folders inside)
//
// Readers that go through the manifest (every meshctl scan of a folder
// holding one) see either the old version or the new one, never a mix.
//
// lakeio imports only the standard library, so that providers implement
// it without importing the planner.
package lakeio

import (
	"context"
	"errors"
	"time"
)

// ManifestName is the manifest's file name inside an output folder.
const ManifestName = "_manifest.json"

// VersionsDir is the folder, inside an output folder, holding the versions.
const VersionsDir = "_versions"

// ManifestFormatVersion is the manifest format this meshctl writes.
const ManifestFormatVersion = 1

// Manifest describes one published version of a product's output.
type Manifest struct {
	FormatVersion  int       `json:"format_version"`
	Product        string    `json:"product"`
	VersionID      string    `json:"version_id"`
	PlanID         string    `json:"plan_id,omitempty"`
	MeshctlVersion string    `json:"meshctl_version"`
	CreatedAt      time.Time `json:"created_at"`
	Format         string    `json:"format"`
	Schema         []Column  `json:"schema"`
	PartitionBy    []string  `json:"partition_by,omitempty"`
	Rows           int64     `json:"rows"`
	// Readers are the product's access readers ("everyone" or role and
	// group names), for lakes that enforce access where they publish
	// (PostgreSQL tables get GRANT SELECT); nil when the product has no
	// access block.
	Readers []string `json:"readers,omitempty"`
	// Encryption and KMSKeyID are the server-side encryption the files
	// and the manifest are stored with: "" (the store's default),
	// "AES256" (SSE-S3) or "aws:kms" (SSE-KMS, with KMSKeyID or the
	// account's default key). They are publication settings that the
	// S3 lake applies to every object it writes, recorded so that a
	// reader knows which keys it needs; the local lake ignores them.
	Encryption string `json:"encryption,omitempty"`
	KMSKeyID   string `json:"kms_key_id,omitempty"`
	// Files are relative to the version's folder (_versions/<id>/),
	// slash-separated, sorted.
	Files []File `json:"files"`
}

// Column is one column of a published schema.
type Column struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
}

// File is one file of a version.
type File struct {
	Path   string `json:"path"`
	Rows   int64  `json:"rows"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// VersionDir returns the folder of a version relative to the output
// folder: "_versions/<id>".
func VersionDir(id string) string { return VersionsDir + "/" + id }

// ErrNotPublished is returned by Current when nothing was published at a
// path.
var ErrNotPublished = errors.New("not published")

// Lake publishes outputs and fingerprints data for one kind of location.
// Paths are as written in HCL (relative to the workspace root, or absolute,
// or a URL the implementation serves). Implementations are safe for
// concurrent use.
type Lake interface {
	// Fingerprint summarises the data a source path holds now, cheaply
	// (file names, sizes, modification times; the manifest's version when
	// the path is a published output), so that the planner notices an
	// input that changed.
	Fingerprint(ctx context.Context, path string) (string, error)
	// Current returns the manifest of the version published at path, and
	// the SHA-256 of the manifest file, or ErrNotPublished.
	Current(ctx context.Context, path string) (*Manifest, string, error)
	// Verify checks that the files of m exist with their recorded sizes
	// and, when deep, checksums; it returns one line per problem found.
	Verify(ctx context.Context, path string, m *Manifest, deep bool) ([]string, error)
	// Stage returns a new, empty local folder for the files of version id.
	Stage(ctx context.Context, path, id string) (string, error)
	// Publish makes the staged version m.VersionID current, atomically.
	Publish(ctx context.Context, path string, m *Manifest) error
	// Discard removes a staged version that will not be published.
	Discard(ctx context.Context, path, id string) error
	// Prune deletes versions, other than the current one, beyond the keep
	// newest, and staged versions left by interrupted applies.
	Prune(ctx context.Context, path string, keep int) error
	// Delete removes everything published at path.
	Delete(ctx context.Context, path string) error
}
