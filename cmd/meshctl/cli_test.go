package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeArgs(t *testing.T) {
	g := &globals{lookup: func(string) (string, bool) { return "", false }}
	root := newRoot(g)
	tests := []struct {
		in, want []string
	}{
		{[]string{"fmt", "-check", "-diff"}, []string{"fmt", "--check", "--diff"}},
		{[]string{"-chdir=x", "validate", "-json"}, []string{"--chdir=x", "validate", "--json"}},
		{[]string{"fmt", "-"}, []string{"fmt", "-"}},                                        // standard input
		{[]string{"explain", "-h"}, []string{"explain", "-h"}},                              // shorthand
		{[]string{"explain", "-help"}, []string{"explain", "--help"}},                       // Terraform's -help
		{[]string{"explain", "-nosuchflag"}, []string{"explain", "-nosuchflag"}},            // left for cobra to reject
		{[]string{"fmt", "--", "-check"}, []string{"fmt", "--", "-check"}},                  // after --
		{[]string{"explain", "--json", "p"}, []string{"explain", "--json", "p"}},            // already long
		{[]string{"fmt", "-write=false"}, []string{"fmt", "--write=false"}},                 // with a value
		{[]string{"explain", "-5"}, []string{"explain", "-5"}},                              // not a flag name
		{[]string{"validate", "-no-color"}, []string{"validate", "--no-color"}},             // global flag
		{[]string{"init", "-chdir", "dir", "ws"}, []string{"init", "--chdir", "dir", "ws"}}, // value as next arg
	}
	for _, tt := range tests {
		if got := normalizeArgs(root, tt.in); !cmp.Equal(got, tt.want) {
			t.Errorf("normalizeArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestColor(t *testing.T) {
	env := map[string]string{}
	g := &globals{lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	if g.color(&bytes.Buffer{}) {
		t.Error("colour on a buffer, which is not a terminal")
	}
	// A file that is not a terminal (as in CI logs) gets no colour either.
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if g.color(f) {
		t.Error("colour on a regular file")
	}
	env["NO_COLOR"] = "1"
	g.noColor = false
	if g.color(os.Stdout) {
		t.Error("colour with NO_COLOR set")
	}
	delete(env, "NO_COLOR")
	g.noColor = true
	if g.color(os.Stdout) {
		t.Error("colour with --no-color")
	}
}

func TestRunExitCodes(t *testing.T) {
	var out, errb bytes.Buffer
	lookup := func(string) (string, bool) { return "", false }
	s := streams{In: &bytes.Buffer{}, Out: &out, Err: &errb}
	if code := run([]string{"version"}, s, lookup); code != exitOK {
		t.Errorf("version: exit %d", code)
	}
	if code := run([]string{"validate", "--bogus"}, s, lookup); code != exitError {
		t.Errorf("unknown flag: exit %d, want %d", code, exitError)
	}
	errb.Reset()
	if code := run([]string{"--chdir", t.TempDir(), "validate"}, s, lookup); code != exitError {
		t.Errorf("validate of an empty folder: exit %d", code)
	}
	if !bytes.Contains(errb.Bytes(), []byte("No configuration files")) {
		t.Errorf("stderr: %s", errb.String())
	}
}
