package parquet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	pq "github.com/parquet-go/parquet-go"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

// field is one top-level field of a test file, in the order it is written.
type field struct {
	name string
	node pq.Node
}

// orderedGroup is a root node whose fields keep the order they are given
// in: parquet.Group sorts its fields by name, and the tests need files whose
// columns are not in alphabetical order.
type orderedGroup struct {
	pq.Group
	fields []pq.Field
}

func (g orderedGroup) Fields() []pq.Field { return g.fields }

type namedField struct {
	pq.Node
	name string
}

func (f namedField) Name() string { return f.name }

func (f namedField) Value(base reflect.Value) reflect.Value {
	return base.MapIndex(reflect.ValueOf(f.name))
}

// writeFile writes a Parquet file without rows whose schema has fields, in
// their order, and returns its path.
func writeFile(t *testing.T, path string, fields ...field) string {
	t.Helper()
	g := orderedGroup{Group: pq.Group{}}
	for _, f := range fields {
		g.fields = append(g.fields, namedField{Node: f.node, name: f.name})
	}
	var buf bytes.Buffer
	w := pq.NewWriter(&buf, pq.NewSchema("test", g))
	if err := w.Close(); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	writeBytes(t, path, buf.Bytes())
	return path
}

func writeBytes(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readSchema(t *testing.T, dir, path string) (*sourceschema.Result, error) {
	t.Helper()
	r := SchemaReader{Dir: dir}
	return r.ReadSchema(context.Background(), &ir.Source{Kind: ir.SourceParquet, Name: "src", Path: path})
}

func col(name string, t types.Type, nullable bool) types.Column {
	return types.Column{Name: name, Type: t, Nullable: nullable}
}

func TestReadSchemaTypes(t *testing.T) {
	tests := []struct {
		name   string
		fields []field
		want   *sourceschema.Result
	}{
		{
			name: "physical types without annotation",
			fields: []field{
				{"b", pq.Leaf(pq.BooleanType)},
				{"i32", pq.Leaf(pq.Int32Type)},
				{"i64", pq.Leaf(pq.Int64Type)},
				{"f", pq.Leaf(pq.FloatType)},
				{"d", pq.Leaf(pq.DoubleType)},
				{"bytes", pq.Leaf(pq.ByteArrayType)},
				{"legacy_ts", pq.Leaf(pq.Int96Type)},
			},
			want: &sourceschema.Result{Columns: types.Schema{
				col("b", types.BoolType, false),
				col("i32", types.Int32Type, false),
				col("i64", types.Int64Type, false),
				col("f", types.Float64Type, false),
				col("d", types.Float64Type, false),
				col("bytes", types.StringType, false),
				col("legacy_ts", types.TimestampType, false),
			}},
		},
		{
			name: "integer annotations",
			fields: []field{
				{"i8", pq.Int(8)},
				{"i16", pq.Int(16)},
				{"i32", pq.Int(32)},
				{"i64", pq.Int(64)},
				{"u8", pq.Uint(8)},
				{"u16", pq.Uint(16)},
				{"u32", pq.Uint(32)},
			},
			want: &sourceschema.Result{Columns: types.Schema{
				col("i8", types.Int32Type, false),
				col("i16", types.Int32Type, false),
				col("i32", types.Int32Type, false),
				col("i64", types.Int64Type, false),
				col("u8", types.Int32Type, false),
				col("u16", types.Int32Type, false),
				col("u32", types.Int64Type, false),
			}},
		},
		{
			name: "temporal annotations",
			fields: []field{
				{"day", pq.Date()},
				{"ms", pq.Timestamp(pq.Millisecond)},
				{"us", pq.Timestamp(pq.Microsecond)},
				{"ns", pq.Timestamp(pq.Nanosecond)},
				{"local", pq.TimestampAdjusted(pq.Microsecond, false)},
			},
			want: &sourceschema.Result{Columns: types.Schema{
				col("day", types.DateType, false),
				col("ms", types.TimestampType, false),
				col("us", types.TimestampType, false),
				col("ns", types.TimestampType, false),
				col("local", types.TimestampType, false),
			}},
		},
		{
			name: "strings and decimals",
			fields: []field{
				{"s", pq.String()},
				{"e", pq.Enum()},
				{"j", pq.JSON()},
				{"d32", pq.Decimal(2, 9, pq.Int32Type)},
				{"d64", pq.Decimal(2, 18, pq.Int64Type)},
				{"dfixed", pq.Decimal(4, 38, pq.FixedLenByteArrayType(16))},
				{"dbytes", pq.Decimal(3, 20, pq.ByteArrayType)},
			},
			want: &sourceschema.Result{Columns: types.Schema{
				col("s", types.StringType, false),
				col("e", types.StringType, false),
				col("j", types.StringType, false),
				col("d32", types.DecimalType(9, 2), false),
				col("d64", types.DecimalType(18, 2), false),
				col("dfixed", types.DecimalType(38, 4), false),
				col("dbytes", types.DecimalType(20, 3), false),
			}},
		},
		{
			name: "optional columns are nullable",
			fields: []field{
				{"id", pq.Required(pq.Int(64))},
				{"name", pq.Optional(pq.String())},
				{"amount", pq.Optional(pq.Decimal(2, 18, pq.Int64Type))},
				{"at", pq.Optional(pq.Timestamp(pq.Microsecond))},
			},
			want: &sourceschema.Result{Columns: types.Schema{
				col("id", types.Int64Type, false),
				col("name", types.StringType, true),
				col("amount", types.DecimalType(18, 2), true),
				col("at", types.TimestampType, true),
			}},
		},
		{
			name: "nested, repeated and unsupported columns are left out with a note",
			fields: []field{
				{"id", pq.Int(64)},
				{"tags", pq.List(pq.String())},
				{"attrs", pq.Map(pq.String(), pq.String())},
				{"address", pq.Group{"street": pq.String(), "city": pq.String()}},
				{"scores", pq.Repeated(pq.Leaf(pq.Int32Type))},
				{"big", pq.Uint(64)},
				{"clock", pq.Time(pq.Millisecond)},
				{"uid", pq.UUID()},
				{"huge", pq.Decimal(2, 40, pq.FixedLenByteArrayType(17))},
				{"raw", pq.Leaf(pq.FixedLenByteArrayType(4))},
				{"doc", pq.BSON()},
				{"name", pq.Optional(pq.String())},
			},
			want: &sourceschema.Result{
				Columns: types.Schema{
					col("id", types.Int64Type, false),
					col("name", types.StringType, true),
				},
				Notes: []string{
					`column "tags" is a LIST, which meshctl does not read yet; it is left out`,
					`column "attrs" is a MAP, which meshctl does not read yet; it is left out`,
					`column "address" is a struct (a group of fields), which meshctl does not read yet; it is left out`,
					`column "scores" is a repeated field, which meshctl does not read yet; it is left out`,
					`column "big" is UINT64 (its values may not fit in int64), which meshctl does not read yet; it is left out`,
					`column "clock" is TIME(isAdjustedToUTC=true,unit=MILLIS), which meshctl does not read yet; it is left out`,
					`column "uid" is UUID, which meshctl does not read yet; it is left out`,
					`column "huge" is DECIMAL(40,2), wider than the 38 digits meshctl's decimals hold, which meshctl does not read yet; it is left out`,
					`column "raw" is FIXED_LEN_BYTE_ARRAY(4) without a logical type, which meshctl does not read yet; it is left out`,
					`column "doc" is BSON, which meshctl does not read yet; it is left out`,
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "t.parquet"), tt.fields...)
			got, err := readSchema(t, dir, "t.parquet")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadSchemaKeepsFileOrder writes real rows through a struct, whose
// fields parquet-go keeps in declaration order, unlike parquet.Group.
func TestReadSchemaKeepsFileOrder(t *testing.T) {
	type row struct {
		Z int64   `parquet:"z"`
		A *string `parquet:"a,optional"`
		M float64 `parquet:"m"`
	}
	var buf bytes.Buffer
	w := pq.NewGenericWriter[row](&buf, pq.MaxRowsPerRowGroup(2))
	name := "x"
	if _, err := w.Write([]row{{Z: 1, A: &name, M: 1.5}, {Z: 2}, {Z: 3, M: 3}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeBytes(t, filepath.Join(dir, "data", "zam.parquet"), buf.Bytes())

	got, err := readSchema(t, dir, filepath.Join(dir, "data", "zam.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	want := &sourceschema.Result{Columns: types.Schema{
		col("z", types.Int64Type, false),
		col("a", types.StringType, true),
		col("m", types.Float64Type, false),
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schema (-want +got):\n%s", diff)
	}
}

// workspace builds a tree of Parquet files with the same schema, plus files
// that a directory source must skip: those are garbage, so reading one
// fails the test.
func workspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	fields := []field{{"id", pq.Int(64)}, {"amount", pq.Optional(pq.Decimal(2, 18, pq.Int64Type))}}
	for _, p := range []string{
		"data/orders/part-1.parquet",
		"data/orders/part-0.parquet",
		"data/orders/2024/part-2.PARQUET",
		"data/single.parquet",
	} {
		writeFile(t, filepath.Join(dir, p), fields...)
	}
	for _, p := range []string{
		"data/orders/_SUCCESS",
		"data/orders/.part-0.parquet.crc",
		"data/orders/.hidden.parquet",
		"data/orders/_temporary/part-9.parquet",
		"data/orders/.cache/part-9.parquet",
		"data/orders/README.md",
	} {
		writeBytes(t, filepath.Join(dir, p), []byte("not parquet"))
	}
	return dir
}

func TestMatchFiles(t *testing.T) {
	dir := workspace(t)
	tests := []struct {
		path string
		want []string
	}{
		{"data/single.parquet", []string{"data/single.parquet"}},
		{filepath.Join(dir, "data/single.parquet"), []string{"data/single.parquet"}},
		{"data/orders", []string{"data/orders/2024/part-2.PARQUET", "data/orders/part-0.parquet", "data/orders/part-1.parquet"}},
		{"data/orders/", []string{"data/orders/2024/part-2.PARQUET", "data/orders/part-0.parquet", "data/orders/part-1.parquet"}},
		{"data/orders/part-*.parquet", []string{"data/orders/part-0.parquet", "data/orders/part-1.parquet"}},
		{"data/orders/*", []string{"data/orders/2024/part-2.PARQUET", "data/orders/README.md", "data/orders/part-0.parquet", "data/orders/part-1.parquet"}},
		{"data/*/part-?.parquet", []string{"data/orders/part-0.parquet", "data/orders/part-1.parquet"}},
		// A file named explicitly is read whatever its name.
		{"data/orders/_SUCCESS", []string{"data/orders/_SUCCESS"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			files, err := localfiles.Match(dir, tt.path, ".parquet")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range files {
				got = append(got, filepath.ToSlash(f.Name))
				if f.Path != filepath.Join(dir, f.Name) {
					t.Errorf("path %s does not match name %s", f.Path, f.Name)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadSchemaSeveralFiles(t *testing.T) {
	want := &sourceschema.Result{Columns: types.Schema{
		col("id", types.Int64Type, false),
		col("amount", types.DecimalType(18, 2), true),
	}}
	dir := workspace(t)
	for _, path := range []string{"data/orders", "data/orders/part-*.parquet", filepath.Join(dir, "data/orders")} {
		t.Run(path, func(t *testing.T) {
			got, err := readSchema(t, dir, path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("nullable in any file, order and notes of the first", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "d/a.parquet"),
			field{"id", pq.Int(64)}, field{"tags", pq.List(pq.String())}, field{"name", pq.String()})
		writeFile(t, filepath.Join(dir, "d/b.parquet"),
			field{"name", pq.Optional(pq.String())}, field{"id", pq.Int(64)}, field{"tags", pq.List(pq.String())})
		got, err := readSchema(t, dir, "d")
		if err != nil {
			t.Fatal(err)
		}
		want := &sourceschema.Result{
			Columns: types.Schema{col("id", types.Int64Type, false), col("name", types.StringType, true)},
			Notes:   []string{`column "tags" is a LIST, which meshctl does not read yet; it is left out`},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("schema (-want +got):\n%s", diff)
		}
	})
}

func TestReadSchemaErrors(t *testing.T) {
	valid := func(t *testing.T) []byte {
		t.Helper()
		p := writeFile(t, filepath.Join(t.TempDir(), "v.parquet"), field{"id", pq.Int(64)}, field{"s", pq.Optional(pq.String())})
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		path  string
		// want are texts the message must contain; "$DIR" stands for the
		// workspace root.
		want []string
	}{
		{
			name: "missing file",
			path: "data/missing.parquet",
			want: []string{`"data/missing.parquet"`, "$DIR/data/missing.parquet"},
		},
		{
			name:  "directory without parquet files",
			setup: func(t *testing.T, dir string) { writeBytes(t, filepath.Join(dir, "data/_SUCCESS"), nil) },
			path:  "data",
			want:  []string{`no .parquet files in "data"`, "$DIR/data"},
		},
		{
			name: "glob without matches",
			path: "data/orders-*.parquet",
			want: []string{`no files match "data/orders-*.parquet"`, "$DIR/data/orders-*.parquet"},
		},
		{
			name: "malformed glob",
			path: "data/[.parquet",
			want: []string{`"data/[.parquet" is not a valid glob pattern`},
		},
		{
			name: "s3",
			path: "s3://acme-lake/orders/",
			want: []string{"reading s3:// sources is not supported yet"},
		},
		{
			name: "other scheme",
			path: "gs://acme-lake/orders/",
			want: []string{"reading gs:// sources is not supported"},
		},
		{
			name: "garbage",
			setup: func(t *testing.T, dir string) {
				writeBytes(t, filepath.Join(dir, "x.parquet"), []byte("id,name\n1,ann\n2,bob\n"))
			},
			path: "x.parquet",
			want: []string{"x.parquet is not a Parquet file"},
		},
		{
			name:  "empty file",
			setup: func(t *testing.T, dir string) { writeBytes(t, filepath.Join(dir, "x.parquet"), nil) },
			path:  "x.parquet",
			want:  []string{"x.parquet is not a Parquet file"},
		},
		{
			name: "cut short",
			setup: func(t *testing.T, dir string) {
				b := valid(t)
				writeBytes(t, filepath.Join(dir, "x.parquet"), b[:len(b)-10])
			},
			path: "x.parquet",
			want: []string{"x.parquet is not a valid Parquet file"},
		},
		{
			name: "footer longer than the file",
			setup: func(t *testing.T, dir string) {
				b := valid(t)
				copy(b[len(b)-8:], []byte{0xff, 0xff, 0xff, 0x7f})
				writeBytes(t, filepath.Join(dir, "x.parquet"), b)
			},
			path: "x.parquet",
			want: []string{"x.parquet is not a valid Parquet file", "more than the file holds"},
		},
		{
			name: "garbage footer between valid magic bytes",
			setup: func(t *testing.T, dir string) {
				b := []byte("PAR1")
				b = append(b, bytes.Repeat([]byte{0x99, 0x15, 0x02}, 40)...)
				b = append(b, 120, 0, 0, 0)
				b = append(b, "PAR1"...)
				writeBytes(t, filepath.Join(dir, "x.parquet"), b)
			},
			path: "x.parquet",
			want: []string{"x.parquet is not a valid Parquet file"},
		},
		{
			name: "encrypted",
			setup: func(t *testing.T, dir string) {
				writeBytes(t, filepath.Join(dir, "x.parquet"), []byte("PARE\x00\x00\x00\x00\x04\x00\x00\x00PARE"))
			},
			path: "x.parquet",
			want: []string{"x.parquet is an encrypted Parquet file"},
		},
		{
			name: "garbage in a directory",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "d/a.parquet"), field{"id", pq.Int(64)})
				writeBytes(t, filepath.Join(dir, "d/b.parquet"), bytes.Repeat([]byte{0}, 100))
			},
			path: "d",
			want: []string{"d/b.parquet is not a Parquet file"},
		},
		{
			name: "column type differs",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "d/a.parquet"), field{"id", pq.Int(64)}, field{"n", pq.Int(32)})
				writeFile(t, filepath.Join(dir, "d/b.parquet"), field{"id", pq.Int(64)}, field{"n", pq.Int(64)})
			},
			path: "d",
			want: []string{`column "n" is int32 in d/a.parquet but int64 in d/b.parquet`},
		},
		{
			name: "column missing from a later file",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "d/a.parquet"), field{"id", pq.Int(64)}, field{"n", pq.Int(32)})
				writeFile(t, filepath.Join(dir, "d/b.parquet"), field{"id", pq.Int(64)})
			},
			path: "d",
			want: []string{`d/a.parquet has a column "n" that d/b.parquet does not have`},
		},
		{
			name: "column only in a later file",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "d/a.parquet"), field{"id", pq.Int(64)})
				writeFile(t, filepath.Join(dir, "d/b.parquet"), field{"id", pq.Int(64)}, field{"extra", pq.String()})
			},
			path: "d",
			want: []string{`d/b.parquet has a column "extra" that d/a.parquet does not have`},
		},
		{
			name: "column read in one file, left out in another",
			setup: func(t *testing.T, dir string) {
				writeFile(t, filepath.Join(dir, "d/a.parquet"), field{"id", pq.Int(64)})
				writeFile(t, filepath.Join(dir, "d/b.parquet"), field{"id", pq.List(pq.Int(64))})
			},
			path: "d",
			want: []string{`d/a.parquet has a column "id" that d/b.parquet does not have`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			got, err := readSchema(t, dir, tt.path)
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

// TestReadSchemaCorruptFooters damages every byte of a valid file's footer
// in turn: each damaged file must give a schema or an error, never a panic.
func TestReadSchemaCorruptFooters(t *testing.T) {
	var buf bytes.Buffer
	root := orderedGroup{Group: pq.Group{}, fields: []pq.Field{
		namedField{pq.Int(64), "id"},
		namedField{pq.List(pq.String()), "tags"},
		namedField{pq.Optional(pq.Decimal(2, 9, pq.FixedLenByteArrayType(4))), "amount"},
	}}
	w := pq.NewWriter(&buf, pq.NewSchema("t", root))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	dir := t.TempDir()
	path := filepath.Join(dir, "x.parquet")
	footer := int(good[len(good)-8]) | int(good[len(good)-7])<<8
	start := len(good) - 8 - footer
	for i := start; i < len(good)-8; i++ {
		for _, b := range []byte{0x00, 0xff, good[i] ^ 0x01} {
			bad := bytes.Clone(good)
			bad[i] = b
			writeBytes(t, path, bad)
			res, err := readSchema(t, dir, "x.parquet")
			if err != nil && !strings.Contains(err.Error(), "x.parquet") {
				t.Errorf("byte %d set to %#x: error %q does not name the file", i, b, err)
			}
			if err == nil && res == nil {
				t.Errorf("byte %d set to %#x: no result and no error", i, b)
			}
		}
	}
}

func TestReadSchemaCancelled(t *testing.T) {
	dir := workspace(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := SchemaReader{Dir: dir}.ReadSchema(ctx, &ir.Source{Kind: ir.SourceParquet, Path: "data/orders"})
	if err != context.Canceled {
		t.Errorf("got %v, want %v", err, context.Canceled)
	}
}

// FuzzReadFooter feeds arbitrary bytes as a Parquet file: the reader must
// return a schema or an error naming the file, never panic. It skips the
// file system, which would make the fuzzer a hundred times slower.
func FuzzReadFooter(f *testing.F) {
	var buf bytes.Buffer
	w := pq.NewWriter(&buf, pq.NewSchema("t", pq.Group{
		"id": pq.Int(64), "name": pq.Optional(pq.String()), "tags": pq.List(pq.String()),
	}))
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("PAR1PAR1"))
	f.Add([]byte("PAR1\x00\x00\x00\x00\x04\x00\x00\x00PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := decodeFooter(bytes.NewReader(data), int64(len(data)), "x.parquet")
		if err != nil && !strings.Contains(err.Error(), "x.parquet") {
			t.Errorf("error %q does not name the file", err)
		}
	})
}
