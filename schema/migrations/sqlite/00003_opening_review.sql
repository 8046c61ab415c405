-- The review before data is opened (leshan 第二十一条至第二十四条, issue 18):
-- the opening_reviews record. Drafted by schema's test from AutoMigrate.

-- +goose Up
CREATE TABLE opening_reviews (
    article text,
    assessment text,
    base_version integer,
    calendar_version text,
    catalog_item_id text NOT NULL,
    conditions text,
    decided_at datetime,
    dept text NOT NULL,
    due_at datetime,
    due_date text,
    id text,
    jurisdiction text NOT NULL,
    legal_basis text,
    note text,
    overdue numeric,
    previous_open_type text,
    proposed_open_type text NOT NULL,
    provisional numeric,
    public_interest numeric,
    reviews text,
    status text NOT NULL,
    statutory numeric,
    step text,
    submitted_at datetime,
    submitted_by text,
    updated_at datetime,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_opening_reviews_catalog_item_id ON opening_reviews (catalog_item_id);
CREATE INDEX idx_opening_reviews_dept ON opening_reviews (dept);
CREATE INDEX idx_opening_reviews_jurisdiction ON opening_reviews (jurisdiction);
CREATE INDEX idx_opening_reviews_status ON opening_reviews (status);
CREATE UNIQUE INDEX idx_opening_reviews_workflow_id ON opening_reviews (workflow_id);
