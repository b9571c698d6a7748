package standins

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestCA(t *testing.T) {
	dir := t.TempDir()
	err := CA([]string{"--out", dir,
		"--identity", "gateway=" + gatewaySPIFFE,
		"--workload", "shop=" + shopSPIFFE,
		"--dns", "shop=shop.example.com",
		"--dns", "wild=*.example.com,example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{".lock", "gateway-chain.pem", "gateway-key.pem", "gateway.pem", "root-key.pem", "root.pem",
		"shop-chain.pem", "shop-key.pem", "shop.pem", "wild-chain.pem", "wild-key.pem", "wild.pem"}
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "shop-key.pem")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", fi.Mode())
	}

	root := readCert(t, filepath.Join(dir, "root.pem"))
	pool := x509.NewCertPool()
	pool.AddCert(root)
	if !root.IsCA {
		t.Fatal("root is not a CA")
	}
	check := func(name string, uris, dns []string) {
		t.Helper()
		leaf := readCert(t, filepath.Join(dir, name+".pem"))
		var gotURIs []string
		for _, u := range leaf.URIs {
			gotURIs = append(gotURIs, u.String())
		}
		if !slices.Equal(gotURIs, uris) || !slices.Equal(leaf.DNSNames, dns) {
			t.Fatalf("%s: URIs %v DNS %v", name, gotURIs, leaf.DNSNames)
		}
		pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() {
			t.Fatalf("%s: key %T", name, leaf.PublicKey)
		}
		if d := leaf.NotAfter.Sub(leaf.NotBefore); d < 24*time.Hour || d > 25*time.Hour {
			t.Fatalf("%s: validity %s", name, d)
		}
		for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if _, err := tls.LoadX509KeyPair(filepath.Join(dir, name+"-chain.pem"), filepath.Join(dir, name+"-key.pem")); err != nil {
			t.Fatalf("%s: chain and key: %v", name, err)
		}
		chain, _ := os.ReadFile(filepath.Join(dir, name+"-chain.pem"))
		if strings.Count(string(chain), "BEGIN CERTIFICATE") != 2 {
			t.Fatalf("%s-chain.pem holds %d certificates", name, strings.Count(string(chain), "BEGIN CERTIFICATE"))
		}
	}
	check("gateway", []string{gatewaySPIFFE}, nil)
	check("shop", []string{shopSPIFFE}, []string{"shop.example.com"})
	check("wild", nil, []string{"*.example.com", "example.com"})
	if _, err := readCert(t, filepath.Join(dir, "wild.pem")).Verify(x509.VerifyOptions{Roots: pool, DNSName: "api.example.com"}); err != nil {
		t.Fatalf("wildcard: %v", err)
	}

	// A second call into the same directory keeps the root, so earlier leaves stay valid.
	rootPEM, _ := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err := CA([]string{"--out", dir, "--gateway-spiffe", gatewaySPIFFE}); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(dir, "root.pem"))
	if !bytes.Equal(rootPEM, again) {
		t.Fatal("root was replaced")
	}
	check("shop", []string{shopSPIFFE}, []string{"shop.example.com"})
	check("gateway", []string{gatewaySPIFFE}, nil)

	// Parallel calls into a fresh directory agree on one root.
	fresh := t.TempDir()
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			errs <- MintCerts(fresh, []Cert{{Name: fmt.Sprintf("c%d", i), DNS: []string{"a.example.com"}}})
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	pool = x509.NewCertPool()
	pool.AddCert(readCert(t, filepath.Join(fresh, "root.pem")))
	for i := range 4 {
		if _, err := readCert(t, filepath.Join(fresh, fmt.Sprintf("c%d.pem", i))).Verify(x509.VerifyOptions{Roots: pool}); err != nil {
			t.Fatalf("c%d: %v", i, err)
		}
	}
}

func TestCAErrors(t *testing.T) {
	for want, args := range map[string][]string{
		"usage":                         {"--identity", "a=spiffe://td/x"},
		"want NAME=VALUE":               {"--out", "x", "--identity", "gateway"},
		"is not a spiffe://":            {"--out", "x", "--identity", "a=https://td/x"},
		"must match":                    {"--out", "x", "--identity", "../a=spiffe://td/x"},
		"not be \"root\"":               {"--out", "x", "--dns", "root=a.example.com"},
		"a wildcard may only lead":      {"--out", "x", "--dns", "a=a.*.example.com"},
		"flag provided but not defined": {"--out", "x", "--bogus"},
	} {
		if err := CA(args); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: want error containing %q, got %v", args, want, err)
		}
	}
}

// TestMintCerts: the Go entry point (for edgelab xds) merges entries of one name.
func TestMintCerts(t *testing.T) {
	dir := t.TempDir()
	err := MintCerts(dir, []Cert{{Name: "shop-tls", DNS: []string{"shop.example.com"}}, {Name: "shop-tls", DNS: []string{"*.shop.example.com"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := readCert(t, filepath.Join(dir, "shop-tls.pem")).DNSNames; !slices.Equal(got, []string{"shop.example.com", "*.shop.example.com"}) {
		t.Fatalf("DNS %v", got)
	}
	if err := MintCerts(dir, []Cert{{Name: "ns/name"}}); err == nil || !strings.Contains(err.Error(), `"ns/name"`) {
		t.Fatalf("bad name: %v", err)
	}
}
