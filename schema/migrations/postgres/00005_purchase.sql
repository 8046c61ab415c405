-- Issue 19: buying data (weifang 第十三条, wuhan 第三十四条): the purchases
-- table (the record of the purchase procedure, with its header, data items
-- and the overlaps found at filing) (tasks.facts comes with 00004).
-- Drafted by schema's test from AutoMigrate of the models.

-- +goose Up
CREATE TABLE purchases (
    article text,
    calendar_version text,
    data_items text,
    decided_at timestamp with time zone,
    dept text NOT NULL,
    due_at timestamp with time zone,
    due_date text,
    id text NOT NULL,
    jurisdiction text NOT NULL,
    kind text NOT NULL,
    note text,
    overdue boolean,
    "overlaps" text, -- quoted: OVERLAPS is an SQL keyword
    provisional boolean,
    purpose text,
    status text NOT NULL,
    statutory boolean,
    step text,
    submitted_at timestamp with time zone,
    submitted_by text,
    supplier text,
    title text NOT NULL,
    trigger_id text,
    updated_at timestamp with time zone,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_purchases_dept ON purchases USING btree (dept);
CREATE INDEX idx_purchases_jurisdiction ON purchases USING btree (jurisdiction);
CREATE INDEX idx_purchases_status ON purchases USING btree (status);
CREATE INDEX idx_purchases_submitted_at ON purchases USING btree (submitted_at);
CREATE UNIQUE INDEX idx_purchases_workflow_id ON purchases USING btree (workflow_id);
