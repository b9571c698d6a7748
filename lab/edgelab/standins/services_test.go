package standins

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	commonrl "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	rlsv3 "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

func rlRequest(domain string, descriptors ...[]string) *rlsv3.RateLimitRequest {
	req := &rlsv3.RateLimitRequest{Domain: domain}
	for _, d := range descriptors {
		desc := &commonrl.RateLimitDescriptor{}
		for i := 0; i < len(d); i += 2 {
			desc.Entries = append(desc.Entries, &commonrl.RateLimitDescriptor_Entry{Key: d[i], Value: d[i+1]})
		}
		req.Descriptors = append(req.Descriptors, desc)
	}
	return req
}

func rlClient(t *testing.T, address string) rlsv3.RateLimitServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return rlsv3.NewRateLimitServiceClient(conn)
}

func TestRateLimitUp(t *testing.T) {
	ip := testIP(t)
	cfg := &RateLimit{Address: addr(ip, freePort(t, ip)), Domain: "edge", Mode: "up", Limits: []Limit{
		{Descriptors: []Entry{{Key: "generic_key", Value: "checkout"}}, RequestsPerUnit: 2, Unit: "hour"},
		{Descriptors: []Entry{{Key: "remote_address", Value: ""}}, RequestsPerUnit: 1, Unit: "hour"},
	}}
	startSpec(t, &Spec{RateLimit: cfg})
	c := rlClient(t, cfg.Address)
	ctx := context.Background()

	for i, want := range []rlsv3.RateLimitResponse_Code{rlsv3.RateLimitResponse_OK, rlsv3.RateLimitResponse_OK, rlsv3.RateLimitResponse_OVER_LIMIT} {
		resp, err := c.ShouldRateLimit(ctx, rlRequest("edge", []string{"generic_key", "checkout"}))
		if err != nil {
			t.Fatal(err)
		}
		st := resp.GetStatuses()[0]
		if resp.GetOverallCode() != want || st.GetCurrentLimit().GetRequestsPerUnit() != 2 || st.GetCurrentLimit().GetUnit() != rlsv3.RateLimitResponse_RateLimit_HOUR {
			t.Fatalf("request %d: %v", i+1, resp)
		}
		if want == rlsv3.RateLimitResponse_OK && st.GetLimitRemaining() != uint32(1-i) {
			t.Fatalf("request %d: remaining %d", i+1, st.GetLimitRemaining())
		}
	}
	// An empty value in the spec counts each value on its own.
	for _, ipv := range []string{"198.51.100.1", "198.51.100.2"} {
		resp, _ := c.ShouldRateLimit(ctx, rlRequest("edge", []string{"remote_address", ipv}))
		if resp.GetOverallCode() != rlsv3.RateLimitResponse_OK {
			t.Fatalf("%s first: %v", ipv, resp)
		}
	}
	resp, _ := c.ShouldRateLimit(ctx, rlRequest("edge", []string{"remote_address", "198.51.100.1"}))
	if resp.GetOverallCode() != rlsv3.RateLimitResponse_OVER_LIMIT {
		t.Fatalf("198.51.100.1 second: %v", resp)
	}
	// No matching limit, another domain, or a longer descriptor: OK without a limit.
	for _, req := range []*rlsv3.RateLimitRequest{
		rlRequest("edge", []string{"generic_key", "other"}),
		rlRequest("other", []string{"generic_key", "checkout"}),
		rlRequest("edge", []string{"generic_key", "checkout", "path", "/"}),
	} {
		resp, err := c.ShouldRateLimit(ctx, req)
		if err != nil || resp.GetOverallCode() != rlsv3.RateLimitResponse_OK || resp.GetStatuses()[0].GetCurrentLimit() != nil {
			t.Fatalf("%v: %v %v", req, resp, err)
		}
	}
	// One over-limit descriptor makes the whole answer OVER_LIMIT.
	resp, _ = c.ShouldRateLimit(ctx, rlRequest("edge", []string{"generic_key", "other"}, []string{"generic_key", "checkout"}))
	if resp.GetOverallCode() != rlsv3.RateLimitResponse_OVER_LIMIT || resp.GetStatuses()[0].GetCode() != rlsv3.RateLimitResponse_OK {
		t.Fatalf("mixed: %v", resp)
	}
}

func TestRateLimitWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 0, 59, 0, time.UTC)
	rl := &rateLimiter{cfg: &RateLimit{Domain: "d", Limits: []Limit{{Descriptors: []Entry{{Key: "k", Value: "v"}}, RequestsPerUnit: 1, Unit: "minute"}}},
		logf: func(string, ...any) {}, now: func() time.Time { return now }, hits: map[string]uint32{}}
	codes := []rlsv3.RateLimitResponse_Code{}
	for _, at := range []time.Duration{0, 0, time.Second, time.Second} {
		now = now.Add(at)
		resp, _ := rl.ShouldRateLimit(context.Background(), rlRequest("d", []string{"k", "v"}))
		codes = append(codes, resp.GetOverallCode())
	}
	want := []rlsv3.RateLimitResponse_Code{rlsv3.RateLimitResponse_OK, rlsv3.RateLimitResponse_OVER_LIMIT, rlsv3.RateLimitResponse_OK, rlsv3.RateLimitResponse_OVER_LIMIT}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("fixed window: got %v, want %v", codes, want)
		}
	}
}

func TestRateLimitDownAndSlow(t *testing.T) {
	ip := testIP(t)
	down := &RateLimit{Address: addr(ip, freePort(t, ip)), Domain: "edge", Mode: "down"}
	s := startSpec(t, &Spec{RateLimit: down})
	if len(s.Addrs()) != 0 {
		t.Fatalf("down mode bound %v", s.Addrs())
	}
	if c, err := net.DialTimeout("tcp", down.Address, time.Second); err == nil {
		c.Close()
		t.Fatal("down mode accepted a connection")
	}

	slow := &RateLimit{Address: addr(ip, freePort(t, ip)), Domain: "edge", Mode: "slow"}
	startSpec(t, &Spec{RateLimit: slow})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := rlClient(t, slow.Address).ShouldRateLimit(ctx, rlRequest("edge", []string{"k", "v"}))
	if status.Code(err) != codes.DeadlineExceeded || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("slow mode answered in %s: %v", time.Since(start), err)
	}
}

func TestACME(t *testing.T) {
	ip := testIP(t)
	cfg := &ACME{Address: addr(ip, freePort(t, ip)),
		Tokens:  map[string]string{"tok-1": "tok-1.thumbprint", "tok-2": "tok-2.thumbprint"},
		Domains: map[string]string{"tok-1": "shop.example.com"}}
	startSpec(t, &Spec{ACME: cfg})
	base := "http://" + cfg.Address

	fetch := func(path, host string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if host != "" {
			req.Host = host
		}
		resp, err := plainClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	code, body, hdr := fetch("/.well-known/acme-challenge/tok-1", "shop.example.com:80")
	if code != 200 || body != "tok-1.thumbprint" || !strings.HasPrefix(hdr.Get("content-type"), "text/plain") {
		t.Fatalf("challenge: %d %q %q", code, body, hdr.Get("content-type"))
	}
	// tok-2 names no domain: any Host.
	if code, body, _ := fetch("/.well-known/acme-challenge/tok-2", "whatever.example.org"); code != 200 || body != "tok-2.thumbprint" {
		t.Fatalf("tok-2: %d %q", code, body)
	}
	for _, c := range []struct{ path, host string }{
		{"/.well-known/acme-challenge/tok-1", "other.example.com"}, // wrong domain
		{"/.well-known/acme-challenge/unknown", "shop.example.com"},
		{"/acme/.well-known/acme-challenge/tok-1", "shop.example.com"}, // a prefix added on the way
		{"/shop", "shop.example.com"},
	} {
		if code, _, _ := fetch(c.path, c.host); code != 404 {
			t.Fatalf("%s host %s: %d, want 404", c.path, c.host, code)
		}
	}
	// cert-manager's solver answers its health check on / and /healthz.
	if code, _, _ := fetch("/healthz", ""); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}

	resp, err := plainClient.Get(base + "/.lab/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var seen []ACMERequest
	if err := json.NewDecoder(resp.Body).Decode(&seen); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 7 || seen[0].Path != "/.well-known/acme-challenge/tok-1" || seen[0].Host != "shop.example.com:80" ||
		seen[0].Status != 200 || seen[2].Status != 404 || seen[2].Host != "other.example.com" || seen[6].Path != "/healthz" {
		t.Fatalf("recorded requests: %+v", seen)
	}
}

func TestAgent(t *testing.T) {
	ip := testIP(t)
	var state atomic.Value
	state.Store("LIVE")
	admin, err := net.Listen("tcp", addr(ip, 0))
	if err != nil {
		t.Fatal(err)
	}
	adminSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := state.Load().(string)
		if r.URL.Path != "/ready" {
			http.NotFound(w, r)
			return
		}
		if s != "LIVE" {
			w.WriteHeader(503)
		}
		io.WriteString(w, s+"\n")
	})}
	go adminSrv.Serve(admin)
	cfg := &Agent{Address: addr(ip, freePort(t, ip)), EnvoyAdmin: admin.Addr().String()}
	startSpec(t, &Spec{Agent: cfg})

	check := func(want int) {
		t.Helper()
		resp, err := plainClient.Get("http://" + cfg.Address + "/healthz/ready")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("healthz/ready: %d %q, want %d", resp.StatusCode, body, want)
		}
	}
	check(200)
	state.Store("PRE_INITIALIZING")
	check(503)
	state.Store("LIVE")
	check(200)
	adminSrv.Close()
	check(503)
	resp, err := plainClient.Get("http://" + cfg.Address + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("/stats: %d", resp.StatusCode)
	}
}

func TestSpecValidation(t *testing.T) {
	ok := Backend{Pod: "p", IP: "127.0.0.1", Ports: []Port{{Port: 8080, Protocol: "http"}}}
	cases := map[string]*Spec{
		"not one of http, https, tls, grpc": {Backends: []Backend{{Pod: "p", IP: "127.0.0.1", Ports: []Port{{Port: 1, Protocol: "h3"}}}}},
		"already used by":                   {Backends: []Backend{ok, {Pod: "q", IP: "127.0.0.1", Ports: ok.Ports}}},
		"one entry per pod":                 {Backends: []Backend{ok, ok}},
		"certFile and keyFile are required": {Backends: []Backend{{Pod: "p", IP: "127.0.0.1", Ports: []Port{{Port: 1, Protocol: "https"}}}}},
		"clientCaFile: required":            {Backends: []Backend{{Pod: "p", IP: "127.0.0.1", Sidecar: true, TLS: &TLSFiles{CertFile: "c", KeyFile: "k"}, Ports: []Port{{Port: 1, Protocol: "http"}}}}},
		"is not an IP address":              {Backends: []Backend{{Pod: "p", IP: "localhost", Ports: []Port{{Port: 1, Protocol: "http"}}}}},
		"rateLimit.mode":                    {RateLimit: &RateLimit{Address: "127.0.0.1:1", Mode: "sideways"}},
		"rateLimit.limits[0].unit":          {RateLimit: &RateLimit{Address: "127.0.0.1:1", Limits: []Limit{{Descriptors: []Entry{{Key: "k"}}, Unit: "week"}}}},
		"is not in acme.tokens":             {ACME: &ACME{Address: "127.0.0.1:1", Domains: map[string]string{"t": "a.example.com"}}},
		"agent.envoyAdmin":                  {Agent: &Agent{Address: "127.0.0.1:1", EnvoyAdmin: "nowhere"}},
	}
	for want, spec := range cases {
		if err := spec.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want error containing %q, got %v", want, err)
		}
	}
	if err := (&Spec{Backends: []Backend{ok}}).Validate(); err != nil {
		t.Fatal(err)
	}
}
