package sorter

import "math/bits"

// entry is a row and its current sort key.
type entry struct {
	k uint64
	r int32
	// eq is set once a group is sorted, on every entry whose keys all equal
	// those of the entry before it: merges then skip comparisons inside
	// runs of equal rows. It fits in the padding after r.
	eq bool
}

const (
	// insertionMax is the largest group sorted by insertion.
	insertionMax = 24
	// radixMin is the smallest group sorted by radix passes: below it the
	// 256-counter histogram costs more than a merge sort's comparisons.
	radixMin = 128
)

// identity returns entries for rows 0..n-1.
func identity(n int) []entry {
	ents := make([]entry, n)
	for i := range ents {
		ents[i].r = int32(i)
	}
	return ents
}

// sortEntries sorts a by k, stably, using buf (at least len(a) long) as
// scratch.
func sortEntries(a, buf []entry) {
	n := len(a)
	if n < 2 {
		return
	}
	// One pass finds sorted input (nothing to do) and the bits that differ,
	// which tells the radix sort the first byte worth a pass.
	first := a[0].k
	diff, sorted := uint64(0), true
	prev := first
	for _, e := range a[1:] {
		diff |= e.k ^ first
		if e.k < prev {
			sorted = false
		}
		prev = e.k
	}
	if sorted {
		return
	}
	switch {
	case n <= insertionMax:
		insertionSort(a)
	case n < radixMin:
		mergeSort(a, buf[:n])
	default:
		shift := (63 - bits.LeadingZeros64(diff)) &^ 7
		msdRadix(a, buf[:n], shift, false)
	}
}

// insertionSort sorts a by k, stably.
func insertionSort(a []entry) {
	for i := 1; i < len(a); i++ {
		e := a[i]
		j := i
		for j > 0 && a[j-1].k > e.k {
			a[j] = a[j-1]
			j--
		}
		a[j] = e
	}
}

// mergeSort sorts a by k, stably: insertion-sorted blocks merged bottom-up,
// ping-ponging between a and buf.
func mergeSort(a, buf []entry) {
	const block = 16
	n := len(a)
	for lo := 0; lo < n; lo += block {
		insertionSort(a[lo:min(lo+block, n)])
	}
	src, dst := a, buf
	for width := block; width < n; width *= 2 {
		for lo := 0; lo < n; lo += 2 * width {
			mid, hi := min(lo+width, n), min(lo+2*width, n)
			mergeKeys(dst[lo:hi], src[lo:mid], src[mid:hi])
		}
		src, dst = dst, src
	}
	if &src[0] != &a[0] {
		copy(a, src)
	}
}

// mergeKeys merges x and y (each sorted by k) into dst, x first on ties.
func mergeKeys(dst, x, y []entry) {
	i, j, d := 0, 0, 0
	for i < len(x) && j < len(y) {
		if y[j].k < x[i].k {
			dst[d] = y[j]
			j++
		} else {
			dst[d] = x[i]
			i++
		}
		d++
	}
	d += copy(dst[d:], x[i:])
	copy(dst[d:], y[j:])
}

// msdRadix sorts src by k, stably, by the byte at shift and then the lower
// bytes (the higher ones are equal). The result lands in dst when toDst,
// else in src; the other slice is scratch.
func msdRadix(src, dst []entry, shift int, toDst bool) {
	n := len(src)
	if n < radixMin {
		if toDst {
			copy(dst, src)
			src, dst = dst, src
		}
		if n <= insertionMax {
			insertionSort(src)
		} else {
			mergeSort(src, dst)
		}
		return
	}
	var count [256]int
	for {
		count = [256]int{}
		s := uint(shift)
		for _, e := range src {
			count[byte(e.k>>s)]++
		}
		if count[byte(src[0].k>>s)] != n {
			break
		}
		// Every key has this byte: look at the next one without moving.
		if shift == 0 {
			if toDst {
				copy(dst, src)
			}
			return
		}
		shift -= 8
	}
	var start [256]int
	sum := 0
	for b, c := range count {
		start[b] = sum
		sum += c
	}
	s := uint(shift)
	pos := start
	for _, e := range src {
		b := byte(e.k >> s)
		dst[pos[b]] = e
		pos[b]++
	}
	if shift == 0 {
		// Each bucket's keys are now equal: done, in dst.
		if !toDst {
			copy(src, dst)
		}
		return
	}
	for b, c := range count {
		if c == 0 {
			continue
		}
		lo := start[b]
		bucket := dst[lo : lo+c]
		other := src[lo : lo+c]
		if c == 1 {
			if !toDst {
				other[0] = bucket[0]
			}
			continue
		}
		// The bucket is in dst; it must end where the whole result goes.
		msdRadix(bucket, other, shift-8, !toDst)
	}
}
