package localfiles

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshctl/meshctl/planner/lakeio"
)

// ReadManifest reads and checks the manifest of the output published in
// dir, and returns it with the SHA-256 of the file (hexadecimal). When dir
// holds no manifest, the error satisfies errors.Is(err, fs.ErrNotExist).
func ReadManifest(dir string) (*lakeio.Manifest, string, error) {
	file := filepath.Join(dir, lakeio.ManifestName)
	return readManifest(file, file)
}

// readManifest reads and checks the manifest file, which messages call
// name.
func readManifest(file, name string) (*lakeio.Manifest, string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("read manifest %s: %w", name, err)
	}
	return ParseManifest(data, name)
}

// ParseManifest decodes and checks a manifest's content, wherever it was
// read from (a file, an S3 object), and returns it with the SHA-256 of
// data (hexadecimal); messages call the manifest name.
func ParseManifest(data []byte, name string) (*lakeio.Manifest, string, error) {
	sum := sha256.Sum256(data)
	m := new(lakeio.Manifest)
	if err := json.Unmarshal(data, m); err != nil {
		return nil, "", fmt.Errorf("manifest %s is not valid: %w", name, err)
	}
	if err := CheckManifest(m); err != nil {
		return nil, "", fmt.Errorf("manifest %s: %w", name, err)
	}
	return m, hex.EncodeToString(sum[:]), nil
}

// CheckManifest checks what a reader of a manifest relies on: a format
// this meshctl reads, a version id that names one folder, and file paths
// that stay inside the version's folder, each listed once.
func CheckManifest(m *lakeio.Manifest) error {
	if err := checkFormat(m.FormatVersion); err != nil {
		return err
	}
	if err := CheckVersionID(m.VersionID); err != nil {
		return err
	}
	seen := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		if !fs.ValidPath(f.Path) || f.Path == "." || strings.ContainsRune(f.Path, '\\') {
			return fmt.Errorf("file %q is not a slash-separated path inside the version's folder", f.Path)
		}
		if seen[f.Path] {
			return fmt.Errorf("file %q is listed twice", f.Path)
		}
		seen[f.Path] = true
		if f.Bytes < 0 || f.Rows < 0 {
			return fmt.Errorf("file %q has a negative size or row count", f.Path)
		}
	}
	return nil
}

// checkFormat checks that this meshctl reads a manifest's format.
func checkFormat(v int) error {
	switch {
	case v > lakeio.ManifestFormatVersion:
		return fmt.Errorf("written by a newer meshctl (manifest format %d; this meshctl reads format %d and older): upgrade meshctl to read it",
			v, lakeio.ManifestFormatVersion)
	case v < 1:
		return fmt.Errorf("format_version %d is not valid (want 1 to %d)", v, lakeio.ManifestFormatVersion)
	}
	return nil
}

// ReadManifestVersion returns the version id that the manifest in dir
// names, checked with its format version, and the SHA-256 of the file
// (hexadecimal), without decoding the rest: meshctl writes both fields
// first, so that a fingerprint of a large output costs a file read and a
// hash. The file list is not checked (ReadManifest does). When dir holds
// no manifest, the error satisfies errors.Is(err, fs.ErrNotExist).
func ReadManifestVersion(dir string) (id, sum string, err error) {
	file := filepath.Join(dir, lakeio.ManifestName)
	data, err := os.ReadFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", err
		}
		return "", "", fmt.Errorf("read manifest %s: %w", file, err)
	}
	format, id, err := manifestHead(data)
	if err != nil {
		return "", "", fmt.Errorf("manifest %s is not valid: %w", file, err)
	}
	if err := checkFormat(format); err != nil {
		return "", "", fmt.Errorf("manifest %s: %w", file, err)
	}
	if err := CheckVersionID(id); err != nil {
		return "", "", fmt.Errorf("manifest %s: %w", file, err)
	}
	h := sha256.Sum256(data)
	return id, hex.EncodeToString(h[:]), nil
}

// manifestHead decodes a manifest's format_version and version_id, and
// stops reading once it has both.
func manifestHead(data []byte) (format int, id string, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0, "", fmt.Errorf("not a JSON object")
	}
	var haveFormat, haveID bool
	for dec.More() && !(haveFormat && haveID) {
		tok, err := dec.Token()
		if err != nil {
			return 0, "", err
		}
		switch tok {
		case "format_version":
			err, haveFormat = dec.Decode(&format), true
		case "version_id":
			err, haveID = dec.Decode(&id), true
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return 0, "", err
		}
	}
	if !(haveFormat && haveID) {
		// The object must still end well; a missing field is left zero,
		// for the caller's checks to refuse.
		if _, err := dec.Token(); err != nil {
			return 0, "", err
		}
	}
	return format, id, nil
}

// CheckVersionID checks that a version id names one folder inside
// _versions/: not empty, no separator, not "." or "..", not hidden.
func CheckVersionID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") || !fs.ValidPath(id) {
		return fmt.Errorf("version id %q is not valid: it must be one folder name", id)
	}
	return nil
}

// CheckVerifiable checks a manifest about to be verified against what is
// published at path. A manifest rebuilt from state may carry no format
// version: only its id and paths matter then.
func CheckVerifiable(path string, m *lakeio.Manifest) error {
	if m == nil {
		return fmt.Errorf("verify %s: no manifest", path)
	}
	check := *m
	if check.FormatVersion == 0 {
		check.FormatVersion = lakeio.ManifestFormatVersion
	}
	if err := CheckManifest(&check); err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	return nil
}
