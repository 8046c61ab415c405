-- Issue 19: the authority approvals (sharing off the platform, changsha
-- 第二十二条; authorised operation, leshan 第三十条; data that cannot be
-- aggregated, xiamen 第七条): the authority_approvals table, the record of the
-- procedure with its header, entry and grant conditions. Drafted by schema's
-- test from AutoMigrate of the models.

-- +goose Up
CREATE TABLE authority_approvals (
    article text,
    calendar_version text,
    decided_at datetime,
    dept text NOT NULL,
    description text,
    due_at datetime,
    due_date text,
    entry_conditions text,
    grant_conditions text,
    id text,
    jurisdiction text NOT NULL,
    kind text NOT NULL,
    legal_basis text,
    note text,
    overdue numeric,
    plan text,
    provisional numeric,
    recipient text,
    status text NOT NULL,
    statutory numeric,
    step text,
    submitted_at datetime,
    submitted_by text,
    title text NOT NULL,
    updated_at datetime,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_authority_approvals_dept ON authority_approvals (dept);
CREATE INDEX idx_authority_approvals_jurisdiction ON authority_approvals (jurisdiction);
CREATE INDEX idx_authority_approvals_kind ON authority_approvals (kind);
CREATE INDEX idx_authority_approvals_status ON authority_approvals (status);
CREATE INDEX idx_authority_approvals_submitted_at ON authority_approvals (submitted_at);
CREATE UNIQUE INDEX idx_authority_approvals_workflow_id ON authority_approvals (workflow_id);
