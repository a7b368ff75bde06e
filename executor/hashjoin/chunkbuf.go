package hashjoin

// maxChunk is the most elements of one chunk of a chunkBuf.
const maxChunk = 1 << 20

// chunkBuf accumulates a column's values in chunks and makes them one
// exact-size slice at the end. Growing one slice by append instead would
// copy everything about four times over (Go grows large slices by a
// quarter) and leave up to a quarter of slack in the table; chunks copy
// each value twice and leave none.
type chunkBuf[T any] struct {
	chunks [][]T
	n      int
}

// room returns the last chunk with space for at least one more element.
func (b *chunkBuf[T]) room() []T {
	if k := len(b.chunks); k > 0 {
		if last := b.chunks[k-1]; len(last) < cap(last) {
			return last
		}
	}
	// Chunks double from 1024 elements, so that a small table stays small.
	c := min(maxChunk, max(1024, b.n))
	b.chunks = append(b.chunks, make([]T, 0, c))
	return b.chunks[len(b.chunks)-1]
}

// append adds src.
func (b *chunkBuf[T]) append(src []T) {
	for len(src) > 0 {
		last := b.room()
		k := min(len(src), cap(last)-len(last))
		b.chunks[len(b.chunks)-1] = append(last, src[:k]...)
		b.n += k
		src = src[k:]
	}
}

// push adds one value.
func (b *chunkBuf[T]) push(x T) {
	last := b.room()
	b.chunks[len(b.chunks)-1] = append(last, x)
	b.n++
}

// flatten returns every value in one slice of exactly their number and
// empties b.
func (b *chunkBuf[T]) flatten() []T {
	out := make([]T, b.n)
	off := 0
	for i, c := range b.chunks {
		off += copy(out[off:], c)
		b.chunks[i] = nil // let the garbage collector take it early
	}
	*b = chunkBuf[T]{}
	return out
}
