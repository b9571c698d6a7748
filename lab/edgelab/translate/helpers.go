package translate

import (
	"net"
	"strconv"

	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
)

type (
	endpointLA         = endpoint.ClusterLoadAssignment
	routeConfiguration = route.RouteConfiguration
)

// routeConfigNames are the route configurations a listener's connection managers ask RDS for.
func routeConfigNames(l *listener.Listener) []string {
	var out []string
	chains := append([]*listener.FilterChain{}, l.FilterChains...)
	if l.DefaultFilterChain != nil {
		chains = append(chains, l.DefaultFilterChain)
	}
	for _, fc := range chains {
		for _, f := range fc.Filters {
			tc := f.GetTypedConfig()
			if tc == nil || tc.TypeUrl != "type.googleapis.com/"+connManager {
				continue
			}
			cm := &hcm.HttpConnectionManager{}
			if err := tc.UnmarshalTo(cm); err != nil {
				continue
			}
			if rds := cm.GetRds(); rds != nil {
				out = append(out, rds.RouteConfigName)
			}
		}
	}
	return out
}

func splitHostPort(hostPort string) (string, uint32) {
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return hostPort, 0
	}
	p, _ := strconv.Atoi(port)
	return host, uint32(p)
}
