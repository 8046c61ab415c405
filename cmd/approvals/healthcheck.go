package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/cityapprovals/approvals/models"
	"go.temporal.io/sdk/client"
)

// runHealthcheck is a container health check for an image without a shell:
// with --url it GETs the URL (the API's /readyz) and wants a 200; without,
// it checks what the worker needs: the database (DATABASE_URL) and Temporal
// (TEMPORAL_ADDRESS). It exits non-zero, saying why, when unhealthy.
func runHealthcheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	url := fs.String("url", "", "GET this URL and want 200 (the API's http://127.0.0.1:8080/readyz, the worker's APPROVALS_WORKER_METRICS_ADDR /healthz)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if *url != "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
		if err != nil {
			return fmt.Errorf("healthcheck --url %q: %w", *url, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("healthcheck %s: %w", *url, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("healthcheck %s: %s", *url, resp.Status)
		}
		return nil
	}
	cfg, err := loadConfig(true)
	if err != nil {
		return err
	}
	db, err := models.Open(cfg.DatabaseURL, "")
	if err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err == nil {
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		return fmt.Errorf("healthcheck: database: %w", err)
	}
	opts, err := temporalOptions(cfg.Temporal, cfg.Namespace) // TLS and API key as the worker's
	if err != nil {
		return err
	}
	opts.Logger = tlog{newLogger(cfg.LogLevel, false)}
	tc, err := client.DialContext(ctx, opts)
	if err != nil {
		return fmt.Errorf("healthcheck: Temporal at %s: %w", cfg.Temporal, err)
	}
	defer tc.Close()
	if _, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("healthcheck: Temporal at %s: %w", cfg.Temporal, err)
	}
	return nil
}
