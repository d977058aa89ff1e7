//! HTTPS with a private CA: trusted only when its certificate file is given.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread;

use marathon_client::{Client, Error};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::fake_marathon::{ONE_APP, quick};

const CA: &str = "testdata/test-only-ca.pem";
const SERVER_CERT: &[u8] = include_bytes!("../../testdata/test-only-server-cert.pem");
const SERVER_KEY: &[u8] = include_bytes!("../../testdata/test-only-server-key.pem");

/// Serves one HTTPS request on 127.0.0.1 with a certificate signed by the
/// test CA, answering with the one-app document; returns the base URL.
fn one_shot_https_server() -> String {
    let cert = match ureq::tls::parse_pem(SERVER_CERT).next() {
        Some(Ok(ureq::tls::PemItem::Certificate(cert))) => cert.der().to_vec(),
        _ => panic!("test server certificate does not parse"),
    };
    let key = ureq::tls::PrivateKey::from_pem(SERVER_KEY)
        .unwrap()
        .der()
        .to_vec();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(cert)],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
    )
    .unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let Ok((tcp, _)) = listener.accept() else {
            return;
        };
        let Ok(conn) = rustls::ServerConnection::new(Arc::new(config)) else {
            return;
        };
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        let mut reader = BufReader::new(&mut tls);
        let mut line = String::new();
        // A failed handshake shows up here as an error: the client said no.
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
            line.clear();
        }
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{ONE_APP}",
            ONE_APP.len()
        );
        let _ = tls.write_all(answer.as_bytes());
        let _ = tls.flush();
        tls.conn.send_close_notify();
        let _ = tls.flush();
    });
    format!("https://127.0.0.1:{port}")
}

#[test]
fn https_server_signed_by_the_given_ca_is_trusted() {
    let url = one_shot_https_server();
    let ca = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(CA);
    let client = quick([url]).ca_cert_file(ca).build().unwrap();
    assert_eq!(client.fetch_decoded_apps().unwrap().apps[0].id, "/web");
}

#[test]
fn https_server_of_an_unknown_ca_is_refused() {
    let url = one_shot_https_server();
    let err = Client::builder([url])
        .build()
        .unwrap()
        .fetch_apps()
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}
