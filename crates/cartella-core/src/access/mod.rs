//! Who may do what: roles, actions, the groups resource types fall into, the permission matrix,
//! and SMART-on-FHIR scopes. Pure rules, no I/O; the store enforces them on every call.

pub mod groups;
pub mod matrix;
pub mod principal;
pub mod roles;
pub mod scopes;

pub use groups::{Group, group_of};
pub use matrix::{allows, matrix_markdown};
pub use principal::{Decision, Principal, Subject};
pub use roles::{Action, Role, RoleSet};
pub use scopes::{Scope, ScopeSet};
