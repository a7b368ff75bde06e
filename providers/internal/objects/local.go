package objects

import (
	"context"
	"io"
	"os"

	"github.com/meshctl/meshctl/providers/internal/localfiles"
)

// Local is the local file system: paths relative to Root (the workspace
// root) or absolute, named as localfiles.Match names them.
type Local struct {
	Root string
}

var _ Store = Local{}

// Match implements Store through localfiles.Match, with each file's size
// and modification time (-1 and zero when it cannot be read: opening it
// reports why).
func (l Local) Match(ctx context.Context, path, ext string) ([]File, error) {
	lfs, err := localfiles.Match(l.Root, path, ext)
	if err != nil {
		return nil, err
	}
	files := make([]File, len(lfs))
	for i, lf := range lfs {
		files[i] = File{Path: lf.Path, Name: lf.Name, Rel: lf.Rel, Size: -1}
		if info, err := os.Stat(lf.Path); err == nil {
			files[i].Size, files[i].ModTime = info.Size(), info.ModTime()
		}
	}
	return files, nil
}

// Open implements Store. Errors are the os package's, which name the
// path.
func (l Local) Open(ctx context.Context, f File) (Object, error) {
	file, err := os.Open(f.Path)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	return &localObject{f: file, size: info.Size()}, nil
}

// localObject is an open local file: reads go straight to it.
type localObject struct {
	f    *os.File
	size int64
}

func (o *localObject) ReadAt(p []byte, off int64) (int, error) { return o.f.ReadAt(p, off) }

func (o *localObject) Size() int64 { return o.size }

func (o *localObject) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return io.NopCloser(io.NewSectionReader(o.f, off, n)), nil
}

// Sections returns the file itself for every range: the page cache does
// the read-ahead.
func (o *localObject) Sections(ctx context.Context, ranges []Range) ([]Section, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]Section, len(ranges))
	for i := range out {
		out[i] = fileSection{o.f}
	}
	return out, nil
}

func (o *localObject) Close() error { return o.f.Close() }

// fileSection reads a local file; closing it leaves the file open.
type fileSection struct{ f *os.File }

func (s fileSection) ReadAt(p []byte, off int64) (int, error) { return s.f.ReadAt(p, off) }

func (fileSection) Close() error { return nil }
