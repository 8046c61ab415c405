package api

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
)

// The purpose limit checked mechanically on a use (leshan 第十九条 with
// 第三十三条): the particulars required, the grant's declared purpose, its
// data items, its time; a use after the grant was closed is flagged, not
// refused.
func TestCheckUse(t *testing.T) {
	reg, err := regulations.Load("leshan:2020-01-01..2099-12-31")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := reg.Get("leshan")
	granted := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := granted.Add(30 * 24 * time.Hour)
	g := models.Grant{ID: "grant-sr-1", Purpose: "核验申请人户籍", GrantedAt: granted, Article: "第十七条"}
	r := models.ShareRequest{Header: models.Header{ID: "sr-1"}, DataItems: []string{"name", "address"}}
	ok := useInput{Purpose: "核验申请人户籍", Users: []string{"张三"}, Approver: "李四", Content: []string{"name"},
		UsedAt: granted.Add(time.Hour), Means: "接口调用", Medium: "电子文件"}
	field := func(err error) string {
		var pr *Problem
		if !errors.As(err, &pr) || pr.Status != 422 || len(pr.Errors) == 0 {
			t.Fatalf("want a 422, got %v", err)
		}
		return pr.Errors[0].Field + " " + pr.Errors[0].Message
	}
	flags, err := checkUse(p, *p.UseLog, g, r, ok, now)
	if err != nil || len(flags) != 0 {
		t.Fatalf("a use within the grant: %v %v", flags, err)
	}
	for name, c := range map[string]struct {
		edit func(*useInput)
		want string
	}{
		"approver missing": {func(in *useInput) { in.Approver = " " }, "approver is required (乐山市数据资源管理暂行办法 第三十三条)"},
		"medium missing":   {func(in *useInput) { in.Medium = "" }, "medium is required"},
		"another purpose":  {func(in *useInput) { in.Purpose = "商业营销" }, "purpose grant grant-sr-1 covers only"},
		"beyond the items": {func(in *useInput) { in.Content = []string{"name", "id_number"} }, `content[1] "id_number" is not among`},
		"in the future":    {func(in *useInput) { in.UsedAt = now.Add(time.Hour) }, "used_at is in the future"},
		"before the grant": {func(in *useInput) { in.UsedAt = granted.Add(-time.Hour) }, "used_at is before grant grant-sr-1"},
	} {
		in := ok
		c.edit(&in)
		_, err := checkUse(p, *p.UseLog, g, r, in, now)
		got := field(err)
		if !strings.HasPrefix(got, c.want) && !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
		if strings.HasPrefix(c.want, "purpose") || strings.HasPrefix(c.want, "content") {
			if !strings.Contains(got, p.ShareRequest.UseArticle) {
				t.Errorf("%s does not cite %s: %q", name, p.ShareRequest.UseArticle, got)
			}
		}
	}
	closed := granted.Add(24 * time.Hour)
	g.ClosedAt, g.ClosedReason = &closed, "应急处置结束"
	in := ok
	in.UsedAt = closed.Add(time.Hour)
	flags, err = checkUse(p, *p.UseLog, g, r, in, now)
	if err != nil || len(flags) != 1 || flags[0].Code != models.UseAfterGrantClosed || flags[0].Article != p.ShareRequest.UseArticle {
		t.Fatalf("a use after the grant closed: %+v %v", flags, err)
	}
}
