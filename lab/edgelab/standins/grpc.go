package standins

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// gRPC status codes the stand-ins use.
const (
	grpcOK            = 0
	grpcUnimplemented = 12
	grpcInternal      = 13
	grpcUnavailable   = 14
)

const maxGRPCMessage = 4 << 20

// serveGRPC answers any gRPC method over HTTP/2 (h2c or TLS): every request message gets one
// reply message whose bytes are the JSON echo (with grpcMethod and the bytes received so far);
// a call that sends no message still gets one. x-lab-grpc-status N ends the call with status N
// and no message; a failing attempt (x-lab-fail-attempts) ends it with UNAVAILABLE (14), the
// status a gRPC server that is going away sends; x-lab-status N answers HTTP status N instead
// of a gRPC response (Envoy maps it to a gRPC status).
func (h *backendHandler) serveGRPC(w http.ResponseWriter, r *http.Request, e *Echo, k knobs) int {
	e.GRPCMethod = r.URL.Path
	if !sleep(r.Context(), k.delay) {
		return 499
	}
	if k.status != 0 && k.status != http.StatusOK {
		e.BodyBytes, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, k.status, e)
		return k.status
	}
	w.Header().Set("content-type", "application/grpc")
	w.Header().Add("Trailer", "Grpc-Status")
	w.Header().Add("Trailer", "Grpc-Message")
	code, msg := grpcOK, ""
	switch {
	case k.hasFail && e.Attempt <= k.failAttempts:
		code, msg = grpcUnavailable, fmt.Sprintf("x-lab-fail-attempts: attempt %d of %d fails", e.Attempt, k.failAttempts)
	case k.grpcStatusSet && k.grpcStatus != grpcOK:
		code, msg = k.grpcStatus, "x-lab-grpc-status"
	}
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	if k.hold > 0 && !sleep(r.Context(), k.hold) {
		return 499
	}
	if code != grpcOK {
		e.BodyBytes, _ = io.Copy(io.Discard, r.Body)
		setGRPCStatus(w, code, msg)
		return http.StatusOK
	}
	sent := 0
	for {
		n, err := readGRPCMessage(r.Body, r.Header.Get("grpc-encoding"))
		e.BodyBytes += n
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			code := grpcInternal
			if errors.Is(err, errCompression) {
				code = grpcUnimplemented
			}
			setGRPCStatus(w, code, err.Error())
			return http.StatusOK
		}
		if err := writeGRPCMessage(w, e); err != nil {
			return 499
		}
		_ = rc.Flush()
		sent++
	}
	if sent == 0 {
		if err := writeGRPCMessage(w, e); err != nil {
			return 499
		}
	}
	setGRPCStatus(w, grpcOK, "")
	return http.StatusOK
}

var errCompression = errors.New("grpc: unsupported message compression")

// readGRPCMessage reads one length-prefixed message and returns its decoded size.
func readGRPCMessage(body io.Reader, encoding string) (int64, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(body, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, errors.New("grpc: truncated message header")
		}
		return 0, err
	}
	size := binary.BigEndian.Uint32(hdr[1:])
	if size > maxGRPCMessage {
		return 0, fmt.Errorf("grpc: message of %d bytes exceeds %d", size, maxGRPCMessage)
	}
	msg := make([]byte, size)
	if _, err := io.ReadFull(body, msg); err != nil {
		return 0, errors.New("grpc: truncated message")
	}
	if hdr[0] == 0 {
		return int64(size), nil
	}
	if encoding != "gzip" {
		return 0, fmt.Errorf("%w %q", errCompression, encoding)
	}
	zr, err := gzip.NewReader(bytes.NewReader(msg))
	if err != nil {
		return 0, err
	}
	return io.Copy(io.Discard, io.LimitReader(zr, maxGRPCMessage))
}

func writeGRPCMessage(w io.Writer, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	frame := make([]byte, 5+len(body))
	binary.BigEndian.PutUint32(frame[1:5], uint32(len(body)))
	copy(frame[5:], body)
	_, err = w.Write(frame)
	return err
}

func setGRPCStatus(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Grpc-Status", strconv.Itoa(code))
	w.Header().Set("Grpc-Message", grpcPercentEncode(msg))
}

// grpcPercentEncode encodes grpc-message as the gRPC HTTP/2 protocol asks (printable ASCII
// except '%' stays, everything else is %XX).
func grpcPercentEncode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c <= 0x7e && c != '%' {
			b = append(b, c)
		} else {
			b = append(b, fmt.Sprintf("%%%02X", c)...)
		}
	}
	return string(b)
}
