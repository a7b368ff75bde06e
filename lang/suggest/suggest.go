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
		if strings.EqualFold(c, given) && c != given {
			return c
		}
		if d := levenshtein.Distance(given, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
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
