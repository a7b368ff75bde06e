package diag

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Sources maps a file name, as it appears in ranges, to its contents; the
// renderers use it to print the offending lines.
type Sources map[string][]byte

// TextWriter prints diagnostics for a terminal: severity and summary, the
// file:line:col, the source lines with the subject underlined, the detail.
type TextWriter struct {
	W       io.Writer
	Sources Sources
	// Color turns on ANSI colour; the caller decides (--no-color, NO_COLOR,
	// not a terminal).
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiUnder  = "\x1b[4m"
)

// WriteDiagnostics prints every diagnostic of ds, blank-line separated.
func (tw *TextWriter) WriteDiagnostics(ds Diagnostics) error {
	var buf bytes.Buffer
	for _, d := range ds {
		tw.write(&buf, d)
	}
	_, err := tw.W.Write(buf.Bytes())
	return err
}

func (tw *TextWriter) paint(s string, codes ...string) string {
	if !tw.Color || s == "" {
		return s
	}
	return strings.Join(codes, "") + s + ansiReset
}

func (tw *TextWriter) write(buf *bytes.Buffer, d *Diagnostic) {
	label, color := "Error", ansiRed
	if d.Severity == Warning {
		label, color = "Warning", ansiYellow
	}
	fmt.Fprintf(buf, "%s %s\n", tw.paint(label+":", ansiBold, color), tw.paint(d.Summary, ansiBold))
	if d.Subject != nil {
		fmt.Fprintf(buf, "\n  on %s\n", d.Subject)
		if sn := snippetFor(d, tw.Sources); sn != nil {
			tw.writeSnippet(buf, sn)
		}
	}
	if d.Detail != "" {
		buf.WriteString("\n")
		buf.WriteString(d.Detail)
		buf.WriteString("\n")
	}
	buf.WriteString("\n")
}

func (tw *TextWriter) writeSnippet(buf *bytes.Buffer, sn *Snippet) {
	lines := strings.Split(sn.Code, "\n")
	width := len(fmt.Sprint(sn.StartLine + len(lines) - 1))
	for i, line := range lines {
		no := sn.StartLine + i
		if i == sn.HighlightLine-sn.StartLine && sn.HighlightEnd > sn.HighlightStart && tw.Color {
			line = line[:sn.HighlightStart] + tw.paint(line[sn.HighlightStart:sn.HighlightEnd], ansiUnder) + line[sn.HighlightEnd:]
		}
		fmt.Fprintf(buf, "  %*d: %s\n", width, no, line)
		if i == sn.HighlightLine-sn.StartLine && sn.HighlightEnd > sn.HighlightStart && !tw.Color {
			orig := lines[i]
			pad := indentLike(orig[:sn.HighlightStart])
			n := utf8.RuneCountInString(orig[sn.HighlightStart:sn.HighlightEnd])
			fmt.Fprintf(buf, "  %*s  %s%s\n", width, "", pad, strings.Repeat("^", max(n, 1)))
		}
	}
}

// indentLike returns blanks as wide as prefix, keeping its tabs so the caret
// line lines up under tab-indented code.
func indentLike(prefix string) string {
	var b strings.Builder
	for _, r := range prefix {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// Snippet is the source text shown with a diagnostic. Offsets are byte
// offsets into the line HighlightLine (within Code) of the subject.
type Snippet struct {
	// Code holds one or more whole source lines, without the final newline.
	Code      string `json:"code"`
	StartLine int    `json:"start_line"`
	// HighlightLine is the line number holding the highlighted span.
	HighlightLine  int `json:"highlight_line"`
	HighlightStart int `json:"highlight_start_offset"`
	HighlightEnd   int `json:"highlight_end_offset"`
}

// maxSnippetLines bounds a snippet so that a diagnostic about a whole block
// does not print the block.
const maxSnippetLines = 3

func snippetFor(d *Diagnostic, srcs Sources) *Snippet {
	if d.Subject == nil {
		return nil
	}
	src, ok := srcs[d.Subject.Filename]
	if !ok {
		return nil
	}
	ctx := *d.Subject
	if d.Context != nil && d.Context.Filename == ctx.Filename {
		ctx = *d.Context
	}
	startLine := min(ctx.Start.Line, d.Subject.Start.Line)
	endLine := max(ctx.End.Line, d.Subject.Start.Line)
	if endLine-startLine+1 > maxSnippetLines {
		startLine = max(startLine, d.Subject.Start.Line-1)
		endLine = startLine + maxSnippetLines - 1
	}
	if startLine < 1 {
		return nil
	}
	lines := strings.Split(string(src), "\n")
	if startLine > len(lines) {
		return nil
	}
	endLine = min(endLine, len(lines))
	code := make([]string, 0, endLine-startLine+1)
	for _, l := range lines[startLine-1 : endLine] {
		code = append(code, strings.TrimRight(l, "\r"))
	}
	sn := &Snippet{Code: strings.Join(code, "\n"), StartLine: startLine, HighlightLine: d.Subject.Start.Line}
	hl := d.Subject.Start.Line - startLine
	if hl >= 0 && hl < len(code) {
		lineStart := lineStartByte(src, d.Subject.Start.Byte)
		s := d.Subject.Start.Byte - lineStart
		e := d.Subject.End.Byte - lineStart
		if d.Subject.End.Line != d.Subject.Start.Line {
			e = len(code[hl])
		}
		if s >= 0 && s <= len(code[hl]) {
			sn.HighlightStart = s
			sn.HighlightEnd = min(max(e, s), len(code[hl]))
		}
	}
	return sn
}

func lineStartByte(src []byte, off int) int {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		return 0
	}
	i := bytes.LastIndexByte(src[:off], '\n')
	return i + 1
}
