-- A patient's compartment is found through the reference rows that link a resource to its
-- patient (see compartment.rs) instead of an index on resources.patient_id, which cost every
-- write a random b-tree leaf. Existing resources that no such row links (types without a
-- subject/patient/beneficiary parameter, tombstones) get the `_compartment` row the write path
-- now adds for new ones. The parameter list is compartment::LINKS.
INSERT OR IGNORE INTO idx_ref (res_row, tenant_id, type, param, target_type, target_id)
SELECT r.row_id, r.tenant_id, r.type, '_compartment', 'Patient', r.patient_id
FROM resources r
WHERE r.patient_id IS NOT NULL AND r.type <> 'Patient' AND NOT EXISTS (
    SELECT 1 FROM idx_ref i INDEXED BY idx_ref_row
    WHERE i.res_row = r.row_id AND i.param IN ('subject', 'patient', 'beneficiary')
      AND i.target_type = 'Patient' AND i.target_id = r.patient_id);
DROP INDEX IF EXISTS resources_patient;
