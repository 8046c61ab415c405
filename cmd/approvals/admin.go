package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cityapprovals/approvals/api"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
)

func runToken(args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	subject := fs.String("subject", "", "user ID (required)")
	role := fs.String("role", "", "department | authority | infocenter | government | applicant | auditor | admin")
	dept := fs.String("dept", "", "department code (required for role department)")
	jurisdiction := fs.String("jurisdiction", "", "city: wuhan | weifang | changsha | xiamen | leshan")
	ttl := fs.Duration("ttl", 8*time.Hour, "validity")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	if *jurisdiction != "" {
		if _, ok := cfg.Regulations.Get(*jurisdiction); !ok {
			return fmt.Errorf("--jurisdiction %q is not a known city (%v)", *jurisdiction, cfg.Regulations.Cities())
		}
	}
	if *ttl > cfg.MaxTokenTTL {
		return fmt.Errorf("--ttl %s is longer than the API accepts (%s, APPROVALS_JWT_MAX_TTL)", *ttl, cfg.MaxTokenTTL)
	}
	tok, err := api.SignFor(cfg.Issuer, cfg.Audience, []byte(cfg.Secret), *subject, *role, *dept, *jurisdiction, *ttl, time.Now())
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Println(tok)
	return nil
}

// runCatalog imports catalog entries into the database that DATABASE_URL (or
// the dev SQLite file under --data-dir) names.
func runCatalog(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return fmt.Errorf("usage: approvals catalog import [--data-dir .data] FILE.json")
	}
	fs := flag.NewFlagSet("catalog import", flag.ContinueOnError)
	dataDir := fs.String("data-dir", ".data", "dev data directory (when DATABASE_URL is unset)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: approvals catalog import [--data-dir .data] FILE.json")
	}
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("read %s: %w", fs.Arg(0), err)
	}
	var items []models.CatalogItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return fmt.Errorf("parse %s: want a JSON array of catalog items: %w", fs.Arg(0), err)
	}
	for i, it := range items {
		p, ok := cfg.Regulations.Get(it.Jurisdiction)
		if !ok {
			return fmt.Errorf("items[%d].jurisdiction: unknown city %q", i, it.Jurisdiction)
		}
		if _, ok := p.ShareRequest.ConditionKind(it.ShareConditions); !ok && it.ShareType == models.ShareConditional {
			return fmt.Errorf("items[%d].share_conditions: conditional data in %s names one of the kinds of %s: %s (nothing imported)",
				i, it.Jurisdiction, p.ShareRequest.ConditionsArticle, strings.Join(p.ShareRequest.Conditions, ", "))
		}
		if errs := workflows.OpenConditions(fmt.Sprintf("items[%d].", i), p, it); len(errs) > 0 {
			return fmt.Errorf("%s: %s (nothing imported)", errs[0].Field, errs[0].Message)
		}
	}
	db, err := openDB(ctx, cfg, filepath.Join(*dataDir, "approvals.db"), false, newLogger(cfg.LogLevel, true))
	if err != nil {
		return err
	}
	if err := models.ImportCatalog(db, items); err != nil {
		return fmt.Errorf("import %s (nothing imported): %w", fs.Arg(0), err)
	}
	fmt.Printf("imported %d catalog items\n", len(items))
	return nil
}
