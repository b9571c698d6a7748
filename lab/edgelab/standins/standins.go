// Package standins serves the edge lab's stand-ins (`edgelab serve`): backend pods that echo
// what they received, the global rate-limit service, cert-manager's HTTP-01 solver and
// pilot-agent's status server; and the lab's mesh CA (`edgelab ca`). See docs/lab-standins.md.
package standins
