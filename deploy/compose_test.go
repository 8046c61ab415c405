package deploy

import (
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// compose is the part of docker-compose.yml the test reads.
type compose struct {
	Services map[string]struct {
		Image       string            `json:"image"`
		Build       any               `json:"build"`
		Command     []string          `json:"command"`
		Environment map[string]string `json:"environment"`
		DependsOn   map[string]struct {
			Condition string `json:"condition"`
		} `json:"depends_on"`
		Healthcheck *struct {
			Test []string `json:"test"`
		} `json:"healthcheck"`
		Ports   []string `json:"ports"`
		Volumes []string `json:"volumes"`
	} `json:"services"`
}

func loadCompose(t *testing.T) compose {
	t.Helper()
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

func TestCompose(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"postgres", "temporal-schema", "temporal", "temporal-ui", "worker", "api", "caddy"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("docker-compose.yml has no service %s", name)
		}
	}
	s := c.Services
	// Temporal: the server image with the admin-tools schema job, same release.
	for name, svc := range s {
		if strings.Contains(svc.Image, "auto-setup") {
			t.Errorf("%s uses the deprecated auto-setup image", name)
		}
	}
	server, ok1 := strings.CutPrefix(s["temporal"].Image, "temporalio/server:")
	tools, ok2 := strings.CutPrefix(s["temporal-schema"].Image, "temporalio/admin-tools:")
	if !ok1 || !ok2 || server != tools {
		t.Errorf("temporal %q and temporal-schema %q: want temporalio/server and temporalio/admin-tools of one release", s["temporal"].Image, s["temporal-schema"].Image)
	}
	if s["temporal"].DependsOn["temporal-schema"].Condition != "service_completed_successfully" {
		t.Error("temporal does not wait for the schema job to complete")
	}
	// Temporal on its own database role.
	dbURL, err := url.Parse(regexp.MustCompile(`\$\{[^}]*\}`).ReplaceAllString(s["api"].Environment["DATABASE_URL"], "x"))
	if err != nil || dbURL.User == nil {
		t.Fatalf("api DATABASE_URL %q: %v", s["api"].Environment["DATABASE_URL"], err)
	}
	if u := s["temporal"].Environment["POSTGRES_USER"]; u == "" || u == dbURL.User.Username() || u == "postgres" {
		t.Errorf("Temporal's database role %q: want its own, not %q or the superuser", u, dbURL.User.Username())
	}
	// One image, built once, run as worker and api.
	if s["worker"].Build == nil || s["api"].Build != nil || s["api"].Image == "" || s["api"].Image != s["worker"].Image {
		t.Errorf("worker (build %v, image %q) and api (build %v, image %q): want one image built by the worker's service", s["worker"].Build, s["worker"].Image, s["api"].Build, s["api"].Image)
	}
	if !slices.Equal(s["worker"].Command, []string{"worker"}) || !slices.Equal(s["api"].Command, []string{"api"}) {
		t.Errorf("commands: worker %v, api %v", s["worker"].Command, s["api"].Command)
	}
	// Our schema migrated by a one-shot job on the same image, before worker and api.
	if !slices.Equal(s["migrate"].Command, []string{"migrate", "up"}) || s["migrate"].Image != s["worker"].Image {
		t.Errorf("migrate %v on %q: want `approvals migrate up` on the worker's image", s["migrate"].Command, s["migrate"].Image)
	}
	for _, name := range []string{"worker", "api"} {
		if s[name].DependsOn["migrate"].Condition != "service_completed_successfully" {
			t.Errorf("%s does not wait for the migrate job to complete", name)
		}
	}
	// Health checks on every long-running service; the app's through its own binary.
	for name, svc := range s {
		if name == "temporal-schema" || name == "migrate" {
			continue
		}
		if svc.Healthcheck == nil || len(svc.Healthcheck.Test) == 0 {
			t.Errorf("%s has no healthcheck", name)
		}
	}
	for _, name := range []string{"worker", "api"} {
		if h := s[name].Healthcheck; h == nil || !slices.Contains(h.Test, "healthcheck") {
			t.Errorf("%s's healthcheck does not run `approvals healthcheck`", name)
		}
	}
	// Only the TLS proxy is published beyond loopback; the API not at all.
	for name, svc := range s {
		for _, p := range svc.Ports {
			if name != "caddy" && !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("%s publishes %s beyond loopback", name, p)
			}
		}
	}
	if len(s["api"].Ports) > 0 {
		t.Errorf("api publishes %v; it is reached through caddy", s["api"].Ports)
	}
	// Mounted files exist.
	for name, svc := range s {
		for _, v := range svc.Volumes {
			if src, _, _ := strings.Cut(v, ":"); strings.HasPrefix(src, "./") {
				if _, err := os.Stat("../" + src); err != nil {
					t.Errorf("%s mounts %s: %v", name, src, err)
				}
			}
		}
	}
	// The app's variables are documented.
	table := configTable(t)
	ours := regexp.MustCompile(`^(APPROVALS_|TEMPORAL_|DATABASE_URL)`)
	for _, name := range []string{"worker", "api"} {
		for k := range s[name].Environment {
			if ours.MatchString(k) && !table[k] {
				t.Errorf("%s sets %s, which README's configuration table does not list", name, k)
			}
		}
	}
}
