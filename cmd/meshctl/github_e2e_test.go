package main

// End-to-end tests of plan --github-comment and github comment: the real
// binary, a fixture GITHUB_EVENT_PATH, and a fake GitHub API
// (providers/github/githubtest) that records every request.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
	"github.com/meshctl/meshctl/providers/github/githubtest"
)

const (
	ghToken = "ghs_e2eS3cr3tTok3n"
	ghSHA   = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"
	ghRun   = "https://github.com/acme/mesh/actions/runs/4242"
)

// ghRepo is a checkout of acme/mesh with GitHub Actions' environment for
// a pull_request event on pull request 7, served by a fake GitHub.
type ghRepo struct {
	root string // the checkout: GITHUB_WORKSPACE
	srv  *githubtest.Server
	env  []string
}

func newGHRepo(t *testing.T) *ghRepo {
	t.Helper()
	r := &ghRepo{root: t.TempDir(), srv: githubtest.New(t.Cleanup, "acme", "mesh", ghToken)}
	r.srv.AddPullRequest(7, ghSHA, "alice")
	event := filepath.Join(t.TempDir(), "event.json")
	write(t, filepath.Dir(event), "event.json", `{"action":"synchronize","number":7,
  "pull_request":{"number":7,"head":{"sha":"`+ghSHA+`"},"user":{"login":"alice"}},
  "repository":{"full_name":"acme/mesh"}}`)
	r.env = append(testEnv(t),
		"GITHUB_ACTIONS=true",
		"GITHUB_EVENT_NAME=pull_request",
		"GITHUB_EVENT_PATH="+event,
		"GITHUB_REPOSITORY=acme/mesh",
		"GITHUB_TOKEN="+ghToken,
		"GITHUB_API_URL="+r.srv.URL,
		"GITHUB_SERVER_URL=https://github.com",
		"GITHUB_RUN_ID=4242",
		"GITHUB_WORKSPACE="+r.root,
	)
	return r
}

// workspace puts a copy of examples/sales at rel in the checkout.
func (r *ghRepo) workspace(t *testing.T, rel string) string {
	t.Helper()
	dst := filepath.Join(r.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(salesWorkspace(t), dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// run runs meshctl in dir with the repository's environment (and extra
// variables, which override) and checks its exit status and that the
// token never shows.
func (r *ghRepo) run(t *testing.T, dir string, want int, extra []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string(nil), r.env...), extra...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run meshctl %v: %v", args, err)
	}
	if res.code != want {
		t.Fatalf("meshctl %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.code, want, res.stdout, res.stderr)
	}
	if strings.Contains(res.stdout+res.stderr, ghToken) {
		t.Errorf("meshctl %s printed the token", strings.Join(args, " "))
	}
	return res
}

// writes returns the requests that change something, as "METHOD PATH".
func writes(reqs []githubtest.Request) []string {
	var out []string
	for _, r := range reqs {
		if r.Method != "GET" {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

const salesMarker = "<!-- meshctl-plan workspace=acme-sales dir=domains/sales -->"

// financeProduct is a product of another domain, with its own team, that
// reads orders_clean: a consumer of the sales domain.
const financeProduct = `domain "finance" {
  owner = "finance-data@acme.example"
  team  = "acme/finance-analytics"
}

product "order_stats" {
  domain = domain.finance
  owner  = "finance-data@acme.example"

  input "orders" {
    from = product.orders_clean
  }

  transform "stats" {
    from = input.orders
    aggregate {
      group_by = [customer_id]
      columns = {
        orders = count()
      }
    }
  }

  output {
    path = "lake/order_stats/"
  }

  sla {
    freshness = "24h"
  }
}
`

func TestGitHubCommentEndToEnd(t *testing.T) {
	t.Parallel()
	repo := newGHRepo(t)
	dir := repo.workspace(t, "domains/sales")

	// 1. The first plan creates the comment and the status.
	r := repo.run(t, dir, 0, nil, "plan", "-github-comment")
	comments := repo.srv.Comments(7)
	if len(comments) != 1 {
		t.Fatalf("%d comments after the first plan, want 1", len(comments))
	}
	first := comments[0]
	if !strings.HasPrefix(first.Body, salesMarker+"\n### meshctl plan — acme-sales in domains/sales\n\n**Plan: 3 to create, 0 to update, 0 to replace, 0 to delete.**\n") {
		t.Errorf("the comment starts:\n%s", first.Body[:min(len(first.Body), 300)])
	}
	if want := fmt.Sprintf("Created the plan comment on acme/mesh#7: https://github.com/acme/mesh/pull/7#issuecomment-%d\n", first.ID); !strings.Contains(r.stdout, want) {
		t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
	}
	want := []githubtest.Status{{SHA: ghSHA, State: "success", Context: "meshctl/plan (acme-sales in domains/sales)",
		Description: "3 to create, 0 breaking, 0 policy violations", TargetURL: ghRun}}
	if diff := cmp.Diff(want, repo.srv.Statuses()); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"POST /repos/acme/mesh/issues/7/comments", "POST /repos/acme/mesh/statuses/" + ghSHA}, writes(repo.srv.Requests())); diff != "" {
		t.Errorf("first run's writes (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stdout, `Set the commit status "meshctl/plan (acme-sales in domains/sales)" on 9f8e7d6c5b4a: success, 3 to create, 0 breaking, 0 policy violations.`) {
		t.Errorf("stdout:\n%s", r.stdout)
	}

	// 2. A second plan edits the same comment.
	n := len(repo.srv.Requests())
	r = repo.run(t, dir, 0, nil, "plan", "--github-comment")
	comments = repo.srv.Comments(7)
	if len(comments) != 1 || comments[0].ID != first.ID || comments[0].Body == first.Body {
		t.Fatalf("after the second plan: %d comments (ids %v), want comment %d edited", len(comments), comments, first.ID)
	}
	if diff := cmp.Diff([]string{fmt.Sprintf("PATCH /repos/acme/mesh/issues/comments/%d", first.ID), "POST /repos/acme/mesh/statuses/" + ghSHA},
		writes(repo.srv.Requests()[n:])); diff != "" {
		t.Errorf("second run's writes (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.stdout, "Updated the plan comment on acme/mesh#7") {
		t.Errorf("stdout:\n%s", r.stdout)
	}

	// 3. A breaking change read by another domain: the comment names the
	// consumer and its owner, and its team is asked to review; the sales
	// products that read it too belong to the changing team.
	write(t, dir, "products/order_stats.mesh.hcl", financeProduct)
	repo.run(t, dir, 0, nil, "apply", "-auto-approve")
	editFile(t, dir, "products/orders_clean.mesh.hcl", "        order_month = date_trunc(\"month\", ordered_at)\n", "")
	editFile(t, dir, "products/orders_clean.mesh.hcl", "    column \"order_month\" {\n      type = \"timestamp\"\n    }\n", "")
	repo.srv.SetTeams("finance-analytics")
	n = len(repo.srv.Requests())
	r = repo.run(t, dir, 0, nil, "plan", "--github-comment")
	body := repo.srv.Comments(7)[0].Body
	for _, s := range []string{
		"> [!IMPORTANT]\n> **Breaking changes reach 3 downstream products**: their owners should review this change.",
		"> - **product.orders_clean** is read by ",
		"product.order_stats (`finance-data@acme.example`, `acme/finance-analytics`)",
		// Risk order: the breaking change's row first.
		"| :-- | :-- | :-- | :-- |\n| product.orders_clean | 🔄 replace |",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("the comment lacks %q:\n%s", s, body)
		}
	}
	if diff := cmp.Diff([]string{"finance-analytics"}, repo.srv.ReviewRequests(7)); diff != "" {
		t.Errorf("review requests (-want +got):\n%s", diff)
	}
	var reviewBody string
	for _, q := range repo.srv.Requests()[n:] {
		if q.Path == "/repos/acme/mesh/pulls/7/requested_reviewers" {
			reviewBody = q.Body
		}
	}
	if strings.TrimSpace(reviewBody) != `{"team_reviewers":["finance-analytics"]}` {
		t.Errorf("review request body %q", reviewBody)
	}
	if !strings.Contains(r.stdout, "Requested reviews on acme/mesh#7 from the teams of the breaking changes' consumers: acme/finance-analytics.") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	st := repo.srv.Statuses()
	if got := st[len(st)-1]; got.State != "success" || !strings.Contains(got.Description, ", 1 breaking, 0 policy violations") {
		t.Errorf("status after the breaking change: %+v", got)
	}
}

// TestGitHubCommentBlockedPlan: a plan that mandatory policies block
// exits 1 and saves nothing, but its comment and a failing status are
// posted.
func TestGitHubCommentBlockedPlan(t *testing.T) {
	t.Parallel()
	repo := newGHRepo(t)
	dir := repo.workspace(t, "domains/sales")
	write(t, dir, "strict.mesh.hcl", `policy "everything_described" {
  enforcement = "hard_mandatory"
  applies_to  = "product"
  condition   = product.name != "top_customers"
  message     = "top_customers may not be created"
}
`)
	r := repo.run(t, dir, 1, nil, "plan", "--github-comment", "-out", "plan.out")
	if !strings.Contains(r.stderr, "the plan cannot be applied: 1 mandatory policy check failed") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "plan.out")); err == nil {
		t.Error("a blocked plan was saved")
	}
	comments := repo.srv.Comments(7)
	if len(comments) != 1 || !strings.Contains(comments[0].Body, "| ⛔ blocking (hard_mandatory) | policy.everything_described") {
		t.Fatalf("comments: %+v", comments)
	}
	want := []githubtest.Status{{SHA: ghSHA, State: "failure", Context: "meshctl/plan (acme-sales in domains/sales)",
		Description: "3 to create, 0 breaking, 1 policy violation (1 blocking)", TargetURL: ghRun}}
	if diff := cmp.Diff(want, repo.srv.Statuses()); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// TestGitHubCommentMonorepo: two workspaces of one repository get a
// comment each, each edited by its own later runs.
func TestGitHubCommentMonorepo(t *testing.T) {
	t.Parallel()
	repo := newGHRepo(t)
	sales := repo.workspace(t, "domains/sales")
	emea := repo.workspace(t, "domains/sales-emea")
	repo.run(t, sales, 0, nil, "plan", "--github-comment")
	repo.run(t, repo.root, 0, nil, "--chdir", "domains/sales-emea", "plan", "--github-comment")
	cs := repo.srv.Comments(7)
	if len(cs) != 2 {
		t.Fatalf("%d comments, want one per workspace", len(cs))
	}
	if !strings.HasPrefix(cs[0].Body, salesMarker+"\n") || !strings.HasPrefix(cs[1].Body, "<!-- meshctl-plan workspace=acme-sales dir=domains/sales-emea -->\n") {
		t.Errorf("markers:\n%s\n%s", firstLineOf(cs[0].Body), firstLineOf(cs[1].Body))
	}
	repo.run(t, emea, 0, nil, "plan", "--github-comment")
	again := repo.srv.Comments(7)
	if len(again) != 2 || again[0].Body != cs[0].Body || again[1].ID != cs[1].ID || again[1].Body == cs[1].Body {
		t.Errorf("a second run of one workspace touched the other's comment or made a third")
	}
	var contexts []string
	for _, s := range repo.srv.Statuses() {
		contexts = append(contexts, s.Context)
	}
	if diff := cmp.Diff([]string{"meshctl/plan (acme-sales in domains/sales)", "meshctl/plan (acme-sales in domains/sales-emea)", "meshctl/plan (acme-sales in domains/sales-emea)"}, contexts); diff != "" {
		t.Errorf("status contexts (-want +got):\n%s", diff)
	}
}

func firstLineOf(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// TestGitHubCommentSavedPlan: github comment --plan FILE on an
// issue_comment event, which does not carry the head commit: meshctl
// fetches the pull request for it.
func TestGitHubCommentSavedPlan(t *testing.T) {
	t.Parallel()
	repo := newGHRepo(t)
	dir := repo.workspace(t, "domains/sales")
	repo.run(t, dir, 0, nil, "plan", "-out", "plan.out")
	event := filepath.Join(t.TempDir(), "comment.json")
	if err := os.WriteFile(event, []byte(`{"action":"created","issue":{"number":7,"pull_request":{"url":"x"},"user":{"login":"alice"}},"comment":{"body":"/meshctl plan"},"repository":{"full_name":"acme/mesh"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"GITHUB_EVENT_NAME=issue_comment", "GITHUB_EVENT_PATH=" + event}
	r := repo.run(t, dir, 0, env, "github", "comment", "--plan", "plan.out")
	if !strings.Contains(r.stdout, "Plan: 3 to create, 0 to update, 0 to replace, 0 to delete.") {
		t.Errorf("github comment does not show the plan in the log:\n%s", r.stdout)
	}
	reqs := repo.srv.Requests()
	if len(reqs) == 0 || reqs[0].Method != "GET" || reqs[0].Path != "/repos/acme/mesh/pulls/7" {
		t.Errorf("the head commit was not fetched first: %+v", reqs)
	}
	if st := repo.srv.Statuses(); len(st) != 1 || st[0].SHA != ghSHA {
		t.Errorf("statuses: %+v", st)
	}
	cs := repo.srv.Comments(7)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, salesMarker+"\n") {
		t.Fatalf("comments: %+v", cs)
	}
	// Outside Actions, with flags: the same comment, edited; the notice
	// of a cut comment would name the plan file.
	local := []string{"GITHUB_EVENT_PATH=", "GITHUB_REPOSITORY=", "GITHUB_RUN_ID=", "GITHUB_EVENT_NAME="}
	r = repo.run(t, dir, 0, local, "github", "comment", "-plan", "plan.out", "-repo", "acme/mesh", "-pr", "7", "-sha", ghSHA, "-status=false")
	if got := repo.srv.Comments(7); len(got) != 1 || got[0].ID != cs[0].ID {
		t.Errorf("the flags' run made another comment: %+v", got)
	}
	if !strings.Contains(r.stdout, "The plan comment on acme/mesh#7 is up to date") {
		t.Errorf("the same plan changed the comment:\n%s", r.stdout)
	}
	if len(repo.srv.Statuses()) != 1 {
		t.Error("-status=false set a status")
	}
}

// TestGitHubCommentHugePlan: a plan too big for a comment is cut under
// GitHub's limit, with a link to the run's log, which holds all of it.
func TestGitHubCommentHugePlan(t *testing.T) {
	t.Parallel()
	repo := newGHRepo(t)
	dir := repo.workspace(t, "domains/sales")
	src, err := os.ReadFile(filepath.Join(dir, "products", "orders_clean.mesh.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		name := "orders_clean_" + strconv.Itoa(i)
		doc := strings.Replace(string(src), `product "orders_clean"`, `product "`+name+`"`, 1)
		doc = strings.Replace(doc, "lake/orders_clean/", "lake/"+name+"/", 1)
		write(t, dir, "products/"+name+".mesh.hcl", doc)
	}
	r := repo.run(t, dir, 0, nil, "plan", "--github-comment")
	body := repo.srv.Comments(7)[0].Body
	if n := len([]rune(body)); n >= 65536 || len(body) > 65536 {
		t.Errorf("the comment is %d characters (%d bytes), over GitHub's limit", n, len(body))
	}
	if !strings.Contains(body, "not shown") || !strings.Contains(body, "see the full plan in [the run's log]("+ghRun+")") {
		t.Errorf("the cut comment has no notice linking to the run:\n%s", body[max(0, len(body)-1000):])
	}
	if strings.Count(r.stdout, " will be created") != 303 {
		t.Errorf("the log does not hold the whole plan")
	}
}

// TestGitHubCommentErrors: what is missing is said, with the permission
// to give, and the token never shows.
func TestGitHubCommentErrors(t *testing.T) {
	t.Parallel()
	repo := newGHRepo(t)
	dir := repo.workspace(t, "domains/sales")
	for _, tc := range []struct {
		name  string
		env   []string
		deny  string
		args  []string
		want  string
		posts bool
	}{
		{"no token", []string{"GITHUB_TOKEN="}, "", nil,
			"Error: no GitHub token: GITHUB_TOKEN is empty; in the workflow, set env: GITHUB_TOKEN: ${{ github.token }} (or name another variable with --token-env)\n", false},
		{"another token variable", []string{"MESH_BOT_TOKEN=wrong"}, "", []string{"--token-env", "MESH_BOT_TOKEN"},
			"Error: 401: GitHub refused the token in MESH_BOT_TOKEN (bad credentials, or it expired) trying to read pull-request comments on acme/mesh#7: check the secret the workflow passes (GitHub: Bad credentials)\n", false},
		{"push event", []string{"GITHUB_EVENT_NAME=push", "GITHUB_EVENT_PATH="}, "", nil,
			"Error: no pull request: this run's push event is not about one; post plans on pull_request or issue_comment events, or give --pr NUMBER\n", false},
		{"cannot write comments", nil, githubtest.WriteComments, nil,
			"Error: 403: the token cannot write pull-request comments on acme/mesh#7: give the workflow `permissions: pull-requests: write` (GitHub: Resource not accessible by integration); a pull request from a fork gets a read-only token\n", false},
		{"unknown pull request", nil, "", []string{"--pr", "99", "--sha", ghSHA},
			"Error: 404: repository acme/mesh or its pull request #99 was not found, or the token cannot see it: check the repository and pull request (--repo, --pr, --sha) and give the workflow `permissions: pull-requests: read` (and `contents: read` for a private repository) (GitHub: Not Found)\n", false},
		{"flags without --github-comment", nil, "", []string{"--pr", "3"}, "Error: --pr goes with --github-comment\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.deny != "" {
				repo.srv.Deny(tc.deny)
			}
			args := append([]string{"plan"}, tc.args...)
			if tc.name != "flags without --github-comment" {
				args = append(args, "--github-comment")
			}
			r := repo.run(t, dir, 1, tc.env, args...)
			if r.stderr != tc.want {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, tc.want)
			}
		})
	}
	if got := repo.srv.Comments(7); len(got) != 0 {
		t.Errorf("comments after errors: %+v", got)
	}
}

// TestReviewTeams: which teams a breaking change asks to review.
func TestReviewTeams(t *testing.T) {
	rec := func(team string) *state.Product { return &state.Product{Metadata: state.Metadata{Team: team}} }
	p := &plans.Plan{Changes: []*plans.ProductChange{
		{Product: "orders", Action: plans.Replace, Breaking: true, Before: rec("acme/sales"), After: rec("acme/sales"), Downstream: []plans.Downstream{
			{Product: "stats", Team: "acme/finance", Direct: true},
			{Product: "dash", Team: "acme/exec", Direct: false},         // indirect
			{Product: "own", Team: "acme/sales", Direct: true},          // the changing team
			{Product: "ml", Team: "acme-ml/data-science", Direct: true}, // another organisation
			{Product: "bare", Team: "marketing", Direct: true},          // a bare slug
			{Product: "stats2", Team: "@acme/Finance", Direct: true},    // the same team again
			{Product: "noteam", Owner: "x@acme.example", Direct: true},  // no team
		}},
		{Product: "clean", Action: plans.Replace, Before: rec("acme/ops"), After: rec("acme/ops"), Downstream: []plans.Downstream{
			{Product: "other", Team: "acme/risk", Direct: true}, // not breaking
		}},
	}}
	slugs, skipped := reviewTeams(p, "acme")
	if diff := cmp.Diff([]string{"finance", "marketing"}, slugs); diff != "" {
		t.Errorf("slugs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]skippedTeam{{"acme-ml/data-science", "not a team of the acme organisation, which owns the repository"}}, skipped, cmp.AllowUnexported(skippedTeam{})); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestStatusDescription(t *testing.T) {
	for _, tc := range []struct {
		plan *plans.Plan
		want string
	}{
		{&plans.Plan{}, "no changes, 0 breaking, 0 policy violations"},
		{&plans.Plan{Changes: []*plans.ProductChange{{Action: plans.Create}, {Action: plans.Create}, {Action: plans.Replace, Breaking: true}, {Action: plans.NoOp}}},
			"2 to create, 1 to replace, 1 breaking, 0 policy violations"},
		{&plans.Plan{Changes: []*plans.ProductChange{{Action: plans.Delete, Refused: "prevent_destroy"}},
			Violations: []plans.Violation{{Enforcement: plans.HardMandatory}, {Enforcement: plans.Advisory}}},
			"1 to delete, 0 breaking, 1 refused, 2 policy violations (1 blocking)"},
	} {
		if got := statusDescription(tc.plan); got != tc.want {
			t.Errorf("statusDescription = %q, want %q", got, tc.want)
		}
	}
}

func TestMarkerEscape(t *testing.T) {
	w := ghWorkspace{name: "a -->b", dir: "x y/z"}
	if got, want := w.marker(), "<!-- meshctl-plan workspace=a%20--%3Eb dir=x%20y/z -->"; got != want {
		t.Errorf("marker = %q, want %q", got, want)
	}
}
