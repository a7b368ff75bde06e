package apply

import (
	"testing"
	"time"
)

func TestVersionID(t *testing.T) {
	base := time.Date(2026, 11, 25, 16, 15, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{base, "20261125T151500Z-000000"},
		{base.Add(123456 * time.Microsecond), "20261125T151500Z-01e240"},
		{base.Add(time.Second - time.Microsecond), "20261125T151500Z-0f423f"},
		{base.Add(time.Second), "20261125T151501Z-000000"},
	} {
		if got := versionID(tc.at); got != tc.want {
			t.Errorf("versionID(%s) = %s, want %s", tc.at, got, tc.want)
		}
	}
	// Ids sort by time in byte order, within a second too.
	prev := ""
	for us := 0; us < 2_000_000; us += 7919 {
		id := versionID(base.Add(time.Duration(us) * time.Microsecond))
		if id <= prev {
			t.Fatalf("%s sorts before %s", id, prev)
		}
		prev = id
	}
}

func TestVersionPath(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"lake/orders/", "lake/orders/_versions/v1"},
		{"lake/orders", "lake/orders/_versions/v1"},
		{"/abs/lake/", "/abs/lake/_versions/v1"},
		{"s3://bucket/prefix/", "s3://bucket/prefix/_versions/v1"},
	} {
		if got := versionPath(tc.path, "v1"); got != tc.want {
			t.Errorf("versionPath(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
