-- Issue 19: buying data (weifang 第十三条, wuhan 第三十四条): the purchases
-- table (the record of the purchase procedure, with its header, data items
-- and the overlaps found at filing) (tasks.facts comes with 00004).
-- Drafted by schema's test from AutoMigrate of the models.

-- +goose Up
CREATE TABLE purchases (
    article text,
    calendar_version text,
    data_items text,
    decided_at datetime,
    dept text NOT NULL,
    due_at datetime,
    due_date text,
    id text,
    jurisdiction text NOT NULL,
    kind text NOT NULL,
    note text,
    overdue numeric,
    "overlaps" text, -- quoted: OVERLAPS is an SQL keyword
    provisional numeric,
    purpose text,
    status text NOT NULL,
    statutory numeric,
    step text,
    submitted_at datetime,
    submitted_by text,
    supplier text,
    title text NOT NULL,
    trigger_id text,
    updated_at datetime,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_purchases_dept ON purchases (dept);
CREATE INDEX idx_purchases_jurisdiction ON purchases (jurisdiction);
CREATE INDEX idx_purchases_status ON purchases (status);
CREATE INDEX idx_purchases_submitted_at ON purchases (submitted_at);
CREATE UNIQUE INDEX idx_purchases_workflow_id ON purchases (workflow_id);
