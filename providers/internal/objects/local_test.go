package objects

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// fakeS3 records the endpoint it was asked for.
type fakeS3 struct{ endpoint *string }

func (f fakeS3) Store(ctx context.Context, endpoint string) (Store, error) {
	*f.endpoint = endpoint
	return Local{Root: "s3-store"}, nil
}

func TestFor(t *testing.T) {
	ctx := context.Background()
	var endpoint string
	s3 := fakeS3{&endpoint}
	for _, tt := range []struct {
		path string
		s3   S3
		want Store
	}{
		{"data/x.csv", s3, Local{Root: "root"}},
		{"s3://lake/x/", s3, Local{Root: "s3-store"}},
		{"s3://lake/x/", nil, Local{Root: "root"}},
	} {
		got, err := For(ctx, "root", tt.path, "http://minio:9000", tt.s3)
		if err != nil || got != tt.want {
			t.Errorf("For(%s) = %v, %v; want %v", tt.path, got, err, tt.want)
		}
	}
	if endpoint != "http://minio:9000" {
		t.Errorf("the S3 store was asked for endpoint %q", endpoint)
	}
	// Without S3, the local store refuses URLs as it always has.
	_, err := Local{Root: "root"}.Match(ctx, "s3://lake/x/", ".csv")
	if err == nil || err.Error() != "reading s3:// sources is not supported yet" {
		t.Errorf("local match of an s3:// path: %v", err)
	}
}

func TestLocal(t *testing.T) {
	root := t.TempDir()
	data := []byte("0123456789abcdef")
	if err := os.MkdirAll(filepath.Join(root, "d", "k=1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "d", "k=1", "x.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	files, err := Local{Root: root}.Match(ctx, "d", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("files %+v", files)
	}
	f := files[0]
	if f.Name != filepath.Join("d", "k=1", "x.bin") || f.Rel != "k=1/x.bin" || f.Size != 16 || f.ModTime.IsZero() || f.ETag != "" {
		t.Errorf("file %+v", f)
	}
	obj, err := Local{Root: root}.Open(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if obj.Size() != 16 {
		t.Errorf("size %d", obj.Size())
	}
	rc, err := obj.NewReader(ctx, 4, 6)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, data[4:10]) {
		t.Errorf("NewReader read %q", got)
	}
	secs, err := obj.Sections(ctx, []Range{{Off: 2, Len: 3}, {Off: 10, Len: 6}})
	if err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 6)
	if n, err := secs[1].ReadAt(p, 10); n != 6 || err != nil || !bytes.Equal(p, data[10:]) {
		t.Errorf("section read %d, %v, %q", n, err, p)
	}
	for _, s := range secs {
		s.Close()
	}
	// Closing a section leaves the file open.
	if n, err := obj.ReadAt(p[:2], 0); n != 2 || err != nil {
		t.Errorf("ReadAt after closing the sections: %d, %v", n, err)
	}
	if _, err := (Local{Root: root}).Open(ctx, File{Path: filepath.Join(root, "nope")}); !os.IsNotExist(err) {
		t.Errorf("opening a missing file: %v", err)
	}
}
