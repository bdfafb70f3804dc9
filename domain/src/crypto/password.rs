//! Password storage with PBKDF2-HMAC-SM3 (salted, slow; iterations recorded in the hash).
//! Format: `pbkdf2-sm3$<iterations>$<salt hex>$<hash hex>`.

use crate::error::{DomainError, DomainResult};

/// Hashes new passwords with a configured iteration count.
#[derive(Debug, Clone, Copy)]
pub struct PasswordHasher {
    iterations: u32,
}

impl PasswordHasher {
    /// A hasher with `iterations` rounds (at least 1,000).
    pub fn new(iterations: u32) -> Self {
        Self {
            iterations: iterations.max(1_000),
        }
    }

    /// Hash a password with a fresh 16-byte salt.
    pub fn hash(&self, password: &str) -> DomainResult<String> {
        let salt: [u8; 16] = rand::random();
        let out = derive(password, &salt, self.iterations)?;
        Ok(format!(
            "pbkdf2-sm3${}${}${}",
            self.iterations,
            hex::encode(salt),
            hex::encode(out)
        ))
    }
}

fn derive(password: &str, salt: &[u8], iterations: u32) -> DomainResult<[u8; 32]> {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2::<super::HmacSm3>(password.as_bytes(), salt, iterations, &mut out)
        .map_err(DomainError::internal)?;
    Ok(out)
}

/// Check a password against a stored hash in constant time; a malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    let mut parts = stored.split('$');
    let (Some("pbkdf2-sm3"), Some(iter), Some(salt), Some(hash), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let (Ok(iterations), Ok(salt), Ok(hash)) =
        (iter.parse::<u32>(), hex::decode(salt), hex::decode(hash))
    else {
        return false;
    };
    match derive(password, &salt, iterations) {
        Ok(out) => super::ct_eq(&out, &hash),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_the_right_password_only() {
        let h = PasswordHasher::new(1_000).hash("Zhucan@2026").unwrap();
        assert!(h.starts_with("pbkdf2-sm3$1000$"));
        assert!(verify_password("Zhucan@2026", &h));
        assert!(!verify_password("zhucan@2026", &h));
        assert!(!verify_password("Zhucan@2026", "garbage"));
        assert!(!verify_password("Zhucan@2026", "pbkdf2-sm3$x$00$00"));
    }

    #[test]
    fn salts_differ() {
        let h = PasswordHasher::new(1_000);
        assert_ne!(h.hash("a").unwrap(), h.hash("a").unwrap());
    }
}
