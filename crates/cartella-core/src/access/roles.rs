//! Roles a user holds in a practice, and the actions permissions are granted for.

use crate::DomainError;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Administrator,
    Doctor,
    Surgeon,
    Dentist,
    Nurse,
    Physiotherapist,
    Hygienist,
    Secretary,
    Patient,
    External,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Administrator,
        Role::Doctor,
        Role::Surgeon,
        Role::Dentist,
        Role::Nurse,
        Role::Physiotherapist,
        Role::Hygienist,
        Role::Secretary,
        Role::Patient,
        Role::External,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Doctor => "doctor",
            Role::Surgeon => "surgeon",
            Role::Dentist => "dentist",
            Role::Nurse => "nurse",
            Role::Physiotherapist => "physiotherapist",
            Role::Hygienist => "hygienist",
            Role::Secretary => "secretary",
            Role::Patient => "patient",
            Role::External => "external",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, DomainError> {
        let r = raw.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == r || (r == "receptionist" && *role == Role::Secretary))
            .ok_or_else(|| {
                DomainError::Invalid(format!(
                    "unknown role '{}'; roles are {}",
                    raw.chars().take(40).collect::<String>(),
                    Role::ALL.map(|r| r.as_str()).join(", ")
                ))
            })
    }

    /// Staff roles see the practice's records; patients and external users see only what is
    /// theirs or shared with them.
    pub fn is_staff(&self) -> bool {
        !matches!(self, Role::Patient | Role::External)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles one user holds in one practice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    pub fn new(mut roles: Vec<Role>) -> Self {
        roles.sort_unstable();
        roles.dedup();
        RoleSet(roles)
    }
    /// Parse `"doctor,nurse"`; empty input is an error (a member holds at least one role).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let roles = raw
            .split(',')
            .filter(|r| !r.trim().is_empty())
            .map(Role::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if roles.is_empty() {
            return Err(DomainError::Invalid("at least one role is required".into()));
        }
        Ok(RoleSet::new(roles))
    }
    pub fn roles(&self) -> &[Role] {
        &self.0
    }
    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for RoleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            &self
                .0
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(","),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Read,
    Write,
    Delete,
    Export,
    Sign,
    Admin,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Read,
        Action::Write,
        Action::Delete,
        Action::Export,
        Action::Sign,
        Action::Admin,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Delete => "delete",
            Action::Export => "export",
            Action::Sign => "sign",
            Action::Admin => "admin",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_print() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert_eq!(Role::parse("Receptionist").unwrap(), Role::Secretary);
        assert!(
            Role::parse("janitor")
                .unwrap_err()
                .to_string()
                .contains("roles are administrator")
        );
        let set = RoleSet::parse("nurse, doctor,nurse").unwrap();
        assert_eq!(set.to_string(), "doctor,nurse");
        assert!(RoleSet::parse(" , ").is_err());
    }
}
