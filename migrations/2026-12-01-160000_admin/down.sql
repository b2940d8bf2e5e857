DROP TABLE audit_log;
ALTER TABLE users DROP COLUMN deactivated_at, DROP COLUMN is_admin;
