package models

import "time"

// ProcedureOpenApplication names the open-data application (procedure 3).
const ProcedureOpenApplication = "open_application"

// Kinds of open-data application.
const (
	OpenKindUse    = "use"    // use of a conditionally open catalog item (有条件开放 / 依申请开放)
	OpenKindDemand = "demand" // data demand application for data not on the open list (weifang 数据需求申请)
)

// Open-data application statuses.
const (
	OpenPreliminary       = "preliminary_review" // xiamen: 市信息中心 checks completeness and form
	OpenReturned          = "returned"           // preliminary review failed; the applicant may amend and resubmit
	OpenUnderDecision     = "under_decision"
	OpenAwaitingAgreement = "awaiting_agreement" // leshan: approved, effective once the use agreement is accepted
	// OpenAwaitingConclusion: the applicant accepted the use agreement; the
	// providing department concludes it (leshan 第二十八条: 与政务部门签订).
	OpenAwaitingConclusion = "awaiting_conclusion"
	OpenApproved           = "approved"
	OpenRejected           = "rejected"
)

// Open grant statuses.
const (
	GrantActive  = "active"
	GrantExpired = "expired"
)

// OpenApplication is an applicant's application for open data (开放申请).
// Period dates are Beijing dates (YYYY-MM-DD); ExpiresAt is 24:00 Beijing
// time of PeriodTo.
type OpenApplication struct {
	Header
	Kind             string `gorm:"not null" json:"kind"`
	CatalogItemID    string `gorm:"index" json:"catalog_item_id,omitempty"`
	ProviderDept     string `gorm:"index" json:"provider_dept,omitempty"`
	Demand           string `json:"demand,omitempty"`
	ApplicantSubject string `gorm:"index;not null" json:"applicant_subject"`
	ApplicantName    string `json:"applicant_name"`
	ApplicantKind    string `json:"applicant_kind"`
	CreditCode       string `json:"credit_code,omitempty"`
	// ConditionsMet is how the applicant meets each condition the item
	// sets (leshan 第二十五条第二款, xiamen 第二十四条).
	ConditionsMet []ConditionMet `gorm:"serializer:json;type:text" json:"conditions_met,omitempty"`
	OpenFields
	Round        int        `json:"round"`
	ReturnReason string     `json:"return_reason,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	LegalBasis   string     `json:"legal_basis,omitempty"`
	Conditions   string     `json:"conditions,omitempty"`
	Published    bool       `json:"published"`
	AgreementAt  *time.Time `json:"agreement_accepted_at,omitempty"`
	// AgreementConcludedAt is when the providing department concluded the
	// use agreement the applicant accepted (leshan 第二十八条).
	AgreementConcludedAt *time.Time `json:"agreement_concluded_at,omitempty"`
	FiledAt              time.Time  `json:"filed_at"`
	DecidedAt            *time.Time `json:"decided_at,omitempty"`
}

// OpenFields are what an applicant states and may amend on resubmission.
type OpenFields struct {
	Scenario       string    `json:"scenario"`
	DataScope      string    `json:"data_scope"`
	Delivery       string    `json:"delivery"`
	PeriodFrom     string    `json:"period_from"`
	PeriodTo       string    `json:"period_to"`
	ExpiresAt      time.Time `json:"expires_at"`
	SafetyMeasures string    `json:"safety_measures"`
	Capabilities   string    `json:"capabilities,omitempty"`
}

// OpenRound is one round of an application's preliminary review: what was
// submitted, and how it was answered.
type OpenRound struct {
	ID            string     `gorm:"primaryKey" json:"-"`
	ApplicationID string     `gorm:"index;not null" json:"-"`
	Round         int        `json:"round"`
	Submitted     OpenFields `gorm:"serializer:json;type:text" json:"submitted"`
	SubmittedAt   time.Time  `json:"submitted_at"`
	Outcome       string     `json:"outcome,omitempty"` // passed or returned
	Reason        string     `json:"reason,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
}

// OpenGrant is access to open data granted on an application, for its
// period of use and with its conditions; it expires by itself at ExpiresAt.
type OpenGrant struct {
	ID               string     `gorm:"primaryKey" json:"id"`
	ApplicationID    string     `gorm:"uniqueIndex;not null" json:"application_id"`
	ApplicantSubject string     `gorm:"index;not null" json:"applicant_subject"`
	CatalogItemID    string     `gorm:"index" json:"catalog_item_id"`
	Delivery         string     `json:"delivery"`
	Conditions       string     `json:"conditions,omitempty"`
	PeriodFrom       string     `json:"period_from"`
	PeriodTo         string     `json:"period_to"`
	ExpiresAt        time.Time  `json:"expires_at"`
	Status           string     `gorm:"index;not null" json:"status"`
	Article          string     `json:"article"`
	GrantedAt        time.Time  `json:"granted_at"`
	ExpiredAt        *time.Time `json:"expired_at,omitempty"`
}

// ConditionMet is one condition of the item applied for and how the
// applicant states it meets it.
type ConditionMet struct {
	OpenCondition
	Statement string `json:"statement"`
}
