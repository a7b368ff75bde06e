package lake

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFingerprint fingerprints an output of 200 partition files,
// published (one manifest read) and as a plain folder (a walk and a stat
// per file): planning calls it once per input.
func BenchmarkFingerprint(b *testing.B) {
	root := b.TempDir()
	l := New(root)
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("country=%03d/part-00000.parquet", i)] = "PAR1"
	}
	publish(b, l, "published", "20261125T161500Z-abcd", files)
	for name, data := range files {
		p := filepath.Join(root, "plain", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, path := range []string{"published", "plain"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Fingerprint(ctx, path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
