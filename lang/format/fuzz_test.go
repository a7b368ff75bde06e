package format

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSource checks, for any bytes: Source does not panic; it returns
// output or error diagnostics, never both; output has the same meaning as
// the input; and formatting the output again changes nothing.
func FuzzSource(f *testing.F) {
	inputs, err := filepath.Glob(filepath.Join(fixtures, "*.in.hcl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, s := range []string{
		"",
		"a = 1",
		"x {\n\n}\n",
		"a = [\n\n1,\n\n]\n",
		"a = \"${\n\nb}\"\n",
		"a = <<EOT\n${<<X\ny\nX\n}\nEOT\n",
		"/* a \n\n b */ x = 1\n",
		"a = 1 - -1\n",
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, src []byte) {
		out, diags := Source("fuzz.mesh.hcl", src)
		if diags.HasErrors() {
			if out != nil {
				t.Fatalf("output %q alongside errors %v", out, diags.Err())
			}
			// Refusing input that parses is allowed only where layout would
			// change meaning; output that fails to parse is a bug.
			for _, d := range diags {
				if d.Summary == "Formatting failed" {
					t.Fatalf("%v\ninput: %q", d, src)
				}
			}
			return
		}
		if d := equivalenceDiff(t, src, out); d != "" {
			t.Fatalf("meaning changed (-in +out):\n%s\ninput:  %q\noutput: %q", d, src, out)
		}
		again, diags := Source("fuzz.mesh.hcl", out)
		if diags.HasErrors() {
			t.Fatalf("output does not format again: %v\ninput:  %q\noutput: %q", diags.Err(), src, out)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not idempotent\ninput:  %q\nonce:   %q\ntwice:  %q", src, out, again)
		}
	})
}
