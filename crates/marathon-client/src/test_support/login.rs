//! The fake DC/OS login endpoint: checks the RS256 login token, issues auth tokens.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde::Deserialize;

/// Where the fake serves logins, as DC/OS's admin router does.
pub(crate) const LOGIN_PATH: &str = "/acs/api/v1/auth/login";

pub(crate) struct DcosLogin {
    uid: String,
    public_key: Vec<u8>,
    token_lifetime: Duration,
    issued: usize,
    valid: BTreeSet<String>,
}

#[derive(Deserialize)]
struct LoginRequest {
    uid: String,
    token: String,
}

#[derive(Deserialize)]
struct Claims {
    uid: String,
    exp: u64,
}

impl DcosLogin {
    pub(crate) fn new(
        uid: &str,
        private_key_pem: &str,
        token_lifetime: Duration,
    ) -> Result<Self, crate::Error> {
        let key = crate::dcos::load_rsa_key(private_key_pem.as_bytes())?;
        Ok(DcosLogin {
            uid: uid.to_owned(),
            public_key: key.public().as_ref().to_vec(),
            token_lifetime,
            issued: 0,
            valid: BTreeSet::new(),
        })
    }

    /// Checks a login request and returns the answer body, or why it was
    /// refused.
    pub(crate) fn login(&mut self, body: &[u8]) -> Result<String, &'static str> {
        let request: LoginRequest = serde_json::from_slice(body).map_err(|_| "bad login body")?;
        if request.uid != self.uid {
            return Err("unknown uid");
        }
        let claims = self.verify(&request.token)?;
        if claims.uid != self.uid {
            return Err("token uid does not match");
        }
        if claims.exp < now() {
            return Err("login token expired");
        }

        self.issued += 1;
        let exp = now() + self.token_lifetime.as_secs();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"uid":"{}","exp":{exp}}}"#, self.uid));
        let token = format!("{header}.{claims}.fake{}", self.issued);
        self.valid.insert(token.clone());
        Ok(serde_json::json!({ "token": token }).to_string())
    }

    fn verify(&self, token: &str) -> Result<Claims, &'static str> {
        let (signed, signature) = token.rsplit_once('.').ok_or("login token is not a jwt")?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| "bad signature encoding")?;
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.public_key)
            .verify(signed.as_bytes(), &signature)
            .map_err(|_| "bad signature")?;

        let (header, payload) = signed.split_once('.').ok_or("login token is not a jwt")?;
        let header = URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| "bad header encoding")?;
        let header: serde_json::Value =
            serde_json::from_slice(&header).map_err(|_| "bad header json")?;
        if header["alg"] != "RS256" {
            return Err("login token is not rs256");
        }
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| "bad payload encoding")?;
        serde_json::from_slice(&payload).map_err(|_| "bad claims")
    }

    /// Whether an auth token was issued here, is not revoked and has not
    /// expired.
    pub(crate) fn accepts(&self, token: &str) -> bool {
        if !self.valid.contains(token) {
            return false;
        }
        let expiry = token
            .split('.')
            .nth(1)
            .and_then(|claims| URL_SAFE_NO_PAD.decode(claims).ok())
            .and_then(|claims| serde_json::from_slice::<Claims>(&claims).ok())
            .map(|claims| claims.exp);
        expiry.is_some_and(|exp| exp >= now())
    }

    pub(crate) fn revoke_all(&mut self) {
        self.valid.clear();
    }

    pub(crate) fn issued(&self) -> usize {
        self.issued
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
