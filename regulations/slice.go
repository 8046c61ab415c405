package regulations

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// ShareRules is the part of a city's profile that a share request's
// workflow reads, as its start input carries it (issue 17: a lifecycle's
// history ≤ 2 KB): the share rule without the condition kinds (the filing's
// Check reads them, not the workflow), and what the inbox needs for an
// overdue decision (the document, the service level, the accountability
// article). Version is the profile version it was cut from (Profile.Version),
// so the history records both the rules that applied and which version of
// the profile they came from.
type ShareRules struct {
	City             string         `json:"city"`
	Document         string         `json:"document"`
	ServiceLevelDays int            `json:"service_level_days"`
	Accountability   Accountability `json:"accountability"`
	ShareRequest     ShareRule      `json:"share_request"`
	Version          string         `json:"version"`
}

// ShareRules cuts the share request's rules out of the profile.
func (p Profile) ShareRules() ShareRules {
	r := p.ShareRequest
	r.Conditions, r.ConditionTerms, r.ConditionsArticle = nil, nil, ""
	return ShareRules{City: p.City, Document: p.Document, ServiceLevelDays: p.ServiceLevelDays,
		Accountability: p.Accountability, ShareRequest: r, Version: p.Version()}
}

// Profile is the profile the rules were cut from, as far as a share
// request's workflow reads it; the other procedures' rules are empty.
func (r ShareRules) Profile() Profile {
	return Profile{City: r.City, Document: r.Document, ServiceLevelDays: r.ServiceLevelDays,
		Accountability: r.Accountability, ShareRequest: r.ShareRequest}
}

// Version is the content address of the profile: the first 16 hex digits of
// the SHA-256 of the JSON encoding of the profile as procedures carry it
// (ForProcedures: in force, validity extensions applied, without the
// governance rules). Two procedures filed under the same text show the same
// version; any change of a rule a procedure reads changes it.
func (p Profile) Version() string {
	b, err := json.Marshal(p.ForProcedures())
	if err != nil { // a Profile holds only strings, numbers, lists and maps: never fails
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
