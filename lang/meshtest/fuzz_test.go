package meshtest

import (
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds arbitrary test files and CSV fixtures to the decoder: it
// must report problems as diagnostics, never panic, and keep every range
// inside the file it names.
func FuzzLoad(f *testing.F) {
	f.Add(goodTests, "customer_id,amount\n1,2.5\n")
	f.Add("test \"a\" {\n  product = product.p\n  given \"x\" { csv = \"fixtures/orders.csv\" }\n  expect { rows = [{ a = 1 }] }\n}\n", "a,\"b\nc\",d\n1,2\n")
	f.Add("policy_test \"p\" {\n  product = <<EOT\nEOT\n}\n", "\ufeffa\n\"\"\n")
	f.Fuzz(func(t *testing.T, src, fixture string) {
		fsys := fstest.MapFS{
			"tests/t.meshtest.hcl":      {Data: []byte(src)},
			"tests/fixtures/orders.csv": {Data: []byte(fixture)},
		}
		s, diags := Load(fsys, Options{})
		for _, d := range diags {
			if d.Subject == nil {
				continue
			}
			file, ok := s.Files[d.Subject.Filename]
			if !ok {
				t.Fatalf("diagnostic about an unknown file %q: %s", d.Subject.Filename, d.Summary)
			}
			if d.Subject.Start.Byte < 0 || d.Subject.End.Byte > len(file) || d.Subject.Start.Byte > d.Subject.End.Byte {
				t.Fatalf("range %v outside %s (%d bytes): %s", d.Subject, d.Subject.Filename, len(file), d.Summary)
			}
		}
		for _, c := range s.Cases {
			if pt, ok := c.(*PolicyTest); ok && pt.Snippet != nil && len(pt.Snippet.Src) != len(src) {
				t.Fatalf("snippet source is %d bytes, the file %d", len(pt.Snippet.Src), len(src))
			}
		}
	})
}
