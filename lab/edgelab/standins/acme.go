package standins

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

const challengePrefix = "/.well-known/acme-challenge/"

// acmeSolver stands in for cert-manager's HTTP-01 solver pod: GET (or HEAD)
// /.well-known/acme-challenge/<token> answers 200 with the token's key authorization as
// text/plain, anything else 404. Every request except GET /.lab/requests is recorded, and
// GET /.lab/requests returns the record as JSON, so a probe can tell whether the challenge
// reached the solver and with which Host.
type acmeSolver struct {
	tokens map[string]string
	logf   func(string, ...any)
	mu     sync.Mutex
	seen   []ACMERequest
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
	return &acmeSolver{tokens: cfg.Tokens, logf: logf}
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
	status := http.StatusNotFound
	keyAuth, ok := "", false
	if token, isChallenge := strings.CutPrefix(r.URL.Path, challengePrefix); isChallenge && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		keyAuth, ok = a.tokens[token]
	}
	if ok {
		status = http.StatusOK
	}
	headers := make(map[string][]string, len(r.Header))
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = v
	}
	a.mu.Lock()
	a.seen = append(a.seen, ACMERequest{Method: r.Method, Path: r.RequestURI, Host: r.Host,
		RemoteAddr: r.RemoteAddr, Headers: headers, Status: status, Time: time.Now().UTC()})
	a.mu.Unlock()
	a.logf("acme %s %s %s host=%q from=%s status=%d", r.Proto, r.Method, r.RequestURI, r.Host, r.RemoteAddr, status)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("content-type", "text/plain")
	_, _ = w.Write([]byte(keyAuth))
}
