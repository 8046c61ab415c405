package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cityapprovals/approvals/holidays"
	"github.com/cityapprovals/approvals/models"
	"github.com/cityapprovals/approvals/workflows"
	"github.com/rs/zerolog"
	"go.temporal.io/sdk/client"
)

const calendarUsage = "usage: approvals calendar load [--data-dir .data] [--by WHO] [--wait] [--rate 200] [--page 200] FILE.json  (a schedule object, or an array of them)"

// runCalendar publishes the schedules of a file into the database that
// DATABASE_URL (or the dev SQLite file under --data-dir) names, then starts
// the re-timing of the running procedures on TEMPORAL_ADDRESS.
func runCalendar(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "load" {
		return errors.New(calendarUsage)
	}
	fs := flag.NewFlagSet("calendar load", flag.ContinueOnError)
	dataDir := fs.String("data-dir", ".data", "dev data directory (when DATABASE_URL is unset)")
	by := fs.String("by", os.Getenv("USER"), "who publishes (recorded with the revision)")
	wait := fs.Bool("wait", false, "wait until every procedure has been told, printing progress")
	perSecond := fs.Float64("rate", workflows.DefaultRetimePerSecond, "re-timing: procedures told per second, at most")
	pageSize := fs.Int("page", workflows.DefaultRetimePageSize, "re-timing: procedures listed per page (1..1000)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New(calendarUsage)
	}
	if *perSecond < 1 || *pageSize < 1 || *pageSize > 1000 {
		return errors.New("--rate must be at least 1 and --page from 1 to 1000")
	}
	cfg, err := loadConfig(false)
	if err != nil {
		return err
	}
	scheds, err := readSchedules(fs.Arg(0))
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg, filepath.Join(*dataDir, "approvals.db"), false, newLogger(cfg.LogLevel, true))
	if err != nil {
		return err
	}
	if *by == "" {
		*by = "cli"
	}
	addr := cfg.Temporal
	if addr == "" {
		addr = "127.0.0.1:7233"
	}
	cd, err := cfg.devCodec(*dataDir, false) // the worker's codec: its answers are encrypted
	if err != nil {
		return err
	}
	tc, err := dialTemporal(ctx, addr, cfg.Namespace, cd, newLogger(zerolog.WarnLevel, true))
	if err != nil {
		return err
	}
	defer tc.Close()
	for i, s := range scheds {
		pub, err := models.PublishCalendarYear(db.WithContext(ctx), s, *by, time.Now())
		var v models.ValidationError
		if errors.As(err, &v) {
			return fmt.Errorf("%s: schedule #%d (year %d) is invalid, not published: %w", fs.Arg(0), i+1, s.Year, v)
		}
		if err != nil {
			return err
		}
		id, err := workflows.StartRetime(ctx, tc, pub.Year.Revision, workflows.RetimeJob{
			Year: s.Year, CalendarVersion: pub.Calendar.Version(), PageSize: *pageSize, PerSecond: *perSecond})
		if err != nil {
			return fmt.Errorf("year %d revision %d is published, but %w; run the command again to retry", s.Year, pub.Year.Revision, err)
		}
		state := "published"
		if !pub.Changed {
			state = "unchanged"
		}
		fmt.Printf("%d: revision %d %s (calendar %s); re-timing %s\n", s.Year, pub.Year.Revision, state, pub.Calendar.Version(), id)
		if *wait {
			p, err := waitRetime(ctx, tc, id, func(p workflows.RetimeProgress) {
				fmt.Printf("  %d signalled, %d gone, %d pages, %.1fs\n", p.Signalled, p.Gone, p.Pages, p.Seconds)
			})
			if err != nil {
				return err
			}
			fmt.Printf("  done: %d procedures told in %.2fs (%.0f/s)\n", p.Signalled, p.Seconds, p.PerSecond)
		}
	}
	return nil
}

// readSchedules reads one schedule object or an array of them, strictly.
func readSchedules(path string) ([]holidays.Schedule, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	raw = bytes.TrimSpace(raw)
	var out []holidays.Schedule
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if len(raw) > 0 && raw[0] == '{' {
		var s holidays.Schedule
		err = dec.Decode(&s)
		out = []holidays.Schedule{s}
	} else {
		err = dec.Decode(&out)
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: want a schedule {\"year\",\"source\",\"holidays\",\"makeup_workdays\"} or an array of them: %w", path, err)
	}
	return out, nil
}

// waitRetime polls a re-timing every second until it is done, reporting
// progress on the way.
func waitRetime(ctx context.Context, tc client.Client, id string, report func(workflows.RetimeProgress)) (workflows.RetimeProgress, error) {
	for {
		p, err := workflows.RetimeStatus(ctx, tc, id)
		if err != nil {
			return p, err
		}
		if p.Done {
			return p, nil
		}
		report(p)
		select {
		case <-ctx.Done():
			return p, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
