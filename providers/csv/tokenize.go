package csv

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// The tokenizer splits CSV text (RFC 4180) into records and fields in
// place: a field is a span of the buffer, nothing is copied.
//
// Records end at a line feed that lies outside quotes, and "outside
// quotes" is decided by the parity of the quote characters since the start
// of the file: in well-formed CSV every quote opens, closes or is half of a
// doubled quote, so a line feed is inside a quoted field exactly when an
// odd number of quotes precede it. The tokenizer follows the same rule for
// malformed records (a quote inside an unquoted field, text after a closing
// quote): they end where the parity says, and are reported as bad rows.
// Because of this one rule, a scan can find the record boundaries of any
// byte range of a file from the number of quotes before it, which is what
// lets morsels of one file parse in parallel (scanner.go).

// span is one field in the buffer, quotes included: a field whose first
// byte is '"' is quoted; its content lies between the quotes, with doubled
// quotes still doubled.
type span struct{ start, end int32 }

// Byte classes of the tokenizer's table.
const (
	clPlain uint8 = iota
	clDelim       // the delimiter's first byte
	clNewline
	clQuote
)

// status is what tokenizing one record found.
type status uint8

const (
	recOK status = iota
	// recBlank is an empty line, which is skipped (as encoding/csv does).
	recBlank
	// recBad is a record whose quoting is malformed.
	recBad
	// recMore means the record does not end within the buffer, which is
	// not the end of the file: read more and tokenize it again.
	recMore
)

// Why a record is malformed.
const (
	reasonBareQuote    = `a quote (") inside a field that is not quoted: quote the whole field and double the quote`
	reasonAfterQuote   = `text follows the closing quote of a quoted field`
	reasonUnterminated = `a quoted field is not closed before the end of the file`
)

var lineFeed = []byte{'\n'}

// tokenizer splits records. It is owned by one goroutine.
type tokenizer struct {
	delim []byte
	class [256]uint8
	// fields are the spans of the last record tokenized.
	fields []span
}

// newTokenizer returns a tokenizer for a valid delimiter (validDelimiter).
func newTokenizer(delim rune) *tokenizer {
	t := &tokenizer{delim: utf8.AppendRune(nil, delim)}
	t.class[t.delim[0]] = clDelim
	t.class['\n'] = clNewline
	t.class['"'] = clQuote
	return t
}

// record tokenizes the record that starts at buf[pos] (pos < len(buf));
// eof says whether buf ends where the file does. It returns the end of the
// record's text (its terminator, \n or \r\n, left out), the start of the
// next record, and the number of line feeds inside the record's text
// (inside quoted fields). The fields are in t.fields; on recBad, reason
// says what is malformed.
func (t *tokenizer) record(buf []byte, pos int, eof bool) (end, next, nl int, st status, reason string) {
	if len(t.delim) == 1 {
		if end, next, ok := t.plainRecord(buf, pos); ok {
			return end, next, 0, recOK, ""
		}
	}
	t.fields = t.fields[:0]
	n := len(buf)
	i := pos
	for {
		if i < n && buf[i] == '"' {
			j := i + 1
			for {
				k := bytes.IndexByte(buf[j:], '"')
				if k < 0 {
					if !eof {
						return 0, 0, 0, recMore, ""
					}
					nl += bytes.Count(buf[i:], lineFeed)
					return n, n, nl, recBad, reasonUnterminated
				}
				j += k + 1
				if j < n && buf[j] == '"' {
					j++
					continue
				}
				if j == n && !eof {
					return 0, 0, 0, recMore, ""
				}
				break
			}
			nl += bytes.Count(buf[i+1:j-1], lineFeed)
			t.fields = append(t.fields, span{int32(i), int32(j)})
			if j == n {
				return n, n, nl, recOK, ""
			}
			switch c := buf[j]; {
			case t.class[c] == clDelim && t.isDelim(buf, j):
				i = j + len(t.delim)
				continue
			case c == '\n':
				return j, j + 1, nl, recOK, ""
			case c == '\r' && j+1 < n && buf[j+1] == '\n':
				return j, j + 2, nl, recOK, ""
			case t.class[c] == clDelim && !eof && j+len(t.delim) > n:
				// Perhaps the start of a multi-byte delimiter.
				return 0, 0, 0, recMore, ""
			case c == '\r' && j+1 == n:
				if !eof {
					return 0, 0, 0, recMore, ""
				}
				// encoding/csv drops a \r before the end of the file.
				return j, n, nl, recOK, ""
			}
			return skipBad(buf, pos, j, nl, eof, reasonAfterQuote)
		}

		j := i
	scan:
		for j < n && t.class[buf[j]] == clPlain {
			j++
		}
		if j == n {
			if !eof {
				return 0, 0, 0, recMore, ""
			}
			e := n
			if e > i && buf[e-1] == '\r' {
				e--
			}
			t.fields = append(t.fields, span{int32(i), int32(e)})
			if len(t.fields) == 1 && e == i {
				return e, n, nl, recBlank, ""
			}
			return e, n, nl, recOK, ""
		}
		switch t.class[buf[j]] {
		case clDelim:
			if !t.isDelim(buf, j) {
				j++
				goto scan
			}
			t.fields = append(t.fields, span{int32(i), int32(j)})
			i = j + len(t.delim)
		case clNewline:
			e := j
			if e > i && buf[e-1] == '\r' {
				e--
			}
			t.fields = append(t.fields, span{int32(i), int32(e)})
			if len(t.fields) == 1 && e == i {
				return e, j + 1, nl, recBlank, ""
			}
			return e, j + 1, nl, recOK, ""
		default: // a quote inside an unquoted field
			return skipBad(buf, pos, j, nl, eof, reasonBareQuote)
		}
	}
}

// isDelim reports whether the delimiter starts at buf[j] (whose byte is
// the delimiter's first).
func (t *tokenizer) isDelim(buf []byte, j int) bool {
	return len(t.delim) == 1 || bytes.HasPrefix(buf[j:], t.delim)
}

// skipBad finds the end of a malformed record that starts at pos, from
// buf[j] on, where the quote parity is even: the record ends at the first
// line feed outside quotes. A stray quote thus makes the record run on to
// the line where the next quote closes it (or to the end of the file), as
// quote parity says; the whole run is one bad row, reported at its first
// line with the cause.
func skipBad(buf []byte, pos, j, nl int, eof bool, reason string) (end, next, nlOut int, st status, why string) {
	inQuote := false
	for ; j < len(buf); j++ {
		switch buf[j] {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				e := j
				if e > pos && buf[e-1] == '\r' {
					e--
				}
				return e, j + 1, nl, recBad, reason
			}
			nl++
		}
	}
	if !eof {
		return 0, 0, 0, recMore, ""
	}
	return len(buf), len(buf), nl, recBad, reason
}

// nextRecordStart finds the first record start at or after buf[from+1]:
// the position after the first line feed at index ≥ from that lies outside
// quotes, given whether buf[0] starts inside quotes. It searches line feeds
// below limit only and returns the start and the number of line feeds up
// to it (the last included), or found = false.
func nextRecordStart(buf []byte, inQuote bool, limit int) (start int, lines int64, found bool) {
	for i := 0; i < limit && i < len(buf); i++ {
		switch buf[i] {
		case '"':
			inQuote = !inQuote
		case '\n':
			lines++
			if !inQuote {
				return i + 1, lines, true
			}
		}
	}
	return 0, lines, false
}

// unquote returns a field's content: quotes removed and doubled quotes
// undoubled (into scratch when there are any).
func unquote(f []byte, scratch []byte) []byte {
	if len(f) < 2 || f[0] != '"' {
		return f
	}
	f = f[1 : len(f)-1]
	if bytes.IndexByte(f, '"') < 0 {
		return f
	}
	return appendUnescaped(scratch[:0], f)
}

// appendUnescaped appends the content of a quoted field with its doubled
// quotes undoubled.
func appendUnescaped(dst, content []byte) []byte {
	for {
		k := bytes.IndexByte(content, '"')
		if k < 0 {
			return append(dst, content...)
		}
		dst = append(dst, content[:k+1]...)
		content = content[k+1:]
		if len(content) > 0 && content[0] == '"' {
			content = content[1:]
		}
	}
}

// countByte counts the occurrences of c in b (vectorised by bytes.Count).
func countByte(b []byte, c byte) int {
	return bytes.Count(b, []byte{c})
}

// SWAR (SIMD within a register) constants: a byte repeated in every byte
// of a word, and the low seven bits of every byte.
const (
	lsbs  = 0x0101010101010101
	low7s = 0x7f7f7f7f7f7f7f7f
)

// zeroBytes returns a word with 0x80 in each byte where y has a zero
// byte, and 0 elsewhere. Unlike the shorter (y-0x01…)&^y&0x80… it is
// exact for every byte: no borrow crosses from one byte to the next.
func zeroBytes(y uint64) uint64 {
	return ^((y&low7s + low7s) | y | low7s)
}

// plainRecord is the fast path of record for the common record that holds
// no quote and ends with a line feed inside buf, with a one-byte
// delimiter: it looks at eight bytes at a time for the delimiter, a line
// feed or a quote. It gives up (ok = false) on a quote, a blank line, or
// the end of buf, for record to start over.
func (t *tokenizer) plainRecord(buf []byte, pos int) (end, next int, ok bool) {
	fields := t.fields[:0]
	delims := uint64(t.delim[0]) * lsbs
	const lineFeeds, quotes = '\n' * lsbs, '"' * lsbs
	start := pos
	for j := pos; j+8 <= len(buf); j += 8 {
		w := binary.LittleEndian.Uint64(buf[j:])
		m := zeroBytes(w^delims) | zeroBytes(w^lineFeeds) | zeroBytes(w^quotes)
		for m != 0 {
			k := j + bits.TrailingZeros64(m)>>3
			m &= m - 1
			switch buf[k] {
			case '\n':
				e := k
				if e > start && buf[e-1] == '\r' {
					e--
				}
				if len(fields) == 0 && e == start {
					return 0, 0, false
				}
				t.fields = append(fields, span{int32(start), int32(e)})
				return e, k + 1, true
			case '"':
				return 0, 0, false
			default:
				fields = append(fields, span{int32(start), int32(k)})
				start = k + 1
			}
		}
	}
	t.fields = fields
	return 0, 0, false
}
