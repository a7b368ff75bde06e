package render

import "testing"

func TestMdText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"orders_clean", "orders_clean"},
		{"_private_", `\_private\_`},
		{"a|b", `a\|b`},
		{"ask @acme/sales-data", "ask @\u200bacme/sales-data"},
		{"sales@acme.example", "sales@acme.example"},
		{"<script>", `\<script\>`},
		{"`code`", "\\`code\\`"},
		{"*bold* [link](x) ~strike~ $x$ &amp;", `\*bold\* \[link\](x) \~strike\~ \$x\$ \&amp;`},
		{"# heading", `\# heading`},
		{"- item", `\- item`},
		{"1. item", `1\. item`},
		{"a-b 1.5", "a-b 1.5"},
		{"back\\slash", `back\\slash`},
		{"line\nbreak", "line break"},
		{"売上_€", `売上\_€`}, // € is not a word character: escaped to be safe
		{"売上_x", "売上_x"},
	} {
		if got := mdText(tc.in); got != tc.want {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHTMLText(t *testing.T) {
	if got, want := htmlText(`<a href="x">'&'</a>`), "&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;"; got != want {
		t.Errorf("htmlText = %q, want %q", got, want)
	}
}

func TestCodeSpanAndFence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"meshctl show plan.out", "`meshctl show plan.out`"},
		{"a`b", "``a`b``"},
		{"`a`", "`` `a` ``"},
	} {
		if got := codeSpan(tc.in); got != tc.want {
			t.Errorf("codeSpan(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := fenceFor("x ``` y ````` z"); got != "``````" {
		t.Errorf("fenceFor = %q", got)
	}
	if got := fenceFor("plain"); got != "```" {
		t.Errorf("fenceFor = %q", got)
	}
}
