-- Yearly lists (issue 19, changsha 第二十五条, leshan 第三十九条（六）): a department's
-- share, open, scenario or responsibility list of a year, confirmed by the authority.
-- Drafted by schema's test from AutoMigrate of the models.

-- +goose Up
CREATE TABLE yearly_lists (
    article text,
    calendar_version text,
    decided_at timestamp with time zone,
    decided_by text,
    dept text NOT NULL,
    due_at timestamp with time zone,
    due_date text,
    entries text,
    filed_at timestamp with time zone,
    filed_by text,
    id text NOT NULL,
    jurisdiction text NOT NULL,
    kind text NOT NULL,
    overdue boolean,
    provisional boolean,
    reason text,
    status text NOT NULL,
    statutory boolean,
    step text,
    updated_at timestamp with time zone,
    workflow_id text NOT NULL,
    year bigint NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_yearly_lists_dept ON yearly_lists USING btree (dept);
CREATE INDEX idx_yearly_lists_jurisdiction ON yearly_lists USING btree (jurisdiction);
CREATE INDEX idx_yearly_lists_kind ON yearly_lists USING btree (kind);
CREATE INDEX idx_yearly_lists_status ON yearly_lists USING btree (status);
CREATE INDEX idx_yearly_lists_year ON yearly_lists USING btree (year);
CREATE UNIQUE INDEX idx_yearly_lists_workflow_id ON yearly_lists USING btree (workflow_id);
