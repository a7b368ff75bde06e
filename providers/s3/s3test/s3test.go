// Package s3test starts an in-process S3 server (gofakes3, in memory) on
// loopback for tests: the code under test talks to it over real HTTP
// through aws-sdk-go-v2, exactly as it would to S3.
package s3test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/meshctl/meshctl/providers/s3"
)

// Server is a running test S3 server with one bucket.
type Server struct {
	URL    string
	Bucket string
	// Client talks to the server, for the test's own setup and checks.
	Client *awss3.Client
	// Env is what a meshctl process needs to reach the server through the
	// standard AWS chain: credentials, region and AWS_ENDPOINT_URL_S3.
	Env []string
}

// Start starts a server with a bucket named bucket; it stops when the
// test ends.
func Start(t testing.TB, bucket string) *Server {
	t.Helper()
	return StartWith(t, bucket, nil)
}

// StartWith is Start with a middleware around the server's handler, for
// tests that watch or slow down requests (to kill an upload midway).
func StartWith(t testing.TB, bucket string, wrap func(http.Handler) http.Handler) *Server {
	t.Helper()
	fake := gofakes3.New(s3mem.New())
	var h http.Handler = fake.Server()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	env := []string{
		"AWS_ACCESS_KEY_ID=meshctl-test",
		"AWS_SECRET_ACCESS_KEY=meshctl-test-secret",
		"AWS_REGION=us-east-1",
		"AWS_ENDPOINT_URL_S3=" + srv.URL,
		"AWS_EC2_METADATA_DISABLED=true",
	}
	for _, kv := range env {
		k, v, _ := cut(kv)
		t.Setenv(k, v)
	}
	c, err := s3.NewClient(context.Background(), s3.Options{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket %s: %v", bucket, err)
	}
	return &Server{URL: srv.URL, Bucket: bucket, Client: c, Env: env}
}

func cut(kv string) (string, string, bool) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:], true
		}
	}
	return kv, "", false
}
