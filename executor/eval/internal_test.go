package eval

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

func TestCivilAgainstTime(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k < 20000; k++ {
		days := r.Int64N(2*3_000_000) - 3_000_000 // ±8,000 years
		if k < 10 {
			days = []int64{0, -1, 1, -719162, 2932896, 11016, 59, 60, -25508, -25567}[k]
		}
		tm := time.Unix(days*86400, 0).UTC()
		y, m, d := civil(days)
		if y != int64(tm.Year()) || m != int(tm.Month()) || d != tm.Day() {
			t.Fatalf("civil(%d) = %d-%d-%d, want %s", days, y, m, d, tm.Format(time.DateOnly))
		}
		if back := daysFromCivil(y, m, d); back != days {
			t.Fatalf("daysFromCivil(%d-%d-%d) = %d, want %d", y, m, d, back, days)
		}
	}
}

func TestFormattersMatchAppendText(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	dates := vector.New(types.DateType, 0)
	stamps := vector.New(types.TimestampType, 0)
	n := 5000
	dates.Reset(n)
	stamps.Reset(n)
	for i := 0; i < n; i++ {
		dates.I32[i] = int32(r.Int64N(2*4_000_000) - 4_000_000) // years -9000..12900
		us := r.Int64()
		switch i % 4 {
		case 0:
			us = r.Int64N(4e17) - 2e17 // around the common range, fractions
		case 1:
			us = us / 1_000_000 * 1_000_000 // whole seconds
		case 2:
			us = r.Int64N(1e12) - 5e11
		}
		stamps.I64[i] = us
	}
	stamps.I64[0], stamps.I64[1], stamps.I64[2] = math.MinInt64, math.MaxInt64, -1
	for i := 0; i < n; i++ {
		want, _ := dates.AppendText(nil, i)
		if got := appendDate(nil, int64(dates.I32[i])); string(got) != string(want) {
			t.Fatalf("appendDate(%d) = %s, want %s", dates.I32[i], got, want)
		}
		want, _ = stamps.AppendText(nil, i)
		if got := appendTimestamp(nil, stamps.I64[i]); string(got) != string(want) {
			t.Fatalf("appendTimestamp(%d) = %s, want %s", stamps.I64[i], got, want)
		}
	}
}

func TestInt128Helpers(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	rnd := func() decimal.Int128 {
		switch r.IntN(4) {
		case 0:
			return decimal.FromInt64(r.Int64N(2000) - 1000)
		case 1:
			return decimal.FromInt64(int64(r.Uint64()))
		case 2:
			return decimal.Int128{Hi: r.Int64N(1<<20) - 1<<19, Lo: r.Uint64()}
		}
		return decimal.Int128{Hi: int64(r.Uint64() >> 1), Lo: r.Uint64()}
	}
	for k := 0; k < 20000; k++ {
		x, y := rnd(), rnd()
		if k%2 == 0 {
			y = y.Neg()
		}
		if y == (decimal.Int128{}) {
			continue
		}
		// rem128 against big.Int.Rem (truncated: the sign of x).
		want := new(big.Int).Rem(x.Big(), y.Big())
		if got := rem128(x, y).Big(); got.Cmp(want) != 0 {
			t.Fatalf("rem128(%s, %s) = %s, want %s", x.Big(), y.Big(), got, want)
		}
		// decimal's AppendFormat, which eval's formatters use, against
		// the compiler's formatting.
		scale := r.IntN(39)
		if got, want := string(x.AppendFormat(nil, scale)), ir.FormatDecimal(x.Big(), scale); got != want {
			t.Fatalf("AppendFormat(%s, %d) = %s, want %s", x.Big(), scale, got, want)
		}
		// divPow10Trunc against big.Int.QuoRem.
		k := r.IntN(39)
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
		q, rm := new(big.Int).QuoRem(x.Big(), p, new(big.Int))
		gq, grem := divPow10Trunc(x, k)
		if gq.Big().Cmp(q) != 0 || grem != (rm.Sign() != 0) {
			t.Fatalf("divPow10Trunc(%s, %d) = %s, %v; want %s, %v", x.Big(), k, gq.Big(), grem, q, rm.Sign() != 0)
		}
		// mulWide against big multiplication.
		a, b := int64(r.Uint64()), int64(r.Uint64())
		if got, want := mulWide(a, b).Big(), new(big.Int).Mul(big.NewInt(a), big.NewInt(b)); got.Cmp(want) != 0 {
			t.Fatalf("mulWide(%d, %d) = %s, want %s", a, b, got, want)
		}
		// mul64's overflow flag.
		_, bad := mul64(a>>uint(r.IntN(64)), b>>uint(r.IntN(64)))
		_ = bad
	}
	for _, c := range [][2]int64{{math.MinInt64, -1}, {math.MinInt64, 1}, {math.MaxInt64, 2}, {-1, -1}, {1 << 32, 1 << 31}, {1 << 32, 1 << 32}, {-(1 << 32), 1 << 31}} {
		p := new(big.Int).Mul(big.NewInt(c[0]), big.NewInt(c[1]))
		v, bad := mul64(c[0], c[1])
		if (bad != 0) != !p.IsInt64() || (bad == 0 && v != p.Int64()) {
			t.Errorf("mul64(%d, %d) = %d, overflow %v; want %s", c[0], c[1], v, bad != 0, p)
		}
	}
}

func TestCaseMappingMatchesStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	alphabet := []rune("aZzA@[`{ 0éÉßǅİıſKΣσς日本Ωω\u1e9e")
	for k := 0; k < 5000; k++ {
		var b strings.Builder
		for n := r.IntN(20); n > 0; n-- {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		if got := string(lowerMap{}.apply(nil, []byte(s))); got != strings.ToLower(s) {
			t.Fatalf("lower(%q) = %q, want %q", s, got, strings.ToLower(s))
		}
		if got := string(upperMap{}.apply(nil, []byte(s))); got != strings.ToUpper(s) {
			t.Fatalf("upper(%q) = %q, want %q", s, got, strings.ToUpper(s))
		}
		// The bulk path is only taken for ASCII input, and then agrees.
		dst := make([]byte, len(s))
		if ok := asciiCase(dst, []byte(s), 'A', 'Z'); ok != isASCII([]byte(s)) || ok && string(dst) != strings.ToLower(s) {
			t.Fatalf("asciiCase(%q) = %q, %v", s, dst, ok)
		}
		if got := utf8.RuneCountInString(s); int(substrLen(s)) != got {
			t.Fatalf("rune count mismatch for %q", s)
		}
	}
}

func substrLen(s string) int { return utf8.RuneCount(substrBytes([]byte(s), 1, 0, false)) }

func TestParseTimestampAgainstIR(t *testing.T) {
	for _, s := range []string{"2024-01-02", "2024-01-02T03:04:05Z", "2024-01-02T03:04:05.123456789Z", "2024-01-02 03:04:05",
		"2024-01-02 03:04:05.5", "2024-01-02T03:04:05+05:30", "2024-01-02T03:04:05-00:00", "1969-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z"} {
		want, err := ir.ParseTimestamp(s)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseTimestamp([]byte(s))
		if !ok || got != want {
			t.Errorf("parseTimestamp(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "2024-1-02", "2024-01-02T", "2024-01-02T03:04", "2024-01-02T03:04:05.", "2024-01-02T03:04:05+0530", "2024-13-01", "2024-01-02x03:04:05", "2024-01-02T03:04:60Z", "2024-01-02T03:04:05.1234567890Z"} {
		if got, ok := parseTimestamp([]byte(s)); ok {
			t.Errorf("parseTimestamp(%q) = %d, want a failure", s, got)
		}
	}
}

func TestCompileRejectsBadIR(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    ir.Expr
	}{
		{"mixed operands", bin(ir.Add, c("i32"), c("i64"))},
		{"column type mismatch", &ir.ColumnRef{Meta: meta(types.StringType), Index: 1, Name: "i32"}},
		{"column out of range", &ir.ColumnRef{Meta: meta(types.StringType), Index: 99, Name: "zz"}},
		{"bad cast", cast(c("dt"), types.BoolType)},
		{"implicit narrowing", widen(c("i64"), types.Int32Type)},
		{"decimal add type", binT(ir.Add, dec(18, 2), c("d2"), c("d2b"))},
		{"logic on ints", bin(ir.And, c("i32"), c("i32b"))},
		{"invalid type", &ir.Literal{Meta: meta(types.NullType), Value: ir.Value{Null: true}}},
		{"nil", nil},
		{"unknown unit", call(ir.FnDateTrunc, types.DateType, str("fortnight"), c("dt"))},
		{"round digits not constant", call(ir.FnRound, types.Float64Type, c("f"), c("i64"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Compile(tc.e, table, Env{}); err == nil {
				t.Fatalf("Compile succeeded")
			}
		})
	}
}

func TestBadBatches(t *testing.T) {
	p, err := Compile(bin(ir.Gt, c("i32"), i32(1)), table, Env{})
	if err != nil {
		t.Fatal(err)
	}
	ev := p.NewEvaluator()
	good := makeBatch(data{"i32": rows(1, 2)}, 2)
	short := &vector.Batch{Len: 2, Cols: good.Cols[:1]}
	wrong := &vector.Batch{Len: 2, Cols: append([]*vector.Vector{good.Cols[0], good.Cols[2]}, good.Cols[2:]...)}
	for _, b := range []*vector.Batch{short, wrong, nil} {
		if err := ev.Eval(b, vector.New(types.BoolType, 0)); err == nil {
			t.Errorf("Eval accepted a bad batch")
		}
		if _, err := ev.Select(b, nil); err == nil {
			t.Errorf("Select accepted a bad batch")
		}
	}
	if err := ev.Eval(good, vector.New(types.Int32Type, 0)); err == nil {
		t.Errorf("Eval accepted an output of the wrong type")
	}
	q, _ := Compile(c("i32"), table, Env{})
	if _, err := q.NewEvaluator().Select(good, nil); err == nil {
		t.Errorf("Select accepted an int32 expression")
	}
}

func TestConstantFolding(t *testing.T) {
	// Operations on constants are computed once at compile time.
	p, err := Compile(bin(ir.Add, i64(2), bin(ir.Mul, i64(3), i64(4))), table, Env{})
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := p.root.(*constNode); !ok || k.val.i != 14 {
		t.Fatalf("root is %T, want the constant 14", p.root)
	}
	// A constant expression that fails is left to fail per row.
	p, err = Compile(bin(ir.Add, i64(math.MaxInt64), i64(1)), table, Env{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.root.(*constNode); ok {
		t.Fatalf("an overflowing constant was folded")
	}
	err = p.NewEvaluator().Eval(makeBatch(data{"i32": rows(1)}, 1), vector.New(types.Int64Type, 0))
	if err == nil || !strings.Contains(err.Error(), "9223372036854775807 + 1 does not fit int64 (row 0 of the batch)") {
		t.Fatalf("Eval = %v", err)
	}
}

func TestConcurrentEvaluators(t *testing.T) {
	e := call(ir.FnLower, types.StringType, c("s"))
	p, err := Compile(e, table, Env{})
	if err != nil {
		t.Fatal(err)
	}
	b := withDicts(makeBatch(data{"s": rows("A", "B", nil, "C")}, 4), false)
	done := make(chan []string)
	for range 4 {
		go func() {
			ev := p.NewEvaluator()
			out := vector.New(types.StringType, 0)
			var got []string
			for range 100 {
				if err := ev.Eval(b, out); err != nil {
					panic(err)
				}
				got = texts(out)
			}
			done <- got
		}()
	}
	for range 4 {
		if got := <-done; strings.Join(got, "|") != "a|b|NULL|c" {
			t.Errorf("got %v", got)
		}
	}
}

func TestRootDictionaryIsTheCallers(t *testing.T) {
	// A dictionary returned at the root is not overwritten by the next
	// batch: the caller may keep it.
	p, err := Compile(call(ir.FnUpper, types.StringType, c("s")), table, Env{})
	if err != nil {
		t.Fatal(err)
	}
	ev := p.NewEvaluator()
	out1, out2 := vector.New(types.StringType, 0), vector.New(types.StringType, 0)
	if err := ev.Eval(withDicts(makeBatch(data{"s": rows("a", "b")}, 2), false), out1); err != nil {
		t.Fatal(err)
	}
	if out1.Dict == nil {
		t.Fatalf("upper of a dictionary column is not dictionary-encoded")
	}
	if err := ev.Eval(withDicts(makeBatch(data{"s": rows("x", "y")}, 2), false), out2); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(texts(out1), "|"); got != "A|B" {
		t.Fatalf("first result became %s", got)
	}
}

func TestScratchDictionaryIsCopiedAtTheRoot(t *testing.T) {
	// ? : passes a child's dictionary up unchanged when every row takes
	// one branch; the caller must still get a dictionary of its own.
	e := cond(bin(ir.Gt, c("i32"), i32(0)), call(ir.FnLower, types.StringType, c("s")), str("none"))
	p, err := Compile(e, table, Env{})
	if err != nil {
		t.Fatal(err)
	}
	ev := p.NewEvaluator()
	out1, out2 := vector.New(types.StringType, 0), vector.New(types.StringType, 0)
	if err := ev.Eval(withDicts(makeBatch(data{"i32": rows(1, 2), "s": rows("A", "B")}, 2), false), out1); err != nil {
		t.Fatal(err)
	}
	if err := ev.Eval(withDicts(makeBatch(data{"i32": rows(1, 2), "s": rows("X", "Y")}, 2), false), out2); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(texts(out1), "|"); got != "a|b" {
		t.Fatalf("first result became %s", got)
	}
}

func TestSubstrAgainstReference(t *testing.T) {
	ref := func(s string, start, length int64, hasLen bool) string {
		rs := []rune(s)
		var out []rune
		for i := range rs {
			pos := int64(i + 1)
			if pos >= start && (!hasLen || pos < start+length) {
				out = append(out, rs[i])
			}
		}
		return string(out)
	}
	for _, s := range []string{"", "a", "hello", "日本語", "héllo wörld"} {
		for start := int64(-3); start <= 8; start++ {
			if got, want := string(substrBytes([]byte(s), start, 0, false)), ref(s, start, 0, false); got != want {
				t.Errorf("substr(%q, %d) = %q, want %q", s, start, got, want)
			}
			for length := int64(0); length <= 8; length++ {
				if got, want := string(substrBytes([]byte(s), start, length, true)), ref(s, start, length, true); got != want {
					t.Errorf("substr(%q, %d, %d) = %q, want %q", s, start, length, got, want)
				}
			}
		}
	}
	if got := string(substrBytes([]byte("abc"), math.MinInt64, math.MaxInt64, true)); got != "" {
		t.Errorf("substr at the extremes = %q", got)
	}
}

func TestParseIntAgainstStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var cases []string
	for n := 1; n <= 21; n++ {
		for k := 0; k < 200; k++ {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte('0' + r.IntN(10))
				if r.IntN(60) == 0 {
					b[i] = "x/:.- +"[r.IntN(7)]
				}
			}
			cases = append(cases, string(b), "-"+string(b), "+"+string(b))
		}
	}
	cases = append(cases, "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"2147483647", "2147483648", "-2147483648", "-2147483649", "", "-", "+", "00000000000000000000000042", "1_000")
	for _, s := range cases {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := parseInt([]byte(s), math.MinInt64, math.MaxInt64)
		if ok != (err == nil) || ok && got != want {
			t.Fatalf("parseInt(%q) = %d, %v; strconv says %d, %v", s, got, ok, want, err)
		}
		want32, err := strconv.ParseInt(s, 10, 32)
		got, ok = parseInt([]byte(s), math.MinInt32, math.MaxInt32)
		if ok != (err == nil) || ok && got != want32 {
			t.Fatalf("parseInt32(%q) = %d, %v; strconv says %d, %v", s, got, ok, want32, err)
		}
	}
}
