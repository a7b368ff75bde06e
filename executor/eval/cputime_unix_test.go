//go:build unix

package eval

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used: on a shared machine it
// moves less than wall time when other processes compete for the cores.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
