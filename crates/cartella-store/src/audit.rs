//! The audit trail's hash chain. Each tenant's events form one chain: event `seq` stores
//! `HMAC(tenant audit key, hash(seq-1) || canonical(event))`. The key is derived from the tenant's
//! data key, so someone with write access to the database but without the master key cannot
//! re-forge the chain after editing, deleting or reordering rows; [`verify_rows`] finds the break.

use crate::model::AuditRow;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The hash that precedes the first event of a chain.
pub const GENESIS: [u8; 32] = [0u8; 32];

/// Chain hash of `row` following `prev`.
pub fn chain_hash(mac_key: &[u8; 32], prev: &[u8], row: &AuditRow) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(mac_key).expect("HMAC takes any key length");
    mac.update(prev);
    mac.update(&row.seq.to_le_bytes());
    mac.update(&row.at.to_le_bytes());
    field(&mut mac, Some(row.tenant.as_str()));
    field(&mut mac, Some(&row.actor));
    field(&mut mac, Some(&row.role));
    field(&mut mac, Some(&row.action));
    field(&mut mac, row.resource_type.as_deref());
    field(&mut mac, row.resource_id.as_deref());
    match row.version {
        Some(v) => {
            mac.update(&[1]);
            mac.update(&v.to_le_bytes());
        }
        None => mac.update(&[0]),
    }
    field(&mut mac, row.patient_id.as_deref());
    field(&mut mac, row.purpose.as_deref());
    field(&mut mac, Some(&row.outcome));
    field(&mut mac, row.client_ip.as_deref());
    field(&mut mac, row.user_agent.as_deref());
    field(&mut mac, row.details.as_deref());
    mac.finalize().into_bytes().into()
}

/// Length-prefixed so that no two different rows share an encoding.
fn field(mac: &mut Hmac<Sha256>, value: Option<&str>) {
    match value {
        Some(v) => {
            mac.update(&(v.len() as u32).to_le_bytes());
            mac.update(v.as_bytes());
        }
        None => mac.update(&u32::MAX.to_le_bytes()),
    }
}

/// Where and how a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// A `seq` is missing: a row was deleted (or rows were renumbered).
    Missing { expected_seq: i64, found_seq: i64 },
    /// The stored hash does not match the row: the row (or one before it) was edited or moved.
    Mismatch { seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Missing {
                expected_seq,
                found_seq,
            } => write!(
                f,
                "event {expected_seq} is missing (next present is {found_seq}): a row was deleted"
            ),
            ChainBreak::Mismatch { seq } => write!(
                f,
                "event {seq} does not match its hash: the row was edited, or rows were reordered"
            ),
        }
    }
}

/// Walks one tenant's chain incrementally, page by page.
pub struct ChainVerifier {
    key: [u8; 32],
    prev: Vec<u8>,
    next_seq: i64,
    pub checked: u64,
}

impl ChainVerifier {
    pub fn new(key: [u8; 32]) -> Self {
        ChainVerifier {
            key,
            prev: GENESIS.to_vec(),
            next_seq: 1,
            checked: 0,
        }
    }

    /// Check the next rows (ascending `seq`); stops at the first break.
    pub fn feed(&mut self, rows: &[AuditRow]) -> Result<(), ChainBreak> {
        for row in rows {
            if row.seq != self.next_seq {
                return Err(ChainBreak::Missing {
                    expected_seq: self.next_seq,
                    found_seq: row.seq,
                });
            }
            let expected = chain_hash(&self.key, &self.prev, row);
            if expected.as_slice() != row.hash.as_slice() {
                return Err(ChainBreak::Mismatch { seq: row.seq });
            }
            self.prev = row.hash.clone();
            self.next_seq += 1;
            self.checked += 1;
        }
        Ok(())
    }

    pub fn last_seq(&self) -> i64 {
        self.next_seq - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cartella_core::TenantId;

    fn row(seq: i64, actor: &str) -> AuditRow {
        AuditRow {
            tenant: TenantId::new(),
            seq,
            at: 1,
            actor: actor.into(),
            role: "doctor".into(),
            action: "read".into(),
            resource_type: Some("Patient".into()),
            resource_id: Some("p1".into()),
            version: Some(1),
            patient_id: Some("p1".into()),
            purpose: None,
            outcome: "success".into(),
            client_ip: None,
            user_agent: None,
            details: None,
            hash: vec![],
        }
    }

    fn chain(n: i64) -> Vec<AuditRow> {
        let key = [7u8; 32];
        let mut prev = GENESIS.to_vec();
        (1..=n)
            .map(|s| {
                let mut r = row(s, &format!("u{s}"));
                r.hash = chain_hash(&key, &prev, &r).to_vec();
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let mut v = ChainVerifier::new([7u8; 32]);
        assert_eq!(v.feed(&chain(5)), Ok(()));
        assert_eq!(v.checked, 5);
    }

    #[test]
    fn edit_delete_and_reorder_are_found() {
        let mut rows = chain(5);
        rows[2].actor = "mallory".into();
        assert_eq!(
            ChainVerifier::new([7u8; 32]).feed(&rows),
            Err(ChainBreak::Mismatch { seq: 3 })
        );

        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(
            ChainVerifier::new([7u8; 32]).feed(&rows),
            Err(ChainBreak::Missing {
                expected_seq: 2,
                found_seq: 3
            })
        );

        let mut rows = chain(5);
        let (a, b) = (rows[1].clone(), rows[2].clone());
        rows[1] = AuditRow { seq: 2, ..b };
        rows[2] = AuditRow { seq: 3, ..a };
        assert_eq!(
            ChainVerifier::new([7u8; 32]).feed(&rows),
            Err(ChainBreak::Mismatch { seq: 2 })
        );
    }

    #[test]
    fn wrong_key_fails() {
        assert!(ChainVerifier::new([8u8; 32]).feed(&chain(1)).is_err());
    }
}
