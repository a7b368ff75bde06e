package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/render"
	"github.com/meshctl/meshctl/providers/github"
)

// githubFlags say where a plan is posted: the flags of github comment, and
// of plan with --github-comment.
type githubFlags struct {
	cmd      *cobra.Command
	comment  bool // plan --github-comment
	repo     string
	pr       int
	sha      string
	tokenEnv string
	apiURL   string
	status   bool
	reviews  bool
}

// githubContextFlags are the flags that only mean something with
// --github-comment on plan.
var githubContextFlags = []string{"repo", "pr", "sha", "token-env", "github-api-url", "status", "request-reviews"}

func (f *githubFlags) register(cmd *cobra.Command, plan bool) {
	f.cmd = cmd
	fs := cmd.Flags()
	with := ""
	if plan {
		fs.BoolVar(&f.comment, "github-comment", false, "post the plan to the GitHub pull request as a sticky comment, ask the consumers of breaking changes to review, and set a commit status (see meshctl github comment --help)")
		with = " (with --github-comment)"
	}
	fs.StringVar(&f.repo, "repo", "", "the pull request's repository `OWNER/NAME`"+with+" (default: GITHUB_REPOSITORY)")
	fs.IntVar(&f.pr, "pr", 0, "the pull request `NUMBER`"+with+" (default: the event of GITHUB_EVENT_PATH)")
	fs.StringVar(&f.sha, "sha", "", "the `COMMIT` the status goes on"+with+" (default: the pull request's head)")
	fs.StringVar(&f.tokenEnv, "token-env", "GITHUB_TOKEN", "read the GitHub token from the environment variable `NAME`"+with)
	fs.StringVar(&f.apiURL, "github-api-url", "", "the GitHub REST API `URL`"+with+" (default: GITHUB_API_URL, else https://api.github.com)")
	fs.BoolVar(&f.status, "status", true, "set a commit status that summarises the plan"+with+"; -status=false skips it")
	fs.BoolVar(&f.reviews, "request-reviews", true, "ask the teams of the consumers of breaking changes to review"+with+"; -request-reviews=false skips it")
}

// post posts the plan when plan runs with --github-comment, and refuses
// the GitHub flags without it.
func (f *githubFlags) post(ctx context.Context, g *globals, w *workspace, p *plans.Plan) error {
	if !f.comment {
		for _, name := range githubContextFlags {
			if f.cmd.Flags().Changed(name) {
				return fmt.Errorf("--%s goes with --github-comment", name)
			}
		}
		return nil
	}
	full := "meshctl plan"
	if g.chdir != "" {
		full += " --chdir " + shellQuote(g.chdir)
	}
	return g.postPlan(ctx, w.root, w.config, p, f, full)
}

func newGitHubCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "github",
		Short: "Post plans to GitHub pull requests",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newGitHubCommentCmd(g))
	return cmd
}

func newGitHubCommentCmd(g *globals) *cobra.Command {
	var planFile string
	var f githubFlags
	cmd := &cobra.Command{
		Use:   "comment --plan FILE",
		Short: "Post a saved plan to its pull request: a sticky comment, review requests, a commit status",
		Long: `Comment posts a saved plan (plan -out FILE) to a GitHub pull request, as
plan --github-comment does for the plan it makes. Run it in the workspace
the plan was made in (or with --chdir), usually in GitHub Actions.

The pull request comes from the run: GITHUB_EVENT_PATH (pull_request and
issue_comment events), GITHUB_REPOSITORY, GITHUB_API_URL, and the token
from GITHUB_TOKEN (or the variable --token-env names); --repo, --pr and
--sha override them.

Three things are posted:

  - One sticky comment per workspace, found again by a hidden marker that
    names the mesh and the workspace's folder in the repository: created
    on the first run, edited on later ones, so that a monorepo with several
    workspaces gets one comment each. Products are ordered by risk
    (refused, breaking, delete, replace, create, update) and the consumers
    of breaking changes are named with their owners and teams. A plan too
    big for a comment is cut, with a link to the run's log.
  - When a change is breaking, a review request to the domain teams of
    the products that read it directly: teams named "org/slug" in the
    repository's organisation (a bare "slug" counts as one), except the
    changed product's own team, whose members write the change. Teams
    GitHub will not ask are warnings, not errors: GITHUB_TOKEN cannot see
    an organisation's teams, so team reviews need a GitHub App's token or
    a fine-grained token with Members: read (--token-env).
  - A commit status "meshctl/plan (WORKSPACE)" on the pull request's head
    commit: "2 to create, 1 breaking, 0 policy violations", failing when
    apply would refuse the plan (blocking policy violations, refused
    changes).

The workflow needs permissions pull-requests: write and statuses: write.
The token is never printed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if planFile == "" {
				return errors.New("--plan FILE is required: the plan saved by meshctl plan -out FILE")
			}
			b, err := os.ReadFile(g.path(planFile))
			if err != nil {
				return err
			}
			pf, err := plans.DecodeFile(b, planFile)
			if err != nil {
				return err
			}
			root, err := g.root()
			if err != nil {
				return err
			}
			cfg, diags := configs.Load(os.DirFS(root), configs.Options{Getenv: g.lookup, DisplayDir: g.displayDir()})
			if cfg == nil {
				g.printDiags(diags, nil)
				return errors.New("github comment names its comment after the workspace the plan was made in: run it there, or give --chdir DIR")
			}
			// The run's log shows the whole plan, which a cut comment
			// links to.
			if err := g.showPlan(pf.Plan); err != nil {
				return err
			}
			return g.postPlan(cmd.Context(), root, cfg, pf.Plan, &f, "meshctl show "+shellQuote(planFile))
		},
	}
	cmd.Flags().StringVar(&planFile, "plan", "", "the saved plan `FILE` (meshctl plan -out FILE)")
	f.register(cmd, false)
	return cmd
}

// ghWorkspace names a workspace on GitHub: its mesh's name and its folder
// relative to the repository's root ("." at the root).
type ghWorkspace struct{ name, dir string }

// label is "acme-sales", or "acme-sales in domains/sales" below the root.
func (w ghWorkspace) label() string {
	if w.dir == "." {
		return w.name
	}
	return w.name + " in " + w.dir
}

// marker is the hidden first line of the workspace's sticky comment.
// Characters that could end the HTML comment are escaped.
func (w ghWorkspace) marker() string {
	return "<!-- meshctl-plan workspace=" + markerEscape(w.name) + " dir=" + markerEscape(w.dir) + " -->"
}

func markerEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._/@:+-", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// githubWorkspace identifies the workspace at root. Its folder is taken
// relative to GITHUB_WORKSPACE (the checkout) when root is inside it, else
// to the nearest folder above holding .git.
func (g *globals) githubWorkspace(root string, cfg *configs.Workspace) ghWorkspace {
	w := ghWorkspace{name: filepath.Base(root), dir: "."}
	if cfg != nil && cfg.Mesh != nil && cfg.Mesh.Name != "" {
		w.name = cfg.Mesh.Name
	}
	rel := func(base string) (string, bool) {
		r, err := filepath.Rel(base, root)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", false
		}
		return filepath.ToSlash(r), true
	}
	if ws := g.getenv("GITHUB_WORKSPACE"); ws != "" {
		if abs, err := filepath.Abs(ws); err == nil {
			if r, ok := rel(abs); ok {
				w.dir = r
				return w
			}
		}
	}
	for dir := root; ; {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			if r, ok := rel(dir); ok {
				w.dir = r
			}
			return w
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return w
		}
		dir = parent
	}
}

// githubPR finds the pull request from the flags and the Actions run.
func (g *globals) githubPR(f *githubFlags) (github.PullRequest, error) {
	var ev github.Event
	if path := g.getenv("GITHUB_EVENT_PATH"); path != "" {
		var err error
		if ev, err = github.ReadEvent(path); err != nil {
			return github.PullRequest{}, err
		}
	}
	full := f.repo
	if full == "" {
		full = g.getenv("GITHUB_REPOSITORY")
	}
	if full == "" {
		full = ev.Repo
	}
	if full == "" {
		return github.PullRequest{}, errors.New("no GitHub repository: give --repo OWNER/NAME (GITHUB_REPOSITORY is not set)")
	}
	owner, repo, err := github.SplitRepo(full)
	if err != nil {
		return github.PullRequest{}, err
	}
	pr := github.PullRequest{Owner: owner, Repo: repo, Number: f.pr, HeadSHA: f.sha}
	if pr.Number == 0 {
		pr.Number = ev.Number
	}
	if pr.Number == ev.Number {
		if pr.HeadSHA == "" {
			pr.HeadSHA = ev.HeadSHA
		}
		pr.Author = ev.Author
	}
	if pr.Number <= 0 {
		event := g.getenv("GITHUB_EVENT_NAME")
		switch {
		case ev.Issue != 0:
			return pr, fmt.Errorf("no pull request: the %s event is on issue #%d, which is not a pull request", event, ev.Issue)
		case event != "":
			return pr, fmt.Errorf("no pull request: this run's %s event is not about one; post plans on pull_request or issue_comment events, or give --pr NUMBER", event)
		}
		return pr, errors.New("no pull request: give --pr NUMBER, or run in GitHub Actions on a pull_request or issue_comment event (GITHUB_EVENT_PATH)")
	}
	return pr, nil
}

// postPlan posts a plan to its pull request: the sticky comment, the
// review requests for breaking changes, the commit status. full is the
// command that shows the whole plan, for a cut comment outside Actions.
func (g *globals) postPlan(ctx context.Context, root string, cfg *configs.Workspace, p *plans.Plan, f *githubFlags, full string) error {
	pr, err := g.githubPR(f)
	if err != nil {
		return err
	}
	tokenEnv := f.tokenEnv
	if tokenEnv == "" {
		tokenEnv = "GITHUB_TOKEN"
	}
	api := f.apiURL
	if api == "" {
		api = g.getenv("GITHUB_API_URL")
	}
	client, err := github.New(github.Options{Token: g.getenv(tokenEnv), TokenName: tokenEnv, APIURL: api, UserAgent: "meshctl/" + buildVersion().Version})
	if err != nil {
		if g.getenv(tokenEnv) == "" {
			return fmt.Errorf("no GitHub token: %s is empty; in the workflow, set env: %s: ${{ github.token }} (or name another variable with --token-env)", tokenEnv, tokenEnv)
		}
		return err
	}
	if pr.HeadSHA == "" && f.status {
		// An issue_comment event names the pull request, not its head.
		got, err := client.PullRequest(ctx, pr.Owner, pr.Repo, pr.Number)
		if err != nil {
			return err
		}
		pr.HeadSHA, pr.Author = got.HeadSHA, got.Author
	}
	ws := g.githubWorkspace(root, cfg)
	run := github.RunURL(g.getenv("GITHUB_SERVER_URL"), g.getenv("GITHUB_REPOSITORY"), g.getenv("GITHUB_RUN_ID"))
	opts := render.MarkdownOptions{Title: "meshctl plan — " + ws.label(), Marker: ws.marker(), FullPlanURL: run, RiskOrder: true, Consumers: true}
	if run == "" {
		opts.FullPlanCommand = full
	}
	var body bytes.Buffer
	if err := render.Markdown(&body, p, opts); err != nil {
		return err
	}
	out := g.streams.Out
	if g.json {
		out = g.streams.Err // standard output holds the JSON
	}
	fmt.Fprintln(out)
	c, err := client.UpsertComment(ctx, pr, opts.Marker, body.String())
	if err != nil {
		return err
	}
	switch c.Action {
	case github.CommentCreated:
		fmt.Fprintf(out, "Created the plan comment on %s: %s\n", pr, c.URL)
	case github.CommentUpdated:
		fmt.Fprintf(out, "Updated the plan comment on %s: %s\n", pr, c.URL)
	default:
		fmt.Fprintf(out, "The plan comment on %s is up to date: %s\n", pr, c.URL)
	}
	if f.reviews {
		g.requestReviews(ctx, out, client, pr, p)
	}
	if f.status {
		st := github.Status{State: github.StatusSuccess, Context: "meshctl/plan (" + ws.label() + ")", Description: statusDescription(p), TargetURL: run}
		if blocked(p) {
			st.State = github.StatusFailure
		}
		if st.TargetURL == "" {
			st.TargetURL = c.URL
		}
		if err := client.SetStatus(ctx, pr, st); err != nil {
			return err
		}
		fmt.Fprintf(out, "Set the commit status %q on %.12s: %s, %s.\n", st.Context, pr.HeadSHA, st.State, st.Description)
	}
	return nil
}

// requestReviews asks the consumers' teams of breaking changes to review.
// Failures are warnings: the comment already names the consumers, and a
// token that cannot see teams should not fail the plan.
func (g *globals) requestReviews(ctx context.Context, out io.Writer, client *github.Client, pr github.PullRequest, p *plans.Plan) {
	slugs, skipped := reviewTeams(p, pr.Owner)
	for _, s := range skipped {
		fmt.Fprintf(out, "Not asking %s to review: %s.\n", s.team, s.why)
	}
	if len(slugs) == 0 {
		return
	}
	got, err := client.RequestTeamReviews(ctx, pr, slugs)
	if len(got.Requested) > 0 {
		fmt.Fprintf(out, "Requested reviews on %s from the teams of the breaking changes' consumers: %s.\n", pr, strings.Join(qualify(pr.Owner, got.Requested), ", "))
	}
	for _, r := range got.Refused {
		fmt.Fprintf(g.streams.Err, "Warning: could not ask %s/%s to review: %v\n", pr.Owner, r.Slug, r.Err)
	}
	if err != nil {
		fmt.Fprintf(g.streams.Err, "Warning: could not request reviews from %s: %v\n", strings.Join(qualify(pr.Owner, slugs), ", "), err)
	}
}

func qualify(owner string, slugs []string) []string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = owner + "/" + s
	}
	return out
}

type skippedTeam struct{ team, why string }

// reviewTeams returns the team slugs to ask for a review of a plan's
// breaking changes: the teams of the products that read a breaking change
// directly (indirect readers break only through them), in the
// repository owner's organisation, without the changed product's own
// team (its members write the change). skipped lists the teams left out
// for another reason.
func reviewTeams(p *plans.Plan, owner string) (slugs []string, skipped []skippedTeam) {
	want := map[string]bool{}
	seenSkip := map[string]bool{}
	for _, c := range p.Changes {
		if !c.Breaking {
			continue
		}
		own := ""
		if c.After != nil {
			own = c.After.Metadata.Team
		} else if c.Before != nil {
			own = c.Before.Metadata.Team
		}
		ownSlug, _ := github.TeamSlug(own, owner)
		for _, d := range c.Downstream {
			if !d.Direct || d.Team == "" {
				continue
			}
			slug, ok := github.TeamSlug(d.Team, owner)
			switch {
			case !ok:
				if !seenSkip[d.Team] {
					seenSkip[d.Team] = true
					skipped = append(skipped, skippedTeam{d.Team, "not a team of the " + owner + " organisation, which owns the repository"})
				}
			case slug != ownSlug:
				want[slug] = true
			}
		}
	}
	for s := range want {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	return slugs, skipped
}

// blocked reports whether apply would refuse the plan.
func blocked(p *plans.Plan) bool {
	if len(p.Blocking()) > 0 {
		return true
	}
	for _, c := range p.Changes {
		if c.Refused != "" {
			return true
		}
	}
	return false
}

// statusDescription is the commit status's one line: "2 to create, 1
// breaking, 0 policy violations".
func statusDescription(p *plans.Plan) string {
	s := p.Summary()
	var parts []string
	for _, a := range []struct {
		n    int
		verb string
	}{{s.Create, "create"}, {s.Update, "update"}, {s.Replace, "replace"}, {s.Delete, "delete"}} {
		if a.n > 0 {
			parts = append(parts, strconv.Itoa(a.n)+" to "+a.verb)
		}
	}
	if len(parts) == 0 {
		parts = append(parts, "no changes")
	}
	parts = append(parts, strconv.Itoa(s.Breaking)+" breaking")
	refused := 0
	for _, c := range p.Changes {
		if c.Refused != "" {
			refused++
		}
	}
	if refused > 0 {
		parts = append(parts, strconv.Itoa(refused)+" refused")
	}
	v := strconv.Itoa(s.Violations) + " policy " + plural(s.Violations, "violation", "violations")
	if s.Blocking > 0 {
		v += " (" + strconv.Itoa(s.Blocking) + " blocking)"
	}
	return strings.Join(append(parts, v), ", ")
}
