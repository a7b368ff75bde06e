package s3

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Location
		wantErr bool
	}{
		{in: "s3://lake/sales/orders/", want: Location{Bucket: "lake", Prefix: "sales/orders/"}},
		{in: "s3://lake", want: Location{Bucket: "lake"}},
		{in: "s3:///x", wantErr: true},
		{in: "lake/x", wantErr: true},
	} {
		got, err := Parse(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v", tc.in, got, err)
		}
	}
	if got := (Location{Bucket: "b", Prefix: "p/"}).String(); got != "s3://b/p/" {
		t.Errorf("String = %q", got)
	}
}
