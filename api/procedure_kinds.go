package api

import (
	"net/http"

	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// procedureKind is a procedure as the console knows it, from its
// descriptor: its name (as tasks and events name it), where its records are
// listed and read, its title and plural, and the roles that file it.
type procedureKind struct {
	Name   string   `json:"name"`
	Route  string   `json:"route"`
	Title  string   `json:"title"`
	Plural string   `json:"plural"`
	File   []string `json:"file"`
}

// listProcedureKinds lists every procedure of workflows.Procedures, in its
// order; public, so that the console's pages need no list of their own.
func (s *Server) listProcedureKinds(c echo.Context) error {
	items := make([]procedureKind, 0, len(workflows.Procedures))
	for _, d := range workflows.Procedures {
		items = append(items, procedureKind{Name: d.Name, Route: "/api/v1" + d.Route, Title: d.Title, Plural: d.Plural, File: d.File})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}
