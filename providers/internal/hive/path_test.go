package hive

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"DE", "DE"},
		{"a/b:c=d%", "a%2Fb%3Ac%3Dd%25"},
		{`"#%'*/:=?\{[]^`, "%22%23%25%27%2A%2F%3A%3D%3F%5C%7B%5B%5D%5E"},
		{"\x00\x01\t\n\r\x1f\x7f", "%00%01%09%0A%0D%1F%7F"},
		// Not escaped: Hive's Windows-only set, other punctuation, UTF-8.
		{" <>|!$&()+,;@`}~-_.", " <>|!$&()+,;@`}~-_."},
		{"Zürich 東京", "Zürich 東京"},
		{"2024-01-31T10:00:00.5Z", "2024-01-31T10%3A00%3A00.5Z"},
		{"-12.50", "-12.50"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := string(AppendEscaped([]byte("x"), []byte(tt.in))); got != "x"+tt.want {
			t.Errorf("AppendEscaped(x, %q) = %q, want x%q", tt.in, got, tt.want)
		}
		if got := Unescape(tt.want); got != tt.in {
			t.Errorf("Unescape(%q) = %q, want %q", tt.want, got, tt.in)
		}
	}
}

// TestEscapeEveryByte checks, for every byte value alone and inside text,
// that escaping leaves no byte a folder name cannot hold and that
// unescaping gives the byte back.
func TestEscapeEveryByte(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		for _, s := range []string{string([]byte{b}), "a" + string([]byte{b}) + "b", strings.Repeat(string([]byte{b}), 3)} {
			e := Escape(s)
			if strings.ContainsAny(e, "/=:\x00") {
				t.Errorf("Escape(%q) = %q holds a byte a folder name cannot", s, e)
			}
			if got := Unescape(e); got != s {
				t.Errorf("Unescape(Escape(%q)) = %q", s, got)
			}
			seg := Segment("c", s)
			kvs, err := Parse(seg + "/f.parquet")
			if err != nil {
				t.Errorf("Parse(%q): %v", seg, err)
				continue
			}
			if diff := cmp.Diff([]KV{{Col: "c", Value: s}}, kvs); diff != "" {
				t.Errorf("Parse(Segment(c, %q)) (-want +got):\n%s", s, diff)
			}
		}
	}
}

func TestEscapeUnicodeRoundTrip(t *testing.T) {
	for _, s := range []string{"Ελλάδα", "日本/東京", "emoji 🎉=🎊", "\u00a0nbsp", "a\u2028b", string(utf8.RuneError), "\xff\xfe invalid UTF-8"} {
		if got := Unescape(Escape(s)); got != s {
			t.Errorf("Unescape(Escape(%q)) = %q", s, got)
		}
		kvs, err := Parse(Segment(s, s) + "/part-00000.csv")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]KV{{Col: s, Value: s}}, kvs); diff != "" {
			t.Errorf("round trip of %q (-want +got):\n%s", s, diff)
		}
	}
}

func TestUnescapeLenient(t *testing.T) {
	tests := []struct{ in, want string }{
		{"%", "%"},
		{"%4", "%4"},
		{"100%", "100%"},
		{"%zz", "%zz"},
		{"%4g", "%4g"},
		{"%41", "A"},
		{"%4a%4A", "JJ"},
		{"a%41", "aA"},
		{"%%41", "%A"},
		{"%2", "%2"},
		{"%+1", "%+1"},
	}
	for _, tt := range tests {
		if got := Unescape(tt.in); got != tt.want {
			t.Errorf("Unescape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSegment(t *testing.T) {
	tests := []struct{ col, value, want string }{
		{"country", "DE", "country=DE"},
		{"country", "", "country=" + NullMarker},
		{"a=b", "c/d", "a%3Db=c%2Fd"},
		{"day", "2024-01-31", "day=2024-01-31"},
	}
	for _, tt := range tests {
		if got := Segment(tt.col, tt.value); got != tt.want {
			t.Errorf("Segment(%q, %q) = %q, want %q", tt.col, tt.value, got, tt.want)
		}
		if got := string(AppendSegment([]byte("p/"), tt.col, []byte(tt.value))); got != "p/"+tt.want {
			t.Errorf("AppendSegment(p/, %q, %q) = %q", tt.col, tt.value, got)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		rel     string
		want    []KV
		wantErr string
	}{
		{rel: "part-00000.parquet"},
		{rel: "country=DE/part-00000.parquet", want: []KV{{Col: "country", Value: "DE"}}},
		{rel: "country=DE/year=2024/part-00000.parquet", want: []KV{{Col: "country", Value: "DE"}, {Col: "year", Value: "2024"}}},
		{rel: "country=__HIVE_DEFAULT_PARTITION__/f.csv", want: []KV{{Col: "country", Null: true}}},
		{rel: "country=a%2Fb%3Ac%3Dd%25/f.csv", want: []KV{{Col: "country", Value: "a/b:c=d%"}}},
		{rel: "c%3D1=x%3Dy/f.csv", want: []KV{{Col: "c=1", Value: "x=y"}}},
		// Folders without "=" are passed over; the file's name never counts.
		{rel: "data/2024/country=DE/raw/f.csv", want: []KV{{Col: "country", Value: "DE"}}},
		{rel: "a=1.parquet"},
		{rel: "x/a=1.parquet"},
		// The value is split at the first "=": later ones belong to it.
		{rel: "k=v=w/f", want: []KV{{Col: "k", Value: "v=w"}}},
		{rel: "=DE/f.csv", wantErr: `the folder "=DE" has no column name before its "="`},
		{rel: "country=/f.csv", wantErr: `the folder "country=" has no value after its "=" (a null partition value is written __HIVE_DEFAULT_PARTITION__)`},
		{rel: "a=1/b=2/a=3/f.csv", wantErr: `two folders give the partition column "a" a value`},
	}
	for _, tt := range tests {
		t.Run(tt.rel, func(t *testing.T) {
			got, err := Parse(tt.rel)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	kvs := []KV{{Col: "a", Value: "1"}, {Col: "b", Null: true}}
	if kv, ok := Lookup(kvs, "b"); !ok || !kv.Null {
		t.Errorf("Lookup(b) = %+v, %v", kv, ok)
	}
	if _, ok := Lookup(kvs, "c"); ok {
		t.Error("Lookup(c) found a column")
	}
}

func FuzzEscapeRoundTrip(f *testing.F) {
	for _, s := range []string{"", "DE", "a/b", "%41", "__HIVE_DEFAULT_PARTITION__", "日本", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if strings.ContainsAny(e, "/=") {
			t.Fatalf("Escape(%q) = %q holds / or =", s, e)
		}
		if got := Unescape(e); got != s {
			t.Fatalf("Unescape(Escape(%q)) = %q", s, got)
		}
		// Parse never panics on any path.
		Parse(s)
		Parse(s + "/f")
	})
}

func BenchmarkAppendSegment(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 64)
	value := []byte("a/b:c")
	for b.Loop() {
		buf = AppendSegment(buf[:0], "country", value)
	}
}
