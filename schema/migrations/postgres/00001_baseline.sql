-- Baseline: the schema that GORM AutoMigrate of the models created before
-- versioned migrations (commit d39c2b3), as pg_dump printed it.
-- A database made by that AutoMigrate is recognised and recorded at this
-- version without running it (schema.Up).

-- +goose Up
CREATE TABLE archived_histories (
    workflow_id text NOT NULL,
    run_id text NOT NULL,
    workflow_type text NOT NULL,
    procedure text,
    jurisdiction text,
    approval_status text,
    requester_dept text,
    provider_dept text,
    due_at timestamp with time zone,
    overdue boolean,
    execution_status text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    closed_at timestamp with time zone NOT NULL,
    events bigint NOT NULL,
    size bigint NOT NULL,
    sha256 text NOT NULL,
    gzip bytea NOT NULL,
    archived_at timestamp with time zone NOT NULL
);
CREATE TABLE availability_changes (
    id text NOT NULL,
    item_id text NOT NULL,
    from_state text,
    to_state text,
    objection_id text,
    actor text,
    note text,
    at timestamp with time zone
);
CREATE TABLE calendar_years (
    id bigint NOT NULL,
    year bigint NOT NULL,
    revision bigint NOT NULL,
    source text NOT NULL,
    url text,
    holidays text,
    makeup_workdays text,
    published_at timestamp with time zone,
    published_by text
);
CREATE SEQUENCE calendar_years_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE calendar_years_id_seq OWNED BY calendar_years.id;
CREATE TABLE catalog_changes (
    id text NOT NULL,
    workflow_id text NOT NULL,
    jurisdiction text NOT NULL,
    dept text NOT NULL,
    submitted_by text,
    reason text,
    trigger_id text,
    receiving_dept text,
    path text,
    status text NOT NULL,
    round bigint NOT NULL,
    operations text,
    classification text,
    classifications text,
    article text,
    statutory boolean,
    overdue boolean,
    return_reason text,
    submitted_at timestamp with time zone,
    decided_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE TABLE catalog_item_versions (
    item_id text NOT NULL,
    version bigint NOT NULL,
    op text NOT NULL,
    change_id text,
    round bigint,
    item text,
    at timestamp with time zone
);
CREATE TABLE catalog_items (
    id text NOT NULL,
    jurisdiction text NOT NULL,
    provider_dept text NOT NULL,
    title text NOT NULL,
    share_type text NOT NULL,
    share_conditions text,
    legal_basis text,
    open_type text NOT NULL,
    data_items text,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE TABLE catalog_triggers (
    id text NOT NULL,
    workflow_id text NOT NULL,
    jurisdiction text NOT NULL,
    dept text NOT NULL,
    kind text NOT NULL,
    effective_date text NOT NULL,
    description text,
    receiving_dept text,
    recorded_by text,
    status text NOT NULL,
    change_id text,
    article text,
    statutory boolean,
    due_date text,
    due_at timestamp with time zone,
    provisional boolean,
    calendar_version text,
    overdue boolean,
    created_at timestamp with time zone,
    fulfilled_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE TABLE chain_heads (
    procedure_id text NOT NULL,
    seq bigint NOT NULL,
    hash text NOT NULL
);
CREATE TABLE change_rounds (
    change_id text NOT NULL,
    round bigint NOT NULL,
    reason text,
    operations text,
    submitted_by text,
    submitted_at timestamp with time zone,
    outcome text,
    outcome_note text,
    decided_by text,
    decided_at timestamp with time zone
);
CREATE TABLE channels (
    dept text NOT NULL,
    webhook_url text,
    webhook_secret text,
    emails text,
    updated_at timestamp with time zone
);
CREATE TABLE classifications (
    id text NOT NULL,
    workflow_id text NOT NULL,
    jurisdiction text NOT NULL,
    catalog_item_id text NOT NULL,
    dept text NOT NULL,
    proposed_share_type text NOT NULL,
    previous_share_type text,
    legal_basis text,
    conditions text,
    reason text,
    path text,
    base_version bigint,
    status text NOT NULL,
    step text,
    article text,
    note text,
    dispute_id text,
    next_reevaluation text,
    overdue boolean,
    submitted_by text,
    submitted_at timestamp with time zone,
    decided_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE TABLE departments (
    code text NOT NULL,
    name text NOT NULL,
    jurisdiction text NOT NULL,
    kind text,
    created_at timestamp with time zone
);
CREATE TABLE disputes (
    id text NOT NULL,
    workflow_id text NOT NULL,
    jurisdiction text NOT NULL,
    subject text NOT NULL,
    subject_id text NOT NULL,
    requester_dept text NOT NULL,
    provider_dept text NOT NULL,
    filed_by text,
    reason text,
    status text NOT NULL,
    level text,
    levels text,
    article text,
    overdue boolean,
    filed_at timestamp with time zone,
    decided_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE TABLE events (
    id text NOT NULL,
    procedure_id text NOT NULL,
    at timestamp with time zone,
    kind text NOT NULL,
    actor text,
    task_id text,
    article text,
    detail text,
    seq bigint DEFAULT 0 NOT NULL,
    prev_hash text DEFAULT ''::text NOT NULL,
    hash text DEFAULT ''::text NOT NULL
);
CREATE TABLE evidences (
    id text NOT NULL,
    name text,
    content_type text,
    size bigint,
    sha256 text,
    data bytea,
    uploaded_by text NOT NULL,
    uploader_role text,
    uploader_dept text,
    objection_id text,
    created_at timestamp with time zone
);
CREATE TABLE grants (
    id text NOT NULL,
    share_request_id text NOT NULL,
    catalog_item_id text NOT NULL,
    dept text NOT NULL,
    basis text,
    purpose text,
    conditions text,
    article text,
    granted_at timestamp with time zone,
    closed_at timestamp with time zone,
    closed_reason text
);
CREATE TABLE idempotency_keys (
    id text NOT NULL,
    hash text NOT NULL,
    created_at timestamp with time zone
);
CREATE TABLE item_availabilities (
    item_id text NOT NULL,
    state text NOT NULL,
    holds bigint,
    updated_at timestamp with time zone
);
CREATE TABLE item_holds (
    item_id text NOT NULL,
    objection_id text NOT NULL,
    at timestamp with time zone
);
CREATE TABLE messages (
    id text NOT NULL,
    recipient text NOT NULL,
    kind text NOT NULL,
    event_id text NOT NULL,
    procedure_id text NOT NULL,
    task_id text,
    title text,
    text text,
    article text,
    at timestamp with time zone,
    read_at timestamp with time zone
);
CREATE TABLE notifications (
    id text NOT NULL,
    event_id text NOT NULL,
    procedure_id text NOT NULL,
    kind text NOT NULL,
    recipient text NOT NULL,
    channel text NOT NULL,
    payload text NOT NULL,
    status text NOT NULL,
    next_at timestamp with time zone,
    attempts bigint DEFAULT 0 NOT NULL,
    last_error text,
    created_at timestamp with time zone,
    delivered_at timestamp with time zone
);
CREATE TABLE objections (
    id text NOT NULL,
    workflow_id text NOT NULL,
    jurisdiction text NOT NULL,
    catalog_item_id text NOT NULL,
    item_version bigint,
    provider_dept text NOT NULL,
    kind text NOT NULL,
    description text,
    evidence text,
    objector_role text,
    objector_dept text,
    objected_by text,
    handler text,
    status text NOT NULL,
    step text,
    article text,
    statutory boolean,
    due_date text,
    due_at timestamp with time zone,
    provisional boolean,
    overdue boolean,
    suspended boolean,
    outcome text,
    feedback text,
    new_version bigint,
    decided_by text,
    filed_at timestamp with time zone,
    decided_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE TABLE open_applications (
    id text NOT NULL,
    workflow_id text NOT NULL,
    kind text NOT NULL,
    jurisdiction text NOT NULL,
    catalog_item_id text,
    provider_dept text,
    demand text,
    applicant_subject text NOT NULL,
    applicant_name text,
    applicant_kind text,
    credit_code text,
    scenario text,
    data_scope text,
    delivery text,
    period_from text,
    period_to text,
    expires_at timestamp with time zone,
    safety_measures text,
    capabilities text,
    status text NOT NULL,
    round bigint,
    step text,
    article text,
    statutory boolean,
    due_date text,
    due_at timestamp with time zone,
    overdue boolean,
    return_reason text,
    reason text,
    legal_basis text,
    conditions text,
    published boolean,
    agreement_at timestamp with time zone,
    filed_at timestamp with time zone,
    decided_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE TABLE open_grants (
    id text NOT NULL,
    application_id text NOT NULL,
    applicant_subject text NOT NULL,
    catalog_item_id text,
    delivery text,
    conditions text,
    period_from text,
    period_to text,
    expires_at timestamp with time zone,
    status text NOT NULL,
    article text,
    granted_at timestamp with time zone,
    expired_at timestamp with time zone
);
CREATE TABLE open_rounds (
    id text NOT NULL,
    application_id text NOT NULL,
    round bigint,
    submitted text,
    submitted_at timestamp with time zone,
    outcome text,
    reason text,
    decided_at timestamp with time zone
);
CREATE TABLE share_requests (
    id text NOT NULL,
    workflow_id text NOT NULL,
    jurisdiction text NOT NULL,
    catalog_item_id text NOT NULL,
    requester_dept text NOT NULL,
    provider_dept text NOT NULL,
    requested_by text,
    purpose text,
    scenario text,
    data_items text,
    status text NOT NULL,
    basis text,
    article text,
    due_date text,
    due_at timestamp with time zone,
    provisional boolean,
    calendar_version text,
    overdue boolean,
    reason text,
    legal_basis text,
    conditions text,
    filed_at timestamp with time zone,
    decided_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE TABLE tasks (
    id text NOT NULL,
    procedure text NOT NULL,
    procedure_id text NOT NULL,
    workflow_id text NOT NULL,
    kind text NOT NULL,
    jurisdiction text NOT NULL,
    assignee_role text NOT NULL,
    assignee_dept text,
    due_date text,
    due_at timestamp with time zone,
    provisional boolean,
    article text,
    statutory boolean,
    counts_from timestamp with time zone,
    status text NOT NULL,
    overdue boolean,
    reminded_at timestamp with time zone,
    decision text,
    reason text,
    legal_basis text,
    conditions text,
    decided_by text,
    decided_at timestamp with time zone,
    created_at timestamp with time zone
);
CREATE TABLE temporary_adjustments (
    id text NOT NULL,
    workflow_id text NOT NULL,
    jurisdiction text NOT NULL,
    catalog_item_id text NOT NULL,
    dept text NOT NULL,
    share_type text NOT NULL,
    share_conditions text,
    previous_share_type text,
    base_version bigint,
    ground text NOT NULL,
    reason text,
    end_date text,
    renewals bigint,
    status text NOT NULL,
    note text,
    article text,
    overdue boolean,
    submitted_by text,
    submitted_at timestamp with time zone,
    reverted_at timestamp with time zone,
    updated_at timestamp with time zone
);
ALTER TABLE ONLY calendar_years ALTER COLUMN id SET DEFAULT nextval('calendar_years_id_seq'::regclass);
ALTER TABLE ONLY archived_histories
    ADD CONSTRAINT archived_histories_pkey PRIMARY KEY (workflow_id, run_id);
ALTER TABLE ONLY availability_changes
    ADD CONSTRAINT availability_changes_pkey PRIMARY KEY (id);
ALTER TABLE ONLY calendar_years
    ADD CONSTRAINT calendar_years_pkey PRIMARY KEY (id);
ALTER TABLE ONLY catalog_changes
    ADD CONSTRAINT catalog_changes_pkey PRIMARY KEY (id);
ALTER TABLE ONLY catalog_item_versions
    ADD CONSTRAINT catalog_item_versions_pkey PRIMARY KEY (item_id, version);
ALTER TABLE ONLY catalog_items
    ADD CONSTRAINT catalog_items_pkey PRIMARY KEY (id);
ALTER TABLE ONLY catalog_triggers
    ADD CONSTRAINT catalog_triggers_pkey PRIMARY KEY (id);
ALTER TABLE ONLY chain_heads
    ADD CONSTRAINT chain_heads_pkey PRIMARY KEY (procedure_id);
ALTER TABLE ONLY change_rounds
    ADD CONSTRAINT change_rounds_pkey PRIMARY KEY (change_id, round);
ALTER TABLE ONLY channels
    ADD CONSTRAINT channels_pkey PRIMARY KEY (dept);
ALTER TABLE ONLY classifications
    ADD CONSTRAINT classifications_pkey PRIMARY KEY (id);
ALTER TABLE ONLY departments
    ADD CONSTRAINT departments_pkey PRIMARY KEY (code);
ALTER TABLE ONLY disputes
    ADD CONSTRAINT disputes_pkey PRIMARY KEY (id);
ALTER TABLE ONLY events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);
ALTER TABLE ONLY evidences
    ADD CONSTRAINT evidences_pkey PRIMARY KEY (id);
ALTER TABLE ONLY grants
    ADD CONSTRAINT grants_pkey PRIMARY KEY (id);
ALTER TABLE ONLY idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (id);
ALTER TABLE ONLY item_availabilities
    ADD CONSTRAINT item_availabilities_pkey PRIMARY KEY (item_id);
ALTER TABLE ONLY item_holds
    ADD CONSTRAINT item_holds_pkey PRIMARY KEY (item_id, objection_id);
ALTER TABLE ONLY messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (id);
ALTER TABLE ONLY notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (id);
ALTER TABLE ONLY objections
    ADD CONSTRAINT objections_pkey PRIMARY KEY (id);
ALTER TABLE ONLY open_applications
    ADD CONSTRAINT open_applications_pkey PRIMARY KEY (id);
ALTER TABLE ONLY open_grants
    ADD CONSTRAINT open_grants_pkey PRIMARY KEY (id);
ALTER TABLE ONLY open_rounds
    ADD CONSTRAINT open_rounds_pkey PRIMARY KEY (id);
ALTER TABLE ONLY share_requests
    ADD CONSTRAINT share_requests_pkey PRIMARY KEY (id);
ALTER TABLE ONLY tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);
ALTER TABLE ONLY temporary_adjustments
    ADD CONSTRAINT temporary_adjustments_pkey PRIMARY KEY (id);
CREATE INDEX idx_archived_histories_closed_at ON archived_histories USING btree (closed_at);
CREATE INDEX idx_archived_histories_jurisdiction ON archived_histories USING btree (jurisdiction);
CREATE INDEX idx_archived_histories_procedure ON archived_histories USING btree (procedure);
CREATE INDEX idx_archived_histories_run_id ON archived_histories USING btree (run_id);
CREATE INDEX idx_archived_histories_started_at ON archived_histories USING btree (started_at);
CREATE INDEX idx_availability_changes_at ON availability_changes USING btree (at);
CREATE INDEX idx_availability_changes_item_id ON availability_changes USING btree (item_id);
CREATE UNIQUE INDEX idx_calendar_year_revision ON calendar_years USING btree (year, revision);
CREATE INDEX idx_catalog_changes_dept ON catalog_changes USING btree (dept);
CREATE INDEX idx_catalog_changes_jurisdiction ON catalog_changes USING btree (jurisdiction);
CREATE INDEX idx_catalog_changes_status ON catalog_changes USING btree (status);
CREATE INDEX idx_catalog_changes_trigger_id ON catalog_changes USING btree (trigger_id);
CREATE UNIQUE INDEX idx_catalog_changes_workflow_id ON catalog_changes USING btree (workflow_id);
CREATE INDEX idx_catalog_item_versions_change_id ON catalog_item_versions USING btree (change_id);
CREATE INDEX idx_catalog_items_jurisdiction ON catalog_items USING btree (jurisdiction);
CREATE INDEX idx_catalog_items_provider_dept ON catalog_items USING btree (provider_dept);
CREATE INDEX idx_catalog_triggers_dept ON catalog_triggers USING btree (dept);
CREATE INDEX idx_catalog_triggers_jurisdiction ON catalog_triggers USING btree (jurisdiction);
CREATE INDEX idx_catalog_triggers_status ON catalog_triggers USING btree (status);
CREATE UNIQUE INDEX idx_catalog_triggers_workflow_id ON catalog_triggers USING btree (workflow_id);
CREATE INDEX idx_classifications_catalog_item_id ON classifications USING btree (catalog_item_id);
CREATE INDEX idx_classifications_dept ON classifications USING btree (dept);
CREATE INDEX idx_classifications_jurisdiction ON classifications USING btree (jurisdiction);
CREATE INDEX idx_classifications_status ON classifications USING btree (status);
CREATE UNIQUE INDEX idx_classifications_workflow_id ON classifications USING btree (workflow_id);
CREATE INDEX idx_departments_jurisdiction ON departments USING btree (jurisdiction);
CREATE INDEX idx_disputes_jurisdiction ON disputes USING btree (jurisdiction);
CREATE INDEX idx_disputes_provider_dept ON disputes USING btree (provider_dept);
CREATE INDEX idx_disputes_requester_dept ON disputes USING btree (requester_dept);
CREATE INDEX idx_disputes_status ON disputes USING btree (status);
CREATE INDEX idx_disputes_subject_id ON disputes USING btree (subject_id);
CREATE UNIQUE INDEX idx_disputes_workflow_id ON disputes USING btree (workflow_id);
CREATE INDEX idx_events_at ON events USING btree (at);
CREATE UNIQUE INDEX idx_events_chain ON events USING btree (procedure_id, seq) WHERE (seq > 0);
CREATE INDEX idx_events_procedure_id ON events USING btree (procedure_id);
CREATE INDEX idx_evidences_objection_id ON evidences USING btree (objection_id);
CREATE INDEX idx_evidences_uploaded_by ON evidences USING btree (uploaded_by);
CREATE INDEX idx_grants_catalog_item_id ON grants USING btree (catalog_item_id);
CREATE INDEX idx_grants_dept ON grants USING btree (dept);
CREATE UNIQUE INDEX idx_grants_share_request_id ON grants USING btree (share_request_id);
CREATE INDEX idx_messages_at ON messages USING btree (at);
CREATE INDEX idx_messages_procedure_id ON messages USING btree (procedure_id);
CREATE INDEX idx_messages_recipient ON messages USING btree (recipient);
CREATE INDEX idx_notifications_due ON notifications USING btree (status, next_at);
CREATE INDEX idx_notifications_event_id ON notifications USING btree (event_id);
CREATE INDEX idx_notifications_procedure_id ON notifications USING btree (procedure_id);
CREATE INDEX idx_notifications_recipient ON notifications USING btree (recipient);
CREATE INDEX idx_objections_catalog_item_id ON objections USING btree (catalog_item_id);
CREATE INDEX idx_objections_jurisdiction ON objections USING btree (jurisdiction);
CREATE INDEX idx_objections_objected_by ON objections USING btree (objected_by);
CREATE INDEX idx_objections_objector_dept ON objections USING btree (objector_dept);
CREATE INDEX idx_objections_provider_dept ON objections USING btree (provider_dept);
CREATE INDEX idx_objections_status ON objections USING btree (status);
CREATE UNIQUE INDEX idx_objections_workflow_id ON objections USING btree (workflow_id);
CREATE INDEX idx_open_applications_applicant_subject ON open_applications USING btree (applicant_subject);
CREATE INDEX idx_open_applications_catalog_item_id ON open_applications USING btree (catalog_item_id);
CREATE INDEX idx_open_applications_jurisdiction ON open_applications USING btree (jurisdiction);
CREATE INDEX idx_open_applications_provider_dept ON open_applications USING btree (provider_dept);
CREATE INDEX idx_open_applications_status ON open_applications USING btree (status);
CREATE UNIQUE INDEX idx_open_applications_workflow_id ON open_applications USING btree (workflow_id);
CREATE INDEX idx_open_grants_applicant_subject ON open_grants USING btree (applicant_subject);
CREATE UNIQUE INDEX idx_open_grants_application_id ON open_grants USING btree (application_id);
CREATE INDEX idx_open_grants_catalog_item_id ON open_grants USING btree (catalog_item_id);
CREATE INDEX idx_open_grants_status ON open_grants USING btree (status);
CREATE INDEX idx_open_rounds_application_id ON open_rounds USING btree (application_id);
CREATE INDEX idx_share_requests_catalog_item_id ON share_requests USING btree (catalog_item_id);
CREATE INDEX idx_share_requests_jurisdiction ON share_requests USING btree (jurisdiction);
CREATE INDEX idx_share_requests_provider_dept ON share_requests USING btree (provider_dept);
CREATE INDEX idx_share_requests_requester_dept ON share_requests USING btree (requester_dept);
CREATE INDEX idx_share_requests_status ON share_requests USING btree (status);
CREATE UNIQUE INDEX idx_share_requests_workflow_id ON share_requests USING btree (workflow_id);
CREATE INDEX idx_tasks_assignee_dept ON tasks USING btree (assignee_dept);
CREATE INDEX idx_tasks_assignee_role ON tasks USING btree (assignee_role);
CREATE INDEX idx_tasks_jurisdiction ON tasks USING btree (jurisdiction);
CREATE INDEX idx_tasks_procedure ON tasks USING btree (procedure);
CREATE INDEX idx_tasks_procedure_id ON tasks USING btree (procedure_id);
CREATE INDEX idx_tasks_status ON tasks USING btree (status);
CREATE INDEX idx_temporary_adjustments_catalog_item_id ON temporary_adjustments USING btree (catalog_item_id);
CREATE INDEX idx_temporary_adjustments_dept ON temporary_adjustments USING btree (dept);
CREATE INDEX idx_temporary_adjustments_jurisdiction ON temporary_adjustments USING btree (jurisdiction);
CREATE INDEX idx_temporary_adjustments_status ON temporary_adjustments USING btree (status);
CREATE UNIQUE INDEX idx_temporary_adjustments_workflow_id ON temporary_adjustments USING btree (workflow_id);
