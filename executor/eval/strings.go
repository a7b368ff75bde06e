package eval

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// strAt returns row i of a string vector (a view). A dictionary code out
// of range — only ever in a null row — reads as "".
func strAt(v *vector.Vector, i int) []byte {
	if d := v.Dict; d != nil {
		c := v.Codes[i]
		if uint(c) >= uint(d.Len) {
			return nil
		}
		return d.Bytes[d.Offsets[c]:d.Offsets[c+1]]
	}
	return v.Bytes[v.Offsets[i]:v.Offsets[i+1]]
}

// strMapper maps one string to another. Implementations are small
// structs of distinct shapes so that the generic loops are compiled once
// per mapper, with apply called directly.
type strMapper interface {
	// apply appends the image of s to dst.
	apply(dst, s []byte) []byte
	// bulk maps a whole flat buffer into dst (of the same length) when
	// the mapping keeps every byte offset (ASCII case mapping), reporting
	// whether it could.
	bulk(dst, src []byte) bool
}

// mapStrings sets out (a string vector just Reset to rows) to m of every
// row of x. A dictionary-encoded x is mapped once per entry and out stays
// dictionary-encoded.
func mapStrings[M strMapper](ev *Evaluator, b *base, m M, x *vector.Vector, rows int, out *vector.Vector) {
	if x.Dict != nil {
		if dictWorthIt(x, rows) {
			d := ev.dict(b, x.Dict.Len)
			mapFlat(m, x.Dict, x.Dict.Len, d)
			out.Dict = d
			out.Codes = append(out.Codes[:0], x.Codes[:rows]...)
			return
		}
		buf := out.Bytes[:0]
		for i := 0; i < rows; i++ {
			buf = m.apply(buf, strAt(x, i))
			out.Offsets[i+1] = int32(len(buf))
		}
		out.Bytes = buf
		return
	}
	mapFlat(m, x, rows, out)
}

// mapFlat maps the first rows rows of the flat src into dst (Reset to
// rows).
func mapFlat[M strMapper](m M, src *vector.Vector, rows int, dst *vector.Vector) {
	off := src.Offsets[:rows+1]
	data := src.Bytes[off[0]:off[rows]]
	buf := growT(dst.Bytes[:0], len(data))
	if m.bulk(buf, data) {
		dst.Bytes = buf
		o := dst.Offsets[:rows+1]
		for i, x := range off {
			o[i] = x - off[0]
		}
		return
	}
	buf = buf[:0]
	all := src.Bytes
	for i := 0; i < rows; i++ {
		buf = m.apply(buf, all[off[i]:off[i+1]])
		dst.Offsets[i+1] = int32(len(buf))
	}
	dst.Bytes = buf
}

// ---- lower, upper ------------------------------------------------------

const (
	ones64  = 0x0101010101010101
	highs64 = 0x8080808080808080
)

// asciiCase writes src with the letters in [lo, hi] flipped to the other
// case (8 bytes at a time) and reports whether src was all ASCII; when it
// was not, dst holds garbage.
func asciiCase(dst, src []byte, lo, hi byte) bool {
	dst = dst[:len(src)]
	// For bytes < 0x80 the additions carry into no neighbour: the high bit
	// of each byte then says byte >= lo, resp. byte > hi.
	addGE := (0x80 - uint64(lo)) * ones64
	addGT := (0x80 - uint64(hi) - 1) * ones64
	var acc uint64
	i := 0
	for ; i+16 <= len(src); i += 16 {
		// Two independent words per step.
		x := binary.LittleEndian.Uint64(src[i:])
		y := binary.LittleEndian.Uint64(src[i+8:])
		acc |= x | y
		mx := ((x + addGE) &^ (x + addGT)) & highs64 >> 2
		my := ((y + addGE) &^ (y + addGT)) & highs64 >> 2
		binary.LittleEndian.PutUint64(dst[i:], x^mx)
		binary.LittleEndian.PutUint64(dst[i+8:], y^my)
	}
	for ; i+8 <= len(src); i += 8 {
		x := binary.LittleEndian.Uint64(src[i:])
		acc |= x
		mx := ((x + addGE) &^ (x + addGT)) & highs64 >> 2
		binary.LittleEndian.PutUint64(dst[i:], x^mx)
	}
	for ; i < len(src); i++ {
		c := src[i]
		acc |= uint64(c)
		if c >= lo && c <= hi {
			c ^= 0x20
		}
		dst[i] = c
	}
	return acc&highs64 == 0
}

type lowerMap struct{ _ uint8 }

func (lowerMap) bulk(dst, src []byte) bool { return asciiCase(dst, src, 'A', 'Z') }

func (lowerMap) apply(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, c) // invalid UTF-8 is kept as is
		} else {
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i += size
	}
	return dst
}

type upperMap struct{ _ uint16 }

func (upperMap) bulk(dst, src []byte) bool { return asciiCase(dst, src, 'a', 'z') }

func (upperMap) apply(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, c)
		} else {
			dst = utf8.AppendRune(dst, unicode.ToUpper(r))
		}
		i += size
	}
	return dst
}

// ---- trim ----------------------------------------------------------------

var asciiSpace = [128]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

type trimMap struct{ _ uint32 }

func (trimMap) bulk(dst, src []byte) bool { return false }

func (trimMap) apply(dst, s []byte) []byte { return append(dst, trimSpace(s)...) }

// trimSpace removes Unicode white space at both ends.
func trimSpace(s []byte) []byte {
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			s = s[1:]
			continue
		}
		r, size := utf8.DecodeRune(s)
		if !unicode.IsSpace(r) {
			break
		}
		s = s[size:]
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			s = s[:len(s)-1]
			continue
		}
		r, size := utf8.DecodeLastRune(s)
		if !unicode.IsSpace(r) {
			break
		}
		s = s[:len(s)-size]
	}
	return s
}

// ---- substr ----------------------------------------------------------------

// charLen is the byte length of the character at s[i] (1 for invalid UTF-8).
func charLen(s []byte, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRune(s[i:])
	return n
}

// substrBytes is substr(s, start[, length]) counting characters from 1,
// as PostgreSQL does: the window [start, start+length) is clipped to the
// string, so a start ≤ 0 eats into the length. length ≥ 0.
func substrBytes(s []byte, start, length int64, hasLen bool) []byte {
	from := max(start, 1)
	to := int64(math.MaxInt64)
	if hasLen {
		if start > 0 && length > math.MaxInt64-start {
			to = math.MaxInt64
		} else {
			to = start + length
		}
		if to <= from {
			return nil
		}
	}
	i := 0
	for k := int64(1); k < from; k++ {
		if i >= len(s) {
			return nil
		}
		i += charLen(s, i)
	}
	if !hasLen {
		return s[i:]
	}
	j := i
	for k := from; k < to && j < len(s); k++ {
		j += charLen(s, j)
	}
	return s[i:j]
}

type substrMap struct {
	start, length int64
	hasLen        bool
}

func (substrMap) bulk(dst, src []byte) bool { return false }

func (m substrMap) apply(dst, s []byte) []byte {
	return append(dst, substrBytes(s, m.start, m.length, m.hasLen)...)
}

// ---- mask_hash ---------------------------------------------------------

// hmacKey is the precomputed padding of an HMAC-SHA256 key.
type hmacKey struct {
	ipad, opad [64]byte
}

func newHMACKey(key []byte) *hmacKey {
	if key == nil {
		return nil
	}
	if len(key) > 64 {
		sum := sha256.Sum256(key)
		key = sum[:]
	}
	k := &hmacKey{}
	for i := range 64 {
		var b byte
		if i < len(key) {
			b = key[i]
		}
		k.ipad[i] = b ^ 0x36
		k.opad[i] = b ^ 0x5c
	}
	return k
}

// hashMap writes the lower-case hex HMAC-SHA256 (or SHA-256) of a string.
// HMAC is computed from two sha256.Sum256 calls over a scratch buffer:
// no allocation and no call through hash.Hash per row.
type hashMap struct {
	key     *hmacKey
	scratch *[]byte
}

func (hashMap) bulk(dst, src []byte) bool { return false }

func (m hashMap) apply(dst, s []byte) []byte {
	var sum [32]byte
	if m.key == nil {
		sum = sha256.Sum256(s)
	} else {
		buf := append((*m.scratch)[:0], m.key.ipad[:]...)
		buf = append(buf, s...)
		inner := sha256.Sum256(buf)
		buf = append(buf[:0], m.key.opad[:]...)
		buf = append(buf, inner[:]...)
		sum = sha256.Sum256(buf)
		*m.scratch = buf
	}
	return hex.AppendEncode(dst, sum[:])
}

// ---- mask_last4, mask_email_domain, mask_redact, mask_null ------------

// last4Map replaces every character but the last 4 with '*', and all of
// a text of 4 characters or fewer. A character is a rune; an invalid
// UTF-8 byte counts as one.
type last4Map struct{ _ uint64 }

func (last4Map) bulk(dst, src []byte) bool { return false }

func (last4Map) apply(dst, s []byte) []byte {
	// Find where the last 4 characters start, walking back from the end.
	keep := len(s)
	for k := 0; k < 4 && keep > 0; k++ {
		if s[keep-1] < utf8.RuneSelf {
			keep--
			continue
		}
		_, size := utf8.DecodeLastRune(s[:keep])
		keep -= size
	}
	if keep == 0 {
		keep = len(s) // 4 characters or fewer: reveal none
	}
	masked := utf8.RuneCount(s[:keep])
	for range masked {
		dst = append(dst, '*')
	}
	return append(dst, s[keep:]...)
}

// emailDomainMap keeps the text from the last '@' after "***".
type emailDomainMap struct{ _ [2]uint64 }

func (emailDomainMap) bulk(dst, src []byte) bool { return false }

func (emailDomainMap) apply(dst, s []byte) []byte {
	dst = append(dst, "***"...)
	if at := bytes.LastIndexByte(s, '@'); at >= 0 {
		dst = append(dst, s[at:]...)
	}
	return dst
}

// redactText is what mask = "redact" publishes for every non-null value.
var redactText = []byte("****")

// redactNode is mask_redact: "****" where x is not null, as a one-entry
// dictionary (whatever x's type, no per-row work but the validity).
type redactNode struct {
	base
	x node
}

func (n *redactNode) kids() []node { return []node{n.x} }

func (n *redactNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	s := &ev.slots[n.id]
	if s.aux == nil {
		s.aux = vector.New(types.StringType, 1)
		s.aux.Reset(1)
		s.aux.AppendString(0, redactText)
	}
	out := ev.out(&n.base, rows)
	out.Dict = s.aux
	out.Codes = growI32(out.Codes, rows)
	clear(out.Codes)
	copyValid(out, x.Valid, rows)
	return out, nil
}

// discardNode evaluates x for its errors and yields k's value: mask_null
// of a column that may fail.
type discardNode struct {
	base
	x node
	k *constNode
}

func (n *discardNode) kids() []node { return []node{n.x, n.k} }

func (n *discardNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	if _, err := n.x.eval(ev, b, act); err != nil {
		return nil, err
	}
	return n.k.eval(ev, b, act)
}

// strMapNode applies a string-to-string function of one string argument
// (the other arguments constant).
type strMapNode struct {
	base
	fn  ir.Func
	x   node
	sub substrMap
	key *hmacKey
}

func (n *strMapNode) kids() []node { return []node{n.x} }

func (n *strMapNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	if n.fn == ir.FnSubstr && n.sub.hasLen && n.sub.length < 0 {
		for i := 0; i < rows; i++ {
			if live(i, act, x.Valid) {
				return nil, n.fail(i, formatInt(n.sub.length), "the length %d is negative", n.sub.length)
			}
		}
	}
	out := ev.out(&n.base, rows)
	switch n.fn {
	case ir.FnLower:
		mapStrings(ev, &n.base, lowerMap{}, x, rows, out)
	case ir.FnUpper:
		mapStrings(ev, &n.base, upperMap{}, x, rows, out)
	case ir.FnTrim:
		mapStrings(ev, &n.base, trimMap{}, x, rows, out)
	case ir.FnSubstr:
		mapStrings(ev, &n.base, n.sub, x, rows, out)
	case ir.FnMaskHash:
		s := &ev.slots[n.id]
		mapStrings(ev, &n.base, hashMap{key: n.key, scratch: &s.buf}, x, rows, out)
	case ir.FnMaskLast4:
		mapStrings(ev, &n.base, last4Map{}, x, rows, out)
	case ir.FnMaskEmailDomain:
		mapStrings(ev, &n.base, emailDomainMap{}, x, rows, out)
	}
	copyValid(out, x.Valid, rows)
	return out, nil
}

// substrNode is substr with a start or length computed per row.
type substrNode struct {
	base
	x, start, length node
}

func (n *substrNode) kids() []node {
	if n.length == nil {
		return []node{n.x, n.start}
	}
	return []node{n.x, n.start, n.length}
}

func (n *substrNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	st, err := n.start.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	var ln *vector.Vector
	out := ev.out(&n.base, rows)
	andValid(out, x.Valid, st.Valid, rows)
	if n.length != nil {
		if ln, err = n.length.eval(ev, b, act); err != nil {
			return nil, err
		}
		andValidInto(out, ln.Valid, rows)
	}
	buf := out.Bytes[:0]
	for i := 0; i < rows; i++ {
		var sub []byte
		if out.Valid == nil || out.Valid.Get(i) {
			s := strAt(x, i)
			if ln == nil {
				sub = substrBytes(s, st.I64[i], 0, false)
			} else {
				l := ln.I64[i]
				if l < 0 {
					if live(i, act, out.Valid) {
						return nil, n.fail(i, formatInt(l), "the length %d is negative", l)
					}
					l = 0
				}
				sub = substrBytes(s, st.I64[i], l, true)
			}
		}
		buf = append(buf, sub...)
		out.Offsets[i+1] = int32(len(buf))
	}
	out.Bytes = buf
	return out, nil
}

// ---- length --------------------------------------------------------------

// lengthNode counts the characters of a string (int64).
type lengthNode struct {
	base
	x node
}

func (n *lengthNode) kids() []node { return []node{n.x} }

func (n *lengthNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	o := out.I64[:rows]
	switch {
	case x.Dict != nil && dictWorthIt(x, rows):
		s := &ev.slots[n.id]
		d := x.Dict
		s.i32 = growI32(s.i32, d.Len)
		tab := s.i32
		for e := range tab {
			tab[e] = int32(utf8.RuneCount(strAt(d, e)))
		}
		for i, c := range x.Codes[:rows] {
			if uint(c) < uint(len(tab)) {
				o[i] = int64(tab[c])
			} else {
				o[i] = 0
			}
		}
	case x.Dict != nil:
		for i := range o {
			o[i] = int64(utf8.RuneCount(strAt(x, i)))
		}
	default:
		off := x.Offsets[:rows+1]
		if isASCII(x.Bytes[off[0]:off[rows]]) {
			for i := range o {
				o[i] = int64(off[i+1] - off[i])
			}
		} else {
			for i := range o {
				o[i] = int64(utf8.RuneCount(x.Bytes[off[i]:off[i+1]]))
			}
		}
	}
	copyValid(out, x.Valid, rows)
	return out, nil
}

// isASCII reports whether s has no byte ≥ 0x80 (8 bytes at a time).
func isASCII(s []byte) bool {
	var acc uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		acc |= binary.LittleEndian.Uint64(s[i:])
	}
	for ; i < len(s); i++ {
		acc |= uint64(s[i])
	}
	return acc&highs64 == 0
}

// ---- concat, template ------------------------------------------------------

// concatNode joins its parts: concat counts null parts as "", a template
// is null when any part is.
type concatNode struct {
	base
	parts []node
	// lits holds the bytes of the constant parts (nil for the others and
	// for a null constant in concat).
	lits     [][]byte
	template bool
}

func (n *concatNode) kids() []node { return n.parts }

func (n *concatNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	s := &ev.slots[n.id]
	s.vecs = s.vecs[:0]
	size := 0
	for _, p := range n.parts {
		if c, ok := asConst(p); ok {
			if c.val.null && n.template {
				out := ev.out(&n.base, rows)
				setAllNull(out, rows)
				return out, nil
			}
			s.vecs = append(s.vecs, nil)
			size += len(c.val.s) * rows
			continue
		}
		v, err := p.eval(ev, b, act)
		if err != nil {
			return nil, err
		}
		s.vecs = append(s.vecs, v)
		if v.Dict == nil {
			size += int(v.Offsets[rows] - v.Offsets[0])
		} else {
			size += 8 * rows
		}
	}
	out := ev.out(&n.base, rows)
	if n.template {
		for _, v := range s.vecs {
			if v != nil {
				andValidInto(out, v.Valid, rows)
			}
		}
	}
	buf := growT(out.Bytes[:0], size)[:0]
	for i := 0; i < rows; i++ {
		for j, v := range s.vecs {
			switch {
			case v == nil:
				buf = append(buf, n.lits[j]...)
			case v.Valid == nil || v.Valid.Get(i):
				buf = append(buf, strAt(v, i)...)
			}
		}
		out.Offsets[i+1] = int32(len(buf))
	}
	out.Bytes = buf
	return out, nil
}
