//! The compartment's queries never scan `resources`, and migration 6 links what the dropped
//! index used to find.

use super::*;
use crate::migrate::{MIGRATIONS, migrate};

/// A database at schema 5 (with `resources_patient`), as an earlier release left it.
fn at_schema_5() -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;",
    )
    .unwrap();
    conn.pragma_update(None, "application_id", crate::APPLICATION_ID)
        .unwrap();
    for m in MIGRATIONS.iter().filter(|m| m.version <= 5) {
        conn.execute_batch(m.sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, ?2, 0)",
            params![m.version, m.name],
        )
        .unwrap();
    }
    conn
}

/// A resource row as schema 5 wrote it, with its reference rows.
fn old_row(conn: &Connection, rtype: &str, id: &str, patient: &str, refs: &[(&str, &str)]) -> i64 {
    conn.execute(
        "INSERT INTO resources (tenant_id, type, id, version, last_updated, deleted, key_id, patient_id, content) VALUES ('t', ?1, ?2, 1, 0, ?3, 'k', ?4, x'00')",
        params![rtype, id, refs.is_empty() as i64, patient],
    )
    .unwrap();
    let row = conn.last_insert_rowid();
    for (param, target) in refs {
        conn.execute(
            "INSERT INTO idx_ref VALUES (?1, 't', ?2, ?3, 'Patient', ?4)",
            params![row, rtype, param, target],
        )
        .unwrap();
    }
    row
}

#[test]
fn migration_6_links_what_no_reference_row_did_and_drops_the_index() {
    let conn = at_schema_5();
    let patient = old_row(&conn, "Patient", "p1", "p1", &[]);
    let linked = old_row(&conn, "Observation", "o1", "p1", &[("subject", "p1")]);
    // A tombstone has no index rows; one pointing elsewhere by another parameter neither links.
    let tombstone = old_row(&conn, "Observation", "o2", "p1", &[]);
    let elsewhere = old_row(&conn, "Observation", "o3", "p1", &[("performer", "p1")]);
    old_row(&conn, "Observation", "o4", "p2", &[("subject", "p2")]);

    migrate(&conn, ":memory:").unwrap();

    let sql = MIGRATIONS.iter().find(|m| m.version == 6).unwrap().sql;
    for link in &LINKS[..LINKS.len() - 1] {
        assert!(
            sql.contains(&format!("'{link}'")),
            "migration 6 links by {link}"
        );
    }
    let index: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'resources_patient'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(index, 0, "index dropped");
    let fallback: Vec<i64> = conn
        .prepare("SELECT res_row FROM idx_ref WHERE param = '_compartment' ORDER BY res_row")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(fallback, [tombstone, elsewhere]);
    assert_eq!(
        all_rows(&conn, "t", "p1").unwrap(),
        [patient, linked, tombstone, elsewhere]
    );
    let current: Vec<String> = page(&conn, "t", "p1", Some(patient), 10)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(
        current,
        ["o1", "o3"],
        "tombstones left out, paged after the Patient"
    );
    assert!(
        all_rows(&conn, "other", "p1").unwrap().is_empty(),
        "tenants apart"
    );
}

/// What SQLite plans for `sql`, one line per step.
fn plan(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let rows = stmt
        .query_map(args, |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap();
    rows.join("\n")
}

#[test]
fn compartment_queries_look_rows_up_and_never_scan_the_resources() {
    let conn = at_schema_5();
    migrate(&conn, ":memory:").unwrap();
    conn.execute_batch("ANALYZE").unwrap();
    let search_sql = format!(
        "SELECT row_id FROM resources r WHERE r.row_id IN {}(?)) AND +r.tenant_id = ?",
        search_rows("Observation")
    );
    for (sql, args) in [
        (PAGE.clone(), params!["t", "p1", 0, 10].to_vec()),
        (search_sql, params!["t", "Observation", "p1", "t"].to_vec()),
    ] {
        let steps = plan(&conn, &sql, args.as_slice());
        assert!(
            !steps
                .lines()
                .any(|s| s.starts_with("SCAN resources") || s.starts_with("SCAN r")),
            "{steps}"
        );
        assert!(steps.contains("SEARCH i USING PRIMARY KEY"), "{steps}");
    }
}
