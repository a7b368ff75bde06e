package render

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// mdText escapes text for an inline Markdown context (a table cell, a
// paragraph, a list item) so that it renders as written: no emphasis,
// link, code span, math, HTML tag or table cell boundary can come from it.
// It cleans control characters first (clean) and is a fixed function of
// its input.
//
// Intraword underscores stay as they are: GitHub Flavored Markdown never
// reads them as emphasis, and product names are full of them.
func mdText(s string) string {
	s = clean(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	var prev rune
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '[', ']', '<', '>', '|', '~', '$', '&':
			b.WriteByte('\\')
		case '_':
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if !(isWordRune(prev) && isWordRune(next)) {
				b.WriteByte('\\')
			}
		case '#', '-', '+', '=':
			// Only at the start can these open a heading, a list item
			// or a setext underline.
			if i == 0 {
				b.WriteByte('\\')
			}
		case '.', ')':
			// "1." or "1)" at the start opens an ordered list.
			if isDigits(s[:i]) && i > 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
		if r == '@' && !isWordRune(prev) {
			// "@org/team" in a policy message or a reason would notify
			// that team on every edit of the comment: a zero-width space
			// keeps the text and drops the mention.
			if next, _ := utf8.DecodeRuneInString(s[i+1:]); isWordRune(next) {
				b.WriteString("\u200b")
			}
		}
		prev = r
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// htmlText escapes text for HTML content (inside <summary> and <code>),
// where Markdown is not interpreted and backslashes would show.
func htmlText(s string) string {
	s = clean(s)
	if !strings.ContainsAny(s, `&<>"'`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// codeSpan wraps s in a Markdown code span whose backtick run is longer
// than any in s, so that no backtick in s can close it.
func codeSpan(s string) string {
	s = clean(s)
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return ticks + " " + s + " " + ticks
	}
	return ticks + s + ticks
}

// fenceFor returns a code fence longer than any backtick run in body, so
// that no line of body can close the block early.
func fenceFor(body string) string {
	n := longestRun(body, '`') + 1
	if n < 3 {
		n = 3
	}
	return strings.Repeat("`", n)
}

func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			if cur > best {
				best = cur
			}
		} else {
			cur = 0
		}
	}
	return best
}
