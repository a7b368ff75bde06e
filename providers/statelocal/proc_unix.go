//go:build unix

package statelocal

import (
	"errors"
	"syscall"
)

// processGone reports whether no process with pid runs on this host.
// Signal 0 checks without sending anything; EPERM means it exists but
// belongs to another user.
func processGone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
