package statelocal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/meshctl/meshctl/planner/statestore"
)

// TestMain doubles as a helper process for the cross-process tests: with
// STATELOCAL_HELPER=1 the test binary takes or tries the lock and reports
// on stdout instead of running tests.
func TestMain(m *testing.M) {
	if os.Getenv("STATELOCAL_HELPER") == "1" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain runs one STATELOCAL_MODE on the state at STATELOCAL_PATH:
//
//	hold   take the lock, print "locked", hold it until stdin closes, unlock
//	crash  take the lock, print "locked", exit without unlocking
//	try    try the lock once: print "locked" (and unlock) or "busy <error>"
func helperMain() int {
	ctx := context.Background()
	b := New(os.Getenv("STATELOCAL_PATH"))
	id := os.Getenv("STATELOCAL_ID")
	info := statestore.LockInfo{ID: id, Operation: "apply", Version: "test"}
	switch mode := os.Getenv("STATELOCAL_MODE"); mode {
	case "hold", "crash":
		if err := b.Lock(ctx, info, 10*time.Second); err != nil {
			fmt.Println("error", err)
			return 1
		}
		fmt.Println("locked")
		if mode == "crash" {
			return 0
		}
		io.Copy(io.Discard, os.Stdin)
		if err := b.Unlock(ctx, id); err != nil {
			fmt.Println("error", err)
			return 1
		}
		return 0
	case "try":
		err := b.Lock(ctx, info, 0)
		var le *statestore.LockedError
		switch {
		case err == nil:
			fmt.Println("locked")
			b.Unlock(ctx, id)
		case errors.As(err, &le):
			fmt.Println("busy", le.Holder.ID)
		default:
			fmt.Println("error", err)
			return 1
		}
		return 0
	}
	fmt.Println("error: unknown STATELOCAL_MODE")
	return 2
}

// helper is a running helper process.
type helper struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	done  chan error
}

// startHelper starts a helper process in mode on path and returns once it
// printed its first line, which it also returns.
func startHelper(t *testing.T, path, mode, id string) (*helper, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "STATELOCAL_HELPER=1", "STATELOCAL_PATH="+path, "STATELOCAL_MODE="+mode, "STATELOCAL_ID="+id)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout), done: make(chan error, 1)}
	line, err := h.out.ReadString('\n')
	go func() {
		io.Copy(io.Discard, h.out)
		h.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		h.stdin.Close()
		select {
		case <-h.done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-h.done
		}
	})
	if err != nil {
		t.Fatalf("helper %s: reading its first line: %v", mode, err)
	}
	return h, strings.TrimSpace(line)
}

// wait waits for the helper to exit and fails the test if it failed.
func (h *helper) wait(t *testing.T) {
	t.Helper()
	h.stdin.Close()
	select {
	case err := <-h.done:
		h.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("helper: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("helper did not exit")
	}
}
