package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// fromModel turns a model error into a problem where it is one.
func fromModel(err error) error {
	if p := invalidModel(err); p != nil {
		return p
	}
	if errors.Is(err, models.ErrExists) {
		return problem(http.StatusConflict, err.Error())
	}
	return err
}

// invalidModel is the 422 of a model's validation error, naming its
// fields; nil for another error.
func invalidModel(err error) *Problem {
	var v models.ValidationError
	if !errors.As(err, &v) {
		return nil
	}
	fields := make([]FieldError, len(v))
	for i, f := range v {
		fields[i] = FieldError(f)
	}
	return invalid(fields...)
}

func (s *Server) knownCity(field, city string) error {
	if _, ok := s.Regulations.Get(city); !ok {
		return invalid(FieldError{field, fmt.Sprintf("unknown jurisdiction %q (known: %s)", city, strings.Join(s.Regulations.Cities(), ", "))})
	}
	return nil
}

type departmentInput struct {
	Code         string `json:"code" bound:"id"`
	Name         string `json:"name" bound:"name"`
	Jurisdiction string `json:"jurisdiction" bound:"id"`
	Kind         string `json:"kind" bound:"id"`
}

func (s *Server) createDepartment(c echo.Context) error {
	if _, err := allow(c, RoleAdmin); err != nil {
		return err
	}
	var in departmentInput
	if err := bind(c, &in); err != nil {
		return err
	}
	var errs []FieldError
	if strings.TrimSpace(in.Code) == "" {
		errs = append(errs, FieldError{"code", "is required"})
	}
	if strings.TrimSpace(in.Name) == "" {
		errs = append(errs, FieldError{"name", "is required"})
	}
	if len(errs) > 0 {
		return invalid(errs...)
	}
	if err := s.knownCity("jurisdiction", in.Jurisdiction); err != nil {
		return err
	}
	d := models.Department{Code: in.Code, Name: in.Name, Jurisdiction: in.Jurisdiction, Kind: in.Kind}
	if err := s.DB.WithContext(c.Request().Context()).Create(&d).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return problem(http.StatusConflict, fmt.Sprintf("department %s already exists", in.Code))
		}
		return fmt.Errorf("create department: %w", err)
	}
	return c.JSON(http.StatusCreated, d)
}

func (s *Server) listDepartments(c echo.Context) error {
	return paginate[models.Department](c, eqFilters(c, s.DB.WithContext(c.Request().Context()).Order("code"), "jurisdiction"))
}

type catalogInput struct {
	ID              string   `json:"id" bound:"id"`
	Jurisdiction    string   `json:"jurisdiction" bound:"id"`
	ProviderDept    string   `json:"provider_dept" bound:"id"`
	Title           string   `json:"title" bound:"name"`
	ShareType       string   `json:"share_type" bound:"id"`
	ShareConditions string   `json:"share_conditions"`
	LegalBasis      string   `json:"legal_basis"`
	OpenType        string   `json:"open_type" bound:"id"`
	DataItems       []string `json:"data_items" bound:"name,max=500"`
	// OpenConditions are the conditions of use of conditionally open data
	// (leshan 第二十五条第二款, xiamen 第二十四条).
	OpenConditions []models.OpenCondition `json:"open_conditions"`
}

// model is the catalog item the input describes.
func (in catalogInput) model() models.CatalogItem {
	return models.CatalogItem{ID: in.ID, Jurisdiction: in.Jurisdiction, ProviderDept: in.ProviderDept, Title: in.Title,
		ShareType: in.ShareType, ShareConditions: in.ShareConditions, LegalBasis: in.LegalBasis, OpenType: in.OpenType, DataItems: in.DataItems,
		OpenConditions: in.OpenConditions}
}

func (s *Server) createCatalogItem(c echo.Context) error {
	if _, err := allow(c, RoleAdmin); err != nil {
		return err
	}
	var in catalogInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.knownCity("jurisdiction", in.Jurisdiction); err != nil {
		return err
	}
	if p, ok := s.Regulations.Get(in.Jurisdiction); ok {
		if fe := workflows.ShareConditions("share_conditions", p, in.ShareType, in.ShareConditions); fe != nil {
			return invalid(FieldError(*fe))
		}
		if errs := workflows.OpenConditions("", p, in.model()); len(errs) > 0 {
			return invalid(fieldErrors(errs)...)
		}
	}
	it := in.model()
	if err := models.ImportCatalog(s.DB.WithContext(c.Request().Context()), []models.CatalogItem{it}); err != nil {
		return fromModel(err)
	}
	var stored models.CatalogItem
	if err := s.DB.First(&stored, "id = ?", it.ID).Error; err != nil {
		return fmt.Errorf("reload catalog item: %w", err)
	}
	return c.JSON(http.StatusCreated, stored)
}

func (s *Server) listCatalogItems(c echo.Context) error {
	return paginate[models.CatalogItem](c, eqFilters(c, s.DB.WithContext(c.Request().Context()).Order("id"), "jurisdiction", "provider_dept"))
}

func (s *Server) getCatalogItem(c echo.Context) error {
	db := s.DB.WithContext(c.Request().Context())
	it, err := findScoped[models.CatalogItem](db, c.Param("id"), "catalog item")
	if err != nil {
		return err
	}
	// The item's availability (procedure 4) and its changes, with the item.
	a, err := models.Availability(db, it.ID)
	if err != nil {
		return err
	}
	hist := []models.AvailabilityChange{}
	if err := db.Order("at, id").Find(&hist, "item_id = ?", it.ID).Error; err != nil {
		return fmt.Errorf("load availability history of %s: %w", it.ID, err)
	}
	return c.JSON(http.StatusOK, struct {
		models.CatalogItem
		Availability        string                      `json:"availability"`
		AvailabilityHistory []models.AvailabilityChange `json:"availability_history"`
	}{it, a.State, hist})
}

// catalogItem loads the item an input names in catalog_item_id: an unknown
// one is a 422 naming it.
func catalogItem(db *gorm.DB, id string) (models.CatalogItem, error) {
	return itemNamed(db, "catalog_item_id", id)
}

// itemNamed loads the item a body's field names: an unknown one is a 422
// naming the field.
func itemNamed(db *gorm.DB, field, id string) (models.CatalogItem, error) {
	var item models.CatalogItem
	if err := db.First(&item, "id = ?", id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return item, invalid(FieldError{field, fmt.Sprintf("no catalog item %q", id)})
		}
		return item, fmt.Errorf("load catalog item %s: %w", id, err)
	}
	return item, nil
}

// ownItem loads a catalog item of the caller's department; another's is a
// 403 (why adds to its message).
func (s *Server) ownItem(c echo.Context, cl *Claims, id, why string) (models.CatalogItem, error) {
	item, err := catalogItem(s.DB.WithContext(c.Request().Context()), id)
	if err == nil && item.ProviderDept != cl.Dept {
		err = problem(http.StatusForbidden, fmt.Sprintf("item %s belongs to department %s%s", item.ID, item.ProviderDept, why))
	}
	return item, err
}
