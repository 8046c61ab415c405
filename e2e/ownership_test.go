package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/golang-jwt/jwt/v5"
)

// rawToken signs claims as they are, bypassing api.Sign's checks, as a
// careless or hostile issuer could.
func rawToken(t *testing.T, cl api.Claims) user {
	t.Helper()
	now := time.Now()
	cl.IssuedAt, cl.ExpiresAt = jwt.NewNumericDate(now), jwt.NewNumericDate(now.Add(time.Hour))
	cl.Issuer, cl.Audience = api.DefaultIssuer, jwt.ClaimStrings{api.DefaultAudience}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, cl).SignedString(sys.secret)
	if err != nil {
		t.Fatal(err)
	}
	return user{t: t, token: tok}
}

// Identity is (role, subject, department): a token of another role with the
// applicant's subject does not read the applicant's evidence or objection,
// and a department token without its department is refused at
// authentication.
func TestOwnershipMatchesRole(t *testing.T) {
	w := newWorld(t, "wuhan")
	sub := "zhang-" + uniq("p")
	zhang := sys.as(t, sub, api.RoleApplicant, "", "wuhan")
	ev := upload(t, zhang, "证明.txt", "text/plain", []byte("登记地址 …")).must(t, 201).str("id")
	zhang.do("GET", "/api/v1/evidence/"+ev, nil).must(t, 200)

	// The same subject in another role is someone else.
	for _, other := range []user{
		sys.as(t, sub, api.RoleGovernment, "", "wuhan"),
		sys.as(t, sub, api.RoleDepartment, w.requester, "wuhan"),
		sys.as(t, sub, api.RoleInfocenter, "", "wuhan"),
	} {
		other.do("GET", "/api/v1/evidence/"+ev, nil).must(t, 404)
	}
	// Nor may another role file an objection with it.
	sys.as(t, sub, api.RoleDepartment, w.requester, "wuhan").do("POST", "/api/v1/objections", map[string]any{
		"catalog_item_id": w.items["unconditional"], "kind": "error", "description": "x", "evidence": []string{ev},
	}).must(t, 422)

	ob := object(zhang, w.items["unconditional"], "error", []string{ev}).must(t, 201).str("id")
	zhang.do("GET", "/api/v1/objections/"+ob, nil).must(t, 200)
	// A department token carrying the applicant's subject as department sees
	// neither (it is not the objector: objector_dept matches departments only).
	sys.as(t, "x", api.RoleDepartment, sub, "wuhan").do("GET", "/api/v1/objections/"+ob, nil).must(t, 404)

	// Tokens lacking what their role needs are refused, before any scope runs.
	for name, u := range map[string]user{
		"department without dept": rawToken(t, api.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "bob"}, Role: api.RoleDepartment, Jurisdiction: "wuhan"}),
		"applicant without sub":   rawToken(t, api.Claims{Role: api.RoleApplicant}),
		"authority without city":  rawToken(t, api.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "carol"}, Role: api.RoleAuthority}),
	} {
		r := u.do("GET", "/api/v1/catalog/changes", nil).must(t, 401)
		if www := r.Header.Get("WWW-Authenticate"); !strings.Contains(www, `error="invalid_token"`) || !strings.Contains(www, "error_description=") {
			t.Fatalf("%s: WWW-Authenticate %q", name, www)
		}
	}
}
