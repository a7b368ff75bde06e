package objects

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
)

// Opener streams the bytes [off, off+n) of an object under ctx, in one
// request; the stream ends early only at the object's end.
type Opener func(ctx context.Context, off, n int64) (io.ReadCloser, error)

// Coalescing says how Coalesce groups ranges into requests.
type Coalescing struct {
	// MaxGap is the most bytes between two neighbouring ranges that are
	// fetched in one request (the gap is read and dropped), and the most
	// a stream skips forward rather than starting another request.
	MaxGap int64
	// MaxBuffer is the most bytes a request serving several ranges
	// fetches: such a request is read into memory whole, since its ranges
	// are read in turns. A range alone in its request is streamed as it is
	// read, whatever its length.
	MaxBuffer int64
}

// Coalesce returns the sections of a remote object (see Object.Sections):
// ranges sorted by offset are grouped while they lie at most MaxGap
// apart and the group spans at most MaxBuffer bytes. A group of several
// ranges is fetched whole into memory on the first read of any of them;
// a range alone is one request streamed from the offset first read, and
// continued as long as reads follow each other. A read outside its
// section's range (or group) is a request of its own. Nothing is
// requested before a section is read.
func Coalesce(ctx context.Context, open Opener, ranges []Range, c Coalescing) []Section {
	out := make([]Section, len(ranges))
	order := make([]int, len(ranges))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmpInt64(ranges[a].Off, ranges[b].Off)
	})
	for start := 0; start < len(order); {
		first := ranges[order[start]]
		span := first
		end := start + 1
		for ; end < len(order); end++ {
			r := ranges[order[end]]
			groupEnd := max(span.End(), r.End())
			if r.Off > span.End()+c.MaxGap || groupEnd-span.Off > c.MaxBuffer {
				break
			}
			span.Len = groupEnd - span.Off
		}
		if end-start == 1 {
			out[order[start]] = &streamSection{ctx: ctx, open: open, r: first, maxGap: c.MaxGap}
		} else {
			g := &group{ctx: ctx, open: open, r: span}
			g.refs.Store(int32(end - start))
			for _, i := range order[start:end] {
				out[i] = &groupSection{g: g}
			}
		}
		start = end
	}
	return out
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// streamSection streams one range: sequential reads continue one
// request.
type streamSection struct {
	ctx    context.Context
	open   Opener
	r      Range
	maxGap int64

	rc     io.ReadCloser
	pos    int64 // offset of rc's next byte
	closed bool
}

func (s *streamSection) ReadAt(p []byte, off int64) (int, error) {
	if s.closed {
		return 0, errClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	if off < s.r.Off || off+int64(len(p)) > s.r.End() {
		return readOnce(s.ctx, s.open, p, off)
	}
	if s.rc != nil && off != s.pos {
		if off > s.pos && off-s.pos <= s.maxGap {
			k, err := io.CopyN(io.Discard, s.rc, off-s.pos)
			s.pos += k
			if err != nil {
				s.drop()
			}
		} else {
			s.drop()
		}
	}
	if s.rc == nil {
		rc, err := s.open(s.ctx, off, s.r.End()-off)
		if err != nil {
			return 0, err
		}
		s.rc, s.pos = rc, off
	}
	n, err := io.ReadFull(s.rc, p)
	s.pos += int64(n)
	if err != nil {
		s.drop()
		return n, atEnd(err)
	}
	return n, nil
}

// drop abandons the stream; the next read starts another.
func (s *streamSection) drop() {
	if s.rc != nil {
		s.rc.Close()
		s.rc = nil
	}
}

func (s *streamSection) Close() error {
	s.drop()
	s.closed = true
	return nil
}

// group is several ranges fetched in one request, read into memory on
// first use.
type group struct {
	ctx  context.Context
	open Opener
	r    Range

	once sync.Once
	buf  *[]byte
	data []byte // shorter than r.Len only at the object's end
	err  error
	// refs counts the sections not yet closed: the last one returns the
	// buffer to the pool.
	refs atomic.Int32
}

func (g *group) load() error {
	g.once.Do(func() {
		rc, err := g.open(g.ctx, g.r.Off, g.r.Len)
		if err != nil {
			g.err = err
			return
		}
		defer rc.Close()
		g.buf = getBuffer(int(g.r.Len))
		n, err := io.ReadFull(rc, *g.buf)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			g.err = err
			return
		}
		g.data = (*g.buf)[:n]
	})
	return g.err
}

// release returns the group's buffer once its last section is closed.
// Readers copy what they read (parquet-go copies each page), so nothing
// refers to the buffer then.
func (g *group) release() {
	if g.refs.Add(-1) != 0 {
		return
	}
	// Whatever load did, it is done: the section closing last has
	// returned from its reads.
	if g.buf != nil {
		buffers.Put(g.buf)
		g.buf, g.data = nil, nil
	}
}

// buffers holds the buffers of groups, which are up to MaxBuffer bytes
// each and allocated for every morsel otherwise.
var buffers sync.Pool // of *[]byte

// getBuffer returns a buffer of n bytes from the pool.
func getBuffer(n int) *[]byte {
	if b, ok := buffers.Get().(*[]byte); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n)
	return &b
}

// groupSection is one range of a group.
type groupSection struct {
	g      *group
	closed bool
}

func (s *groupSection) ReadAt(p []byte, off int64) (int, error) {
	if s.closed {
		return 0, errClosed
	}
	g := s.g
	if off < g.r.Off || off+int64(len(p)) > g.r.End() {
		return readOnce(g.ctx, g.open, p, off)
	}
	if err := g.load(); err != nil {
		return 0, err
	}
	if off-g.r.Off >= int64(len(g.data)) {
		return 0, io.EOF
	}
	n := copy(p, g.data[off-g.r.Off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (s *groupSection) Close() error {
	if !s.closed {
		s.closed = true
		s.g.release()
	}
	return nil
}

// readOnce fills p from off with a request of its own.
func readOnce(ctx context.Context, open Opener, p []byte, off int64) (int, error) {
	rc, err := open(ctx, off, int64(len(p)))
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, p)
	return n, atEnd(err)
}

// atEnd turns a stream that ended early into io.ReaderAt's io.EOF.
func atEnd(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return io.EOF
	}
	return err
}
