//! An authenticated caller: a name for logs and the import log, roles, and an optional
//! org-unit scope.

use super::rate::RateSpec;
use crate::domain::access::{Grant, OrgScope};

/// What a credential may do; each RPC needs one (see `policy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Every Get/List/Summarize RPC.
    Read,
    /// ImportService.Import.
    Import,
    /// Whatever manages the service itself.
    Admin,
}

impl Role {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "read" => Some(Self::Read),
            "import" => Some(Self::Import),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Import => "import",
            Self::Admin => "admin",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Principal {
    /// The credential's name (a token's `name`, or `jwt:` and the subject); never the secret.
    pub name: String,
    pub roles: Vec<Role>,
    /// The subtrees this credential may see and write; `None` is the whole region.
    pub scope: Option<OrgScope>,
    /// The credential's own rate limit, if any.
    pub(crate) rate: Option<RateSpec>,
}

impl Principal {
    /// The caller of a server started without an auth file: every role, no scope, no limit.
    pub fn anonymous() -> Self {
        Self {
            name: "anonymous".to_owned(),
            roles: vec![Role::Read, Role::Import, Role::Admin],
            scope: None,
            rate: None,
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// What the credential may reach.
    pub fn grant(&self) -> Grant {
        match &self.scope {
            None => Grant::region(),
            Some(scope) => Grant::scoped(scope.clone()),
        }
    }
}
