package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/stretchr/testify/require"
)

// The inbox pages by keyset: walking it with page_size 2 lists every open
// task of the department once, in (due_at, id) order, ties on due_at
// included, and stops with an empty token; a task due before the cursor
// that opens while the caller pages (which an offset would have shifted
// every later page by) is not listed twice or skipped past; an offset
// token of the earlier form still pages from its offset; a token that is
// neither is a 400 naming page_token.
func TestInboxKeysetPages(t *testing.T) {
	w := newFilingWorld(t)
	t0 := time.Date(2026, 5, 6, 9, 0, 0, 0, time.UTC)
	var want []string
	for i := range 7 {
		id := fmt.Sprintf("t-%02d", i)
		due := t0.Add(time.Duration(i/3) * time.Hour) // three tasks share each due time
		task := models.Task{ID: id, Procedure: models.ProcedureShareRequest, ProcedureID: "sr-" + id, WorkflowID: "sr-" + id,
			Kind: "decision", Jurisdiction: "wuhan", AssigneeRole: RoleDepartment, AssigneeDept: "gongan",
			DueAt: due, Status: models.TaskOpen}
		require.NoError(t, w.s.DB.Create(&task).Error)
		want = append(want, id)
	}
	other := models.Task{ID: "t-other", Procedure: models.ProcedureShareRequest, ProcedureID: "sr-o", WorkflowID: "sr-o",
		Kind: "decision", Jurisdiction: "wuhan", AssigneeRole: RoleDepartment, AssigneeDept: "minzheng", DueAt: t0, Status: models.TaskOpen}
	require.NoError(t, w.s.DB.Create(&other).Error)

	var got []string
	path := "/api/v1/tasks?status=open&page_size=2"
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10, "the pages never end")
		rec, body := w.do(t, "GET", path, "", RoleDepartment, "gongan", "wuhan")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		for _, it := range body["items"].([]any) {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		if pages == 0 { // a task due before the cursor opens meanwhile
			early := models.Task{ID: "t-early", Procedure: models.ProcedureShareRequest, ProcedureID: "sr-e", WorkflowID: "sr-e",
				Kind: "decision", Jurisdiction: "wuhan", AssigneeRole: RoleDepartment, AssigneeDept: "gongan", DueAt: t0.Add(-time.Hour), Status: models.TaskOpen}
			require.NoError(t, w.s.DB.Create(&early).Error)
		}
		tok, _ := body["next_page_token"].(string)
		if tok == "" {
			break
		}
		b, err := base64.RawURLEncoding.DecodeString(tok)
		require.NoError(t, err)
		require.Equal(t, keysetMark, string(b[:1]), "a keyset token")
		path = "/api/v1/tasks?status=open&page_size=2&page_token=" + tok
	}
	require.Equal(t, want, got)

	offset := base64.RawURLEncoding.EncodeToString([]byte("5"))
	rec, body := w.do(t, "GET", "/api/v1/tasks?status=open&page_size=2&page_token="+offset, "", RoleDepartment, "gongan", "wuhan")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var ids []string
	for _, it := range body["items"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	require.Equal(t, []string{"t-04", "t-05"}, ids, "offset 5 of t-early, t-00 … t-06")

	for _, bad := range []string{"k12", "kx,t-01", "-1", "!!"} {
		tok := base64.RawURLEncoding.EncodeToString([]byte(bad))
		if bad == "!!" {
			tok = bad
		}
		rec, body := w.do(t, "GET", "/api/v1/tasks?status=open&page_token="+tok, "", RoleDepartment, "gongan", "wuhan")
		require.Equal(t, http.StatusBadRequest, rec.Code, bad)
		require.Equal(t, []string{"page_token"}, fieldNames(body), bad)
	}
}
