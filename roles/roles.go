// Package roles names the roles of the people and bodies that act in the
// procedures: the one definition the API's tokens, the profiles' steps and
// the procedures' descriptors share.
package roles

// Roles of callers and of the parties a step is assigned to.
const (
	Department = "department" // a government department (部门)
	Authority  = "authority"  // the city's public-data authority (大数据主管部门)
	Infocenter = "infocenter" // the city's information centre
	Government = "government" // the city government (本级人民政府)
	Applicant  = "applicant"  // a person, company or organisation applying for open data
	Auditor    = "auditor"    // reads every procedure and its history
	Admin      = "admin"      // runs the platform
	// Provider is the department that holds the data a procedure is about;
	// a profile's step names it, no token carries it.
	Provider = "provider"
)

// All lists every role a token may carry.
var All = []string{Department, Authority, Infocenter, Government, Applicant, Auditor, Admin}
