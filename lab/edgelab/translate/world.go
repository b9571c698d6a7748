package translate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	meshconfig "istio.io/api/mesh/v1alpha1"
)

// configGroups are the API groups istiod reads as configuration (ConfigString).
var configGroups = map[string]bool{
	"networking.istio.io":         true,
	"security.istio.io":           true,
	"telemetry.istio.io":          true,
	"extensions.istio.io":         true,
	"gateway.networking.k8s.io":   true,
	"gateway.networking.x-k8s.io": true,
}

// kubeKinds are the Kubernetes objects istiod's controllers read (KubernetesObjectString).
var kubeKinds = map[string]bool{
	"v1/Service": true, "v1/Pod": true, "v1/Namespace": true, "v1/Secret": true,
	"v1/ConfigMap": true, "discovery.k8s.io/v1/EndpointSlice": true,
	// Ingresses istiod serves on the gateway labelled istio=ingressgateway (meshConfig
	// ingressSelector), such as cert-manager's HTTP-01 solver's.
	"networking.k8s.io/v1/Ingress": true, "networking.k8s.io/v1/IngressClass": true,
}

type world struct {
	configYAML string
	kubeYAML   string
	gatewayPod *corev1.Pod
	ignored    []string
	minted     []string
}

type object struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Metadata   metav1.ObjectMeta `json:"metadata"`
}

func splitDocs(b []byte) [][]byte {
	var out [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), b...), []byte("\n---")) {
		if len(bytes.TrimSpace(d)) > 0 {
			out = append(out, d)
		}
	}
	return out
}

// loadWorld reads the objects, finds the gateway, and completes the world as a cluster would:
// the gateway's pod from its Deployment, EndpointSlices for Services from their pods, ClusterIPs,
// and the TLS Secrets the gateway's servers name (the render redacts or omits their values).
func loadWorld(o Options) (*world, error) {
	w := &world{}
	var configs []string
	var services []*corev1.Service
	var pods []*corev1.Pod
	var others []string
	slices := map[string]bool{}
	secrets := map[string]*corev1.Secret{}
	var deployment map[string]any
	gwNS, gwName, ok := strings.Cut(o.Gateway, "/")
	if !ok {
		return nil, fmt.Errorf("--gateway %q: want NAMESPACE/DEPLOYMENT", o.Gateway)
	}
	for _, file := range o.Objects {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		for _, doc := range splitDocs(b) {
			var obj object
			if err := yaml.Unmarshal(doc, &obj); err != nil {
				return nil, fmt.Errorf("%s: %v", file, err)
			}
			if obj.Kind == "" {
				continue
			}
			group, _, _ := strings.Cut(obj.APIVersion, "/")
			key := obj.APIVersion + "/" + obj.Kind
			switch {
			case configGroups[group]:
				configs = append(configs, string(doc))
				if strings.HasPrefix(group, "gateway.networking.") {
					// Istio's Gateway API controller reads these from the API server (as Istio's
					// own waypoint tests give them: both ways).
					others = append(others, string(doc))
				}
			case key == "apps/v1/Deployment" && obj.Metadata.Namespace == gwNS && obj.Metadata.Name == gwName:
				if err := yaml.Unmarshal(doc, &deployment); err != nil {
					return nil, err
				}
			case key == "v1/Service":
				s := &corev1.Service{}
				if err := yaml.Unmarshal(doc, s); err != nil {
					return nil, fmt.Errorf("%s: %v", file, err)
				}
				services = append(services, s)
			case key == "v1/Pod":
				p := &corev1.Pod{}
				if err := yaml.Unmarshal(doc, p); err != nil {
					return nil, fmt.Errorf("%s: %v", file, err)
				}
				pods = append(pods, p)
			case key == "v1/Secret":
				s := &corev1.Secret{}
				if err := yaml.Unmarshal(doc, s); err != nil {
					return nil, fmt.Errorf("%s: %v", file, err)
				}
				secrets[s.Namespace+"/"+s.Name] = s
			case key == "discovery.k8s.io/v1/EndpointSlice":
				slices[obj.Metadata.Namespace+"/"+obj.Metadata.Labels["kubernetes.io/service-name"]] = true
				others = append(others, string(doc))
			case kubeKinds[key]:
				others = append(others, string(doc))
			default:
				w.ignored = append(w.ignored, fmt.Sprintf("%s %s/%s", obj.Kind, obj.Metadata.Namespace, obj.Metadata.Name))
			}
		}
	}
	var pod *corev1.Pod
	given := false
	if deployment == nil {
		// A gateway whose Deployment is not rendered (the AKS add-on's managed gateway): its pod,
		// as the lab's world gives it.
		for _, p := range pods {
			if p.Namespace == gwNS && p.Name == gwName {
				pod, given = p, true
			}
		}
		if pod == nil {
			return nil, fmt.Errorf("no Deployment nor Pod %s among the objects", o.Gateway)
		}
	} else {
		var err error
		if pod, given, err = gatewayPod(deployment, pods, o.PodIP); err != nil {
			return nil, err
		}
	}
	w.gatewayPod = pod
	if !given {
		pods = append(pods, pod)
	}
	for i, s := range services {
		if s.Spec.ClusterIP == "" && s.Spec.Type != corev1.ServiceTypeExternalName {
			s.Spec.ClusterIP = fmt.Sprintf("10.96.%d.%d", i/250, i%250+1)
		}
		if !slices[s.Namespace+"/"+s.Name] && len(s.Spec.Selector) > 0 {
			if es := endpointSlice(s, pods); es != nil {
				b, err := yaml.Marshal(es)
				if err != nil {
					return nil, err
				}
				others = append(others, string(b))
			}
		}
	}
	ca, err := loadOrCreateCA(o.MeshCA)
	if err != nil {
		return nil, err
	}
	for _, need := range credentialsNamed(configs, gwNS) {
		s := secrets[need.namespace+"/"+need.name]
		if s != nil && !redacted(s) {
			continue
		}
		minted, err := ca.tlsSecret(need)
		if err != nil {
			return nil, err
		}
		secrets[need.namespace+"/"+need.name] = minted
		w.minted = append(w.minted, need.namespace+"/"+need.name+" for "+strings.Join(need.hosts, ","))
	}
	var kube []string
	for _, s := range services {
		b, err := yaml.Marshal(s)
		if err != nil {
			return nil, err
		}
		kube = append(kube, string(b))
	}
	for _, p := range pods {
		b, err := yaml.Marshal(p)
		if err != nil {
			return nil, err
		}
		kube = append(kube, string(b))
	}
	keys := make([]string, 0, len(secrets))
	for k := range secrets {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, err := yaml.Marshal(secrets[k])
		if err != nil {
			return nil, err
		}
		kube = append(kube, string(b))
	}
	kube = append(kube, others...)
	w.kubeYAML = strings.Join(kube, "\n---\n")
	w.configYAML = strings.Join(configs, "\n---\n")
	return w, nil
}

func redacted(s *corev1.Secret) bool {
	for _, v := range s.Data {
		if string(v) == "[secret]" {
			return true
		}
	}
	for _, v := range s.StringData {
		if v == "[secret]" {
			return true
		}
	}
	return len(s.Data) == 0 && len(s.StringData) == 0
}

// gatewayPod is the pod the gateway's Deployment creates (or the one the objects give), as the
// API server would show it to istiod: the template's labels and annotations, running and ready.
func gatewayPod(deployment map[string]any, pods []*corev1.Pod, ip string) (*corev1.Pod, bool, error) {
	meta := deployment["metadata"].(map[string]any)
	ns, _ := meta["namespace"].(string)
	name, _ := meta["name"].(string)
	spec, _ := deployment["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	raw, err := json.Marshal(tmpl)
	if err != nil {
		return nil, false, err
	}
	pt := &corev1.PodTemplateSpec{}
	if err := json.Unmarshal(raw, pt); err != nil {
		return nil, false, fmt.Errorf("the gateway Deployment's template: %v", err)
	}
	for _, p := range pods {
		if p.Namespace == ns && matches(pt.Labels, p.Labels) {
			return p, true, nil
		}
	}
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: pt.ObjectMeta,
		Spec:       pt.Spec,
	}
	pod.Name = name + "-lab-0"
	pod.Namespace = ns
	pod.Labels = copyMap(pt.Labels)
	pod.Labels["pod-template-hash"] = "lab"
	pod.Labels["service.istio.io/canonical-name"] = valueOr(pt.Labels["service.istio.io/canonical-name"], valueOr(pt.Labels["app.kubernetes.io/name"], valueOr(pt.Labels["app"], name)))
	pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: name + "-lab", UID: "lab"}}
	pod.Status = corev1.PodStatus{
		Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}}, HostIP: ip,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
	}
	return pod, false, nil
}

func valueOr(v, d string) string {
	if v != "" {
		return v
	}
	return d
}

func copyMap(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func matches(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// endpointSlice is what Kubernetes' EndpointSlice controller writes for a Service: its ready
// pods, each Service port resolved to the pod's target port.
func endpointSlice(s *corev1.Service, pods []*corev1.Pod) *discoveryv1.EndpointSlice {
	var selected []*corev1.Pod
	for _, p := range pods {
		if p.Namespace == s.Namespace && matches(s.Spec.Selector, p.Labels) && p.Status.PodIP != "" {
			selected = append(selected, p)
		}
	}
	if len(selected) == 0 {
		return nil
	}
	sort.Slice(selected, func(i, j int) bool { return selected[i].Name < selected[j].Name })
	es := &discoveryv1.EndpointSlice{
		TypeMeta:    metav1.TypeMeta{APIVersion: "discovery.k8s.io/v1", Kind: "EndpointSlice"},
		ObjectMeta:  metav1.ObjectMeta{Name: s.Name + "-lab", Namespace: s.Namespace, Labels: map[string]string{"kubernetes.io/service-name": s.Name, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
		AddressType: discoveryv1.AddressTypeIPv4,
	}
	ready := true
	for _, p := range selected {
		es.Endpoints = append(es.Endpoints, discoveryv1.Endpoint{
			Addresses:  []string{p.Status.PodIP},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready},
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: p.Namespace, Name: p.Name},
		})
	}
	for _, sp := range s.Spec.Ports {
		name, proto := sp.Name, sp.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		port := targetPort(sp, selected[0])
		es.Ports = append(es.Ports, discoveryv1.EndpointPort{Name: &name, Port: &port, Protocol: &proto, AppProtocol: sp.AppProtocol})
	}
	return es
}

func targetPort(sp corev1.ServicePort, p *corev1.Pod) int32 {
	switch {
	case sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal != 0:
		return sp.TargetPort.IntVal
	case sp.TargetPort.Type == intstr.String && sp.TargetPort.StrVal != "":
		for _, c := range p.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == sp.TargetPort.StrVal {
					return cp.ContainerPort
				}
			}
		}
	}
	return sp.Port
}

// injectedEnv is the environment Istio's `gateway` injection template gives the proxy container
// (manifests/charts/istio-control/istio-discovery/files/gateway-injection-template.yaml), for the
// values pilot-agent turns into node metadata.
func injectedEnv(w *world, pc *meshconfig.ProxyConfig) []string {
	pod := w.gatewayPod
	deployment := strings.TrimSuffix(pod.Name, "-lab-0")
	for _, ref := range pod.OwnerReferences {
		if ref.Kind == "ReplicaSet" {
			deployment = strings.TrimSuffix(ref.Name, "-lab")
		}
	}
	env := []string{
		"POD_NAME=" + pod.Name,
		"POD_NAMESPACE=" + pod.Namespace,
		"INSTANCE_IP=" + pod.Status.PodIP,
		"SERVICE_ACCOUNT=" + pod.Spec.ServiceAccountName,
		"HOST_IP=" + pod.Status.HostIP,
		"ISTIO_META_CLUSTER_ID=Kubernetes",
		"ISTIO_META_NODE_NAME=lab-node",
		"ISTIO_META_INTERCEPTION_MODE=" + pc.InterceptionMode.String(),
		"ISTIO_META_WORKLOAD_NAME=" + deployment,
		"ISTIO_META_OWNER=kubernetes://apis/apps/v1/namespaces/" + pod.Namespace + "/deployments/" + deployment,
		"ISTIO_META_MESH_ID=cluster.local",
		"TRUST_DOMAIN=cluster.local",
	}
	var names []string
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	env = append(env, "ISTIO_META_APP_CONTAINERS="+strings.Join(names, ","))
	var ports []map[string]any
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			ports = append(ports, map[string]any{"name": p.Name, "containerPort": p.ContainerPort, "protocol": string(p.Protocol)})
		}
	}
	if b, err := json.Marshal(ports); err == nil && len(ports) > 0 {
		env = append(env, "ISTIO_META_POD_PORTS="+string(b))
	}
	keys := make([]string, 0, len(pc.ProxyMetadata))
	for k := range pc.ProxyMetadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		env = append(env, k+"="+pc.ProxyMetadata[k])
	}
	return env
}
