package parquet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/sourceschema"
	"github.com/meshctl/meshctl/lang/types"
	"github.com/meshctl/meshctl/providers/internal/hive"
	"github.com/meshctl/meshctl/providers/internal/objects"
)

// SchemaReader reads the schema of Parquet sources, on the local file
// system or on S3, from their footers. It holds no state besides its
// configuration and is safe for concurrent use.
type SchemaReader struct {
	// Dir is the workspace root, against which a relative source path is
	// resolved; absolute paths are used as they are.
	Dir string
	// S3 reads s3:// sources (providers/s3.Stores), through the source's
	// endpoint; without it they are refused.
	S3 objects.S3
}

var _ sourceschema.Reader = SchemaReader{}

// ReadSchema returns the columns of the Parquet files that src.Path names:
// a file, a directory (every *.parquet file below it), or a glob pattern.
// Only each file's footer is read: on S3, its last 64 KiB and first bytes
// (more when the footer is longer), several files at once.
//
// Columns keep the order in which the file lists them; a column is nullable
// when it is OPTIONAL. Columns whose type meshctl does not read yet (nested
// groups, repeated fields, UINT64, TIME and the like) are left out, each
// with a note. When several files match, they must all have the same
// columns with the same types (their order may differ; the first file's
// is kept), and a column is nullable when it is nullable in any file.
//
// When the files lie in Hive-style partition folders below the folder the
// source names (country=DE/part-00000.parquet), the partition columns
// that the files do not hold come after the files' columns, in folder
// order, typed as hive.Columns infers them from the folders' values.
func (r SchemaReader) ReadSchema(ctx context.Context, src *ir.Source) (*sourceschema.Result, error) {
	store, err := objects.For(ctx, r.Dir, src.Path, src.Endpoint, r.S3)
	if err != nil {
		return nil, err
	}
	files, err := store.Match(ctx, src.Path, ".parquet")
	if err != nil {
		return nil, err
	}
	type footer struct {
		cols  types.Schema
		notes []string
	}
	footers := make([]footer, len(files))
	err = objects.Each(ctx, len(files), func(i int) error {
		cols, notes, err := readFooter(ctx, store, files[i])
		footers[i] = footer{cols, notes}
		return err
	})
	if err != nil {
		return nil, err
	}
	var (
		res   sourceschema.Result
		first objects.File
	)
	for i, f := range files {
		cols, notes := footers[i].cols, footers[i].notes
		for _, n := range notes {
			if !slices.Contains(res.Notes, n) {
				res.Notes = append(res.Notes, n)
			}
		}
		if i == 0 {
			res.Columns, first = cols, f
			continue
		}
		if err := mergeColumns(res.Columns, first, cols, f); err != nil {
			return nil, err
		}
	}
	parts, err := hive.Columns(objects.AsLocalFiles(files))
	if err != nil {
		return nil, err
	}
	for _, c := range parts {
		// A column the files hold is read from them, not from the folders.
		if res.Columns.Index(c.Name) < 0 {
			res.Columns = append(res.Columns, c)
		}
	}
	return &res, nil
}

// mergeColumns checks that the file got holds the same columns as the file
// want, with the same types, and makes a column of want nullable when it is
// nullable in got.
func mergeColumns(want types.Schema, wantFile objects.File, got types.Schema, gotFile objects.File) error {
	for i, w := range want {
		j := got.Index(w.Name)
		if j < 0 {
			return fmt.Errorf("%s has a column %q that %s does not have: all files of a source must have the same columns", wantFile.Name, w.Name, gotFile.Name)
		}
		if g := got[j]; g.Type != w.Type {
			return fmt.Errorf("column %q is %s in %s but %s in %s: all files of a source must have the same column types", w.Name, w.Type, wantFile.Name, g.Type, gotFile.Name)
		}
		want[i].Nullable = w.Nullable || got[j].Nullable
	}
	for _, g := range got {
		if want.Index(g.Name) < 0 {
			return fmt.Errorf("%s has a column %q that %s does not have: all files of a source must have the same columns", gotFile.Name, g.Name, wantFile.Name)
		}
	}
	return nil
}

// readFooter reads the schema in the footer of one Parquet file.
func readFooter(ctx context.Context, store objects.Store, file objects.File) (types.Schema, []string, error) {
	obj, fr, err := openObject(ctx, store, file)
	if err != nil {
		return nil, nil, err
	}
	defer obj.Close()
	return decodeFooter(fr, obj.Size(), file.Name)
}

// decodeFooter reads the schema in the footer of the Parquet file of size
// bytes in r, which name names. A corrupt file is an error naming it, even
// where parquet-go would panic.
func decodeFooter(r io.ReaderAt, size int64, name string) (cols types.Schema, notes []string, err error) {
	if err := checkFrame(r, size, name); err != nil {
		return nil, nil, err
	}
	defer func() {
		if p := recover(); p != nil {
			cols, notes = nil, nil
			err = fmt.Errorf("%s is not a valid Parquet file: %v", name, p)
		}
	}()
	pf, err := pq.OpenFile(r, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a valid Parquet file: %w", name, err)
	}
	cols, notes, err = columnsOf(pf.Metadata().Schema)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a valid Parquet file: %w", name, err)
	}
	return cols, notes, nil
}

// magic is the four bytes that open and close every unencrypted Parquet
// file; "PARE" stands in their place in one with an encrypted footer.
const (
	magic          = "PAR1"
	encryptedMagic = "PARE"
)

// checkFrame checks the bytes that frame a Parquet file — the magic at both
// ends and a footer length that fits in the file — before parquet-go reads
// the footer, so that garbage gives a clear error rather than a large
// allocation or a confusing one.
func checkFrame(r io.ReaderAt, size int64, name string) error {
	const frame = 4 + 4 + 4 // header magic, footer length, footer magic
	if size < frame {
		return fmt.Errorf("%s is not a Parquet file: it is only %d bytes long", name, size)
	}
	var head [4]byte
	var tail [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if string(head[:]) == encryptedMagic || string(tail[4:]) == encryptedMagic {
		return fmt.Errorf("%s is an encrypted Parquet file, which meshctl does not read", name)
	}
	if string(head[:]) != magic {
		return fmt.Errorf("%s is not a Parquet file: it does not start with %q", name, magic)
	}
	if string(tail[4:]) != magic {
		return fmt.Errorf("%s is not a valid Parquet file: it does not end with %q (was it cut short?)", name, magic)
	}
	if footer := int64(binary.LittleEndian.Uint32(tail[:4])); footer > size-frame {
		return fmt.Errorf("%s is not a valid Parquet file: its footer would be %d bytes long, more than the file holds", name, footer)
	}
	return nil
}

// columnsOf maps a Parquet schema, as the footer lists it (depth first,
// root first), to meshctl columns in the same order. Top-level fields that
// meshctl does not read are left out and described in notes.
func columnsOf(elems []format.SchemaElement) (types.Schema, []string, error) {
	if len(elems) == 0 {
		return nil, nil, errors.New("the schema is empty")
	}
	fields := numChildren(&elems[0])
	var (
		cols  types.Schema
		notes []string
	)
	for i, k := 1, 0; k < fields; k++ {
		if i >= len(elems) {
			return nil, nil, fmt.Errorf("the schema has %d fields but lists only %d", fields, k)
		}
		e := &elems[i]
		n, err := subtreeLen(elems, i)
		if err != nil {
			return nil, nil, err
		}
		i += n
		col, why := columnOf(e)
		if why != "" {
			notes = append(notes, fmt.Sprintf("column %q is %s, which meshctl does not read yet; it is left out", e.Name, why))
			continue
		}
		if cols.Index(col.Name) >= 0 {
			return nil, nil, fmt.Errorf("two columns are named %q", col.Name)
		}
		cols = append(cols, col)
	}
	return cols, notes, nil
}

// numChildren returns the number of fields of a group element; leaves have
// none (a leaf is an element with a physical type, as in parquet-go).
func numChildren(e *format.SchemaElement) int {
	if e.Type.Valid || !e.NumChildren.Valid || e.NumChildren.V < 0 {
		return 0
	}
	return int(e.NumChildren.V)
}

// subtreeLen returns how many elements, from elems[i] on, make up the field
// elems[i] with all of its descendants.
func subtreeLen(elems []format.SchemaElement, i int) (int, error) {
	j, pending := i, 1
	for pending > 0 {
		if j >= len(elems) {
			return 0, fmt.Errorf("field %q lists more nested fields than the schema holds", elems[i].Name)
		}
		pending += numChildren(&elems[j]) - 1
		j++
	}
	return j - i, nil
}

// columnOf maps one top-level field to a column. When meshctl cannot read
// the field, why says what it is ("a LIST", "UINT64").
func columnOf(e *format.SchemaElement) (col types.Column, why string) {
	repetition := format.Required
	if e.RepetitionType.Valid {
		repetition = e.RepetitionType.V
	}
	if !e.Type.Valid {
		return col, groupKind(e)
	}
	if repetition == format.Repeated {
		return col, "a repeated field"
	}
	t, why := leafType(e)
	if why != "" {
		return col, why
	}
	return types.Column{Name: e.Name, Type: t, Nullable: repetition == format.Optional}, ""
}

// groupKind describes a group field for a note.
func groupKind(e *format.SchemaElement) string {
	switch e.LogicalType.Value.(type) {
	case *format.ListType:
		return "a LIST"
	case *format.MapType:
		return "a MAP"
	case *format.VariantType:
		return "a VARIANT"
	}
	if e.ConvertedType.Valid {
		switch e.ConvertedType.V {
		case deprecated.List:
			return "a LIST"
		case deprecated.Map, deprecated.MapKeyValue:
			return "a MAP"
		}
	}
	if e.RepetitionType.Valid && e.RepetitionType.V == format.Repeated {
		return "a repeated group"
	}
	return "a struct (a group of fields)"
}

// leafType maps a leaf's physical type and its annotation — the logical
// type, or the converted type that older writers set instead — to a column
// type. When there is none, why describes the leaf's type for a note.
func leafType(e *format.SchemaElement) (t types.Type, why string) {
	physical := e.Type.V
	switch lt := e.LogicalType.Value.(type) {
	case nil:
		// No logical type: fall back on the converted type, below.
	case *format.StringType, *format.EnumType, *format.JsonType:
		return annotated(lt.String(), physical, types.StringType, format.ByteArray)
	case *format.IntType:
		return intType(lt.BitWidth, lt.IsSigned, physical)
	case *format.DateType:
		return annotated("DATE", physical, types.DateType, format.Int32)
	case *format.TimestampType:
		return annotated(lt.String(), physical, types.TimestampType, format.Int64)
	case *format.DecimalType:
		return decimalType(int(lt.Precision), int(lt.Scale), physical)
	case *format.NullType:
		return t, "always null (logical type UNKNOWN)"
	default:
		return t, lt.String()
	}

	if e.ConvertedType.Valid {
		switch ct := e.ConvertedType.V; ct {
		case deprecated.UTF8:
			return annotated("UTF8", physical, types.StringType, format.ByteArray)
		case deprecated.Enum:
			return annotated("ENUM", physical, types.StringType, format.ByteArray)
		case deprecated.Json:
			return annotated("JSON", physical, types.StringType, format.ByteArray)
		case deprecated.Date:
			return annotated("DATE", physical, types.DateType, format.Int32)
		case deprecated.TimestampMillis:
			return annotated("TIMESTAMP_MILLIS", physical, types.TimestampType, format.Int64)
		case deprecated.TimestampMicros:
			return annotated("TIMESTAMP_MICROS", physical, types.TimestampType, format.Int64)
		case deprecated.Int8, deprecated.Int16, deprecated.Int32:
			return intType(int8(8<<(ct-deprecated.Int8)), true, physical)
		case deprecated.Int64:
			return intType(64, true, physical)
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32, deprecated.Uint64:
			return intType(int8(8<<(ct-deprecated.Uint8)), false, physical)
		case deprecated.Decimal:
			if !e.Precision.Valid {
				return t, "DECIMAL without a precision"
			}
			return decimalType(int(e.Precision.V), int(e.Scale.V), physical)
		default:
			return t, convertedName(ct)
		}
	}

	switch physical {
	case format.Boolean:
		return types.BoolType, ""
	case format.Int32:
		return types.Int32Type, ""
	case format.Int64:
		return types.Int64Type, ""
	case format.Int96:
		// The legacy timestamp of Impala, Hive and Spark.
		return types.TimestampType, ""
	case format.Float, format.Double:
		return types.Float64Type, ""
	case format.ByteArray:
		// Many writers leave strings unannotated.
		return types.StringType, ""
	case format.FixedLenByteArray:
		return t, fmt.Sprintf("FIXED_LEN_BYTE_ARRAY(%d) without a logical type", e.TypeLength.V)
	}
	return t, fmt.Sprintf("of the unknown physical type %d", physical)
}

// annotated returns t when the physical type is the one the annotation
// named name requires.
func annotated(name string, physical format.Type, t types.Type, want format.Type) (types.Type, string) {
	if physical != want {
		return types.Type{}, fmt.Sprintf("%s stored as %s", name, physical)
	}
	return t, ""
}

// intType maps an integer annotation: signed integers of up to 32 bits and
// unsigned ones of up to 16 to int32, UINT32 and INT64 to int64. UINT64 has
// no type that holds all its values.
func intType(bits int8, signed bool, physical format.Type) (types.Type, string) {
	name := fmt.Sprintf("INT%d", bits)
	if !signed {
		name = "U" + name
	}
	want, t := format.Int32, types.Int32Type
	switch {
	case bits == 64 && signed:
		want, t = format.Int64, types.Int64Type
	case bits == 64:
		return types.Type{}, "UINT64 (its values may not fit in int64)"
	case bits == 32 && !signed:
		t = types.Int64Type
	case bits != 8 && bits != 16 && bits != 32:
		return types.Type{}, fmt.Sprintf("an integer of %d bits", bits)
	}
	return annotated(name, physical, t, want)
}

// decimalType maps DECIMAL(p,s) to decimal(p,s) when meshctl's decimals
// can hold it.
func decimalType(p, s int, physical format.Type) (types.Type, string) {
	name := fmt.Sprintf("DECIMAL(%d,%d)", p, s)
	switch {
	case p > types.MaxDecimalPrecision:
		return types.Type{}, fmt.Sprintf("%s, wider than the %d digits meshctl's decimals hold", name, types.MaxDecimalPrecision)
	case p < 1 || s < 0 || s > p:
		return types.Type{}, fmt.Sprintf("%s, which is not a valid decimal type", name)
	}
	switch physical {
	case format.Int32, format.Int64, format.FixedLenByteArray, format.ByteArray:
		return types.DecimalType(p, s), ""
	}
	return types.Type{}, fmt.Sprintf("%s stored as %s", name, physical)
}

// convertedName names the converted types that leafType does not map.
func convertedName(ct deprecated.ConvertedType) string {
	switch ct {
	case deprecated.TimeMillis:
		return "TIME_MILLIS"
	case deprecated.TimeMicros:
		return "TIME_MICROS"
	case deprecated.Bson:
		return "BSON"
	case deprecated.Interval:
		return "INTERVAL"
	case deprecated.Map, deprecated.MapKeyValue:
		return "a MAP"
	case deprecated.List:
		return "a LIST"
	}
	return fmt.Sprintf("of the unknown converted type %d", ct)
}
