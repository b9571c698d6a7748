package standins

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestServeCLI runs `edgelab serve` as main does: spec file, ready file, SIGTERM, exit 0.
func TestServeCLI(t *testing.T) {
	dir := t.TempDir()
	ip := testIP(t)
	port := freePort(t, ip)
	spec := map[string]any{
		"backends": []any{map[string]any{"pod": "web-0", "backend": "web", "subset": "", "namespace": "web",
			"labels": map[string]string{"app": "web"}, "ip": ip, "ports": []any{map[string]any{"port": port, "protocol": "http"}}}},
		"acme":      map[string]any{"address": addr(ip, freePort(t, ip)), "tokens": map[string]string{}},
		"readyFile": filepath.Join(dir, "ready"),
	}
	data, _ := json.Marshal(spec)
	specPath := filepath.Join(dir, "spec.json")
	if err := os.WriteFile(specPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Serve([]string{"--spec", specPath}) }()

	var ready struct {
		PID       int      `json:"pid"`
		Listeners []string `json:"listeners"`
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "ready")); err == nil {
			if err := json.Unmarshal(b, &ready); err != nil {
				t.Fatalf("ready file %q: %v", b, err)
			}
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no ready file")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ready.PID != os.Getpid() || len(ready.Listeners) != 2 || ready.Listeners[0] != addr(ip, port) {
		t.Fatalf("ready file: %+v", ready)
	}
	_, e := get(t, plainClient, "http://"+addr(ip, port)+"/", nil)
	if e.Pod != "web-0" || e.Subset != "" {
		t.Fatalf("echo %+v", e)
	}
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr(ip, port)+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, _, err := ws.ReadMessage(); err != nil {
		t.Fatal(err)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	// The open WebSocket is cut and the listener is gone.
	_ = ws.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, _, err := ws.ReadMessage(); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Fatalf("websocket after stop: %v", err)
	}
	if resp, err := plainClient.Get("http://" + addr(ip, port) + "/"); err == nil {
		resp.Body.Close()
		t.Fatal("listener still answers after stop")
	}
}

func TestServeErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"backends": [], "extra": 1}`), 0o644)
	if err := Serve([]string{"--spec", bad}); err == nil || !strings.Contains(err.Error(), `unknown field "extra"`) {
		t.Fatalf("unknown field: %v", err)
	}
	if err := Serve(nil); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("no spec: %v", err)
	}
	// A port already taken fails the start, naming the pod, and binds nothing else.
	ip := testIP(t)
	port := freePort(t, ip)
	startSpec(t, &Spec{Backends: []Backend{{Pod: "a", IP: ip, Ports: []Port{{Port: port, Protocol: "http"}}}}})
	other := freePort(t, ip)
	taken := &Spec{Backends: []Backend{
		{Pod: "b", IP: ip, Ports: []Port{{Port: other, Protocol: "http"}}},
		{Pod: "c", IP: ip, Ports: []Port{{Port: port, Protocol: "http"}}},
	}}
	if _, err := Start(taken, nil); err == nil || !strings.Contains(err.Error(), "pod c") {
		t.Fatalf("port in use: %v", err)
	}
	if ln, err := net.Listen("tcp", addr(ip, other)); err != nil {
		t.Fatalf("a failed start left %s bound: %v", addr(ip, other), err)
	} else {
		ln.Close()
	}
}
