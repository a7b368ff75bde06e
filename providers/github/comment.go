package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// CommentAction is what UpsertComment did.
type CommentAction int

// What UpsertComment did.
const (
	CommentCreated CommentAction = iota
	CommentUpdated
	// CommentUnchanged: the comment already had the body; nothing was
	// sent.
	CommentUnchanged
)

// Comment is the sticky comment after UpsertComment.
type Comment struct {
	ID     int64
	URL    string
	Action CommentAction
}

// maxCommentPages bounds the search for the marker: 300 pages of 100 are
// more comments than any pull request holds, and a server whose Link
// headers loop must not hold a job forever.
const maxCommentPages = 300

// UpsertComment keeps one comment per marker on the pull request: it
// edits the oldest comment whose first line is the marker, or creates
// one. body must begin with the marker line, so that the next run finds
// the comment again. A body equal to the comment's is not sent again. A
// comment deleted between the search and the edit is created anew.
//
// Two runs at once on one pull request can both find nothing and both
// create a comment; later runs edit the oldest. Workflows avoid it with a
// concurrency group per pull request.
func (c *Client) UpsertComment(ctx context.Context, pr PullRequest, marker, body string) (Comment, error) {
	if marker == "" || strings.ContainsAny(marker, "\r\n") || firstLine(body) != marker {
		return Comment{}, fmt.Errorf("the comment's first line must be its marker %q", marker)
	}
	if pr.Number <= 0 {
		return Comment{}, fmt.Errorf("pull request number %d: it must be positive", pr.Number)
	}
	found, err := c.findComment(ctx, pr, marker)
	if err != nil {
		return Comment{}, err
	}
	if found != nil {
		if found.GetBody() == body {
			return Comment{ID: found.GetID(), URL: found.GetHTMLURL(), Action: CommentUnchanged}, nil
		}
		edited, _, err := c.gh.Issues.EditComment(ctx, pr.Owner, pr.Repo, found.GetID(), &gh.IssueComment{Body: gh.String(body)})
		if err == nil {
			return Comment{ID: edited.GetID(), URL: edited.GetHTMLURL(), Action: CommentUpdated}, nil
		}
		var er *gh.ErrorResponse
		if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusNotFound {
			return Comment{}, c.wrap(err, opEditComment, pr)
		}
	}
	created, _, err := c.gh.Issues.CreateComment(ctx, pr.Owner, pr.Repo, pr.Number, &gh.IssueComment{Body: gh.String(body)})
	if err != nil {
		return Comment{}, c.wrap(err, opWriteComments, pr)
	}
	return Comment{ID: created.GetID(), URL: created.GetHTMLURL(), Action: CommentCreated}, nil
}

// findComment pages through the pull request's comments, oldest first,
// for the first whose first line is the marker.
func (c *Client) findComment(ctx context.Context, pr PullRequest, marker string) (*gh.IssueComment, error) {
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for range maxCommentPages {
		list, resp, err := c.gh.Issues.ListComments(ctx, pr.Owner, pr.Repo, pr.Number, opts)
		if err != nil {
			return nil, c.wrap(err, opListComments, pr)
		}
		for _, cm := range list {
			if firstLine(cm.GetBody()) == marker {
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
	return nil, fmt.Errorf("%s has more than %d pages of comments: the plan comment was not looked for further", pr, maxCommentPages)
}

// firstLine is a body's first line, without the carriage return that
// comments edited in the browser get.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}
