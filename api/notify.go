package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/bounds"
	"github.com/cityapprovals/approvals/models"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm/clause"
)

// Notifications: each department's channels, the outbox for
// admins (dead letters and their retry), and the caller's in-app messages.

// channelsInput is the body of PUT /departments/{code}/channels. An empty
// webhook_url turns the webhook off; an empty emails list turns e-mail off.
type channelsInput struct {
	WebhookURL    string   `json:"webhook_url" bound:"url"`
	WebhookSecret string   `json:"webhook_secret" bound:"name"`
	Emails        []string `json:"emails" bound:"email,max=10"`
}

// channelsView shows a department's channels; the secret is never shown.
type channelsView struct {
	models.Channels
	HasSecret bool `json:"has_webhook_secret"`
}

func viewChannels(ch models.Channels) channelsView {
	if ch.Emails == nil {
		ch.Emails = []string{}
	}
	return channelsView{Channels: ch, HasSecret: ch.WebhookSecret != ""}
}

// channelsDept loads the department of the path for an admin or the
// department itself.
func (s *Server) channelsDept(c echo.Context) (models.Department, error) {
	cl, err := allow(c, RoleAdmin, RoleDepartment)
	if err != nil {
		return models.Department{}, err
	}
	code := c.Param("code")
	if cl.Role == RoleDepartment && cl.Dept != code {
		return models.Department{}, problem(http.StatusForbidden, "a department configures only its own channels")
	}
	var d models.Department
	if err := s.DB.WithContext(c.Request().Context()).Limit(1).Find(&d, "code = ?", code).Error; err != nil {
		return d, fmt.Errorf("load department %s: %w", code, err)
	}
	if d.Code == "" {
		return d, problem(http.StatusNotFound, fmt.Sprintf("department %s not found", code))
	}
	return d, nil
}

func (s *Server) getChannels(c echo.Context) error {
	d, err := s.channelsDept(c)
	if err != nil {
		return err
	}
	ch := models.Channels{Dept: d.Code}
	if err := s.DB.WithContext(c.Request().Context()).Limit(1).Find(&ch, "dept = ?", d.Code).Error; err != nil {
		return fmt.Errorf("load channels of %s: %w", d.Code, err)
	}
	return c.JSON(http.StatusOK, viewChannels(ch))
}

func (s *Server) putChannels(c echo.Context) error {
	d, err := s.channelsDept(c)
	if err != nil {
		return err
	}
	var in channelsInput
	if err := bind(c, &in); err != nil {
		return err
	}
	if in.WebhookURL != "" {
		if msg := bounds.Secret(in.WebhookSecret); msg != "" {
			return invalid(FieldError{"webhook_secret", msg + " (it signs every webhook delivery)"})
		}
	} else if in.WebhookSecret != "" {
		return invalid(FieldError{"webhook_secret", "is set without a webhook_url"})
	}
	seen := map[string]bool{}
	for i, e := range in.Emails {
		if seen[strings.ToLower(e)] {
			return invalid(FieldError{fmt.Sprintf("emails[%d]", i), "is listed twice"})
		}
		seen[strings.ToLower(e)] = true
	}
	ch := models.Channels{Dept: d.Code, WebhookURL: in.WebhookURL, WebhookSecret: in.WebhookSecret, Emails: in.Emails, UpdatedAt: s.now().UTC()}
	if ch.Emails == nil {
		ch.Emails = []string{}
	}
	if err := s.DB.WithContext(c.Request().Context()).Clauses(clause.OnConflict{UpdateAll: true}).Create(&ch).Error; err != nil {
		return fmt.Errorf("save channels of %s: %w", d.Code, err)
	}
	return c.JSON(http.StatusOK, viewChannels(ch))
}

// listNotifications is the outbox, for admins: ?status=pending|delivered|dead,
// ?recipient=, ?channel=.
func (s *Server) listNotifications(c echo.Context) error {
	if _, err := allow(c, RoleAdmin); err != nil {
		return err
	}
	q := s.DB.WithContext(c.Request().Context())
	switch st := c.QueryParam("status"); st {
	case "", models.NotifyPending, models.NotifyDelivered, models.NotifyDead:
	default:
		return problem(http.StatusBadRequest, "status must be pending, delivered or dead", FieldError{"status", "must be pending, delivered or dead"})
	}
	switch ch := c.QueryParam("channel"); ch {
	case "", models.ChannelWebhook, models.ChannelEmail:
	default:
		return problem(http.StatusBadRequest, "channel must be webhook or email", FieldError{"channel", "must be webhook or email"})
	}
	q = eqFilters(c, q, "status", "recipient", "channel", "procedure_id")
	return paginate[models.Notification](c, q.Order("created_at DESC, id"))
}

// retryNotification puts a dead notification back in the outbox, due now,
// with its attempts counted from zero.
func (s *Server) retryNotification(c echo.Context) error {
	if _, err := allow(c, RoleAdmin); err != nil {
		return err
	}
	id := c.Param("id")
	db := s.DB.WithContext(c.Request().Context())
	n, err := findScoped[models.Notification](db, id, "notification")
	if err != nil {
		return err
	}
	if n.Status != models.NotifyDead {
		return problem(http.StatusConflict, fmt.Sprintf("notification %s is %s; only a dead one is retried", id, n.Status))
	}
	res := db.Model(&models.Notification{}).Where("id = ? AND status = ?", id, models.NotifyDead).
		Updates(map[string]any{"status": models.NotifyPending, "attempts": 0, "next_at": s.now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("retry notification %s: %w", id, res.Error)
	}
	if err := db.First(&n, "id = ?", id).Error; err != nil {
		return fmt.Errorf("load notification %s: %w", id, err)
	}
	return c.JSON(http.StatusAccepted, n)
}

// inbox is whose in-app messages the caller reads: its department, or its
// role in its city (authority:wuhan) for the roles tasks are assigned to.
func inbox(cl *Claims) (string, error) {
	switch cl.Role {
	case RoleDepartment:
		return cl.Dept, nil
	case RoleAuthority, RoleInfocenter, RoleGovernment:
		return cl.Role + ":" + cl.Jurisdiction, nil
	}
	return "", problem(http.StatusForbidden, fmt.Sprintf("role %s has no message inbox", cl.Role))
}

// listMessages lists the caller's messages, newest first; ?unread=true.
func (s *Server) listMessages(c echo.Context) error {
	to, err := inbox(claims(c))
	if err != nil {
		return err
	}
	q := s.DB.WithContext(c.Request().Context()).Where("recipient = ?", to)
	switch c.QueryParam("unread") {
	case "":
	case "true":
		q = q.Where("read_at IS NULL")
	case "false":
		q = q.Where("read_at IS NOT NULL")
	default:
		return problem(http.StatusBadRequest, "unread must be true or false", FieldError{"unread", "must be true or false"})
	}
	return paginate[models.Message](c, q.Order("at DESC, id"))
}

// readMessage marks one of the caller's messages read (again: no change).
func (s *Server) readMessage(c echo.Context) error {
	to, err := inbox(claims(c))
	if err != nil {
		return err
	}
	id := c.Param("id")
	db := s.DB.WithContext(c.Request().Context())
	m, err := findScoped[models.Message](db.Where("recipient = ?", to), id, "message")
	if err != nil {
		return err
	}
	if m.ReadAt == nil {
		at := s.now().UTC().Truncate(time.Microsecond)
		if err := db.Model(&models.Message{}).Where("id = ? AND read_at IS NULL", id).Update("read_at", at).Error; err != nil {
			return fmt.Errorf("mark message %s read: %w", id, err)
		}
		m.ReadAt = &at
	}
	return c.JSON(http.StatusOK, m)
}
