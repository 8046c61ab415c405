package deploy

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// build runs kustomize (in process, as `kustomize build dir`) and decodes
// every object strictly against the Kubernetes API types of client-go's
// scheme: an unknown kind, an unknown or misspelt field or a value of the
// wrong type fails.
func build(t *testing.T, dir string) []runtime.Object {
	t.Helper()
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	dec := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	var objs []runtime.Object
	for _, r := range res.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		obj, gvk, err := dec.Decode(y, nil, nil)
		if err != nil {
			t.Fatalf("%s: %s %s: %v", dir, r.GetKind(), r.GetName(), err)
		}
		if gvk.Kind == "" || obj == nil {
			t.Fatalf("%s: %s decoded to nothing", dir, r.GetName())
		}
		objs = append(objs, obj)
	}
	return objs
}

func find[T runtime.Object](objs []runtime.Object, name func(T) string, want string) (T, bool) {
	for _, o := range objs {
		if v, ok := o.(T); ok && name(v) == want {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func TestKustomize(t *testing.T) {
	table := configTable(t)
	for _, dir := range []string{"k8s/base", "k8s/overlays/example"} {
		t.Run(dir, func(t *testing.T) {
			objs := build(t, dir)
			cm, ok := find(objs, func(c *corev1.ConfigMap) string { return c.Name }, "approvals")
			if !ok {
				t.Fatal("no ConfigMap approvals")
			}
			for k := range cm.Data {
				if !table[k] {
					t.Errorf("ConfigMap sets %s, which README's configuration table does not list", k)
				}
			}
			for _, name := range []string{"approvals-api", "approvals-worker"} {
				d, ok := find(objs, func(d *appsv1.Deployment) string { return d.Name }, name)
				if !ok {
					t.Fatalf("no Deployment %s", name)
				}
				checkDeployment(t, d, cm)
				hpa, ok := find(objs, func(h *autoscalingv2.HorizontalPodAutoscaler) string { return h.Name }, name)
				if !ok || hpa.Spec.ScaleTargetRef.Name != name || hpa.Spec.MinReplicas == nil || *hpa.Spec.MinReplicas < 2 || hpa.Spec.MaxReplicas <= *hpa.Spec.MinReplicas {
					t.Errorf("%s does not scale horizontally from 2 replicas: %+v", name, hpa)
				}
			}
			svc, ok := find(objs, func(s *corev1.Service) string { return s.Name }, "approvals-api")
			api, _ := find(objs, func(d *appsv1.Deployment) string { return d.Name }, "approvals-api")
			if !ok || !selects(svc.Spec.Selector, api.Spec.Template.Labels) {
				t.Errorf("Service approvals-api does not select the API's pods")
			}
			if dir == "k8s/overlays/example" {
				if img := api.Spec.Template.Spec.Containers[0].Image; !strings.HasPrefix(img, "registry.city.example/approvals:") || api.Namespace != "approvals-wuhan" {
					t.Errorf("overlay: image %s in namespace %q", img, api.Namespace)
				}
			}
		})
	}
}

func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// checkDeployment: several replicas, the binary's subcommand, the shared
// settings and secrets, a probe and resource requests.
func checkDeployment(t *testing.T, d *appsv1.Deployment, cm *corev1.ConfigMap) {
	t.Helper()
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("%s: want at least 2 replicas", d.Name)
	}
	if len(d.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%s: %d containers", d.Name, len(d.Spec.Template.Spec.Containers))
	}
	c := d.Spec.Template.Spec.Containers[0]
	want := strings.TrimPrefix(d.Name, "approvals-")
	if !slices.Equal(c.Args, []string{want}) {
		t.Errorf("%s runs %v, want [%s]", d.Name, c.Args, want)
	}
	var refs []string
	for _, e := range c.EnvFrom {
		switch {
		case e.ConfigMapRef != nil:
			refs = append(refs, "configmap/"+e.ConfigMapRef.Name)
		case e.SecretRef != nil:
			refs = append(refs, "secret/"+e.SecretRef.Name)
		}
	}
	if !slices.Contains(refs, "configmap/"+cm.Name) || !slices.Contains(refs, "secret/approvals") {
		t.Errorf("%s takes its environment from %v, want configmap/%s and secret/approvals", d.Name, refs, cm.Name)
	}
	// The schema is migrated before the process starts (it refuses one behind).
	if ic := d.Spec.Template.Spec.InitContainers; len(ic) != 1 || !slices.Equal(ic[0].Args, []string{"migrate", "up"}) || ic[0].Image != c.Image {
		t.Errorf("%s: want one init container running `approvals migrate up` on the same image", d.Name)
	}
	if c.LivenessProbe == nil {
		t.Errorf("%s has no liveness probe", d.Name)
	}
	if want == "api" && (c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz") {
		t.Errorf("%s: readiness probe is not GET /readyz", d.Name)
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
		t.Errorf("%s has no resource requests (the autoscaler needs them)", d.Name)
	}
	if sc := d.Spec.Template.Spec.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("%s may run as root", d.Name)
	}
}

// TestStrictDecodingRefusesTypos proves the validation bites: a misspelt
// field in a Deployment is refused.
func TestStrictDecodingRefusesTypos(t *testing.T) {
	dec := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	bad := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replica: 2\n  selector: {matchLabels: {a: b}}\n  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i}]}}\n")
	if _, _, err := dec.Decode(bad, nil, nil); err == nil || !strings.Contains(err.Error(), "replica") {
		t.Fatalf("a misspelt field was accepted: %v", err)
	}
	wrongType := []byte("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: eighty}]}\n")
	if _, _, err := dec.Decode(wrongType, nil, nil); err == nil {
		t.Fatal("a port of the wrong type was accepted")
	}
}
