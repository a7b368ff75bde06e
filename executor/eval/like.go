package eval

import (
	"bytes"

	"github.com/meshctl/meshctl/executor/vector"
)

// likeKind is the shape of a constant LIKE pattern.
type likeKind uint8

const (
	likeExact    likeKind = iota // no wildcard
	likeAny                      // only %: every string
	likePrefix                   // lit%
	likeSuffix                   // %lit
	likeInfix                    // %lit%
	likeSegments                 // %-separated literals, no _
	likeGeneral                  // with _: the backtracking matcher
)

// likeMatcher is a compiled constant LIKE pattern.
type likeMatcher struct {
	kind likeKind
	lit  []byte
	// segs are the literal runs between % for likeSegments; anchorStart
	// and anchorEnd say whether the first and last are tied to the ends.
	segs                   [][]byte
	anchorStart, anchorEnd bool
	raw                    []byte
}

// compileLike parses a pattern: % any run, _ one character, \ escapes the
// next character (a trailing \ is itself).
func compileLike(p []byte) likeMatcher {
	m := likeMatcher{raw: p}
	var segs [][]byte
	var cur []byte
	under := false
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			i++
			cur = append(cur, p[i])
		case c == '%':
			segs = append(segs, cur)
			cur = nil
		case c == '_':
			under = true
		default:
			cur = append(cur, c)
		}
	}
	segs = append(segs, cur)
	if under {
		m.kind = likeGeneral
		return m
	}
	// segs has one more entry than there are %; empty first/last entries
	// mean the pattern starts/ends with %.
	var mid [][]byte
	for i := 1; i < len(segs)-1; i++ {
		if len(segs[i]) > 0 {
			mid = append(mid, segs[i])
		}
	}
	first, last := segs[0], segs[len(segs)-1]
	switch {
	case len(segs) == 1:
		m.kind, m.lit = likeExact, first
	case len(mid) == 0 && len(first) == 0 && len(last) == 0:
		m.kind = likeAny
	case len(mid) == 0 && len(last) == 0:
		m.kind, m.lit = likePrefix, first
	case len(mid) == 0 && len(first) == 0:
		m.kind, m.lit = likeSuffix, last
	case len(mid) == 1 && len(first) == 0 && len(last) == 0:
		m.kind, m.lit = likeInfix, mid[0]
	default:
		m.kind = likeSegments
		m.anchorStart, m.anchorEnd = len(first) > 0, len(last) > 0
		if m.anchorStart {
			m.segs = append(m.segs, first)
		}
		m.segs = append(m.segs, mid...)
		if m.anchorEnd {
			m.segs = append(m.segs, last)
		}
	}
	return m
}

func (m likeMatcher) matchAt(data []byte, start, end int32) bool { return m.match(data[start:end]) }

func (m likeMatcher) match(s []byte) bool {
	switch m.kind {
	case likeExact:
		return string(s) == string(m.lit)
	case likeAny:
		return true
	case likePrefix:
		return bytes.HasPrefix(s, m.lit)
	case likeSuffix:
		return bytes.HasSuffix(s, m.lit)
	case likeInfix:
		return bytes.Contains(s, m.lit)
	case likeSegments:
		return m.matchSegments(s)
	}
	return likeMatch(s, m.raw)
}

// matchSegments matches literals separated by %: the anchored ends first,
// then the middle ones leftmost, which is optimal without _.
func (m likeMatcher) matchSegments(s []byte) bool {
	segs := m.segs
	if m.anchorStart {
		if !bytes.HasPrefix(s, segs[0]) {
			return false
		}
		s = s[len(segs[0]):]
		segs = segs[1:]
	}
	if m.anchorEnd {
		last := segs[len(segs)-1]
		if !bytes.HasSuffix(s, last) {
			return false
		}
		s = s[:len(s)-len(last)]
		segs = segs[:len(segs)-1]
	}
	for _, seg := range segs {
		j := bytes.Index(s, seg)
		if j < 0 {
			return false
		}
		s = s[j+len(seg):]
	}
	return true
}

// likeMatch matches s against the pattern p directly (for patterns with _
// or computed per row): greedy with backtracking to the last %, moving by
// whole characters so that _ always sees one.
func likeMatch(s, p []byte) bool {
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			switch {
			case c == '%':
				pi++
				starP, starS = pi, si
				continue
			case c == '_':
				si += charLen(s, si)
				pi++
				continue
			case c == '\\' && pi+1 < len(p):
				if s[si] == p[pi+1] {
					si++
					pi += 2
					continue
				}
			default:
				if s[si] == c {
					si++
					pi++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS += charLen(s, starS)
		si, pi = starS, starP
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// likeNode is like(s, pattern).
type likeNode struct {
	base
	x, pat node
	// m is the compiled pattern when it is a constant.
	m *likeMatcher
}

func (n *likeNode) kids() []node { return []node{n.x, n.pat} }

func (n *likeNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	if n.m != nil {
		s := &ev.slots[n.id]
		s.bools = matchStrings(*n.m, x, rows, s.bools, out.Bool)
		copyValid(out, x.Valid, rows)
		return out, nil
	}
	if c, ok := asConst(n.pat); ok && c.val.null {
		setAllNull(out, rows)
		return out, nil
	}
	p, err := n.pat.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	o := out.Bool[:rows]
	for i := range o {
		o[i] = likeMatch(strAt(x, i), strAt(p, i))
	}
	andValid(out, x.Valid, p.Valid, rows)
	return out, nil
}

// likeFilter selects the rows matching a constant pattern.
type likeFilter struct{ n *likeNode }

func (f likeFilter) sel(ev *Evaluator, b *vector.Batch, in []int32, out []int32) ([]int32, error) {
	n := f.n
	x, err := evalIn(ev, n.x, b, in, &n.base)
	if err != nil {
		return nil, err
	}
	s := &ev.slots[n.id]
	out, s.bools = selectStrings(*n.m, x, b.Len, in, s.bools, out)
	return keepValid(out, x.Valid), nil
}
