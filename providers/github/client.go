package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com/"

// Options configure a Client.
type Options struct {
	// Token authenticates every request. It is sent in the Authorization
	// header only: errors and logs never hold it.
	Token string
	// TokenName says where the token came from ("GITHUB_TOKEN"), for
	// errors about it.
	TokenName string
	// APIURL is the REST API's base URL: DefaultAPIURL when empty,
	// GITHUB_API_URL in GitHub Actions (https://HOST/api/v3 on GitHub
	// Enterprise Server), a test server in tests.
	APIURL string
	// Transport sends the requests; nil means http.DefaultTransport. The
	// retries wrap it.
	Transport http.RoundTripper
	// Retry tunes the retries; the zero value is the defaults.
	Retry RetryPolicy
	// UserAgent names the client to GitHub; empty means "meshctl".
	UserAgent string
}

// Client calls the GitHub API for one token. It is safe for concurrent
// use.
type Client struct {
	gh        *gh.Client
	tokenName string
}

// New returns a client. It refuses an empty token and an API URL that is
// not an absolute http(s) URL.
func New(opts Options) (*Client, error) {
	if opts.Token == "" {
		name := opts.TokenName
		if name == "" {
			name = "the token"
		}
		return nil, fmt.Errorf("no GitHub token: %s is empty", name)
	}
	api := opts.APIURL
	if api == "" {
		api = DefaultAPIURL
	}
	base, err := url.Parse(api)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("the GitHub API URL %q is not an absolute http(s) URL", api)
	}
	// go-github resolves paths against the base URL: without the final
	// slash, https://HOST/api/v3 would lose its v3.
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	transport := opts.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	rt := &retryTransport{base: transport, policy: opts.Retry.withDefaults(), now: time.Now}
	c := gh.NewClient(&http.Client{Transport: rt}).WithAuthToken(opts.Token)
	c.BaseURL = base
	c.UserAgent = opts.UserAgent
	if c.UserAgent == "" {
		c.UserAgent = "meshctl"
	}
	name := opts.TokenName
	if name == "" {
		name = "the token"
	}
	return &Client{gh: c, tokenName: name}, nil
}

// PullRequest identifies a pull request and the commit statuses go on.
type PullRequest struct {
	Owner, Repo string
	Number      int
	// HeadSHA is the head commit; "" until known (PullRequest fills it).
	HeadSHA string
	// Author is the login of the pull request's author, "" when unknown.
	Author string
}

// String is "owner/repo#12".
func (pr PullRequest) String() string {
	return fmt.Sprintf("%s/%s#%d", pr.Owner, pr.Repo, pr.Number)
}

// SplitRepo splits "owner/name".
func SplitRepo(s string) (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(s, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", fmt.Errorf("repository %q is not owner/name", s)
	}
	return owner, repo, nil
}

// PullRequest fetches a pull request, for its head commit and author:
// an issue_comment event names the pull request but not its head.
func (c *Client) PullRequest(ctx context.Context, owner, repo string, number int) (PullRequest, error) {
	pr := PullRequest{Owner: owner, Repo: repo, Number: number}
	if number <= 0 {
		return pr, fmt.Errorf("pull request number %d: it must be positive", number)
	}
	got, _, err := c.gh.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return pr, c.wrap(err, opReadPR, pr)
	}
	pr.HeadSHA = got.GetHead().GetSHA()
	pr.Author = got.GetUser().GetLogin()
	return pr, nil
}

// op is an API operation, for error messages: what the token could not
// do and the workflow permission that lets it.
type op struct {
	verb, permission string
	// object says what a 404 did not find: "pr" or "commit".
	object string
}

var (
	opReadPR        = op{"read the pull request", "pull-requests: read", "pr"}
	opListComments  = op{"read pull-request comments", "pull-requests: read", "pr"}
	opWriteComments = op{"write pull-request comments", "pull-requests: write", "pr"}
	opEditComment   = op{"edit pull-request comments", "pull-requests: write", "comment"}
	opRequestReview = op{"request reviews", "pull-requests: write", "pr"}
	opSetStatus     = op{"create commit statuses", "statuses: write", "commit"}
)

// Error is a GitHub API call that failed, with what to do about it.
type Error struct {
	// StatusCode is the HTTP status; 0 when no response came.
	StatusCode int
	// Message is GitHub's message, or the transport's error.
	Message string
	text    string
	err     error
}

func (e *Error) Error() string { return e.text }

// Unwrap returns go-github's error.
func (e *Error) Unwrap() error { return e.err }

// wrap turns go-github's error into an Error that says which permission
// is missing.
func (c *Client) wrap(err error, o op, pr PullRequest) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := &Error{err: err}
	var resp *http.Response
	var rate *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	var er *gh.ErrorResponse
	switch {
	case errors.As(err, &rate):
		resp, e.Message = rate.Response, rate.Message
		e.StatusCode = statusOf(resp)
		e.text = fmt.Sprintf("%d: cannot %s on %s: the token's API rate limit is exhausted until %s: retry later",
			e.StatusCode, o.verb, pr, rate.Rate.Reset.UTC().Format(time.RFC3339))
		return e
	case errors.As(err, &abuse):
		resp, e.Message = abuse.Response, abuse.Message
		e.StatusCode = statusOf(resp)
		e.text = fmt.Sprintf("%d: cannot %s on %s: GitHub's secondary rate limit still holds after the retries: retry later", e.StatusCode, o.verb, pr)
		return e
	case errors.As(err, &er):
		resp, e.Message = er.Response, er.Message
		for _, d := range er.Errors {
			if d.Message != "" {
				e.Message += "; " + d.Message
			}
		}
	default:
		e.Message = err.Error()
		e.text = fmt.Sprintf("cannot %s on %s: %v", o.verb, pr, err)
		return e
	}
	e.StatusCode = statusOf(resp)
	said := ""
	if e.Message != "" {
		said = " (GitHub: " + oneLine(e.Message) + ")"
	}
	switch e.StatusCode {
	case http.StatusUnauthorized:
		e.text = fmt.Sprintf("401: GitHub refused the token in %s (bad credentials, or it expired) trying to %s on %s: check the secret the workflow passes%s",
			c.tokenName, o.verb, pr, said)
	case http.StatusForbidden:
		e.text = fmt.Sprintf("403: the token cannot %s on %s: give the workflow `permissions: %s`%s; a pull request from a fork gets a read-only token",
			o.verb, pr, o.permission, said)
	case http.StatusNotFound:
		var what string
		switch o.object {
		case "commit":
			what = fmt.Sprintf("commit %s in %s/%s", short(pr.HeadSHA), pr.Owner, pr.Repo)
		case "comment":
			what = fmt.Sprintf("a comment of %s", pr)
		default:
			what = fmt.Sprintf("repository %s/%s or its pull request #%d", pr.Owner, pr.Repo, pr.Number)
		}
		e.text = fmt.Sprintf("404: %s was not found, or the token cannot see it: check the repository and pull request (--repo, --pr, --sha) and give the workflow `permissions: %s` (and `contents: read` for a private repository)%s",
			what, o.permission, said)
	default:
		e.text = fmt.Sprintf("%d: cannot %s on %s%s", e.StatusCode, o.verb, pr, said)
	}
	return e
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}
