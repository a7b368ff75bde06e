// Package diag holds the one diagnostics type meshctl uses for everything a
// user wrote wrong: HCL, data, state files and flags alike.
//
// A diagnostic has a severity, a summary, a detail and, where there is one,
// the source range it is about. Functions that read user input return
// (T, diag.Diagnostics) and keep going so that every problem of a run is
// reported at once.
//
// diag is a leaf: it imports no HCL (lang/ir depends on its Range, and the
// executor must not see HCL). Conversion from hcl.Diagnostics lives in
// lang/hcldiag.
package diag
