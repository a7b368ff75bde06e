// Command meshctl is the CLI of meshctl, the declarative GitOps pipeline
// compiler for a Data Mesh: flags, wiring of the concrete providers, and
// rendering to the terminal. Every command is thin: flags become an
// arguments struct, the core (lang, planner, executor) does the work, and a
// view prints the result as text or JSON. Exit codes are chosen here only.
package main
