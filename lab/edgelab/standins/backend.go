package standins

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Echo is the JSON body every backend response carries (LAB.md, "Backend echo contract").
type Echo struct {
	Pod        string              `json:"pod"`
	Backend    string              `json:"backend"`
	Subset     string              `json:"subset"`
	Namespace  string              `json:"namespace"`
	Labels     map[string]string   `json:"labels"`
	Port       int                 `json:"port"`
	Method     string              `json:"method"`
	Path       string              `json:"path"`
	Host       string              `json:"host"`
	Headers    map[string][]string `json:"headers"`
	RemoteAddr string              `json:"remoteAddr"`
	Proto      string              `json:"proto"`
	TLS        *TLSInfo            `json:"tls"`
	BodyBytes  int64               `json:"bodyBytes"`
	Attempt    int                 `json:"attempt,omitempty"`
	GRPCMethod string              `json:"grpcMethod,omitempty"`
	Error      string              `json:"error,omitempty"`
}

// backendHandler answers for one (pod, port).
type backendHandler struct {
	s    *Server
	b    *Backend
	port int
	ws   websocket.Upgrader
	log  *requestLog // shared by the pod's ports
}

// requestsPath is reserved on every backend port: GET answers the pod's request log.
const requestsPath = "/.lab/requests"

// maxLogged bounds a pod's request log (oldest dropped first).
const maxLogged = 2000

// Logged is one entry of a pod's request log: the echo of the request (without the body
// bytes of a stream still open), the status answered and when it arrived.
type Logged struct {
	Echo
	Status int       `json:"status"`
	Time   time.Time `json:"time"`
}

// requestLog keeps what a pod received, so a probe can see requests whose response it never
// gets (mirrored traffic, which Envoy sends and forgets) by asking the pod directly.
type requestLog struct {
	mu      sync.Mutex
	entries []Logged
}

func (l *requestLog) add(e Echo, status int, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) >= maxLogged {
		l.entries = append(l.entries[:0], l.entries[len(l.entries)-maxLogged+1:]...)
	}
	l.entries = append(l.entries, Logged{Echo: e, Status: status, Time: at.UTC()})
}

func (l *requestLog) serve(w http.ResponseWriter) {
	l.mu.Lock()
	body, _ := json.Marshal(append([]Logged{}, l.entries...))
	l.mu.Unlock()
	w.Header().Set("content-type", "application/json")
	_, _ = w.Write(append(body, '\n'))
}

func (s *Server) startBackendPort(b *Backend, p Port) error {
	addr := net.JoinHostPort(b.IP, strconv.Itoa(p.Port))
	tl := &tlsListener{}
	var err error
	if b.Sidecar {
		if tl.mesh, err = serverTLS(b.TLS, meshALPN, b.TLS.ClientCAFile); err != nil {
			return fmt.Errorf("pod %s: %w", b.Pod, err)
		}
	}
	if p.Protocol == "https" || p.Protocol == "tls" {
		clientCA := b.TLS.ClientCAFile
		if b.Sidecar {
			clientCA = "" // the mesh layer authenticated the peer; the app's TLS does not
		}
		if tl.app, err = serverTLS(b.TLS, appALPN, clientCA); err != nil {
			return fmt.Errorf("pod %s: %w", b.Pod, err)
		}
	}
	ln, err := s.listen(addr)
	if err != nil {
		return fmt.Errorf("pod %s: %w", b.Pod, err)
	}
	var l net.Listener = ln
	if tl.mesh != nil || tl.app != nil {
		tl.Listener = ln
		l = tl
	}
	h := &backendHandler{s: s, b: b, port: p.Port, log: s.podLog(b.Pod)}
	h.ws = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	s.serveHTTP(l, h)
	return nil
}

// knobs are the request's x-lab-* headers, parsed.
type knobs struct {
	status        int
	delay, hold   time.Duration
	failAttempts  int
	hasFail       bool
	grpcStatus    int
	grpcStatusSet bool
}

func parseKnobs(h http.Header) (knobs, error) {
	var k knobs
	var err error
	if v := h.Get("x-lab-status"); v != "" {
		if k.status, err = strconv.Atoi(v); err != nil || k.status < 200 || k.status > 599 {
			return k, fmt.Errorf("x-lab-status: %q is not a status code 200-599", v)
		}
	}
	if v := h.Get("x-lab-delay"); v != "" {
		if k.delay, err = time.ParseDuration(v); err != nil || k.delay < 0 {
			return k, fmt.Errorf("x-lab-delay: %q is not a Go duration such as 2500ms", v)
		}
	}
	if v := h.Get("x-lab-hold"); v != "" {
		if k.hold, err = time.ParseDuration(v); err != nil || k.hold < 0 {
			return k, fmt.Errorf("x-lab-hold: %q is not a Go duration such as 30s", v)
		}
	}
	if v := h.Get("x-lab-fail-attempts"); v != "" {
		if k.failAttempts, err = strconv.Atoi(v); err != nil || k.failAttempts < 0 {
			return k, fmt.Errorf("x-lab-fail-attempts: %q is not a count", v)
		}
		k.hasFail = true
	}
	if v := h.Get("x-lab-grpc-status"); v != "" {
		if k.grpcStatus, err = strconv.Atoi(v); err != nil || k.grpcStatus < 0 || k.grpcStatus > 16 {
			return k, fmt.Errorf("x-lab-grpc-status: %q is not a gRPC status code 0-16", v)
		}
		k.grpcStatusSet = true
	}
	return k, nil
}

func (h *backendHandler) echo(r *http.Request) *Echo {
	labels := h.b.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	headers := make(map[string][]string, len(r.Header))
	for k, v := range r.Header {
		lk := strings.ToLower(k)
		headers[lk] = append(headers[lk], v...)
	}
	if len(r.TransferEncoding) > 0 {
		headers["transfer-encoding"] = r.TransferEncoding
	}
	return &Echo{
		Pod: h.b.Pod, Backend: h.b.Backend, Subset: h.b.Subset, Namespace: h.b.Namespace,
		Labels: labels, Port: h.port, Method: r.Method, Path: r.RequestURI, Host: r.Host,
		Headers: headers, RemoteAddr: r.RemoteAddr, Proto: r.Proto, TLS: tlsInfo(r.Context()),
	}
}

func (h *backendHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header().Set("x-lab-pod", h.b.Pod)
	if r.Method == http.MethodGet && r.URL.Path == requestsPath {
		h.log.serve(w)
		return
	}
	e := h.echo(r)
	k, kerr := parseKnobs(r.Header)
	status := http.StatusOK
	defer func() {
		h.log.add(*e, status, start)
		h.s.logf("backend pod=%s port=%d %s %s %s host=%q from=%s status=%d in=%s",
			h.b.Pod, h.port, r.Proto, r.Method, r.RequestURI, r.Host, r.RemoteAddr, status,
			time.Since(start).Round(time.Millisecond))
	}()
	if kerr != nil {
		e.Error = kerr.Error()
		status = http.StatusBadRequest
		e.BodyBytes, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, status, e)
		return
	}
	if k.hasFail {
		e.Attempt = h.s.attempt.next(r.Header.Get("x-request-id"))
	}
	if websocket.IsWebSocketUpgrade(r) {
		status = h.serveWebSocket(w, r, e, k)
		return
	}
	if r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("content-type"), "application/grpc") {
		status = h.serveGRPC(w, r, e, k)
		return
	}
	e.BodyBytes, _ = io.Copy(io.Discard, r.Body)
	if !sleep(r.Context(), k.delay) {
		status = 499
		return
	}
	if k.status != 0 {
		status = k.status
	}
	if k.hasFail && e.Attempt <= k.failAttempts {
		status = http.StatusServiceUnavailable
	}
	if k.hold > 0 {
		w.Header().Set("content-type", "application/json")
		w.WriteHeader(status)
		_ = http.NewResponseController(w).Flush()
		if !sleep(r.Context(), k.hold) {
			return
		}
		if status != http.StatusNoContent && status != http.StatusNotModified {
			_ = json.NewEncoder(w).Encode(e)
		}
		return
	}
	writeJSON(w, status, e)
}

// writeJSON answers status with v as JSON, or with no body where the status forbids one
// (1xx, 204, 304).
func writeJSON(w http.ResponseWriter, status int, v any) {
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	body, _ := json.Marshal(v)
	w.Header().Set("content-type", "application/json")
	w.Header().Set("content-length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// sleep waits d or until ctx ends; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// serveWebSocket accepts the RFC 6455 upgrade (after x-lab-delay; x-lab-status or a failing
// attempt refuses it with that status), sends the JSON echo of the upgrade request as the
// first message, then echoes every message back with its type.
func (h *backendHandler) serveWebSocket(w http.ResponseWriter, r *http.Request, e *Echo, k knobs) int {
	if !sleep(r.Context(), k.delay) {
		return 499
	}
	refuse := k.status
	if k.hasFail && e.Attempt <= k.failAttempts {
		refuse = http.StatusServiceUnavailable
	}
	if refuse != 0 && refuse != http.StatusSwitchingProtocols {
		writeJSON(w, refuse, e)
		return refuse
	}
	up := h.ws
	up.Subprotocols = websocket.Subprotocols(r) // accept the client's first choice
	if len(up.Subprotocols) > 1 {
		up.Subprotocols = up.Subprotocols[:1]
	}
	c, err := up.Upgrade(w, r, http.Header{"X-Lab-Pod": {h.b.Pod}})
	if err != nil {
		return http.StatusBadRequest // Upgrade already answered
	}
	h.s.hijack.Store(c.NetConn(), struct{}{})
	go func() {
		defer h.s.hijack.Delete(c.NetConn())
		defer c.Close()
		first, _ := json.Marshal(e)
		if err := c.WriteMessage(websocket.TextMessage, first); err != nil {
			return
		}
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(mt, msg); err != nil {
				return
			}
		}
	}()
	return http.StatusSwitchingProtocols
}

// attempts counts requests per x-request-id across the whole process (Envoy's retries may
// land on another pod of the same cluster: the count is the request's, not the pod's).
type attempts struct {
	mu   sync.Mutex
	seen map[string]*attempt
}

type attempt struct {
	n    int
	last time.Time
}

func newAttempts() *attempts { return &attempts{seen: map[string]*attempt{}} }

// next returns the 1-based attempt number of this request id; without an id every request
// is attempt 1. Entries idle for ten minutes are dropped once the table grows past 4096.
func (a *attempts) next(id string) int {
	if id == "" {
		return 1
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	if len(a.seen) > 4096 {
		for k, v := range a.seen {
			if now.Sub(v.last) > 10*time.Minute {
				delete(a.seen, k)
			}
		}
	}
	at := a.seen[id]
	if at == nil {
		at = &attempt{}
		a.seen[id] = at
	}
	at.n++
	at.last = now
	return at.n
}
