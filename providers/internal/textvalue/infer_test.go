package textvalue

import (
	"testing"

	"github.com/meshctl/meshctl/lang/types"
)

func TestGuessType(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   types.Type
	}{
		{"no values", nil, types.StringType},
		{"bool in any case", []string{"true", "FALSE", "True"}, types.BoolType},
		{"yes is not a bool", []string{"true", "yes"}, types.StringType},
		{"integers", []string{"1", "-2", "+3", "007", "0"}, types.Int64Type},
		{"int64 bounds", []string{"9223372036854775807", "-9223372036854775808"}, types.Int64Type},
		{"beyond int64 is a float", []string{"1", "9223372036854775808"}, types.Float64Type},
		{"integers and decimals", []string{"1", "2.5"}, types.Float64Type},
		{"float spellings", []string{"1e3", "-0.5", ".5", "5.", "1E-7"}, types.Float64Type},
		{"hex float is not a number", []string{"0x1p-2"}, types.StringType},
		{"hex integer is not a number", []string{"0x10"}, types.StringType},
		{"underscores are not numbers", []string{"1_000", "1_000.5"}, types.StringType},
		{"spaces are not numbers", []string{" 1"}, types.StringType},
		{"NaN is text", []string{"1.5", "NaN"}, types.StringType},
		{"Inf is text", []string{"1", "Inf"}, types.StringType},
		{"infinity is text", []string{"-infinity"}, types.StringType},
		{"out of float64 range is text", []string{"1e400"}, types.StringType},
		{"bool and integer", []string{"true", "1"}, types.StringType},
		{"dates", []string{"2024-01-31", "2024-02-29", "0001-01-01"}, types.DateType},
		{"not a day", []string{"2023-02-29"}, types.StringType},
		{"short date", []string{"2024-1-5"}, types.StringType},
		{"date then integer", []string{"2024-01-01", "1"}, types.StringType},
		{"dates and timestamps", []string{"2024-01-31", "2024-01-31T10:00:00Z"}, types.TimestampType},
		{"timestamp spellings", []string{
			"2024-01-31T10:00:00Z",
			"2024-01-31T10:00:00.123+02:00",
			"2024-01-31T10:00:00",
			"2024-01-31T10:00:00.123456789",
			"2024-01-31 10:00:00",
			"2024-01-31 10:00:00.123456",
		}, types.TimestampType},
		{"timestamp then date", []string{"2024-01-31 10:00:00", "2024-02-01"}, types.TimestampType},
		{"not an hour", []string{"2024-01-31 25:00:00"}, types.StringType},
		{"space form with a zone", []string{"2024-01-31 10:00:00+02:00"}, types.StringType},
		{"text", []string{"ann", "bob"}, types.StringType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var g Guess
			for _, v := range tt.values {
				g.Observe(v)
			}
			if got := g.Type(); got != tt.want {
				t.Errorf("type of %q is %s, want %s", tt.values, got, tt.want)
			}
		})
	}
}
