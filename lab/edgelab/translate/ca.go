package translate

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tls "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// labCA is the lab's mesh CA (root.pem, root-key.pem), shared with the stand-ins (edgelab ca).
type labCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

func loadOrCreateCA(dir string) (*labCA, error) {
	certFile, keyFile := filepath.Join(dir, "root.pem"), filepath.Join(dir, "root-key.pem")
	if _, err := os.Stat(certFile); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{Organization: []string{"ingresslib lab"}, CommonName: "lab root"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return nil, err
		}
		kb, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			return nil, err
		}
		if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
			return nil, err
		}
	}
	cb, err := os.ReadFile(certFile)
	if err != nil {
		return nil, err
	}
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, err
	}
	cblock, _ := pem.Decode(cb)
	kblock, _ := pem.Decode(kb)
	if cblock == nil || kblock == nil {
		return nil, fmt.Errorf("%s: not a PEM CA", dir)
	}
	cert, err := x509.ParseCertificate(cblock.Bytes)
	if err != nil {
		return nil, err
	}
	var key *ecdsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(kblock.Bytes); err == nil {
		key, _ = k.(*ecdsa.PrivateKey)
	} else if k, err := x509.ParseECPrivateKey(kblock.Bytes); err == nil {
		key = k
	}
	if key == nil {
		return nil, fmt.Errorf("%s: root-key.pem is not an ECDSA key", dir)
	}
	return &labCA{cert: cert, key: key, certPEM: cb}, nil
}

// leaf issues a certificate for DNS names and URI SANs, with a serial derived from its names.
func (ca *labCA) leaf(cn string, dns []string, uris []string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	sum := sha256.Sum256([]byte(cn + strings.Join(dns, ",") + strings.Join(uris, ",")))
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetBytes(sum[:8]), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:    dns,
	}
	for _, u := range uris {
		parsed, err := url.Parse(u)
		if err != nil {
			return nil, nil, err
		}
		tmpl.URIs = append(tmpl.URIs, parsed)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, err
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb}), nil
}

// credentialNeed is a TLS Secret a gateway server or listener names.
type credentialNeed struct {
	namespace, name string
	hosts           []string
}

// credentialsNamed finds the Secrets the Istio Gateways' servers (credentialName, in the gateway
// workload's namespace) and the Gateway API listeners (certificateRefs) name, with their hosts.
func credentialsNamed(configs []string, gatewayNS string) []credentialNeed {
	found := map[string]*credentialNeed{}
	add := func(ns, name string, hosts []string) {
		k := ns + "/" + name
		n := found[k]
		if n == nil {
			n = &credentialNeed{namespace: ns, name: name}
			found[k] = n
		}
		for _, h := range hosts {
			if _, after, ok := strings.Cut(h, "/"); ok {
				h = after
			}
			if h != "" && !contains(n.hosts, h) {
				n.hosts = append(n.hosts, h)
			}
		}
	}
	for _, doc := range configs {
		var obj struct {
			APIVersion string            `json:"apiVersion"`
			Kind       string            `json:"kind"`
			Metadata   metav1.ObjectMeta `json:"metadata"`
			Spec       struct {
				Servers []struct {
					Hosts []string `json:"hosts"`
					TLS   *struct {
						CredentialName  string   `json:"credentialName"`
						CredentialNames []string `json:"credentialNames"`
					} `json:"tls"`
				} `json:"servers"`
				Listeners []struct {
					Hostname string `json:"hostname"`
					TLS      *struct {
						CertificateRefs []struct {
							Name      string `json:"name"`
							Namespace string `json:"namespace"`
						} `json:"certificateRefs"`
					} `json:"tls"`
				} `json:"listeners"`
			} `json:"spec"`
		}
		if yaml.Unmarshal([]byte(doc), &obj) != nil {
			continue
		}
		switch {
		case obj.Kind == "Gateway" && strings.HasPrefix(obj.APIVersion, "networking.istio.io/"):
			for _, s := range obj.Spec.Servers {
				if s.TLS == nil {
					continue
				}
				names := s.TLS.CredentialNames
				if s.TLS.CredentialName != "" {
					names = append(names, s.TLS.CredentialName)
				}
				for _, n := range names {
					ns, name := gatewayNS, n
					if strings.HasPrefix(n, "kubernetes://") {
						name = strings.TrimPrefix(n, "kubernetes://")
					}
					add(ns, name, s.Hosts)
				}
			}
		case obj.Kind == "Gateway" && strings.HasPrefix(obj.APIVersion, "gateway.networking.k8s.io/"):
			for _, l := range obj.Spec.Listeners {
				if l.TLS == nil {
					continue
				}
				for _, r := range l.TLS.CertificateRefs {
					ns := r.Namespace
					if ns == "" {
						ns = obj.Metadata.Namespace
					}
					h := l.Hostname
					if h == "" {
						h = "*"
					}
					add(ns, r.Name, []string{h})
				}
			}
		}
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]credentialNeed, 0, len(keys))
	for _, k := range keys {
		out = append(out, *found[k])
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// tlsSecret mints the kubernetes.io/tls Secret a gateway server names (with ca.crt: the lab root,
// for servers that verify clients).
func (ca *labCA) tlsSecret(n credentialNeed) (*corev1.Secret, error) {
	hosts := n.hosts
	if len(hosts) == 0 {
		hosts = []string{"*"}
	}
	certPEM, keyPEM, err := ca.leaf(hosts[0], hosts, nil)
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: n.name, Namespace: n.namespace},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{"tls.crt": append(certPEM, ca.certPEM...), "tls.key": keyPEM, "ca.crt": ca.certPEM},
	}, nil
}

// meshIdentity is what pilot-agent serves the gateway over its own SDS: `default`, the workload
// certificate of its service account, and `ROOTCA`, the mesh root.
func meshIdentity(dir string, w *world) (map[string]*tls.Secret, error) {
	ca, err := loadOrCreateCA(dir)
	if err != nil {
		return nil, err
	}
	pod := w.gatewayPod
	spiffeID := fmt.Sprintf("spiffe://cluster.local/ns/%s/sa/%s", pod.Namespace, pod.Spec.ServiceAccountName)
	certPEM, keyPEM, err := ca.leaf("", nil, []string{spiffeID})
	if err != nil {
		return nil, err
	}
	inline := func(b []byte) *core.DataSource {
		return &core.DataSource{Specifier: &core.DataSource_InlineBytes{InlineBytes: b}}
	}
	return map[string]*tls.Secret{
		"default": {Name: "default", Type: &tls.Secret_TlsCertificate{TlsCertificate: &tls.TlsCertificate{
			CertificateChain: inline(append(certPEM, ca.certPEM...)), PrivateKey: inline(keyPEM),
		}}},
		"ROOTCA": {Name: "ROOTCA", Type: &tls.Secret_ValidationContext{ValidationContext: &tls.CertificateValidationContext{
			TrustedCa: inline(ca.certPEM),
		}}},
	}, nil
}
