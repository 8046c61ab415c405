package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/regulations"
	"github.com/labstack/echo/v4"
)

// openPlanItem is one planned catalog item of a city's yearly open plan and
// whether it is open now: since which catalog version and when, if so.
type openPlanItem struct {
	ItemID        string     `json:"item_id"`
	Title         string     `json:"title"`
	ProviderDept  string     `json:"provider_dept"`
	ListID        string     `json:"list_id"`  // the confirmed list that plans it
	Priority      bool       `json:"priority"` // livelihood priority (第二十五条第一款)
	OpenType      string     `json:"open_type"`
	Opened        bool       `json:"opened"`
	OpenedVersion int        `json:"opened_version,omitempty"`
	OpenedAt      *time.Time `json:"opened_at,omitempty"`
	Removed       bool       `json:"removed,omitempty"` // no longer in the catalog
}

// openPlanCounts are how far a plan has come.
type openPlanCounts struct {
	Planned int `json:"planned"`
	Opened  int `json:"opened"`
	NotYet  int `json:"not_yet"`
}

// openPlan is the answer of GET /open-plans: what the authority confirmed of
// the departments' open plans for a year, livelihood-priority items first,
// with how many are open now.
type openPlan struct {
	Jurisdiction    string         `json:"jurisdiction"`
	Year            int            `json:"year"`
	Document        string         `json:"document"`
	Article         string         `json:"article"`
	PriorityArticle string         `json:"priority_article,omitempty"`
	Note            string         `json:"note,omitempty"`
	Lists           []string       `json:"lists"` // the confirmed lists compiled
	Counts          openPlanCounts `json:"counts"`
	Items           []openPlanItem `json:"items"`
}

// listOpenPlan answers a city's yearly open plan (no login: xiamen 第二十五条
// 第二款, 通过公共数据资源平台予以公布), compiled from the departments' open
// plan lists the authority confirmed for the year.
func (s *Server) listOpenPlan(c echo.Context) error {
	if err := onlyParams(c, "jurisdiction", "year"); err != nil {
		return err
	}
	city, p, err := s.cityParam(c)
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(c.QueryParam("year"))
	if err != nil || year < 2000 || year > 2100 {
		return problem(http.StatusBadRequest, "year is required", FieldError{"year", "is required: the plan's year, e.g. 2026"})
	}
	r := p.YearlyLists
	if r == nil || !slices.Contains(r.Kinds, regulations.ListOpenPlan) {
		return invalid(FieldError{"jurisdiction", fmt.Sprintf("%s's text (%s) has no yearly open plan (xiamen 第二十五条 has)", city, p.Document)})
	}
	db := s.DB.WithContext(c.Request().Context())
	var lists []models.YearlyList
	if err := db.Where("jurisdiction = ? AND year = ? AND kind = ? AND status = ?", city, year, regulations.ListOpenPlan, models.ListConfirmed).
		Order("dept, id").Find(&lists).Error; err != nil {
		return fmt.Errorf("load the open plans of %s %d: %w", city, year, err)
	}
	var ids []string
	for _, l := range lists {
		ids = append(ids, l.Entries...)
	}
	var items []models.CatalogItem
	var versions []models.CatalogItemVersion
	if len(ids) > 0 {
		if err := db.Where("id IN ?", ids).Find(&items).Error; err != nil {
			return fmt.Errorf("load the planned items of %s %d: %w", city, year, err)
		}
		if err := db.Where("item_id IN ?", ids).Order("item_id, version").Find(&versions).Error; err != nil {
			return fmt.Errorf("load the versions of the planned items of %s %d: %w", city, year, err)
		}
	}
	out := compileOpenPlan(lists, items, versions)
	out.Jurisdiction, out.Year, out.Document, out.Article, out.PriorityArticle, out.Note = city, year, p.Document, r.Article, r.Priority, r.Note
	return c.JSON(http.StatusOK, out)
}

// compileOpenPlan merges confirmed open plan lists into one plan (an item
// planned twice counts once, with priority if either marks it) and tracks
// each item: open now if its open type is not not_open, since the first
// version of its last unbroken run of open versions. Priority items come
// first, then by department and item.
func compileOpenPlan(lists []models.YearlyList, items []models.CatalogItem, versions []models.CatalogItemVersion) openPlan {
	byID := map[string]models.CatalogItem{}
	for _, it := range items {
		byID[it.ID] = it
	}
	history := map[string][]models.CatalogItemVersion{}
	for _, v := range versions {
		history[v.ItemID] = append(history[v.ItemID], v)
	}
	out := openPlan{Lists: []string{}, Items: []openPlanItem{}}
	seen := map[string]int{}
	for _, l := range lists {
		out.Lists = append(out.Lists, l.ID)
		for _, id := range l.Entries {
			prio := slices.Contains(l.Priority, id)
			if i, ok := seen[id]; ok {
				out.Items[i].Priority = out.Items[i].Priority || prio
				continue
			}
			pi := openPlanItem{ItemID: id, ProviderDept: l.Dept, ListID: l.ID, Priority: prio}
			it, ok := byID[id]
			switch {
			case !ok:
				pi.Removed = true
			default:
				pi.Title, pi.ProviderDept, pi.OpenType = it.Title, it.ProviderDept, it.OpenType
				pi.Opened = it.OpenType != models.OpenNotOpen
			}
			if pi.Opened {
				pi.OpenedVersion, pi.OpenedAt = openedSince(history[id])
			}
			seen[id] = len(out.Items)
			out.Items = append(out.Items, pi)
		}
	}
	slices.SortStableFunc(out.Items, func(a, b openPlanItem) int {
		if a.Priority != b.Priority {
			if a.Priority {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.ProviderDept, b.ProviderDept); c != 0 {
			return c
		}
		return strings.Compare(a.ItemID, b.ItemID)
	})
	for _, it := range out.Items {
		out.Counts.Planned++
		if it.Opened {
			out.Counts.Opened++
		}
	}
	out.Counts.NotYet = out.Counts.Planned - out.Counts.Opened
	return out
}

// openedSince is the version (and its time) from which an item has been
// open without a break, from its versions in order; zero if none is open.
func openedSince(vs []models.CatalogItemVersion) (int, *time.Time) {
	from := -1
	for i, v := range vs {
		open := v.Op != models.OpDelete && v.Item.OpenType != models.OpenNotOpen
		switch {
		case !open:
			from = -1
		case from < 0:
			from = i
		}
	}
	if from < 0 {
		return 0, nil
	}
	at := vs[from].At.UTC()
	return vs[from].Version, &at
}
