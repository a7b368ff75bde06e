package ir

import (
	"strings"

	"github.com/meshctl/meshctl/lang/types"
)

// FormatExpr prints e in HCL-like syntax for explain output. Column
// references print the column's name (taken from cols when given, so that
// qualified names show as adults.id); implicit widenings print as the target
// type applied like a function, int64(age); nested operators are
// parenthesised.
func FormatExpr(e Expr, cols types.Schema) string {
	var b strings.Builder
	formatExpr(&b, e, cols, false)
	return b.String()
}

func formatExpr(b *strings.Builder, e Expr, cols types.Schema, nested bool) {
	switch e := e.(type) {
	case *ColumnRef:
		if e.Index >= 0 && e.Index < len(cols) {
			c := cols[e.Index]
			if c.Qualifier != "" {
				b.WriteString(c.Qualifier)
				b.WriteByte('.')
			}
			b.WriteString(c.Name)
		} else {
			b.WriteString(e.Name)
		}
	case *Literal:
		b.WriteString(e.Value.String())
	case *Unary:
		b.WriteString(e.Op.String())
		formatExpr(b, e.X, cols, true)
	case *Binary:
		if nested {
			b.WriteByte('(')
		}
		formatExpr(b, e.L, cols, true)
		b.WriteString(" " + e.Op.String() + " ")
		formatExpr(b, e.R, cols, true)
		if nested {
			b.WriteByte(')')
		}
	case *Cast:
		if e.Explicit {
			b.WriteString("cast(")
			formatExpr(b, e.X, cols, false)
			b.WriteString(`, "` + e.T.String() + `")`)
		} else {
			b.WriteString(e.T.String() + "(")
			formatExpr(b, e.X, cols, false)
			b.WriteByte(')')
		}
	case *IsNull:
		if nested {
			b.WriteByte('(')
		}
		formatExpr(b, e.X, cols, true)
		if e.Negated {
			b.WriteString(" != null")
		} else {
			b.WriteString(" == null")
		}
		if nested {
			b.WriteByte(')')
		}
	case *Cond:
		if nested {
			b.WriteByte('(')
		}
		formatExpr(b, e.If, cols, true)
		b.WriteString(" ? ")
		formatExpr(b, e.Then, cols, true)
		b.WriteString(" : ")
		formatExpr(b, e.Else, cols, true)
		if nested {
			b.WriteByte(')')
		}
	case *In:
		b.WriteString("contains([")
		for i, v := range e.List {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		b.WriteString("], ")
		formatExpr(b, e.X, cols, false)
		b.WriteByte(')')
	case *Call:
		if e.Fn == FnTemplate {
			formatTemplate(b, e, cols)
			return
		}
		b.WriteString(e.Fn.String())
		b.WriteByte('(')
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			formatExpr(b, a, cols, false)
		}
		b.WriteByte(')')
	default:
		b.WriteString("?")
	}
}

func formatTemplate(b *strings.Builder, e *Call, cols types.Schema) {
	b.WriteByte('"')
	for _, a := range e.Args {
		if l, ok := a.(*Literal); ok && l.Value.Type.Kind == types.String && !l.Value.Null {
			b.WriteString(EscapeTemplate(l.Value.Str))
			continue
		}
		b.WriteString("${")
		formatExpr(b, a, cols, false)
		b.WriteByte('}')
	}
	b.WriteByte('"')
}

// FormatAgg prints an aggregate call: sum(amount), count().
func FormatAgg(a AggCall, cols types.Schema) string {
	if a.Arg == nil {
		return a.Fn.String() + "()"
	}
	return a.Fn.String() + "(" + FormatExpr(a.Arg, cols) + ")"
}
