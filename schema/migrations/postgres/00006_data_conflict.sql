-- Data conflicts (issue 19, leshan 第十一条): two departments' disagreeing data on
-- the same subject, negotiated by both and coordinated by the authority.
-- Drafted by schema's test from AutoMigrate of the models.

-- +goose Up
CREATE TABLE data_conflicts (
    article text,
    calendar_version text,
    catalog_item_id text NOT NULL,
    decided_at timestamp with time zone,
    decided_by text,
    description text,
    due_at timestamp with time zone,
    due_date text,
    failure text,
    filed_at timestamp with time zone,
    filed_by text,
    filer_dept text,
    id text NOT NULL,
    jurisdiction text NOT NULL,
    other_dept text NOT NULL,
    other_item_id text NOT NULL,
    overdue boolean,
    provider_dept text NOT NULL,
    provisional boolean,
    resolution text,
    status text NOT NULL,
    statutory boolean,
    step text,
    updated_at timestamp with time zone,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_data_conflicts_catalog_item_id ON data_conflicts USING btree (catalog_item_id);
CREATE INDEX idx_data_conflicts_filer_dept ON data_conflicts USING btree (filer_dept);
CREATE INDEX idx_data_conflicts_jurisdiction ON data_conflicts USING btree (jurisdiction);
CREATE INDEX idx_data_conflicts_other_dept ON data_conflicts USING btree (other_dept);
CREATE INDEX idx_data_conflicts_other_item_id ON data_conflicts USING btree (other_item_id);
CREATE INDEX idx_data_conflicts_provider_dept ON data_conflicts USING btree (provider_dept);
CREATE INDEX idx_data_conflicts_status ON data_conflicts USING btree (status);
CREATE UNIQUE INDEX idx_data_conflicts_workflow_id ON data_conflicts USING btree (workflow_id);
