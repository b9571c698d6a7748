// Package standins serves the lab's stand-ins: backends, rate-limit service, ACME solver, agent.
package standins

// Serve runs `edgelab serve`.
func Serve(args []string) error { return nil }

// CA runs `edgelab ca`.
func CA(args []string) error { return nil }
