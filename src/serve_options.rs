//! Turns the serve flags into `ServeOptions`, secure by default: without an auth file the
//! server listens only on a loopback address, unless told `--insecure-no-auth`; the mode is
//! logged at start.

use crate::auth::{AuthFile, Authenticator};
use crate::config::AccessArgs;
use crate::limits::Limits;
use crate::server::ServeOptions;
use anyhow::bail;
use std::net::SocketAddr;
use std::sync::Arc;

pub async fn serve_options(args: &AccessArgs, listen: SocketAddr) -> anyhow::Result<ServeOptions> {
    let auth = match &args.auth_file {
        Some(path) => {
            let file = AuthFile::load(path)?;
            let auth = Authenticator::from_file(&file).await?;
            tracing::info!(
                auth_file = %path.display(),
                tokens = file.tokens.len(),
                jwt = file.jwt.is_some(),
                "authentication on: every call but health and reflection needs a bearer credential"
            );
            auth
        }
        None if listen.ip().is_loopback() => {
            tracing::warn!(%listen, "no auth file: every caller may read and import (loopback only)");
            Authenticator::open()
        }
        None if args.insecure_no_auth => {
            tracing::warn!(
                %listen,
                "INSECURE: no auth file and --insecure-no-auth: anyone who reaches this address may read and import"
            );
            Authenticator::open()
        }
        None => bail!(
            "refusing to listen on {listen} without authentication: give --auth-file \
             (UPPSIKT_AUTH_FILE), listen on a loopback address, or pass --insecure-no-auth"
        ),
    };
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let config = crate::tls::server_config(cert, key, args.tls_client_ca.as_deref())?;
            tracing::info!(
                cert = %cert.display(),
                client_certificates = args.tls_client_ca.is_some(),
                "TLS on"
            );
            Some(config)
        }
        _ => {
            tracing::info!("TLS off: plaintext HTTP/2");
            None
        }
    };
    let limits = Limits {
        call_timeout: args.call_timeout,
        import_timeout: args.import_timeout,
        max_concurrent_calls: args.max_concurrent_calls,
        max_import_records: args.max_import_records,
    };
    tracing::info!(?limits, "limits");
    Ok(ServeOptions {
        auth: Arc::new(auth),
        tls,
        limits,
        ..Default::default()
    })
}
