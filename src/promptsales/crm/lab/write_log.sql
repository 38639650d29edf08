-- title: R10 — crmsp_write_log: a checksummed log row, verified, then tampered and caught
-- explanation:
--   crm.crmsp_write_log validates its codes (custom SQLSTATE PC001/PC002 from crm.error_catalog), writes
--   one crm.logs row inside the caller's transaction and stores SHA-256 of the row's canonical content.
--   crm.log_verification recomputes it: after an UPDATE that does not recompute the checksum, the row is
--   no longer valid. Everything is rolled back at the end.
CALL crm.crmsp_write_log('audit', 'lab', 'info', 'lab: a log entry', 42, 7, 'before', 'after', NULL);

-- The row and its verification
SELECT v.log_id, l.description, l.reference_id1, l.value1, v.checksum, v.valid
FROM crm.log_verification v JOIN crm.logs l USING (log_id)
ORDER BY v.log_id DESC LIMIT 1;

-- Tamper with the row without recomputing the checksum
UPDATE crm.logs SET description = 'lab: a log entry (edited)' WHERE log_id = (SELECT max(log_id) FROM crm.logs);

-- Verification now fails for that row
SELECT log_id, valid, checksum AS stored, expected AS recomputed
FROM crm.log_verification ORDER BY log_id DESC LIMIT 1;

-- The error catalogue behind the procedures' custom SQLSTATEs
SELECT error_code, name, message FROM crm.error_catalog ORDER BY error_code;
