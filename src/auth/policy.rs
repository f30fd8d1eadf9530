//! The role each RPC needs, from its gRPC path: deny by default, so an RPC added later needs
//! `admin` until it is listed here.

use super::principal::Role;

/// What a path needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requirement {
    /// Health and reflection: open to anyone who can reach the port.
    Open,
    Role(Role),
}

/// Services that stay open: load balancers probe health, generic clients discover the API.
const OPEN_SERVICES: [&str; 3] = [
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1.ServerReflection/",
    "/grpc.reflection.v1alpha.ServerReflection/",
];

const API_PREFIX: &str = "/uppsikt.v1.";
const IMPORT: &str = "/uppsikt.v1.ImportService/Import";
/// Read RPCs by the AIP method prefixes; they change nothing.
const READ_METHODS: [&str; 3] = ["Get", "List", "Summarize"];

pub fn requirement(path: &str) -> Requirement {
    if OPEN_SERVICES.iter().any(|prefix| path.starts_with(prefix)) {
        return Requirement::Open;
    }
    if path == IMPORT {
        return Requirement::Role(Role::Import);
    }
    if let Some(rest) = path.strip_prefix(API_PREFIX)
        && let Some((_service, method)) = rest.split_once('/')
        && READ_METHODS.iter().any(|m| method.starts_with(m))
    {
        return Requirement::Role(Role::Read);
    }
    Requirement::Role(Role::Admin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_path() {
        assert_eq!(
            requirement("/grpc.health.v1.Health/Check"),
            Requirement::Open
        );
        assert_eq!(
            requirement("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"),
            Requirement::Open
        );
        assert_eq!(
            requirement("/uppsikt.v1.ImportService/Import"),
            Requirement::Role(Role::Import)
        );
        assert_eq!(
            requirement("/uppsikt.v1.ImportService/ListImports"),
            Requirement::Role(Role::Read)
        );
        assert_eq!(
            requirement("/uppsikt.v1.BudgetService/SummarizeBudget"),
            Requirement::Role(Role::Read)
        );
        assert_eq!(
            requirement("/uppsikt.v1.AdminService/ReloadKeys"),
            Requirement::Role(Role::Admin)
        );
        assert_eq!(requirement("/"), Requirement::Role(Role::Admin));
        assert_eq!(
            requirement("/uppsikt.v1.ImportService/ImportX"),
            Requirement::Role(Role::Admin)
        );
    }
}
