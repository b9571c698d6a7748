package standins

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"
)

// meshALPN is what the lab's sidecar accepts. istiod gives an ISTIO_MUTUAL upstream
// istio-peer-exchange, istio and (for h2 clusters) h2 (pilot/pkg/networking/util ALPNInMesh*);
// the istio-http/* and istio-h2 values are the ones Istio's ALPN override filter would set.
var meshALPN = []string{"istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2", "istio", "h2", "http/1.1"}

var appALPN = []string{"h2", "http/1.1"}

// layeredConn is a connection after one or more TLS layers, terminated by the listener. It
// deliberately hides tls.Conn's ConnectionState so net/http treats it as a plain stream and
// detects HTTP/2 by its preface; the handler reads TLS facts through tlsLayers.
type layeredConn struct {
	net.Conn             // the outermost layer the server reads from
	layers   []*tls.Conn // outermost first
	mesh     bool        // layers[0] is the sidecar's mesh mTLS
}

// tlsListener terminates TLS on accepted connections: mesh mTLS first when the pod has a
// sidecar, then the app's own TLS for https/tls ports.
type tlsListener struct {
	net.Listener
	mesh *tls.Config // nil: no sidecar
	app  *tls.Config // nil: the port speaks plaintext to the app
}

func (l *tlsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	lc := &layeredConn{Conn: c}
	if l.mesh != nil {
		t := tls.Server(lc.Conn, l.mesh)
		lc.Conn, lc.layers, lc.mesh = t, append(lc.layers, t), true
	}
	if l.app != nil {
		t := tls.Server(lc.Conn, l.app)
		lc.Conn, lc.layers = t, append(lc.layers, t)
	}
	return lc, nil
}

type connKey struct{}

func connContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// TLSInfo is the echo's "tls" object.
type TLSInfo struct {
	Version         string   `json:"version"`
	SNI             string   `json:"sni"`
	ALPN            string   `json:"alpn"`
	PeerCertSubject string   `json:"peerCertSubject"`
	PeerURIs        []string `json:"peerUris"`
}

// tlsInfo describes the connection's TLS as the app sees it: version, SNI and ALPN of the
// innermost layer; the peer certificate of the mesh layer for a sidecar (the identity the
// sidecar authenticated), else of the innermost layer.
func tlsInfo(ctx context.Context) *TLSInfo {
	lc, ok := ctx.Value(connKey{}).(*layeredConn)
	if !ok || len(lc.layers) == 0 {
		return nil
	}
	inner := lc.layers[len(lc.layers)-1].ConnectionState()
	peer := inner
	if lc.mesh {
		peer = lc.layers[0].ConnectionState()
	}
	info := &TLSInfo{
		Version:  strings.ReplaceAll(tls.VersionName(inner.Version), " ", ""),
		SNI:      inner.ServerName,
		ALPN:     inner.NegotiatedProtocol,
		PeerURIs: []string{},
	}
	if len(peer.PeerCertificates) > 0 {
		leaf := peer.PeerCertificates[0]
		info.PeerCertSubject = leaf.Subject.String()
		for _, u := range leaf.URIs {
			info.PeerURIs = append(info.PeerURIs, u.String())
		}
	}
	return info
}

// serverTLS builds a TLS server config from the spec's files. clientCAFile, when set, makes
// a client certificate chaining to it mandatory.
func serverTLS(f *TLSFiles, alpn []string, clientCAFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: alpn, MinVersion: tls.VersionTLS12}
	if clientCAFile != "" {
		pem, err := os.ReadFile(clientCAFile)
		if err != nil {
			return nil, fmt.Errorf("tls.clientCaFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.clientCaFile %s: no PEM certificate", clientCAFile)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}
