package regulations

import (
	"strings"
	"testing"
)

// Every shipped profile names a known catalog change path, and leshan's
// missed update cites 第三十九条; an unknown path is refused.
func TestCatalogChangeRule(t *testing.T) {
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"wuhan": PathReview, "weifang": PathConsentThenFiling, "changsha": PathFiling, "xiamen": PathJointSubmission, "leshan": PathFiling}
	for city, path := range want {
		p, _ := r.Get(city)
		if p.CatalogChange.Path != path {
			t.Errorf("%s: path %q, want %q", city, p.CatalogChange.Path, path)
		}
	}
	if p, _ := r.Get("leshan"); !strings.Contains(p.CatalogChange.OverdueArticle, "第三十九条") {
		t.Errorf("leshan overdue_article = %q", p.CatalogChange.OverdueArticle)
	}
	if p, _ := r.Get("wuhan"); p.CatalogChange.Review.WorkingDays != 3 || !p.CatalogChange.Review.Statutory || p.CatalogChange.Update.Statutory {
		t.Errorf("wuhan: review 3 statutory, update not statutory; got %+v", p.CatalogChange)
	}
	p, _ := r.Get("wuhan")
	p.CatalogChange.Path = "approve_by_mail"
	if err := p.validate(); err == nil || !strings.Contains(err.Error(), "catalog_change.path") {
		t.Fatalf("unknown path: err = %v", err)
	}
}
