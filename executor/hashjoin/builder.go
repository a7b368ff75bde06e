package hashjoin

import (
	"errors"
	"fmt"
	"math"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/types"
)

// MaxRows is the most rows a build side may have: rows are int32 ids, and
// a slot stores id+1 or its negation.
const MaxRows = math.MaxInt32 - 1

// Builder collects the build (right) side of a join. Add is called from
// one goroutine, with batches in the right side's order; Finish then
// builds the Table using several goroutines. A Builder is used once.
type Builder struct {
	keyTypes []types.Type
	payload  types.Schema
	// direct: a single key whose values map one-to-one onto 64-bit tags.
	direct bool
	// tags holds one normalised key per row (direct mode); scratch is the
	// conversion of one batch's keys.
	tags    chunkBuf[uint64]
	scratch []uint64
	// tagValid marks the rows with a non-null key (direct mode); nil while
	// no key has been null. Bits past n are clear.
	tagValid vector.Bitmap
	// keys holds the key columns (general mode).
	keys []*colStore
	cols []*colStore
	n    int
	// err is sticky: an Add that fails part-way leaves columns of unequal
	// lengths, so the builder refuses any further use.
	err  error
	done bool
}

// isDirect reports whether a single key of type t can be its own tag.
func isDirect(keyTypes []types.Type) bool {
	if len(keyTypes) != 1 {
		return false
	}
	switch vector.PhysicalOf(keyTypes[0]) {
	case vector.PhysBool, vector.PhysInt32, vector.PhysInt64, vector.PhysFloat64:
		return true
	}
	return false
}

// NewBuilder returns a builder for a table keyed by columns of keyTypes
// (zero keys make every probe row match every build row) that outputs
// payload, the right side's columns the join emits. An invalid type is
// reported by Add and Finish.
func NewBuilder(keyTypes []types.Type, payload types.Schema) *Builder {
	b := &Builder{keyTypes: keyTypes, payload: payload, direct: isDirect(keyTypes)}
	for i, t := range keyTypes {
		if vector.PhysicalOf(t) == 0 {
			b.err = fmt.Errorf("hashjoin: key %d has no storage for type %s", i, t)
			return b
		}
		if !b.direct {
			b.keys = append(b.keys, newColStore(t, false))
		}
	}
	for _, c := range payload {
		if vector.PhysicalOf(c.Type) == 0 {
			b.err = fmt.Errorf("hashjoin: payload column %q has no storage for type %s", c.Name, c.Type)
			return b
		}
		b.cols = append(b.cols, newColStore(c.Type, true))
	}
	return b
}

// Add appends n rows: their key vectors (of the builder's key types, n rows
// each) and the payload batch (the right side's columns to output, of the
// builder's payload schema, n = payload.Len). Nothing of the vectors is
// kept: the caller may reuse them once Add returns.
func (b *Builder) Add(keys []*vector.Vector, payload *vector.Batch) error {
	if b.err != nil {
		return b.err
	}
	if b.done {
		return errors.New("hashjoin: Add after Finish")
	}
	if payload == nil {
		return errors.New("hashjoin: Add without a payload batch")
	}
	n := payload.Len
	if err := checkKeys(b.keyTypes, keys, n); err != nil {
		return err
	}
	if len(payload.Cols) != len(b.payload) {
		return fmt.Errorf("hashjoin: payload batch has %d columns, the schema %d", len(payload.Cols), len(b.payload))
	}
	for i, v := range payload.Cols {
		if err := checkVector(v, b.payload[i].Type, n); err != nil {
			return fmt.Errorf("hashjoin: payload column %q: %w", b.payload[i].Name, err)
		}
	}
	if n > MaxRows-b.n {
		return fmt.Errorf("hashjoin: the build side exceeds %d rows", MaxRows)
	}
	if n == 0 {
		return nil
	}
	if err := b.add(keys, payload, n); err != nil {
		b.err = fmt.Errorf("hashjoin: %w", err)
		return b.err
	}
	return nil
}

func (b *Builder) add(keys []*vector.Vector, payload *vector.Batch, n int) error {
	if b.direct {
		k := keys[0]
		n0 := b.tags.n
		b.scratch = tagsOf(k, n, b.scratch)
		b.tags.append(b.scratch)
		if b.tagValid == nil && k.Valid != nil && k.Valid.CountSet(n) != n {
			b.tagValid = allValid(n0)
		}
		if b.tagValid != nil {
			b.tagValid = appendBits(b.tagValid, n0, k.Valid, n)
		}
	} else {
		for i, k := range keys {
			if err := b.keys[i].append(k, n); err != nil {
				return fmt.Errorf("key %d: %w", i, err)
			}
		}
	}
	for i, v := range payload.Cols {
		if err := b.cols[i].append(v, n); err != nil {
			return fmt.Errorf("payload column %q: %w", b.payload[i].Name, err)
		}
	}
	b.n += n
	return nil
}

// checkKeys checks key vectors against the key types.
func checkKeys(keyTypes []types.Type, keys []*vector.Vector, n int) error {
	if len(keys) != len(keyTypes) {
		return fmt.Errorf("hashjoin: %d key vectors for %d keys", len(keys), len(keyTypes))
	}
	for i, v := range keys {
		if err := checkVector(v, keyTypes[i], n); err != nil {
			return fmt.Errorf("hashjoin: key %d: %w", i, err)
		}
	}
	return nil
}

// checkVector checks that v can be read as n rows of type t, so that no
// kernel indexes out of range on a malformed vector.
func checkVector(v *vector.Vector, t types.Type, n int) error {
	if v == nil {
		return errors.New("nil vector")
	}
	phys := vector.PhysicalOf(t)
	if v.Phys != phys || v.Type.Kind != t.Kind || v.Type.Scale != t.Scale {
		return fmt.Errorf("vector of type %s where %s is expected", v.Type, t)
	}
	if v.Len != n {
		return fmt.Errorf("vector of %d rows in a batch of %d", v.Len, n)
	}
	if v.Valid != nil && len(v.Valid)*64 < n {
		return fmt.Errorf("validity bitmap of %d words for %d rows", len(v.Valid), n)
	}
	var have int
	switch phys {
	case vector.PhysBool:
		have = len(v.Bool)
	case vector.PhysInt32:
		have = len(v.I32)
	case vector.PhysInt64:
		have = len(v.I64)
	case vector.PhysFloat64:
		have = len(v.F64)
	case vector.PhysInt128:
		have = len(v.I128)
	case vector.PhysString:
		if v.Dict != nil {
			have = len(v.Codes)
			if d := v.Dict; len(d.Offsets) < d.Len+1 || d.Dict != nil || (d.Len > 0 && int(d.Offsets[d.Len]) > len(d.Bytes)) {
				return errors.New("malformed dictionary")
			}
		} else {
			have = len(v.Offsets) - 1
			if have >= n && n > 0 && (v.Offsets[0] < 0 || int(v.Offsets[n]) > len(v.Bytes) || v.Offsets[0] > v.Offsets[n]) {
				return errors.New("string offsets out of range")
			}
		}
	}
	if have < n {
		return fmt.Errorf("%d values for %d rows", have, n)
	}
	return nil
}

// Finish builds the hash table from everything added, using up to workers
// goroutines, and hands the builder's memory over to it.
func (b *Builder) Finish(workers int) (*Table, error) {
	if b.err != nil {
		return nil, b.err
	}
	if b.done {
		return nil, errors.New("hashjoin: Finish called twice")
	}
	b.done = true
	t := &Table{keyTypes: b.keyTypes, payload: b.payload, rows: b.n, direct: b.direct}
	t.cols = make([]*vector.Vector, len(b.cols))
	for i, c := range b.cols {
		t.cols[i] = c.finish()
	}
	live := b.tagValid
	if !b.direct {
		t.keys = make([]*vector.Vector, len(b.keys))
		for i, c := range b.keys {
			t.keys[i] = c.finish()
		}
		live = liveRows(t.keys, b.n)
	}
	tags := b.tags.flatten()
	b.tagValid, b.keys, b.cols, b.scratch = nil, nil, nil, nil
	if err := t.build(tags, live, max(workers, 1)); err != nil {
		return nil, fmt.Errorf("hashjoin: %w", err)
	}
	t.matched = make([]uint64, (t.rows+63)>>6)
	return t, nil
}

// liveRows returns the rows whose key columns are all non-null (nil: all).
func liveRows(keys []*vector.Vector, n int) vector.Bitmap {
	var live vector.Bitmap
	for _, k := range keys {
		if k.Valid == nil {
			continue
		}
		if live == nil {
			live = allValid(n)
		}
		for i := range live {
			live[i] &= k.Valid[i]
		}
	}
	return live
}
