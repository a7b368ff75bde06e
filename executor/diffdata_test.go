package executor

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/meshctl/meshctl/executor/decimal"
	"github.com/meshctl/meshctl/executor/internal/reference"
)

// The differential suite's data: a handful of declared sources whose rows
// are generated deterministically (PCG with fixed seeds), in the
// reference's representation (see reference.Row). Every nullable column
// holds about 10% nulls; keys are skewed (Zipf) or of high cardinality,
// duplicated on both sides of joins; floats include NaN, ±Inf and -0.0
// in their own column (fx) so that queries not about them stay clear of
// them; the extremes of every type live in the small edge table.

// diffColumn is one declared column of a source.
type diffColumn struct {
	name     string
	typ      string // as written in HCL
	nullable bool
}

// diffSource is one declared source and its rows.
type diffSource struct {
	name string
	kind string // csv or parquet: memScanner serves both
	cols []diffColumn
	rows []reference.Row
}

// Sizes of the generated tables.
const (
	diffRowsT   = 1200
	diffRowsDim = 60
	diffRowsBig = 20000
	diffRowsBD  = 5000
)

var tColumns = []diffColumn{
	{"id", "int64", false},
	{"k", "int32", true},
	{"g", "string", true},
	{"b", "bool", true},
	{"i32", "int32", true},
	{"i64", "int64", true},
	{"x64", "int64", true},
	{"f", "float64", true},
	{"fx", "float64", true},
	{"d2", "decimal(18,2)", true},
	{"d4", "decimal(38,4)", true},
	{"s", "string", true},
	{"dt", "date", true},
	{"ts", "timestamp", true},
	{"num", "string", true},
	{"nk", "int32", false},
	{"ns", "string", false},
}

var dimColumns = []diffColumn{
	{"k", "int32", true},
	{"name", "string", false},
	{"g", "string", true},
	{"w", "decimal(18,2)", false},
	{"active", "bool", false},
	{"day", "date", true},
	{"fk", "float64", true},
}

var bigColumns = []diffColumn{
	{"id", "int64", false},
	{"zk", "int64", true},
	{"hk", "int64", false},
	{"cat", "string", false},
	{"amount", "decimal(18,2)", true},
	{"f", "float64", true},
	{"dt", "date", false},
	{"s", "string", true},
}

var bigDimColumns = []diffColumn{
	{"hk", "int64", false},
	{"label", "string", true},
	{"rank", "int32", false},
}

var edgeColumns = []diffColumn{
	{"x", "int64", true},
	{"i", "int32", true},
	{"d18", "decimal(18,2)", true},
	{"d38", "decimal(38,4)", true},
	{"f", "float64", true},
	{"s", "string", true},
	{"dt", "date", true},
	{"ts", "timestamp", true},
}

var textColumns = []diffColumn{
	{"s", "string", false},
	{"i", "string", true},
	{"f", "string", true},
	{"d", "string", true},
	{"dt", "string", true},
	{"ts", "string", true},
	{"b", "string", true},
}

var badColumns = []diffColumn{
	{"id", "int64", false},
	{"s", "string", true},
	{"n", "int32", true},
}

var (
	diffDataOnce sync.Once
	diffSources  []*diffSource
	diffTables   reference.Tables
)

// diffData returns the sources and their rows, generated once.
func diffData() ([]*diffSource, reference.Tables) {
	diffDataOnce.Do(func() {
		t := &diffSource{name: "t", kind: "parquet", cols: tColumns, rows: genT(rand.New(rand.NewPCG(1, 1)), diffRowsT)}
		dim := &diffSource{name: "dim", kind: "csv", cols: dimColumns, rows: genDim(rand.New(rand.NewPCG(2, 2)))}
		big := &diffSource{name: "big", kind: "parquet", cols: bigColumns, rows: genBig(rand.New(rand.NewPCG(3, 3)), diffRowsBig)}
		bigDim := &diffSource{name: "bigdim", kind: "parquet", cols: bigDimColumns, rows: genBigDim(rand.New(rand.NewPCG(4, 4)), diffRowsBD)}
		diffSources = []*diffSource{
			t,
			{name: "t_one", kind: "parquet", cols: tColumns, rows: t.rows[7:8]},
			{name: "t_empty", kind: "parquet", cols: tColumns, rows: []reference.Row{}},
			// t2 is t's second half, for joins of t with itself on
			// columns of every type.
			{name: "t2", kind: "csv", cols: tColumns, rows: t.rows[diffRowsT/2:]},
			dim,
			{name: "dim_empty", kind: "csv", cols: dimColumns, rows: []reference.Row{}},
			big,
			bigDim,
			{name: "edge", kind: "parquet", cols: edgeColumns, rows: genEdge()},
			{name: "bad", kind: "csv", cols: badColumns, rows: genBad()},
			{name: "texts", kind: "csv", cols: textColumns, rows: genTexts()},
		}
		diffTables = reference.Tables{}
		for _, s := range diffSources {
			diffTables[s.name] = s.rows
		}
	})
	return diffSources, diffTables
}

// diffPreamble is the mesh, the domain and every source, declared.
func diffPreamble() string {
	srcs, _ := diffData()
	var b strings.Builder
	b.WriteString("mesh {\n  name     = \"diff\"\n  mask_key = env(\"MESH_MASK_KEY\")\n}\n\n")
	b.WriteString("domain \"d\" {\n  owner = \"d@example.com\"\n}\n")
	for _, s := range srcs {
		fmt.Fprintf(&b, "\nsource %q {\n  type = %q\n  path = \"data/%s.%s\"\n  schema {\n    infer = false\n", s.name, s.kind, s.name, s.kind)
		for _, c := range s.cols {
			fmt.Fprintf(&b, "    column %q {\n      type     = %q\n      nullable = %v\n    }\n", c.name, c.typ, c.nullable)
		}
		b.WriteString("  }\n}\n")
	}
	return b.String()
}

// ---- generators ------------------------------------------------------------

// nullable returns nil about one time in ten, else v.
func nullable(r *rand.Rand, v any) any {
	if r.IntN(10) == 0 {
		return nil
	}
	return v
}

// groupWords are low-cardinality string keys: empty, case and accent
// variants, multi-byte characters, LIKE metacharacters, trailing spaces.
var groupWords = []string{"a", "B", "", "ä", "é", "日本", "a ", " a", "Mixed Case", "%_x", "b", "A"}

// wordPool feeds the string column s: Unicode that changes length under
// case mapping, white space of several kinds, LIKE metacharacters and
// backslashes, emoji, and the empty string.
var wordPool = []string{
	"", " ", "  padded  ", "Ann", "ann", "ÄRGER", "ärger", "straße", "İstanbul", "日本語",
	"😀 emoji", "tab\tsep", "100%", "a_b", `back\slash`, "ǅemal", "ΣΊΣΥΦΟΣ", "\u00a0nbsp\u2003",
	"x", "abc", "abcdef", "ABC", "Zoë", "mañana", "naïve café", "hello world",
}

// runes is the alphabet of random strings.
var runes = []rune("aAbBzZ09 _%éß日😀-")

func randString(r *rand.Rand, max int) string {
	n := r.IntN(max + 1)
	out := make([]rune, n)
	for i := range out {
		out[i] = runes[r.IntN(len(runes))]
	}
	return string(out)
}

// floatSpecials are the values fx takes in about one row in six.
var floatSpecials = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1e308, -1e308,
	5e-324, math.MaxFloat64, -1.5, 3.25, 2.5, -2.5}

const (
	day1900 = -25567 // 1900-01-01
	day2100 = 47482  // 2100-12-31
)

func genT(r *rand.Rand, n int) []reference.Row {
	zk := rand.NewZipf(r, 1.5, 2, 40)
	zg := rand.NewZipf(r, 1.2, 1, uint64(len(groupWords)-1))
	ids := r.Perm(n)
	rows := make([]reference.Row, n)
	for i := range rows {
		row := make(reference.Row, len(tColumns))
		row[0] = int64(ids[i] + 1)
		row[1] = nullable(r, int32(zk.Uint64()))
		row[2] = nullable(r, groupWords[zg.Uint64()])
		row[3] = nullable(r, r.IntN(2) == 0)
		row[4] = nullable(r, int32(r.IntN(2001)-1000))
		row[5] = nullable(r, r.Int64N(2_000_000_001)-1_000_000_000)
		row[6] = nullable(r, genX64(r))
		row[7] = nullable(r, genF(r))
		fx := r.NormFloat64() * 1e3
		if r.IntN(6) == 0 {
			fx = floatSpecials[r.IntN(len(floatSpecials))]
		}
		row[8] = nullable(r, fx)
		row[9] = nullable(r, r.Int64N(2_000_000_001)-1_000_000_000)
		row[10] = nullable(r, decimal.FromInt64(r.Int64N(20_000_000_000_000_001)-10_000_000_000_000_000))
		if r.IntN(3) == 0 {
			row[11] = nullable(r, wordPool[r.IntN(len(wordPool))])
		} else {
			row[11] = nullable(r, randString(r, 10))
		}
		row[12] = nullable(r, genDate(r))
		row[13] = nullable(r, genTS(r))
		row[14] = nullable(r, genNum(r))
		row[15] = int32(r.IntN(100))
		row[16] = fmt.Sprintf("u%05d", r.IntN(n*4))
		rows[i] = row
	}
	return rows
}

// genX64 draws int64s over the whole range, with the extremes often.
func genX64(r *rand.Rand) int64 {
	switch r.IntN(12) {
	case 0:
		return math.MaxInt64
	case 1:
		return math.MinInt64
	case 2:
		return math.MinInt64 + 1
	case 3:
		return 0
	case 4:
		return -1
	}
	return int64(r.Uint64())
}

// genF draws finite floats of moderate size, with -0.0 and halves (for
// round) now and then.
func genF(r *rand.Rand) float64 {
	switch r.IntN(20) {
	case 0:
		return math.Copysign(0, -1)
	case 1:
		return 0
	case 2:
		return float64(r.IntN(21)-10) + 0.5
	case 3:
		return []float64{1.005, 2.675, -0.35, 0.125, -1.25}[r.IntN(5)]
	}
	return math.Round(r.NormFloat64()*1e6) / 1e3
}

// genDate draws days between 1900 and 2100, with the Unix epoch's
// neighbours and a leap day sometimes.
func genDate(r *rand.Rand) int32 {
	switch r.IntN(15) {
	case 0:
		return 0
	case 1:
		return -1
	case 2:
		return 19782 // 2024-02-29
	}
	return int32(day1900 + r.IntN(day2100-day1900+1))
}

// genTS draws instants from 1900 to 2100 in µs: whole days, whole
// seconds, and arbitrary microseconds, before and after 1970.
func genTS(r *rand.Rand) int64 {
	d := int64(day1900 + r.IntN(day2100-day1900+1))
	us := d * 86_400_000_000
	switch r.IntN(4) {
	case 0:
		return us
	case 1:
		return us + r.Int64N(86_400)*1_000_000
	}
	return us + r.Int64N(86_400_000_000)
}

// genNum draws integers as text, in the forms a cast to int32 accepts.
func genNum(r *rand.Rand) string {
	switch r.IntN(8) {
	case 0:
		return "0"
	case 1:
		return fmt.Sprintf("-%d", r.IntN(100000))
	case 2:
		return "2147483647"
	case 3:
		return "-2147483648"
	}
	return fmt.Sprint(r.IntN(1000000))
}

// genDim draws the dimension joined with t on k (int32), g (string) and
// fk (float64): duplicated keys, keys t does not have, null keys.
func genDim(r *rand.Rand) []reference.Row {
	rows := make([]reference.Row, 0, diffRowsDim)
	names := []string{"zero", "one", "two", "three", "four", "fünf", "六", "seven", "", "nine"}
	for i := range diffRowsDim {
		var k any = int32(i % 45) // 0..44 then 0..14 again: duplicates
		switch i {
		case 3, 17, 50:
			k = nil
		}
		var fk any = float64(i%20) - 5
		switch i % 15 {
		case 0:
			fk = math.NaN()
		case 1:
			fk = math.Copysign(0, -1)
		case 2:
			fk = math.Inf(1)
		case 3:
			fk = nil
		}
		var g any = groupWords[i%len(groupWords)]
		if i%11 == 4 {
			g = nil
		}
		var dayv any = genDate(r)
		if i%9 == 0 {
			dayv = nil
		}
		rows = append(rows, reference.Row{
			k,
			names[i%len(names)] + fmt.Sprint(i),
			g,
			r.Int64N(100_000) - 20_000,
			i%3 != 0,
			dayv,
			fk,
		})
	}
	return rows
}

var bigCats = func() []string {
	out := make([]string, 30)
	for i := range out {
		out[i] = fmt.Sprintf("cat-%02d-%s", i, []string{"α", "b", "ç", "d", "日"}[i%5])
	}
	return out
}()

func genBig(r *rand.Rand, n int) []reference.Row {
	zk := rand.NewZipf(r, 1.1, 1, 1000)
	zc := rand.NewZipf(r, 1.3, 1, uint64(len(bigCats)-1))
	rows := make([]reference.Row, n)
	for i := range rows {
		rows[i] = reference.Row{
			int64(i + 1),
			nullable(r, int64(zk.Uint64())),
			r.Int64N(1_000_000),
			bigCats[zc.Uint64()],
			nullable(r, r.Int64N(10_000_000)-1_000_000),
			nullable(r, math.Round(r.NormFloat64()*1e5)/100),
			int32(18000 + r.IntN(2000)),
			nullable(r, fmt.Sprintf("s%06d", r.IntN(n))),
		}
	}
	return rows
}

func genBigDim(r *rand.Rand, n int) []reference.Row {
	rows := make([]reference.Row, n)
	for i := range rows {
		var label any = fmt.Sprintf("L%d", r.IntN(n/3))
		if r.IntN(10) == 0 {
			label = nil
		}
		rows[i] = reference.Row{r.Int64N(1_000_000), label, int32(i)}
	}
	return rows
}

// wideDec returns a 38-digit-capable decimal's unscaled value from text.
func wideDec(s string) decimal.Int128 {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad number " + s)
	}
	v, ok := decimal.FromBig(b)
	if !ok {
		panic("too wide: " + s)
	}
	return v
}

// genEdge holds every type's extremes, one row each, plus nulls.
func genEdge() []reference.Row {
	max38 := strings.Repeat("9", 38)
	long := strings.Repeat("long ünïcödé ", 40)
	day := func(s string) int32 {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err)
		}
		return int32(t.Unix() / 86400)
	}
	return []reference.Row{
		{int64(math.MaxInt64), int32(math.MaxInt32), int64(999999999999999999), wideDec(max38), math.MaxFloat64, long, day("9999-12-31"), int64(253402300799999999)},
		{int64(math.MinInt64), int32(math.MinInt32), int64(-999999999999999999), wideDec("-" + max38), -math.MaxFloat64, "", day("0001-01-01"), int64(-62135596800000000)},
		{int64(math.MinInt64 + 1), int32(math.MinInt32 + 1), int64(-1), wideDec("-1"), 5e-324, " ", int32(-1), int64(-1)},
		{int64(0), int32(0), int64(0), wideDec("0"), math.Copysign(0, -1), "x", int32(0), int64(0)},
		{nil, nil, nil, nil, nil, nil, nil, nil},
		{int64(-1), int32(-1), int64(1), wideDec("1"), math.NaN(), "😀", int32(1), int64(1)},
		{int64(math.MaxInt64 - 1), int32(math.MaxInt32 - 1), int64(50), wideDec("12345678901234567890123456789012345678"), math.Inf(1), "zz", int32(19782), int64(1709164800000000)},
		{int64(1), int32(1), int64(-50), wideDec("-12345678901234567890123456789012345678"), math.Inf(-1), "Zz", nil, nil},
	}
}

// genBad holds strings of which some do not convert to int32.
func genBad() []reference.Row {
	return []reference.Row{
		{int64(1), "12", int32(1)},
		{int64(2), "-3", int32(2)},
		{int64(3), nil, int32(5)},
		{int64(4), "x7", int32(0)},
		{int64(5), "8", nil},
	}
}

// genTexts holds values as text in the forms casts from string accept:
// signs and leading zeros, exponents, fractions shorter and longer than
// the scale, timestamps with and without offsets, fractions or the T.
func genTexts() []reference.Row {
	return []reference.Row{
		{"plain", "42", "1.5", "12.345", "2024-02-29", "2024-02-29T10:11:12Z", "true"},
		{"signs", "-7", "-0.25", "-0.5", "1970-01-01", "1969-12-31T23:59:59.999999Z", "false"},
		{"plus", "+7", "+2", "+1.2", "1900-03-01", "2024-01-02 03:04:05", "TRUE"},
		{"zeros", "007", "1e3", "0.0005", "2100-12-31", "2024-01-02T03:04:05.5+02:00", "1"},
		{"exp", "0", "2.5E-3", "99.9999", "2000-02-29", "2024-01-02", "0"},
		{"nulls", nil, nil, nil, nil, nil, nil},
		{"min", "-9223372036854775808", "-0", "-0.0004", "0001-01-01", "2024-01-02T03:04:05", "False"},
		{"pad", " 7", " 1.5", "2 ", " 2024-01-01", " 2024-01-02T03:04:05Z", " true"},
		{"max", "9223372036854775807", "1.7976931348623157e308", "9999999.999", "9999-12-31", "2024-06-30T23:59:59.123456-07:00", "TrUe"},
	}
}
