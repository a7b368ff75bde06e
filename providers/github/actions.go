package github

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Event is what a GitHub Actions event file (GITHUB_EVENT_PATH) says
// about the pull request the run is for.
type Event struct {
	// Repo is the repository, "owner/name".
	Repo string
	// Number is the pull request's number; 0 when the event is about none
	// (a push, or a comment on an issue).
	Number int
	// Issue is the number of the issue an issue_comment event is on when
	// that issue is not a pull request.
	Issue int
	// HeadSHA is the pull request's head commit for pull_request events;
	// issue_comment events do not carry it.
	HeadSHA string
	// Author is the pull request's (or issue's) author.
	Author string
}

// ReadEvent reads an event file: pull_request and pull_request_target
// events (pull_request), issue_comment events (issue, with a pull_request
// key when the issue is a pull request); other events give an Event
// without a Number.
func ReadEvent(path string) (Event, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Event{}, fmt.Errorf("read the GitHub event: %w", err)
	}
	var raw struct {
		PullRequest *struct {
			Number int `json:"number"`
			Head   struct {
				SHA string `json:"sha"`
			} `json:"head"`
			User struct {
				Login string `json:"login"`
			} `json:"user"`
		} `json:"pull_request"`
		Issue *struct {
			Number      int             `json:"number"`
			PullRequest json.RawMessage `json:"pull_request"`
			User        struct {
				Login string `json:"login"`
			} `json:"user"`
		} `json:"issue"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return Event{}, fmt.Errorf("the GitHub event %s is not JSON: %v", path, err)
	}
	ev := Event{Repo: raw.Repository.FullName}
	switch {
	case raw.PullRequest != nil:
		ev.Number = raw.PullRequest.Number
		ev.HeadSHA = raw.PullRequest.Head.SHA
		ev.Author = raw.PullRequest.User.Login
	case raw.Issue != nil:
		ev.Author = raw.Issue.User.Login
		if p := strings.TrimSpace(string(raw.Issue.PullRequest)); p != "" && p != "null" {
			ev.Number = raw.Issue.Number
		} else {
			ev.Issue = raw.Issue.Number
		}
	}
	return ev, nil
}

// RunURL is the address of a workflow run's page, whose log holds the
// full plan: SERVER/REPO/actions/runs/ID (GITHUB_SERVER_URL,
// GITHUB_REPOSITORY, GITHUB_RUN_ID). It is "" when one is missing.
func RunURL(server, repo, runID string) string {
	if server == "" || repo == "" || runID == "" {
		return ""
	}
	return strings.TrimRight(server, "/") + "/" + repo + "/actions/runs/" + runID
}
