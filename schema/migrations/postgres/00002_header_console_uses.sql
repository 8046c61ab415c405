-- The record header embedded in every procedure's record (step, statutory, due
-- date and time, provisional, calendar version), the console's task title,
-- allowed decisions, claims and comments, the use logs of shared data, and the
-- inbox's composite indexes. Drafted by schema's test from AutoMigrate of the
-- models; booleans added to existing rows are set to false.

-- +goose Up
CREATE TABLE task_claims (
    by text NOT NULL,
    claimed_at timestamp with time zone,
    claimed_by text NOT NULL,
    task_id text NOT NULL,
    PRIMARY KEY (task_id)
);
CREATE TABLE task_comments (
    author text NOT NULL,
    body text NOT NULL,
    created_at timestamp with time zone,
    id text NOT NULL,
    task_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE TABLE use_logs (
    approver text,
    article text,
    catalog_item_id text NOT NULL,
    content text,
    dept text NOT NULL,
    flagged boolean NOT NULL DEFAULT false,
    flags text,
    grant_id text NOT NULL,
    id text NOT NULL,
    jurisdiction text NOT NULL,
    means text,
    medium text,
    provider_dept text NOT NULL,
    purpose text,
    recorded_at timestamp with time zone,
    recorded_by text,
    share_request_id text NOT NULL,
    used_at timestamp with time zone,
    users text,
    PRIMARY KEY (id)
);
ALTER TABLE catalog_changes ADD COLUMN calendar_version text;
ALTER TABLE catalog_changes ADD COLUMN due_at timestamp with time zone;
ALTER TABLE catalog_changes ADD COLUMN due_date text;
ALTER TABLE catalog_changes ADD COLUMN provisional boolean;
ALTER TABLE catalog_changes ADD COLUMN step text;
ALTER TABLE catalog_triggers ADD COLUMN step text;
ALTER TABLE classifications ADD COLUMN calendar_version text;
ALTER TABLE classifications ADD COLUMN due_at timestamp with time zone;
ALTER TABLE classifications ADD COLUMN due_date text;
ALTER TABLE classifications ADD COLUMN provisional boolean;
ALTER TABLE classifications ADD COLUMN statutory boolean;
ALTER TABLE disputes ADD COLUMN calendar_version text;
ALTER TABLE disputes ADD COLUMN due_at timestamp with time zone;
ALTER TABLE disputes ADD COLUMN due_date text;
ALTER TABLE disputes ADD COLUMN provisional boolean;
ALTER TABLE disputes ADD COLUMN statutory boolean;
ALTER TABLE disputes ADD COLUMN step text;
ALTER TABLE objections ADD COLUMN calendar_version text;
ALTER TABLE open_applications ADD COLUMN calendar_version text;
ALTER TABLE open_applications ADD COLUMN provisional boolean;
ALTER TABLE share_requests ADD COLUMN statutory boolean;
ALTER TABLE share_requests ADD COLUMN step text;
ALTER TABLE tasks ADD COLUMN decisions text;
ALTER TABLE tasks ADD COLUMN title text;
ALTER TABLE temporary_adjustments ADD COLUMN calendar_version text;
ALTER TABLE temporary_adjustments ADD COLUMN due_at timestamp with time zone;
ALTER TABLE temporary_adjustments ADD COLUMN due_date text;
ALTER TABLE temporary_adjustments ADD COLUMN provisional boolean;
ALTER TABLE temporary_adjustments ADD COLUMN statutory boolean;
ALTER TABLE temporary_adjustments ADD COLUMN step text;
CREATE INDEX idx_task_comments_task_id ON task_comments USING btree (task_id);
CREATE INDEX idx_tasks_inbox_dept ON tasks USING btree (assignee_role, assignee_dept, status, due_at, id);
CREATE INDEX idx_tasks_inbox_role ON tasks USING btree (assignee_role, jurisdiction, status, due_at, id);
CREATE INDEX idx_use_logs_dept ON use_logs USING btree (dept);
CREATE INDEX idx_use_logs_flagged ON use_logs USING btree (flagged);
CREATE INDEX idx_use_logs_grant_id ON use_logs USING btree (grant_id);
CREATE INDEX idx_use_logs_jurisdiction ON use_logs USING btree (jurisdiction);
CREATE INDEX idx_use_logs_provider_dept ON use_logs USING btree (provider_dept);
CREATE INDEX idx_use_logs_share_request_id ON use_logs USING btree (share_request_id);
CREATE INDEX idx_use_logs_used_at ON use_logs USING btree (used_at);
UPDATE catalog_changes SET provisional = false WHERE provisional IS NULL;
UPDATE classifications SET provisional = false WHERE provisional IS NULL;
UPDATE classifications SET statutory = false WHERE statutory IS NULL;
UPDATE disputes SET provisional = false WHERE provisional IS NULL;
UPDATE disputes SET statutory = false WHERE statutory IS NULL;
UPDATE open_applications SET provisional = false WHERE provisional IS NULL;
UPDATE share_requests SET statutory = false WHERE statutory IS NULL;
UPDATE temporary_adjustments SET provisional = false WHERE provisional IS NULL;
UPDATE temporary_adjustments SET statutory = false WHERE statutory IS NULL;
