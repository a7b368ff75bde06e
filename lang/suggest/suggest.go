// Package suggest finds the name a user probably meant ("did you mean").
package suggest

import (
	"sort"
	"strings"

	"github.com/agext/levenshtein"
)

// Name returns the candidate closest to given, or "" when none is close
// enough (edit distance under 3, or a case-insensitive match).
func Name(given string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if c == given {
			continue
		}
		if strings.EqualFold(c, given) {
			return c
		}
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" {
		return best
	}
	// A longer or shorter spelling of a candidate: "warning" for "warn".
	for _, c := range candidates {
		if len(c) >= 3 && len(given) >= 3 && c != given && (strings.HasPrefix(given, c) || strings.HasPrefix(c, given)) {
			return c
		}
	}
	return ""
}

// DidYouMean returns " Did you mean "x"?" for the closest candidate, or "".
func DidYouMean(given string, candidates []string) string {
	if s := Name(given, candidates); s != "" {
		return ` Did you mean "` + s + `"?`
	}
	return ""
}

// List joins names for a message: "a", "b" and "c"; sorted, at most max
// shown (then ", …").
func List(names []string, max int) string {
	ns := append([]string(nil), names...)
	sort.Strings(ns)
	more := false
	if max > 0 && len(ns) > max {
		ns, more = ns[:max], true
	}
	for i, n := range ns {
		ns[i] = `"` + n + `"`
	}
	s := strings.Join(ns, ", ")
	if more {
		s += ", …"
	}
	return s
}

// Sentence makes a message (such as an error's text) a sentence: capital
// first letter, final punctuation.
func Sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.ContainsAny(s[len(s)-1:], ".?!") {
		s += "."
	}
	return s
}
