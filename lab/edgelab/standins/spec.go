package standins

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// Spec is the JSON document `edgelab serve --spec` reads (LAB.md, "Spec for edgelab serve").
type Spec struct {
	Backends  []Backend  `json:"backends"`
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	ACME      *ACME      `json:"acme,omitempty"`
	Agent     *Agent     `json:"agent,omitempty"`
	ReadyFile string     `json:"readyFile,omitempty"`
}

// Backend is one backend pod: one IP, one listener per port.
type Backend struct {
	Pod       string            `json:"pod"`
	Backend   string            `json:"backend"`
	Subset    string            `json:"subset"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
	IP        string            `json:"ip"`
	Ports     []Port            `json:"ports"`
	Sidecar   bool              `json:"sidecar"`
	TLS       *TLSFiles         `json:"tls,omitempty"`
}

// Port is one listening port of a backend pod.
type Port struct {
	Port     int    `json:"port"`
	Protocol string `json:"protocol"` // http | https | tls | grpc
}

// TLSFiles names PEM files: the pod's certificate chain and key, and the CA that client
// certificates must chain to (mesh root for sidecars, or a DestinationRule MUTUAL client CA).
type TLSFiles struct {
	CertFile     string `json:"certFile"`
	KeyFile      string `json:"keyFile"`
	ClientCAFile string `json:"clientCaFile,omitempty"`
}

// RateLimit configures the envoy.service.ratelimit.v3 stand-in.
type RateLimit struct {
	Address string  `json:"address"`
	Domain  string  `json:"domain"`
	Limits  []Limit `json:"limits"`
	Mode    string  `json:"mode"` // up (default) | down | slow
}

// Limit is a fixed-window limit for requests whose descriptor entries match Descriptors
// (same keys in the same order; an empty value matches any value, counted per value).
type Limit struct {
	Descriptors     []Entry `json:"descriptors"`
	RequestsPerUnit uint32  `json:"requestsPerUnit"`
	Unit            string  `json:"unit"` // second | minute | hour | day
}

// Entry is one descriptor entry.
type Entry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// ACME configures the HTTP-01 solver stand-in. Tokens maps a challenge token to its key
// authorization; Domains (optional) maps a token to the domain being validated, which the
// request's Host (port stripped) must then equal, as cert-manager's solver checks.
type ACME struct {
	Address string            `json:"address"`
	Tokens  map[string]string `json:"tokens"`
	Domains map[string]string `json:"domains,omitempty"`
}

// Agent configures the pilot-agent status-server stand-in.
type Agent struct {
	Address    string `json:"address"`
	EnvoyAdmin string `json:"envoyAdmin"`
}

var unitDurations = map[string]time.Duration{
	"second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour,
}

var protocols = map[string]bool{"http": true, "https": true, "tls": true, "grpc": true}

// LoadSpec reads and validates a spec file.
func LoadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("spec %s: %w", path, err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("spec %s: %w", path, err)
	}
	return &s, nil
}

// Validate checks what serve needs before it binds anything: addresses, protocols, TLS files
// where a port or sidecar needs them, unique (ip, port), known modes and units.
func (s *Spec) Validate() error {
	seen := map[string]string{}
	pods := map[string]bool{}
	claim := func(addr, what string) error {
		if prev, ok := seen[addr]; ok {
			return fmt.Errorf("%s: address %s already used by %s", what, addr, prev)
		}
		seen[addr] = what
		return nil
	}
	for i, b := range s.Backends {
		what := fmt.Sprintf("backends[%d] (pod %q)", i, b.Pod)
		if b.Pod == "" {
			return fmt.Errorf("backends[%d].pod: empty", i)
		}
		if pods[b.Pod] {
			return fmt.Errorf("%s.pod: %q names another backend entry too (one entry per pod)", what, b.Pod)
		}
		pods[b.Pod] = true
		if net.ParseIP(b.IP) == nil {
			return fmt.Errorf("%s.ip: %q is not an IP address", what, b.IP)
		}
		if len(b.Ports) == 0 {
			return fmt.Errorf("%s.ports: empty", what)
		}
		needTLS := b.Sidecar
		for j, p := range b.Ports {
			if !protocols[p.Protocol] {
				return fmt.Errorf("%s.ports[%d].protocol: %q is not one of http, https, tls, grpc", what, j, p.Protocol)
			}
			if p.Port <= 0 || p.Port > 65535 {
				return fmt.Errorf("%s.ports[%d].port: %d is out of range", what, j, p.Port)
			}
			if p.Protocol == "https" || p.Protocol == "tls" {
				needTLS = true
			}
			if err := claim(net.JoinHostPort(b.IP, strconv.Itoa(p.Port)), what); err != nil {
				return err
			}
		}
		if needTLS && (b.TLS == nil || b.TLS.CertFile == "" || b.TLS.KeyFile == "") {
			return fmt.Errorf("%s.tls: certFile and keyFile are required for https/tls ports and sidecars", what)
		}
		if b.Sidecar && b.TLS.ClientCAFile == "" {
			return fmt.Errorf("%s.tls.clientCaFile: required with sidecar: true (the lab mesh root)", what)
		}
	}
	if r := s.RateLimit; r != nil {
		if _, _, err := net.SplitHostPort(r.Address); err != nil {
			return fmt.Errorf("rateLimit.address: %w", err)
		}
		switch r.Mode {
		case "", "up", "down", "slow":
		default:
			return fmt.Errorf("rateLimit.mode: %q is not one of up, down, slow", r.Mode)
		}
		for i, l := range r.Limits {
			if _, ok := unitDurations[l.Unit]; !ok {
				return fmt.Errorf("rateLimit.limits[%d].unit: %q is not one of second, minute, hour, day", i, l.Unit)
			}
			if len(l.Descriptors) == 0 {
				return fmt.Errorf("rateLimit.limits[%d].descriptors: empty", i)
			}
		}
		if r.Mode != "down" {
			if err := claim(r.Address, "rateLimit"); err != nil {
				return err
			}
		}
	}
	if a := s.ACME; a != nil {
		if _, _, err := net.SplitHostPort(a.Address); err != nil {
			return fmt.Errorf("acme.address: %w", err)
		}
		for token := range a.Domains {
			if _, ok := a.Tokens[token]; !ok {
				return fmt.Errorf("acme.domains: token %q is not in acme.tokens", token)
			}
		}
		if err := claim(a.Address, "acme"); err != nil {
			return err
		}
	}
	if a := s.Agent; a != nil {
		if _, _, err := net.SplitHostPort(a.Address); err != nil {
			return fmt.Errorf("agent.address: %w", err)
		}
		if _, _, err := net.SplitHostPort(a.EnvoyAdmin); err != nil {
			return fmt.Errorf("agent.envoyAdmin: %w", err)
		}
		if err := claim(a.Address, "agent"); err != nil {
			return err
		}
	}
	return nil
}
