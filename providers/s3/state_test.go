package s3_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meshctl/meshctl/planner/statestore"
	"github.com/meshctl/meshctl/providers/s3"
	"github.com/meshctl/meshctl/providers/s3/s3test"
)

// newState returns a backend on srv that polls a held lock every few
// milliseconds; rec, when set, carries its requests.
func newState(t *testing.T, srv *s3test.Server, key string, rec *recorder) *s3.StateBackend {
	t.Helper()
	o := s3.StateOptions{S3: s3.Options{Endpoint: srv.URL}, Bucket: srv.Bucket, Key: key}
	if rec != nil {
		o.S3.HTTPClient = &http.Client{Transport: rec}
	}
	b, err := s3.NewStateBackend(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	s3.SetLockPoll(b, 2*time.Millisecond, 3*time.Millisecond)
	return b
}

// asLocked returns the *LockedError in err's chain.
func asLocked(t *testing.T, err error) *statestore.LockedError {
	t.Helper()
	var le *statestore.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a *statestore.LockedError", err)
	}
	return le
}

// readOrAbsent returns an object's content, or "<absent>".
func readOrAbsent(t *testing.T, srv *s3test.Server, key string) string {
	t.Helper()
	out, err := srv.Client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)})
	if err != nil {
		if strings.Contains(err.Error(), "NoSuchKey") {
			return "<absent>"
		}
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStateDescribe(t *testing.T) {
	srv := s3test.Start(t, "lake")
	for _, tc := range []struct{ key, want string }{
		{"", "s3://lake/meshctl/state.json"},
		{"teams/sales/state.json", "s3://lake/teams/sales/state.json"},
		{"/abs.json", "s3://lake/abs.json"},
	} {
		if got := newState(t, srv, tc.key, nil).Describe(); got != tc.want {
			t.Errorf("key %q: Describe() = %q, want %q", tc.key, got, tc.want)
		}
	}
	for _, o := range []s3.StateOptions{
		{Key: "x.json"},
		{Bucket: "lake", Key: "states/"},
		{Bucket: "lake", S3: s3.Options{Endpoint: "not a url"}},
	} {
		if _, err := s3.NewStateBackend(ctx, o); err == nil {
			t.Errorf("NewStateBackend(%+v) succeeded", o)
		}
	}
}

func TestStateWriteRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
	}{
		{"one write", []string{`{"serial":1}`}},
		{"two writes", []string{`{"serial":1}`, `{"serial":2}`}},
		{"shorter after longer", []string{`{"serial":1,"products":{"a":{}}}`, `{}`}},
		{"empty document", []string{`{"serial":1}`, ``}},
		{"not JSON", []string{"1", "{half a docu", "3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := s3test.Start(t, "lake")
			b := newState(t, srv, "", nil)
			if _, err := b.Read(ctx); !errors.Is(err, statestore.ErrNotFound) {
				t.Fatalf("Read of a missing state: %v, want ErrNotFound", err)
			}
			for i, doc := range tc.writes {
				if err := b.Write(ctx, []byte(doc)); err != nil {
					t.Fatalf("write %d: %v", i, err)
				}
				got, err := b.Read(ctx)
				if err != nil {
					t.Fatalf("read after write %d: %v", i, err)
				}
				if diff := cmp.Diff(doc, string(got)); diff != "" {
					t.Errorf("read after write %d (-want +got):\n%s", i, diff)
				}
				wantBackup := "<absent>"
				if i > 0 {
					wantBackup = tc.writes[i-1]
				}
				if diff := cmp.Diff(wantBackup, readOrAbsent(t, srv, "meshctl/state.json.backup")); diff != "" {
					t.Errorf("backup after write %d (-want +got):\n%s", i, diff)
				}
			}
			want := []string{"meshctl/state.json"}
			if len(tc.writes) > 1 {
				want = append(want, "meshctl/state.json.backup")
			}
			if diff := cmp.Diff(want, keys(t, srv, "")); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStateErrors(t *testing.T) {
	srv := s3test.Start(t, "lake")
	o := s3.StateOptions{S3: s3.Options{Endpoint: srv.URL}, Bucket: "nobucket"}
	b, err := s3.NewStateBackend(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	where := "s3://nobucket/meshctl/state.json"
	if _, err := b.Read(ctx); err == nil || errors.Is(err, statestore.ErrNotFound) || !strings.Contains(err.Error(), where) || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("Read in a missing bucket: %v; want an error naming %s", err, where)
	}
	if err := b.Write(ctx, []byte("x")); err == nil || !strings.Contains(err.Error(), where) {
		t.Errorf("Write in a missing bucket: %v", err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{ID: "a"}, 0); err == nil || !strings.Contains(err.Error(), where) || errors.As(err, new(*statestore.LockedError)) {
		t.Errorf("Lock in a missing bucket: %v", err)
	}

	// A refused put leaves the state as it was.
	rec := newRecorder()
	b = newState(t, srv, "", rec)
	if err := b.Write(ctx, []byte("v1")); err != nil {
		t.Fatal(err)
	}
	rec.setHook(func(r *http.Request) (*http.Response, error) {
		if r.Method == "PUT" && r.Header.Get("X-Amz-Copy-Source") == "" {
			return s3Error(r, http.StatusForbidden, "AccessDenied"), nil
		}
		return nil, nil
	})
	if err := b.Write(ctx, []byte("v2")); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("Write refused: %v", err)
	}
	if got := readOrAbsent(t, srv, "meshctl/state.json"); got != "v1" {
		t.Errorf("state after a refused write = %q, want v1", got)
	}
	// A refused backup stops the write.
	rec.setHook(func(r *http.Request) (*http.Response, error) {
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			return s3Error(r, http.StatusForbidden, "AccessDenied"), nil
		}
		return nil, nil
	})
	err = b.Write(ctx, []byte("v3"))
	if err == nil || !strings.Contains(err.Error(), "keep the previous state as s3://lake/meshctl/state.json.backup") {
		t.Errorf("Write with the backup refused: %v", err)
	}
	if got := readOrAbsent(t, srv, "meshctl/state.json"); got != "v1" {
		t.Errorf("state after a refused backup = %q, want v1", got)
	}
}

func TestStateCanceledContext(t *testing.T) {
	srv := s3test.Start(t, "lake")
	b := newState(t, srv, "", nil)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.Read(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Read: %v", err)
	}
	if err := b.Write(cctx, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("Write: %v", err)
	}
	if err := b.Lock(cctx, statestore.LockInfo{ID: "a"}, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock: %v", err)
	}
}

func TestStateLock(t *testing.T) {
	srv := s3test.Start(t, "lake")
	b := newState(t, srv, "", nil)
	before := time.Now()
	if err := b.Lock(ctx, statestore.LockInfo{ID: "L1", Operation: "plan", Version: "1.2.3"}, 0); err != nil {
		t.Fatal(err)
	}
	var got statestore.LockInfo
	raw := readOrAbsent(t, srv, "meshctl/state.json.lock")
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("the lock object is not a LockInfo: %v\n%s", err, raw)
	}
	host, _ := os.Hostname()
	want := statestore.LockInfo{ID: "L1", Operation: "plan", PID: os.Getpid(), Version: "1.2.3"}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(statestore.LockInfo{}, "Created", "Who")); diff != "" {
		t.Errorf("lock object (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(got.Who, "@"+host) {
		t.Errorf("Who = %q, want user@%s", got.Who, host)
	}
	if got.Created.Before(before.Add(-time.Second)) || got.Created.After(time.Now().Add(time.Second)) {
		t.Errorf("Created = %v, want about now", got.Created)
	}
	if err := b.Unlock(ctx, "L1"); err != nil {
		t.Fatal(err)
	}
	if got := readOrAbsent(t, srv, "meshctl/state.json.lock"); got != "<absent>" {
		t.Errorf("lock after Unlock: %q", got)
	}
	if err := b.Unlock(ctx, "L1"); err == nil || err.Error() != "unlock s3://lake/meshctl/state.json: it is not locked (lock ID L1 was already released or broken)" {
		t.Errorf("second Unlock: %v", err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{}, 0); err == nil || !strings.Contains(err.Error(), "lock ID is empty") {
		t.Errorf("Lock without an ID: %v", err)
	}
}

// TestStateLockHeld: a second backend waits out its timeout and fails
// naming the holder, gets the lock once the holder unlocks, and the
// first holder can then not unlock it.
func TestStateLockHeld(t *testing.T) {
	srv := s3test.Start(t, "lake")
	b1, b2 := newState(t, srv, "", nil), newState(t, srv, "", nil)
	created := time.Date(2026, 11, 25, 16, 15, 0, 0, time.UTC)
	holder := statestore.LockInfo{ID: "L1", Operation: "apply", Who: "ana@ci", PID: 42, Version: "1.0.0", Created: created}
	if err := b1.Lock(ctx, holder, 0); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := b2.Lock(ctx, statestore.LockInfo{ID: "L2", Operation: "plan"}, 60*time.Millisecond)
	if waited := time.Since(start); waited < 60*time.Millisecond {
		t.Errorf("Lock gave up after %v, before its timeout", waited)
	}
	le := asLocked(t, err)
	if diff := cmp.Diff(holder, le.Holder); diff != "" {
		t.Errorf("holder (-want +got):\n%s", diff)
	}
	wantMsg := "the state is locked by ana@ci (pid 42, apply since 2026-11-25T16:15:00Z, lock ID L1, at s3://lake/meshctl/state.json.lock); wait for it to finish, or if that process is gone run: meshctl force-unlock L1"
	if err.Error() != wantMsg {
		t.Errorf("message:\n%s\nwant\n%s", err, wantMsg)
	}
	if err := b2.Unlock(ctx, "L2"); err == nil || !strings.Contains(err.Error(), "the lock is held by ana@ci (pid 42, apply since 2026-11-25T16:15:00Z, lock ID L1), not by lock ID L2; it was left in place") {
		t.Errorf("Unlock by another: %v", err)
	}

	done := make(chan error, 1)
	go func() { done <- b2.Lock(ctx, statestore.LockInfo{ID: "L2", Operation: "plan"}, 10*time.Second) }()
	time.Sleep(30 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Lock returned while held: %v", err)
	default:
	}
	if err := b1.Unlock(ctx, "L1"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Lock after Unlock: %v", err)
	}
	if err := b1.Unlock(ctx, "L1"); err == nil || !strings.Contains(err.Error(), "not by lock ID L1") {
		t.Errorf("Unlock of a lock now held by another: %v", err)
	}
	if err := b2.Unlock(ctx, "L2"); err != nil {
		t.Fatal(err)
	}
}

// TestStateLockRace: of many backends locking at once, exactly one
// wins: the conditional put is honoured.
func TestStateLockRace(t *testing.T) {
	srv := s3test.Start(t, "lake")
	const n = 12
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []string
		holders = map[string]bool{}
	)
	for i := range n {
		b := newState(t, srv, "", nil)
		id := fmt.Sprintf("L%02d", i)
		wg.Go(func() {
			err := b.Lock(ctx, statestore.LockInfo{ID: id, Operation: "apply"}, 0)
			mu.Lock()
			defer mu.Unlock()
			var le *statestore.LockedError
			switch {
			case err == nil:
				winners = append(winners, id)
			case errors.As(err, &le):
				holders[le.Holder.ID] = true
			default:
				t.Errorf("%s: %v", id, err)
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("winners %q, want exactly one", winners)
	}
	for h := range holders {
		if h != winners[0] && h != "" {
			t.Errorf("a loser was told %s holds the lock; %s does", h, winners[0])
		}
	}
}

func TestStateForceUnlock(t *testing.T) {
	srv := s3test.Start(t, "lake")
	b := newState(t, srv, "", nil)
	if err := b.ForceUnlock(ctx, "L1"); err == nil || err.Error() != "force-unlock s3://lake/meshctl/state.json: there is no lock to break (s3://lake/meshctl/state.json.lock does not exist)" {
		t.Errorf("ForceUnlock without a lock: %v", err)
	}
	if err := newState(t, srv, "", nil).Lock(ctx, statestore.LockInfo{ID: "L1", Operation: "apply"}, 0); err != nil {
		t.Fatal(err)
	}
	if err := b.ForceUnlock(ctx, "L0"); err == nil || !strings.Contains(err.Error(), "the lock is now held by") || !strings.Contains(err.Error(), "not lock ID L0; it was left in place") {
		t.Errorf("ForceUnlock with another ID: %v", err)
	}
	if err := b.ForceUnlock(ctx, "L1"); err != nil {
		t.Fatal(err)
	}
	if got := readOrAbsent(t, srv, "meshctl/state.json.lock"); got != "<absent>" {
		t.Errorf("lock after ForceUnlock: %q", got)
	}

	// An unreadable lock is held by "unknown" and broken by its ID.
	put(t, srv, "meshctl/state.json.lock", []byte("{garbage"), nil)
	le := asLocked(t, b.Lock(ctx, statestore.LockInfo{ID: "L2"}, 0))
	if le.Holder.Who != "unknown" || !strings.HasPrefix(le.Holder.ID, "unreadable-") || le.Holder.Created.IsZero() {
		t.Errorf("holder of an unreadable lock: %+v", le.Holder)
	}
	if err := b.ForceUnlock(ctx, le.Holder.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.Lock(ctx, statestore.LockInfo{ID: "L2"}, 0); err != nil {
		t.Errorf("Lock after breaking the unreadable one: %v", err)
	}
}

// TestStateLockNeedsConditionalPut: a store that ignores If-None-Match
// (here, a proxy that drops it) would let two applies lock at once: Lock
// refuses to work there.
func TestStateLockNeedsConditionalPut(t *testing.T) {
	srv := s3test.Start(t, "lake")
	rec := newRecorder()
	rec.setHook(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Del("If-None-Match")
		return rec.base.RoundTrip(r)
	})
	b := newState(t, srv, "", rec)
	err := b.Lock(ctx, statestore.LockInfo{ID: "L1"}, 0)
	if err == nil || !strings.Contains(err.Error(), "does not honour conditional writes") {
		t.Fatalf("Lock on a store without conditional writes: %v", err)
	}
	if got := readOrAbsent(t, srv, "meshctl/state.json.lock"); got != "<absent>" {
		t.Errorf("lock left behind: %q", got)
	}
	var sawCondition bool
	for _, r := range rec.requests() {
		sawCondition = sawCondition || r.Header.Get("If-None-Match") == "*"
	}
	if !sawCondition {
		t.Error("the lock's put carried no If-None-Match: *")
	}
}
