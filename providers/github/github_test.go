package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/providers/github/githubtest"
)

const (
	testToken = "ghs_s3cr3tT0k3nValue"
	testSHA   = "0123456789abcdef0123456789abcdef01234567"
	markerA   = "<!-- meshctl-plan workspace=acme-sales dir=domains/sales -->"
	markerB   = "<!-- meshctl-plan workspace=acme-marketing dir=domains/marketing -->"
)

// fixture is a fake GitHub with pull request acme/mesh#7 and a client
// whose waits are recorded instead of taken.
type fixture struct {
	srv    *githubtest.Server
	client *Client
	pr     PullRequest
	mu     sync.Mutex
	sleeps []time.Duration
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{srv: githubtest.New(t.Cleanup, "acme", "mesh", testToken)}
	f.srv.AddPullRequest(7, testSHA, "alice")
	f.client = f.newClient(t, testToken)
	f.pr = PullRequest{Owner: "acme", Repo: "mesh", Number: 7, HeadSHA: testSHA}
	return f
}

func (f *fixture) newClient(t *testing.T, token string) *Client {
	t.Helper()
	c, err := New(Options{Token: token, TokenName: "GITHUB_TOKEN", APIURL: f.srv.URL, Retry: RetryPolicy{Sleep: func(_ context.Context, d time.Duration) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.sleeps = append(f.sleeps, d)
		return nil
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// calls returns the requests after the first skip, as "METHOD PATH?QUERY".
func calls(reqs []githubtest.Request, skip int) []string {
	var out []string
	for _, r := range reqs[skip:] {
		s := r.Method + " " + r.Path
		if r.Query != "" {
			s += "?" + r.Query
		}
		out = append(out, s)
	}
	return out
}

func jsonBody(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("body %q: %v", s, err)
	}
	return m
}

// TestUpsertComment: the first run pages through the comments and creates
// one; the second finds it on the last page and edits it; a third with
// the same body sends nothing. Comments that merely quote or mention the
// marker are left alone.
func TestUpsertComment(t *testing.T) {
	f := newFixture(t)
	f.srv.AddComment(7, "bob", "LGTM")
	f.srv.AddComment(7, "carol", "> "+markerA+"\n> quoted")
	f.srv.AddComment(7, "dave", "see below\n"+markerA)
	f.srv.AddComment(7, "erin", "one more")
	f.srv.AddComment(7, "frank", "and another")
	ctx := context.Background()

	body1 := markerA + "\n### meshctl plan — acme-sales\n\n**Plan: 1 to create.**\n"
	got, err := f.client.UpsertComment(ctx, f.pr, markerA, body1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Action != CommentCreated || got.ID == 0 || got.URL != fmt.Sprintf("https://github.com/acme/mesh/pull/7#issuecomment-%d", got.ID) {
		t.Errorf("first run: %+v, want a created comment with its URL", got)
	}
	reqs := f.srv.Requests()
	want := []string{
		"GET /repos/acme/mesh/issues/7/comments?per_page=100",
		"GET /repos/acme/mesh/issues/7/comments?page=2&per_page=100",
		"GET /repos/acme/mesh/issues/7/comments?page=3&per_page=100",
		"POST /repos/acme/mesh/issues/7/comments",
	}
	if diff := cmp.Diff(want, calls(reqs, 0)); diff != "" {
		t.Fatalf("first run requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"body": body1}, jsonBody(t, reqs[3].Body)); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}

	body2 := strings.Replace(body1, "1 to create", "2 to create", 1)
	again, err := f.client.UpsertComment(ctx, f.pr, markerA, body2)
	if err != nil {
		t.Fatal(err)
	}
	if again.Action != CommentUpdated || again.ID != got.ID {
		t.Errorf("second run: %+v, want comment %d updated", again, got.ID)
	}
	reqs = f.srv.Requests()
	want = []string{
		"GET /repos/acme/mesh/issues/7/comments?per_page=100",
		"GET /repos/acme/mesh/issues/7/comments?page=2&per_page=100",
		"GET /repos/acme/mesh/issues/7/comments?page=3&per_page=100",
		fmt.Sprintf("PATCH /repos/acme/mesh/issues/comments/%d", got.ID),
	}
	if diff := cmp.Diff(want, calls(reqs, 4)); diff != "" {
		t.Fatalf("second run requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"body": body2}, jsonBody(t, reqs[7].Body)); diff != "" {
		t.Errorf("edit body (-want +got):\n%s", diff)
	}
	cs := f.srv.Comments(7)
	if len(cs) != 6 || cs[5].Body != body2 || cs[2].Body != "see below\n"+markerA {
		t.Errorf("comments after two runs: %+v", cs)
	}

	same, err := f.client.UpsertComment(ctx, f.pr, markerA, body2)
	if err != nil {
		t.Fatal(err)
	}
	if same.Action != CommentUnchanged || same.ID != got.ID {
		t.Errorf("third run: %+v, want unchanged", same)
	}
	for _, r := range f.srv.Requests()[8:] {
		if r.Method != http.MethodGet {
			t.Errorf("an unchanged body sent %s %s", r.Method, r.Path)
		}
	}
	// Every request carried the token, and only in its header.
	for _, r := range f.srv.Requests() {
		if strings.Contains(r.Body, testToken) || strings.Contains(r.Query, testToken) {
			t.Errorf("the token leaked into %s %s", r.Method, r.Path)
		}
	}
}

// TestUpsertCommentPerWorkspace: two markers make two comments, each
// edited on its own; a comment edited in the browser (CRLF) is found.
func TestUpsertCommentPerWorkspace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.client.UpsertComment(ctx, f.pr, markerA, markerA+"\nsales v1\n")
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.client.UpsertComment(ctx, f.pr, markerB, markerB+"\nmarketing v1\n")
	if err != nil {
		t.Fatal(err)
	}
	if a.Action != CommentCreated || b.Action != CommentCreated || a.ID == b.ID {
		t.Fatalf("two workspaces: %+v and %+v, want two created comments", a, b)
	}
	b2, err := f.client.UpsertComment(ctx, f.pr, markerB, markerB+"\nmarketing v2\n")
	if err != nil {
		t.Fatal(err)
	}
	if b2.Action != CommentUpdated || b2.ID != b.ID {
		t.Errorf("marketing again: %+v, want comment %d updated", b2, b.ID)
	}
	want := []githubtest.Comment{
		{ID: a.ID, Number: 7, User: "github-actions[bot]", Body: markerA + "\nsales v1\n"},
		{ID: b.ID, Number: 7, User: "github-actions[bot]", Body: markerB + "\nmarketing v2\n"},
	}
	if diff := cmp.Diff(want, f.srv.Comments(7)); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}

	g := newFixture(t)
	id := g.srv.AddComment(7, "github-actions[bot]", markerA+"\r\nedited in the browser\r\n")
	got, err := g.client.UpsertComment(ctx, g.pr, markerA, markerA+"\nnew\n")
	if err != nil {
		t.Fatal(err)
	}
	if got.Action != CommentUpdated || got.ID != id {
		t.Errorf("CRLF comment: %+v, want %d updated", got, id)
	}
}

func TestUpsertCommentRefusesBodyWithoutMarker(t *testing.T) {
	f := newFixture(t)
	_, err := f.client.UpsertComment(context.Background(), f.pr, markerA, "### plan\n"+markerA)
	if err == nil || !strings.Contains(err.Error(), "first line must be its marker") {
		t.Errorf("err = %v", err)
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestUpsertCommentDeletedMeanwhile: a comment gone between the search
// and the edit is created anew.
func TestUpsertCommentDeletedMeanwhile(t *testing.T) {
	f := newFixture(t)
	id := f.srv.AddComment(7, "github-actions[bot]", markerA+"\nold\n")
	f.srv.Fail(http.MethodPatch, fmt.Sprintf("/issues/comments/%d$", id), 1, http.StatusNotFound, nil, `{"message":"Not Found"}`)
	got, err := f.client.UpsertComment(context.Background(), f.pr, markerA, markerA+"\nnew\n")
	if err != nil {
		t.Fatal(err)
	}
	if got.Action != CommentCreated || got.ID == id {
		t.Errorf("%+v, want a new comment", got)
	}
}

// TestRetries: server errors and rate limits are retried after the
// right waits; other errors are not.
func TestRetries(t *testing.T) {
	const create = `/issues/7/comments$`
	retryAfter := http.Header{"Retry-After": {"7"}}
	for _, tc := range []struct {
		name   string
		status int
		header http.Header
		body   string
		times  int
		waits  []time.Duration
		err    string // "" when the comment gets created
	}{
		{"502 then 200", http.StatusBadGateway, nil, `{"message":"Server Error"}`, 1, []time.Duration{time.Second}, ""},
		{"503 with Retry-After", http.StatusServiceUnavailable, http.Header{"Retry-After": {"3"}}, "", 1, []time.Duration{3 * time.Second}, ""},
		{"three 500s", http.StatusInternalServerError, nil, "", 3, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, ""},
		{"secondary rate limit with Retry-After", http.StatusForbidden, retryAfter, githubtest.SecondaryRateLimitBody, 1, []time.Duration{7 * time.Second}, ""},
		{"secondary rate limit, message only", http.StatusForbidden, nil, githubtest.SecondaryRateLimitBody, 1, []time.Duration{time.Minute}, ""},
		{"429 with Retry-After", http.StatusTooManyRequests, http.Header{"Retry-After": {"2"}}, "", 1, []time.Duration{2 * time.Second}, ""},
		{"primary rate limit resetting soon", http.StatusForbidden,
			http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {fmt.Sprint(time.Now().Add(30 * time.Second).Unix())}},
			`{"message":"API rate limit exceeded"}`, 1, nil, ""},
		{"502 five times", http.StatusBadGateway, nil, `{"message":"Server Error"}`, 5,
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, "502: cannot write pull-request comments on acme/mesh#7 (GitHub: Server Error)"},
		{"Retry-After beyond the longest wait", http.StatusForbidden, http.Header{"Retry-After": {"3600"}}, githubtest.SecondaryRateLimitBody, 1, nil,
			"403: cannot write pull-request comments on acme/mesh#7: GitHub's secondary rate limit still holds after the retries: retry later"},
		{"permission 403 is not retried", http.StatusForbidden, nil, `{"message":"Resource not accessible by integration"}`, 1, nil,
			"403: the token cannot write pull-request comments on acme/mesh#7: give the workflow `permissions: pull-requests: write` (GitHub: Resource not accessible by integration); a pull request from a fork gets a read-only token"},
		{"422 is not retried", http.StatusUnprocessableEntity, nil, `{"message":"Validation Failed","errors":[{"message":"body is too long (maximum is 65536 characters)"}]}`, 1, nil,
			"422: cannot write pull-request comments on acme/mesh#7 (GitHub: Validation Failed; body is too long (maximum is 65536 characters))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.Fail(http.MethodPost, create, tc.times, tc.status, tc.header, tc.body)
			_, err := f.client.UpsertComment(context.Background(), f.pr, markerA, markerA+"\nplan\n")
			waits := f.waits()
			if tc.name == "primary rate limit resetting soon" {
				// The wait runs to the reset: about 31 seconds.
				if len(waits) != 1 || waits[0] < 25*time.Second || waits[0] > 32*time.Second {
					t.Errorf("waits %v, want one of about 31s", waits)
				}
			} else if diff := cmp.Diff(tc.waits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			posts := 0
			for _, r := range f.srv.Requests() {
				if r.Method == http.MethodPost {
					posts++
					if diff := cmp.Diff(map[string]any{"body": markerA + "\nplan\n"}, jsonBody(t, r.Body)); diff != "" {
						t.Errorf("a retried body differs (-want +got):\n%s", diff)
					}
				}
			}
			if tc.err == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if n := len(f.srv.Comments(7)); n != 1 || posts != tc.times+1 {
					t.Errorf("%d comments after %d POSTs, want 1 after %d", n, posts, tc.times+1)
				}
				return
			}
			if err == nil || err.Error() != tc.err {
				t.Errorf("err =\n%v\nwant\n%s", err, tc.err)
			}
		})
	}
}

// TestTransportErrors: a request that failed on the way is sent again
// only when repeating it cannot have a second effect.
func TestTransportErrors(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	fail := map[string]int{http.MethodGet: 1}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r.Method+" "+r.URL.Path)
		if fail[r.Method] > 0 {
			fail[r.Method]--
			return nil, errors.New("connection reset by peer")
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(`[]`)), Request: r}, nil
	})
	c, err := New(Options{Token: testToken, APIURL: "https://ghe.example.com/api/v3", Transport: rt, Retry: RetryPolicy{Sleep: func(context.Context, time.Duration) error { return nil }}})
	if err != nil {
		t.Fatal(err)
	}
	pr := PullRequest{Owner: "acme", Repo: "mesh", Number: 7}
	if _, err := c.findComment(context.Background(), pr, markerA); err != nil {
		t.Fatalf("a GET after a reset: %v", err)
	}
	// The API path of GitHub Enterprise Server is kept.
	if diff := cmp.Diff([]string{"GET /api/v3/repos/acme/mesh/issues/7/comments", "GET /api/v3/repos/acme/mesh/issues/7/comments"}, seen); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	seen, fail = nil, map[string]int{http.MethodPost: 1}
	_, err = c.UpsertComment(context.Background(), pr, markerA, markerA+"\nx\n")
	if err == nil || !strings.Contains(err.Error(), "cannot write pull-request comments on acme/mesh#7") || !strings.Contains(err.Error(), "connection reset by peer") {
		t.Errorf("err = %v", err)
	}
	if diff := cmp.Diff([]string{"GET /api/v3/repos/acme/mesh/issues/7/comments", "POST /api/v3/repos/acme/mesh/issues/7/comments"}, seen); diff != "" {
		t.Errorf("a POST was repeated after a transport error (-want +got):\n%s", diff)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestErrors: 401, 403 and 404 say what to fix, and never the token.
func TestErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		deny string
		call func(f *fixture) error
		want string
	}{
		{"bad token", "", func(f *fixture) error {
			_, err := f.newClient(t, "ghs_wrong").UpsertComment(ctx, f.pr, markerA, markerA)
			return err
		}, "401: GitHub refused the token in GITHUB_TOKEN (bad credentials, or it expired) trying to read pull-request comments on acme/mesh#7: check the secret the workflow passes (GitHub: Bad credentials)"},
		{"cannot read comments", githubtest.ReadComments, func(f *fixture) error {
			_, err := f.client.UpsertComment(ctx, f.pr, markerA, markerA)
			return err
		}, "403: the token cannot read pull-request comments on acme/mesh#7: give the workflow `permissions: pull-requests: read` (GitHub: Resource not accessible by integration); a pull request from a fork gets a read-only token"},
		{"cannot write comments", githubtest.WriteComments, func(f *fixture) error {
			_, err := f.client.UpsertComment(ctx, f.pr, markerA, markerA)
			return err
		}, "403: the token cannot write pull-request comments on acme/mesh#7: give the workflow `permissions: pull-requests: write` (GitHub: Resource not accessible by integration); a pull request from a fork gets a read-only token"},
		{"cannot edit comments", githubtest.WriteComments, func(f *fixture) error {
			f.srv.AddComment(7, "github-actions[bot]", markerA+"\nold")
			_, err := f.client.UpsertComment(ctx, f.pr, markerA, markerA)
			return err
		}, "403: the token cannot edit pull-request comments on acme/mesh#7: give the workflow `permissions: pull-requests: write` (GitHub: Resource not accessible by integration); a pull request from a fork gets a read-only token"},
		{"cannot write statuses", githubtest.WriteStatuses, func(f *fixture) error {
			return f.client.SetStatus(ctx, f.pr, Status{State: StatusSuccess, Context: "meshctl/plan (acme-sales)"})
		}, "403: the token cannot create commit statuses on acme/mesh#7: give the workflow `permissions: statuses: write` (GitHub: Resource not accessible by integration); a pull request from a fork gets a read-only token"},
		{"no such pull request", "", func(f *fixture) error {
			pr := f.pr
			pr.Number = 99
			_, err := f.client.UpsertComment(ctx, pr, markerA, markerA)
			return err
		}, "404: repository acme/mesh or its pull request #99 was not found, or the token cannot see it: check the repository and pull request (--repo, --pr, --sha) and give the workflow `permissions: pull-requests: read` (and `contents: read` for a private repository) (GitHub: Not Found)"},
		{"no such repository", "", func(f *fixture) error {
			_, err := f.client.PullRequest(ctx, "acme", "nope", 7)
			return err
		}, "404: repository acme/nope or its pull request #7 was not found, or the token cannot see it: check the repository and pull request (--repo, --pr, --sha) and give the workflow `permissions: pull-requests: read` (and `contents: read` for a private repository) (GitHub: Not Found)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if tc.deny != "" {
				f.srv.Deny(tc.deny)
			}
			err := tc.call(f)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err =\n%v\nwant\n%s", err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != int(tc.want[0]-'0')*100+int(tc.want[1]-'0')*10+int(tc.want[2]-'0') {
				t.Errorf("err is %T (%+v), want an *Error with the status", err, e)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "ghs_wrong") {
				t.Error("the error holds the token")
			}
		})
	}
	if _, err := New(Options{TokenName: "GITHUB_TOKEN"}); err == nil || err.Error() != "no GitHub token: GITHUB_TOKEN is empty" {
		t.Errorf("no token: %v", err)
	}
	if _, err := New(Options{Token: "x", APIURL: "api.github.com"}); err == nil || !strings.Contains(err.Error(), "not an absolute http(s) URL") {
		t.Errorf("bad API URL: %v", err)
	}
}

func TestPullRequest(t *testing.T) {
	f := newFixture(t)
	pr, err := f.client.PullRequest(context.Background(), "acme", "mesh", 7)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(PullRequest{Owner: "acme", Repo: "mesh", Number: 7, HeadSHA: testSHA, Author: "alice"}, pr); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestRequestTeamReviews: one request for every team; when GitHub refuses
// one (422), the others are still asked, one by one.
func TestRequestTeamReviews(t *testing.T) {
	f := newFixture(t)
	f.srv.SetTeams("finance-analytics", "marketing-analytics")
	ctx := context.Background()
	got, err := f.client.RequestTeamReviews(ctx, f.pr, []string{"finance-analytics", "marketing-analytics"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(TeamReviews{Requested: []string{"finance-analytics", "marketing-analytics"}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	reqs := f.srv.Requests()
	if diff := cmp.Diff([]string{"POST /repos/acme/mesh/pulls/7/requested_reviewers"}, calls(reqs, 0)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"team_reviewers": []any{"finance-analytics", "marketing-analytics"}}, jsonBody(t, reqs[0].Body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}

	got, err = f.client.RequestTeamReviews(ctx, f.pr, []string{"ghosts", "finance-analytics"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Refused) != 1 || got.Refused[0].Slug != "ghosts" || !strings.Contains(got.Refused[0].Err.Error(),
		"422: cannot request reviews on acme/mesh#7 (GitHub: Reviews may only be requested from collaborators.") ||
		!strings.Contains(got.Refused[0].Err.Error(), "GITHUB_TOKEN cannot") {
		t.Errorf("refused: %+v", got.Refused)
	}
	if diff := cmp.Diff([]string{"finance-analytics"}, got.Requested); diff != "" {
		t.Errorf("requested (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"POST /repos/acme/mesh/pulls/7/requested_reviewers", "POST /repos/acme/mesh/pulls/7/requested_reviewers", "POST /repos/acme/mesh/pulls/7/requested_reviewers"}, calls(f.srv.Requests(), 1)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}

	f.srv.Deny(githubtest.RequestReview)
	_, err = f.client.RequestTeamReviews(ctx, f.pr, []string{"finance-analytics"})
	if err == nil || !strings.HasPrefix(err.Error(), "403: the token cannot request reviews on acme/mesh#7: give the workflow `permissions: pull-requests: write`") {
		t.Errorf("err = %v", err)
	}
}

func TestTeamSlug(t *testing.T) {
	for _, tc := range []struct {
		team, slug string
		ok         bool
	}{
		{"acme/marketing-analytics", "marketing-analytics", true},
		{"@acme/Finance", "finance", true},
		{"ACME/data.science_1", "data.science_1", true},
		{"finance", "finance", true},
		{"other/finance", "", false},
		{"acme/", "", false},
		{"acme/a b", "", false},
		{"", "", false},
		{"acme/x/y", "", false},
	} {
		slug, ok := TeamSlug(tc.team, "acme")
		if slug != tc.slug || ok != tc.ok {
			t.Errorf("TeamSlug(%q) = %q, %v; want %q, %v", tc.team, slug, ok, tc.slug, tc.ok)
		}
	}
}

func TestSetStatus(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", 200)
	err := f.client.SetStatus(context.Background(), f.pr, Status{State: StatusFailure, Context: "meshctl/plan (acme-sales)",
		Description: long, TargetURL: "https://github.com/acme/mesh/actions/runs/42"})
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.srv.Requests()
	if diff := cmp.Diff([]string{"POST /repos/acme/mesh/statuses/" + testSHA}, calls(reqs, 0)); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	want := map[string]any{"state": "failure", "context": "meshctl/plan (acme-sales)", "description": strings.Repeat("x", 139) + "…",
		"target_url": "https://github.com/acme/mesh/actions/runs/42"}
	if diff := cmp.Diff(want, jsonBody(t, reqs[0].Body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if err := f.client.SetStatus(context.Background(), f.pr, Status{State: "green"}); err == nil || !strings.Contains(err.Error(), `state "green"`) {
		t.Errorf("bad state: %v", err)
	}
	pr := f.pr
	pr.HeadSHA = ""
	if err := f.client.SetStatus(context.Background(), pr, Status{State: StatusSuccess}); err == nil || err.Error() != "acme/mesh#7: no head commit to set the status on" {
		t.Errorf("no head: %v", err)
	}
}

func TestReadEvent(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, json string
		want       Event
	}{
		{"pull_request", `{"action":"synchronize","number":7,"pull_request":{"number":7,"head":{"sha":"abc123"},"user":{"login":"alice"}},"repository":{"full_name":"acme/mesh"}}`,
			Event{Repo: "acme/mesh", Number: 7, HeadSHA: "abc123", Author: "alice"}},
		{"issue_comment on a pull request", `{"action":"created","issue":{"number":8,"pull_request":{"url":"https://api.github.com/repos/acme/mesh/pulls/8"},"user":{"login":"bob"}},"comment":{"body":"/plan"},"repository":{"full_name":"acme/mesh"}}`,
			Event{Repo: "acme/mesh", Number: 8, Author: "bob"}},
		{"issue_comment on an issue", `{"action":"created","issue":{"number":9,"user":{"login":"bob"}},"repository":{"full_name":"acme/mesh"}}`,
			Event{Repo: "acme/mesh", Issue: 9, Author: "bob"}},
		{"push", `{"ref":"refs/heads/main","after":"abc","repository":{"full_name":"acme/mesh"}}`, Event{Repo: "acme/mesh"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if err := os.WriteFile(path, []byte(tc.json), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadEvent(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o644)
	if _, err := ReadEvent(bad); err == nil || !strings.Contains(err.Error(), "is not JSON") {
		t.Errorf("bad event: %v", err)
	}
}

func TestRunURL(t *testing.T) {
	if got := RunURL("https://github.com/", "acme/mesh", "42"); got != "https://github.com/acme/mesh/actions/runs/42" {
		t.Errorf("RunURL = %q", got)
	}
	if got := RunURL("https://github.com", "acme/mesh", ""); got != "" {
		t.Errorf("RunURL without a run id = %q", got)
	}
}
