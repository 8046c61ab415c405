package regulations

import (
	"path"
	"testing"
)

// FuzzParse: a profile either is refused or is valid; the shipped profiles
// are the seeds.
func FuzzParse(f *testing.F) {
	entries, err := files.ReadDir("profiles")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		data, err := files.ReadFile(path.Join("profiles", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// More seeds are in testdata/fuzz/FuzzParse.
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		if err := p.validate(); err != nil {
			t.Fatalf("Parse accepted an invalid profile: %v", err)
		}
	})
}

// FuzzExtend: APPROVALS_EXTEND_VALIDITY is either refused or extends known cities.
func FuzzExtend(f *testing.F) {
	// The seeds are in testdata/fuzz/FuzzExtend.
	f.Fuzz(func(t *testing.T, spec string) {
		r, err := Load("")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.extend(spec); err != nil {
			return
		}
		for _, c := range r.Cities() {
			if _, ok := r.Get(c); !ok {
				t.Fatalf("city %s lost", c)
			}
		}
	})
}
