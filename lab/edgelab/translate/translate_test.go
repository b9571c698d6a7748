package translate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"

	udpatype "github.com/cncf/xds/go/udpa/type/v1"
)

func translate(t *testing.T, render, world string) (map[string]any, *Report) {
	t.Helper()
	out, report, err := Translate(Options{
		Objects:      []string{filepath.Join("testdata", render), filepath.Join("testdata", world)},
		Gateway:      "istio-ingress/istio-ingressgateway",
		PodIP:        "127.77.9.20",
		BindIP:       "127.77.9.20",
		AgentAddress: "127.77.9.21:15020",
		AdminAddress: "127.77.9.20:15000",
		MeshCA:       t.TempDir(),
		Template:     templatePath(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	var boot map[string]any
	if err := json.Unmarshal(out, &boot); err != nil {
		t.Fatal(err)
	}
	return boot, report
}

func templatePath(t *testing.T) string {
	t.Helper()
	// scripts/lab-setup copies it from the pinned istio module into the repository's .lab/share.
	p := filepath.Join("..", "..", "..", ".lab", "share", "envoy_bootstrap.json")
	if matches, _ := filepath.Glob(p); len(matches) == 1 {
		return p
	}
	t.Fatalf("Istio's bootstrap template is missing at %s: run scripts/lab-setup", p)
	return ""
}

func static(boot map[string]any, kind string) []map[string]any {
	var out []map[string]any
	for _, x := range boot["static_resources"].(map[string]any)[kind].([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

func names(items []map[string]any) []string {
	var out []string
	for _, i := range items {
		out = append(out, i["name"].(string))
	}
	return out
}

func TestClassicGatewayIsStaticAndBoundToThePod(t *testing.T) {
	boot, report := translate(t, "eks-gateway.yaml", "eks-gateway-world.yaml")
	if _, ok := boot["dynamic_resources"]; ok {
		t.Fatal("ADS left in the bootstrap")
	}
	raw, _ := json.Marshal(boot)
	for _, forbidden := range []string{`"rds"`, `"eds_cluster_config"`, `"sds_config"`, `"address":"0.0.0.0"`, `"address":"::"`} {
		if strings.Contains(string(raw), forbidden) {
			t.Errorf("bootstrap still has %s", forbidden)
		}
	}
	if c := strings.Join(names(static(boot, "clusters")), " "); strings.Contains(c, "xds-grpc") || strings.Contains(c, "sds-grpc") {
		t.Errorf("ADS or SDS cluster left: %s", c)
	}
	got := strings.Join(names(static(boot, "listeners")), " ")
	if got != "0.0.0.0_15090 0.0.0.0_15021 0.0.0.0_80 0.0.0.0_443" {
		t.Errorf("listeners: %s", got)
	}
	for _, l := range static(boot, "listeners") {
		addr := l["address"].(map[string]any)["socket_address"].(map[string]any)["address"]
		if addr != "127.77.9.20" {
			t.Errorf("%s binds %v", l["name"], addr)
		}
	}
	// The canary subset's endpoints, inlined from EDS.
	var canary map[string]any
	for _, c := range static(boot, "clusters") {
		if c["name"] == "outbound|8080|canary|shop.shop.svc.cluster.local" {
			canary = c
		}
	}
	if canary == nil || canary["type"] != "STATIC" || !strings.Contains(mustJSON(canary["load_assignment"]), "127.77.1.101") {
		t.Errorf("canary cluster: %v", mustJSON(canary))
	}
	if s := strings.Join(report.Secrets, " "); s != "ROOTCA default" {
		t.Errorf("secrets: %s", s)
	}
	removed := map[string]bool{}
	for _, r := range report.Removed {
		removed[r.TypeURL] = true
		if _, listed := IstioOnly[r.TypeURL]; !listed {
			t.Errorf("removed an unlisted extension %s", r.TypeURL)
		}
	}
	if !removed["type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange"] {
		t.Errorf("metadata exchange not removed: %v", report.Removed)
	}
	// The PROXY protocol the Deployment's gatewayTopology asks for is a listener filter.
	if !strings.Contains(mustJSON(static(boot, "listeners")[2]), "envoy.filters.listener.proxy_protocol") {
		t.Error("port 80 has no PROXY protocol listener filter")
	}
}

func TestGatewayAPICredentialsServedByIstiodsSDS(t *testing.T) {
	boot, report := translate(t, "echo-gateway-api.yaml", "echo-gateway-api-world.yaml")
	if !contains(report.Secrets, "kubernetes-gateway://istio-ingress/echo-tls") {
		t.Fatalf("secrets: %v", report.Secrets)
	}
	if len(report.Minted) != 1 || !strings.Contains(report.Minted[0], "echo.example.com") {
		t.Errorf("minted: %v", report.Minted)
	}
	if !strings.Contains(mustJSON(boot), "echo.example.com") {
		t.Error("no virtual host for echo.example.com")
	}
}

func TestAnUnlistedIstioExtensionStopsTheTranslation(t *testing.T) {
	inner, _ := structpb.NewStruct(map[string]any{})
	ts, _ := anypb.New(&udpatype.TypedStruct{TypeUrl: "type.googleapis.com/istio.envoy.config.filter.http.jwt_auth.v2alpha1.JwtAuthentication", Value: inner})
	l := &listener.Listener{Name: "l", ListenerFilters: []*listener.ListenerFilter{{Name: "istio.jwt", ConfigType: &listener.ListenerFilter_TypedConfig{TypedConfig: ts}}}}
	err := (&resources{listeners: []*listener.Listener{l}}).fold(&stripper{})
	if err == nil || !strings.Contains(err.Error(), "jwt_auth") || !strings.Contains(err.Error(), "stopping") {
		t.Fatalf("want a stop naming the extension, got %v", err)
	}
}

func TestAListedIstioExtensionIsRemovedAndReported(t *testing.T) {
	inner, _ := structpb.NewStruct(map[string]any{})
	ts, _ := anypb.New(&udpatype.TypedStruct{TypeUrl: "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange", Value: inner})
	l := &listener.Listener{Name: "l", ListenerFilters: []*listener.ListenerFilter{{Name: "istio.metadata_exchange", ConfigType: &listener.ListenerFilter_TypedConfig{TypedConfig: ts}}}}
	st := &stripper{}
	if err := (&resources{listeners: []*listener.Listener{l}}).fold(st); err != nil {
		t.Fatal(err)
	}
	if len(l.ListenerFilters) != 0 || len(st.removedList()) != 1 || st.removedList()[0].Count != 1 {
		t.Fatalf("filters %v, removed %v", l.ListenerFilters, st.removedList())
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The lab's documentation lists exactly the extensions IstioOnly removes.
func TestTheDocumentedListIsTheRemovedList(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "lab-istiod.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| `type.googleapis.com/") {
			documented[strings.Trim(strings.Split(line, "|")[1], " `")] = true
		}
	}
	for url := range IstioOnly {
		if !documented[url] {
			t.Errorf("%s is removed but not documented in docs/lab-istiod.md", url)
		}
	}
	for url := range documented {
		if _, ok := IstioOnly[url]; !ok {
			t.Errorf("%s is documented but not in IstioOnly", url)
		}
	}
}
