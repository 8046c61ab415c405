package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/labstack/echo/v4"
)

// openListItem is what the public open list shows of a catalog item.
type openListItem struct {
	ID           string    `json:"id"`
	ProviderDept string    `json:"provider_dept"`
	Title        string    `json:"title"`
	OpenType     string    `json:"open_type"`
	DataItems    []string  `gorm:"serializer:json" json:"data_items"`
	Version      int       `json:"version"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// openList is the answer of GET /open-list: a page of the city's open items
// with the article that publishes them.
type openList struct {
	Jurisdiction  string         `json:"jurisdiction"`
	Document      string         `json:"document"`
	Article       string         `json:"article"`
	Text          string         `json:"text,omitempty"`
	Note          string         `json:"note,omitempty"`
	InForce       bool           `json:"in_force"`
	Items         []openListItem `json:"items"`
	NextPageToken string         `json:"next_page_token"`
}

// listOpen answers the public open list of a city (no login): the catalog
// items open to the public unconditionally or on conditions, ordered by ID
// and paginated, leaving out items an objection suspended or withdrew
// (weifang 第二十四条 and each city's article, the profile's open_list).
func (s *Server) listOpen(c echo.Context) error {
	if err := onlyParams(c, "jurisdiction", "open_type", "provider_dept", "page_size", "page_token"); err != nil {
		return err
	}
	city, p, err := s.cityParam(c)
	if err != nil {
		return err
	}
	if p.OpenList == nil {
		return invalid(FieldError{"jurisdiction", fmt.Sprintf("%s's text (%s) publishes no open list", city, p.Document)})
	}
	types := []string{models.OpenUnconditional, models.OpenConditional}
	switch t := c.QueryParam("open_type"); t {
	case "":
	case models.OpenUnconditional, models.OpenConditional:
		types = []string{t}
	default:
		return problem(http.StatusBadRequest, "open_type must be unconditional or conditional", FieldError{"open_type", "must be unconditional or conditional"})
	}
	limit, offset, err := page(c)
	if err != nil {
		return err
	}
	q := s.DB.WithContext(c.Request().Context()).Model(&models.CatalogItem{}).
		Where("jurisdiction = ? AND open_type IN ?", city, types).
		Where("id NOT IN (SELECT item_id FROM item_availabilities WHERE state <> ?)", models.AvailabilityOpen)
	if d := c.QueryParam("provider_dept"); d != "" {
		q = q.Where("provider_dept = ?", d)
	}
	items := []openListItem{}
	if err := q.Order("id").Limit(limit + 1).Offset(offset).Find(&items).Error; err != nil {
		return fmt.Errorf("list the open items of %s: %w", city, err)
	}
	_, inForce := s.Regulations.InForce(city, s.now(), holidays.Shanghai)
	out := openList{Jurisdiction: city, Document: p.Document, Article: p.OpenList.Article, Text: p.OpenList.Text, Note: p.OpenList.Note,
		InForce: inForce == nil, Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset + limit)))
	}
	return c.JSON(http.StatusOK, out)
}
