package s3test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/meshctl/meshctl/providers/s3"
)

// Counter counts the requests and response bytes of an S3 client, for
// tests that assert how much a read fetched.
type Counter struct {
	inner    awss3.HTTPClient
	Requests atomic.Int64
	Bytes    atomic.Int64
}

// Do implements awss3.HTTPClient.
func (c *Counter) Do(r *http.Request) (*http.Response, error) {
	c.Requests.Add(1)
	resp, err := c.inner.Do(r)
	if err == nil && resp.Body != nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.Bytes}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// CountedStore returns a read store over the server whose traffic is
// counted.
func (s *Server) CountedStore() (*s3.Store, *Counter) {
	opts := s.Client.Options()
	counter := &Counter{inner: opts.HTTPClient}
	return s3.NewStore(awss3.New(opts, func(o *awss3.Options) { o.HTTPClient = counter })), counter
}

// Upload copies the files below dir to the server's bucket, under prefix.
func (s *Server) Upload(t testing.TB, dir, prefix string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		_, err = s.Client.PutObject(context.Background(), &awss3.PutObjectInput{
			Bucket: aws.String(s.Bucket),
			Key:    aws.String(prefix + filepath.ToSlash(rel)),
			Body:   bytes.NewReader(data),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
