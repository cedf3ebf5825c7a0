//! SMART-on-FHIR scopes (v1 syntax): `patient/Observation.read`, `user/*.write`,
//! `system/*.read`, plus `openid`, `fhirUser`, `offline_access`, `launch/patient`.

use super::roles::Action;
use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Patient,
    User,
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Resource {
        context: Context,
        rtype: Option<String>,
        read: bool,
        write: bool,
    },
    Other(String),
}

impl Scope {
    pub fn parse(raw: &str) -> Result<Scope, DomainError> {
        let bad = || {
            DomainError::Invalid(format!(
                "invalid scope '{}'",
                raw.chars().take(60).collect::<String>()
            ))
        };
        let Some((ctx, rest)) = raw.split_once('/') else {
            return match raw {
                "openid" | "fhirUser" | "profile" | "offline_access" | "online_access" => {
                    Ok(Scope::Other(raw.to_owned()))
                }
                _ => Err(bad()),
            };
        };
        let context = match ctx {
            "patient" => Context::Patient,
            "user" => Context::User,
            "system" => Context::System,
            "launch" if rest == "patient" => return Ok(Scope::Other(raw.to_owned())),
            _ => return Err(bad()),
        };
        let (rtype, perm) = rest.split_once('.').ok_or_else(bad)?;
        let (read, write) = match perm {
            "read" => (true, false),
            "write" => (false, true),
            "*" => (true, true),
            _ => return Err(bad()),
        };
        let rtype = match rtype {
            "*" => None,
            t => Some(
                crate::ResourceType::parse(t)
                    .map_err(|_| bad())?
                    .as_str()
                    .to_owned(),
            ),
        };
        Ok(Scope::Resource {
            context,
            rtype,
            read,
            write,
        })
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scope::Other(s) => f.write_str(s),
            Scope::Resource {
                context,
                rtype,
                read,
                write,
            } => {
                let ctx = match context {
                    Context::Patient => "patient",
                    Context::User => "user",
                    Context::System => "system",
                };
                let perm = match (read, write) {
                    (true, true) => "*",
                    (true, false) => "read",
                    _ => "write",
                };
                write!(f, "{ctx}/{}.{perm}", rtype.as_deref().unwrap_or("*"))
            }
        }
    }
}

/// The scopes granted to a token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeSet(Vec<Scope>);

impl ScopeSet {
    /// Space-separated, as in OAuth2.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Ok(ScopeSet(
            raw.split_whitespace()
                .map(Scope::parse)
                .collect::<Result<_, _>>()?,
        ))
    }

    /// Whether the scopes let the token `action` resources of `rtype`. Read covers read and
    /// export; write covers write, delete and sign; nothing grants admin.
    pub fn permits(&self, rtype: &str, action: Action) -> bool {
        self.0.iter().any(|s| match s {
            Scope::Resource {
                rtype: t,
                read,
                write,
                ..
            } => {
                let type_ok = t.as_deref().is_none_or(|t| t == rtype);
                let perm_ok = match action {
                    Action::Read | Action::Export => *read,
                    Action::Write | Action::Delete | Action::Sign => *write,
                    Action::Admin => false,
                };
                type_ok && perm_ok
            }
            Scope::Other(_) => false,
        })
    }

    /// True when every resource scope is patient-context (the token is limited to one patient).
    pub fn patient_only(&self) -> bool {
        let mut any = false;
        for s in &self.0 {
            if let Scope::Resource { context, .. } = s {
                any = true;
                if *context != Context::Patient {
                    return false;
                }
            }
        }
        any
    }

    pub fn has(&self, other: &str) -> bool {
        self.0
            .iter()
            .any(|s| matches!(s, Scope::Other(o) if o == other))
    }

    /// Keep only the scopes also in `allowed` (a client never gets more than it was registered for).
    pub fn intersect(&self, allowed: &ScopeSet) -> ScopeSet {
        ScopeSet(
            self.0
                .iter()
                .filter(|s| allowed.0.contains(s) || allowed.covers(s))
                .cloned()
                .collect(),
        )
    }

    fn covers(&self, s: &Scope) -> bool {
        let Scope::Resource {
            context,
            rtype,
            read,
            write,
        } = s
        else {
            return false;
        };
        self.0.iter().any(|a| match a {
            Scope::Resource {
                context: c,
                rtype: t,
                read: r,
                write: w,
            } => c == context && (t.is_none() || t == rtype) && (*r || !read) && (*w || !write),
            _ => false,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for ScopeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            &self
                .0
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_scopes() {
        let s = ScopeSet::parse("patient/Observation.read user/*.write openid").unwrap();
        assert!(s.permits("Observation", Action::Read));
        assert!(!s.permits("Patient", Action::Read));
        assert!(s.permits("Patient", Action::Write));
        assert!(!s.permits("Patient", Action::Admin));
        assert!(!s.patient_only());
        assert!(ScopeSet::parse("patient/*.read").unwrap().patient_only());
        assert!(ScopeSet::parse("user/Foo.read").is_err());
        assert!(ScopeSet::parse("user/Patient.delete").is_err());
        assert_eq!(
            s.to_string(),
            "patient/Observation.read user/*.write openid"
        );
        let allowed = ScopeSet::parse("system/*.read").unwrap();
        let asked = ScopeSet::parse("system/Patient.read system/Patient.write").unwrap();
        assert_eq!(asked.intersect(&allowed).to_string(), "system/Patient.read");
    }
}
