// Package hcldiag converts HCL's diagnostics and ranges into meshctl's
// (lang/diag), so that the rest of meshctl speaks one diagnostics type.
// It is the only bridge between lang/diag and HCL.
package hcldiag

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/meshctl/meshctl/lang/diag"
)

// Range converts an HCL range.
func Range(r hcl.Range) diag.Range {
	return diag.Range{
		Filename: r.Filename,
		Start:    diag.Pos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      diag.Pos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
}

// RangePtr converts an optional HCL range.
func RangePtr(r *hcl.Range) *diag.Range {
	if r == nil {
		return nil
	}
	c := Range(*r)
	return &c
}

// Diags converts HCL diagnostics.
func Diags(hds hcl.Diagnostics) diag.Diagnostics {
	if len(hds) == 0 {
		return nil
	}
	out := make(diag.Diagnostics, 0, len(hds))
	for _, hd := range hds {
		sev := diag.Error
		if hd.Severity == hcl.DiagWarning {
			sev = diag.Warning
		}
		out = append(out, &diag.Diagnostic{
			Severity: sev,
			Summary:  hd.Summary,
			Detail:   hd.Detail,
			Subject:  RangePtr(hd.Subject),
			Context:  RangePtr(hd.Context),
		})
	}
	return out
}
