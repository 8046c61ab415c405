-- The review before data is opened (leshan 第二十一条至第二十四条, issue 18):
-- the opening_reviews record. Drafted by schema's test from AutoMigrate.

-- +goose Up
CREATE TABLE opening_reviews (
    article text,
    assessment text,
    base_version bigint,
    calendar_version text,
    catalog_item_id text NOT NULL,
    conditions text,
    decided_at timestamp with time zone,
    dept text NOT NULL,
    due_at timestamp with time zone,
    due_date text,
    id text NOT NULL,
    jurisdiction text NOT NULL,
    legal_basis text,
    note text,
    overdue boolean,
    previous_open_type text,
    proposed_open_type text NOT NULL,
    provisional boolean,
    public_interest boolean,
    reviews text,
    status text NOT NULL,
    statutory boolean,
    step text,
    submitted_at timestamp with time zone,
    submitted_by text,
    updated_at timestamp with time zone,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_opening_reviews_catalog_item_id ON opening_reviews USING btree (catalog_item_id);
CREATE INDEX idx_opening_reviews_dept ON opening_reviews USING btree (dept);
CREATE INDEX idx_opening_reviews_jurisdiction ON opening_reviews USING btree (jurisdiction);
CREATE INDEX idx_opening_reviews_status ON opening_reviews USING btree (status);
CREATE UNIQUE INDEX idx_opening_reviews_workflow_id ON opening_reviews USING btree (workflow_id);
