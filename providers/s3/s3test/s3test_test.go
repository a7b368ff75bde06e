package s3test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/meshctl/meshctl/providers/s3"
)

// TestRoundTrip puts and gets an object through a client built the way
// meshctl builds it from the environment Start sets.
func TestRoundTrip(t *testing.T) {
	srv := Start(t, "lake")
	ctx := context.Background()
	c, err := s3.NewClient(ctx, s3.Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("hello, lake")
	if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("a/b.txt"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	out, err := srv.Client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("a/b.txt"), Range: aws.String("bytes=7-10")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	if string(got) != "lake" {
		t.Errorf("ranged get = %q, want lake", got)
	}
}
