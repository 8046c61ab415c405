package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
)

// maxImportRows is how many catalog entries one import may hold.
const maxImportRows = 1000

// importedRow is one stored entry of a catalog import.
type importedRow struct {
	Row     int    `json:"row"`
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// catalogImportResult is the answer of POST /catalog/import.
type catalogImportResult struct {
	Imported int           `json:"imported"`
	Rows     []importedRow `json:"rows"`
}

// importCatalog imports catalog entries as `approvals catalog import` does:
// the body is the same JSON array of items, every row is checked (a known
// city, the share conditions its profile names, the entry on its own, its
// provider a department of that city, a new ID) and then all are stored in
// one transaction, or none: a 422 names every row's field at fault
// (items[i].field). Admins only.
func (s *Server) importCatalog(c echo.Context) error {
	if _, err := allow(c, RoleAdmin); err != nil {
		return err
	}
	raw, err := readBody(c)
	if err != nil {
		return err
	}
	var in []catalogInput
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return problem(http.StatusBadRequest, "send a JSON array of catalog items, as for approvals catalog import: "+err.Error(), FieldError{"items", "must be a JSON array of catalog items"})
	}
	if dec.More() {
		return problem(http.StatusBadRequest, "data after the JSON array", FieldError{"items", "must be one JSON array"})
	}
	if len(in) == 0 || len(in) > maxImportRows {
		return invalid(FieldError{"items", fmt.Sprintf("must hold from 1 to %d catalog items", maxImportRows)})
	}
	items := make([]models.CatalogItem, len(in))
	var fields []FieldError
	for i, row := range in {
		items[i] = row.model()
		prefix := fmt.Sprintf("items[%d].", i)
		p, ok := s.Regulations.Get(row.Jurisdiction)
		if !ok {
			fields = append(fields, FieldError{prefix + "jurisdiction", fmt.Sprintf("unknown jurisdiction %q (known: %s)", row.Jurisdiction, strings.Join(s.Regulations.Cities(), ", "))})
			continue
		}
		if fe := workflows.ShareConditions(prefix+"share_conditions", p, row.ShareType, row.ShareConditions); fe != nil {
			fields = append(fields, FieldError(*fe))
		}
		fields = append(fields, fieldErrors(workflows.OpenConditions(prefix, p, items[i]))...)
	}
	db := s.DB.WithContext(c.Request().Context())
	checked, err := models.CheckCatalog(db, items)
	if err != nil {
		return err
	}
	for _, f := range checked {
		fields = append(fields, FieldError(f))
	}
	if len(fields) > 0 {
		p := invalid(fields...)
		p.Detail = fmt.Sprintf("%d of %d rows cannot be imported (nothing imported): %s", rowsAtFault(fields), len(items), p.Detail)
		return p
	}
	if err := models.ImportCatalog(db, items); err != nil {
		return fromModel(err)
	}
	out := catalogImportResult{Imported: len(items), Rows: make([]importedRow, len(items))}
	for i, it := range items {
		out.Rows[i] = importedRow{Row: i, ID: it.ID, Version: it.Version}
	}
	return c.JSON(http.StatusCreated, out)
}

// rowsAtFault counts the rows that the fields items[i].… name.
func rowsAtFault(fields []FieldError) int {
	rows := map[string]bool{}
	for _, f := range fields {
		row, _, _ := strings.Cut(f.Field, ".")
		rows[row] = true
	}
	return len(rows)
}
