-- Issue 18 (opening2): conditions of use on conditionally open items
-- (leshan 第二十五条第二款, xiamen 第二十四条), how an application meets them,
-- the facts a task shows its reviewer, and the conclusion of leshan's use
-- agreement by the providing department (第二十八条).
-- +goose Up
ALTER TABLE catalog_items ADD COLUMN open_conditions text;
ALTER TABLE open_applications ADD COLUMN conditions_met text;
ALTER TABLE open_applications ADD COLUMN agreement_concluded_at datetime;
ALTER TABLE tasks ADD COLUMN facts text;
