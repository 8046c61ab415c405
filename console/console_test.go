package console

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func catalogue(t *testing.T, lang string) map[string]string {
	t.Helper()
	raw, err := fs.ReadFile(Assets, "i18n/"+lang+".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	return m
}

// Both catalogues have the same keys, and every literal key a page passes
// to t() is in them.
func TestCataloguesComplete(t *testing.T) {
	zh, en := catalogue(t, "zh-CN"), catalogue(t, "en")
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
	used := regexp.MustCompile(`\bt\("([a-z0-9_.]*[a-z0-9_])"`)
	err := fs.WalkDir(Assets, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".js") {
			return err
		}
		src, err := fs.ReadFile(Assets, p)
		if err != nil {
			return err
		}
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s uses %q, which is in no catalogue", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The handler serves the page at /, the files under Prefix, and 404 for
// anything else.
func TestHandler(t *testing.T) {
	h := Handler()
	for path, want := range map[string]int{"/": 200, "/console/app.js": 200, "/console/pages/inbox.js": 200, "/console/i18n/en.json": 200, "/console/nope.js": 404} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d", path, rec.Code, want)
		}
	}
	if !slices.Contains(Dirs(), "pages") || !slices.Contains(Dirs(), "") {
		t.Errorf("Dirs() = %q", Dirs())
	}
}
