package standins

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// rawCodec passes message bytes through: the stand-in answers any method, so the test needs
// no generated stubs.
type rawCodec struct{}

func (rawCodec) Name() string { return "raw" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func dialGRPC(t *testing.T, target string, creds credentials.TransportCredentials) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func invoke(t *testing.T, conn *grpc.ClientConn, md ...string) (*Echo, metadata.MD, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, md...)
	in, out := []byte("request-bytes"), []byte(nil)
	var header metadata.MD
	err := conn.Invoke(ctx, "/lab.echo.v1.Echo/Say", &in, &out, grpc.Header(&header))
	if err != nil {
		return nil, header, err
	}
	return decodeEcho(t, out), header, nil
}

func TestGRPC(t *testing.T) {
	ca := newTestCA(t)
	a, b := plainBackend(t, "grpc")
	ta, tb := plainBackend(t, "https")
	tb.Pod, tb.TLS = "shop-tls-0", ca.files("shop")
	startSpec(t, &Spec{Backends: []Backend{*b, *tb}})

	conn := dialGRPC(t, a, insecure.NewCredentials())
	e, header, err := invoke(t, conn, "x-probe", "grpc")
	if err != nil {
		t.Fatal(err)
	}
	if e.GRPCMethod != "/lab.echo.v1.Echo/Say" || e.Proto != "HTTP/2.0" || e.Pod != "shop-stable-0" || e.Headers["x-probe"][0] != "grpc" {
		t.Fatalf("echo %+v", e)
	}
	if e.BodyBytes != int64(len("request-bytes")) || e.Headers["content-type"][0] != "application/grpc+raw" {
		t.Fatalf("bodyBytes %d headers %v", e.BodyBytes, e.Headers)
	}
	if got := header.Get("x-lab-pod"); len(got) != 1 || got[0] != "shop-stable-0" {
		t.Fatalf("x-lab-pod metadata %v", header)
	}

	_, _, err = invoke(t, conn, "x-lab-grpc-status", "7")
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("x-lab-grpc-status 7: %v", err)
	}
	for i, want := range []codes.Code{codes.Unavailable, codes.OK} {
		_, _, err = invoke(t, conn, "x-lab-fail-attempts", "1", "x-request-id", "grpc-1")
		if status.Code(err) != want {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	_, _, err = invoke(t, conn, "x-lab-status", "503")
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("x-lab-status 503: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	in, out := []byte("x"), []byte(nil)
	err = conn.Invoke(metadata.AppendToOutgoingContext(ctx, "x-lab-delay", "2s"), "/lab.echo.v1.Echo/Say", &in, &out)
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("x-lab-delay past the deadline: %v", err)
	}

	// Bidirectional stream: one reply per message, then OK.
	stream, err := conn.NewStream(context.Background(), &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, "/lab.echo.v1.Echo/Chat")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		msg := []byte("hello")
		if err := stream.SendMsg(&msg); err != nil {
			t.Fatal(err)
		}
		var reply []byte
		if err := stream.RecvMsg(&reply); err != nil {
			t.Fatal(err)
		}
		if e := decodeEcho(t, reply); e.BodyBytes != int64(5*i) || e.GRPCMethod != "/lab.echo.v1.Echo/Chat" {
			t.Fatalf("stream reply %d: %+v", i, e)
		}
	}
	_ = stream.CloseSend()
	var reply []byte
	if err := stream.RecvMsg(&reply); !errors.Is(err, io.EOF) {
		t.Fatalf("end of stream: %v", err)
	}

	// gRPC over TLS (h2 by ALPN).
	tconn := dialGRPC(t, ta, credentials.NewTLS(&tls.Config{RootCAs: ca.pool, ServerName: "shop.example.com"}))
	e, _, err = invoke(t, tconn)
	if err != nil {
		t.Fatal(err)
	}
	if e.Pod != "shop-tls-0" || e.TLS == nil || e.TLS.ALPN != "h2" || e.TLS.SNI != "shop.example.com" {
		t.Fatalf("grpc over tls: %+v %+v", e, e.TLS)
	}
}
