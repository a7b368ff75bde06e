// Package textvalue holds the rules by which the file providers read typed
// values from text: which spellings count as bool, int64, float64, date,
// timestamp (and so which type a column of text values is inferred to
// have), and allocation-free parsers that accept exactly those spellings.
//
// It is shared by providers/csv (fields and schema inference) and the
// Hive partition folders of every file format (providers/internal/hive),
// so that a value reads the same whichever of them holds it. It imports
// only lang/types and must not import meshctl's other packages.
package textvalue
