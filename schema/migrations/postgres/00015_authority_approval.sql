-- Issue 19: the authority approvals (sharing off the platform, changsha
-- 第二十二条; authorised operation, leshan 第三十条; data that cannot be
-- aggregated, xiamen 第七条): the authority_approvals table, the record of the
-- procedure with its header, entry and grant conditions. Drafted by schema's
-- test from AutoMigrate of the models.

-- +goose Up
CREATE TABLE authority_approvals (
    article text,
    calendar_version text,
    decided_at timestamp with time zone,
    dept text NOT NULL,
    description text,
    due_at timestamp with time zone,
    due_date text,
    entry_conditions text,
    grant_conditions text,
    id text NOT NULL,
    jurisdiction text NOT NULL,
    kind text NOT NULL,
    legal_basis text,
    note text,
    overdue boolean,
    plan text,
    provisional boolean,
    recipient text,
    status text NOT NULL,
    statutory boolean,
    step text,
    submitted_at timestamp with time zone,
    submitted_by text,
    title text NOT NULL,
    updated_at timestamp with time zone,
    workflow_id text NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX idx_authority_approvals_dept ON authority_approvals USING btree (dept);
CREATE INDEX idx_authority_approvals_jurisdiction ON authority_approvals USING btree (jurisdiction);
CREATE INDEX idx_authority_approvals_kind ON authority_approvals USING btree (kind);
CREATE INDEX idx_authority_approvals_status ON authority_approvals USING btree (status);
CREATE INDEX idx_authority_approvals_submitted_at ON authority_approvals USING btree (submitted_at);
CREATE UNIQUE INDEX idx_authority_approvals_workflow_id ON authority_approvals USING btree (workflow_id);
