package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/meshctl/meshctl/providers/internal/objects"
)

// chunkCoalescing groups the column chunks a Parquet morsel reads: neighbours
// less than 32 KiB apart share a request (a gap costs less than another
// request's latency), up to 8 MiB per shared request, which is read into
// memory; a larger chunk is streamed on its own.
var chunkCoalescing = objects.Coalescing{MaxGap: 32 << 10, MaxBuffer: 8 << 20}

// Store reads the objects of sources and product inputs on S3 for the
// file readers (providers/parquet, providers/csv): it implements
// objects.Store over one client. Listings page through ListObjectsV2;
// reads are ranged GETs, checked against the ETag the listing gave, so
// that an object replaced during a scan is an error rather than a mix of
// two versions. It is safe for concurrent use.
type Store struct {
	client *awss3.Client
	// pageSize is the most keys a listing request asks for: 0 leaves it to
	// S3 (1,000). Tests set it small to exercise pagination.
	pageSize int32

	requests, bytes atomic.Int64
}

var _ objects.Store = (*Store)(nil)

// NewStore returns a store that reads through c.
func NewStore(c *awss3.Client) *Store { return &Store{client: c} }

// FetchStats counts a store's requests (listings, HEADs and GETs) and the
// bytes its GETs asked for.
type FetchStats struct {
	Requests, Bytes int64
}

// Stats returns what the store has requested so far.
func (s *Store) Stats() FetchStats {
	return FetchStats{Requests: s.requests.Load(), Bytes: s.bytes.Load()}
}

// Match implements objects.Store for s3://bucket/prefix paths, with the
// rules of objects.MatchBucket: s3://lake/sales/orders/ (or without the
// final slash, when no object has that key) is every object below the
// prefix, a published output read through its _manifest.json; a glob
// such as s3://lake/raw/2025-*/*.csv matches keys segment by segment.
func (s *Store) Match(ctx context.Context, path, ext string) ([]objects.File, error) {
	loc, err := Parse(path)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(loc.Bucket, "*?[") {
		return nil, fmt.Errorf("%q: a bucket name cannot hold wildcards; put them after s3://bucket/", path)
	}
	return objects.MatchBucket(ctx, objectBucket{s: s, name: loc.Bucket}, path, loc.Prefix, ext)
}

// Open implements objects.Store. A file whose size the listing did not
// give costs a HEAD request. The object's ReadAt runs under ctx.
func (s *Store) Open(ctx context.Context, f objects.File) (objects.Object, error) {
	loc, err := Parse(f.Path)
	if err != nil {
		return nil, err
	}
	o := &s3Object{s: s, ctx: ctx, bucket: loc.Bucket, key: loc.Prefix, url: f.Path, size: f.Size, etag: f.ETag}
	if o.size < 0 {
		e, err := (objectBucket{s: s, name: loc.Bucket}).Stat(ctx, loc.Prefix)
		if err != nil {
			return nil, err
		}
		o.size, o.etag = e.Size, e.ETag
	}
	return o, nil
}

// Stores hands out a Store per S3 endpoint, each client created on first
// use with NewClient (the standard AWS chain; path-style addressing for a
// custom endpoint), so that every scan and schema read of a command
// shares one. It implements objects.S3; its zero value is ready, and it is
// safe for concurrent use.
type Stores struct {
	mu     sync.Mutex
	stores map[string]*Store
}

var _ objects.S3 = (*Stores)(nil)

// Store returns the store of endpoint ("" for the one the environment
// names, or AWS's).
func (s *Stores) Store(ctx context.Context, endpoint string) (objects.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st := s.stores[endpoint]; st != nil {
		return st, nil
	}
	c, err := NewClient(ctx, Options{Endpoint: endpoint})
	if err != nil {
		return nil, err
	}
	if s.stores == nil {
		s.stores = make(map[string]*Store)
	}
	st := NewStore(c)
	s.stores[endpoint] = st
	return st, nil
}

// objectBucket is one bucket as objects.MatchBucket lists it.
type objectBucket struct {
	s    *Store
	name string
}

func (b objectBucket) URL(key string) string { return "s3://" + b.name + "/" + key }

func (b objectBucket) Stat(ctx context.Context, key string) (objects.Entry, error) {
	b.s.requests.Add(1)
	out, err := b.s.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(b.name), Key: aws.String(key)})
	if err != nil {
		if notFoundError(err) {
			return objects.Entry{}, notExistError(b.URL(key) + " does not exist")
		}
		return objects.Entry{}, fmt.Errorf("head %s: %w", b.URL(key), err)
	}
	return objects.Entry{Key: key, Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag), ModTime: aws.ToTime(out.LastModified)}, nil
}

func (b objectBucket) List(ctx context.Context, prefix string) ([]objects.Entry, error) {
	in := &awss3.ListObjectsV2Input{Bucket: aws.String(b.name), Prefix: aws.String(prefix)}
	if b.s.pageSize > 0 {
		in.MaxKeys = aws.Int32(b.s.pageSize)
	}
	var out []objects.Entry
	pages := awss3.NewListObjectsV2Paginator(b.s.client, in)
	for pages.HasMorePages() {
		b.s.requests.Add(1)
		page, err := pages.NextPage(ctx)
		if err != nil {
			if storeErrorCode(err) == "NoSuchBucket" {
				return nil, notExistError(fmt.Sprintf("the bucket %q does not exist", b.name))
			}
			return nil, fmt.Errorf("list %s: %w", b.URL(prefix), err)
		}
		for _, o := range page.Contents {
			out = append(out, objects.Entry{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag), ModTime: aws.ToTime(o.LastModified)})
		}
	}
	return out, nil
}

func (b objectBucket) ReadAll(ctx context.Context, key string) ([]byte, error) {
	b.s.requests.Add(1)
	out, err := b.s.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b.name), Key: aws.String(key)})
	if err != nil {
		if notFoundError(err) {
			return nil, notExistError(b.URL(key) + " does not exist")
		}
		return nil, fmt.Errorf("get %s: %w", b.URL(key), err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	b.s.bytes.Add(int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", b.URL(key), err)
	}
	return data, nil
}

// s3Object is an opened S3 object: every read is a ranged GET.
type s3Object struct {
	s   *Store
	ctx context.Context // of Open, for ReadAt
	bucket, key,
	url, etag string
	size int64
}

func (o *s3Object) Size() int64 { return o.size }

// ReadAt is one GET of the bytes asked for (clipped to the object).
func (o *s3Object) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read %s: negative offset %d", o.url, off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if off >= o.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), o.size-off)
	rc, err := o.NewReader(o.ctx, off, n)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	k, err := io.ReadFull(rc, p[:n])
	if err != nil {
		return k, err
	}
	if n < int64(len(p)) {
		return k, io.EOF
	}
	return k, nil
}

// NewReader is one GET with a Range header.
func (o *s3Object) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	if off < 0 || n < 0 {
		return nil, fmt.Errorf("read %s: invalid range of %d bytes at %d", o.url, n, off)
	}
	n = min(n, o.size-off)
	if n <= 0 {
		return io.NopCloser(strings.NewReader("")), nil
	}
	o.s.requests.Add(1)
	o.s.bytes.Add(n)
	out, err := o.s.client.GetObject(ctx, &awss3.GetObjectInput{
		Bucket: aws.String(o.bucket),
		Key:    aws.String(o.key),
		Range:  aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1)),
	})
	if err != nil {
		if notFoundError(err) {
			return nil, fmt.Errorf("read %s: the object no longer exists", o.url)
		}
		return nil, fmt.Errorf("read %s: %w", o.url, err)
	}
	if got := aws.ToString(out.ETag); o.etag != "" && got != "" && got != o.etag {
		out.Body.Close()
		return nil, fmt.Errorf("read %s: the object changed while it was read (ETag %s, listed as %s)", o.url, got, o.etag)
	}
	return &objectBody{rc: out.Body, url: o.url}, nil
}

func (o *s3Object) Sections(ctx context.Context, ranges []objects.Range) ([]objects.Section, error) {
	return objects.Coalesce(ctx, o.NewReader, ranges, chunkCoalescing), nil
}

// Close has nothing to release: every request's body is closed by its
// reader.
func (o *s3Object) Close() error { return nil }

// objectBody is a GET's body whose errors name the object.
type objectBody struct {
	rc  io.ReadCloser
	url string
}

func (b *objectBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read %s: %w", b.url, err)
	}
	return n, err
}

func (b *objectBody) Close() error { return b.rc.Close() }

// notExistError is an error that satisfies errors.Is(err, fs.ErrNotExist)
// with a message of its own.
type notExistError string

func (e notExistError) Error() string        { return string(e) }
func (e notExistError) Is(target error) bool { return target == fs.ErrNotExist }

// notFoundError reports whether err says that a key or its bucket does not
// exist (HEAD's NotFound, GET's NoSuchKey or NoSuchBucket).
func notFoundError(err error) bool {
	switch storeErrorCode(err) {
	case "NotFound", "NoSuchKey", "NoSuchBucket":
		return true
	}
	return false
}

// storeErrorCode returns the S3 error code of err ("NoSuchKey"), if any.
func storeErrorCode(err error) string {
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}
