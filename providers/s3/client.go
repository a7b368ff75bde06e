// Package s3 holds meshctl's S3 plumbing: the client (endpoint override,
// path-style addressing, the standard AWS credential chain) and the
// helpers the S3 lake, scanners and state backend share.
package s3

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// DefaultRegion is used when neither the configuration nor the
// environment names one: S3-compatible stores ignore it, and AWS needs
// one to sign.
const DefaultRegion = "us-east-1"

// Options say how to reach S3.
type Options struct {
	// Region overrides the standard chain's (AWS_REGION, profiles).
	Region string
	// Endpoint overrides AWS's endpoint (an S3-compatible store). Without
	// it, AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL are honoured by the
	// SDK. Any custom endpoint is addressed path-style
	// (http://host/bucket/key), which S3-compatible stores expect.
	Endpoint string
	// HTTPClient replaces the SDK's HTTP client (tests record requests
	// through it). It is set on the S3 client, not through the shared
	// configuration, where it would clash with AWS_CA_BUNDLE.
	HTTPClient s3.HTTPClient
}

// NewClient returns an S3 client with credentials from the standard AWS
// chain (environment, shared files, SSO, instance roles).
func NewClient(ctx context.Context, o Options) (*s3.Client, error) {
	opts := []func(*config.LoadOptions) error{
		// Checksums only when an operation requires them: S3-compatible
		// stores otherwise receive aws-chunked framing as the content.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	endpoint := o.Endpoint
	custom := endpoint != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	if endpoint != "" {
		if u, err := url.Parse(endpoint); err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("S3 endpoint %q is not a URL such as http://127.0.0.1:9000", endpoint)
		}
	}
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		if endpoint != "" {
			so.BaseEndpoint = aws.String(endpoint)
		}
		so.UsePathStyle = custom
		if o.HTTPClient != nil {
			so.HTTPClient = o.HTTPClient
		}
	}), nil
}

// Location is a bucket and a key prefix.
type Location struct {
	Bucket string
	// Prefix has no leading slash; a folder prefix ends with one.
	Prefix string
}

// String prints the location as s3://bucket/prefix.
func (l Location) String() string { return "s3://" + l.Bucket + "/" + l.Prefix }

// IsURL reports whether path names S3 (s3://...).
func IsURL(path string) bool { return strings.HasPrefix(path, "s3://") }

// Parse splits s3://bucket/prefix.
func Parse(path string) (Location, error) {
	rest, ok := strings.CutPrefix(path, "s3://")
	if !ok {
		return Location{}, fmt.Errorf("%q is not an s3:// URL", path)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return Location{}, fmt.Errorf("%q names no bucket: write s3://bucket/prefix/", path)
	}
	return Location{Bucket: bucket, Prefix: prefix}, nil
}
