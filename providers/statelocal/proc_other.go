//go:build !unix

package statelocal

// processGone cannot tell on this platform, so it never calls a lock stale.
func processGone(pid int) bool { return false }
