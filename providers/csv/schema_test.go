package csv

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/objects"
)

// writeFiles writes files (path relative to dir → content) below dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func source(path string, opts ir.CSVOptions) *ir.Source {
	return &ir.Source{Kind: ir.SourceCSV, Name: "src", Path: path, CSV: opts}
}

// columns builds nullable columns from name/type pairs.
func columns(pairs ...any) types.Schema {
	var s types.Schema
	for i := 0; i < len(pairs); i += 2 {
		s = append(s, types.Column{Name: pairs[i].(string), Type: pairs[i+1].(types.Type), Nullable: true})
	}
	return s
}

var header = ir.CSVOptions{Header: true}

func TestReadSchema(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		path   string
		opts   ir.CSVOptions
		sample int
		want   *sourceschema.Result
	}{
		{
			name: "every type, in header order",
			files: map[string]string{"orders.csv": "" +
				"order_id,customer,amount,paid,day,created_at,country\n" +
				"1,ann,10.50,true,2024-01-31,2024-01-31T10:00:00Z,FR\n" +
				"2,bob,7,FALSE,2024-02-01,2024-02-01 09:30:00,\n" +
				"3,,12,,,2024-02-02,DE\n"},
			path: "orders.csv",
			opts: header,
			want: &sourceschema.Result{Columns: columns(
				"order_id", types.Int64Type,
				"customer", types.StringType,
				"amount", types.Float64Type,
				"paid", types.BoolType,
				"day", types.DateType,
				"created_at", types.TimestampType,
				"country", types.StringType,
			)},
		},
		{
			name:  "null value, delimiter, BOM, CRLF and quoted fields",
			files: map[string]string{"d/x.csv": "\uFEFFid;\"label\";score\r\n1;\"a;b\";NA\r\n2;\"multi\nline\";3.5\r\nNA;plain;NA\r\n"},
			path:  "d/x.csv",
			opts:  ir.CSVOptions{Header: true, Delimiter: ';', NullValue: "NA"},
			want: &sourceschema.Result{Columns: columns(
				"id", types.Int64Type,
				"label", types.StringType,
				"score", types.Float64Type,
			)},
		},
		{
			name:  "tab delimiter and names kept exactly",
			files: map[string]string{"t.csv": "Order ID\tnet amount \n1\t2\n"},
			path:  "t.csv",
			opts:  ir.CSVOptions{Header: true, Delimiter: '\t'},
			want: &sourceschema.Result{Columns: columns(
				"Order ID", types.Int64Type,
				"net amount ", types.Int64Type,
			)},
		},
		{
			name:  "a column null in every sampled row is a string",
			files: map[string]string{"n.csv": "id,comment\n1,\n2,\n"},
			path:  "n.csv",
			opts:  header,
			want: &sourceschema.Result{
				Columns: columns("id", types.Int64Type, "comment", types.StringType),
				Notes:   []string{`column "comment" is null in all 2 sampled rows, so it is read as string`},
			},
		},
		{
			name:  "header only",
			files: map[string]string{"h.csv": "id,name\n"},
			path:  "h.csv",
			opts:  header,
			want: &sourceschema.Result{
				Columns: columns("id", types.StringType, "name", types.StringType),
				Notes:   []string{"the source has no data rows to infer column types from, so every column is read as string"},
			},
		},
		{
			name:   "only the sample decides",
			files:  map[string]string{"s.csv": "id\n1\n2\nthree\n"},
			path:   "s.csv",
			opts:   header,
			sample: 2,
			want:   &sourceschema.Result{Columns: columns("id", types.Int64Type)},
		},
		{
			name: "the sample runs over the files of a directory in path order",
			files: map[string]string{
				"d/b/1.csv":    "id,v\n3,2.5\n",
				"d/a.csv":      "id,v\n1,1\n2,2\n",
				"d/_tmp.csv":   "garbage\n",
				"d/.x.csv":     "garbage\n",
				"d/readme.txt": "garbage\n",
			},
			path: "d",
			opts: header,
			want: &sourceschema.Result{Columns: columns("id", types.Int64Type, "v", types.Float64Type)},
		},
		{
			name: "a full sample stops before later files",
			files: map[string]string{
				"d/b/1.csv": "id,v\n3,2.5\n",
				"d/a.csv":   "id,v\n1,1\n2,2\n",
			},
			path:   "d",
			opts:   header,
			sample: 2,
			want:   &sourceschema.Result{Columns: columns("id", types.Int64Type, "v", types.Int64Type)},
		},
		{
			name: "glob",
			files: map[string]string{
				"data/orders-1.csv": "id\n1\n",
				"data/orders-2.csv": "id\nx\n",
				"data/other.csv":    "other\n",
			},
			path: "data/orders-*.csv",
			opts: header,
			want: &sourceschema.Result{Columns: columns("id", types.StringType)},
		},
		{
			name:  "rows with the wrong number of fields are left out when the run skips them",
			files: map[string]string{"bad.csv": "id,n\n1,2\n3\nx,4,5\n"},
			path:  "bad.csv",
			opts:  ir.CSVOptions{Header: true, OnError: "skip"},
			want:  &sourceschema.Result{Columns: columns("id", types.Int64Type, "n", types.Int64Type)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			r := SchemaReader{Dir: dir, SampleRows: tt.sample}
			got, err := r.ReadSchema(context.Background(), source(tt.path, tt.opts))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadSchemaAbsolutePath(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": "a\n1\n"})
	got, err := SchemaReader{Dir: "/nonexistent"}.ReadSchema(context.Background(), source(filepath.Join(dir, "x.csv"), header))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&sourceschema.Result{Columns: columns("a", types.Int64Type)}, got); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
}

func TestReadSchemaErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		path  string
		opts  ir.CSVOptions
		// want are texts the message must contain; "$DIR" stands for the
		// workspace root.
		want []string
	}{
		{
			name:  "no header",
			files: map[string]string{"x.csv": "1,2\n"},
			path:  "x.csv",
			opts:  ir.CSVOptions{},
			want:  []string{"without a header line", "schema block with infer = false"},
		},
		{
			name: "bad delimiter",
			path: "x.csv",
			opts: ir.CSVOptions{Header: true, Delimiter: '"'},
			want: []string{`'"' cannot be a CSV delimiter`},
		},
		{
			name: "missing file",
			path: "data/x.csv",
			opts: header,
			want: []string{`"data/x.csv"`, "$DIR/data/x.csv"},
		},
		{
			name:  "directory without CSV files",
			files: map[string]string{"d/x.txt": "a\n"},
			path:  "d",
			opts:  header,
			want:  []string{`no .csv files in "d"`, "$DIR/d"},
		},
		{
			name: "glob without matches",
			path: "data/*.csv",
			opts: header,
			want: []string{`no files match "data/*.csv"`, "$DIR/data/*.csv"},
		},
		{
			name: "s3",
			path: "s3://bucket/orders/",
			opts: header,
			want: []string{"reading s3:// sources is not supported yet"},
		},
		{
			name:  "empty file",
			files: map[string]string{"d/x.csv": ""},
			path:  "d/x.csv",
			opts:  header,
			want:  []string{"d/x.csv is empty"},
		},
		{
			name:  "empty column name",
			files: map[string]string{"x.csv": "id,,name\n1,2,3\n"},
			path:  "x.csv",
			opts:  header,
			want:  []string{"x.csv: column 2 of the header has no name"},
		},
		{
			name:  "blank column name",
			files: map[string]string{"x.csv": "id,name,  \n"},
			path:  "x.csv",
			opts:  header,
			want:  []string{"x.csv: column 3 of the header has no name"},
		},
		{
			name:  "duplicate column name",
			files: map[string]string{"x.csv": "id,name,id\n"},
			path:  "x.csv",
			opts:  header,
			want:  []string{`x.csv: columns 1 and 3 of the header are both named "id"`},
		},
		{
			name:  "too few fields",
			files: map[string]string{"d/x.csv": "id,name,amount\n1,ann,3\n\n2,bob\n"},
			path:  "d/x.csv",
			opts:  header,
			want:  []string{"d/x.csv, line 4: the row has 2 fields but the header has 3"},
		},
		{
			name:  "too many fields after a multi-line field",
			files: map[string]string{"x.csv": "id,note\n1,\"a\nb\"\n2,c,d\n"},
			path:  "x.csv",
			opts:  ir.CSVOptions{Header: true, OnError: "fail"},
			want:  []string{"x.csv, line 4: the row has 3 fields but the header has 2"},
		},
		{
			name:  "bare quote",
			files: map[string]string{"x.csv": "id,note\n1,a\"b\n"},
			path:  "x.csv",
			opts:  header,
			want:  []string{"x.csv: parse error on line 2"},
		},
		{
			name: "different headers",
			files: map[string]string{
				"d/a.csv":   "id,name\n1,x\n",
				"d/b/c.csv": "id,label\n2,y\n",
			},
			path: "d",
			opts: header,
			want: []string{`d/a.csv and d/b/c.csv have different headers, "id,name" and "id,label"`},
		},
		{
			name: "different column order",
			files: map[string]string{
				"d/a.csv": "id,name\n",
				"d/b.csv": "name,id\n",
			},
			path: "d",
			opts: header,
			want: []string{"d/a.csv and d/b.csv have different headers"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			got, err := SchemaReader{Dir: dir}.ReadSchema(context.Background(), source(tt.path, tt.opts))
			if err == nil {
				t.Fatalf("got %+v, want an error", got)
			}
			msg := filepath.ToSlash(err.Error())
			for _, w := range tt.want {
				w = strings.ReplaceAll(w, "$DIR", filepath.ToSlash(dir))
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

func TestReadSchemaCancelled(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x.csv": "a\n1\n"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (SchemaReader{Dir: dir}).ReadSchema(ctx, source("x.csv", header)); err != context.Canceled {
		t.Errorf("got %v, want %v", err, context.Canceled)
	}
}

// FuzzCSVSchema reads arbitrary bytes as one CSV file with a header: the
// reader must return a well-formed schema or an error naming the file, and
// never panic. It feeds the bytes to the code ReadSchema runs on each file
// once opened, because writing a file per input would make the fuzzer
// a hundred times slower; TestReadSchema covers the opening.
func FuzzCSVSchema(f *testing.F) {
	for _, seed := range []string{
		"id,name,amount\n1,ann,1.5\n2,,\n",
		"\uFEFFa;b\r\n\"x;y\";2024-01-01\r\n",
		"a,b\n1\n",
		"a,a\n",
		",\n",
		"a\n\"unterminated\n",
		"ts\n2024-01-31T10:00:00Z\n2024-01-31 10:00:00.5\n",
		"b,i,f\nTRUE,-1,1e3\nNA,+2,NaN\n",
		"",
	} {
		f.Add([]byte(seed), uint8(0))
	}
	f.Add([]byte("a\tb\n1\t2\n"), uint8(2))
	delimiters := []rune{',', ';', '\t', '|'}
	file := objects.File{Path: "x.csv", Name: "x.csv"}
	f.Fuzz(func(t *testing.T, data []byte, delim uint8) {
		opts := ir.CSVOptions{Header: true, Delimiter: delimiters[int(delim)%len(delimiters)], NullValue: "NA"}
		s, err := newSampler(opts, 50)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.read(context.Background(), bytes.NewReader(data), file); err != nil {
			if !strings.Contains(err.Error(), "x.csv") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		res := s.result()
		if len(res.Columns) == 0 {
			t.Fatal("no columns and no error")
		}
		seen := map[string]bool{}
		for _, c := range res.Columns {
			if strings.TrimSpace(c.Name) == "" || seen[c.Name] || !c.Nullable || !c.Type.IsValid() {
				t.Errorf("bad column %+v in %v", c, res.Columns)
			}
			seen[c.Name] = true
		}
	})
}
