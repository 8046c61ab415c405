-- The conversion of qualifying data to a wider open type (weifang 第二十四条第二款,
-- issue 18): the open_conversions record. Drafted by schema's test from AutoMigrate.

-- +goose Up
CREATE TABLE open_conversions (
    article text,
    base_version integer,
    calendar_version text,
    catalog_item_id text NOT NULL,
    decided_at datetime,
    decision text NOT NULL,
    dept text NOT NULL,
    desensitised numeric,
    due_at datetime,
    due_date text,
    from_open_type text NOT NULL,
    id text,
    jurisdiction text NOT NULL,
    note text,
    overdue numeric,
    provisional numeric,
    reason text,
    status text NOT NULL,
    statutory numeric,
    step text,
    submitted_at datetime,
    submitted_by text,
    to_open_type text NOT NULL,
    updated_at datetime,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_open_conversions_catalog_item_id ON open_conversions (catalog_item_id);
CREATE INDEX idx_open_conversions_dept ON open_conversions (dept);
CREATE INDEX idx_open_conversions_jurisdiction ON open_conversions (jurisdiction);
CREATE INDEX idx_open_conversions_status ON open_conversions (status);
CREATE UNIQUE INDEX idx_open_conversions_workflow_id ON open_conversions (workflow_id);
