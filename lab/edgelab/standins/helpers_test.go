package standins

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// Every test binds its own loopback addresses: 127.93.P.N with P from the process id (so
// concurrent runs on one machine do not collide) and N counting up.
var ipCounter atomic.Int32

func testIP(t *testing.T) string {
	t.Helper()
	n := ipCounter.Add(1)
	if n > 250 {
		t.Fatal("out of test addresses")
	}
	return fmt.Sprintf("127.93.%d.%d", os.Getpid()%250+1, n)
}

// freePort returns a port that is free on ip right now.
func freePort(t *testing.T, ip string) int {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func addr(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }

// testCA mints the lab CA once per test: a gateway identity (mesh client), a backend identity
// with DNS names (mesh server and app TLS server) and a plain server cert.
type testCAFiles struct {
	dir  string
	pool *x509.CertPool
}

const (
	gatewaySPIFFE = "spiffe://cluster.local/ns/istio-system/sa/edge-gateway"
	shopSPIFFE    = "spiffe://cluster.local/ns/shop/sa/shop"
)

func newTestCA(t *testing.T) *testCAFiles {
	t.Helper()
	dir := t.TempDir()
	err := CA([]string{"--out", dir,
		"--gateway-spiffe", gatewaySPIFFE,
		"--identity", "shop=" + shopSPIFFE,
		"--dns", "shop=shop.example.com,*.shop.example.com",
		"--dns", "web=web.example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &testCAFiles{dir: dir, pool: pool}
}

func (c *testCAFiles) files(name string) *TLSFiles {
	return &TLSFiles{CertFile: filepath.Join(c.dir, name+"-chain.pem"), KeyFile: filepath.Join(c.dir, name+"-key.pem")}
}

func (c *testCAFiles) clientCert(t *testing.T, name string) tls.Certificate {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(filepath.Join(c.dir, name+"-chain.pem"), filepath.Join(c.dir, name+"-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func startSpec(t *testing.T, spec *Spec) *Server {
	t.Helper()
	if err := spec.Validate(); err != nil {
		t.Fatal(err)
	}
	var logw io.Writer
	if testing.Verbose() {
		logw = os.Stderr
	}
	s, err := Start(spec, logw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func decodeEcho(t *testing.T, body []byte) *Echo {
	t.Helper()
	var e Echo
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("echo body %q: %v", body, err)
	}
	return &e
}

func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, *Echo) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, decodeEcho(t, body)
}

func get(t *testing.T, c *http.Client, url string, hdr map[string]string) (*http.Response, *Echo) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return do(t, c, req)
}

var plainClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

func h2cClient() *http.Client {
	tr := &http.Transport{}
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetUnencryptedHTTP2(true)
	return &http.Client{Timeout: 10 * time.Second, Transport: tr}
}
