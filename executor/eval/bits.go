package eval

import (
	"github.com/meshctl/meshctl/executor/vector"
)

// nwords is the number of bitmap words for n rows.
func nwords(n int) int { return (n + 63) >> 6 }

// lastMask is the mask of the valid bits of the last word of n rows.
func lastMask(n int) uint64 {
	if r := uint(n) & 63; r != 0 {
		return 1<<r - 1
	}
	return ^uint64(0)
}

// growWords returns bm resized to w words, reusing its memory.
func growWords(bm vector.Bitmap, w int) vector.Bitmap {
	if cap(bm) >= w {
		return bm[:w]
	}
	return make(vector.Bitmap, w, max(w, 1024))
}

// copyValid sets the validity of dst (just Reset to n rows) to src's
// first n bits; nil means every row is valid.
func copyValid(dst *vector.Vector, src vector.Bitmap, n int) {
	if src == nil {
		return
	}
	dst.EnsureValid()
	copy(dst.Valid[:nwords(n)], src)
}

// andValid sets the validity of dst (just Reset to n rows) to a AND b,
// word by word; nil operands are all valid, and so stays the result when
// both are nil.
func andValid(dst *vector.Vector, a, b vector.Bitmap, n int) {
	switch {
	case a == nil && b == nil:
		return
	case a == nil:
		copyValid(dst, b, n)
		return
	case b == nil:
		copyValid(dst, a, n)
		return
	}
	dst.EnsureValid()
	w := nwords(n)
	d, a, b := dst.Valid[:w], a[:w], b[:w]
	for i := range d {
		d[i] = a[i] & b[i]
	}
}

// andValidInto ANDs src into the validity of dst (nil src: no change).
func andValidInto(dst *vector.Vector, src vector.Bitmap, n int) {
	if src == nil {
		return
	}
	if dst.Valid == nil {
		copyValid(dst, src, n)
		return
	}
	w := nwords(n)
	d, s := dst.Valid[:w], src[:w]
	for i := range d {
		d[i] &= s[i]
	}
}

// setAllNull makes every row of dst (just Reset to n rows) null.
func setAllNull(dst *vector.Vector, n int) {
	dst.EnsureValid()
	clear(dst.Valid[:nwords(n)])
}

// packBools returns, in buf, the bitmap of the true rows of src.
func packBools(buf vector.Bitmap, src []bool) vector.Bitmap {
	n := len(src)
	w := nwords(n)
	buf = growWords(buf, w)
	for k := 0; k < w; k++ {
		lo := k << 6
		hi := min(lo+64, n)
		var word uint64
		for j, b := range src[lo:hi] {
			if b {
				word |= 1 << uint(j)
			}
		}
		buf[k] = word
	}
	return buf
}

// selBitmap returns, in buf, the bitmap of the rows in sel (n rows).
func selBitmap(buf vector.Bitmap, sel []int32, n int) vector.Bitmap {
	w := nwords(n)
	buf = growWords(buf, w)
	clear(buf)
	for _, i := range sel {
		buf[i>>6] |= 1 << (uint(i) & 63)
	}
	return buf
}

// noneSet reports whether none of the first n bits is set.
func noneSet(bm vector.Bitmap, n int) bool {
	w := nwords(n)
	for i, x := range bm[:w] {
		if i == w-1 {
			x &= lastMask(n)
		}
		if x != 0 {
			return false
		}
	}
	return true
}

// andNot returns, in buf, a AND NOT b over n rows; a nil a is all ones.
func andNot(buf, a, b vector.Bitmap, n int) vector.Bitmap {
	w := nwords(n)
	buf = growWords(buf, w)
	if a == nil {
		for i := range buf {
			buf[i] = ^b[i]
		}
		return buf
	}
	for i := range buf {
		buf[i] = a[i] &^ b[i]
	}
	return buf
}

// b2i is 1 for true: branch-free counting in selection loops.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// keepValid drops from sel the rows null in valid.
func keepValid(sel []int32, valid vector.Bitmap) []int32 {
	if valid == nil {
		return sel
	}
	k := 0
	for _, i := range sel {
		sel[k] = i
		k += int(valid[i>>6] >> (uint(i) & 63) & 1)
	}
	return sel[:k]
}

// selectBools appends to out the rows (of in, or all n rows when in is
// nil) that are true and valid.
func selectBools(vals []bool, valid vector.Bitmap, in []int32, n int, out []int32) []int32 {
	out = out[:cap(out)]
	k := 0
	if in == nil {
		vals = vals[:n]
		for i, v := range vals {
			out[k] = int32(i)
			k += b2i(v)
		}
	} else {
		for _, i := range in {
			out[k] = i
			k += b2i(vals[i])
		}
	}
	return keepValid(out[:k], valid)
}
