//! Practice settings as the UI edits them (kept in the tenant's settings JSON, which also holds
//! keys other features own: unknown keys survive a save).

use serde::{Deserialize, Serialize};

pub const DEFAULT_TIME_ZONE: &str = "Europe/Rome";

fn default_tz() -> String {
    DEFAULT_TIME_ZONE.to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PracticeSettings {
    /// The name shown in the UI (the practice record keeps the name it was created with).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default = "default_tz")]
    pub time_zone: String,
    /// The language of users who have not chosen one.
    #[serde(default)]
    pub default_language: Option<String>,
    #[serde(default)]
    pub mfa_required_roles: Vec<String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl Default for PracticeSettings {
    fn default() -> Self {
        PracticeSettings {
            display_name: None,
            address: String::new(),
            phone: String::new(),
            time_zone: default_tz(),
            default_language: None,
            mfa_required_roles: vec![],
            other: Default::default(),
        }
    }
}

impl PracticeSettings {
    /// Settings JSON from the store; a damaged document falls back to defaults (and is logged)
    /// rather than locking everyone out of the practice.
    pub fn parse(raw: &str) -> PracticeSettings {
        serde_json::from_str(raw).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "practice settings unreadable; using defaults");
            PracticeSettings::default()
        })
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// Whether `name` is a time zone the binary knows (IANA names such as `Europe/Paris`).
pub fn valid_time_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

/// Time zones offered in the settings form: the practice's region first.
pub const COMMON_TIME_ZONES: &[&str] = &[
    "Europe/Rome",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Monaco",
    "Europe/San_Marino",
    "Europe/Vatican",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Lisbon",
    "Europe/Amsterdam",
    "UTC",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_survive_a_round_trip() {
        let s =
            PracticeSettings::parse(r#"{"time_zone":"Europe/Paris","reminders":{"hours":[48,2]}}"#);
        assert_eq!(s.time_zone, "Europe/Paris");
        let back = s.to_json();
        assert_eq!(back["reminders"]["hours"][0], 48);
    }

    #[test]
    fn zones_are_checked() {
        assert!(valid_time_zone("Europe/Berlin"));
        assert!(!valid_time_zone("Mars/Olympus"));
        assert!(COMMON_TIME_ZONES.iter().all(|z| valid_time_zone(z)));
    }
}
