package diag

import "encoding/json"

// JSONDiagnostic is the stable JSON form of a diagnostic, shaped like
// `terraform validate -json` so that editors and CI annotate ranges.
type JSONDiagnostic struct {
	Severity string   `json:"severity"`
	Summary  string   `json:"summary"`
	Detail   string   `json:"detail,omitempty"`
	Range    *Range   `json:"range,omitempty"`
	Snippet  *Snippet `json:"snippet,omitempty"`
}

// ToJSON converts ds to their JSON form, with snippets taken from srcs.
func ToJSON(ds Diagnostics, srcs Sources) []JSONDiagnostic {
	out := make([]JSONDiagnostic, 0, len(ds))
	for _, d := range ds {
		out = append(out, JSONDiagnostic{
			Severity: d.Severity.String(),
			Summary:  d.Summary,
			Detail:   d.Detail,
			Range:    d.Subject,
			Snippet:  snippetFor(d, srcs),
		})
	}
	return out
}

// MarshalJSON lets a Diagnostic be encoded directly (without snippet).
func (d *Diagnostic) MarshalJSON() ([]byte, error) {
	return json.Marshal(JSONDiagnostic{Severity: d.Severity.String(), Summary: d.Summary, Detail: d.Detail, Range: d.Subject})
}
