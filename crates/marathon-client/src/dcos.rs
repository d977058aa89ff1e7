//! DC/OS service-account login: an RS256-signed token traded for an auth token.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use serde::Deserialize;

use crate::Error;
use crate::auth::Secret;
use crate::urls;

/// The environment variable that DC/OS uses to hand a service account's
/// credential JSON to a task.
pub const SERVICE_ACCOUNT_ENV: &str = "DCOS_SERVICE_ACCOUNT_CREDENTIAL";

/// How long the self-signed login token is valid; DC/OS only needs it for
/// the one login request.
const LOGIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);

/// A DC/OS service account: who it is, where to log in, and the key that
/// proves it.
///
/// `Debug` shows the uid and endpoint, never the key.
#[derive(Clone)]
pub struct ServiceAccount {
    uid: String,
    login_endpoint: String,
    key: Arc<RsaKeyPair>,
}

#[derive(Deserialize)]
struct CredentialJson {
    uid: String,
    private_key: String,
    login_endpoint: String,
}

impl ServiceAccount {
    /// Parses the credential JSON `{"uid", "private_key", "login_endpoint"}`
    /// and loads the RSA private key (PEM, PKCS#8 or PKCS#1).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        // serde_json's messages may quote the offending value, which could be
        // the key itself, so only the kind and place of the fault are kept.
        let parsed: CredentialJson =
            serde_json::from_str(json).map_err(|err| Error::Credentials {
                reason: format!("service account json: {}", json_fault(&err)),
            })?;
        urls::parse_base(&parsed.login_endpoint)?;
        let key = load_rsa_key(parsed.private_key.as_bytes())?;
        Ok(ServiceAccount {
            uid: parsed.uid,
            login_endpoint: parsed.login_endpoint,
            key: Arc::new(key),
        })
    }

    /// Reads the credential JSON from `DCOS_SERVICE_ACCOUNT_CREDENTIAL`;
    /// `Ok(None)` when the variable is unset or empty.
    pub fn from_env() -> Result<Option<Self>, Error> {
        match std::env::var(SERVICE_ACCOUNT_ENV) {
            Ok(value) if !value.trim().is_empty() => Self::from_json(&value).map(Some),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::Credentials {
                reason: format!("{SERVICE_ACCOUNT_ENV} is not valid unicode"),
            }),
        }
    }

    /// The service account's user id.
    #[must_use]
    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// The URL the login request is sent to.
    #[must_use]
    pub fn login_endpoint(&self) -> &str {
        &self.login_endpoint
    }

    /// The JSON body of a login request: the uid and an RS256 JWT over
    /// `{uid, exp}` that expires a minute after `now`.
    pub(crate) fn login_body(&self, now: SystemTime) -> Result<Secret, Error> {
        let exp = unix_seconds(now) + LOGIN_TOKEN_LIFETIME.as_secs();
        let token = self.sign_jwt(&serde_json::json!({ "uid": self.uid, "exp": exp }))?;
        let body = serde_json::json!({ "uid": self.uid, "token": token.expose() });
        Ok(Secret::new(body.to_string()))
    }

    fn sign_jwt(&self, claims: &serde_json::Value) -> Result<Secret, Error> {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");

        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| Error::Signing {
                reason: "rsa signing failed".to_owned(),
            })?;
        Ok(Secret::new(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        )))
    }
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            uid,
            login_endpoint,
            key: _,
        } = self;
        f.debug_struct("ServiceAccount")
            .field("uid", uid)
            .field("login_endpoint", &urls::redact(login_endpoint))
            .field("key", &"[redacted]")
            .finish()
    }
}

pub(crate) fn load_rsa_key(pem: &[u8]) -> Result<RsaKeyPair, Error> {
    let refused = |what: &str| Error::Credentials {
        reason: format!("service account key: {what}"),
    };
    let key = ureq::tls::PrivateKey::from_pem(pem).map_err(|_| refused("no pem private key"))?;
    // ureq tells PKCS#8 from PKCS#1 but does not export the kind's type;
    // trying PKCS#8 first and PKCS#1 second reaches the same result.
    let loaded = RsaKeyPair::from_pkcs8(key.der()).or_else(|_| RsaKeyPair::from_der(key.der()));
    // ring's rejection reasons are fixed words such as "InvalidEncoding" and
    // never contain key material.
    loaded.map_err(|rejected| refused(&rejected.to_string()))
}

/// A DC/OS auth token and, when it is a JWT, when it expires.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) value: Secret,
    expires_at: Option<u64>,
}

impl Token {
    /// Reads the login answer `{"token": "..."}`.
    pub(crate) fn from_login_answer(body: &[u8]) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Answer {
            token: String,
        }
        let answer: Answer = serde_json::from_slice(body).map_err(|err| Error::Body {
            reason: format!("login answer: {}", json_fault(&err)),
        })?;
        let expires_at = jwt_expiry(&answer.token);
        Ok(Token {
            value: Secret::new(answer.token),
            expires_at,
        })
    }

    /// Whether the token expires within `margin` of `now`; a token whose
    /// expiry is unknown is kept until Marathon refuses it.
    pub(crate) fn needs_refresh(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires_at
            .is_some_and(|exp| unix_seconds(now) + margin.as_secs() >= exp)
    }
}

/// The `exp` claim of a JWT, read without checking its signature: the
/// client only uses it to decide when to log in again.
fn jwt_expiry(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("exp")?.as_u64()
}

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Describes a JSON fault by kind and position only, so that no value from
/// a document holding secrets can leak into a message.
fn json_fault(err: &serde_json::Error) -> String {
    let kind = match err.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "not valid json",
        serde_json::error::Category::Data => "missing field or wrong type",
        serde_json::error::Category::Eof => "unexpected end",
    };
    format!("{kind} at line {}, column {}", err.line(), err.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_PKCS8: &str = include_str!("../testdata/test-only-rsa-key.pem");
    const KEY_PKCS1: &str = include_str!("../testdata/test-only-rsa-key-pkcs1.pem");

    fn credential(key: &str) -> String {
        serde_json::json!({
            "uid": "mlb",
            "private_key": key,
            "login_endpoint": "https://leader.mesos/acs/api/v1/auth/login",
        })
        .to_string()
    }

    #[test]
    fn service_account_loads_pkcs8_and_pkcs1_keys() {
        for key in [KEY_PKCS8, KEY_PKCS1] {
            let account = ServiceAccount::from_json(&credential(key)).unwrap();
            assert_eq!(account.uid(), "mlb");
        }
    }

    #[test]
    fn service_account_debug_hides_the_key() {
        let account = ServiceAccount::from_json(&credential(KEY_PKCS8)).unwrap();
        let debug = format!("{account:?}");
        assert!(debug.contains("mlb"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        assert!(!debug.contains("PRIVATE KEY"), "{debug}");
        assert!(!debug.contains(&KEY_PKCS8[40..80]), "{debug}");
    }

    #[test]
    fn bad_credential_json_error_does_not_quote_the_value() {
        let err = ServiceAccount::from_json(r#""sekrit-value""#).unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("sekrit"), "{text}");
        assert_eq!(
            text,
            "invalid credentials: service account json: missing field or wrong type at line 1, \
             column 14"
        );
    }

    #[test]
    fn garbage_private_key_is_refused_without_echoing_it() {
        let err = ServiceAccount::from_json(&credential("not-a-key-sekrit")).unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("sekrit"), "{text}");
        assert_eq!(
            text,
            "invalid credentials: service account key: no pem private key"
        );
    }

    #[test]
    fn login_body_carries_a_jwt_with_uid_and_expiry_a_minute_ahead() {
        let account = ServiceAccount::from_json(&credential(KEY_PKCS8)).unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let body: serde_json::Value =
            serde_json::from_str(account.login_body(now).unwrap().expose()).unwrap();
        assert_eq!(body["uid"], "mlb");

        let token = body["token"].as_str().unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims, serde_json::json!({"uid": "mlb", "exp": 1_000_060}));
    }

    #[test]
    fn login_jwt_signature_verifies_with_the_public_key() {
        let account = ServiceAccount::from_json(&credential(KEY_PKCS8)).unwrap();
        let body: serde_json::Value =
            serde_json::from_str(account.login_body(SystemTime::now()).unwrap().expose()).unwrap();
        let token = body["token"].as_str().unwrap();
        let (signed, signature) = token.rsplit_once('.').unwrap();

        let public = ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            account.key.public().as_ref().to_vec(),
        );
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        assert!(public.verify(signed.as_bytes(), &signature).is_ok());
    }

    #[test]
    fn token_expiry_comes_from_the_jwt_exp_claim() {
        let payload = URL_SAFE_NO_PAD.encode(r#"{"uid":"mlb","exp":5000}"#);
        let answer = format!(r#"{{"token": "h.{payload}.s"}}"#);
        let token = Token::from_login_answer(answer.as_bytes()).unwrap();
        let at = |secs| UNIX_EPOCH + Duration::from_secs(secs);
        assert!(!token.needs_refresh(at(4000), Duration::from_secs(60)));
        assert!(token.needs_refresh(at(4950), Duration::from_secs(60)));
    }

    #[test]
    fn opaque_token_is_kept_until_refused() {
        let token = Token::from_login_answer(br#"{"token": "opaque"}"#).unwrap();
        assert!(!token.needs_refresh(SystemTime::now(), Duration::from_secs(3600)));
    }

    #[test]
    fn login_answer_without_token_is_an_error() {
        let err = Token::from_login_answer(br#"{"nope": 1}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "login answer: missing field or wrong type at line 1, column 11"
        );
    }
}
