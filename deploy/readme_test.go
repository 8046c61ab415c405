package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// configTable returns the variables README's Configuration table lists.
func configTable(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "## Configuration")
	if start < 0 {
		t.Fatal("README.md has no Configuration section")
	}
	s = s[start+len("## Configuration"):]
	if end := strings.Index(s, "\n## "); end >= 0 {
		s = s[:end]
	}
	vars := map[string]bool{}
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.SplitN(line, "|", 3)[1]
		for _, m := range regexp.MustCompile("`([A-Z][A-Z0-9_]+)`").FindAllStringSubmatch(first, -1) {
			vars[m[1]] = true
		}
	}
	if len(vars) < 10 {
		t.Fatalf("README's configuration table lists %d variables; it was not read", len(vars))
	}
	return vars
}

// system are variables of the environment that are not our settings.
var system = map[string]bool{"USER": true, "HOME": true}

// TestConfigTableListsEveryVariable: every variable the binary reads is in
// README's configuration table.
func TestConfigTableListsEveryVariable(t *testing.T) {
	table := configTable(t)
	files, err := os.ReadDir("../cmd/approvals")
	if err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`(?:Getenv|LookupEnv|env|duration|parseDays|positive)\("([A-Z][A-Z0-9_]+)"`)
	n := 0
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".go") || strings.HasSuffix(f.Name(), "_test.go") {
			continue
		}
		b, err := os.ReadFile("../cmd/approvals/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(b), -1) {
			n++
			if !table[m[1]] && !system[m[1]] {
				t.Errorf("cmd/approvals/%s reads %s, which README's configuration table does not list", f.Name(), m[1])
			}
		}
	}
	if n < 10 {
		t.Fatalf("found only %d variables read in cmd/approvals", n)
	}
}
