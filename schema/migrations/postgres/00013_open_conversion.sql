-- The conversion of qualifying data to a wider open type (weifang 第二十四条第二款,
-- issue 18): the open_conversions record. Drafted by schema's test from AutoMigrate.

-- +goose Up
CREATE TABLE open_conversions (
    article text,
    base_version bigint,
    calendar_version text,
    catalog_item_id text NOT NULL,
    decided_at timestamp with time zone,
    decision text NOT NULL,
    dept text NOT NULL,
    desensitised boolean,
    due_at timestamp with time zone,
    due_date text,
    from_open_type text NOT NULL,
    id text NOT NULL,
    jurisdiction text NOT NULL,
    note text,
    overdue boolean,
    provisional boolean,
    reason text,
    status text NOT NULL,
    statutory boolean,
    step text,
    submitted_at timestamp with time zone,
    submitted_by text,
    to_open_type text NOT NULL,
    updated_at timestamp with time zone,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_open_conversions_catalog_item_id ON open_conversions USING btree (catalog_item_id);
CREATE INDEX idx_open_conversions_dept ON open_conversions USING btree (dept);
CREATE INDEX idx_open_conversions_jurisdiction ON open_conversions USING btree (jurisdiction);
CREATE INDEX idx_open_conversions_status ON open_conversions USING btree (status);
CREATE UNIQUE INDEX idx_open_conversions_workflow_id ON open_conversions USING btree (workflow_id);
