package hashagg

// strRef locates a string in an arena.
type strRef struct {
	chunk, off, n uint32
}

// arena stores strings (group keys, string minima and maxima) in large
// chunks instead of one allocation each. Chunks are never moved, so a
// strRef stays valid; memory is released with the arena.
type arena struct {
	chunks [][]byte
}

const (
	minChunk = 4 << 10
	maxChunk = 1 << 20
)

// add copies b into the arena, reserving room for at least capacity
// bytes (so that a later value of up to that length can overwrite it).
func (a *arena) add(b []byte, capacity int) strRef {
	capacity = max(capacity, len(b))
	if capacity == 0 {
		return strRef{}
	}
	last := len(a.chunks) - 1
	if last < 0 || cap(a.chunks[last])-len(a.chunks[last]) < capacity {
		size := minChunk
		if last >= 0 {
			size = min(2*cap(a.chunks[last]), maxChunk)
		}
		a.chunks = append(a.chunks, make([]byte, 0, max(size, capacity)))
		last++
	}
	c := a.chunks[last]
	off := len(c)
	c = append(c, b...)
	a.chunks[last] = c[:off+capacity]
	return strRef{chunk: uint32(last), off: uint32(off), n: uint32(len(b))}
}

// get returns the bytes of r (a view into the arena).
func (a *arena) get(r strRef) []byte {
	if r.n == 0 {
		return nil
	}
	return a.chunks[r.chunk][r.off : r.off+r.n : r.off+r.n]
}

// overwrite replaces r's bytes by b, which must fit the room reserved
// when r was added.
func (a *arena) overwrite(r *strRef, b []byte) {
	if len(b) == 0 {
		r.n = 0
		return
	}
	copy(a.chunks[r.chunk][r.off:], b)
	r.n = uint32(len(b))
}
