//! TLS for `tls-port`: the rustls server configuration built from the `tls-*` parameters, checked
//! the way Valkey's `tlsConfigure` checks them, with its log lines for each failure.
//!
//! rustls speaks TLS 1.2 and 1.3 only, which is also Valkey's default `tls-protocols`. Older
//! versions named in `tls-protocols` are left out with a warning; naming only those is an error.
//! Not supported (a warning at start-up when set): `tls-key-file-pass` (encrypted keys),
//! `tls-dh-params-file`, `tls-ciphers`/`tls-ciphersuites` (rustls picks its own safe suites).

use std::sync::Arc;

use ferrokey_core::config::{Config, TlsAuthClients};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// Why TLS could not be set up; the text is Valkey's log line where it has one.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("No tls-cert-file configured!")]
    NoCertFile,
    #[error("No tls-key-file configured!")]
    NoKeyFile,
    #[error(
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or \
         tls-auth-clients are enabled!"
    )]
    NoCaCert,
    #[error("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.")]
    InvalidProtocols,
    #[error("tls-protocols names only versions older than TLSv1.2, which ferrokey (rustls) does not speak.")]
    OnlyOldProtocols,
    #[error("Failed to load certificate: {file}: {reason}")]
    Certificate { file: String, reason: String },
    #[error("Failed to load private key: {file}: {reason}")]
    PrivateKey { file: String, reason: String },
    #[error("Failed to configure CA certificate(s) file/directory: {0}")]
    CaCert(String),
    #[error("Failed to configure TLS: {0}")]
    Rustls(String),
}

/// The TLS versions `tls-protocols` allows, as rustls names them.
fn protocol_versions(setting: Option<&str>) -> Result<Vec<&'static rustls::SupportedProtocolVersion>, TlsError> {
    let Some(setting) = setting else {
        return Ok(vec![&rustls::version::TLS13, &rustls::version::TLS12]);
    };
    let mut versions = Vec::new();
    let mut old = false;
    for word in setting.split(' ').filter(|w| !w.is_empty()) {
        match word.to_ascii_lowercase().as_str() {
            "tlsv1" | "tlsv1.1" => old = true,
            "tlsv1.2" => versions.push(&rustls::version::TLS12),
            "tlsv1.3" => versions.push(&rustls::version::TLS13),
            _ => return Err(TlsError::InvalidProtocols),
        }
    }
    if versions.is_empty() {
        return Err(if old { TlsError::OnlyOldProtocols } else { TlsError::InvalidProtocols });
    }
    if old {
        crate::warning!("tls-protocols: TLSv1 and TLSv1.1 are not supported by ferrokey and are left out.");
    }
    Ok(versions)
}

fn load_certs(file: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let fail = |reason: String| TlsError::Certificate { file: file.to_string(), reason };
    let certs = CertificateDer::pem_file_iter(file)
        .map_err(|e| fail(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(e.to_string()))?;
    if certs.is_empty() {
        return Err(fail("no PEM certificate in the file".into()));
    }
    Ok(certs)
}

fn load_key(file: &str) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(file)
        .map_err(|e| TlsError::PrivateKey { file: file.to_string(), reason: e.to_string() })
}

/// The CA certificates client certificates are checked against: `tls-ca-cert-file`, then every
/// PEM certificate in the files of `tls-ca-cert-dir`.
fn load_roots(ca_file: Option<&str>, ca_dir: Option<&str>) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    let mut add = |certs: Vec<CertificateDer<'static>>| -> Result<(), TlsError> {
        for cert in certs {
            roots.add(cert).map_err(|e| TlsError::CaCert(e.to_string()))?;
        }
        Ok(())
    };
    if let Some(file) = ca_file {
        add(load_certs(file).map_err(|e| TlsError::CaCert(e.to_string()))?)?;
    }
    if let Some(dir) = ca_dir {
        let entries = std::fs::read_dir(dir).map_err(|e| TlsError::CaCert(format!("{dir}: {e}")))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() {
                // Files without certificates (hash links' targets are read once each anyway) are skipped.
                if let Ok(certs) = load_certs(&path.to_string_lossy()) {
                    add(certs)?;
                }
            }
        }
    }
    if roots.is_empty() {
        return Err(TlsError::CaCert("no CA certificate found".into()));
    }
    Ok(roots)
}

/// Builds the acceptor for TLS connections from the `tls-*` parameters.
pub fn acceptor(config: &Config) -> Result<TlsAcceptor, TlsError> {
    let cert_file = config.tls_cert_file.as_deref().ok_or(TlsError::NoCertFile)?;
    let key_file = config.tls_key_file.as_deref().ok_or(TlsError::NoKeyFile)?;
    let auth = config.tls_auth_clients;
    let (ca_file, ca_dir) = (config.tls_ca_cert_file.as_deref(), config.tls_ca_cert_dir.as_deref());
    if (auth != TlsAuthClients::No || config.tls_cluster || config.tls_replication)
        && ca_file.is_none()
        && ca_dir.is_none()
    {
        return Err(TlsError::NoCaCert);
    }
    let versions = protocol_versions(config.tls_protocols.as_deref())?;
    warn_unsupported(config);

    let certs = load_certs(cert_file)?;
    let key = load_key(key_file)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| TlsError::Rustls(e.to_string()))?;
    let builder = if auth == TlsAuthClients::No {
        builder.with_no_client_auth()
    } else {
        let roots = Arc::new(load_roots(ca_file, ca_dir)?);
        let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider);
        let verifier = if auth == TlsAuthClients::Optional { verifier.allow_unauthenticated() } else { verifier };
        builder.with_client_cert_verifier(verifier.build().map_err(|e| TlsError::Rustls(e.to_string()))?)
    };
    let server_config = builder
        .with_single_cert(certs, key)
        .map_err(|e| TlsError::PrivateKey { file: key_file.to_string(), reason: e.to_string() })?;
    Ok(TlsAcceptor::from(Arc::new(server_config)))
}

fn warn_unsupported(config: &Config) {
    let unsupported = [
        ("tls-key-file-pass", config.tls_key_file_pass.is_some()),
        ("tls-dh-params-file", config.tls_dh_params_file.is_some()),
        ("tls-ciphers", config.tls_ciphers.is_some()),
        ("tls-ciphersuites", config.tls_ciphersuites.is_some()),
    ];
    for (name, set) in unsupported {
        if set {
            crate::warning!("{name} is not supported by ferrokey's TLS (rustls) and is ignored.");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_versions_unset_is_tls12_and_tls13() {
        assert_eq!(protocol_versions(None).unwrap().len(), 2);
    }

    #[test]
    fn protocol_versions_any_case_and_old_ones_left_out() {
        let v = protocol_versions(Some("tlsv1 TLSv1.2")).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].version, rustls::ProtocolVersion::TLSv1_2);
    }

    #[test]
    fn protocol_versions_unknown_word_is_invalid() {
        assert!(matches!(protocol_versions(Some("TLSv1.2 SSLv3")), Err(TlsError::InvalidProtocols)));
        assert!(matches!(protocol_versions(Some("TLSv1.1")), Err(TlsError::OnlyOldProtocols)));
    }

    #[test]
    fn acceptor_without_ca_and_client_auth_is_refused_as_valkey() {
        let config = Config {
            tls_cert_file: Some("/nonexistent/cert.pem".into()),
            tls_key_file: Some("/nonexistent/key.pem".into()),
            ..Config::default()
        };
        let err = acceptor(&config).err().unwrap();
        assert!(matches!(err, TlsError::NoCaCert), "{err}");
    }

    #[test]
    fn acceptor_missing_cert_file_names_the_file() {
        let config = Config {
            tls_cert_file: Some("/nonexistent/cert.pem".into()),
            tls_key_file: Some("/nonexistent/key.pem".into()),
            tls_auth_clients: TlsAuthClients::No,
            ..Config::default()
        };
        let err = acceptor(&config).err().unwrap().to_string();
        assert!(err.starts_with("Failed to load certificate: /nonexistent/cert.pem: "), "{err}");
    }
}
