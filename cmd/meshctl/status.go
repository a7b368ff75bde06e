package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshctl/meshctl/planner/freshness"
)

func newStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show every product's freshness against its SLA; exit 2 when one is stale",
		Long: `Status compares, for every product, the age of its published data (from the
deployed state: when the published version was computed) with its SLA
(sla { freshness = "24h" }). It reads state only, without locking it, and
changes nothing.

Exit status: 0 when every product with an SLA is fresh, 2 when one is stale
or has nothing published, 1 on error — for a monitoring job.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, w, err := g.readState(cmd.Context())
			if err != nil {
				return err
			}
			r := freshness.Check(w.config, st, time.Now())
			breaking := r.Breaking()
			if g.json {
				enc := json.NewEncoder(g.streams.Out)
				enc.SetIndent("", "  ")
				err := enc.Encode(struct {
					FormatVersion string `json:"format_version"`
					Fresh         bool   `json:"fresh"`
					*freshness.Report
				}{"1.0", len(breaking) == 0, r})
				if err != nil {
					return err
				}
			} else {
				g.statusText(r)
			}
			if len(breaking) > 0 {
				return exitCode(exitChanges)
			}
			return nil
		},
	}
}

// statusText prints the report as a table and a one-line verdict.
func (g *globals) statusText(r *freshness.Report) {
	out := g.streams.Out
	if len(r.Products) == 0 {
		fmt.Fprintln(out, "No products: nothing to check.")
		return
	}
	color := g.color(out)
	paint := func(s, code string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PRODUCT\tSLA\tPUBLISHED\tAGE\tSTATUS")
	for _, p := range r.Products {
		sla, published, age := orDash(p.SLA), "-", "-"
		if p.PublishedAt != nil {
			published = p.PublishedAt.Format("2006-01-02 15:04 UTC")
			age = ageText(p.Age)
		}
		var status string
		switch p.Status {
		case freshness.Fresh:
			status = paint("fresh", "32")
		case freshness.Stale:
			status = paint("STALE", "31") + " by " + ageText(p.Overdue)
		case freshness.Missing:
			status = paint("MISSING", "31") + ": nothing published"
		case freshness.NoSLA:
			status = "no SLA"
		}
		name := p.Name
		if !p.InCode {
			name += " (removed from code)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, sla, published, age, status)
	}
	tw.Flush()
	fmt.Fprintln(out)
	withSLA := len(r.Products) - r.Count(freshness.NoSLA)
	breaking := r.Breaking()
	switch {
	case withSLA == 0:
		fmt.Fprintln(out, "No product has an SLA: add sla { freshness = \"24h\" } to the ones consumers rely on.")
	case len(breaking) == 0:
		fmt.Fprintf(out, "All %d products with an SLA are fresh.\n", withSLA)
	default:
		names := make([]string, len(breaking))
		for i, p := range breaking {
			names[i] = p.Name
		}
		fmt.Fprintf(out, "%d of %d products with an SLA break it: %s. Run meshctl apply to refresh them.\n",
			len(breaking), withSLA, strings.Join(names, ", "))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ageText writes a duration the way people read ages: the two largest
// units of days, hours, minutes and seconds ("2d3h", "7h2m", "45s").
func ageText(d time.Duration) string {
	if d < time.Second {
		return "0s"
	}
	units := []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}}
	var b strings.Builder
	parts := 0
	for _, u := range units {
		if n := d / u.d; n > 0 || parts > 0 {
			if n > 0 {
				fmt.Fprintf(&b, "%d%s", n, u.name)
			}
			d -= n * u.d
			parts++
			if parts == 2 {
				break
			}
		}
	}
	return b.String()
}
