package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/meshctl/meshctl/planner/lakeio"
	"github.com/meshctl/meshctl/providers/s3"
	"github.com/meshctl/meshctl/providers/s3/s3test"
)

var ctx = context.Background()

// recorder is the HTTP transport of the clients under test: it records
// every request's method, path, query and headers, and lets a test answer
// or fail requests in S3's place.
type recorder struct {
	base http.RoundTripper

	mu   sync.Mutex
	reqs []request
	// hook, when set, sees each request first; a response or an error it
	// returns replaces the round trip.
	hook func(*http.Request) (*http.Response, error)
}

// request is one recorded request.
type request struct {
	Method, Path, Query string
	Header              http.Header
}

func newRecorder() *recorder {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &recorder{base: tr}
}

func (rc *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()})
	hook := rc.hook
	rc.mu.Unlock()
	if hook != nil {
		if resp, err := hook(r); resp != nil || err != nil {
			if r.Body != nil {
				r.Body.Close()
			}
			return resp, err
		}
	}
	return rc.base.RoundTrip(r)
}

func (rc *recorder) setHook(h func(*http.Request) (*http.Response, error)) {
	rc.mu.Lock()
	rc.hook = h
	rc.mu.Unlock()
}

// requests returns what was recorded, and forgets it.
func (rc *recorder) requests() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	r := rc.reqs
	rc.reqs = nil
	return r
}

// s3Error is an S3 error response, for hooks.
func s3Error(r *http.Request, status int, code string) *http.Response {
	body := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>refused by the test</Message></Error>"
	return &http.Response{
		StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:  http.Header{"Content-Type": {"application/xml"}},
		Body:    io.NopCloser(strings.NewReader(body)),
		Request: r, ContentLength: int64(len(body)),
	}
}

// newLake returns a lake on srv whose requests go through rec (when not
// nil), staging under a fresh folder unless mod says otherwise.
func newLake(t testing.TB, srv *s3test.Server, rec *recorder, mod func(*s3.LakeOptions)) *s3.Lake {
	t.Helper()
	o := s3.LakeOptions{S3: s3.Options{Endpoint: srv.URL}, StagingRoot: filepath.Join(t.TempDir(), "staging")}
	if rec != nil {
		o.S3.HTTPClient = &http.Client{Transport: rec}
	}
	if mod != nil {
		mod(&o)
	}
	l, err := s3.NewLake(o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// stage stages version id of the output at path with files (path →
// contents) and returns its manifest, not published. Files below
// _quarantine/ are staged but not listed, as apply does.
func stage(t testing.TB, l *s3.Lake, path, id string, files map[string][]byte) *lakeio.Manifest {
	t.Helper()
	dir, err := l.Stage(ctx, path, id)
	if err != nil {
		t.Fatal(err)
	}
	m := &lakeio.Manifest{
		FormatVersion:  lakeio.ManifestFormatVersion,
		Product:        "product.orders",
		VersionID:      id,
		MeshctlVersion: "test",
		CreatedAt:      time.Date(2026, 11, 25, 16, 15, 0, 0, time.UTC),
		Format:         "parquet",
		Schema:         []lakeio.Column{{Name: "id", Type: "int64"}},
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "_quarantine/") {
			continue
		}
		m.Files = append(m.Files, lakeio.File{Path: name, Rows: 1, Bytes: int64(len(files[name])), SHA256: sha(files[name])})
		m.Rows++
	}
	return m
}

// publish stages and publishes version id with files.
func publish(t testing.TB, l *s3.Lake, path, id string, files map[string][]byte) *lakeio.Manifest {
	t.Helper()
	m := stage(t, l, path, id, files)
	if err := l.Publish(ctx, path, m); err != nil {
		t.Fatal(err)
	}
	return m
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// randomBytes returns n bytes that do not compress, the same for a seed.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = r.Read(b)
	return b
}

// keys lists the keys under prefix, sorted, relative to it.
func keys(t testing.TB, srv *s3test.Server, prefix string) []string {
	t.Helper()
	var out []string
	p := awss3.NewListObjectsV2Paginator(srv.Client, &awss3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			out = append(out, strings.TrimPrefix(aws.ToString(o.Key), prefix))
		}
	}
	return out
}

// get returns an object's content.
func get(t testing.TB, srv *s3test.Server, key string) []byte {
	t.Helper()
	out, err := srv.Client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// put stores an object.
func put(t testing.TB, srv *s3test.Server, key string, data []byte, meta map[string]string) {
	t.Helper()
	_, err := srv.Client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key), Body: bytes.NewReader(data), Metadata: meta})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// uploadsInProgress lists the keys of the multipart uploads in progress
// under prefix.
func uploadsInProgress(t testing.TB, srv *s3test.Server, prefix string) []string {
	t.Helper()
	out, err := srv.Client.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String(srv.Bucket), Prefix: aws.String(prefix)})
	if err != nil {
		if strings.Contains(err.Error(), "NoSuchUpload") {
			return nil // gofakes3: the bucket never had one
		}
		t.Fatal(err)
	}
	var ks []string
	for _, u := range out.Uploads {
		ks = append(ks, aws.ToString(u.Key))
	}
	return ks
}
