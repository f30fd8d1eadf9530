//! Code generated from `proto/` by build.rs.

#![allow(clippy::all, clippy::pedantic)]

pub mod v1 {
    tonic::include_proto!("uppsikt.v1");
}

/// The file descriptor set, served by gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/uppsikt_descriptor.bin"));
