package standins

import (
	"io"
	"net/http"
	"strings"
	"time"
)

// agentStatus stands in for pilot-agent's status server (port 15020): GET /healthz/ready is
// 200 when the Envoy admin answers GET /ready with 200 "LIVE", else 503 (the gateway's
// 15021 health listener routes there, so the cloud's health checks see Envoy's readiness).
type agentStatus struct {
	admin  string
	client *http.Client
	logf   func(string, ...any)
}

func newAgent(cfg *Agent, logf func(string, ...any)) *agentStatus {
	return &agentStatus{admin: cfg.EnvoyAdmin, client: &http.Client{Timeout: 2 * time.Second}, logf: logf}
}

func (a *agentStatus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/healthz/ready" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		a.logf("agent %s %s host=%q status=404", r.Method, r.RequestURI, r.Host)
		http.NotFound(w, r)
		return
	}
	status, why := http.StatusServiceUnavailable, ""
	resp, err := a.client.Get("http://" + a.admin + "/ready")
	if err != nil {
		why = "envoy admin: " + err.Error()
	} else {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		resp.Body.Close()
		state := strings.TrimSpace(string(body))
		if resp.StatusCode == http.StatusOK && state == "LIVE" {
			status = http.StatusOK
		} else {
			why = "envoy admin /ready: " + resp.Status + " " + state
		}
	}
	a.logf("agent %s %s host=%q status=%d %s", r.Method, r.RequestURI, r.Host, status, why)
	w.Header().Set("content-type", "text/plain")
	w.WriteHeader(status)
	if why != "" {
		_, _ = io.WriteString(w, why+"\n")
	}
}
