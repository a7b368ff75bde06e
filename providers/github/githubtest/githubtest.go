// Package githubtest is an in-process fake of the GitHub REST endpoints
// meshctl uses, for tests: pull requests (GET), issue comments (list with
// Link-header pages, create, edit), team review requests and commit
// statuses. It records every request, checks the bearer token, and can
// deny permissions, refuse teams and inject failures (a 502, a secondary
// rate limit) so that tests can assert methods, paths and bodies.
//
// It imports the standard library only.
package githubtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"sync"
)

// Request is a request the server received.
type Request struct {
	Method string
	// Path is the URL path; Query its raw query.
	Path, Query string
	Body        string
}

// Comment is an issue comment held by the server.
type Comment struct {
	ID     int64
	Number int // the pull request's
	User   string
	Body   string
}

// Status is a commit status the server received.
type Status struct {
	SHA                                    string
	State, Context, Description, TargetURL string
}

// Permissions the server can deny (Server.Deny), with the 403 a workflow
// token without them gets.
const (
	ReadPulls     = "pulls:read"
	ReadComments  = "comments:read"
	WriteComments = "comments:write"
	RequestReview = "reviews:write"
	WriteStatuses = "statuses:write"
)

// Server is the fake. Its zero value is not usable: call New.
type Server struct {
	*httptest.Server
	// Token is the bearer token requests must carry; others get a 401.
	Token string
	// Owner and Repo name the one repository served; others get a 404.
	Owner, Repo string

	mu       sync.Mutex
	pageSize int
	requests []Request
	prs      map[int]pr
	comments []*Comment
	statuses []Status
	reviews  map[int][]string
	teams    map[string]bool
	denied   map[string]bool
	faults   []fault
	nextID   int64
}

type pr struct{ sha, author string }

type fault struct {
	method string
	path   *regexp.Regexp
	times  int
	status int
	header http.Header
	body   string
}

// New starts a server for owner/repo and token; it stops when the test
// ends (pass t.Cleanup's owner). Comments are served two per page unless
// SetPageSize says otherwise, so that a few comments already take
// several pages.
func New(cleanup func(func()), owner, repo, token string) *Server {
	s := &Server{Token: token, Owner: owner, Repo: repo, pageSize: 2, prs: map[int]pr{}, reviews: map[int][]string{},
		denied: map[string]bool{}, nextID: 1000}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	cleanup(s.Close)
	return s
}

// SetPageSize sets the most comments per page, whatever per_page asks.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// AddPullRequest opens pull request number with its head commit.
func (s *Server) AddPullRequest(number int, headSHA, author string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prs[number] = pr{sha: headSHA, author: author}
}

// AddComment adds a comment by user, as if posted earlier, and returns
// its id.
func (s *Server) AddComment(number int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addComment(number, user, body).ID
}

func (s *Server) addComment(number int, user, body string) *Comment {
	s.nextID++
	c := &Comment{ID: s.nextID, Number: number, User: user, Body: body}
	s.comments = append(s.comments, c)
	return c
}

// SetTeams lists the team slugs that have access to the repository:
// review requests for others get GitHub's 422. Without a call every team
// has access.
func (s *Server) SetTeams(slugs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.teams = map[string]bool{}
	for _, t := range slugs {
		s.teams[t] = true
	}
}

// Deny makes requests that need permission get GitHub's 403 "Resource
// not accessible by integration".
func (s *Server) Deny(permission string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[permission] = true
}

// Fail makes the next times requests whose method matches and whose path
// matches the regular expression path get status, header and body
// instead of being served.
func (s *Server) Fail(method, path string, times, status int, header http.Header, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, path: regexp.MustCompile(path), times: times, status: status, header: header, body: body})
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Comments returns the comments of a pull request, oldest first.
func (s *Server) Comments(number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Number == number {
			out = append(out, *c)
		}
	}
	return out
}

// Statuses returns the commit statuses received, in order.
func (s *Server) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.statuses)
}

// ReviewRequests returns the teams asked to review a pull request, in
// order, once each.
func (s *Server) ReviewRequests(number int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reviews[number])
}

var (
	rePull     = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/(\d+)$`)
	reComments = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$`)
	reComment  = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/comments/(\d+)$`)
	reReview   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/(\d+)/requested_reviewers$`)
	reStatus   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/statuses/([0-9a-fA-F]+)$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body)})
	for i := range s.faults {
		f := &s.faults[i]
		if f.times > 0 && f.method == r.Method && f.path.MatchString(r.URL.Path) {
			f.times--
			for k, vs := range f.header {
				w.Header()[k] = vs
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.status)
			io.WriteString(w, f.body)
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && rePull.MatchString(p):
		m := rePull.FindStringSubmatch(p)
		pr, ok := s.pull(m)
		if !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		if s.denied[ReadPulls] {
			writeError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		n, _ := strconv.Atoi(m[3])
		writeJSON(w, http.StatusOK, map[string]any{"number": n, "head": map[string]any{"sha": pr.sha}, "user": map[string]any{"login": pr.author}})
	case reComments.MatchString(p) && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		m := reComments.FindStringSubmatch(p)
		if _, ok := s.pull(m); !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		n, _ := strconv.Atoi(m[3])
		if r.Method == http.MethodGet {
			if s.denied[ReadComments] {
				writeError(w, http.StatusForbidden, "Resource not accessible by integration")
				return
			}
			s.listComments(w, r, n)
			return
		}
		if s.denied[WriteComments] {
			writeError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		var in struct{ Body string }
		if err := json.Unmarshal(body, &in); err != nil {
			writeError(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		writeJSON(w, http.StatusCreated, s.commentJSON(s.addComment(n, "github-actions[bot]", in.Body)))
	case r.Method == http.MethodPatch && reComment.MatchString(p):
		m := reComment.FindStringSubmatch(p)
		if m[1] != s.Owner || m[2] != s.Repo {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		if s.denied[WriteComments] {
			writeError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		id, _ := strconv.ParseInt(m[3], 10, 64)
		i := slices.IndexFunc(s.comments, func(c *Comment) bool { return c.ID == id })
		if i < 0 {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		var in struct{ Body string }
		if err := json.Unmarshal(body, &in); err != nil {
			writeError(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		s.comments[i].Body = in.Body
		writeJSON(w, http.StatusOK, s.commentJSON(s.comments[i]))
	case r.Method == http.MethodPost && reReview.MatchString(p):
		m := reReview.FindStringSubmatch(p)
		if _, ok := s.pull(m); !ok {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		if s.denied[RequestReview] {
			writeError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		var in struct {
			Reviewers     []string `json:"reviewers"`
			TeamReviewers []string `json:"team_reviewers"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			writeError(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		for _, t := range in.TeamReviewers {
			if s.teams != nil && !s.teams[t] {
				writeError(w, http.StatusUnprocessableEntity, "Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the "+s.Owner+"/"+s.Repo+" repository.")
				return
			}
		}
		n, _ := strconv.Atoi(m[3])
		for _, t := range in.TeamReviewers {
			if !slices.Contains(s.reviews[n], t) {
				s.reviews[n] = append(s.reviews[n], t)
			}
		}
		writeJSON(w, http.StatusCreated, map[string]any{"number": n})
	case r.Method == http.MethodPost && reStatus.MatchString(p):
		m := reStatus.FindStringSubmatch(p)
		if m[1] != s.Owner || m[2] != s.Repo {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		known := false
		for _, pr := range s.prs {
			known = known || pr.sha == m[3]
		}
		if !known {
			writeError(w, http.StatusUnprocessableEntity, "No commit found for SHA: "+m[3])
			return
		}
		if s.denied[WriteStatuses] {
			writeError(w, http.StatusForbidden, "Resource not accessible by integration")
			return
		}
		var in struct {
			State       string `json:"state"`
			Context     string `json:"context"`
			Description string `json:"description"`
			TargetURL   string `json:"target_url"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			writeError(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		s.statuses = append(s.statuses, Status{SHA: m[3], State: in.State, Context: in.Context, Description: in.Description, TargetURL: in.TargetURL})
		writeJSON(w, http.StatusCreated, map[string]any{"id": len(s.statuses), "state": in.State, "context": in.Context})
	default:
		writeError(w, http.StatusNotFound, "Not Found")
	}
}

// pull returns the pull request of a path's owner, repo and number.
func (s *Server) pull(m []string) (pr, bool) {
	if m[1] != s.Owner || m[2] != s.Repo {
		return pr{}, false
	}
	n, _ := strconv.Atoi(m[3])
	p, ok := s.prs[n]
	return p, ok
}

// listComments serves one page, with GitHub's Link header to the next
// and last pages.
func (s *Server) listComments(w http.ResponseWriter, r *http.Request, number int) {
	var all []*Comment
	for _, c := range s.comments {
		if c.Number == number {
			all = append(all, c)
		}
	}
	per := s.pageSize
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 && v < per {
		per = v
	}
	page := 1
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max(1, (len(all)+per-1)/per)
	from, to := min((page-1)*per, len(all)), min(page*per, len(all))
	link := func(n int) string {
		return fmt.Sprintf("<%s%s?page=%d&per_page=%d>", s.URL, r.URL.Path, n, per)
	}
	if page < last {
		w.Header().Set("Link", link(page+1)+`; rel="next", `+link(last)+`; rel="last"`)
	}
	out := []map[string]any{}
	for _, c := range all[from:to] {
		out = append(out, s.commentJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) commentJSON(c *Comment) map[string]any {
	return map[string]any{
		"id":       c.ID,
		"body":     c.Body,
		"html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", s.Owner, s.Repo, c.Number, c.ID),
		"user":     map[string]any{"login": c.User},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

// SecondaryRateLimitBody is GitHub's body for a secondary rate limit.
const SecondaryRateLimitBody = `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 1234.","documentation_url":"https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`
