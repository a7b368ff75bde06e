package hive

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

func TestColumns(t *testing.T) {
	files := func(rels ...string) []localfiles.File {
		var out []localfiles.File
		for _, r := range rels {
			out = append(out, localfiles.File{Path: "/lake/" + r, Name: "lake/" + r, Rel: r})
		}
		return out
	}
	tests := []struct {
		name    string
		files   []localfiles.File
		want    types.Schema
		wantErr string
	}{
		{name: "no partitions", files: files("a.parquet", "b.parquet")},
		{name: "plain subfolders", files: files("2023/a.csv", "2024/a.csv")},
		{
			name:  "types from values",
			files: files("country=DE/year=2024/day=2024-01-31/ok=true/f", "country=FR/year=2023/day=2024-02-01/ok=FALSE/f"),
			want: types.Schema{
				{Name: "country", Type: types.StringType},
				{Name: "year", Type: types.Int64Type},
				{Name: "day", Type: types.DateType},
				{Name: "ok", Type: types.BoolType},
			},
		},
		{
			name:  "widening as in CSV inference",
			files: files("n=1/d=2024-01-31/f", "n=1.5/d=2024-01-31T10%3A00%3A00Z/f", "n=2/d=2024-02-01/f"),
			want: types.Schema{
				{Name: "n", Type: types.Float64Type},
				{Name: "d", Type: types.TimestampType},
			},
		},
		{
			name:  "nullable when a folder is null",
			files: files("a=__HIVE_DEFAULT_PARTITION__/b=1/f", "a=x/b=2/f"),
			want: types.Schema{
				{Name: "a", Type: types.StringType, Nullable: true},
				{Name: "b", Type: types.Int64Type},
			},
		},
		{
			name:  "only nulls is a string",
			files: files("a=__HIVE_DEFAULT_PARTITION__/f"),
			want:  types.Schema{{Name: "a", Type: types.StringType, Nullable: true}},
		},
		{
			name:  "mixed values are strings",
			files: files("a=1/f", "a=x/f"),
			want:  types.Schema{{Name: "a", Type: types.StringType}},
		},
		{
			name:  "escaped names and values",
			files: files("c%3D1=2024-01-31T10%3A00%3A00Z/f"),
			want:  types.Schema{{Name: "c=1", Type: types.TimestampType}},
		},
		{
			name:    "a file outside the folders",
			files:   files("a=1/f", "f"),
			wantErr: `the partition folders of lake/a=1/f name "a", those of lake/f name no column: all files of a source must lie in folders for the same partition columns, in the same order`,
		},
		{
			name:    "another order",
			files:   files("a=1/b=2/f", "b=2/a=1/f"),
			wantErr: `the partition folders of lake/a=1/b=2/f name "a", "b", those of lake/b=2/a=1/f name "b", "a": all files of a source must lie in folders for the same partition columns, in the same order`,
		},
		{
			name:    "a malformed folder",
			files:   files("a=1/f", "a=/f"),
			wantErr: `lake/a=/f: the folder "a=" has no value after its "=" (a null partition value is written __HIVE_DEFAULT_PARTITION__)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Columns(tt.files)
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
