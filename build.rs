//! Compiles `proto/` with protox (pure Rust, no system protoc) and writes the file descriptor
//! set that server reflection serves.

use std::{env, fs, io, path::PathBuf};

fn main() -> io::Result<()> {
    let protos: Vec<PathBuf> = fs::read_dir("proto/uppsikt/v1")?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    let mut protos: Vec<PathBuf> = protos
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "proto"))
        .collect();
    protos.sort();

    let fds = protox::compile(&protos, ["proto"]).map_err(io::Error::other)?;
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(
        out_dir.join("uppsikt_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(fds)?;

    write_demo_index(&out_dir)?;
    println!("cargo:rerun-if-changed=proto");
    println!("cargo:rerun-if-changed=data/demo");
    Ok(())
}

/// Lists `data/demo/*.txt` as `&[(name, include_str!(path))]` so the binary carries the
/// demo data set.
fn write_demo_index(out_dir: &std::path::Path) -> io::Result<()> {
    let dir =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("data/demo");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<_>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    let mut index = String::from("&[\n");
    for path in &files {
        let name = format!(
            "data/demo/{}",
            path.file_name().expect("a file").to_string_lossy()
        );
        index.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    index.push(']');
    fs::write(out_dir.join("demo_files.rs"), index)
}
