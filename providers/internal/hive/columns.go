package hive

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/localfiles"
	"github.com/meshctl/meshctl/providers/internal/textvalue"
)

// Columns returns the partition columns that the folders of a source's
// files show (see Parse), in the order of the folders: none when the
// files lie in no col=value folder. Every file must lie in folders for
// the same columns in the same order, as Spark requires, so that no file
// lacks a column.
//
// A column's type is inferred from its non-null values as CSV inference
// infers a column's (providers/internal/textvalue): the narrowest of bool,
// int64, float64, date and timestamp that every value reads as, and
// string otherwise or when every value is null. A column is nullable when
// some folder holds NullMarker.
func Columns(files []localfiles.File) (types.Schema, error) {
	var (
		cols    types.Schema
		guesses []textvalue.Guess
		first   localfiles.File
	)
	for i, f := range files {
		kvs, err := Parse(f.Rel)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if i == 0 {
			first = f
			guesses = make([]textvalue.Guess, len(kvs))
			for _, kv := range kvs {
				cols = append(cols, types.Column{Name: kv.Col})
			}
		} else if !sameColumns(cols, kvs) {
			return nil, fmt.Errorf("the partition folders of %s name %s, those of %s name %s: all files of a source must lie in folders for the same partition columns, in the same order",
				first.Name, describe(cols.Names()), f.Name, describe(kvNames(kvs)))
		}
		for k, kv := range kvs {
			if kv.Null {
				cols[k].Nullable = true
				continue
			}
			guesses[k].Observe(kv.Value)
		}
	}
	for k := range cols {
		cols[k].Type = guesses[k].Type()
	}
	return cols, nil
}

// sameColumns reports whether kvs are partitions of cols, in order.
func sameColumns(cols types.Schema, kvs []KV) bool {
	return slices.EqualFunc(cols, kvs, func(c types.Column, kv KV) bool { return c.Name == kv.Col })
}

func kvNames(kvs []KV) []string {
	names := make([]string, len(kvs))
	for i, kv := range kvs {
		names[i] = kv.Col
	}
	return names
}

// describe lists column names for a message.
func describe(names []string) string {
	if len(names) == 0 {
		return "no column"
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(quoted, ", ")
}
