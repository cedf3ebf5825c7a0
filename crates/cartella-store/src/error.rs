//! The storage layer's error type. Each variant notes the HTTP status the surfaces map it to.

use cartella_core::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// 400/422: input that is not a valid domain value.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// 400: a resource body that cannot be stored as it is.
    #[error("invalid resource: {0}")]
    InvalidResource(String),
    /// 400: a search that cannot be run as asked.
    #[error("invalid search: {0}")]
    InvalidSearch(String),
    /// 403: the caller's role, scopes or compartment do not allow this.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// 404
    #[error("{0} not found")]
    NotFound(String),
    /// 410: the resource was deleted (its tombstone is the current version).
    #[error("{0} was deleted")]
    Deleted(String),
    /// 410: the patient's key was destroyed; the data can never be read again.
    #[error("{0} belongs to an erased patient")]
    Erased(String),
    /// 409/412: optimistic concurrency check failed.
    #[error("version conflict on {resource}: expected version {expected}, current is {current}")]
    VersionConflict {
        resource: String,
        expected: String,
        current: String,
    },
    /// Retried by the store: a concurrent write created the same patient's key first.
    #[error("a concurrent write created the patient's key first")]
    KeyRace,
    /// 503 when retries run out: the database aborted the transaction over contention
    /// (deadlock, serialization failure); the store retries it.
    #[error("database contention: {0}")]
    Contention(String),
    /// 409: the write would double-book one or more actors; lists every clash.
    #[error("{}", crate::bookings::describe(.0))]
    BookingConflict(Vec<crate::bookings::BookingClash>),
    /// 409: a concurrent write created a resource that matches a conditional create's
    /// condition first (see [`crate::Absent`]); a single create answers with that resource.
    #[error("a concurrent request created a resource matching the condition {0} first")]
    ConditionMatched(String),
    /// 409: a uniqueness rule was violated (e.g. tenant slug taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// 500, and refuses to start: the master key does not open this database.
    #[error(
        "the master key does not match this database (database expects key {expected}, got {given}); start with the right key file or CARTELLA_MASTER_KEY"
    )]
    WrongMasterKey { expected: String, given: String },
    /// 500: stored ciphertext failed authentication (tampering or corruption).
    #[error("stored data failed integrity check for {0} (corrupted or tampered ciphertext)")]
    Corrupted(String),
    /// 500, refuses to start.
    #[error("{0} is not a Cartella database")]
    NotCartellaDatabase(String),
    /// 500, refuses to start.
    #[error(
        "database schema version {found} is newer than this binary supports ({supported}); upgrade cartella"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    /// 503: the database cannot be reached or answered with an error.
    #[error("database error: {0}")]
    Database(String),
    /// 500: a bug or an impossible state.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn db(e: impl std::fmt::Display) -> Self {
        StoreError::Database(e.to_string())
    }

    /// The message a client may be shown later (a stored job outcome): the error itself when it
    /// is about the request, a generic line when it is about the server (the log has the cause).
    pub fn public_message(&self) -> String {
        use StoreError::*;
        match self {
            Database(_) | Contention(_) => "the database was unavailable; try again".into(),
            WrongMasterKey { .. }
            | Corrupted(_)
            | NotCartellaDatabase(_)
            | SchemaTooNew { .. }
            | Internal(_)
            | KeyRace => "internal error; the incident was logged".into(),
            _ => self.to_string(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
