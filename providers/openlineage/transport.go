package openlineage

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Transport delivers events. Send is called from one goroutine at a time.
type Transport interface {
	Send(ctx context.Context, ev *RunEvent) error
}

// File appends each event as one line of JSON to Path, creating the file
// (and its folder) when missing. Each event is one write to a file opened
// for appending, so that the lines of two applies do not interleave.
type File struct {
	Path string
}

// Send implements Transport.
func (f File) Send(_ context.Context, ev *RunEvent) error {
	line, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
		return fmt.Errorf("OpenLineage file %s: %w", f.Path, err)
	}
	fh, err := os.OpenFile(f.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("OpenLineage file: %w", err)
	}
	_, err = fh.Write(append(line, '\n'))
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("OpenLineage file: %w", err)
	}
	return nil
}

// DefaultHTTPTimeout bounds one HTTP request.
const DefaultHTTPTimeout = 10 * time.Second

// HTTP posts each event as JSON to URL, the way OpenLineage's HTTP
// transport does (Marquez: http://host:5000/api/v1/lineage).
type HTTP struct {
	// URL is the full endpoint events are posted to.
	URL string
	// APIKey, when set, is sent as "Authorization: Bearer <key>".
	APIKey string
	// Client sends the requests (a client with DefaultHTTPTimeout when
	// nil).
	Client *http.Client
}

// Send implements Transport. A response other than 2xx is an error that
// quotes the start of its body.
func (h HTTP) Send(ctx context.Context, ev *RunEvent) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("OpenLineage endpoint %s: %w", redacted(h.URL), err)
	}
	req.Header.Set("Content-Type", "application/json")
	if h.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+h.APIKey)
	}
	client := h.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The error names the URL already.
		return fmt.Errorf("OpenLineage: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		msg := strings.TrimSpace(string(snippet))
		if msg != "" {
			msg = ": " + msg
		}
		return fmt.Errorf("OpenLineage endpoint %s answered %s%s", redacted(h.URL), resp.Status, msg)
	}
	return nil
}

// redacted hides a password written in a URL's user info.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an invalid URL)"
	}
	return u.Redacted()
}
