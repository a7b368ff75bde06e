package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/meshctl/meshctl/lang/configs"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/planner/state"
)

// desired builds the state record a product will have once applied,
// without the published version (which apply fills in). Input
// fingerprints are filled by the caller.
func desired(cp *configs.Product, ws *configs.Workspace, p *ir.Product) *state.Product {
	rec := &state.Product{
		PlanFingerprint: planFingerprint(p),
		Transforms:      map[string]string{},
		Metadata:        metadataOf(cp, ws),
		Output: state.Output{
			Format:      p.Output.Format,
			Path:        p.Output.Path,
			Table:       p.Output.Table,
			PartitionBy: p.Output.PartitionBy,
		},
		Inputs: map[string]state.Input{},
	}
	roots := map[ir.Node]string{}
	for _, t := range p.Transforms {
		roots[t.Root] = "transform." + t.Name
	}
	// A scan prints as the input it serves: repointing an input is an
	// input's change, not its transforms'.
	inputOf := map[*ir.Source]string{}
	for _, in := range p.Inputs {
		inputOf[in.Source] = "input." + in.Name
	}
	for _, t := range p.Transforms {
		ir.WalkNodes(t.Root, func(n ir.Node) {
			if s, ok := n.(*ir.Scan); ok {
				if name, ok := inputOf[s.Source]; ok {
					roots[n] = name
				}
			}
		})
	}
	for _, t := range p.Transforms {
		rec.Transforms[t.Name] = hashText(nodeText(t.Root, roots))
	}
	masks := map[string]string{}
	if cp.Contract != nil {
		for _, c := range cp.Contract.Columns {
			masks[c.Name] = c.Mask
		}
	}
	for _, c := range p.Output.Schema {
		rec.Contract = append(rec.Contract, state.Column{Name: c.Name, Type: c.Type.String(), Nullable: c.Nullable,
			Description: c.Description, Tags: c.Tags, Mask: masks[c.Name]})
	}
	if cp.Lifecycle != nil {
		rec.PreventDestroy = cp.Lifecycle.PreventDestroy
	}
	if cp.Output != nil {
		rec.Output.Encryption, rec.Output.KMSKeyID = cp.Output.Encryption, cp.Output.KMSKeyID
	}
	rec.DefinitionHash = hashText(rec.PlanFingerprint + "\n" + outputKey(rec.Output))
	return rec
}

func metadataOf(cp *configs.Product, ws *configs.Workspace) state.Metadata {
	m := state.Metadata{Domain: cp.Domain.Name, Owner: cp.Owner, Description: cp.Description, Version: cp.Version, Tags: cp.Tags}
	if d := ws.Domains[cp.Domain.Name]; d != nil {
		m.Team = d.Team
		if m.Owner == "" {
			m.Owner = d.Owner
		}
	}
	if cp.SLA != nil {
		m.Freshness = cp.SLA.FreshnessText
	}
	if cp.Access != nil {
		m.Readers = cp.Access.Readers
	}
	return m
}

// outputKey identifies where and how a product publishes.
// Encryption enters only when set, so that records written before it
// existed keep their keys.
func outputKey(o state.Output) string {
	k := fmt.Sprintf("%s|%s|%s|%s", o.Format, o.Path, o.Table, strings.Join(o.PartitionBy, ","))
	if o.Encryption != "" {
		k += "|" + o.Encryption + "|" + o.KMSKeyID
	}
	return k
}

func hashText(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(h[:])
}

// planFingerprint hashes what the compiled product computes: the plan
// tree with every expression and type, how each input is read, the checks
// and the output's compression. Layout, comments, metadata, descriptions
// and tags do not enter it.
func planFingerprint(p *ir.Product) string {
	var b strings.Builder
	b.WriteString(nodeText(p.Output.Root, nil))
	// The published schema as written into the files (nullability).
	for _, c := range p.Output.Schema {
		fmt.Fprintf(&b, "publish %s %s %v\n", c.Name, c.Type, c.Nullable)
	}
	for _, in := range p.Inputs {
		s := in.Source
		fmt.Fprintf(&b, "input %s: %s %s %s %s %s delim=%q header=%v null=%q on_error=%s declared=%v\n",
			in.Name, s.Kind, s.Name, s.Path, s.Table, s.Format, s.CSV.Delimiter, s.CSV.Header, s.CSV.NullValue, s.CSV.OnError, s.Declared)
		// Written only when set, so that fingerprints recorded before
		// query sources existed stay the same.
		if s.Query != "" {
			fmt.Fprintf(&b, "input %s query: %q\n", in.Name, s.Query)
		}
		if s.DSNEnv != "" {
			fmt.Fprintf(&b, "input %s dsn from $%s\n", in.Name, s.DSNEnv)
		}
	}
	for _, c := range p.Checks {
		proj := c.Root.(*ir.Project)
		fmt.Fprintf(&b, "check %s %s %s\n", c.Name, c.Severity, ir.FormatExpr(proj.Exprs[0], proj.Input.Schema()))
	}
	fmt.Fprintf(&b, "compression %s\n", p.Output.Compression)
	return hashText(b.String())
}

// nodeText prints a plan subtree canonically: each operator and its
// columns' names, types and nullability (not tags or descriptions, which
// change no data). With stops, the roots of other transforms print as a
// reference, and scans as the input they read, so that a transform's text
// covers its own operators only.
func nodeText(n ir.Node, stops map[ir.Node]string) string {
	var b strings.Builder
	var walk func(n ir.Node, depth int, top bool)
	walk = func(n ir.Node, depth int, top bool) {
		pad := strings.Repeat(" ", depth)
		if name, ok := stops[n]; ok && !top {
			fmt.Fprintf(&b, "%s%s\n", pad, name)
			return
		}
		if stops != nil {
			// A transform's own operators: what it computes, not the
			// columns it inherits (an upstream's schema change is the
			// upstream's reason).
			fmt.Fprintf(&b, "%s%s\n", pad, ir.Label(n))
			for _, c := range n.Children() {
				walk(c, depth+1, false)
			}
			return
		}
		fmt.Fprintf(&b, "%s%s (", pad, ir.Label(n))
		for i, c := range n.Schema() {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s.%s %s %v", c.Qualifier, c.Name, c.Type, c.Nullable)
		}
		b.WriteString(")\n")
		if s, ok := n.(*ir.Scan); ok {
			fmt.Fprintf(&b, "%s  %s %s %s %s\n", pad, s.Source.Kind, s.Source.Name, s.Source.Path, s.Source.Table)
			if s.Source.Query != "" {
				fmt.Fprintf(&b, "%s  query %q\n", pad, s.Source.Query)
			}
		}
		for _, c := range n.Children() {
			walk(c, depth+1, false)
		}
	}
	walk(n, 0, true)
	return b.String()
}

// workspaceHash covers every configuration file: name and content.
func workspaceHash(ws *configs.Workspace) string {
	// Names are taken relative to the workspace root, so that a plan made
	// with --chdir applies from inside the workspace; governance files
	// are the platform team's, not the workspace's, and a saved plan
	// already carries their verdict.
	prefix := ""
	if ws.DisplayDir != "" {
		prefix = path.Clean(ws.DisplayDir) + "/"
	}
	names := make([]string, 0, len(ws.Files))
	for n := range ws.Files {
		if !ws.Governance[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", strings.TrimPrefix(n, prefix), len(ws.Files[n]))
		h.Write(ws.Files[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// WorkspaceHash is the hash a plan records of the workspace's files.
func WorkspaceHash(ws *configs.Workspace) string { return workspaceHash(ws) }
