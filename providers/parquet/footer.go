package parquet

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/meshctl/meshctl/providers/internal/objects"
)

// tailBytes is how much of a file's end is read at once to get its
// footer: the footer's length, the magic and, for most files, the footer
// itself, in one request to a remote store.
const tailBytes = 64 << 10

// footerReader serves the reads of a footer from the file's last bytes,
// read once, and those of the magic at its start from its first bytes,
// read once too (both checkFrame and parquet-go read them); other reads
// go to the object. After the footer is decoded, release drops the bytes:
// the parquet.File keeps the reader. It is used by one goroutine.
type footerReader struct {
	r       io.ReaderAt
	size    int64
	tail    []byte
	tailOff int64
	head    []byte
}

// newFooterReader reads the last tailBytes (or all) of an object.
func newFooterReader(obj objects.Object) (*footerReader, error) {
	size := obj.Size()
	n := min(size, tailBytes)
	fr := &footerReader{r: obj, size: size, tail: make([]byte, n), tailOff: size - n}
	if n > 0 {
		if _, err := obj.ReadAt(fr.tail, fr.tailOff); err != nil && err != io.EOF {
			return nil, err
		}
	}
	return fr, nil
}

func (fr *footerReader) ReadAt(p []byte, off int64) (int, error) {
	if fr.tail != nil && off >= fr.tailOff && off+int64(len(p)) <= fr.size {
		return copy(p, fr.tail[off-fr.tailOff:]), nil
	}
	if fr.tail != nil && off >= 0 && off+int64(len(p)) <= int64(len(magic)) {
		if fr.head == nil {
			head := make([]byte, len(magic))
			if _, err := fr.r.ReadAt(head, 0); err != nil {
				return 0, err
			}
			fr.head = head
		}
		return copy(p, fr.head[off:]), nil
	}
	return fr.r.ReadAt(p, off)
}

// footerLen is the length of the footer with its length and magic, as the
// file's last 8 bytes give it; 0 when they are not there.
func (fr *footerReader) footerLen() int64 {
	if len(fr.tail) < 8 {
		return 0
	}
	return int64(binary.LittleEndian.Uint32(fr.tail[len(fr.tail)-8:])) + 8
}

// release drops the bytes read.
func (fr *footerReader) release() { fr.tail, fr.head = nil, nil }

// openObject opens a file of a scan or a schema read through the store
// and reads its tail.
func openObject(ctx context.Context, store objects.Store, f objects.File) (objects.Object, *footerReader, error) {
	obj, err := store.Open(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	fr, err := newFooterReader(obj)
	if err != nil {
		obj.Close()
		return nil, nil, fmt.Errorf("read %s: %w", f.Name, err)
	}
	return obj, fr, nil
}
