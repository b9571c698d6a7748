package standins

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/net/http2"
)

func plainBackend(t *testing.T, protocol string) (string, *Backend) {
	ip := testIP(t)
	port := freePort(t, ip)
	b := Backend{Pod: "shop-stable-0", Backend: "shop", Subset: "stable", Namespace: "shop",
		Labels: map[string]string{"app": "shop", "version": "stable"}, IP: ip,
		Ports: []Port{{Port: port, Protocol: protocol}}}
	return addr(ip, port), &b
}

func TestHTTPEcho(t *testing.T) {
	a, b := plainBackend(t, "http")
	startSpec(t, &Spec{Backends: []Backend{*b}})

	req, _ := http.NewRequest(http.MethodPost, "http://"+a+"/shop/items?id=7&x=%2F", strings.NewReader("hello"))
	req.Host = "shop.example.com:8080"
	req.Header.Add("X-Forwarded-For", "203.0.113.9")
	req.Header.Add("X-Multi", "a")
	req.Header.Add("X-Multi", "b")
	resp, e := do(t, plainClient, req)
	if resp.StatusCode != 200 || resp.Header.Get("x-lab-pod") != "shop-stable-0" {
		t.Fatalf("status %d, x-lab-pod %q", resp.StatusCode, resp.Header.Get("x-lab-pod"))
	}
	if ct := resp.Header.Get("content-type"); ct != "application/json" {
		t.Fatalf("content-type %q", ct)
	}
	if e.Pod != "shop-stable-0" || e.Backend != "shop" || e.Subset != "stable" || e.Labels["version"] != "stable" {
		t.Fatalf("identity: %+v", e)
	}
	if e.Method != "POST" || e.Path != "/shop/items?id=7&x=%2F" || e.Host != "shop.example.com:8080" {
		t.Fatalf("request line: %s %s host %s", e.Method, e.Path, e.Host)
	}
	if e.Proto != "HTTP/1.1" || e.TLS != nil || e.BodyBytes != 5 {
		t.Fatalf("proto %s tls %+v bodyBytes %d", e.Proto, e.TLS, e.BodyBytes)
	}
	if !slices.Equal(e.Headers["x-multi"], []string{"a", "b"}) || e.Headers["x-forwarded-for"][0] != "203.0.113.9" {
		t.Fatalf("headers: %v", e.Headers)
	}
	if host, _, _ := net.SplitHostPort(e.RemoteAddr); host != "127.0.0.1" && !strings.HasPrefix(host, "127.") {
		t.Fatalf("remoteAddr %q", e.RemoteAddr)
	}

	// h2c with prior knowledge on the same port.
	resp, e = get(t, h2cClient(), "http://"+a+"/h2", nil)
	if resp.ProtoMajor != 2 || e.Proto != "HTTP/2.0" || e.Path != "/h2" || resp.Header.Get("x-lab-pod") != "shop-stable-0" {
		t.Fatalf("h2c: resp proto %s, echo proto %s path %s", resp.Proto, e.Proto, e.Path)
	}

	// The pod's request log, asked directly: both requests, in order, with their status.
	resp, err := plainClient.Get("http://" + a + "/.lab/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var logged []Logged
	if err := json.NewDecoder(resp.Body).Decode(&logged); err != nil {
		t.Fatal(err)
	}
	if len(logged) != 2 || logged[0].Path != "/shop/items?id=7&x=%2F" || logged[0].Status != 200 ||
		logged[0].Headers["x-multi"][1] != "b" || logged[1].Proto != "HTTP/2.0" || logged[1].Time.IsZero() {
		t.Fatalf("request log: %+v", logged)
	}
}

func TestKnobs(t *testing.T) {
	a, b := plainBackend(t, "http")
	startSpec(t, &Spec{Backends: []Backend{*b}})
	url := "http://" + a + "/k"

	resp, e := get(t, plainClient, url, map[string]string{"x-lab-status": "503"})
	if resp.StatusCode != 503 || e.Pod != "shop-stable-0" {
		t.Fatalf("x-lab-status: %d %+v", resp.StatusCode, e)
	}

	resp, err := plainClient.Get(url) // no knob
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("x-lab-status", "204")
	if resp, err = plainClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("x-lab-status 204: %v %v", resp, err)
	}
	resp.Body.Close()

	start := time.Now()
	resp, _ = get(t, plainClient, url, map[string]string{"x-lab-delay": "300ms"})
	if took := time.Since(start); resp.StatusCode != 200 || took < 300*time.Millisecond {
		t.Fatalf("x-lab-delay: status %d after %s", resp.StatusCode, took)
	}

	// Retries: the first two requests with one x-request-id fail, the third passes; another
	// id counts on its own; without an id every request is attempt 1.
	for i, want := range []int{503, 503, 200, 200} {
		resp, e := get(t, plainClient, url, map[string]string{"x-lab-fail-attempts": "2", "x-request-id": "r-1"})
		if resp.StatusCode != want || e.Attempt != i+1 {
			t.Fatalf("attempt %d: status %d (want %d), attempt %d", i+1, resp.StatusCode, want, e.Attempt)
		}
	}
	resp, e = get(t, h2cClient(), url, map[string]string{"x-lab-fail-attempts": "1", "x-request-id": "r-2"})
	if resp.StatusCode != 503 || e.Attempt != 1 {
		t.Fatalf("new id: %d attempt %d", resp.StatusCode, e.Attempt)
	}
	resp, _ = get(t, plainClient, url, map[string]string{"x-lab-fail-attempts": "1"})
	if resp.StatusCode != 503 {
		t.Fatalf("no id: %d", resp.StatusCode)
	}

	resp, e = get(t, plainClient, url, map[string]string{"x-lab-delay": "soon"})
	if resp.StatusCode != 400 || !strings.Contains(e.Error, "x-lab-delay") {
		t.Fatalf("bad knob: %d %q", resp.StatusCode, e.Error)
	}
}

func TestHold(t *testing.T) {
	a, b := plainBackend(t, "http")
	startSpec(t, &Spec{Backends: []Backend{*b}})
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, "http://"+a+"/hold", nil)
	req.Header.Set("x-lab-hold", "600ms")
	resp, err := plainClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	headers := time.Since(start)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	total := time.Since(start)
	if headers > 400*time.Millisecond || total < 600*time.Millisecond || resp.Header.Get("x-lab-pod") == "" {
		t.Fatalf("headers after %s, body after %s", headers, total)
	}
	if decodeEcho(t, body).Path != "/hold" {
		t.Fatalf("body %q", body)
	}

	// A client giving up mid-hold frees the handler (Close below does not wait a second).
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://"+a+"/hold", nil)
	req.Header.Set("x-lab-hold", "30s")
	if resp, err := plainClient.Do(req); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			t.Fatal("held response completed")
		}
	}
}

func TestTLSBackend(t *testing.T) {
	ca := newTestCA(t)
	for _, protocol := range []string{"https", "tls"} {
		t.Run(protocol, func(t *testing.T) {
			a, b := plainBackend(t, protocol)
			b.TLS = ca.files("shop")
			startSpec(t, &Spec{Backends: []Backend{*b}})
			for _, h2 := range []bool{true, false} {
				tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool, ServerName: "api.shop.example.com"}, ForceAttemptHTTP2: h2}
				if !h2 {
					tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
					tr.TLSClientConfig.NextProtos = []string{"http/1.1"}
				}
				resp, e := get(t, &http.Client{Transport: tr, Timeout: 10 * time.Second}, "https://"+a+"/secure", nil)
				wantProto, wantALPN := "HTTP/1.1", "http/1.1"
				if h2 {
					wantProto, wantALPN = "HTTP/2.0", "h2"
				}
				if resp.StatusCode != 200 || e.Proto != wantProto || e.TLS == nil {
					t.Fatalf("h2=%v: status %d proto %s tls %+v", h2, resp.StatusCode, e.Proto, e.TLS)
				}
				if e.TLS.Version != "TLS1.3" || e.TLS.SNI != "api.shop.example.com" || e.TLS.ALPN != wantALPN || len(e.TLS.PeerURIs) != 0 {
					t.Fatalf("h2=%v: tls %+v", h2, e.TLS)
				}
			}
			// TLS 1.2 is still accepted and reported as such.
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool, ServerName: "shop.example.com", MaxVersion: tls.VersionTLS12}}
			_, e := get(t, &http.Client{Transport: tr, Timeout: 10 * time.Second}, "https://"+a+"/", nil)
			if e.TLS.Version != "TLS1.2" {
				t.Fatalf("version %q", e.TLS.Version)
			}
		})
	}
}

// TestMutualTLSBackend: an https backend with clientCaFile (a DestinationRule in MUTUAL mode)
// wants a client certificate from that CA and reports it.
func TestMutualTLSBackend(t *testing.T) {
	ca := newTestCA(t)
	a, b := plainBackend(t, "https")
	b.TLS = ca.files("shop")
	b.TLS.ClientCAFile = ca.dir + "/root.pem"
	startSpec(t, &Spec{Backends: []Backend{*b}})
	client := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: ca.pool, ServerName: "shop.example.com", Certificates: certs}}}
	}
	if resp, err := client().Get("https://" + a + "/"); err == nil {
		resp.Body.Close()
		t.Fatal("accepted a client without certificate")
	}
	_, e := get(t, client(ca.clientCert(t, "gateway")), "https://"+a+"/", nil)
	if !slices.Equal(e.TLS.PeerURIs, []string{gatewaySPIFFE}) {
		t.Fatalf("peer: %+v", e.TLS)
	}
}

// TestMeshMTLS: a sidecar backend requires a client certificate from the lab root, reports
// the peer's URI SANs, and speaks HTTP/2 after Istio's ALPN (detected by the preface).
func TestMeshMTLS(t *testing.T) {
	ca := newTestCA(t)
	ip := testIP(t)
	httpPort, httpsPort := freePort(t, ip), freePort(t, ip)
	files := ca.files("shop")
	files.ClientCAFile = ca.dir + "/root.pem"
	b := Backend{Pod: "shop-0", Backend: "shop", IP: ip, Sidecar: true, TLS: files,
		Ports: []Port{{Port: httpPort, Protocol: "http"}, {Port: httpsPort, Protocol: "https"}}}
	startSpec(t, &Spec{Backends: []Backend{b}})

	gw := ca.clientCert(t, "gateway")
	mesh := func(alpn ...string) *tls.Config {
		return &tls.Config{RootCAs: ca.pool, ServerName: "outbound_.8080_._.shop.shop.svc.cluster.local",
			InsecureSkipVerify: true, Certificates: []tls.Certificate{gw}, NextProtos: alpn}
	}

	// No client certificate: the handshake fails (TLS 1.3 reports it on first read).
	conn, err := tls.Dial("tcp", addr(ip, httpPort), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		_, err = conn.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		if err == nil {
			_, err = conn.Read(make([]byte, 1))
		}
		conn.Close()
	}
	if err == nil {
		t.Fatal("sidecar accepted a client without certificate")
	}

	// HTTP/1.1 after istio-peer-exchange.
	tr := &http.Transport{DialTLSContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		return tls.Dial(network, a, mesh("istio-peer-exchange", "istio"))
	}}
	resp, e := get(t, &http.Client{Transport: tr, Timeout: 10 * time.Second}, "https://"+addr(ip, httpPort)+"/m", nil)
	if resp.StatusCode != 200 || e.TLS == nil || e.TLS.ALPN != "istio-peer-exchange" || !slices.Equal(e.TLS.PeerURIs, []string{gatewaySPIFFE}) {
		t.Fatalf("mesh h1: %d %+v", resp.StatusCode, e.TLS)
	}
	if !strings.Contains(e.TLS.PeerCertSubject, "CN=gateway") {
		t.Fatalf("peer subject %q", e.TLS.PeerCertSubject)
	}

	// HTTP/2 after istio-peer-exchange (Envoy's h2 upstream cluster).
	h2 := &http2.Transport{DialTLSContext: func(ctx context.Context, network, a string, _ *tls.Config) (net.Conn, error) {
		return tls.Dial(network, a, mesh("istio-peer-exchange", "istio"))
	}}
	resp, e = get(t, &http.Client{Transport: h2, Timeout: 10 * time.Second}, "https://"+addr(ip, httpPort)+"/m2", nil)
	if resp.StatusCode != 200 || e.Proto != "HTTP/2.0" || !slices.Equal(e.TLS.PeerURIs, []string{gatewaySPIFFE}) {
		t.Fatalf("mesh h2: %d %s %+v", resp.StatusCode, e.Proto, e.TLS)
	}

	// An https app port behind the sidecar: the app's TLS rides inside the mesh mTLS; the
	// echo shows the app TLS (SNI) and the mesh peer.
	tr = &http.Transport{DialTLSContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		outer, err := tls.Dial(network, a, mesh("istio"))
		if err != nil {
			return nil, err
		}
		inner := tls.Client(outer, &tls.Config{RootCAs: ca.pool, ServerName: "shop.example.com", NextProtos: []string{"http/1.1"}})
		return inner, inner.Handshake()
	}}
	resp, e = get(t, &http.Client{Transport: tr, Timeout: 10 * time.Second}, "https://"+addr(ip, httpsPort)+"/nested", nil)
	if resp.StatusCode != 200 || e.TLS.SNI != "shop.example.com" || e.TLS.ALPN != "http/1.1" || !slices.Equal(e.TLS.PeerURIs, []string{gatewaySPIFFE}) {
		t.Fatalf("nested: %d %+v", resp.StatusCode, e.TLS)
	}
}

func TestWebSocket(t *testing.T) {
	ca := newTestCA(t)
	a, b := plainBackend(t, "http")
	ta, tb := plainBackend(t, "https")
	tb.Pod, tb.TLS = "shop-tls-0", ca.files("shop")
	startSpec(t, &Spec{Backends: []Backend{*b, *tb}})

	cases := []struct {
		url    string
		dialer *websocket.Dialer
		pod    string
	}{
		{"ws://" + a + "/ws?room=1", websocket.DefaultDialer, "shop-stable-0"},
		{"wss://" + ta + "/ws?room=1", &websocket.Dialer{TLSClientConfig: &tls.Config{RootCAs: ca.pool, ServerName: "shop.example.com"}}, "shop-tls-0"},
	}
	for _, c := range cases {
		conn, resp, err := c.dialer.Dial(c.url, http.Header{"X-Probe": {"ws"}, "Sec-WebSocket-Protocol": {"chat, superchat"}})
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if resp.Header.Get("x-lab-pod") != c.pod || resp.Header.Get("Sec-WebSocket-Protocol") != "chat" {
			t.Fatalf("%s: upgrade headers %v", c.url, resp.Header)
		}
		mt, first, err := conn.ReadMessage()
		if err != nil || mt != websocket.TextMessage {
			t.Fatalf("first message: %v", err)
		}
		e := decodeEcho(t, first)
		if e.Path != "/ws?room=1" || e.Headers["x-probe"][0] != "ws" || e.Headers["upgrade"][0] != "websocket" || e.Pod != c.pod {
			t.Fatalf("upgrade echo %+v", e)
		}
		for _, m := range []struct {
			t int
			b string
		}{{websocket.TextMessage, "ping"}, {websocket.BinaryMessage, "\x00\x01"}} {
			if err := conn.WriteMessage(m.t, []byte(m.b)); err != nil {
				t.Fatal(err)
			}
			mt, got, err := conn.ReadMessage()
			if err != nil || mt != m.t || string(got) != m.b {
				t.Fatalf("echo: %d %q %v", mt, got, err)
			}
		}
		conn.Close()
	}

	// x-lab-status refuses the upgrade with that status and the JSON echo.
	_, resp, err := websocket.DefaultDialer.Dial("ws://"+a+"/ws", http.Header{"X-Lab-Status": {"403"}})
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("refused upgrade: %v %v", err, resp)
	}

}
