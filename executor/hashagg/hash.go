package hashagg

import (
	"hash/maphash"
	"math"
	"math/bits"
)

// strSeed seeds string hashing. It is chosen per process: hashes decide
// only where groups sit in tables and partitions, never the output.
var strSeed = maphash.MakeSeed()

const (
	mixK1 = 0xa0761d6478bd642f
	mixK2 = 0xe7037ed1a0b428db
	// nullHash is the hash of the null key in the single-key modes.
	nullHash = 0x9e3779b97f4a7c15
	// nullMark is what a null contributes to a multi-key hash.
	nullMark = 0x2d358dccaa6c78a5
	// seedHash starts a multi-key hash.
	seedHash = 0x8ebc6af09c88c6e3
	// noKeyHash is the hash of the single group of an aggregation without
	// keys.
	noKeyHash = 0x1d8e4e27c47d124f
)

// mix64 scrambles x into a well-distributed 64-bit hash (wyhash's
// multiply-fold): the low bits choose a slot, the high bits a partition and
// a tag.
func mix64(x uint64) uint64 {
	hi, lo := bits.Mul64(x^mixK1, mixK2)
	return hi ^ lo
}

// strHash hashes a string key.
func strHash(b []byte) uint64 { return maphash.Bytes(strSeed, b) }

// canonNaN is the bit pattern every NaN key is stored as.
var canonNaN = math.Float64bits(math.NaN())

// floatKey maps a float to the bits it groups by: -0.0 as 0.0, every NaN
// as one NaN.
func floatKey(f float64) uint64 {
	if f == 0 {
		return 0
	}
	if f != f {
		return canonNaN
	}
	return math.Float64bits(f)
}

// floatOrd maps a float to a uint64 whose unsigned order is the total order
// min and max use: -Inf < … < -0.0 < 0.0 < … < +Inf < NaN.
func floatOrd(f float64) uint64 {
	if f != f {
		return math.MaxUint64
	}
	b := math.Float64bits(f)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// floatFromOrd inverts floatOrd.
func floatFromOrd(k uint64) float64 {
	if k == math.MaxUint64 {
		return math.NaN()
	}
	if k>>63 != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}
