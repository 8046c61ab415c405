-- Data conflicts (issue 19, leshan 第十一条): two departments' disagreeing data on
-- the same subject, negotiated by both and coordinated by the authority.
-- Drafted by schema's test from AutoMigrate of the models.

-- +goose Up
CREATE TABLE data_conflicts (
    article text,
    calendar_version text,
    catalog_item_id text NOT NULL,
    decided_at datetime,
    decided_by text,
    description text,
    due_at datetime,
    due_date text,
    failure text,
    filed_at datetime,
    filed_by text,
    filer_dept text,
    id text,
    jurisdiction text NOT NULL,
    other_dept text NOT NULL,
    other_item_id text NOT NULL,
    overdue numeric,
    provider_dept text NOT NULL,
    provisional numeric,
    resolution text,
    status text NOT NULL,
    statutory numeric,
    step text,
    updated_at datetime,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_data_conflicts_catalog_item_id ON data_conflicts (catalog_item_id);
CREATE INDEX idx_data_conflicts_filer_dept ON data_conflicts (filer_dept);
CREATE INDEX idx_data_conflicts_jurisdiction ON data_conflicts (jurisdiction);
CREATE INDEX idx_data_conflicts_other_dept ON data_conflicts (other_dept);
CREATE INDEX idx_data_conflicts_other_item_id ON data_conflicts (other_item_id);
CREATE INDEX idx_data_conflicts_provider_dept ON data_conflicts (provider_dept);
CREATE INDEX idx_data_conflicts_status ON data_conflicts (status);
CREATE UNIQUE INDEX idx_data_conflicts_workflow_id ON data_conflicts (workflow_id);
