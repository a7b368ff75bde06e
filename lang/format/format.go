package format

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/hcldiag"
)

// Source returns src in canonical layout. filename names the source in
// diagnostics only; nothing is read from disk.
//
// When src has syntax errors Source returns them, located as
// filename:line:col, and no output: hclwrite would format broken input
// without complaint and make the mistake harder to see. Warnings, if HCL
// reports any, come back alongside the output. Source is safe for
// concurrent use.
func Source(filename string, src []byte) ([]byte, diag.Diagnostics) {
	_, hdiags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	diags := hcldiag.Diags(hdiags)
	if diags.HasErrors() {
		return nil, diags
	}

	// \r\n becomes \n before anything else looks at the bytes. In valid HCL
	// a carriage return can only sit in a comment or a heredoc (quoted
	// strings may not span lines and a lone \r is an invalid character),
	// so the one value this can change is a heredoc's, which is the point.
	orig := src
	src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))

	// hclwrite.Format already re-indents, sets the spaces between tokens,
	// aligns `=` and trailing comments, turns tabs between tokens into
	// spaces and drops spaces before a newline token. It never adds or
	// removes a newline and never touches comment text, so the line rules
	// are applied first, and hclwrite then aligns the final set of lines.
	out := hclwrite.Format(tidyLines(src))

	// Layout must change whitespace and nothing else. hclwrite does not
	// promise that: it drops the spaces around every `.`, so the legacy
	// index `0 .5` (a number indexed by 5, valid syntax though it fails when
	// evaluated) comes out as the number literal `0.5` (found by
	// FuzzSource). Checking the tokens catches that class of change
	// wherever it comes from; such a file is refused, not corrupted.
	if at, ok := sameTokens(src, out); !ok {
		at.Filename = filename
		at.Start.Byte = origByte(orig, at.Start)
		at.End.Byte = origByte(orig, at.End)
		return nil, append(diags, &diag.Diagnostic{
			Severity: diag.Error,
			Summary:  "Cannot format this expression",
			Detail:   "Laying out the expression here would change what it means, so meshctl fmt leaves the file alone. This happens when a space separates tokens that would run together without it, such as the number 0 and the index .5 in `0 .5`; write the expression another way (for example `(0).5` or `0[5]`) and format again.",
			Subject:  &at,
		})
	}
	// A last line of defence: a formatter bug must not become a broken file
	// on disk.
	if _, hdiags := hclsyntax.ParseConfig(out, filename, hcl.InitialPos); hdiags.HasErrors() {
		return nil, append(diags, diag.New(diag.Error, diag.Range{Filename: filename},
			"Formatting failed",
			"meshctl fmt produced output that does not parse, so the file was left alone. This is a bug in meshctl; please report it with the file that triggered it. The first problem: "+hdiags[0].Error()))
	}
	return out, diags
}

// sigToken is a token that matters to the parser, for sameTokens.
type sigToken struct {
	typ   hclsyntax.TokenType
	bytes string
	rng   hcl.Range
}

// sameTokens reports whether before and after (both \n-terminated lines of
// valid HCL) differ only in layout: the same tokens in the same order,
// counting a run of newlines as one and ignoring comments, which carry no
// meaning (a # or // comment counts as the newline it ends with). Heredoc
// bodies must match byte for byte. When they differ, at is the range in
// before of the first token that does not match (with no filename).
func sameTokens(before, after []byte) (at diag.Range, ok bool) {
	a, b := sigTokens(before), sigTokens(after)
	for i := range a {
		if i >= len(b) || a[i].typ != b[i].typ || a[i].bytes != b[i].bytes {
			return hcldiag.Range(a[i].rng), false
		}
	}
	if len(b) > len(a) {
		// The last token of both is EOF, so this is not reached; report
		// the end of the file rather than nothing.
		return hcldiag.Range(a[len(a)-1].rng), false
	}
	return diag.Range{}, true
}

// origByte returns the byte offset in orig, the source before its \r\n
// were made \n, of a position p counted in the normalised source. Lines and
// columns are the same in both; each line before p's lost one byte if it
// ended in \r\n.
func origByte(orig []byte, p diag.Pos) int {
	line, crlfs := 1, 0
	for i := 0; i < len(orig) && line < p.Line; i++ {
		if orig[i] == '\n' {
			line++
			if i > 0 && orig[i-1] == '\r' {
				crlfs++
			}
		}
	}
	return p.Byte + crlfs
}

// sigTokens lexes src into the tokens sameTokens compares.
func sigTokens(src []byte) []sigToken {
	tokens, _ := hclsyntax.LexConfig(src, "", hcl.InitialPos)
	out := make([]sigToken, 0, len(tokens))
	newline := func(t hclsyntax.Token) {
		if len(out) > 0 && out[len(out)-1].typ != hclsyntax.TokenNewline {
			out = append(out, sigToken{typ: hclsyntax.TokenNewline, rng: t.Range})
		}
	}
	heredocs := 0
	for _, t := range tokens {
		switch {
		case heredocs > 0:
			switch t.Type {
			case hclsyntax.TokenOHeredoc:
				heredocs++
			case hclsyntax.TokenCHeredoc:
				heredocs--
			}
		case t.Type == hclsyntax.TokenOHeredoc:
			heredocs++
		case t.Type == hclsyntax.TokenNewline:
			newline(t)
			continue
		case t.Type == hclsyntax.TokenComment:
			if bytes.HasSuffix(t.Bytes, []byte("\n")) {
				newline(t)
			}
			continue
		case t.Type == hclsyntax.TokenEOF:
			if len(out) > 0 && out[len(out)-1].typ == hclsyntax.TokenNewline {
				out = out[:len(out)-1]
			}
		}
		out = append(out, sigToken{typ: t.Type, bytes: string(t.Bytes), rng: t.Range})
	}
	return out
}

// tidyLines applies the line rules hclwrite.Format leaves alone to src,
// which must be valid HCL with \n line endings:
//
//   - no blank lines at the start or the end of the file, and exactly one
//     newline at the end (none for a file with no tokens);
//   - at most one blank line in a row;
//   - no blank line right after a line that ends by opening a bracket
//     ({, [ or (), or right before a line that starts by closing one;
//   - no trailing spaces or tabs, including at the end of comment lines.
//
// Heredocs are copied byte for byte, from their opening marker to their
// closing one: every character of their body is part of a string value.
//
// It works on HCL tokens rather than on text lines so that it can tell a
// blank line between attributes from an empty line inside a heredoc or a
// block comment. Removing a blank line never changes meaning: a newline
// token still ends the line before it, and inside brackets HCL ignores
// newlines altogether.
func tidyLines(src []byte) []byte {
	// src was parsed without errors, so lexing it succeeds too.
	tokens, _ := hclsyntax.LexConfig(src, "", hcl.InitialPos)

	out := make([]byte, 0, len(src)+1)
	var (
		prevEnd     int                  // end of the previous token in src
		atLineStart = true               // no token of the current line written yet
		blankLines  int                  // blank lines seen and not yet written
		lastType    = hclsyntax.TokenNil // last non-comment token of the current line
		prevLine    = hclsyntax.TokenNil // lastType of the previous non-blank line
		heredocs    int                  // depth of heredocs currently open
		wroteAny    bool                 // anything written at all
	)
	endLine := func() {
		atLineStart = true
		prevLine = lastType
		lastType = hclsyntax.TokenNil
	}

	for _, tok := range tokens {
		gap := src[prevEnd:tok.Range.Start.Byte]
		prevEnd = tok.Range.End.Byte

		if heredocs > 0 {
			// Inside a heredoc body (including any template sequences in
			// it) everything is copied as it is.
			out = append(out, gap...)
			out = append(out, tok.Bytes...)
			switch tok.Type {
			case hclsyntax.TokenOHeredoc:
				heredocs++
			case hclsyntax.TokenCHeredoc:
				heredocs--
				lastType = tok.Type
			}
			continue
		}

		switch tok.Type {
		case hclsyntax.TokenEOF:
			// Drop trailing blank lines and whitespace; end the last line.
			if !atLineStart {
				out = append(out, '\n')
			}
			return out

		case hclsyntax.TokenNewline:
			if atLineStart {
				blankLines++
				continue
			}
			// The gap before a newline is trailing whitespace.
			out = append(out, '\n')
			endLine()
			continue
		}

		if atLineStart {
			keep := min(blankLines, 1)
			if !wroteAny || opensBracket(prevLine) || closesBracket(tok.Type) {
				keep = 0
			}
			for range keep {
				out = append(out, '\n')
			}
			blankLines = 0
			atLineStart = false
		}

		out = append(out, gap...)
		wroteAny = true
		switch tok.Type {
		case hclsyntax.TokenComment:
			out = append(out, trimComment(tok.Bytes)...)
			// A # or // comment owns the newline that ends its line.
			if bytes.HasSuffix(tok.Bytes, []byte("\n")) {
				endLine()
			}
		case hclsyntax.TokenOHeredoc:
			out = append(out, tok.Bytes...)
			heredocs++
		default:
			out = append(out, tok.Bytes...)
			lastType = tok.Type
		}
	}
	// The lexer always ends with TokenEOF; this is only reached for an
	// empty token list.
	return out
}

// opensBracket reports whether a line whose last token is t opens a bracket.
func opensBracket(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen:
		return true
	}
	return false
}

// closesBracket reports whether a line whose first token is t closes one.
func closesBracket(t hclsyntax.TokenType) bool {
	switch t {
	case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen:
		return true
	}
	return false
}

// trimComment removes the spaces and tabs that end each line of a comment
// token: the one line of a # or // comment (which keeps its newline), or
// every line of a /* */ comment. A carriage return there goes too: one left
// in front of the newline would form a \r\n that the next run normalises,
// so formatting would not be idempotent (found by FuzzSource with
// "x { # c\r \n}", where only the space was trimmed at first).
func trimComment(c []byte) []byte {
	lines := bytes.SplitAfter(c, []byte("\n"))
	out := make([]byte, 0, len(c))
	for _, l := range lines {
		body, hasNL := bytes.CutSuffix(l, []byte("\n"))
		out = append(out, bytes.TrimRight(body, " \t\r")...)
		if hasNL {
			out = append(out, '\n')
		}
	}
	return out
}
