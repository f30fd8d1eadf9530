//! The RPCs reachable over HTTP, read once from the embedded descriptor set.

use prost_reflect::{MessageDescriptor, MethodDescriptor};
use std::collections::HashMap;
use std::sync::LazyLock;

/// How an RPC may be called over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// A unary read (`Get…`, `List…`, `Summarize…`): POST and GET.
    Read,
    /// Any other unary RPC: POST only.
    Unary,
    /// Client or server streaming: gRPC and gRPC-Web only.
    Streaming,
}

/// One RPC of the API.
#[derive(Debug)]
pub struct Method {
    /// `/uppsikt.v1.BudgetService/ListBudgetLines`, the gRPC path.
    pub path: String,
    /// The method's name, e.g. `ListBudgetLines`.
    pub name: String,
    pub input: MessageDescriptor,
    pub output: MessageDescriptor,
    pub kind: MethodKind,
    /// The RPC's descriptor (its service, its comments).
    pub descriptor: MethodDescriptor,
}

impl Method {
    pub fn is_list(&self) -> bool {
        self.name.starts_with("List")
    }
}

pub use crate::proto::POOL;

static METHODS: LazyLock<HashMap<String, Method>> = LazyLock::new(|| {
    let mut methods = HashMap::new();
    for service in POOL.services() {
        // Only the API's own services: health and reflection stay gRPC.
        if !service.full_name().starts_with("uppsikt.") {
            continue;
        }
        for method in service.methods() {
            let name = method.name().to_owned();
            let kind = if method.is_client_streaming() || method.is_server_streaming() {
                MethodKind::Streaming
            } else if ["Get", "List", "Summarize"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                MethodKind::Read
            } else {
                MethodKind::Unary
            };
            let path = format!("/{}/{}", service.full_name(), name);
            methods.insert(
                path.clone(),
                Method {
                    path,
                    name,
                    input: method.input(),
                    output: method.output(),
                    kind,
                    descriptor: method.clone(),
                },
            );
        }
    }
    methods
});

/// The RPC at `path`, if it is one of the API's.
pub fn find(path: &str) -> Option<&'static Method> {
    METHODS.get(path)
}

/// Every RPC of the API, in the order of the proto files.
pub fn all() -> impl Iterator<Item = &'static Method> {
    POOL.services()
        .flat_map(|service| service.methods().collect::<Vec<_>>())
        .filter_map(|method| {
            find(&format!(
                "/{}/{}",
                method.parent_service().full_name(),
                method.name()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rpc_is_found_with_its_kind() {
        let list = find("/uppsikt.v1.BudgetService/ListBudgetLines").expect("found");
        assert_eq!(list.kind, MethodKind::Read);
        assert!(list.is_list());
        assert_eq!(list.input.full_name(), "uppsikt.v1.ListBudgetLinesRequest");
        let import = find("/uppsikt.v1.ImportService/Import").expect("found");
        assert_eq!(import.kind, MethodKind::Streaming);
        assert!(find("/grpc.health.v1.Health/Check").is_none());
        assert!(find("/uppsikt.v1.BudgetService/Nothing").is_none());
    }
}
