package translate

import (
	"fmt"
	"sort"
	"strings"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tls "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/anypb"

	udpatype "github.com/cncf/xds/go/udpa/type/v1"
	xdstype "github.com/cncf/xds/go/xds/type/v3"
)

type corev3Node = core.Node

// RemovedFilter is one kind of Istio-only extension taken out of the configuration.
type RemovedFilter struct {
	TypeURL string `json:"typeUrl"`
	Names   string `json:"names"`
	Why     string `json:"why"`
	Count   int    `json:"count"`
}

// IstioOnly lists the extensions of Istio's proxy that the upstream Envoy binary lacks and that
// the lab removes, with why removing each changes nothing the lab judges: none of them decides
// routing, security, limits, timeouts or TLS. Any other extension of Istio's own stops the
// translation (an extension that mattered would be silently dropped otherwise).
var IstioOnly = map[string]string{
	"type.googleapis.com/stats.PluginConfig": "Istio's standard metrics (istio_requests_total ...): " +
		"telemetry only, no effect on the request",
	"type.googleapis.com/io.istio.http.peer_metadata.Config": "peer metadata discovery/propagation " +
		"for telemetry labels: headers x-envoy-peer-metadata* only, no effect on routing",
	"type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange": "TCP metadata " +
		"exchange for telemetry over mTLS (ALPN istio-peer-exchange): telemetry only",
	"type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig": "overrides the " +
		"upstream ALPN to istio-http/1.0|1.1|h2 on mTLS clusters so sidecars detect the protocol; " +
		"the lab's sidecar stand-ins accept plain h2/http/1.1 as well",
	"type.googleapis.com/io.istio.http.metadata_exchange.Config": "HTTP metadata exchange for " +
		"telemetry: headers only",
	"type.googleapis.com/istio.envoy.config.filter.network.metadata_exchange.config.MetadataExchange": "TCP metadata " +
		"exchange for telemetry: telemetry only",
}

// effectiveType is an Any's type URL, or the one inside a TypedStruct wrapper (Istio wraps its
// own extensions so istiod needs no compiled proto for them).
func effectiveType(a *anypb.Any) string {
	switch a.TypeUrl {
	case "type.googleapis.com/udpa.type.v1.TypedStruct":
		ts := &udpatype.TypedStruct{}
		if a.UnmarshalTo(ts) == nil {
			return ts.TypeUrl
		}
	case "type.googleapis.com/xds.type.v3.TypedStruct":
		ts := &xdstype.TypedStruct{}
		if a.UnmarshalTo(ts) == nil {
			return ts.TypeUrl
		}
	}
	return a.TypeUrl
}

func isIstioType(url string) bool {
	t := strings.TrimPrefix(url, "type.googleapis.com/")
	for _, p := range []string{"istio.", "io.istio.", "stats.", "envoy.tcp.metadataexchange."} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

type stripper struct {
	removed map[string]*RemovedFilter
	names   map[string]map[string]bool
	routes  map[string]*routeConfigRef
	sds     map[string]bool
	err     error
}

type routeConfigRef struct{ msg proto.Message }

func (s *stripper) removedList() []RemovedFilter {
	out := []RemovedFilter{}
	for url, r := range s.removed {
		names := make([]string, 0, len(s.names[url]))
		for n := range s.names[url] {
			names = append(names, n)
		}
		sort.Strings(names)
		r.Names = strings.Join(names, ",")
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TypeURL < out[j].TypeURL })
	return out
}

func (s *stripper) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format, args...)
	}
}

// fold makes the resources static: route configurations inlined into their connection managers,
// endpoints into their clusters, secrets named for the static ones, Istio-only extensions removed.
func (r *resources) fold(s *stripper) error {
	s.removed = map[string]*RemovedFilter{}
	s.names = map[string]map[string]bool{}
	s.sds = map[string]bool{}
	s.routes = map[string]*routeConfigRef{}
	for name, rc := range r.routes {
		s.routes[name] = &routeConfigRef{msg: rc}
	}
	for _, l := range r.listeners {
		s.walk(l.ProtoReflect())
	}
	for _, c := range r.clusters {
		if c.GetType() == cluster.Cluster_EDS {
			name := c.GetEdsClusterConfig().GetServiceName()
			if name == "" {
				name = c.Name
			}
			la := r.endpoints[name]
			if la == nil {
				s.fail("istiod sent no endpoints for cluster %s", c.Name)
				continue
			}
			la = proto.Clone(la).(*endpointLA)
			la.ClusterName = c.Name
			c.ClusterDiscoveryType = &cluster.Cluster_Type{Type: cluster.Cluster_STATIC}
			c.EdsClusterConfig = nil
			c.LoadAssignment = la
		}
		s.walk(c.ProtoReflect())
	}
	for _, sec := range r.secrets {
		s.walk(sec.ProtoReflect())
	}
	return s.err
}

const (
	sdsSecretConfig = "envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig"
	connManager     = "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
)

// walk visits every message below m: filters whose typed_config is an Istio-only extension are
// removed from their lists, Any values are opened, rewritten and closed again.
func (s *stripper) walk(m protoreflect.Message) {
	switch m.Descriptor().FullName() {
	case sdsSecretConfig:
		sc := m.Interface().(*tls.SdsSecretConfig)
		s.sds[sc.Name] = true
		sc.SdsConfig = nil // a static secret of that name (static_resources.secrets)
		return
	case connManager:
		cm := m.Interface().(*hcm.HttpConnectionManager)
		if rds := cm.GetRds(); rds != nil {
			ref := s.routes[rds.RouteConfigName]
			if ref == nil {
				s.fail("istiod sent no route configuration %q", rds.RouteConfigName)
				return
			}
			cm.RouteSpecifier = &hcm.HttpConnectionManager_RouteConfig{RouteConfig: proto.Clone(ref.msg).(*routeConfiguration)}
		}
	}
	type field struct {
		fd protoreflect.FieldDescriptor
		v  protoreflect.Value
	}
	var fields []field
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		fields = append(fields, field{fd, v})
		return true
	})
	for _, f := range fields {
		fd, v := f.fd, f.v
		switch {
		case fd.IsList() && fd.Message() != nil:
			list := v.List()
			var keep []protoreflect.Value
			for i := 0; i < list.Len(); i++ {
				elem := list.Get(i)
				if s.removable(elem.Message()) {
					continue
				}
				keep = append(keep, elem)
			}
			if len(keep) != list.Len() {
				list.Truncate(0)
				for _, k := range keep {
					list.Append(k)
				}
			}
			for i := 0; i < list.Len(); i++ {
				s.visit(list.Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			mp := v.Map()
			var drop []protoreflect.MapKey
			mp.Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				if a, ok := mv.Message().Interface().(*anypb.Any); ok && isIstioType(effectiveType(a)) {
					if s.known(effectiveType(a), "per-filter config "+k.String()) {
						drop = append(drop, k)
					}
					return true
				}
				s.visit(mv.Message())
				return true
			})
			for _, k := range drop {
				mp.Clear(k)
			}
		case fd.Message() != nil:
			s.visit(v.Message())
		}
	}
}

// visit walks a message, opening it first when it is an Any.
func (s *stripper) visit(m protoreflect.Message) {
	a, ok := m.Interface().(*anypb.Any)
	if !ok {
		s.walk(m)
		return
	}
	if t := effectiveType(a); isIstioType(t) {
		s.fail("Istio-only extension %s outside a filter list: the lab cannot serve it", t)
		return
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(a.TypeUrl)
	if err != nil {
		s.fail("extension %s is unknown to the lab's Envoy API: %v", a.TypeUrl, err)
		return
	}
	inner := mt.New().Interface()
	if err := proto.Unmarshal(a.Value, inner); err != nil {
		s.fail("extension %s: %v", a.TypeUrl, err)
		return
	}
	s.walk(inner.ProtoReflect())
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(inner)
	if err != nil {
		s.fail("extension %s: %v", a.TypeUrl, err)
		return
	}
	a.Value = b
}

// removable says whether a filter (name + typed_config) is an Istio-only extension of the list.
func (s *stripper) removable(m protoreflect.Message) bool {
	fd := m.Descriptor().Fields().ByName("typed_config")
	if fd == nil || !m.Has(fd) {
		return false
	}
	a, ok := m.Get(fd).Message().Interface().(*anypb.Any)
	if !ok || !isIstioType(effectiveType(a)) {
		return false
	}
	name := ""
	if nf := m.Descriptor().Fields().ByName("name"); nf != nil {
		name = m.Get(nf).String()
	}
	return s.known(effectiveType(a), name)
}

func (s *stripper) known(url, name string) bool {
	why, ok := IstioOnly[url]
	if !ok {
		s.fail("Istio-only extension %s (%s) is not on the lab's list of extensions that may be "+
			"removed: it may decide routing, security, limits, timeouts or TLS; stopping", url, name)
		return false
	}
	r := s.removed[url]
	if r == nil {
		r = &RemovedFilter{TypeURL: url, Why: why}
		s.removed[url] = r
		s.names[url] = map[string]bool{}
	}
	r.Count++
	s.names[url][name] = true
	return true
}
