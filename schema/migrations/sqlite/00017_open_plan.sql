-- Open plans (issue 18, xiamen 第二十五条): a yearly list's entries marked as going first
-- (与民生紧密相关、社会迫切需要). Drafted by schema's test from AutoMigrate of the models.

-- +goose Up
ALTER TABLE yearly_lists ADD COLUMN priority text;
