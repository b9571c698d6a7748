// Package translate turns a render into the Envoy configuration istiod would push to the gateway.
//
// It runs istiod's own code without an API server: Istio's fake discovery server
// (istio.io/istio/pilot/test/xds, the one Istio's translation tests use) holds the render's Istio
// and Gateway API objects and the Kubernetes objects of the lab's world; the gateway connects over
// ADS with the node pilot-agent would announce for the rendered Deployment (Istio's own bootstrap
// code builds it), and asks for clusters, endpoints, listeners, routes and secrets as Envoy does.
// The answers are folded into one static Envoy bootstrap (Istio's bootstrap template, its ADS
// replaced by the resources themselves), with the Istio-only extensions the upstream Envoy binary
// lacks removed from a documented list; any other Istio-only extension stops the translation.
package translate

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tls "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/model"
	v3 "istio.io/istio/pilot/pkg/xds/v3"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/bootstrap"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/security"
	"istio.io/istio/pkg/util/sets"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// Options are the flags of `edgelab xds`.
type Options struct {
	Objects      []string // multi-document YAML files: the render's manifests and the lab's world
	Gateway      string   // NAMESPACE/DEPLOYMENT of the gateway
	PodIP        string   // the gateway pod's address
	BindIP       string   // the address every listener binds (the pod's, on loopback)
	AgentAddress string   // IP:PORT of the pilot-agent status stand-in (Istio's `agent` cluster)
	AdminAddress string   // IP:PORT of Envoy's admin interface
	MeshCA       string   // the lab's mesh CA folder (root.pem, root-key.pem)
	Template     string   // Istio's envoy_bootstrap.json
	Out          string   // the bootstrap to write
	Report       string   // optional JSON report: what was removed, which objects were read
}

// Main runs `edgelab xds`.
func Main(args []string) (err error) {
	var o Options
	var objects stringList
	fs := flag.NewFlagSet("edgelab xds", flag.ContinueOnError)
	fs.Var(&objects, "objects", "multi-document YAML file of objects (repeatable)")
	fs.StringVar(&o.Gateway, "gateway", "", "NAMESPACE/NAME of the gateway's Deployment (or of its Pod among the objects)")
	fs.StringVar(&o.PodIP, "pod-ip", "127.0.0.20", "the gateway pod's IP")
	fs.StringVar(&o.BindIP, "bind-ip", "", "address the listeners bind (default: --pod-ip)")
	fs.StringVar(&o.AgentAddress, "agent-address", "127.0.0.1:15020", "pilot-agent status stand-in")
	fs.StringVar(&o.AdminAddress, "admin-address", "127.0.0.1:15000", "Envoy admin address")
	fs.StringVar(&o.MeshCA, "mesh-ca", "", "lab mesh CA folder (created when empty)")
	fs.StringVar(&o.Template, "bootstrap-template", defaultTemplate(), "Istio's envoy_bootstrap.json")
	fs.StringVar(&o.Out, "out", "", "bootstrap JSON to write")
	fs.StringVar(&o.Report, "report", "", "report JSON to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.Objects = objects
	if o.Gateway == "" || o.Out == "" || len(o.Objects) == 0 || o.MeshCA == "" {
		return errors.New("xds needs --objects, --gateway, --mesh-ca and --out")
	}
	if o.BindIP == "" {
		o.BindIP = o.PodIP
	}
	bootstrapJSON, report, err := Translate(o)
	if err != nil {
		return err
	}
	if err := os.WriteFile(o.Out, bootstrapJSON, 0o600); err != nil {
		return err
	}
	if o.Report != "" {
		b, _ := json.MarshalIndent(report, "", "  ")
		return os.WriteFile(o.Report, b, 0o600)
	}
	return nil
}

// defaultTemplate is Istio's bootstrap template beside the binary, where scripts/lab-setup copies
// it from the pinned istio.io/istio module (share/envoy_bootstrap.json next to bin/).
func defaultTemplate() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return filepath.Join(filepath.Dir(filepath.Dir(exe)), "share", "envoy_bootstrap.json")
}

// Report says what the translation read and what it removed.
type Report struct {
	Node       string            `json:"node"`
	Ignored    []string          `json:"ignoredObjects"`
	Removed    []RemovedFilter   `json:"removedExtensions"`
	Secrets    []string          `json:"secrets"`
	Minted     []string          `json:"mintedSecrets"`
	Counts     map[string]int    `json:"counts"`
	ProxyLabel map[string]string `json:"proxyLabels"`
}

// Translate builds the gateway's static bootstrap.
func Translate(o Options) (out []byte, report *Report, err error) {
	log.FindScope("default").SetOutputLevel(log.ErrorLevel)
	for _, s := range log.Scopes() {
		s.SetOutputLevel(log.NoneLevel)
	}
	report = &Report{Counts: map[string]int{}}
	w, err := loadWorld(o)
	if err != nil {
		return nil, nil, err
	}
	report.Ignored = w.ignored
	report.Minted = w.minted
	report.ProxyLabel = w.gatewayPod.Labels

	pc, err := proxyConfig(w)
	if err != nil {
		return nil, nil, err
	}
	tmp, err := os.MkdirTemp("", "edgelab-xds-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(tmp)
	pc.ConfigPath = tmp
	pc.ProxyBootstrapTemplatePath = o.Template
	if _, err := os.Stat(o.Template); err != nil {
		return nil, nil, fmt.Errorf("Istio's bootstrap template: %v (run scripts/lab-setup)", err)
	}
	node, err := nodeFor(w, pc, o)
	if err != nil {
		return nil, nil, err
	}
	var tmpl bytes.Buffer
	if err := bootstrap.New(bootstrap.Config{Node: node}).WriteTo(o.Template, &tmpl); err != nil {
		return nil, nil, fmt.Errorf("Istio's bootstrap: %v", err)
	}
	var boot map[string]any
	if err := json.Unmarshal(tmpl.Bytes(), &boot); err != nil {
		return nil, nil, fmt.Errorf("Istio's bootstrap is not JSON: %v", err)
	}
	xdsNode, err := nodeFromBootstrap(boot)
	if err != nil {
		return nil, nil, err
	}
	report.Node = xdsNode.Id

	res, err := discover(w, xdsNode)
	if err != nil {
		return nil, nil, err
	}
	report.Removed = res.stripped.removedList()
	meshSecrets, err := meshIdentity(o.MeshCA, w)
	if err != nil {
		return nil, nil, err
	}
	out, secretNames, err := assemble(boot, res, meshSecrets, o)
	if err != nil {
		return nil, nil, err
	}
	report.Secrets = secretNames
	report.Counts["listeners"] = len(res.listeners)
	report.Counts["clusters"] = len(res.clusters)
	report.Counts["routes"] = len(res.routes)
	report.Counts["secrets"] = len(secretNames)
	return out, report, nil
}

// proxyConfig is the gateway's ProxyConfig as the injector computes it: the mesh's defaults with the
// pod's proxy.istio.io/config annotation applied.
func proxyConfig(w *world) (*meshconfig.ProxyConfig, error) {
	m := mesh.DefaultMeshConfig()
	if ann := w.gatewayPod.Annotations["proxy.istio.io/config"]; ann != "" {
		applied, err := mesh.ApplyProxyConfig(ann, m)
		if err != nil {
			return nil, fmt.Errorf("the gateway's proxy.istio.io/config: %v", err)
		}
		m = applied
	}
	return m.DefaultConfig, nil
}

// nodeFor builds the node as pilot-agent does (bootstrap.GetNodeMetaData) from the environment
// Istio's `gateway` injection template gives the proxy container, with the pod's labels and
// annotations as the downward API files carry them.
func nodeFor(w *world, pc *meshconfig.ProxyConfig, o Options) (*model.Node, error) {
	pod := w.gatewayPod
	env := injectedEnv(w, pc)
	node, err := bootstrap.GetNodeMetaData(bootstrap.MetadataOptions{
		ID:                  fmt.Sprintf("router~%s~%s.%s~%s.svc.cluster.local", o.PodIP, pod.Name, pod.Namespace, pod.Namespace),
		Envs:                env,
		InstanceIPs:         []string{o.PodIP},
		ProxyConfig:         pc,
		EnvoyStatusPort:     15021,
		EnvoyPrometheusPort: 15090,
	})
	if err != nil {
		return nil, err
	}
	node.Metadata.Labels = map[string]string{}
	for k, v := range pod.Labels {
		if k == bootstrap.DefaultDeploymentUniqueLabelKey {
			continue
		}
		node.Metadata.Labels[k] = v
	}
	node.Metadata.Annotations = map[string]string{}
	for k, v := range pod.Annotations {
		node.Metadata.Annotations[k] = v
	}
	return node, nil
}

func nodeFromBootstrap(boot map[string]any) (*corev3Node, error) {
	raw, err := json.Marshal(boot["node"])
	if err != nil {
		return nil, err
	}
	n := &corev3Node{}
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, n); err != nil {
		return nil, fmt.Errorf("the bootstrap's node: %v", err)
	}
	return n, nil
}

// resources are the xDS answers for the gateway.
type resources struct {
	listeners []*listener.Listener
	clusters  []*cluster.Cluster
	endpoints map[string]*endpoint.ClusterLoadAssignment
	routes    map[string]*route.RouteConfiguration
	secrets   map[string]*tls.Secret
	stripped  *stripper
}

// discover runs istiod's translation: the fake discovery server, one ADS stream for the gateway's
// node, and the SDS generator for the credentials its listeners name.
func discover(w *world, node *corev3Node) (res *resources, err error) {
	f := &failer{}
	stage := "starting the discovery server"
	defer func() {
		if r := recover(); r != nil {
			if fe, ok := r.(failure); ok {
				err = fmt.Errorf("istiod, %s: %s", stage, string(fe))
				return
			}
			panic(r)
		}
	}()
	defer f.cleanup()
	server := xds.NewFakeDiscoveryServer(f, xds.FakeOptions{
		ConfigString:               w.configYAML,
		KubernetesObjectString:     w.kubeYAML,
		DisableSecretAuthorization: true,
	})
	// The gateway connects as its service account's identity, as pilot-agent does over mTLS.
	identity := fmt.Sprintf("spiffe://cluster.local/ns/%s/sa/%s", w.gatewayPod.Namespace, w.gatewayPod.Spec.ServiceAccountName)
	// The fake server's stream is in-memory, not TLS: let istiod authenticate it as istiod's
	// XDS_AUTH_PLAINTEXT setting does.
	security.AuthPlaintext = true
	server.Discovery.Authenticators = []security.Authenticator{labAuthenticator{identity}}
	ads := server.ConnectADS()
	res = &resources{endpoints: map[string]*endpoint.ClusterLoadAssignment{}, routes: map[string]*route.RouteConfiguration{}, secrets: map[string]*tls.Secret{}}

	stage = "clusters (CDS)"
	cds := ads.RequestResponseAck(f, &discovery.DiscoveryRequest{Node: node, TypeUrl: v3.ClusterType})
	var edsNames []string
	for _, a := range cds.Resources {
		c := &cluster.Cluster{}
		if err := a.UnmarshalTo(c); err != nil {
			return nil, err
		}
		res.clusters = append(res.clusters, c)
		if c.GetType() == cluster.Cluster_EDS {
			name := c.GetEdsClusterConfig().GetServiceName()
			if name == "" {
				name = c.Name
			}
			edsNames = append(edsNames, name)
		}
	}
	if len(edsNames) > 0 {
		stage = "endpoints (EDS)"
		eds := ads.RequestResponseAck(f, &discovery.DiscoveryRequest{Node: node, TypeUrl: v3.EndpointType, ResourceNames: edsNames})
		for _, a := range eds.Resources {
			la := &endpoint.ClusterLoadAssignment{}
			if err := a.UnmarshalTo(la); err != nil {
				return nil, err
			}
			res.endpoints[la.ClusterName] = la
		}
	}
	stage = "listeners (LDS)"
	lds := ads.RequestResponseAck(f, &discovery.DiscoveryRequest{Node: node, TypeUrl: v3.ListenerType})
	routeNames := sets.New[string]()
	for _, a := range lds.Resources {
		l := &listener.Listener{}
		if err := a.UnmarshalTo(l); err != nil {
			return nil, err
		}
		res.listeners = append(res.listeners, l)
		for _, n := range routeConfigNames(l) {
			routeNames.Insert(n)
		}
	}
	if routeNames.Len() > 0 {
		stage = "routes (RDS)"
		rds := ads.RequestResponseAck(f, &discovery.DiscoveryRequest{Node: node, TypeUrl: v3.RouteType, ResourceNames: sets.SortedList(routeNames)})
		for _, a := range rds.Resources {
			r := &route.RouteConfiguration{}
			if err := a.UnmarshalTo(r); err != nil {
				return nil, err
			}
			res.routes[r.Name] = r
		}
	}
	st := &stripper{}
	if err := res.fold(st); err != nil {
		return nil, err
	}
	res.stripped = st
	// The credentials istiod serves the gateway (SDS over the same connection): the proxy as istiod
	// initialized it, with the identity a verified connection would carry. `default` and `ROOTCA`
	// come from pilot-agent (the lab's mesh CA).
	var names []string
	for n := range st.sds {
		if n != "default" && n != "ROOTCA" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) > 0 {
		clients := server.Discovery.AllClients()
		if len(clients) != 1 {
			return nil, fmt.Errorf("istiod: expected one connected gateway, found %d", len(clients))
		}
		proxy := clients[0].Proxy()
		if proxy.VerifiedIdentity == nil {
			return nil, fmt.Errorf("istiod did not verify the gateway's identity %s", identity)
		}
		gen := server.Discovery.Generators[v3.SecretType]
		out, _, err := gen.Generate(proxy, &model.WatchedResource{TypeUrl: v3.SecretType, ResourceNames: sets.New(names...)}, &model.PushRequest{Forced: true, Push: server.PushContext()})
		if err != nil {
			return nil, fmt.Errorf("istiod's secrets: %v", err)
		}
		for _, r := range out {
			s := &tls.Secret{}
			if err := r.Resource.UnmarshalTo(s); err != nil {
				return nil, err
			}
			st.walk(s.ProtoReflect())
			res.secrets[s.Name] = s
		}
		if st.err != nil {
			return nil, st.err
		}
		for _, n := range names {
			if res.secrets[n] == nil {
				return nil, fmt.Errorf("istiod serves no secret %q that the gateway's listeners name", n)
			}
		}
	}
	return res, nil
}

// assemble folds the resources into Istio's bootstrap: ADS and the agent's SDS removed, the
// resources static, every listener on the pod's address.
func assemble(boot map[string]any, res *resources, mesh map[string]*tls.Secret, o Options) ([]byte, []string, error) {
	delete(boot, "dynamic_resources")
	delete(boot, "dynamicResources")
	admin, _ := boot["admin"].(map[string]any)
	if admin != nil {
		admin["address"] = socketAddress(o.AdminAddress)
	}
	// Connections to upstreams leave from the pod's address, as in the cluster (on loopback Envoy
	// would otherwise use 127.0.0.1).
	cm, _ := boot["cluster_manager"].(map[string]any)
	if cm == nil {
		cm = map[string]any{}
		boot["cluster_manager"] = cm
	}
	cm["upstream_bind_config"] = map[string]any{"source_address": map[string]any{"address": o.BindIP, "port_value": 0}}
	static, _ := boot["static_resources"].(map[string]any)
	if static == nil {
		return nil, nil, errors.New("Istio's bootstrap has no static_resources")
	}
	var clusters []any
	for _, c := range asList(static["clusters"]) {
		cm, _ := c.(map[string]any)
		switch cm["name"] {
		case "xds-grpc", "sds-grpc":
			continue // ADS and the agent's SDS: replaced by the static resources below
		case "agent":
			cm["load_assignment"] = loadAssignment("agent", o.AgentAddress)
		}
		clusters = append(clusters, cm)
	}
	var listeners []any
	for _, l := range asList(static["listeners"]) {
		lm, _ := l.(map[string]any)
		rebind(lm, o.BindIP)
		listeners = append(listeners, lm)
	}
	// istiod's order of resources is not stable: by name, for byte-stable bootstraps.
	sort.Slice(res.listeners, func(i, j int) bool { return res.listeners[i].Name < res.listeners[j].Name })
	sort.Slice(res.clusters, func(i, j int) bool { return res.clusters[i].Name < res.clusters[j].Name })
	for _, l := range res.listeners {
		j, err := toJSONMap(l)
		if err != nil {
			return nil, nil, fmt.Errorf("listener %s: %v", l.Name, err)
		}
		rebind(j, o.BindIP)
		listeners = append(listeners, j)
	}
	for _, c := range res.clusters {
		j, err := toJSONMap(c)
		if err != nil {
			return nil, nil, fmt.Errorf("cluster %s: %v", c.Name, err)
		}
		clusters = append(clusters, j)
	}
	names := map[string]*tls.Secret{}
	for k, v := range res.secrets {
		names[k] = v
	}
	for k, v := range mesh {
		names[k] = v
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var secrets []any
	for _, k := range keys {
		j, err := toJSONMap(names[k])
		if err != nil {
			return nil, nil, err
		}
		secrets = append(secrets, j)
	}
	static["listeners"] = listeners
	static["clusters"] = clusters
	static["secrets"] = secrets
	out, err := json.MarshalIndent(boot, "", "  ")
	return out, keys, err
}

func toJSONMap(m proto.Message) (map[string]any, error) {
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(b, &out)
	return out, err
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func socketAddress(hostPort string) map[string]any {
	host, port := splitHostPort(hostPort)
	return map[string]any{"socket_address": map[string]any{"address": host, "port_value": port}}
}

func loadAssignment(name, hostPort string) map[string]any {
	return map[string]any{
		"cluster_name": name,
		"endpoints": []any{map[string]any{"lb_endpoints": []any{map[string]any{
			"endpoint": map[string]any{"address": socketAddress(hostPort)},
		}}}},
	}
}

// rebind puts a listener on the pod's address (Istio binds 0.0.0.0 and, dual-stack, ::).
func rebind(l map[string]any, ip string) {
	if a, ok := l["address"].(map[string]any); ok {
		if sa, ok := a["socket_address"].(map[string]any); ok {
			sa["address"] = ip
		}
	}
	delete(l, "additional_addresses")
}

// labAuthenticator stands for istiod's mTLS authenticator: the gateway's connection carries its
// service account's SPIFFE identity.
type labAuthenticator struct{ identity string }

func (a labAuthenticator) AuthenticatorType() string { return "lab" }

func (a labAuthenticator) Authenticate(security.AuthContext) (*security.Caller, error) {
	return &security.Caller{AuthSource: security.AuthSourceClientCertificate, Identities: []string{a.identity}}, nil
}
