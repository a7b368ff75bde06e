package objects

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordingOpener serves data and records each request as "off+n".
type recordingOpener struct {
	data []byte
	mu   sync.Mutex
	reqs []string
}

func (o *recordingOpener) open(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	o.mu.Lock()
	o.reqs = append(o.reqs, fmt.Sprintf("%d+%d", off, n))
	o.mu.Unlock()
	end := min(off+n, int64(len(o.data)))
	return io.NopCloser(bytes.NewReader(o.data[off:end])), nil
}

func TestCoalesce(t *testing.T) {
	data := make([]byte, 10_000)
	for i := range data {
		data[i] = byte(i % 251)
	}
	c := Coalescing{MaxGap: 100, MaxBuffer: 1000}
	// read is one ReadAt of a section.
	type read struct {
		section int
		off, n  int64
		wantN   int
		wantErr error
	}
	tests := []struct {
		name   string
		ranges []Range
		reads  []read
		want   []string
	}{
		{
			name:   "a range alone streams in one request, read in pieces",
			ranges: []Range{{Off: 0, Len: 3000}},
			reads:  []read{{0, 0, 1000, 1000, nil}, {0, 1000, 1000, 1000, nil}, {0, 2000, 1000, 1000, nil}},
			want:   []string{"0+3000"},
		},
		{
			name:   "neighbours share a request, read into memory",
			ranges: []Range{{Off: 500, Len: 100}, {Off: 0, Len: 400}, {Off: 650, Len: 50}},
			reads:  []read{{0, 500, 100, 100, nil}, {1, 0, 400, 400, nil}, {2, 650, 50, 50, nil}},
			want:   []string{"0+700"},
		},
		{
			name:   "a gap over MaxGap, or a group over MaxBuffer, splits",
			ranges: []Range{{Off: 0, Len: 100}, {Off: 300, Len: 100}, {Off: 400, Len: 901}},
			reads:  []read{{0, 0, 100, 100, nil}, {1, 300, 100, 100, nil}, {2, 400, 901, 901, nil}},
			want:   []string{"0+100", "300+100", "400+901"},
		},
		{
			name:   "a small skip forward continues the stream, a jump back starts another",
			ranges: []Range{{Off: 1000, Len: 2000}},
			reads:  []read{{0, 1000, 10, 10, nil}, {0, 1050, 10, 10, nil}, {0, 1500, 10, 10, nil}, {0, 1200, 10, 10, nil}},
			want:   []string{"1000+2000", "1500+1500", "1200+1800"},
		},
		{
			name:   "a read outside the range is a request of its own",
			ranges: []Range{{Off: 1000, Len: 100}, {Off: 1100, Len: 100}},
			reads:  []read{{0, 900, 200, 200, nil}, {1, 5000, 10, 10, nil}},
			want:   []string{"900+200", "5000+10"},
		},
		{
			name:   "reads past the object's end stop at it",
			ranges: []Range{{Off: 9_900, Len: 200}},
			reads:  []read{{0, 9_900, 200, 100, io.EOF}},
			want:   []string{"9900+200"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &recordingOpener{data: data}
			secs := Coalesce(context.Background(), o.open, tt.ranges, c)
			for _, r := range tt.reads {
				p := make([]byte, r.n)
				n, err := secs[r.section].ReadAt(p, r.off)
				if n != r.wantN || err != r.wantErr {
					t.Fatalf("ReadAt(%d bytes at %d) of section %d = %d, %v; want %d, %v", r.n, r.off, r.section, n, err, r.wantN, r.wantErr)
				}
				if !bytes.Equal(p[:n], data[r.off:r.off+int64(n)]) {
					t.Fatalf("ReadAt(%d bytes at %d) of section %d read other bytes", r.n, r.off, r.section)
				}
			}
			for _, s := range secs {
				s.Close()
			}
			if diff := cmp.Diff(tt.want, o.reqs); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if _, err := secs[0].ReadAt(make([]byte, 1), tt.ranges[0].Off); err != errClosed {
				t.Errorf("read after close: %v", err)
			}
		})
	}
}

func TestEach(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[int]bool{}
	err := Each(ctx, 100, func(i int) error {
		mu.Lock()
		seen[i] = true
		mu.Unlock()
		if i == 40 || i == 70 {
			return fmt.Errorf("file %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "file 40" {
		t.Errorf("error %v, want the first in order (file 40)", err)
	}
	for i := range 41 {
		if !seen[i] {
			t.Errorf("file %d was not read", i)
		}
	}
	if err := Each(ctx, 3, func(int) error { return nil }); err != nil {
		t.Error(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := Each(cancelled, 3, func(int) error { return nil }); err != context.Canceled {
		t.Errorf("cancelled: %v", err)
	}
}
