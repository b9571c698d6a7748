package standins

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Serve runs `edgelab serve --spec SPEC.json [--verbose]`: every stand-in of the spec in one
// process. It writes the spec's readyFile once every listener is bound and returns nil on
// SIGTERM or SIGINT after a graceful stop.
func Serve(args []string) error {
	fs := flag.NewFlagSet("edgelab serve", flag.ContinueOnError)
	specPath := fs.String("spec", "", "path of the serve spec (JSON, see docs/lab-standins.md)")
	verbose := fs.Bool("verbose", false, "log one line per request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *specPath == "" || fs.NArg() > 0 {
		return errors.New("usage: edgelab serve --spec SPEC.json [--verbose]")
	}
	spec, err := LoadSpec(*specPath)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	var logw io.Writer
	if *verbose {
		logw = os.Stderr
	}
	srv, err := Start(spec, logw)
	if err != nil {
		return err
	}
	<-ctx.Done()
	srv.Close()
	return nil
}

// Server is a running set of stand-ins.
type Server struct {
	spec    *Spec
	log     *log.Logger // nil unless verbose
	mu      sync.Mutex
	stops   []func(context.Context)
	addrs   []string
	attempt *attempts
	hijack  sync.Map // net.Conn -> struct{}: WebSocket connections to close on stop
	logs    map[string]*requestLog
}

// podLog returns the request log of a pod, shared by all its ports.
func (s *Server) podLog(pod string) *requestLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.logs == nil {
		s.logs = map[string]*requestLog{}
	}
	l := s.logs[pod]
	if l == nil {
		l = &requestLog{}
		s.logs[pod] = l
	}
	return l
}

// Start binds every listener of the spec, serves them in the background and writes the
// readyFile. logw, when not nil, receives one line per request.
func Start(spec *Spec, logw io.Writer) (*Server, error) {
	s := &Server{spec: spec, attempt: newAttempts()}
	if logw != nil {
		s.log = log.New(logw, "", log.LstdFlags|log.Lmicroseconds)
	}
	if err := s.start(); err != nil {
		s.Close()
		return nil, err
	}
	if spec.ReadyFile != "" {
		if err := writeReady(spec.ReadyFile, s.addrs); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Server) start() error {
	for i := range s.spec.Backends {
		b := &s.spec.Backends[i]
		for _, p := range b.Ports {
			if err := s.startBackendPort(b, p); err != nil {
				return err
			}
		}
	}
	if r := s.spec.RateLimit; r != nil && r.Mode != "down" {
		if err := s.startRateLimit(r); err != nil {
			return err
		}
	}
	if a := s.spec.ACME; a != nil {
		if err := s.startHTTP(a.Address, newACME(a, s.logf)); err != nil {
			return fmt.Errorf("acme: %w", err)
		}
	}
	if a := s.spec.Agent; a != nil {
		if err := s.startHTTP(a.Address, newAgent(a, s.logf)); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
	}
	return nil
}

func (s *Server) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.addrs = append(s.addrs, ln.Addr().String())
	s.mu.Unlock()
	return ln, nil
}

func (s *Server) onStop(f func(context.Context)) {
	s.mu.Lock()
	s.stops = append(s.stops, f)
	s.mu.Unlock()
}

// newHTTPServer serves h with HTTP/1.1 and HTTP/2 with prior knowledge (h2c). TLS, when a
// port has it, is terminated by the listener (tlsListener), so HTTP/2 is detected by its
// preface whatever ALPN said (Envoy speaks h2 after ALPN "istio-peer-exchange" too).
func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		ConnContext:       connContext,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	hs.Protocols = new(http.Protocols)
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true)
	return hs
}

func (s *Server) serveHTTP(ln net.Listener, h http.Handler) {
	hs := s.newHTTPServer(h)
	go func() { _ = hs.Serve(ln) }()
	s.onStop(func(ctx context.Context) {
		_ = ln.Close() // now, even if Serve has not started yet
		if err := hs.Shutdown(ctx); err != nil {
			_ = hs.Close()
		}
	})
}

func (s *Server) startHTTP(addr string, h http.Handler) error {
	ln, err := s.listen(addr)
	if err != nil {
		return err
	}
	s.serveHTTP(ln, h)
	return nil
}

// stopGrace is how long in-flight requests get to finish once a stop is asked for.
const stopGrace = 250 * time.Millisecond

// Close stops every stand-in: listeners close at once, in-flight requests get stopGrace to
// finish (held responses and WebSockets are cut), then every connection closes.
func (s *Server) Close() {
	s.mu.Lock()
	stops := s.stops
	s.stops = nil
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), stopGrace)
	defer cancel()
	s.hijack.Range(func(k, _ any) bool {
		_ = k.(net.Conn).Close()
		return true
	})
	var wg sync.WaitGroup
	for _, f := range stops {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	wg.Wait()
}

// Addrs lists the bound listener addresses.
func (s *Server) Addrs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.addrs...)
}

func (s *Server) logf(format string, args ...any) {
	if s.log != nil {
		s.log.Printf(format, args...)
	}
}

// writeReady writes the ready file atomically (temp file + rename), so a poller never reads
// a partial file: {"pid": N, "listeners": ["ip:port", ...]}.
func writeReady(path string, addrs []string) error {
	data, err := json.Marshal(map[string]any{"pid": os.Getpid(), "listeners": addrs})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ready-*")
	if err != nil {
		return fmt.Errorf("readyFile: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("readyFile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("readyFile: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("readyFile: %w", err)
	}
	return nil
}
