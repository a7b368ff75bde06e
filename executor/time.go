package executor

import (
	"fmt"
	"time"
)

// now and since measure operator time in nanoseconds.
func now() time.Time          { return time.Now() }
func since(t time.Time) int64 { return int64(time.Since(t)) }

// BytesText prints a byte count for humans: "4.4 KiB".
func BytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
