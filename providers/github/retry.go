package github

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how often and how long a request is retried.
type RetryPolicy struct {
	// Attempts is the most tries per request, the first included; 0
	// means 5.
	Attempts int
	// Backoff is the wait before the first retry of a server error,
	// doubled at each further retry; 0 means one second.
	Backoff time.Duration
	// MaxWait is the longest single wait. A Retry-After or a rate-limit
	// reset further away ends the retries: the error is returned rather
	// than holding a CI job for an hour. 0 means two minutes.
	MaxWait time.Duration
	// Sleep waits d or until ctx ends; nil means a timer. Tests record
	// the waits instead of taking them.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Backoff <= 0 {
		p.Backoff = time.Second
	}
	if p.MaxWait <= 0 {
		p.MaxWait = 2 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// secondaryWait is the wait after a secondary rate limit that gives no
// Retry-After: GitHub asks for at least a minute.
const secondaryWait = time.Minute

// peekLimit is how much of a 403 or 429 body is read to tell a rate limit
// from a permission error.
const peekLimit = 64 << 10

// retryTransport retries a request on server errors and rate limits.
type retryTransport struct {
	base   http.RoundTripper
	policy RetryPolicy
	now    func() time.Time
}

// RoundTrip sends req, and again while the response calls for a retry
// and the policy allows one. Bodies are replayed through req.GetBody
// (go-github's requests have one); a request without it is sent once.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			r = req.Clone(ctx)
			if req.Body != nil && req.Body != http.NoBody {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := t.base.RoundTrip(r)
		wait, retry := t.classify(req, resp, err, attempt)
		replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if !retry || !replayable || attempt >= t.policy.Attempts || wait > t.policy.MaxWait || ctx.Err() != nil {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
			resp.Body.Close()
		}
		if err := t.policy.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// classify says whether a response (or a transport error) is worth
// another try, and after how long.
func (t *retryTransport) classify(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	backoff := t.policy.Backoff << (attempt - 1)
	if backoff <= 0 || backoff > t.policy.MaxWait {
		backoff = t.policy.MaxWait
	}
	if err != nil {
		// The request may have reached GitHub: only methods that can be
		// repeated without a second effect are sent again. A POST could
		// create a second comment.
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete:
			return backoff, true
		}
		return 0, false
	}
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if d, ok := retryAfter(resp, t.now()); ok {
			return d, true
		}
		return backoff, true
	case http.StatusForbidden, http.StatusTooManyRequests:
	default:
		return 0, false
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		// The primary limit: wait for its reset, when it comes soon.
		if d, ok := retryAfter(resp, t.now()); ok {
			return d, true
		}
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(t.now())+time.Second, time.Second), true
		}
		return 0, false
	}
	if d, ok := retryAfter(resp, t.now()); ok {
		return d, true
	}
	if secondaryMessage(resp) {
		return max(secondaryWait, backoff), true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return max(secondaryWait, backoff), true
	}
	return 0, false
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// secondaryMessage reports whether a 403 or 429 body is GitHub's
// secondary rate limit ("You have exceeded a secondary rate limit…", or
// the older "abuse detection mechanism"). It reads the start of the body
// and puts it back for go-github.
func secondaryMessage(resp *http.Response) bool {
	head, err := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body = readCloser{io.MultiReader(bytes.NewReader(head), resp.Body), resp.Body}
	if err != nil {
		return false
	}
	s := strings.ToLower(string(head))
	return strings.Contains(s, "secondary rate limit") || strings.Contains(s, "abuse detection") ||
		strings.Contains(s, "secondary-rate-limits") || strings.Contains(s, "#abuse-rate-limits")
}

type readCloser struct {
	io.Reader
	io.Closer
}
