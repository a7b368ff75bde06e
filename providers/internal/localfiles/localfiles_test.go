package localfiles

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatchRel(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"lake/t/country=DE/year=2024/part-00000.parquet",
		"lake/t/country=FR/year=2024/part-00000.parquet",
		"lake/t/_SUCCESS",
		"lake/t/.hidden/x.parquet",
		"lake/t/_temporary/x.parquet",
		"single.parquet",
	} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type file struct{ Name, Rel string }
	tests := []struct {
		path string
		want []file
	}{
		{"lake/t", []file{
			{"lake/t/country=DE/year=2024/part-00000.parquet", "country=DE/year=2024/part-00000.parquet"},
			{"lake/t/country=FR/year=2024/part-00000.parquet", "country=FR/year=2024/part-00000.parquet"},
		}},
		{"lake/t/", []file{
			{"lake/t/country=DE/year=2024/part-00000.parquet", "country=DE/year=2024/part-00000.parquet"},
			{"lake/t/country=FR/year=2024/part-00000.parquet", "country=FR/year=2024/part-00000.parquet"},
		}},
		// A folder inside the partitions is its own root: no partitions.
		{"lake/t/country=DE", []file{
			{"lake/t/country=DE/year=2024/part-00000.parquet", "year=2024/part-00000.parquet"},
		}},
		// A glob's root is the folder before its first wildcard.
		{"lake/t/country=*/year=2024/*.parquet", []file{
			{"lake/t/country=DE/year=2024/part-00000.parquet", "country=DE/year=2024/part-00000.parquet"},
			{"lake/t/country=FR/year=2024/part-00000.parquet", "country=FR/year=2024/part-00000.parquet"},
		}},
		{"lake/t/*", []file{
			{"lake/t/country=DE/year=2024/part-00000.parquet", "country=DE/year=2024/part-00000.parquet"},
			{"lake/t/country=FR/year=2024/part-00000.parquet", "country=FR/year=2024/part-00000.parquet"},
		}},
		{"lake/t/country=F?", []file{
			{"lake/t/country=FR/year=2024/part-00000.parquet", "country=FR/year=2024/part-00000.parquet"},
		}},
		{"lake/t/country=DE/year=2024/part-00000.parquet", []file{
			{"lake/t/country=DE/year=2024/part-00000.parquet", "part-00000.parquet"},
		}},
		{"single.parquet", []file{{"single.parquet", "single.parquet"}}},
		{filepath.Join(root, "lake/t/country=DE"), []file{
			{"lake/t/country=DE/year=2024/part-00000.parquet", "year=2024/part-00000.parquet"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			files, err := Match(root, tt.path, ".parquet")
			if err != nil {
				t.Fatal(err)
			}
			var got []file
			for _, f := range files {
				got = append(got, file{filepath.ToSlash(f.Name), f.Rel})
				if f.Path != filepath.Join(root, filepath.FromSlash(f.Name)) {
					t.Errorf("Path %s, Name %s", f.Path, f.Name)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
