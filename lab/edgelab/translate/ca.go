package translate

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	tls "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"ingresslib.dev/lab/edgelab/standins"
)

// labCA mints from the lab's mesh CA (edgelab ca: DIR/root.pem, shared with the stand-ins).
type labCA struct{ dir string }

func loadOrCreateCA(dir string) (*labCA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &labCA{dir: dir}, nil
}

// leaf mints NAME with DNS names and URI SANs; it returns the chain (leaf + root), the key and
// the root, PEM.
func (ca *labCA) leaf(name string, dns []string, uris []string) (chain, key, root []byte, err error) {
	var names []string
	for _, d := range dns {
		if d != "*" {
			names = append(names, d)
		}
	}
	if err := standins.MintCerts(ca.dir, []standins.Cert{{Name: name, DNS: names, URIs: uris}}); err != nil {
		return nil, nil, nil, err
	}
	read := func(f string) []byte {
		b, e := os.ReadFile(filepath.Join(ca.dir, f))
		if e != nil && err == nil {
			err = e
		}
		return b
	}
	chain, key, root = read(name+"-chain.pem"), read(name+"-key.pem"), read("root.pem")
	return chain, key, root, err
}

func safeName(parts ...string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, strings.Join(parts, "-"))
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
				GatewayClassName string `json:"gatewayClassName"`
				Servers          []struct {
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
		case obj.Kind == "Gateway" && strings.HasPrefix(obj.APIVersion, "gateway.networking.k8s.io/") &&
			obj.Spec.GatewayClassName == "istio":
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
	chain, keyPEM, root, err := ca.leaf(safeName("credential", n.namespace, n.name), hosts, nil)
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: n.name, Namespace: n.namespace},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{"tls.crt": chain, "tls.key": keyPEM, "ca.crt": root},
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
	chain, keyPEM, root, err := ca.leaf(safeName("gateway", pod.Namespace, pod.Spec.ServiceAccountName), nil, []string{spiffeID})
	if err != nil {
		return nil, err
	}
	inline := func(b []byte) *core.DataSource {
		return &core.DataSource{Specifier: &core.DataSource_InlineBytes{InlineBytes: b}}
	}
	return map[string]*tls.Secret{
		"default": {Name: "default", Type: &tls.Secret_TlsCertificate{TlsCertificate: &tls.TlsCertificate{
			CertificateChain: inline(chain), PrivateKey: inline(keyPEM),
		}}},
		"ROOTCA": {Name: "ROOTCA", Type: &tls.Secret_ValidationContext{ValidationContext: &tls.CertificateValidationContext{
			TrustedCa: inline(root),
		}}},
	}, nil
}
