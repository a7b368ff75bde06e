package github

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// TeamSlug returns the slug of a team named "org/slug" (or "@org/slug"),
// for a review request on a repository of owner: teams of another
// organisation cannot review, and ok is false for them and for names
// that are no team slug. A bare "slug" is a team of owner.
func TeamSlug(team, owner string) (slug string, ok bool) {
	team = strings.TrimPrefix(strings.TrimSpace(team), "@")
	org, s, found := strings.Cut(team, "/")
	if !found {
		org, s = owner, team
	}
	if !strings.EqualFold(org, owner) || !slugRE.MatchString(s) {
		return "", false
	}
	return strings.ToLower(s), true
}

var slugRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// TeamReviews is what RequestTeamReviews did.
type TeamReviews struct {
	// Requested are the teams asked to review.
	Requested []string
	// Refused are the teams GitHub would not ask, with why: a team
	// without access to the repository, or one the token cannot see.
	Refused []TeamRefusal
}

// TeamRefusal is a team GitHub did not ask to review.
type TeamRefusal struct {
	Slug string
	Err  error
}

// RequestTeamReviews asks teams (slugs of the repository owner's
// organisation) to review the pull request. A team already asked is
// asked again, which GitHub takes as a no-op while its review is pending.
// GitHub refuses the whole request (422) when one team has no access to
// the repository: the teams are then asked one by one, so that the
// others still are, and the refusals are returned in Refused. An error
// is returned for failures that concern every team (token, permissions,
// pull request).
//
// A workflow's GITHUB_TOKEN cannot see the organisation's teams: team
// review requests usually need a GitHub App's token or a fine-grained
// token with the organisation's Members: read permission.
func (c *Client) RequestTeamReviews(ctx context.Context, pr PullRequest, slugs []string) (TeamReviews, error) {
	var out TeamReviews
	if len(slugs) == 0 {
		return out, nil
	}
	err := c.requestReviews(ctx, pr, slugs)
	if err == nil {
		out.Requested = append(out.Requested, slugs...)
		return out, nil
	}
	if !unprocessable(err) {
		return out, c.wrapReview(err, pr)
	}
	if len(slugs) == 1 {
		out.Refused = append(out.Refused, TeamRefusal{Slug: slugs[0], Err: c.wrapReview(err, pr)})
		return out, nil
	}
	for _, s := range slugs {
		err := c.requestReviews(ctx, pr, []string{s})
		switch {
		case err == nil:
			out.Requested = append(out.Requested, s)
		case unprocessable(err):
			out.Refused = append(out.Refused, TeamRefusal{Slug: s, Err: c.wrapReview(err, pr)})
		default:
			return out, c.wrapReview(err, pr)
		}
	}
	return out, nil
}

func (c *Client) requestReviews(ctx context.Context, pr PullRequest, slugs []string) error {
	_, _, err := c.gh.PullRequests.RequestReviewers(ctx, pr.Owner, pr.Repo, pr.Number, gh.ReviewersRequest{TeamReviewers: slugs})
	return err
}

// wrapReview is wrap for review requests, with what team requests need.
func (c *Client) wrapReview(err error, pr PullRequest) error {
	err = c.wrap(err, opRequestReview, pr)
	var e *Error
	if errors.As(err, &e) && (e.StatusCode == http.StatusForbidden || e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusUnprocessableEntity) {
		e.text += "; team reviews also need a token that can see the organisation's teams (GITHUB_TOKEN cannot: use a GitHub App's token or a fine-grained token with Members: read, through --token-env) and teams with access to the repository"
	}
	return err
}

func unprocessable(err error) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusUnprocessableEntity
}
