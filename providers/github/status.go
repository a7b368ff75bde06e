package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"
)

// Commit status states.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusPending = "pending"
	StatusError   = "error"
)

// maxDescription is GitHub's limit on a status description, in
// characters.
const maxDescription = 140

// Status is a commit status.
type Status struct {
	// State is StatusSuccess, StatusFailure, StatusPending or
	// StatusError.
	State string
	// Context names the status; a later status with the same context on
	// the same commit replaces it, and branch protection can require it.
	Context string
	// Description is a one-line summary, cut to 140 characters.
	Description string
	// TargetURL is the page the status links to; "" for none.
	TargetURL string
}

// SetStatus sets a commit status on the pull request's head commit.
func (c *Client) SetStatus(ctx context.Context, pr PullRequest, s Status) error {
	switch s.State {
	case StatusSuccess, StatusFailure, StatusPending, StatusError:
	default:
		return fmt.Errorf("commit status state %q: want success, failure, pending or error", s.State)
	}
	if pr.HeadSHA == "" {
		return fmt.Errorf("%s: no head commit to set the status on", pr)
	}
	st := &gh.RepoStatus{State: gh.String(s.State), Context: gh.String(s.Context), Description: gh.String(cut(oneLine(s.Description), maxDescription))}
	if s.TargetURL != "" {
		st.TargetURL = gh.String(s.TargetURL)
	}
	_, _, err := c.gh.Repositories.CreateStatus(ctx, pr.Owner, pr.Repo, pr.HeadSHA, st)
	return c.wrap(err, opSetStatus, pr)
}

// cut shortens s to n characters, an ellipsis last.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
