package postgres

import (
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
)

// binaryNumeric encodes text as PostgreSQL's binary numeric, through pgx.
func binaryNumeric(t *testing.T, text string) []byte {
	t.Helper()
	var n pgtype.Numeric
	if err := n.Scan(text); err != nil {
		t.Fatalf("scan %q: %v", text, err)
	}
	raw, err := pgtype.NewMap().Encode(pgtype.NumericOID, pgtype.BinaryFormatCode, n, nil)
	if err != nil {
		t.Fatalf("encode %q: %v", text, err)
	}
	return raw
}

func TestNumericUnscaled(t *testing.T) {
	for _, tc := range []struct {
		in           string
		precision    int
		scale        int
		want         string // the decimal, or "overflow"
		wantTextForm string // appendText's output, when not in
	}{
		{"0", 5, 2, "0.00", ""},
		{"12.345", 5, 2, "12.35", ""},
		{"-12.345", 5, 2, "-12.35", ""},
		{"12.344999", 5, 2, "12.34", ""},
		{"0.005", 3, 2, "0.01", ""},
		{"-0.005", 3, 2, "-0.01", ""},
		{"0.004999", 3, 2, "0.00", ""},
		{"0.00005", 3, 2, "0.00", ""},
		{"0.5", 1, 0, "1", ""},
		{"9.5", 1, 0, "overflow", ""},
		{"999.994", 5, 2, "999.99", ""},
		{"999.995", 5, 2, "overflow", ""},
		{"100000000000000000000", 21, 0, "100000000000000000000", ""},
		{"100000000000000000000", 20, 0, "overflow", ""},
		{"1000000000000000000000000000000", 38, 2, "1000000000000000000000000000000.00", ""},
		{"1000000000000000000000000000000", 38, 8, "overflow", ""},
		{"-0.00000", 3, 2, "0.00", "0.00000"},
		{"12345678901234567890123456789.123456789", 38, 9, "12345678901234567890123456789.123456789", ""},
		{"-99999999999999999999999999999999999999", 38, 0, "-99999999999999999999999999999999999999", ""},
		{"123456789012345678901234567890123456789", 38, 0, "overflow", ""},
		{"1234.5678", 18, 8, "1234.56780000", ""},
		{"0.0001", 10, 4, "0.0001", ""},
		{"10000.0001", 10, 4, "10000.0001", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			n, ok := parseNumeric(binaryNumeric(t, tc.in))
			if !ok {
				t.Fatal("parseNumeric failed")
			}
			text := tc.wantTextForm
			if text == "" {
				text = tc.in
			}
			if got := string(n.appendText(nil)); got != text {
				t.Errorf("appendText = %s, want %s", got, text)
			}
			x, ok := n.unscaled(tc.scale, limitOf(tc.precision))
			got := "overflow"
			if ok {
				got = x.Format(tc.scale)
			}
			if got != tc.want {
				t.Errorf("unscaled(%d) in decimal(%d,%d) = %s, want %s", tc.scale, tc.precision, tc.scale, got, tc.want)
			}
		})
	}
	if _, ok := parseNumeric([]byte{0, 2, 0, 0, 0, 0, 0, 0, 0, 1}); ok {
		t.Error("parseNumeric accepted a value shorter than its digit count")
	}
}
