package eval

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"testing"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

func TestCond(t *testing.T) {
	gt := bin(ir.Gt, c("i32"), i32(18))
	d := data{"i32": rows(10, 20, nil, 30), "s": rows("a", "b", "c", nil), "s2": rows("x", nil, "z", "w")}
	runAll(t, []testCase{
		{name: "constants", e: cond(gt, str("adult"), str("minor")), d: d, want: strs("minor|adult|minor|adult")},
		{name: "columns", e: cond(gt, c("s"), c("s2")), d: d, want: strs("x|b|z|NULL")},
		{name: "ints", e: cond(gt, c("i32"), i32(0)), d: d, want: strs("0|20|0|30")},
		{name: "null branch", e: cond(gt, i32(nil), c("i32")), d: d, want: strs("10|NULL|NULL|NULL")},
		{name: "all true", e: cond(gt, str("y"), c("s")), d: data{"i32": rows(20, 30), "s": rows("a", nil)}, want: strs("y|y")},
		{name: "all false", e: cond(gt, str("y"), c("s")), d: data{"i32": rows(1, nil), "s": rows("a", nil)}, want: strs("a|NULL")},
		{name: "decimals", e: cond(c("b"), c("w2"), c("w2b")), d: data{"b": rows(true, false, nil), "w2": rows("1.00", "2.00", "3.00"), "w2b": rows("-1.00", "-2.00", "-3.00")}, want: strs("1.00|-2.00|-3.00")},
		{name: "floats", e: cond(c("b"), c("f"), f64(0.5)), d: data{"b": rows(true, false), "f": rows(1.5, 2.5)}, want: strs("1.5|0.5")},
		{name: "bools", e: cond(c("b"), c("bb"), boolv(false)), d: data{"b": rows(true, false, true), "bb": rows(true, true, nil)}, want: strs("true|false|NULL")},
		{name: "many rows", e: cond(bin(ir.Eq, bin(ir.Mod, c("i64"), i64(3)), i64(0)), str("fizz"), widen(c("i64"), types.StringType)),
			d:    data{"i64": rows(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66)},
			want: strs("fizz|1|2|fizz|4|5|fizz|7|8|fizz|10|11|fizz|13|14|fizz|16|17|fizz|19|20|fizz|22|23|fizz|25|26|fizz|28|29|fizz|31|32|fizz|34|35|fizz|37|38|fizz|40|41|fizz|43|44|fizz|46|47|fizz|49|50|fizz|52|53|fizz|55|56|fizz|58|59|fizz|61|62|fizz|64|65|fizz")},
		// The branch not taken raises no error.
		{name: "untaken branch does not fail", e: cond(bin(ir.Eq, c("s"), str("")), i32(0), cast(c("s"), types.Int32Type)),
			d: data{"s": rows("", "12", "", nil)}, want: strs("0|12|0|NULL")},
		{name: "taken branch fails", e: cond(bin(ir.Eq, c("s"), str("")), i32(0), cast(c("s"), types.Int32Type)),
			d:   data{"s": rows("", "x")},
			err: `products/x.mesh.hcl:12:9: cast(s, "int32"): "x" is not an int32 (row 1 of the batch)`},
	})
}

func TestCoalesce(t *testing.T) {
	runAll(t, []testCase{
		{name: "strings with constant", e: call(ir.FnCoalesce, types.StringType, c("s"), str("none")), d: data{"s": rows("a", nil, "")}, want: strs("a|none|")},
		{name: "three strings", e: call(ir.FnCoalesce, types.StringType, c("s"), c("s2"), str("z")), d: data{"s": rows("a", nil, nil), "s2": rows("b", "c", nil)}, want: strs("a|c|z")},
		{name: "all null", e: call(ir.FnCoalesce, types.StringType, c("s"), c("s2")), d: data{"s": rows(nil, "a"), "s2": rows(nil, nil)}, want: strs("NULL|a")},
		{name: "ints", e: call(ir.FnCoalesce, types.Int32Type, c("i32"), c("i32b"), i32(-1)), d: data{"i32": rows(1, nil, nil), "i32b": rows(2, 3, nil)}, want: strs("1|3|-1")},
		{name: "wide decimals", e: call(ir.FnCoalesce, dec(38, 2), c("w2"), c("w2b")), d: data{"w2": rows(nil, "1.00"), "w2b": rows("2.00", nil)}, want: strs("2.00|1.00")},
		{name: "no nulls in first", e: call(ir.FnCoalesce, types.Int64Type, c("i64"), i64(0)), d: data{"i64": rows(1, 2)}, want: strs("1|2")},
		{name: "one argument", e: call(ir.FnCoalesce, types.Int64Type, c("i64")), d: data{"i64": rows(1, nil)}, want: strs("1|NULL")},
		{name: "later args only where needed", e: call(ir.FnCoalesce, types.Int32Type, c("i32"), cast(c("s"), types.Int32Type)),
			d: data{"i32": rows(1, nil), "s": rows("bad", "2")}, want: strs("1|2")},
		{name: "bools", e: call(ir.FnCoalesce, types.BoolType, c("b"), boolv(false)), d: data{"b": rows(true, nil)}, want: strs("true|false")},
	})
}

func TestIn(t *testing.T) {
	runAll(t, []testCase{
		{name: "strings", e: in(c("s"), "DE", "FR"), d: data{"s": rows("DE", "US", nil, "FR", "de", "")}, want: strs("true|false|NULL|true|false|false")},
		{name: "with null in list", e: in(c("s"), "DE", nil), d: data{"s": rows("DE", "US", nil)}, want: strs("true|NULL|NULL")},
		{name: "many strings", e: in(c("s"), "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), d: data{"s": rows("a", "j", "k", nil, "é")}, want: strs("true|true|false|NULL|false")},
		{name: "packed lengths differ", e: in(c("s"), "abcdefg", "", "abcdefgh"), d: data{"s": rows("abcdefg\x07", "abcdefg", "abcdefgh", "", "\x00", "abcdefghi")}, want: strs("false|true|true|true|false|false")},
		{name: "long strings", e: in(c("s"), "a long country name", "x"), d: data{"s": rows("a long country name", "a long country nam", "x")}, want: strs("true|false|true")},
		{name: "unicode", e: in(c("s"), "日本", "é"), d: data{"s": rows("日本", "é", "e")}, want: strs("true|true|false")},
		{name: "empty list", e: in(c("s")), d: data{"s": rows("a", nil)}, want: strs("false|NULL")},
		{name: "int32 one", e: in(c("i32"), 5), d: data{"i32": rows(5, 6, nil)}, want: strs("true|false|NULL")},
		{name: "int32 two", e: in(c("i32"), 5, 7), d: data{"i32": rows(5, 6, 7)}, want: strs("true|false|true")},
		{name: "int64 several", e: in(c("i64"), 1, 3, 5, 7, math.MinInt64), d: data{"i64": rows(math.MinInt64, 2, 7)}, want: strs("true|false|true")},
		{name: "int64 many", e: in(c("i64"), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, math.MaxInt64), d: data{"i64": rows(11, 12, math.MaxInt64, 0)}, want: strs("true|false|true|false")},
		{name: "floats and NaN", e: in(c("f"), 1.5, math.NaN()), d: data{"f": rows(1.5, math.NaN(), 2.0)}, want: strs("true|true|false")},
		{name: "NaN not in a list of numbers", e: in(c("f"), 1.5, math.Inf(1)), d: data{"f": rows(math.NaN(), math.Inf(1), nil)}, want: strs("false|true|NULL")},
		{name: "-0 in a list holding 0", e: in(c("f"), 0.0), d: data{"f": rows(math.Copysign(0, -1), 0.0, 1e-300)}, want: strs("true|true|false")},
		{name: "NaN list with null", e: in(c("f"), math.NaN(), nil), d: data{"f": rows(math.NaN(), 1.0, nil)}, want: strs("true|NULL|NULL")},
		{name: "many floats and NaN", e: in(c("f"), 1, 2, 3, 4, 5, 6, 7, 8, 9, math.NaN(), math.Inf(-1)), d: data{"f": rows(9.0, math.NaN(), math.Inf(-1), 10.0, math.Inf(1))}, want: strs("true|true|true|false|false")},
		{name: "decimals", e: in(c("d2"), "1.50", "-2.00"), d: data{"d2": rows("1.50", "1.5", "2.00", nil)}, want: strs("true|true|false|NULL")},
		{name: "wide decimals", e: in(c("w2"), "99999999999999999999999999.99"), d: data{"w2": rows("99999999999999999999999999.99", "1")}, want: strs("true|false")},
		{name: "bools", e: in(c("b"), true), d: data{"b": rows(true, false, nil)}, want: strs("true|false|NULL")},
		{name: "dates", e: in(c("dt"), "2024-01-01"), d: data{"dt": rows("2024-01-01", "2024-01-02")}, want: strs("true|false")},
		{name: "miss with null list is null", e: in(c("i32"), 1, nil), d: data{"i32": rows(1, 2, nil)}, want: strs("true|NULL|NULL")},
		{name: "and of in", e: bin(ir.And, in(c("s"), "DE", "FR"), isNull(c("f"), true)), d: data{"s": rows("DE", "FR", "US", "DE"), "f": rows(1.0, nil, 2.0, 3.0)}, want: strs("true|false|false|true")},
	})
}

func TestStringFunctions(t *testing.T) {
	s := func(fn ir.Func, args ...ir.Expr) *ir.Call { return call(fn, types.StringType, args...) }
	words := data{"s": rows("Hello World", nil, "", "ÉCOLE ß Straße", "İstanbul", "ǅ", "a\xffB")}
	runAll(t, []testCase{
		{name: "lower", e: s(ir.FnLower, c("s")), d: words, want: strs("hello world|NULL||école ß straße|istanbul|ǆ|a\xffb")},
		{name: "upper", e: s(ir.FnUpper, c("s")), d: words, want: strs("HELLO WORLD|NULL||ÉCOLE ß STRAßE|İSTANBUL|Ǆ|A\xffB")},
		{name: "lower ascii", e: s(ir.FnLower, c("s")), d: data{"s": rows("ABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{", "Mixed.Case123@Example.COM")}, want: strs("abcdefghijklmnopqrstuvwxyz@[`{|mixed.case123@example.com")},
		{name: "upper ascii", e: s(ir.FnUpper, c("s")), d: data{"s": rows("abcdefghijklmnopqrstuvwxyz@[`{", "x")}, want: strs("ABCDEFGHIJKLMNOPQRSTUVWXYZ@[`{|X")},
		{name: "trim", e: s(ir.FnTrim, c("s")), d: data{"s": rows("  a b  ", "\t\n x\r\v\f", "\u00a0\u2003y\u3000", "   ", nil, "\u0085z")}, want: strs("a b|x|y||NULL|z")},
		{name: "length", e: call(ir.FnLength, types.Int64Type, c("s")), d: data{"s": rows("abc", "", nil, "日本語", "é")}, want: strs("3|0|NULL|3|1")},
		{name: "length ascii", e: call(ir.FnLength, types.Int64Type, c("s")), d: data{"s": rows("abc", "defgh")}, want: strs("3|5")},
		{name: "substr from 2", e: s(ir.FnSubstr, c("s"), i64(2)), d: data{"s": rows("hello", "", nil, "日本語")}, want: strs("ello||NULL|本語")},
		{name: "substr window", e: s(ir.FnSubstr, c("s"), i64(2), i64(3)), d: data{"s": rows("hello", "hé", "日本語xyz")}, want: strs("ell|é|本語x")},
		{name: "substr start 0", e: s(ir.FnSubstr, c("s"), i64(0), i64(3)), d: data{"s": rows("hello")}, want: strs("he")},
		{name: "substr start negative", e: s(ir.FnSubstr, c("s"), i64(-2), i64(5)), d: data{"s": rows("hello")}, want: strs("he")},
		{name: "substr start negative no length", e: s(ir.FnSubstr, c("s"), i64(-2)), d: data{"s": rows("hello")}, want: strs("hello")},
		{name: "substr past the end", e: s(ir.FnSubstr, c("s"), i64(9), i64(2)), d: data{"s": rows("hello")}, want: strs("")},
		{name: "substr zero length", e: s(ir.FnSubstr, c("s"), i64(1), i64(0)), d: data{"s": rows("hello")}, want: strs("")},
		{name: "substr huge length", e: s(ir.FnSubstr, c("s"), i64(2), i64(math.MaxInt64)), d: data{"s": rows("hello")}, want: strs("ello")},
		{name: "substr negative length fails", e: s(ir.FnSubstr, c("s"), i64(1), i64(-1)), d: data{"s": rows(nil, "hello")},
			err: "products/x.mesh.hcl:12:9: substr(s, 1, -1): the length -1 is negative (row 1 of the batch)"},
		{name: "substr negative length on null rows only", e: s(ir.FnSubstr, c("s"), i64(1), i64(-1)), d: data{"s": rows(nil)}, want: strs("NULL")},
		{name: "substr per row", e: s(ir.FnSubstr, c("s"), c("i64"), c("i64b")), d: data{"s": rows("hello", "hello", nil, "日本語"), "i64": rows(2, nil, 1, 3), "i64b": rows(2, 1, 1, 5)}, want: strs("el|NULL|NULL|語")},
		{name: "substr per row start only", e: s(ir.FnSubstr, c("s"), c("i64")), d: data{"s": rows("hello", "abc"), "i64": rows(4, -1)}, want: strs("lo|abc")},
		{name: "substr per row negative length", e: s(ir.FnSubstr, c("s"), c("i64"), c("i64b")), d: data{"s": rows("hello", "x"), "i64": rows(1, 1), "i64b": rows(1, -3)},
			err: "products/x.mesh.hcl:12:9: substr(s, i64, i64b): the length -3 is negative (row 1 of the batch)"},
		{name: "substr null start", e: s(ir.FnSubstr, c("s"), i64(nil)), d: data{"s": rows("hello")}, want: strs("NULL")},
		{name: "concat counts nulls as empty", e: s(ir.FnConcat, c("s"), str("-"), c("s2")), d: data{"s": rows("a", nil, nil), "s2": rows("b", "c", nil)}, want: strs("a-b|-c|-")},
		{name: "concat with null constant", e: s(ir.FnConcat, c("s"), str(nil)), d: data{"s": rows("a")}, want: strs("a")},
		{name: "template null when a part is", e: s(ir.FnTemplate, c("s"), str(" "), c("s2")), d: data{"s": rows("a", nil, "日"), "s2": rows("b", "c", "本")}, want: strs("a b|NULL|日 本")},
		{name: "template of numbers", e: s(ir.FnTemplate, str("n="), widen(c("i64"), types.StringType), str(", d="), widen(c("d2"), types.StringType)), d: data{"i64": rows(3, nil), "d2": rows("1.50", "2.00")}, want: strs("n=3, d=1.50|NULL")},
		{name: "template with null constant", e: s(ir.FnTemplate, c("s"), str(nil)), d: data{"s": rows("a")}, want: strs("NULL")},
		{name: "lower of lower", e: s(ir.FnUpper, s(ir.FnLower, c("s"))), d: data{"s": rows("aB", nil, "aB", "Cd")}, want: strs("AB|NULL|AB|CD")},
		{name: "lower compared", e: bin(ir.Eq, s(ir.FnLower, c("s")), str("de")), d: data{"s": rows("DE", "De", "FR", nil)}, want: strs("true|true|false|NULL")},
	})
}

func TestLike(t *testing.T) {
	like := func(p string) *ir.Call { return call(ir.FnLike, types.BoolType, c("s"), str(p)) }
	d := data{"s": rows("hello", "help", "yellow", "", nil, "日本語", "a%b", "a_b", "HELLO")}
	runAll(t, []testCase{
		{name: "exact", e: like("hello"), d: d, want: strs("true|false|false|false|NULL|false|false|false|false")},
		{name: "prefix", e: like("hel%"), d: d, want: strs("true|true|false|false|NULL|false|false|false|false")},
		{name: "suffix", e: like("%llo"), d: d, want: strs("true|false|false|false|NULL|false|false|false|false")},
		{name: "infix", e: like("%ell%"), d: d, want: strs("true|false|true|false|NULL|false|false|false|false")},
		{name: "any", e: like("%"), d: d, want: strs("true|true|true|true|NULL|true|true|true|true")},
		{name: "empty pattern", e: like(""), d: d, want: strs("false|false|false|true|NULL|false|false|false|false")},
		{name: "segments", e: like("h%l%o"), d: d, want: strs("true|false|false|false|NULL|false|false|false|false")},
		{name: "segments unanchored", e: like("%e%o%"), d: d, want: strs("true|false|true|false|NULL|false|false|false|false")},
		{name: "underscore", e: like("h_l_o"), d: d, want: strs("true|false|false|false|NULL|false|false|false|false")},
		{name: "underscore counts characters", e: like("日_語"), d: d, want: strs("false|false|false|false|NULL|true|false|false|false")},
		{name: "underscore and percent", e: like("%_l_"), d: d, want: strs("true|true|false|false|NULL|false|false|false|false")},
		{name: "escaped percent", e: like(`a\%b`), d: d, want: strs("false|false|false|false|NULL|false|true|false|false")},
		{name: "escaped underscore", e: like(`a\_%`), d: d, want: strs("false|false|false|false|NULL|false|false|true|false")},
		{name: "case sensitive", e: like("HEL%"), d: d, want: strs("false|false|false|false|NULL|false|false|false|true")},
		{name: "per-row pattern", e: call(ir.FnLike, types.BoolType, c("s"), c("s2")), d: data{"s": rows("abc", "abc", nil, "abc"), "s2": rows("a%", "b%", "%", nil)}, want: strs("true|false|NULL|NULL")},
		{name: "null pattern", e: call(ir.FnLike, types.BoolType, c("s"), str(nil)), d: data{"s": rows("abc")}, want: strs("NULL")},
	})
}

func TestLikeMatchAgainstReference(t *testing.T) {
	// likeMatch and every fast path of compileLike must agree with a
	// plain recursive matcher.
	var ref func(s, p []rune) bool
	ref = func(s, p []rune) bool {
		if len(p) == 0 {
			return len(s) == 0
		}
		switch p[0] {
		case '%':
			for i := 0; i <= len(s); i++ {
				if ref(s[i:], p[1:]) {
					return true
				}
			}
			return false
		case '_':
			return len(s) > 0 && ref(s[1:], p[1:])
		case '\\':
			if len(p) > 1 {
				return len(s) > 0 && s[0] == p[1] && ref(s[1:], p[2:])
			}
		}
		return len(s) > 0 && s[0] == p[0] && ref(s[1:], p[1:])
	}
	alphabet := []string{"a", "b", "%", "_", `\`, "é"}
	var pats []string
	var gen func(prefix string, n int)
	gen = func(prefix string, n int) {
		pats = append(pats, prefix)
		if n == 0 {
			return
		}
		for _, a := range alphabet {
			gen(prefix+a, n-1)
		}
	}
	gen("", 4)
	subjects := []string{"", "a", "b", "ab", "ba", "aab", "abab", "é", "aé", "éb", "a%b", "a_b", `a\b`, "bbbb", "abba"}
	for _, p := range pats {
		m := compileLike([]byte(p))
		for _, s := range subjects {
			want := ref([]rune(s), []rune(p))
			if got := likeMatch([]byte(s), []byte(p)); got != want {
				t.Errorf("likeMatch(%q, %q) = %v, want %v", s, p, got, want)
			}
			if got := m.match([]byte(s)); got != want {
				t.Errorf("compiled %q (kind %d) on %q = %v, want %v", p, m.kind, s, got, want)
			}
		}
	}
}

func TestTemporalFunctions(t *testing.T) {
	part := func(fn ir.Func, x ir.Expr) *ir.Call { return call(fn, types.Int32Type, x) }
	trunc := func(unit string, x ir.Expr) *ir.Call { return call(ir.FnDateTrunc, x.Type(), str(unit), x) }
	dates := data{"dt": rows("2024-02-29", nil, "1969-12-31", "0001-01-01", "9999-12-31")}
	stamps := data{"ts": rows("2024-02-29T23:59:59.999999Z", nil, "1969-12-31T23:59:59Z", "2021-01-03T10:20:30.5Z")}
	runAll(t, []testCase{
		{name: "year of date", e: part(ir.FnYear, c("dt")), d: dates, want: strs("2024|NULL|1969|1|9999")},
		{name: "month of date", e: part(ir.FnMonth, c("dt")), d: dates, want: strs("2|NULL|12|1|12")},
		{name: "day of date", e: part(ir.FnDay, c("dt")), d: dates, want: strs("29|NULL|31|1|31")},
		{name: "year of timestamp", e: part(ir.FnYear, c("ts")), d: stamps, want: strs("2024|NULL|1969|2021")},
		{name: "month of timestamp", e: part(ir.FnMonth, c("ts")), d: stamps, want: strs("2|NULL|12|1")},
		{name: "day of timestamp", e: part(ir.FnDay, c("ts")), d: stamps, want: strs("29|NULL|31|3")},
		{name: "trunc date year", e: trunc("year", c("dt")), d: dates, want: strs("2024-01-01|NULL|1969-01-01|0001-01-01|9999-01-01")},
		{name: "trunc date quarter", e: trunc("quarter", c("dt")), d: dates, want: strs("2024-01-01|NULL|1969-10-01|0001-01-01|9999-10-01")},
		{name: "trunc date month", e: trunc("month", c("dt")), d: dates, want: strs("2024-02-01|NULL|1969-12-01|0001-01-01|9999-12-01")},
		// 2024-02-29 is a Thursday; 1969-12-31 a Wednesday; 0001-01-01 a Monday; 9999-12-31 a Friday.
		{name: "trunc date week", e: trunc("week", c("dt")), d: dates, want: strs("2024-02-26|NULL|1969-12-29|0001-01-01|9999-12-27")},
		{name: "trunc date day", e: trunc("day", c("dt")), d: dates, want: strs("2024-02-29|NULL|1969-12-31|0001-01-01|9999-12-31")},
		{name: "trunc date hour", e: trunc("hour", c("dt")), d: dates, want: strs("2024-02-29|NULL|1969-12-31|0001-01-01|9999-12-31")},
		{name: "trunc ts year", e: trunc("year", c("ts")), d: stamps, want: strs("2024-01-01T00:00:00Z|NULL|1969-01-01T00:00:00Z|2021-01-01T00:00:00Z")},
		{name: "trunc ts quarter", e: trunc("quarter", c("ts")), d: stamps, want: strs("2024-01-01T00:00:00Z|NULL|1969-10-01T00:00:00Z|2021-01-01T00:00:00Z")},
		{name: "trunc ts month", e: trunc("month", c("ts")), d: stamps, want: strs("2024-02-01T00:00:00Z|NULL|1969-12-01T00:00:00Z|2021-01-01T00:00:00Z")},
		// 2021-01-03 is a Sunday: its ISO week starts on Monday 2020-12-28.
		{name: "trunc ts week", e: trunc("week", c("ts")), d: stamps, want: strs("2024-02-26T00:00:00Z|NULL|1969-12-29T00:00:00Z|2020-12-28T00:00:00Z")},
		{name: "trunc ts day", e: trunc("day", c("ts")), d: stamps, want: strs("2024-02-29T00:00:00Z|NULL|1969-12-31T00:00:00Z|2021-01-03T00:00:00Z")},
		{name: "trunc ts hour", e: trunc("hour", c("ts")), d: stamps, want: strs("2024-02-29T23:00:00Z|NULL|1969-12-31T23:00:00Z|2021-01-03T10:00:00Z")},
		{name: "trunc ts minute", e: trunc("minute", c("ts")), d: stamps, want: strs("2024-02-29T23:59:00Z|NULL|1969-12-31T23:59:00Z|2021-01-03T10:20:00Z")},
		{name: "trunc ts second", e: trunc("second", c("ts")), d: stamps, want: strs("2024-02-29T23:59:59Z|NULL|1969-12-31T23:59:59Z|2021-01-03T10:20:30Z")},
		{name: "now", e: call(ir.FnNow, types.TimestampType), d: data{"i32": rows(1, 2)}, want: strs("2024-05-17T13:45:30.123456Z|2024-05-17T13:45:30.123456Z")},
		{name: "now compared", e: bin(ir.Lt, c("ts"), call(ir.FnNow, types.TimestampType)), d: data{"ts": rows("2024-05-17T13:45:30Z", "2025-01-01T00:00:00Z")}, want: strs("true|false")},
	})
}

func TestNumericFunctions(t *testing.T) {
	const at = "products/x.mesh.hcl:12:9: "
	round := func(x ir.Expr, digits int, t types.Type) *ir.Call { return call(ir.FnRound, t, x, i64(digits)) }
	runAll(t, []testCase{
		{name: "abs int32", e: call(ir.FnAbs, types.Int32Type, c("i32")), d: data{"i32": rows(-5, 5, nil, math.MaxInt32, -math.MaxInt32)}, want: strs("5|5|NULL|2147483647|2147483647")},
		{name: "abs int64", e: call(ir.FnAbs, types.Int64Type, c("i64")), d: data{"i64": rows(-5, math.MaxInt64, -math.MaxInt64)}, want: strs("5|9223372036854775807|9223372036854775807")},
		{name: "abs MinInt64", e: call(ir.FnAbs, types.Int64Type, c("i64")), d: data{"i64": rows(1, math.MinInt64)},
			err: at + "abs(i64): abs(-9223372036854775808) does not fit int64 (row 1 of the batch)"},
		{name: "abs MinInt32", e: call(ir.FnAbs, types.Int32Type, c("i32")), d: data{"i32": rows(math.MinInt32)},
			err: at + "abs(i32): abs(-2147483648) does not fit int32 (row 0 of the batch)"},
		{name: "abs MinInt64 in a null row", e: call(ir.FnAbs, types.Int64Type, c("i64")), d: data{"i64": rows(nil)}, want: strs("NULL")},
		{name: "abs float", e: call(ir.FnAbs, types.Float64Type, c("f")), d: data{"f": rows(-1.5, math.Inf(-1), math.Copysign(0, -1))}, want: strs("1.5|+Inf|0")},
		{name: "abs decimal", e: call(ir.FnAbs, dec(18, 2), c("d2")), d: data{"d2": rows("-1.50", "2.00")}, want: strs("1.50|2.00")},
		{name: "abs wide decimal", e: call(ir.FnAbs, dec(38, 2), c("w2")), d: data{"w2": rows("-999999999999999999999999999999999999.99")}, want: strs("999999999999999999999999999999999999.99")},
		{name: "round float", e: round(c("f"), 0, types.Float64Type), d: data{"f": rows(2.5, -2.5, 0.49999999999999994, nil)}, want: strs("3|-3|0|NULL")},
		{name: "round float 2 digits", e: round(c("f"), 2, types.Float64Type), d: data{"f": rows(1.005, -1.005, 2.675, 1.234, 1e300, math.NaN(), 0.125)}, want: strs("1.01|-1.01|2.68|1.23|" + string(appendFloat(nil, 1e300)) + "|NaN|0.13")},
		{name: "round decimal", e: round(c("d2"), 1, dec(18, 1)), d: data{"d2": rows("1.25", "-1.25", "1.24", nil)}, want: strs("1.3|-1.3|1.2|NULL")},
		{name: "round decimal to 0", e: round(c("d2"), 0, dec(18, 0)), d: data{"d2": rows("0.50", "-0.50", "0.49")}, want: strs("1|-1|0")},
		{name: "round wide decimal", e: round(c("w2"), 0, dec(38, 0)), d: data{"w2": rows("999999999999999999999999999999999999.49", "-0.5")}, want: strs("999999999999999999999999999999999999|-1")},
		{name: "round decimal to more digits", e: round(c("d2"), 4, dec(18, 2)), d: data{"d2": rows("1.25")}, want: strs("1.25")},
		{name: "round int", e: round(c("i64"), 2, types.Int64Type), d: data{"i64": rows(7)}, want: strs("7")},
		{name: "floor float", e: call(ir.FnFloor, types.Float64Type, c("f")), d: data{"f": rows(1.5, -1.5, nil)}, want: strs("1|-2|NULL")},
		{name: "ceil float", e: call(ir.FnCeil, types.Float64Type, c("f")), d: data{"f": rows(1.5, -1.5)}, want: strs("2|-1")},
		{name: "floor decimal", e: call(ir.FnFloor, dec(17, 0), c("d2")), d: data{"d2": rows("1.50", "-1.50", "-2.00", nil)}, want: strs("1|-2|-2|NULL")},
		{name: "ceil decimal", e: call(ir.FnCeil, dec(17, 0), c("d2")), d: data{"d2": rows("1.50", "-1.50", "2.00")}, want: strs("2|-1|2")},
		{name: "floor wide decimal", e: call(ir.FnFloor, dec(37, 0), c("w2")), d: data{"w2": rows("-999999999999999999999999999999999999.01", "0.99")}, want: strs("-1000000000000000000000000000000000000|0")},
		{name: "ceil wide decimal", e: call(ir.FnCeil, dec(37, 0), c("w2")), d: data{"w2": rows("999999999999999999999999999999999999.01", "-0.99")}, want: strs("1000000000000000000000000000000000000|0")},
		{name: "floor decimal(38,0)", e: call(ir.FnFloor, dec(38, 0), c("w0")), d: data{"w0": rows("-5")}, want: strs("-5")},
		{name: "floor int", e: call(ir.FnFloor, types.Int32Type, c("i32")), d: data{"i32": rows(-5)}, want: strs("-5")},
	})
}

func TestMaskHash(t *testing.T) {
	hexSHA := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	key := []byte("secret key")
	hexHMAC := func(k []byte, s string) string {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		return hex.EncodeToString(m.Sum(nil))
	}
	longKey := make([]byte, 100)
	for i := range longKey {
		longKey[i] = byte(i)
	}
	for _, k := range [][]byte{nil, key, longKey, {}} {
		e := call(ir.FnMaskHash, types.StringType, c("s"))
		p, err := Compile(e, table, Env{MaskKey: k})
		if err != nil {
			t.Fatal(err)
		}
		in := rows("alice@example.com", nil, "", "日本")
		b := makeBatch(data{"s": in}, len(in))
		for _, batch := range []*vector.Batch{b, withDicts(b, true)} {
			out := vector.New(types.StringType, 0)
			if err := p.NewEvaluator().Eval(batch, out); err != nil {
				t.Fatal(err)
			}
			got := texts(out)
			for i, v := range in {
				want := "NULL"
				if v != nil {
					if k == nil {
						want = hexSHA(v.(string))
					} else {
						want = hexHMAC(k, v.(string))
					}
				}
				if got[i] != want {
					t.Errorf("key %q row %d: got %s, want %s", k, i, got[i], want)
				}
			}
		}
	}
	// Other types hash their text.
	runAll(t, []testCase{
		{name: "int", e: call(ir.FnMaskHash, types.StringType, c("i64")), d: data{"i64": rows(42, nil)}, want: []string{hexSHA("42"), "NULL"}},
		{name: "decimal", e: call(ir.FnMaskHash, types.StringType, c("d2")), d: data{"d2": rows("1.50")}, want: []string{hexSHA("1.50")}},
	})
}

func TestMasks(t *testing.T) {
	S := types.StringType
	runAll(t, []testCase{
		{name: "redact strings", e: call(ir.FnMaskRedact, S, c("s")), d: data{"s": rows("4111", nil, "", "日本")}, want: strs("****|NULL|****|****")},
		{name: "redact an int", e: call(ir.FnMaskRedact, S, c("i64")), d: data{"i64": rows(42, nil)}, want: strs("****|NULL")},
		{name: "redact a date", e: call(ir.FnMaskRedact, S, c("dt")), d: data{"dt": rows(nil, "2024-01-02")}, want: strs("NULL|****")},
		{name: "redact a constant", e: call(ir.FnMaskRedact, S, i64(7)), d: data{"s": rows("a", nil)}, want: strs("****|****")},
		{name: "redact null", e: call(ir.FnMaskRedact, S, str(nil)), d: data{"s": rows("a")}, want: strs("NULL")},

		{name: "last4 of a card", e: call(ir.FnMaskLast4, S, c("s")), d: data{"s": rows("4111111111111111")}, want: strs("************1111")},
		{name: "last4 of short texts", e: call(ir.FnMaskLast4, S, c("s")), d: data{"s": rows("12345", "1234", "123", "", nil)}, want: strs("*2345|****|***||NULL")},
		{name: "last4 counts characters", e: call(ir.FnMaskLast4, S, c("s")), d: data{"s": rows("日本語テキスト", "héllo wörld", "日本語")},
			want: strs("***テキスト|*******örld|***")},
		{name: "last4 keeps an invalid byte as one character", e: call(ir.FnMaskLast4, S, c("s")), d: data{"s": rows("ab\xffcde")}, want: []string{"**\xffcde"}},
		{name: "last4 of an int's text", e: call(ir.FnMaskLast4, S, c("i64")), d: data{"i64": rows(1234567, -42, nil)}, want: strs("***4567|***|NULL")},
		{name: "last4 of a decimal's text", e: call(ir.FnMaskLast4, S, c("d2")), d: data{"d2": rows("1234.50")}, want: strs("***4.50")},

		{name: "email_domain", e: call(ir.FnMaskEmailDomain, S, c("s")), d: data{"s": rows("alice@example.com", "a@b@c.org", "no at", "", "@", nil, "ü@例え.jp")},
			want: strs("***@example.com|***@c.org|***|***|***@|NULL|***@例え.jp")},
		{name: "email_domain of an int", e: call(ir.FnMaskEmailDomain, S, c("i32")), d: data{"i32": rows(5, nil)}, want: strs("***|NULL")},

		{name: "null of a string", e: call(ir.FnMaskNull, S, c("s")), d: data{"s": rows("a", nil, "")}, want: strs("NULL|NULL|NULL")},
		{name: "null of a decimal", e: call(ir.FnMaskNull, dec(18, 2), c("d2")), d: data{"d2": rows("1.50", nil)}, want: strs("NULL|NULL")},
		{name: "null of a widened int", e: call(ir.FnMaskNull, types.Int64Type, c("i32")), d: data{"i32": rows(1)}, want: strs("NULL")},
		{name: "null keeps its argument's errors", e: call(ir.FnMaskNull, types.Int64Type, cast(c("s"), types.Int64Type)), d: data{"s": rows("1", "x")},
			err: `products/x.mesh.hcl:12:9: cast(s, "int64"): "x" is not an int64 (row 1 of the batch)`},
	})
}

func TestShortCircuit(t *testing.T) {
	bad := bin(ir.Gt, cast(c("s"), types.Int32Type), i32(5))
	runAll(t, []testCase{
		// The right side of && is not computed where the left is false.
		{name: "and skips", e: bin(ir.And, bin(ir.Ne, c("s"), str("")), bad), d: data{"s": rows("", "7", "3", nil)}, want: strs("false|true|false|NULL")},
		{name: "or skips", e: bin(ir.Or, bin(ir.Eq, c("s"), str("")), bad), d: data{"s": rows("", "7", "3", nil)}, want: strs("true|true|false|NULL")},
		{name: "and fails where needed", e: bin(ir.And, bin(ir.Ne, c("s"), str("")), bad), d: data{"s": rows("", "x")},
			err: `products/x.mesh.hcl:12:9: cast(s, "int32"): "x" is not an int32 (row 1 of the batch)`},
		{name: "and of overflow", e: bin(ir.And, bin(ir.Lt, c("i32"), i32(100)), bin(ir.Gt, bin(ir.Add, c("i32"), i32(1)), i32(0))),
			d: data{"i32": rows(1, math.MaxInt32)}, want: strs("true|false")},
		{name: "all skipped", e: bin(ir.And, bin(ir.Ne, c("s"), c("s")), bad), d: data{"s": rows("x", "y")}, want: strs("false|false")},
	})
}
