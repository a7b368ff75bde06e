// Package freshness tells, for every product, whether the data it has
// published is as recent as its SLA promises (sla { freshness = "24h" }):
// the age of the published version, from the deployed state, against the
// SLA, at a given time. It is what meshctl status prints and what a
// monitoring job exits on.
//
// freshness imports lang/configs and planner/state only: it reads no data
// and no lake.
package freshness
