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
	"syscall"
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

// Cert names one leaf for MintCerts: file base name, URI SANs (spiffe://...) and DNS SANs.
type Cert struct {
	Name string
	URIs []string
	DNS  []string
}

// certRequest is one validated leaf to mint.
type certRequest struct {
	name string
	uris []*url.URL
	dns  []string
}

// CA runs `edgelab ca --out DIR [--identity NAME=spiffe://...]... [--dns NAME=h1,h2]...`
// (`--workload NAME=URI` is the same as --identity; `--gateway-spiffe URI` is --identity
// gateway=URI). Files and certificates are those of MintCerts.
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
	var certs []Cert
	index := map[string]int{}
	add := func(flagName, arg string) (*Cert, string, error) {
		name, val, ok := strings.Cut(arg, "=")
		if !ok || val == "" {
			return nil, "", fmt.Errorf("--%s %q: want NAME=VALUE", flagName, arg)
		}
		i, seen := index[name]
		if !seen {
			i = len(certs)
			index[name] = i
			certs = append(certs, Cert{Name: name})
		}
		return &certs[i], val, nil
	}
	for _, arg := range ids {
		c, val, err := add("identity", arg)
		if err != nil {
			return err
		}
		c.URIs = append(c.URIs, val)
	}
	for _, arg := range dns {
		c, val, err := add("dns", arg)
		if err != nil {
			return err
		}
		for _, h := range strings.Split(val, ",") {
			c.DNS = append(c.DNS, strings.TrimSpace(h))
		}
	}
	return MintCerts(*out, certs)
}

// MintCerts writes DIR/root.pem and DIR/root-key.pem (reused when DIR already holds a root
// that outlives a new leaf, so certificates minted by separate calls share one root), and per
// Cert: NAME.pem (leaf), NAME-key.pem (PKCS#8, mode 0600) and NAME-chain.pem (leaf + root).
// Keys are ECDSA P-256; leaves are valid for one day and serve as TLS server and client
// certificates. Certs with the same Name are merged. Errors name the bad field and value.
func MintCerts(dir string, certs []Cert) error {
	reqs, err := validateCerts(certs)
	if err != nil {
		return err
	}
	return writeCA(dir, reqs, time.Now())
}

func validateCerts(certs []Cert) ([]*certRequest, error) {
	byName := map[string]*certRequest{}
	for _, c := range certs {
		if !certName.MatchString(c.Name) || c.Name == "root" {
			return nil, fmt.Errorf("certificate name %q: must match %s and not be \"root\"", c.Name, certName)
		}
		r := byName[c.Name]
		if r == nil {
			r = &certRequest{name: c.Name}
			byName[c.Name] = r
		}
		for _, v := range c.URIs {
			u, err := url.Parse(v)
			if err != nil || u.Scheme != "spiffe" || u.Host == "" {
				return nil, fmt.Errorf("certificate %s: URI %q is not a spiffe://TRUST_DOMAIN/... URI", c.Name, v)
			}
			r.uris = append(r.uris, u)
		}
		for _, h := range c.DNS {
			if h == "" || strings.ContainsAny(h, " /:") || strings.Contains(strings.TrimPrefix(h, "*."), "*") {
				return nil, fmt.Errorf("certificate %s: DNS name %q is not a host name (a wildcard may only lead: *.example.com)", c.Name, h)
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
	// Concurrent calls into one directory (the verifier's and edgelab xds') must agree on
	// one root: hold an exclusive lock on DIR/.lock while reading or minting it.
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", lock.Name(), err)
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
