package standins

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

const (
	leafValidity = 24 * time.Hour
	rootValidity = 7 * 24 * time.Hour
	// rootMinLeft: an existing root is reused only if it outlives a fresh leaf.
	rootMinLeft = leafValidity + time.Hour
	backdate    = 5 * time.Minute
	caOrg       = "ingresslib edge lab"
)

var certName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// multiFlag collects a repeated NAME=VALUE flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// certRequest is one leaf to mint.
type certRequest struct {
	name string
	uris []*url.URL
	dns  []string
}

// CA runs `edgelab ca --out DIR [--identity NAME=spiffe://...]... [--dns NAME=h1,h2]...`
// (`--workload NAME=URI` is the same as --identity; `--gateway-spiffe URI` is --identity
// gateway=URI). It writes DIR/root.pem and DIR/root-key.pem (reused when DIR already holds a
// root that outlives a new leaf, so certificates minted by separate calls share one root),
// and per NAME: NAME.pem (leaf), NAME-key.pem (PKCS#8) and NAME-chain.pem (leaf + root).
// Keys are ECDSA P-256; leaves are valid for one day and serve as TLS server and client
// certificates, with the URI SANs of --identity and the DNS SANs of --dns (wildcards allowed).
func CA(args []string) error {
	fs := flag.NewFlagSet("edgelab ca", flag.ContinueOnError)
	out := fs.String("out", "", "output directory (created if missing)")
	gateway := fs.String("gateway-spiffe", "", "same as --identity gateway=URI")
	var ids, dns multiFlag
	fs.Var(&ids, "identity", "NAME=spiffe://TRUST_DOMAIN/ns/NS/sa/SA (repeatable)")
	fs.Var(&ids, "workload", "same as --identity (repeatable)")
	fs.Var(&dns, "dns", "NAME=host1,host2 DNS SANs for NAME's certificate (repeatable; wildcards allowed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("usage: edgelab ca --out DIR [--identity NAME=spiffe://...]... [--dns NAME=host1,host2]...")
	}
	if *gateway != "" {
		ids = append(ids, "gateway="+*gateway)
	}
	reqs, err := parseCertRequests(ids, dns)
	if err != nil {
		return err
	}
	return writeCA(*out, reqs, time.Now())
}

func parseCertRequests(ids, dns []string) ([]*certRequest, error) {
	byName := map[string]*certRequest{}
	get := func(flagName, arg string) (*certRequest, string, error) {
		name, val, ok := strings.Cut(arg, "=")
		if !ok || val == "" {
			return nil, "", fmt.Errorf("--%s %q: want NAME=VALUE", flagName, arg)
		}
		if !certName.MatchString(name) || name == "root" {
			return nil, "", fmt.Errorf("--%s %q: NAME %q must match %s and not be \"root\"", flagName, arg, name, certName)
		}
		r := byName[name]
		if r == nil {
			r = &certRequest{name: name}
			byName[name] = r
		}
		return r, val, nil
	}
	for _, arg := range ids {
		r, val, err := get("identity", arg)
		if err != nil {
			return nil, err
		}
		u, err := url.Parse(val)
		if err != nil || u.Scheme != "spiffe" || u.Host == "" {
			return nil, fmt.Errorf("--identity %q: %q is not a spiffe://TRUST_DOMAIN/... URI", arg, val)
		}
		r.uris = append(r.uris, u)
	}
	for _, arg := range dns {
		r, val, err := get("dns", arg)
		if err != nil {
			return nil, err
		}
		for _, h := range strings.Split(val, ",") {
			h = strings.TrimSpace(h)
			if h == "" || strings.ContainsAny(h, " /:") || strings.Contains(h[1:], "*") {
				return nil, fmt.Errorf("--dns %q: %q is not a host name (a wildcard may only lead: *.example.com)", arg, h)
			}
			r.dns = append(r.dns, h)
		}
	}
	reqs := make([]*certRequest, 0, len(byName))
	for _, r := range byName {
		reqs = append(reqs, r)
	}
	sort.Slice(reqs, func(i, j int) bool { return reqs[i].name < reqs[j].name })
	return reqs, nil
}

func writeCA(dir string, reqs []*certRequest, now time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root, rootKey, rootPEM, err := loadOrCreateRoot(dir, now)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{
			SerialNumber:          serial(),
			Subject:               pkix.Name{Organization: []string{caOrg}, CommonName: r.name},
			NotBefore:             now.Add(-backdate),
			NotAfter:              now.Add(leafValidity),
			KeyUsage:              x509.KeyUsageDigitalSignature,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
			BasicConstraintsValid: true,
			URIs:                  r.uris,
			DNSNames:              r.dns,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, root, &key.PublicKey, rootKey)
		if err != nil {
			return fmt.Errorf("certificate %s: %w", r.name, err)
		}
		leafPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		keyPEM, err := encodeKey(key)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, r.name+"-key.pem"), keyPEM, 0o600); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, r.name+".pem"), leafPEM, 0o644); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, r.name+"-chain.pem"), append(leafPEM, rootPEM...), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// loadOrCreateRoot reuses DIR's root when it parses, is a CA, matches its key and outlives a
// new leaf; otherwise it mints a new one.
func loadOrCreateRoot(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	certPath, keyPath := filepath.Join(dir, "root.pem"), filepath.Join(dir, "root-key.pem")
	if cert, key, certPEM, ok := loadRoot(certPath, keyPath, now); ok {
		return cert, key, certPEM, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{caOrg}, CommonName: caOrg + " root CA"},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(rootValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM, err := encodeKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := writeFile(keyPath, keyPEM, 0o600); err != nil {
		return nil, nil, nil, err
	}
	if err := writeFile(certPath, certPEM, 0o644); err != nil {
		return nil, nil, nil, err
	}
	return cert, key, certPEM, nil
}

func loadRoot(certPath, keyPath string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, []byte, bool) {
	certPEM, err1 := os.ReadFile(certPath)
	keyPEM, err2 := os.ReadFile(keyPath)
	if err1 != nil || err2 != nil {
		return nil, nil, nil, false
	}
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, nil, false
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil || !cert.IsCA || cert.NotAfter.Sub(now) < rootMinLeft {
		return nil, nil, nil, false
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, nil, false
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, nil, false
	}
	return cert, key, certPEM, true
}

func encodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n
}

// writeFile replaces path atomically, so a reader never sees half a PEM.
func writeFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ca-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
