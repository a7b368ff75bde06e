package types

import (
	"slices"
	"strings"
)

// Column is one column of a relation as the compiler sees it.
type Column struct {
	Name string
	// Qualifier names the relation the column came from inside a join
	// ("adults" in adults.id); empty after a projection or aggregate.
	Qualifier string
	Type      Type
	Nullable  bool
	// Tags travel with the data: a derived column carries the union of the
	// tags of the columns it is computed from (DESIGN.md §1).
	Tags        []string
	Description string
}

// String prints "name type" with " null" for nullable columns.
func (c Column) String() string {
	var b strings.Builder
	if c.Qualifier != "" {
		b.WriteString(c.Qualifier)
		b.WriteByte('.')
	}
	b.WriteString(c.Name)
	b.WriteByte(' ')
	b.WriteString(c.Type.String())
	if c.Nullable {
		b.WriteString(" null")
	}
	return b.String()
}

// Schema is the ordered list of columns of a relation.
type Schema []Column

// Names returns the column names in order.
func (s Schema) Names() []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = c.Name
	}
	return out
}

// Lookup returns the indexes of the columns called name; with a non-empty
// qualifier, only those that came from that relation.
func (s Schema) Lookup(qualifier, name string) []int {
	var idx []int
	for i, c := range s {
		if c.Name == name && (qualifier == "" || c.Qualifier == qualifier) {
			idx = append(idx, i)
		}
	}
	return idx
}

// Index returns the index of the unique column called name, or -1 when
// there is none or more than one.
func (s Schema) Index(name string) int {
	idx := s.Lookup("", name)
	if len(idx) != 1 {
		return -1
	}
	return idx[0]
}

// HasQualifier reports whether any column came from the named relation.
func (s Schema) HasQualifier(q string) bool {
	return slices.ContainsFunc(s, func(c Column) bool { return c.Qualifier == q })
}

// Unqualified returns a copy of s with every qualifier removed, as after a
// projection.
func (s Schema) Unqualified() Schema {
	out := slices.Clone(s)
	for i := range out {
		out[i].Qualifier = ""
	}
	return out
}

// WithQualifier returns a copy of s whose columns all come from relation q.
func (s Schema) WithQualifier(q string) Schema {
	out := slices.Clone(s)
	for i := range out {
		out[i].Qualifier = q
	}
	return out
}

// MergeTags returns the sorted union of tag lists without duplicates.
func MergeTags(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	if len(out) == 0 {
		return nil
	}
	slices.Sort(out)
	return slices.Compact(out)
}
