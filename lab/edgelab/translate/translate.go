// Package translate turns a render into the Envoy configuration istiod would push to the gateway.
package translate

import (
	_ "istio.io/istio/pilot/test/xds" // istiod's own translation, served without an API server
)

// Main runs `edgelab xds`.
func Main(args []string) error { return nil }
