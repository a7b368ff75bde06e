package s3

import "time"

// SetListPageSize lowers the page size of l's listings, so that tests
// exercise pagination.
func SetListPageSize(l *Lake, n int32) { l.listPageSize = n }

// SetLockPoll makes b poll a held lock every min plus up to jitter.
func SetLockPoll(b *StateBackend, min, jitter time.Duration) { b.pollMin, b.pollJitter = min, jitter }
