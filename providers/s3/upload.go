package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Upload sizes. S3 refuses parts under 5 MiB (but the last) and more
// than 10,000 parts.
const (
	// DefaultPartSize is the size of a multipart upload's parts.
	DefaultPartSize = 8 << 20
	// DefaultMultipartThreshold is the size from which a file is uploaded
	// in parts rather than in one PutObject.
	DefaultMultipartThreshold = 16 << 20
	// DefaultConcurrency bounds the requests one publish has in flight.
	DefaultConcurrency = 8

	minPartSize = 5 << 20
	maxParts    = 10000
)

// metaSHA256 is the user metadata (x-amz-meta-sha256) holding an
// object's SHA-256 as the manifest records it, for Verify.
const metaSHA256 = "sha256"

// Encryption is the server-side encryption objects are written with.
type Encryption struct {
	// Mode is "" (the bucket's default), "AES256" (SSE-S3) or "aws:kms"
	// (SSE-KMS).
	Mode string
	// KMSKeyID is the key of aws:kms; "" means the account's default key.
	KMSKeyID string
}

// check refuses settings S3 would refuse, before anything is uploaded.
func (e Encryption) check() error {
	switch e.Mode {
	case "", string(types.ServerSideEncryptionAes256):
		if e.KMSKeyID != "" {
			return fmt.Errorf("a KMS key (%s) needs encryption aws:kms, not %q", e.KMSKeyID, e.Mode)
		}
	case string(types.ServerSideEncryptionAwsKms):
	default:
		return fmt.Errorf("encryption %q is not one of AES256, aws:kms", e.Mode)
	}
	return nil
}

func (e Encryption) mode() types.ServerSideEncryption { return types.ServerSideEncryption(e.Mode) }

func (e Encryption) keyID() *string {
	if e.KMSKeyID == "" {
		return nil
	}
	return aws.String(e.KMSKeyID)
}

// uploader writes objects of one bucket with one encryption, a bounded
// number of requests at a time.
type uploader struct {
	client    *s3.Client
	bucket    string
	enc       Encryption
	partSize  int64
	threshold int64
	// slots holds one token per request in flight; every PutObject and
	// UploadPart takes one.
	slots chan struct{}
}

// upload is one local file to store at key.
type upload struct {
	file string
	key  string
	size int64
	// sha256 is stored as x-amz-meta-sha256 when set.
	sha256 string
}

func (u *uploader) acquire(ctx context.Context) error {
	select {
	case u.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (u *uploader) release() { <-u.slots }

// putFiles uploads files in parallel and returns the first failure, after
// every request it started has ended. Multipart uploads that fail are
// aborted; objects already stored stay (the caller deletes them).
func (u *uploader) putFiles(ctx context.Context, files []upload) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	fail := func(err error) {
		once.Do(func() { first = err })
		cancel()
	}
	for _, f := range files {
		if f.size >= u.threshold {
			// The file's parts take slots; its own goroutine waits.
			wg.Go(func() {
				if err := u.putMultipart(ctx, f); err != nil {
					fail(err)
				}
			})
			continue
		}
		if err := u.acquire(ctx); err != nil {
			fail(err)
			break
		}
		wg.Go(func() {
			defer u.release()
			if err := u.putSmall(ctx, f); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	return first
}

// putSmall uploads a file in one PutObject.
func (u *uploader) putSmall(ctx context.Context, f upload) error {
	file, err := os.Open(f.file)
	if err != nil {
		return err
	}
	defer file.Close()
	// A section reader is seekable: the SDK reads it twice over plain
	// HTTP (to sign the payload) and rewinds it to retry.
	_, err = u.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               aws.String(u.bucket),
		Key:                  aws.String(f.key),
		Body:                 io.NewSectionReader(file, 0, f.size),
		ContentLength:        aws.Int64(f.size),
		ContentType:          aws.String(contentType(f.key)),
		Metadata:             shaMetadata(f.sha256),
		ServerSideEncryption: u.enc.mode(),
		SSEKMSKeyId:          u.enc.keyID(),
	})
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", f.file, u.url(f.key), err)
	}
	return nil
}

// putMultipart uploads a file in parts of u.partSize (more when the file
// would need more than 10,000), read straight from the file: each part is
// a section of it, so nothing is buffered in memory. A failed upload is
// aborted, lest its parts be stored (and billed) invisibly.
func (u *uploader) putMultipart(ctx context.Context, f upload) (err error) {
	file, err := os.Open(f.file)
	if err != nil {
		return err
	}
	defer file.Close()
	created, err := u.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:               aws.String(u.bucket),
		Key:                  aws.String(f.key),
		ContentType:          aws.String(contentType(f.key)),
		Metadata:             shaMetadata(f.sha256),
		ServerSideEncryption: u.enc.mode(),
		SSEKMSKeyId:          u.enc.keyID(),
	})
	if err != nil {
		return fmt.Errorf("upload %s to %s: %w", f.file, u.url(f.key), err)
	}
	uploadID := created.UploadId
	defer func() {
		if err != nil {
			// Not cancelled with ctx: an interrupted publish still aborts.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_, _ = u.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
				Bucket: aws.String(u.bucket), Key: aws.String(f.key), UploadId: uploadID,
			})
		}
	}()

	partSize := max(u.partSize, (f.size+maxParts-1)/maxParts)
	n := int((f.size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, n)
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	fail := func(err error) {
		once.Do(func() { first = err })
		cancel()
	}
	for i := range n {
		if err := u.acquire(pctx); err != nil {
			fail(err)
			break
		}
		wg.Go(func() {
			defer u.release()
			off := int64(i) * partSize
			size := min(partSize, f.size-off)
			num := aws.Int32(int32(i + 1))
			out, err := u.client.UploadPart(pctx, &s3.UploadPartInput{
				Bucket:        aws.String(u.bucket),
				Key:           aws.String(f.key),
				UploadId:      uploadID,
				PartNumber:    num,
				Body:          io.NewSectionReader(file, off, size),
				ContentLength: aws.Int64(size),
			})
			if err != nil {
				fail(fmt.Errorf("upload part %d of %s to %s: %w", i+1, f.file, u.url(f.key), err))
				return
			}
			parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: num}
		})
	}
	wg.Wait()
	if first != nil {
		return first
	}
	_, err = u.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(u.bucket),
		Key:             aws.String(f.key),
		UploadId:        uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return fmt.Errorf("complete the upload of %s to %s: %w", f.file, u.url(f.key), err)
	}
	return nil
}

// putBytes stores data at key in one PutObject.
func (u *uploader) putBytes(ctx context.Context, key string, data []byte) error {
	_, err := u.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               aws.String(u.bucket),
		Key:                  aws.String(key),
		Body:                 bytes.NewReader(data),
		ContentLength:        aws.Int64(int64(len(data))),
		ContentType:          aws.String(contentType(key)),
		ServerSideEncryption: u.enc.mode(),
		SSEKMSKeyId:          u.enc.keyID(),
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", u.url(key), err)
	}
	return nil
}

func (u *uploader) url(key string) string { return "s3://" + u.bucket + "/" + key }

func shaMetadata(sum string) map[string]string {
	if sum == "" {
		return nil
	}
	return map[string]string{metaSHA256: sum}
}

// contentType names the media type of the files meshctl writes, so that
// consoles and browsers show them sensibly.
func contentType(key string) string {
	switch path.Ext(key) {
	case ".parquet":
		return "application/vnd.apache.parquet"
	case ".csv":
		return "text/csv"
	case ".json":
		return "application/json"
	}
	return "application/octet-stream"
}

// listObjects calls fn with every object under prefix, a page of up to
// pageSize (0: S3's 1,000) at a time.
func listObjects(ctx context.Context, c *s3.Client, bucket, prefix string, pageSize int32, fn func(types.Object) error) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	if pageSize > 0 {
		in.MaxKeys = aws.Int32(pageSize)
	}
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteKeys deletes keys, 1,000 (S3's limit) a request. Keys already
// gone are not an error.
func deleteKeys(ctx context.Context, c *s3.Client, bucket string, keys []string) error {
	for batch := range slices.Chunk(keys, 1000) {
		ids := make([]types.ObjectIdentifier, len(batch))
		for i, k := range batch {
			ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(bucket),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return fmt.Errorf("delete %d objects from s3://%s: %w", len(batch), bucket, err)
		}
		var errs []error
		for _, e := range out.Errors {
			errs = append(errs, fmt.Errorf("delete s3://%s/%s: %s: %s", bucket, aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message)))
		}
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

// deletePrefix deletes every object under prefix.
func deletePrefix(ctx context.Context, c *s3.Client, bucket, prefix string, pageSize int32) error {
	var keys []string
	err := listObjects(ctx, c, bucket, prefix, pageSize, func(o types.Object) error {
		keys = append(keys, aws.ToString(o.Key))
		return nil
	})
	if err != nil {
		return err
	}
	return deleteKeys(ctx, c, bucket, keys)
}

// abortUploads aborts every multipart upload in progress under prefix:
// those of publishes that were killed, whose parts are otherwise stored
// (and billed) without showing in any listing of objects.
func abortUploads(ctx context.Context, c *s3.Client, bucket, prefix string) error {
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	for {
		out, err := c.ListMultipartUploads(ctx, in)
		if err != nil {
			if apiErrorCode(err) == "NoSuchUpload" {
				// gofakes3 answers so for a bucket that never had one.
				return nil
			}
			return fmt.Errorf("list the uploads in progress under s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, up := range out.Uploads {
			_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: up.Key, UploadId: up.UploadId})
			if err != nil && apiErrorCode(err) != "NoSuchUpload" {
				return fmt.Errorf("abort the upload of s3://%s/%s: %w", bucket, aws.ToString(up.Key), err)
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

// getObject returns an object's content.
func getObject(ctx context.Context, c *s3.Client, bucket, key string) ([]byte, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// apiErrorCode returns the S3 error code in err's chain ("NoSuchKey",
// "PreconditionFailed"), or "".
func apiErrorCode(err error) string {
	// smithy.APIError, named by its method so as not to import smithy.
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// isNotFound reports an object that does not exist (GetObject's
// NoSuchKey, HeadObject's NotFound). A missing bucket is not one: that
// is a configuration error to report.
func isNotFound(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	switch apiErrorCode(err) {
	case "NoSuchKey", "NotFound":
		return true
	}
	return false
}
