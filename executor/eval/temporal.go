package eval

import (
	"github.com/meshctl/meshctl/executor/vector"
	"github.com/meshctl/meshctl/lang/ir"
	"github.com/meshctl/meshctl/lang/types"
)

// dayOf returns the day (since the epoch) of a timestamp.
func dayOf(us int64) int64 { return floorDiv64(us, microsPerDay) }

// partNode is year(x), month(x) or day(x) of a date or timestamp (int32).
type partNode struct {
	base
	fn ir.Func
	x  node
}

func (n *partNode) kids() []node { return []node{n.x} }

func (n *partNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	days := daysOf(ev, &n.base, x, rows)
	o := out.I32[:rows]
	switch n.fn {
	case ir.FnYear:
		for i, d := range days {
			y, _, _ := civil(d)
			o[i] = int32(y)
		}
	case ir.FnMonth:
		for i, d := range days {
			_, m, _ := civil(d)
			o[i] = int32(m)
		}
	default:
		for i, d := range days {
			_, _, dd := civil(d)
			o[i] = int32(dd)
		}
	}
	copyValid(out, x.Valid, rows)
	return out, nil
}

// daysOf returns the day (since the epoch) of every row of a date or
// timestamp vector, in the node's scratch.
func daysOf(ev *Evaluator, b *base, x *vector.Vector, rows int) []int64 {
	s := &ev.slots[b.id]
	s.i64 = growT(s.i64, rows)
	days := s.i64
	if x.Phys == vector.PhysInt32 {
		for i, d := range x.I32[:rows] {
			days[i] = int64(d)
		}
	} else {
		for i, us := range x.I64[:rows] {
			days[i] = dayOf(us)
		}
	}
	return days
}

// truncUnit is a unit of date_trunc.
type truncUnit uint8

const (
	truncYear truncUnit = iota + 1
	truncQuarter
	truncMonth
	truncWeek
	truncDay
	truncHour
	truncMinute
	truncSecond
)

var truncUnits = map[string]truncUnit{"year": truncYear, "quarter": truncQuarter, "month": truncMonth,
	"week": truncWeek, "day": truncDay, "hour": truncHour, "minute": truncMinute, "second": truncSecond}

// truncNode is date_trunc(unit, x), keeping x's type.
type truncNode struct {
	base
	unit truncUnit
	x    node
}

func (n *truncNode) kids() []node { return []node{n.x} }

// truncDays truncates every day in place to the start of its year,
// quarter, month or ISO week (Monday); finer units leave it.
func truncDays(u truncUnit, days []int64) {
	switch u {
	case truncYear:
		for i, d := range days {
			y, _, _ := civil(d)
			days[i] = daysFromCivil(y, 1, 1)
		}
	case truncQuarter:
		for i, d := range days {
			y, m, _ := civil(d)
			days[i] = daysFromCivil(y, (m-1)/3*3+1, 1)
		}
	case truncMonth:
		for i, d := range days {
			_, _, dd := civil(d)
			days[i] = d - int64(dd) + 1
		}
	case truncWeek:
		for i, d := range days {
			// 1970-01-01 was a Thursday: the Monday-based weekday is
			// (d+3) mod 7.
			wd := (d + 3) % 7
			if wd < 0 {
				wd += 7
			}
			days[i] = d - wd
		}
	}
}

func (n *truncNode) eval(ev *Evaluator, b *vector.Batch, act vector.Bitmap) (*vector.Vector, error) {
	rows := b.Len
	x, err := n.x.eval(ev, b, act)
	if err != nil {
		return nil, err
	}
	out := ev.out(&n.base, rows)
	copyValid(out, x.Valid, rows)
	if n.t.Kind == types.Date {
		days := daysOf(ev, &n.base, x, rows)
		truncDays(n.unit, days)
		o := out.I32[:rows]
		for i, d := range days {
			o[i] = int32(d)
		}
		return out, nil
	}
	var step int64
	switch n.unit {
	case truncDay:
		step = microsPerDay
	case truncHour:
		step = microsPerHour
	case truncMinute:
		step = microsPerMin
	case truncSecond:
		step = microsPerSec
	}
	o := out.I64[:rows]
	if step != 0 {
		for i, us := range x.I64[:rows] {
			o[i] = floorDiv64(us, step) * step
		}
		return out, nil
	}
	days := daysOf(ev, &n.base, x, rows)
	truncDays(n.unit, days)
	for i, d := range days {
		o[i] = d * microsPerDay
	}
	return out, nil
}
