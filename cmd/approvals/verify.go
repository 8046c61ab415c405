package main

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/cityapprovals/approvals/audit"
)

// errUnverified makes `approvals verify` exit non-zero after it has printed
// what broke.
var errUnverified = errors.New("export does not verify")

// runVerify checks an export offline: the manifest's signature with the given
// public key, every file's SHA-256 and the event chain, printing each check.
func runVerify(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	key := fs.String("public-key", "", "the Ed25519 public key in base64 (GET /api/v1/audit/signing-key)")
	keyFile := fs.String("public-key-file", "", "a file holding the public key (base64, or the JSON of GET /api/v1/audit/signing-key)")
	since := fs.String("since", "", "an earlier export of the same procedure: its chain head must still be in this one's chain")
	// Flags may follow the file name: approvals verify EXPORT.zip --public-key K.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	const use = "usage: approvals verify EXPORT.zip --public-key KEY | --public-key-file FILE [--since EARLIER.zip]"
	if len(files) != 1 || (*key == "") == (*keyFile == "") {
		return errors.New(use)
	}
	if *keyFile != "" {
		b, err := os.ReadFile(*keyFile)
		if err != nil {
			return fmt.Errorf("--public-key-file: %w", err)
		}
		*key = string(b)
	}
	pub, err := audit.ParsePublicKey(*key)
	if err != nil {
		return err
	}
	zip, err := os.ReadFile(files[0])
	if err != nil {
		return fmt.Errorf("read export: %w", err)
	}
	checks, m, err := audit.VerifyExport(zip, pub)
	if err == nil && *since != "" {
		checks, err = continuesFrom(checks, zip, *since, pub)
	}
	for _, c := range checks {
		state := "ok    "
		if !c.OK {
			state = "FAILED"
		}
		fmt.Fprintf(out, "%s %s: %s\n", state, c.What, c.Note)
	}
	if err != nil {
		fmt.Fprintf(out, "NOT VERIFIED: %s: %v\n", files[0], err)
		return errUnverified
	}
	fmt.Fprintf(out, "verified: procedure %s (workflow %s) exported at %s\n", m.ProcedureID, m.WorkflowID, m.ExportedAt.UTC)
	return nil
}

// continuesFrom verifies an earlier export with the same key and checks that
// its chain head is still in the later export's chain.
func continuesFrom(checks []audit.Check, later []byte, earlierPath string, pub ed25519.PublicKey) ([]audit.Check, error) {
	what := "earlier export " + earlierPath
	b, err := os.ReadFile(earlierPath)
	if err != nil {
		return append(checks, audit.Check{What: what, Note: err.Error()}), &audit.VerifyError{What: what, Reason: err.Error()}
	}
	_, em, err := audit.VerifyExport(b, pub)
	if err != nil {
		return append(checks, audit.Check{What: what, Note: err.Error()}), &audit.VerifyError{What: what, Reason: err.Error()}
	}
	evs, err := audit.EventsOf(later)
	if err == nil {
		err = audit.ContinuesFrom(evs, em)
	}
	if err != nil {
		return append(checks, audit.Check{What: what, Note: err.Error()}), err
	}
	return append(checks, audit.Check{What: what, OK: true, Note: fmt.Sprintf("its chain head, event %d, is in this chain unchanged", em.Chain.Seq)}), nil
}
