// Package configs turns a workspace's *.mesh.hcl files into a typed
// configuration model: mesh, domain, source, product (inputs, transforms and
// their ordered operators, output, contract, checks, sla, lifecycle), policy
// and exemption.
//
// Loading has two phases, as HCL recommends: Load decodes every block's
// structure, leaving the expressions that the compiler types (where,
// columns, on, assert, condition) unevaluated; then it resolves every
// reference (domain.x, source.x, product.x, input.x, transform.x, policy.x)
// and finds cycles. All problems are reported together as diagnostics.
//
// configs reads files through an fs.FS and the environment through a
// function it is given; it reads no data. It must not import the planner,
// the executor, providers or cmd.
package configs
