package testrun

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/meshctl/meshctl/lang/compile"
	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/diag"
	"github.com/meshctl/meshctl/lang/hcldiag"
	"github.com/meshctl/meshctl/lang/meshtest"
	"github.com/meshctl/meshctl/lang/suggest"
	"github.com/meshctl/meshctl/planner"
	"github.com/meshctl/meshctl/planner/plans"
	"github.com/meshctl/meshctl/planner/state"
)

func policyTest(ctx context.Context, t *meshtest.PolicyTest, opts Options) Result {
	var res Result
	ws, compiled := opts.Workspace, opts.Compiled
	var products, sources []string
	if t.Snippet != nil {
		var diags diag.Diagnostics
		ws, compiled, products, sources, diags = withSnippet(ctx, t, opts)
		if diags.HasErrors() {
			res.Diags = diags
			return res
		}
	} else {
		if _, diags := product(t.Product, hcldiag.Range(t.ProductRange), opts); diags.HasErrors() {
			res.Diags = diags
			return res
		}
		products = []string{t.Product}
	}
	var tested []string
	for _, p := range products {
		tested = append(tested, "product."+p)
	}
	for _, s := range sources {
		tested = append(tested, "source."+s)
	}
	what := strings.Join(tested, ", ")
	res.Subject = fmt.Sprintf("policy.%s on %s", t.Policy, what)
	if ws.Policies[t.Policy] == nil {
		res.Diags = errorAt(hcldiag.Range(t.PolicyRange), "Unknown policy", "No policy named %q is declared in the workspace or its governance folders.%s If it is a governance policy, run with --policies DIR (the governance folder).",
			t.Policy, suggest.DidYouMean(t.Policy, ws.PolicyOrder))
		return res
	}

	// Only the tested policy, and no exemption: a policy test is about
	// what the rule says, not about which products the mesh excuses.
	only := *ws
	only.PolicyOrder = []string{t.Policy}
	only.Exemptions, only.ExemptionOrder = map[string]*configs.Exemption{}, nil
	var targets []string
	if len(products) > 0 {
		targets = products
	}
	plan, err := planner.Plan(ctx, planner.Options{Workspace: &only, Compiled: compiled, Prior: state.New(""), Targets: targets, Now: opts.Now})
	if err != nil {
		res.Diags = errorAt(hcldiag.Range(t.Range), "Planning the policy test failed", "test %q: %v.", t.Name, err)
		return res
	}
	mine := map[string]bool{}
	for _, p := range products {
		mine[p] = true
	}
	for _, s := range sources {
		mine["source."+s] = true
	}
	for _, v := range plan.Violations {
		if v.Policy == t.Policy && (v.Product != "" && mine[v.Product] || v.Product == "" && mine[v.Object]) {
			res.Violations = append(res.Violations, v)
		}
	}

	list := func() string {
		var b strings.Builder
		for _, v := range res.Violations {
			fmt.Fprintf(&b, "\n  %s: %s", v.Object, v.Message)
		}
		return b.String()
	}
	switch {
	case t.Expect == meshtest.Pass && len(res.Violations) > 0:
		res.Failure = fmt.Sprintf("policy.%s fails for %s; the test expects it to pass:%s", t.Policy, what, list())
	case t.Expect == meshtest.Fail && len(res.Violations) == 0:
		res.Failure = fmt.Sprintf("policy.%s passes for %s; the test expects it to fail.", t.Policy, what)
	case t.Expect == meshtest.Fail && t.HasMessage && !anyContains(res.Violations, t.Message):
		res.Failure = fmt.Sprintf("policy.%s fails for %s, but no message contains %q:%s", t.Policy, what, t.Message, list())
	default:
		res.Passed = true
	}
	return res
}

func anyContains(vs []plans.Violation, part string) bool {
	for _, v := range vs {
		if strings.Contains(v.Message, part) {
			return true
		}
	}
	return false
}

// withSnippet loads a copy of the workspace with the test's snippet as one
// more file, and compiles the products the snippet declares.
func withSnippet(ctx context.Context, t *meshtest.PolicyTest, opts Options) (*configs.Workspace, *compile.Result, []string, []string, diag.Diagnostics) {
	files := append(workspaceFiles(opts.Workspace), configs.File{Name: t.Snippet.File, Src: t.Snippet.Src})
	ws, diags := configs.LoadFiles(files, configs.Options{Getenv: opts.Getenv, DisplayDir: opts.Workspace.DisplayDir})
	if diags = onlyErrors(diags); diags.HasErrors() {
		return nil, nil, nil, nil, diags
	}
	var products, sources []string
	for _, n := range ws.ProductOrder {
		if ws.Products[n].Range.Filename == t.Snippet.File {
			products = append(products, n)
		}
	}
	for _, n := range ws.SourceOrder {
		if ws.Sources[n].Range.Filename == t.Snippet.File {
			sources = append(sources, n)
		}
	}
	if len(products) == 0 && len(sources) == 0 {
		return nil, nil, nil, nil, errorAt(hcldiag.Range(t.ProductRange), "No product in the snippet",
			"The heredoc declares no product (nor source) for policy.%s to judge: write a product block in it.", t.Policy)
	}
	compiled, diags := compile.Compile(ctx, ws, compile.Options{Readers: opts.Readers, Products: products})
	if diags = onlyErrors(diags); diags.HasErrors() {
		return nil, nil, nil, nil, diags
	}
	return ws, compiled, products, sources, nil
}

func onlyErrors(ds diag.Diagnostics) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range ds {
		if d.Severity == diag.Error {
			out = append(out, d)
		}
	}
	return out
}

// workspaceFiles returns the files a workspace was loaded from, to load
// it again. A governance file is recognised by its policies and
// exemptions, which record their folder; a governance file declaring
// neither contributes nothing and is left out.
func workspaceFiles(ws *configs.Workspace) []configs.File {
	gov := map[string]string{}
	for _, p := range ws.Policies {
		if p.Governance != "" {
			gov[p.Range.Filename] = p.Governance
		}
	}
	for _, e := range ws.Exemptions {
		if e.Governance != "" {
			gov[e.Range.Filename] = e.Governance
		}
	}
	names := make([]string, 0, len(ws.Files))
	for n := range ws.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []configs.File
	for _, n := range names {
		f := configs.File{Name: n, Src: ws.Files[n]}
		if ws.Governance[n] {
			dir, ok := gov[n]
			if !ok {
				continue
			}
			f.Governance = dir
		}
		out = append(out, f)
	}
	return out
}
