// Package format holds the canonical layout of meshctl configuration
// (*.mesh.hcl) and the file handling behind `meshctl fmt`: formatting one
// source (Source), a stream such as standard input (Reader), and the files
// and workspace folders named on the command line (Paths), optionally
// rewriting them in place or describing the change as a unified diff.
//
// The layout is hclwrite's (indentation, spacing, aligned `=` and trailing
// comments) plus a few rules hclwrite leaves alone: \n line endings, no
// trailing whitespace, one newline at the end of the file, no runs of blank
// lines, and no blank line just inside a bracket. Formatting changes only
// layout: the parsed configuration is the same before and after, apart from
// \r\n becoming \n inside heredocs. Input with syntax errors is refused,
// never formatted.
//
// format finds files through lang/discover, as the loader does, so that both
// see the same workspace. It reports problems as lang/diag diagnostics and
// never prints or exits; the command and its output belong to cmd/meshctl.
// It must not import the planner, the executor, the providers or
// cmd/meshctl.
package format
