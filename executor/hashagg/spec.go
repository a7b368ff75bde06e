package hashagg

import (
	"fmt"

	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// AggSpec is one aggregate to compute per group.
type AggSpec struct {
	// Fn is the aggregate function: AggCountRows (no argument), AggCount,
	// AggCountDistinct, AggSum, AggMin, AggMax or AggAvg.
	Fn ir.AggFunc
	// ArgType is the type of the argument vector (unused for AggCountRows).
	ArgType types.Type
	// OutType is the result type as the compiler typed it (ir.AggCall.T):
	// int64 for the counts; for sum int64 over integers, decimal(38,s) over
	// decimal(p,s) (any precision with the argument's scale is accepted),
	// float64 over float64; float64 for avg; the argument's type for min
	// and max.
	OutType types.Type
}

// Spec describes an aggregation: the key columns' types and the aggregates.
// Distinct is a Spec with every column a key and no aggregate.
type Spec struct {
	KeyTypes []types.Type
	Aggs     []AggSpec
}

// OutTypes returns the types of Finish's output columns: the keys,
// then one per aggregate.
func (s *Spec) OutTypes() []types.Type {
	out := make([]types.Type, 0, len(s.KeyTypes)+len(s.Aggs))
	out = append(out, s.KeyTypes...)
	for _, a := range s.Aggs {
		out = append(out, a.OutType)
	}
	return out
}

// aggKind is the state layout and kernel family of an aggregate.
type aggKind uint8

const (
	kCountRows aggKind = iota + 1
	kCount
	kCountDistinct
	// kSumInt sums int32/int64-stored values (integers, decimals of at
	// most 18 digits) into 128 bits.
	kSumInt
	// kSumWide sums Int128 values into 128 bits plus a carry word.
	kSumWide
	// kSumFloat sums float64 values in double-double.
	kSumFloat
	// kMinMaxInt is min/max over bool, int32 and int64-stored values,
	// kept as int64.
	kMinMaxInt
	// kMinMaxFloat is min/max over float64, kept as an order-preserving
	// uint64.
	kMinMaxFloat
	kMinMaxWide
	kMinMaxString
)

// Validate reports whether the table can aggregate this spec: known types
// and functions, and result types that match the arguments.
func (s *Spec) Validate() error {
	for i, t := range s.KeyTypes {
		if vector.PhysicalOf(t) == 0 {
			return fmt.Errorf("hashagg: key %d has unsupported type %s", i, t)
		}
	}
	for i, a := range s.Aggs {
		if _, err := kindOf(a); err != nil {
			return fmt.Errorf("hashagg: aggregate %d (%s): %w", i, a.Fn, err)
		}
	}
	return nil
}

// kindOf picks an aggregate's kernel family and checks its types.
func kindOf(a AggSpec) (aggKind, error) {
	argPhys := vector.PhysicalOf(a.ArgType)
	if a.Fn != ir.AggCountRows && argPhys == 0 {
		return 0, fmt.Errorf("unsupported argument type %s", a.ArgType)
	}
	if vector.PhysicalOf(a.OutType) == 0 {
		return 0, fmt.Errorf("unsupported result type %s", a.OutType)
	}
	wantOut := func(ok bool) error {
		if !ok {
			return fmt.Errorf("result type %s does not fit argument type %s", a.OutType, a.ArgType)
		}
		return nil
	}
	switch a.Fn {
	case ir.AggCountRows, ir.AggCount, ir.AggCountDistinct:
		if a.OutType.Kind != types.Int64 {
			return 0, fmt.Errorf("result type %s: counts are int64", a.OutType)
		}
		switch a.Fn {
		case ir.AggCountRows:
			return kCountRows, nil
		case ir.AggCount:
			return kCount, nil
		}
		return kCountDistinct, nil
	case ir.AggSum, ir.AggAvg:
		if !a.ArgType.IsNumeric() {
			return 0, fmt.Errorf("argument type %s is not numeric", a.ArgType)
		}
		if a.Fn == ir.AggAvg {
			if err := wantOut(a.OutType.Kind == types.Float64); err != nil {
				return 0, err
			}
		} else {
			switch a.ArgType.Kind {
			case types.Float64:
				if err := wantOut(a.OutType.Kind == types.Float64); err != nil {
					return 0, err
				}
			case types.Int32, types.Int64:
				if err := wantOut(a.OutType.Kind == types.Int64 ||
					a.OutType.Kind == types.Decimal && a.OutType.Scale == 0); err != nil {
					return 0, err
				}
			case types.Decimal:
				if err := wantOut(a.OutType.Kind == types.Decimal && a.OutType.Scale == a.ArgType.Scale); err != nil {
					return 0, err
				}
			}
		}
		switch argPhys {
		case vector.PhysInt32, vector.PhysInt64:
			return kSumInt, nil
		case vector.PhysInt128:
			return kSumWide, nil
		}
		return kSumFloat, nil
	case ir.AggMin, ir.AggMax:
		if err := wantOut(a.OutType == a.ArgType); err != nil {
			return 0, err
		}
		switch argPhys {
		case vector.PhysBool, vector.PhysInt32, vector.PhysInt64:
			return kMinMaxInt, nil
		case vector.PhysFloat64:
			return kMinMaxFloat, nil
		case vector.PhysInt128:
			return kMinMaxWide, nil
		}
		return kMinMaxString, nil
	}
	return 0, fmt.Errorf("unknown aggregate function %d", a.Fn)
}

// sameSpec reports whether two specs describe the same aggregation.
func sameSpec(a, b *Spec) bool {
	if a == b {
		return true
	}
	if len(a.KeyTypes) != len(b.KeyTypes) || len(a.Aggs) != len(b.Aggs) {
		return false
	}
	for i := range a.KeyTypes {
		if a.KeyTypes[i] != b.KeyTypes[i] {
			return false
		}
	}
	for i := range a.Aggs {
		if a.Aggs[i] != b.Aggs[i] {
			return false
		}
	}
	return true
}
