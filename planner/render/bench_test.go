package render

import (
	"io"
	"testing"
)

// The benchmarks render a 1,000-product plan (every action, breaking
// changes, downstream products, refusals, warnings), the size the planner
// must handle in under a second.

func BenchmarkText(b *testing.B) {
	p := manyProducts(1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := Text(io.Discard, p, TextOptions{Color: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarkdown(b *testing.B) {
	p := manyProducts(1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := Markdown(io.Discard, p, MarkdownOptions{Marker: testMarker}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSON(b *testing.B) {
	p := manyProducts(1000)
	b.ReportAllocs()
	for b.Loop() {
		if err := JSON(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}
