//! Code generated from `proto/` by build.rs.

#![allow(clippy::all, clippy::pedantic)]

pub mod v1 {
    tonic::include_proto!("uppsikt.v1");
}

/// The file descriptor set, served by gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/uppsikt_descriptor.bin"));

/// The descriptor pool of the API (with its imports, e.g. google.protobuf.Timestamp): the
/// HTTP layer and the change feed's record conversion read messages by name from it.
pub static POOL: std::sync::LazyLock<prost_reflect::DescriptorPool> =
    std::sync::LazyLock::new(|| {
        prost_reflect::DescriptorPool::decode(FILE_DESCRIPTOR_SET)
            .expect("the embedded descriptor set decodes")
    });
