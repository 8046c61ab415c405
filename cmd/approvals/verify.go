package main

import (
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
	const use = "usage: approvals verify EXPORT.zip --public-key KEY | --public-key-file FILE"
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
