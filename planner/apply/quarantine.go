package apply

import (
	"errors"
	"os"
	"path/filepath"
	"sync"

	"github.com/meshctl/meshctl/executor/dataio"
	"github.com/meshctl/meshctl/lang/ir"
)

// quarantineDir is the folder, inside a staged version, holding the rows
// sources set aside. Readers skip folders starting with "_".
const quarantineDir = "_quarantine"

// quarantines hands out one quarantine file per source with on_error =
// "quarantine" during one product's run (executor.Options.Rejects), and
// keeps only the files that received rows.
type quarantines struct {
	dir    string
	create func(dir, name string) (RejectFile, error)
	mu     sync.Mutex
	files  []namedReject
	err    error
}

type namedReject struct {
	source string
	file   RejectFile
}

// sink returns the quarantine of src; nil (rows only counted) without
// Options.Quarantine or when the file cannot be created — the error is
// reported by close and fails the product.
func (q *quarantines) sink(src *ir.Source) dataio.RejectSink {
	if q.create == nil {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := os.MkdirAll(q.dir, 0o755); err != nil {
		q.err = errors.Join(q.err, err)
		return nil
	}
	f, err := q.create(q.dir, src.Name+".csv")
	if err != nil {
		q.err = errors.Join(q.err, err)
		return nil
	}
	q.files = append(q.files, namedReject{source: src.Name, file: f})
	return f
}

// close closes every file and returns the non-empty ones; empty files
// (and the folder, when it ends up empty) are removed.
func (q *quarantines) close() ([]rejected, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []rejected
	err := q.err
	for _, f := range q.files {
		df, cerr := f.file.Close()
		if cerr != nil {
			err = errors.Join(err, cerr)
			continue
		}
		if df.Rows > 0 {
			out = append(out, rejected{source: f.source, file: df})
		} else {
			_ = os.Remove(filepath.Join(q.dir, filepath.FromSlash(df.Path)))
		}
	}
	q.files = nil
	_ = os.Remove(q.dir) // only when empty
	return out, err
}
