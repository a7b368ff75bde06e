// Package github is meshctl's client for the GitHub API in pull requests:
//
//   - Client.UpsertComment keeps one sticky comment per marker: it pages
//     through the pull request's comments for the one whose first line is
//     the marker, edits it, or creates it on the first run;
//   - Client.RequestTeamReviews asks teams of the repository's
//     organisation to review;
//   - Client.SetStatus sets a commit status on the pull request's head;
//   - ReadEvent and RunURL read the pull request and the run's log address
//     from a GitHub Actions run.
//
// It wraps go-github (v60, from 2024) so that an upgrade to a later major
// version touches this package only.
//
// Every request is retried below go-github, in an http.RoundTripper: on
// 500, 502, 503 and 504 with exponential backoff, and on rate limits
// (secondary ones, told by a Retry-After header or GitHub's "secondary
// rate limit" message, and an exhausted primary limit that resets soon),
// honouring Retry-After. Retrying below go-github matters: go-github
// remembers a secondary rate limit and refuses, without a request, every
// call until the reset by its own clock. Errors name the token permission
// a 401, 403 or 404 calls for (Error). The token goes into the
// Authorization header only, never into an error or a log.
//
// A commit status, not a check run, carries the plan's summary: one
// request with a stable context that branch protection can require, which
// any token with `statuses: write` may send, whereas check runs need a
// GitHub App's token (a personal access token cannot create them) and
// land in the check suite of whichever app created them.
//
// It imports go-github and the standard library only; it must not import
// the planner, the executor, other providers or cmd: the caller renders
// the plan and decides what to post.
package github
