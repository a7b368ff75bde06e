package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/meshctl/meshctl/planner/statestore"
)

// DefaultStateKey is the state object's key when the configuration names
// none.
const DefaultStateKey = "meshctl/state.json"

// StateOptions say where the S3 state backend keeps state.
type StateOptions struct {
	// S3 says how to reach S3 (mesh { state { region, endpoint } }).
	S3     Options
	Bucket string
	// Key is the state object's key; "" means DefaultStateKey.
	Key string
}

// StateBackend stores a workspace's state in one S3 object: it implements
// statestore.Backend.
//
//   - Write copies the current object to <key>.backup (a server-side copy)
//     and then replaces <key> with one PutObject, which S3 applies
//     atomically: a reader sees the old document or the new one, and a
//     failed copy leaves the state as it was.
//   - The lock is the object <key>.lock, created with a conditional
//     PutObject (If-None-Match: *) holding the holder's
//     statestore.LockInfo as JSON: S3 (since 2024), MinIO and gofakes3
//     refuse it with 412 Precondition Failed while the object exists. A
//     lock is never broken automatically, only by ForceUnlock with its ID.
//
// It is safe for concurrent use; across processes, Lock serialises
// writers.
type StateBackend struct {
	client      *s3.Client
	bucket, key string
	// mu serialises this process's writes, so that two writes cannot
	// interleave their backup and put.
	mu sync.Mutex
	// pollMin and pollJitter set how often Lock retries a held lock.
	pollMin, pollJitter time.Duration
}

var _ statestore.Backend = (*StateBackend)(nil)

// NewStateBackend returns the backend of the state object o names. It
// loads the AWS configuration but contacts nothing until the first call.
func NewStateBackend(ctx context.Context, o StateOptions) (*StateBackend, error) {
	if o.Bucket == "" {
		return nil, errors.New("the s3 state backend needs a bucket")
	}
	key := strings.TrimPrefix(o.Key, "/")
	if o.Key == "" {
		key = DefaultStateKey
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return nil, fmt.Errorf("the s3 state key %q names a folder, not an object: write e.g. %q", o.Key, strings.TrimSuffix(key, "/")+"/state.json")
	}
	c, err := NewClient(ctx, o.S3)
	if err != nil {
		return nil, err
	}
	return &StateBackend{client: c, bucket: o.Bucket, key: key, pollMin: time.Second, pollJitter: time.Second}, nil
}

// Describe names the state object: "s3://bucket/key".
func (b *StateBackend) Describe() string { return b.url(b.key) }

func (b *StateBackend) url(key string) string { return "s3://" + b.bucket + "/" + key }
func (b *StateBackend) backupKey() string     { return b.key + ".backup" }
func (b *StateBackend) lockKey() string       { return b.key + ".lock" }

// Read returns the state document, or statestore.ErrNotFound when the
// object does not exist. A missing bucket or a refused request is an
// error naming the object.
func (b *StateBackend) Read(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	doc, err := getObject(ctx, b.client, b.bucket, b.key)
	if isNotFound(err) {
		return nil, statestore.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", b.Describe(), err)
	}
	return doc, nil
}

// Write keeps the current document as <key>.backup and replaces it with
// doc. The caller holds the lock.
func (b *StateBackend) Write(ctx context.Context, doc []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	_, err := b.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:     aws.String(b.bucket),
		Key:        aws.String(b.backupKey()),
		CopySource: aws.String(copySource(b.bucket, b.key)),
	})
	if err != nil && !isNotFound(err) { // not found: the first write
		return fmt.Errorf("write %s: keep the previous state as %s: %w", b.Describe(), b.url(b.backupKey()), err)
	}
	_, err = b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(b.bucket),
		Key:           aws.String(b.key),
		Body:          bytes.NewReader(doc),
		ContentLength: aws.Int64(int64(len(doc))),
		ContentType:   aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("write %s: %w", b.Describe(), err)
	}
	return nil
}

// copySource is CopyObject's source: bucket/key, URL-encoded but for the
// slashes.
func copySource(bucket, key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return bucket + "/" + strings.Join(parts, "/")
}

// Lock takes the lock by creating <key>.lock, if it does not exist, with
// info in it. info.ID is required; Who (user@host), PID and Created are
// filled in when left empty. While another holder has the lock, Lock
// retries every 1–2 s until timeout has passed (0 tries once), then fails
// with an error for which errors.As finds a *statestore.LockedError
// naming the holder.
//
// Having taken it, Lock puts it once more, which must be refused: a store
// that ignores the condition would let two applies lock at once, and is
// reported as an error instead (the lock is removed).
func (b *StateBackend) Lock(ctx context.Context, info statestore.LockInfo, timeout time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	info, err := info.Complete()
	if err != nil {
		return fmt.Errorf("lock %s: %w", b.Describe(), err)
	}
	content, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("lock %s: %w", b.Describe(), err)
	}
	content = append(content, '\n')
	deadline := time.Now().Add(timeout)
	for {
		holder, held, err := b.tryLock(ctx, info.ID, content)
		if err != nil {
			return fmt.Errorf("lock %s: %w", b.Describe(), err)
		}
		if !held {
			return nil
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			if holder == nil {
				// Released between the refused put and the read: the
				// holder is gone, but the lock may be someone else's
				// again; one more try settles it.
				if holder, held, err = b.tryLock(ctx, info.ID, content); err != nil {
					return fmt.Errorf("lock %s: %w", b.Describe(), err)
				}
				if !held {
					return nil
				}
				if holder == nil {
					holder = &statestore.LockInfo{Who: "unknown", Operation: "unknown"}
				}
			}
			return &statestore.LockedError{Holder: *holder, Where: b.url(b.lockKey())}
		}
		wait = min(wait, b.pollMin+rand.N(b.pollJitter+1))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("lock %s: %w", b.Describe(), ctx.Err())
		case <-t.C:
		}
	}
}

// tryLock puts the lock object unless it exists. held reports a lock
// someone else holds, and holder who (nil when the lock was released
// before it could be read).
func (b *StateBackend) tryLock(ctx context.Context, id string, content []byte) (holder *statestore.LockInfo, held bool, err error) {
	err = b.putLock(ctx, content)
	switch {
	case err == nil:
		// A store that ignores the condition would let the next locker
		// replace this lock: a second put must be refused.
		switch err := b.putLock(ctx, content); {
		case isConditionFailed(err):
			return nil, false, nil
		case err == nil:
			_, _ = b.client.DeleteObject(context.WithoutCancel(ctx), &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.lockKey())})
			return nil, false, errors.New("the store does not honour conditional writes (PutObject with If-None-Match: *), on which the lock relies; use a store that does (AWS S3, MinIO) or another state backend")
		default:
			_, _ = b.client.DeleteObject(context.WithoutCancel(ctx), &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.lockKey())})
			return nil, false, err
		}
	case !isConditionFailed(err):
		return nil, false, err
	}
	h, found, err := b.readHolder(ctx)
	switch {
	case err != nil:
		return nil, false, err
	case !found:
		return nil, true, nil // released before it could be read: try again
	case h.ID == id:
		// Ours: the SDK retried a put whose first attempt landed.
		return nil, false, nil
	}
	return &h, true, nil
}

// putLock puts the lock object if it does not exist.
func (b *StateBackend) putLock(ctx context.Context, content []byte) error {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(b.bucket),
		Key:           aws.String(b.lockKey()),
		Body:          bytes.NewReader(content),
		ContentLength: aws.Int64(int64(len(content))),
		ContentType:   aws.String("application/json"),
		IfNoneMatch:   aws.String("*"),
	})
	return err
}

// isConditionFailed reports a conditional put refused because the object
// exists (412), or because another conditional put of it is in flight
// (409, which S3 asks to retry).
func isConditionFailed(err error) bool {
	switch apiErrorCode(err) {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	return false
}

// Unlock deletes the lock object if it holds id; otherwise it leaves it
// in place and says who holds it.
func (b *StateBackend) Unlock(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	holder, held, err := b.readHolder(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("unlock %s: %w", b.Describe(), err)
	case !held:
		return fmt.Errorf("unlock %s: it is not locked (lock ID %s was already released or broken)", b.Describe(), id)
	case holder.ID != id:
		return fmt.Errorf("unlock %s: the lock is held by %s, not by lock ID %s; it was left in place", b.Describe(), holder.Holder(), id)
	}
	return b.removeLock(ctx, "unlock")
}

// ForceUnlock breaks the lock with id, whoever holds it (meshctl
// force-unlock). Asking for the ID guards against breaking a lock that a
// new holder took since the user looked: if the lock now has another ID,
// or there is no lock, it fails and leaves things as they are.
func (b *StateBackend) ForceUnlock(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	holder, held, err := b.readHolder(ctx)
	switch {
	case err != nil:
		return fmt.Errorf("force-unlock %s: %w", b.Describe(), err)
	case !held:
		return fmt.Errorf("force-unlock %s: there is no lock to break (%s does not exist)", b.Describe(), b.url(b.lockKey()))
	case holder.ID != id:
		return fmt.Errorf("force-unlock %s: the lock is now held by %s, not lock ID %s; it was left in place", b.Describe(), holder.Holder(), id)
	}
	return b.removeLock(ctx, "force-unlock")
}

func (b *StateBackend) removeLock(ctx context.Context, op string) error {
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.lockKey())})
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, b.Describe(), err)
	}
	return nil
}

// readHolder reads the lock object; held is false when there is none. A
// lock object that does not parse counts as held by "unknown" since its
// last modification, with an ID derived from its content
// ("unreadable-…"), so that ForceUnlock can still break exactly it.
func (b *StateBackend) readHolder(ctx context.Context) (holder statestore.LockInfo, held bool, err error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(b.lockKey())})
	if isNotFound(err) {
		return holder, false, nil
	}
	if err != nil {
		return holder, false, fmt.Errorf("read the lock %s: %w", b.url(b.lockKey()), err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(out.Body); err != nil {
		return holder, false, fmt.Errorf("read the lock %s: %w", b.url(b.lockKey()), err)
	}
	if json.Unmarshal(buf.Bytes(), &holder) == nil && holder.ID != "" {
		return holder, true, nil
	}
	sum := sha256.Sum256(buf.Bytes())
	holder = statestore.LockInfo{Who: "unknown", Operation: "unknown", ID: "unreadable-" + hex.EncodeToString(sum[:6])}
	if out.LastModified != nil {
		holder.Created = out.LastModified.UTC()
	}
	return holder, true, nil
}
