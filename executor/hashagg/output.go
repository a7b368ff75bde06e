package hashagg

import (
	"fmt"
	"math"

	"github.com/meshctl/meshctl/executor/vector"
)

// emit builds the output batches of the groups refs, in parallel.
func emit(spec *Spec, parts []*Table, refs []groupRef, workers, batchSize int) ([]*vector.Batch, error) {
	nb := (len(refs) + batchSize - 1) / batchSize
	batches := make([]*vector.Batch, nb)
	err := parallel(workers, nb, func(b int) error {
		r := refs[b*batchSize : min((b+1)*batchSize, len(refs))]
		out := &vector.Batch{Cols: make([]*vector.Vector, 0, len(spec.KeyTypes)+len(spec.Aggs)), Len: len(r)}
		for c, kt := range spec.KeyTypes {
			v := vector.New(kt, len(r))
			if err := writeKey(v, parts, r, c); err != nil {
				return err
			}
			out.Cols = append(out.Cols, v)
		}
		for a, as := range spec.Aggs {
			v := vector.New(as.OutType, len(r))
			if err := writeAgg(v, parts, r, a); err != nil {
				return err
			}
			out.Cols = append(out.Cols, v)
		}
		batches[b] = out
		return nil
	})
	if err != nil {
		return nil, err
	}
	return batches, nil
}

// two128 is 2^128, the weight of an intSum's carry.
const two128 = 340282366920938463463374607431768211456.0

// wideFloat returns s as a float64 scaled down by 10^scale.
func (s *intSum) float(scale int) float64 {
	f := s.s.Float64(scale)
	if s.carry != 0 {
		f += float64(s.carry) * two128 / math.Pow10(scale)
	}
	return f
}

// value returns the float sum, rounded once.
func (s *floatSum) value() float64 {
	if math.IsInf(s.plain, 0) || math.IsNaN(s.plain) || math.IsInf(s.hi, 0) || math.IsNaN(s.hi) {
		return s.plain
	}
	return s.hi
}

// overflow is the error of a sum whose exact total does not fit its type.
func overflow(as AggSpec) error {
	return fmt.Errorf("hashagg: %s of %s overflows %s", as.Fn, as.ArgType, as.OutType)
}

// writeAgg makes dst hold the results of aggregate ai for the groups refs
// of parts.
func writeAgg(dst *vector.Vector, parts []*Table, refs []groupRef, ai int) error {
	dst.Reset(len(refs))
	a0 := &parts[0].aggs[ai]
	as := a0.spec
	switch a0.kind {
	case kCountRows, kCount, kCountDistinct:
		for i, r := range refs {
			dst.I64[i] = parts[r.part].aggs[ai].cnt[r.gid]
		}
	case kSumInt, kSumWide:
		scale := int(as.ArgType.Scale)
		prec := int(as.OutType.Precision)
		for i, r := range refs {
			s := &parts[r.part].aggs[ai].isum[r.gid]
			if s.n == 0 {
				dst.SetNull(i)
				continue
			}
			if a0.isAvg {
				dst.F64[i] = s.float(scale) / float64(s.n)
				continue
			}
			if s.carry != 0 {
				return overflow(as)
			}
			switch dst.Phys {
			case vector.PhysInt64:
				if !s.s.IsInt64() || as.OutType.Precision > 0 && !s.s.FitsDigits(prec) {
					return overflow(as)
				}
				dst.I64[i] = s.s.Int64()
			case vector.PhysInt128:
				if !s.s.FitsDigits(prec) {
					return overflow(as)
				}
				dst.I128[i] = s.s
			}
		}
	case kSumFloat:
		for i, r := range refs {
			s := &parts[r.part].aggs[ai].fsum[r.gid]
			if s.n == 0 {
				dst.SetNull(i)
				continue
			}
			f := s.value()
			if a0.isAvg {
				f /= float64(s.n)
			}
			dst.F64[i] = f
		}
	case kMinMaxInt, kMinMaxFloat:
		for i, r := range refs {
			s := parts[r.part].aggs[ai].mmi[r.gid]
			if !s.has {
				dst.SetNull(i)
				continue
			}
			switch dst.Phys {
			case vector.PhysBool:
				dst.Bool[i] = s.v != 0
			case vector.PhysInt32:
				dst.I32[i] = int32(s.v)
			case vector.PhysInt64:
				dst.I64[i] = s.v
			case vector.PhysFloat64:
				dst.F64[i] = floatFromOrd(uint64(s.v))
			}
		}
	case kMinMaxWide:
		for i, r := range refs {
			s := parts[r.part].aggs[ai].mmw[r.gid]
			if !s.has {
				dst.SetNull(i)
				continue
			}
			dst.I128[i] = s.v
		}
	case kMinMaxString:
		total := 0
		for i, r := range refs {
			a := &parts[r.part].aggs[ai]
			s := &a.mms[r.gid]
			if !s.has {
				dst.AppendString(i, nil)
				dst.SetNull(i)
				continue
			}
			b := a.strs.get(s.ref)
			if total += len(b); total > math.MaxInt32 {
				return fmt.Errorf("hashagg: more than 2 GiB of %s results in one output batch; use smaller batches", as.Fn)
			}
			dst.AppendString(i, b)
		}
	}
	return nil
}
