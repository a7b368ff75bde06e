package main

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/meshctl/meshctl/executor"
	"github.com/meshctl/meshctl/planner/apply"
)

// progress shows an apply's progress: on a terminal, a live line per
// product being computed (rows, bytes, elapsed) and the overall count; in
// CI or a pipe, one plain log line per event worth logging.
type progress struct {
	g    *globals
	live *mpb.Progress
	mu   sync.Mutex
	bars map[string]*mpb.Bar
	// smu guards stats, which the display's goroutine reads: never hold
	// mu while the display may wait on it.
	smu   sync.Mutex
	stats map[string][2]int64
}

func (p *progress) setStats(name string, rows, bytes int64) {
	p.smu.Lock()
	p.stats[name] = [2]int64{rows, bytes}
	p.smu.Unlock()
}

func newProgress(g *globals) *progress {
	p := &progress{g: g, bars: map[string]*mpb.Bar{}, stats: map[string][2]int64{}}
	if f, ok := g.streams.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !g.json {
		p.live = mpb.New(mpb.WithOutput(f), mpb.WithRefreshRate(150*time.Millisecond), mpb.WithWidth(24))
	}
	return p
}

func (p *progress) event(e apply.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live == nil {
		p.logLine(e)
		return
	}
	switch e.Kind {
	case apply.ProductStarted:
		name := e.Product
		bar := p.live.New(0, mpb.SpinnerStyle(),
			mpb.PrependDecorators(decor.Name(fmt.Sprintf("%s product.%s ", e.Action, name))),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				p.smu.Lock()
				st := p.stats[name]
				p.smu.Unlock()
				return fmt.Sprintf(" %d rows  %s", st[0], executor.BytesText(st[1]))
			}), decor.Elapsed(decor.ET_STYLE_GO, decor.WCSyncSpace)),
			mpb.BarRemoveOnComplete())
		p.bars[name] = bar
	case apply.ProductProgress:
		p.setStats(e.Product, e.Rows, e.Bytes)
	case apply.ProductFinished, apply.ProductFailed, apply.ProductSkipped:
		p.setStats(e.Product, e.Rows, e.Bytes)
		if bar := p.bars[e.Product]; bar != nil {
			bar.SetTotal(-1, true)
			delete(p.bars, e.Product)
		}
	}
}

// logLine writes one plain line per start, end, failure and skip.
func (p *progress) logLine(e apply.Event) {
	if p.g.json {
		return
	}
	w := p.g.streams.Err
	switch e.Kind {
	case apply.ProductStarted:
		fmt.Fprintf(w, "product.%s: %s started\n", e.Product, e.Action.Word())
	case apply.ProductFinished:
		fmt.Fprintf(w, "product.%s: %s done (%d rows, %s, %s)\n", e.Product, e.Action.Word(), e.Rows, executor.BytesText(e.Bytes), e.Elapsed.Round(time.Millisecond))
	case apply.ProductFailed:
		fmt.Fprintf(w, "product.%s: %s failed: %v\n", e.Product, e.Action.Word(), e.Err)
	case apply.ProductSkipped:
		reason := ""
		if e.Result != nil {
			reason = e.Result.Reason
		}
		fmt.Fprintf(w, "product.%s: skipped: %s\n", e.Product, reason)
	}
}

// stop waits for the live display to draw its last frame.
func (p *progress) stop() {
	if p.live != nil {
		p.mu.Lock()
		for _, b := range p.bars {
			b.Abort(true)
		}
		p.mu.Unlock()
		p.live.Wait()
	}
}
