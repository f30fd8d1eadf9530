//! The RPCs the server serves, read once from the descriptor sets it registers (the API's,
//! health's and reflection's), with how each may be called over HTTP.

use prost_reflect::{DescriptorPool, MessageDescriptor, MethodDescriptor};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// How an RPC may be called over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// A unary RPC marked `idempotency_level = NO_SIDE_EFFECTS`: POST in every form, and
    /// GET (Connect GET, reads by URL).
    Read,
    /// Any other unary RPC: POST only.
    Unary,
    /// Client, server or bidirectional streaming: the enveloped forms only (gRPC, gRPC-Web,
    /// Connect streaming).
    Streaming,
}

/// One RPC.
#[derive(Debug)]
pub struct Method {
    /// `/uppsikt.v1.BudgetService/ListBudgetLines`, the gRPC path.
    pub path: String,
    /// The method's name, e.g. `ListBudgetLines`.
    pub name: String,
    pub input: MessageDescriptor,
    pub output: MessageDescriptor,
    pub kind: MethodKind,
    /// One of the API's own (`uppsikt.*`), not health or reflection.
    pub api: bool,
    /// The RPC's descriptor (its service, its comments).
    pub descriptor: MethodDescriptor,
}

impl Method {
    pub fn is_list(&self) -> bool {
        self.name.starts_with("List")
    }
}

pub use crate::proto::POOL;

/// The API's descriptors with health's and reflection's, so that those services are
/// served in every form too (buf curl lists services by reflection over Connect).
static SERVED: LazyLock<DescriptorPool> = LazyLock::new(|| {
    let mut pool = POOL.clone();
    for set in [
        tonic_health::pb::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
        tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
    ] {
        pool.decode_file_descriptor_set(set)
            .expect("the embedded descriptor sets decode");
    }
    pool
});

static METHODS: LazyLock<BTreeMap<String, Method>> = LazyLock::new(|| {
    use prost_types::method_options::IdempotencyLevel;
    let mut methods = BTreeMap::new();
    for service in SERVED.services() {
        for method in service.methods() {
            let name = method.name().to_owned();
            let no_side_effects = method
                .method_descriptor_proto()
                .options
                .as_ref()
                .is_some_and(|o| o.idempotency_level() == IdempotencyLevel::NoSideEffects);
            let kind = if method.is_client_streaming() || method.is_server_streaming() {
                MethodKind::Streaming
            } else if no_side_effects {
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
                    api: service.package_name().starts_with("uppsikt."),
                    descriptor: method.clone(),
                },
            );
        }
    }
    methods
});

/// The RPC at `path`, if the server serves it.
pub fn find(path: &str) -> Option<&'static Method> {
    METHODS.get(path)
}

/// Every RPC served, by path.
pub fn all() -> impl Iterator<Item = &'static Method> {
    METHODS.values()
}

/// Whether `path` has the shape of an RPC path (`/package.Service/Method`), so that a miss
/// is an unknown RPC rather than an unknown page.
pub fn looks_like_rpc(path: &str) -> bool {
    path.strip_prefix('/')
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(service, method)| {
            service.contains('.') && !method.is_empty() && !method.contains('/')
        })
}

/// Every RPC of the API, in the order of the proto files.
pub fn api() -> impl Iterator<Item = &'static Method> {
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
        assert!(list.is_list() && list.api);
        assert_eq!(list.input.full_name(), "uppsikt.v1.ListBudgetLinesRequest");
        let import = find("/uppsikt.v1.ImportService/Import").expect("found");
        assert_eq!(import.kind, MethodKind::Streaming);
        let health = find("/grpc.health.v1.Health/Check").expect("found");
        assert_eq!(health.kind, MethodKind::Unary);
        assert!(!health.api);
        let reflection =
            find("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo").expect("found");
        assert_eq!(reflection.kind, MethodKind::Streaming);
        assert!(find("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo").is_some());
        assert!(find("/uppsikt.v1.BudgetService/Nothing").is_none());
        assert!(looks_like_rpc("/uppsikt.v1.BudgetService/Nothing"));
        assert!(!looks_like_rpc("/favicon.ico"));
        assert!(!looks_like_rpc("/a/b/c"));
    }

    /// The contract's rule (API.md): every Get, List and Summarize is a read marked
    /// NO_SIDE_EFFECTS, so generated Connect clients may call it by GET, and nothing else
    /// is. This replaces buf's RPC_SAME_IDEMPOTENCY_LEVEL check, which buf.yaml turns off.
    #[test]
    fn reads_and_only_reads_are_marked_no_side_effects() {
        let api: Vec<&Method> = all().filter(|m| m.api).collect();
        assert!(api.len() > 20, "{} RPCs", api.len());
        for method in api {
            let read_name = ["Get", "List", "Summarize"]
                .iter()
                .any(|p| method.name.starts_with(p));
            assert_eq!(
                method.kind == MethodKind::Read,
                read_name,
                "{}: {:?}",
                method.path,
                method.kind
            );
        }
    }
}
