-- Yearly lists (issue 19, changsha 第二十五条, leshan 第三十九条（六）): a department's
-- share, open, scenario or responsibility list of a year, confirmed by the authority.
-- Drafted by schema's test from AutoMigrate of the models.

-- +goose Up
CREATE TABLE yearly_lists (
    article text,
    calendar_version text,
    decided_at datetime,
    decided_by text,
    dept text NOT NULL,
    due_at datetime,
    due_date text,
    entries text,
    filed_at datetime,
    filed_by text,
    id text,
    jurisdiction text NOT NULL,
    kind text NOT NULL,
    overdue numeric,
    provisional numeric,
    reason text,
    status text NOT NULL,
    statutory numeric,
    step text,
    updated_at datetime,
    workflow_id text NOT NULL,
    year integer NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_yearly_lists_dept ON yearly_lists (dept);
CREATE INDEX idx_yearly_lists_jurisdiction ON yearly_lists (jurisdiction);
CREATE INDEX idx_yearly_lists_kind ON yearly_lists (kind);
CREATE INDEX idx_yearly_lists_status ON yearly_lists (status);
CREATE INDEX idx_yearly_lists_year ON yearly_lists (year);
CREATE UNIQUE INDEX idx_yearly_lists_workflow_id ON yearly_lists (workflow_id);
