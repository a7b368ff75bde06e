package plans

import (
	"encoding/json"
	"fmt"
)

// FileFormatVersion is the version of the plan file this meshctl writes.
const FileFormatVersion = 1

// File is a saved plan (plan -out FILE), applied later with apply FILE.
type File struct {
	FormatVersion  int    `json:"format_version"`
	MeshctlVersion string `json:"meshctl_version"`
	Plan           *Plan  `json:"plan"`
}

// EncodeFile returns a saved plan's bytes.
func EncodeFile(p *Plan, meshctlVersion string) ([]byte, error) {
	b, err := json.MarshalIndent(File{FormatVersion: FileFormatVersion, MeshctlVersion: meshctlVersion, Plan: p}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// DecodeFile reads a saved plan; name names it in errors.
func DecodeFile(b []byte, name string) (*File, error) {
	var head struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(b, &head); err != nil || head.FormatVersion == nil {
		return nil, fmt.Errorf("%s is not a meshctl plan file", name)
	}
	if *head.FormatVersion > FileFormatVersion {
		return nil, fmt.Errorf("%s was written by a newer meshctl (plan format %d; this meshctl reads up to %d)", name, *head.FormatVersion, FileFormatVersion)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s is corrupt: %v", name, err)
	}
	if f.Plan == nil {
		return nil, fmt.Errorf("%s is corrupt: it holds no plan", name)
	}
	return &f, nil
}
