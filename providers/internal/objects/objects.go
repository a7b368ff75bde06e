package objects

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

// File is one data file (or object) that a source path names.
type File struct {
	// Path is what the store opens: a local path or an s3:// URL.
	Path string
	// Name is how messages name the file: relative to the workspace root
	// for a local file below it, the s3:// URL for an object.
	Name string
	// Rel is the file's path relative to the source's root folder,
	// slash-separated, as localfiles.File.Rel: Hive-style partition
	// folders are read from it.
	Rel string
	// Size is the file's size in bytes, -1 when the listing did not say.
	Size int64
	// ETag is the object's entity tag as listed ("" for local files): the
	// S3 store checks that every range it reads comes from that version of
	// the object.
	ETag string
	// ModTime is when the file was last written, as listed.
	ModTime time.Time
}

// Range is a byte range of an object: Len bytes from Off.
type Range struct {
	Off, Len int64
}

// End is the offset just past the range.
func (r Range) End() int64 { return r.Off + r.Len }

// Section is a reader of one range of an object (see Object.Sections).
// ReadAt takes offsets in the object, not in the range.
type Section interface {
	io.ReaderAt
	io.Closer
}

// Object is an opened file or object. Its methods may be called
// concurrently; readers and sections are each used by one goroutine.
type Object interface {
	// ReadAt reads under the context the object was opened with, for the
	// parsers that need an io.ReaderAt (Parquet footers). On S3 every call
	// is one request: read what is needed once, in large pieces.
	io.ReaderAt
	// Size is the object's size in bytes.
	Size() int64
	// NewReader streams the bytes [off, off+n) under ctx: one request on
	// S3. The caller closes it, and may close it before its end.
	NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error)
	// Sections returns one section per range, in the order given, each to
	// be read mostly from the range's start on (as a Parquet column chunk
	// is read). A remote store fetches each range in one request, or
	// several small neighbouring ones in one; a read outside the range
	// still works, with a request of its own. Requests run under ctx, on
	// the section's first read. The caller closes every section.
	Sections(ctx context.Context, ranges []Range) ([]Section, error)
	// Close releases the object; its readers and sections are closed
	// first.
	Close() error
}

// Store lists and opens the files of sources. Implementations are safe
// for concurrent use.
type Store interface {
	// Match returns the files that path names, sorted by path, with the
	// rules of localfiles.Match: a file (whatever its extension), a folder
	// (every file with extension ext below it; every file when ext is
	// empty), or a glob; a published output stands for the files of its
	// current version. A path that names nothing is an error.
	Match(ctx context.Context, path, ext string) ([]File, error)
	// Open opens a file that Match returned.
	Open(ctx context.Context, f File) (Object, error)
}

// S3 gives the store that reads s3:// paths through an endpoint ("" for
// the one the standard AWS configuration chain names). providers/s3.Stores
// implements it, with one client per endpoint.
type S3 interface {
	Store(ctx context.Context, endpoint string) (Store, error)
}

// IsS3 reports whether path names S3 (s3://bucket/prefix).
func IsS3(path string) bool { return strings.HasPrefix(path, "s3://") }

// For returns the store that reads path: s3's store for endpoint when
// path is an s3:// URL and s3 is set, the local file system below root
// otherwise (which refuses URLs with a message saying so).
func For(ctx context.Context, root, path, endpoint string, s3 S3) (Store, error) {
	if IsS3(path) && s3 != nil {
		return s3.Store(ctx, endpoint)
	}
	return Local{Root: root}, nil
}

// AsLocalFiles returns files as localfiles.File values, for the helpers
// shared with local readers that read only names (hive.Columns).
func AsLocalFiles(files []File) []localfiles.File {
	out := make([]localfiles.File, len(files))
	for i, f := range files {
		out[i] = localfiles.File{Path: f.Path, Name: f.Name, Rel: f.Rel}
	}
	return out
}

// maxParallel bounds how many files Each works on at once: enough to hide
// S3's latency when opening many objects, few enough to stay polite.
const maxParallel = 16

// Each calls fn(i) for every i in [0, n), up to 16 calls at a time, and
// returns the error of the lowest i that failed, or ctx's error. No call
// starts after a failure; since calls start in order, the error returned
// is the first in order whatever the timing, as a loop would report it.
func Each(ctx context.Context, n int, fn func(i int) error) error {
	if n == 1 {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(0)
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed = -1
		first  error
		slots  = make(chan struct{}, maxParallel)
	)
	fail := func(i int, err error) {
		mu.Lock()
		defer mu.Unlock()
		if failed < 0 || i < failed {
			failed, first = i, err
		}
	}
	stopped := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return failed >= 0
	}
	for i := range n {
		slots <- struct{}{}
		if stopped() {
			<-slots
			break
		}
		if err := ctx.Err(); err != nil {
			<-slots
			fail(i, err)
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := fn(i); err != nil {
				fail(i, err)
			}
		})
	}
	wg.Wait()
	return first
}

// errClosed is returned by reads of a closed object or section.
var errClosed = errors.New("read after close")
