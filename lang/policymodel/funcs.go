package policymodel

import (
	"errors"
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Functions returns the functions policy expressions may call: HCL's
// standard library under Terraform's names, plus the predicates policies
// need most (startswith, endswith, matches, alltrue, anytrue) and
// try/can, so that regex — which, as in Terraform, fails when nothing
// matches — can be used as can(regex(pattern, s)).
func Functions() map[string]function.Function {
	return map[string]function.Function{
		// Strings.
		"chomp":        stdlib.ChompFunc,
		"format":       stdlib.FormatFunc,
		"formatlist":   stdlib.FormatListFunc,
		"indent":       stdlib.IndentFunc,
		"join":         stdlib.JoinFunc,
		"lower":        stdlib.LowerFunc,
		"upper":        stdlib.UpperFunc,
		"title":        stdlib.TitleFunc,
		"replace":      stdlib.ReplaceFunc,
		"split":        stdlib.SplitFunc,
		"strrev":       stdlib.ReverseFunc,
		"substr":       stdlib.SubstrFunc,
		"trim":         stdlib.TrimFunc,
		"trimprefix":   stdlib.TrimPrefixFunc,
		"trimsuffix":   stdlib.TrimSuffixFunc,
		"trimspace":    stdlib.TrimSpaceFunc,
		"regex":        regexFunc,
		"regexall":     stdlib.RegexAllFunc,
		"regexreplace": stdlib.RegexReplaceFunc,
		"startswith":   stringPredicate(strings.HasPrefix),
		"endswith":     stringPredicate(strings.HasSuffix),
		"matches":      matchesFunc,
		// Collections.
		"length":          lengthFunc,
		"contains":        stdlib.ContainsFunc,
		"concat":          stdlib.ConcatFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"flatten":         stdlib.FlattenFunc,
		"keys":            stdlib.KeysFunc,
		"values":          stdlib.ValuesFunc,
		"lookup":          stdlib.LookupFunc,
		"merge":           stdlib.MergeFunc,
		"reverse":         stdlib.ReverseListFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"compact":         stdlib.CompactFunc,
		"coalesce":        stdlib.CoalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"setunion":        stdlib.SetUnionFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"alltrue":         allTrueFunc,
		"anytrue":         anyTrueFunc,
		// Numbers.
		"abs":      stdlib.AbsoluteFunc,
		"ceil":     stdlib.CeilFunc,
		"floor":    stdlib.FloorFunc,
		"max":      stdlib.MaxFunc,
		"min":      stdlib.MinFunc,
		"parseint": stdlib.ParseIntFunc,
		// Conversions and errors.
		"tostring": stdlib.MakeToFunc(cty.String),
		"tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool":   stdlib.MakeToFunc(cty.Bool),
		"try":      tryfunc.TryFunc,
		"can":      tryfunc.CanFunc,
	}
}

func stringPredicate(fn func(s, affix string) bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "s", Type: cty.String}, {Name: "affix", Type: cty.String}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.BoolVal(fn(args[0].AsString(), args[1].AsString())), nil
		},
	})
}

// matchesFunc reports whether a string matches a regular expression (RE2).
var matchesFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "s", Type: cty.String}, {Name: "pattern", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		re, err := compiled(args[1].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(1, "invalid regular expression: %s", err)
		}
		return cty.BoolVal(re.MatchString(args[0].AsString())), nil
	},
})

// lengthFunc is Terraform's length: characters of a string, elements of a
// collection or structure.
var lengthFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true}},
	Type: func(args []cty.Value) (cty.Type, error) {
		t := args[0].Type()
		switch {
		case t == cty.String, t == cty.DynamicPseudoType, t.IsCollectionType(), t.IsTupleType(), t.IsObjectType():
			return cty.Number, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "length takes a string, list, set, map or object, not %s", t.FriendlyName())
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		if v.IsNull() {
			return cty.NilVal, function.NewArgErrorf(0, "length of a null value")
		}
		switch t := v.Type(); {
		case t == cty.String:
			return stdlib.Strlen(v)
		case t.IsTupleType():
			return cty.NumberIntVal(int64(len(t.TupleElementTypes()))), nil
		case t.IsObjectType():
			return cty.NumberIntVal(int64(len(t.AttributeTypes()))), nil
		}
		return v.Length(), nil
	},
})

var allTrueFunc = boolFold("alltrue", true)
var anyTrueFunc = boolFold("anytrue", false)

// boolFold is alltrue (every element true; true for an empty list) or
// anytrue (some element true; false for an empty list), as in Terraform.
func boolFold(name string, all bool) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool), AllowUnknown: true}},
		Type:   function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v := args[0]
			if !v.IsWhollyKnown() {
				return cty.UnknownVal(cty.Bool), nil
			}
			if v.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "%s of a null list", name)
			}
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				if e.IsNull() {
					continue
				}
				if e.True() != all {
					return cty.BoolVal(!all), nil
				}
			}
			return cty.BoolVal(all), nil
		},
	})
}

// patterns caches compiled regular expressions: a policy applies one
// pattern to thousands of objects.
var patterns sync.Map // string → *regexp.Regexp, or error

func compiled(pattern string) (*regexp.Regexp, error) {
	if v, ok := patterns.Load(pattern); ok {
		if err, bad := v.(error); bad {
			return nil, err
		}
		return v.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		patterns.Store(pattern, err)
		return nil, err
	}
	patterns.Store(pattern, re)
	return re, nil
}

// regexFunc is Terraform's regex(pattern, string) with compiled patterns
// cached: the match (a string) for a pattern without capture groups, and
// the stdlib's list or object of captures otherwise. It fails when
// nothing matches, so policies write can(regex(...)).
var regexFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "pattern", Type: cty.String}, {Name: "string", Type: cty.String}},
	Type: func(args []cty.Value) (cty.Type, error) {
		if !args[0].IsKnown() {
			return cty.DynamicPseudoType, nil
		}
		re, err := compiled(args[0].AsString())
		if err != nil {
			return cty.NilType, function.NewArgErrorf(0, "invalid regular expression: %s", err)
		}
		if re.NumSubexp() == 0 {
			return cty.String, nil
		}
		return stdlib.RegexFunc.ReturnTypeForValues(args)
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if retType == cty.DynamicPseudoType {
			return cty.DynamicVal, nil
		}
		re, err := compiled(args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "invalid regular expression: %s", err)
		}
		if re.NumSubexp() > 0 {
			return stdlib.RegexFunc.Call(args)
		}
		m := re.FindStringIndex(args[1].AsString())
		if m == nil {
			return cty.NilVal, errors.New("pattern did not match any part of the given string")
		}
		return cty.StringVal(args[1].AsString()[m[0]:m[1]]), nil
	},
})
