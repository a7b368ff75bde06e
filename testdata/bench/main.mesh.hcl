# The end-to-end benchmark of meshctl's executor: one product per query of
# /work/shared/perf/ANCHORS.md, over the data cmd/meshgen writes. Run it with
# `make bench` (cmd/meshbench generates the data into datasets/, points data/
# at it, and times `meshctl run` on each product).
mesh {
  name = "meshctl-bench"
}

domain "bench" {
  owner       = "meshctl-maintainers@meshctl.example"
  description = "Synthetic customers and orders for the executor's benchmark"
}
