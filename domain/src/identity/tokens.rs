//! Signed access tokens (JWT, HS256 via `jsonwebtoken`). HTTP `Authorization: Bearer` and the
//! WebSocket `connection_init` payload both turn a token into the same `Viewer` here.

use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::account;
use crate::error::{DomainError, DomainResult};
use crate::types::RegionCode;
use crate::viewer::{Role, Viewer};

const ISSUER: &str = "zhucan";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: Uuid,
    usr: String,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rgn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<Uuid>,
    iat: i64,
    exp: i64,
    jti: Uuid,
    iss: String,
    /// Restricted stage (absent: full access).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stg: Option<String>,
}

/// What a session may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionStage {
    /// Everything the role allows.
    #[default]
    Full,
    /// Signed in with the password, but an admin role without a second factor yet: only
    /// enrolment, password change and sign-out.
    SecondFactorEnrollment,
    /// The password must be changed first (first sign-in or expired).
    PasswordChange,
}

impl SessionStage {
    fn code(self) -> Option<&'static str> {
        match self {
            Self::Full => None,
            Self::SecondFactorEnrollment => Some("MFA_ENROLL"),
            Self::PasswordChange => Some("PWD_CHANGE"),
        }
    }

    fn from_code(c: Option<&str>) -> Self {
        match c {
            Some("MFA_ENROLL") => Self::SecondFactorEnrollment,
            Some("PWD_CHANGE") => Self::PasswordChange,
            _ => Self::Full,
        }
    }
}

/// The token behind a viewer: its id and lifetime (for revocation and stream ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// The token's `jti`.
    pub jti: Uuid,
    /// When it was issued (whole seconds).
    pub issued_at: DateTime<Utc>,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// What it may do.
    pub stage: SessionStage,
}

/// A freshly issued token.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The compact JWT.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// What it may do.
    pub stage: SessionStage,
}

/// Issues and verifies access tokens.
#[derive(Clone)]
pub struct TokenService {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl TokenService {
    /// A service signing with `secret` (at least 32 bytes) and issuing tokens valid for `ttl`.
    pub fn new(secret: &[u8], ttl: std::time::Duration) -> DomainResult<Self> {
        if secret.len() < 32 {
            return Err(DomainError::bad_input("jwt_secret", "签名密钥至少32字节"));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 5;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret).map_err(DomainError::internal)?,
            decoding: DecodingKey::from_secret(secret).map_err(DomainError::internal)?,
            validation,
            ttl: Duration::from_std(ttl).map_err(DomainError::internal)?,
        })
    }

    /// Issue a full token for an account.
    pub fn issue(&self, account: &account::Model) -> DomainResult<IssuedToken> {
        self.issue_stage(account, SessionStage::Full)
    }

    /// Issue a token for an account at `stage`.
    pub fn issue_stage(
        &self,
        account: &account::Model,
        stage: SessionStage,
    ) -> DomainResult<IssuedToken> {
        let now = Utc::now();
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: account.id,
            usr: account.username.clone(),
            role: account.role.clone(),
            rgn: account.region_code.clone(),
            pid: account.person_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            jti: Uuid::now_v7(),
            iss: ISSUER.to_owned(),
            stg: stage.code().map(str::to_owned),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(DomainError::internal)?;
        Ok(IssuedToken {
            token,
            expires_at,
            stage,
        })
    }

    /// Verify a token and build its viewer with the token's expiry. Forged, expired, wrongly
    /// signed and `alg: none` tokens are all `UNAUTHENTICATED`.
    pub fn verify(&self, token: &str) -> DomainResult<(Viewer, Session)> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| DomainError::Unauthenticated("登录凭证无效或已过期，请重新登录"))?;
        let c = data.claims;
        let role = Role::from_code(&c.role).ok_or(DomainError::Unauthenticated(
            "登录凭证无效或已过期，请重新登录",
        ))?;
        let region = c
            .rgn
            .as_deref()
            .map(|r| RegionCode::parse("rgn", r))
            .transpose()
            .map_err(|_| DomainError::Unauthenticated("登录凭证无效"))?;
        let expires = DateTime::from_timestamp(c.exp, 0).unwrap_or_else(Utc::now);
        let issued_at = DateTime::from_timestamp(c.iat, 0).unwrap_or_else(Utc::now);
        let session = Session {
            jti: c.jti,
            issued_at,
            expires_at: expires,
            stage: SessionStage::from_code(c.stg.as_deref()),
        };
        Ok((
            Viewer {
                account_id: c.sub,
                username: c.usr,
                role,
                region,
                person_id: c.pid,
                client: None,
            },
            session,
        ))
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;

    fn account() -> account::Model {
        account::Model {
            id: Uuid::now_v7(),
            username: "district_admin_310115".into(),
            display_name: "x".into(),
            password_hash: String::new(),
            role: crate::viewer::Role::DistrictAdmin.as_str().into(),
            region_code: Some("310115".into()),
            person_id: None,
            active: true,
            created_at: Utc::now(),
            phone_enc: None,
            failed_logins: 0,
            locked_until: None,
            sessions_valid_after: None,
            totp_secret_enc: None,
            totp_confirmed: false,
            totp_last_step: None,
            password_changed_at: None,
            must_change_password: false,
            password_history: "[]".to_owned(),
            sm2_public_key: None,
            origin: "OPERATOR".to_owned(),
            otp_token_serial: None,
            otp_token_seed_enc: None,
            otp_token_step_secs: None,
            otp_token_last_step: None,
        }
    }

    #[test]
    fn round_trips_to_a_viewer() {
        let svc = TokenService::new(&[7; 32], std::time::Duration::from_secs(60)).unwrap();
        let t = svc.issue(&account()).unwrap();
        let (v, _) = svc.verify(&t.token).unwrap();
        assert_eq!(v.role, Role::DistrictAdmin);
        assert_eq!(v.region.unwrap().as_str(), "310115");
    }

    #[test]
    fn rejects_other_keys_alg_none_and_expired_tokens() {
        let svc = TokenService::new(&[7; 32], std::time::Duration::from_secs(60)).unwrap();
        let other = TokenService::new(&[8; 32], std::time::Duration::from_secs(60)).unwrap();
        let t = other.issue(&account()).unwrap();
        assert!(matches!(
            svc.verify(&t.token),
            Err(DomainError::Unauthenticated(_))
        ));

        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = t.token.split('.').nth(1).unwrap();
        let none = format!(
            "{}.{payload}.",
            b64.encode(br#"{"alg":"none","typ":"JWT"}"#)
        );
        assert!(svc.verify(&none).is_err());
        assert!(svc.verify("garbage").is_err());

        let expired = TokenService::new(&[7; 32], std::time::Duration::from_secs(0)).unwrap();
        let mut a = account();
        a.username = "old".into();
        let tok = expired.issue(&a).unwrap();
        // Validation allows 5 s of clock leeway; an `exp` far in the past must fail.
        let mut claims: serde_json::Value =
            serde_json::from_slice(&b64.decode(tok.token.split('.').nth(1).unwrap()).unwrap())
                .unwrap();
        claims["exp"] = serde_json::json!(1_000);
        let forged = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(&[7; 32]).unwrap(),
        )
        .unwrap();
        assert!(svc.verify(&forged).is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenService::new(b"short", std::time::Duration::from_secs(60)).is_err());
    }
}
