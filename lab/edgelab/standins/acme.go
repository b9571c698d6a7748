package standins

import (
	"encoding/json"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// challengeDir is cert-manager's HTTPChallengePath.
const challengeDir = "/.well-known/acme-challenge"

// acmeSolver stands in for cert-manager's HTTP-01 solver pod (acmesolver), modelled on its
// handler (cert-manager pkg/issuer/acme/http/solver/solver.go): "/" and "/healthz" answer 200
// with an empty body (its health check); /.well-known/acme-challenge/<token> answers 200 with
// the token's key authorization when the token is known and, if the spec names the token's
// domain, the Host without its port equals it; anything else is 404. One stand-in serves every
// token of the spec (cert-manager runs one solver pod per challenge). Every request except
// GET /.lab/requests is recorded, and GET /.lab/requests returns the record as JSON, so a probe
// can tell whether the challenge reached the solver, with which path and Host.
type acmeSolver struct {
	tokens  map[string]string
	domains map[string]string
	logf    func(string, ...any)
	mu      sync.Mutex
	seen    []ACMERequest
}

// ACMERequest is one request the solver received.
type ACMERequest struct {
	Method     string              `json:"method"`
	Path       string              `json:"path"`
	Host       string              `json:"host"`
	RemoteAddr string              `json:"remoteAddr"`
	Headers    map[string][]string `json:"headers"`
	Status     int                 `json:"status"`
	Time       time.Time           `json:"time"`
}

func newACME(cfg *ACME, logf func(string, ...any)) *acmeSolver {
	return &acmeSolver{tokens: cfg.Tokens, domains: cfg.Domains, logf: logf}
}

func (a *acmeSolver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/.lab/requests" {
		a.mu.Lock()
		body, _ := json.Marshal(append([]ACMERequest{}, a.seen...))
		a.mu.Unlock()
		w.Header().Set("content-type", "application/json")
		_, _ = w.Write(append(body, '\n'))
		return
	}
	status, body := a.answer(r)
	headers := make(map[string][]string, len(r.Header))
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = v
	}
	a.mu.Lock()
	a.seen = append(a.seen, ACMERequest{Method: r.Method, Path: r.RequestURI, Host: r.Host,
		RemoteAddr: r.RemoteAddr, Headers: headers, Status: status, Time: time.Now().UTC()})
	a.mu.Unlock()
	a.logf("acme %s %s %s host=%q from=%s status=%d", r.Proto, r.Method, r.RequestURI, r.Host, r.RemoteAddr, status)
	if status == http.StatusNotFound {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	w.Header().Set("content-type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (a *acmeSolver) answer(r *http.Request) (int, string) {
	p := r.URL.EscapedPath()
	if p == "/" || p == "/healthz" {
		return http.StatusOK, ""
	}
	if path.Dir(p) != challengeDir {
		return http.StatusNotFound, ""
	}
	token := path.Base(p)
	keyAuth, ok := a.tokens[token]
	if !ok {
		return http.StatusNotFound, ""
	}
	if domain, named := a.domains[token]; named && hostOnly(r.Host) != domain {
		return http.StatusNotFound, ""
	}
	return http.StatusOK, keyAuth
}

// hostOnly strips the port from a Host value (and the brackets of an IPv6 literal).
func hostOnly(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return strings.Trim(h, "[]")
}
