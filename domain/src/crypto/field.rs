//! SM4-GCM encryption of sensitive columns, bound to (table, column, row id) by the associated
//! data so that a ciphertext copied to another row or column fails to decrypt.
//!
//! Stored layout: `0x01 | key version | 12-byte random nonce | ciphertext | 16-byte tag`.

use std::sync::{Arc, OnceLock};

use aes_gcm::aead::{Aead, KeyInit, Payload, consts::U12};
use uuid::Uuid;

use super::KeyProvider;
use crate::error::{DomainError, DomainResult};

/// SM4 in GCM mode with a 96-bit nonce (RFC 8998).
pub type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, U12>;

const FORMAT: u8 = 1;
const HEADER: usize = 2 + 12;

/// Where a ciphertext lives; becomes the associated data.
#[derive(Debug, Clone, Copy)]
pub struct FieldAad<'a> {
    /// Table name.
    pub table: &'static str,
    /// Column name.
    pub column: &'static str,
    /// Row id.
    pub row: &'a Uuid,
}

impl FieldAad<'_> {
    fn bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(64);
        v.extend_from_slice(b"zhucan/v1|");
        v.extend_from_slice(self.table.as_bytes());
        v.push(b'|');
        v.extend_from_slice(self.column.as_bytes());
        v.push(b'|');
        v.extend_from_slice(self.row.as_bytes());
        v
    }
}

/// Encrypts and decrypts sensitive fields, and computes their blind indexes.
#[derive(Clone)]
pub struct FieldCipher {
    keys: Arc<dyn KeyProvider>,
    /// SM4-GCM initialised once per key version (key schedule and GHASH key), not per value:
    /// a page of twenty files decrypts a hundred values.
    ready: Arc<[OnceLock<Option<Sm4Gcm>>]>,
}

impl FieldCipher {
    /// A cipher over the given keys.
    pub fn new(keys: Arc<dyn KeyProvider>) -> Self {
        Self {
            keys,
            ready: (0..=u8::MAX).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The initialised cipher of a key version, from `key` the first time (`None`: the provider
    /// has no such version).
    fn cipher(&self, version: u8, key: impl FnOnce() -> Option<[u8; 16]>) -> Option<&Sm4Gcm> {
        self.ready[usize::from(version)]
            .get_or_init(|| Sm4Gcm::new_from_slice(&key()?).ok())
            .as_ref()
    }

    /// The key provider.
    pub fn keys(&self) -> &Arc<dyn KeyProvider> {
        &self.keys
    }

    /// Encrypt `plaintext` for the column and row in `aad`.
    pub fn encrypt(&self, aad: FieldAad<'_>, plaintext: &str) -> DomainResult<Vec<u8>> {
        let (version, key) = self.keys.current_data_key();
        let cipher = self
            .cipher(version, || Some(key))
            .ok_or_else(|| DomainError::internal(format!("no data key of version {version}")))?;
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = aes_gcm::Nonce::from(nonce_bytes);
        let ct = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad.bytes(),
                },
            )
            .map_err(|_| DomainError::internal("SM4-GCM encryption failed"))?;
        let mut out = Vec::with_capacity(HEADER + ct.len());
        out.push(FORMAT);
        out.push(version);
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypt a stored value; tampering, a wrong row binding or an unknown key version is an
    /// internal error (the cause is logged, never shown).
    pub fn decrypt(&self, aad: FieldAad<'_>, stored: &[u8]) -> DomainResult<String> {
        if stored.len() < HEADER + 16 || stored[0] != FORMAT {
            return Err(DomainError::internal(format!(
                "{}.{}: malformed ciphertext",
                aad.table, aad.column
            )));
        }
        let cipher = self
            .cipher(stored[1], || self.keys.data_key(stored[1]))
            .ok_or_else(|| {
                DomainError::internal(format!("unknown data key version {}", stored[1]))
            })?;
        let nonce = aes_gcm::Nonce::try_from(&stored[2..HEADER]).map_err(DomainError::internal)?;
        let pt = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &stored[HEADER..],
                    aad: &aad.bytes(),
                },
            )
            .map_err(|_| {
                DomainError::internal(format!(
                    "{}.{}: authentication failed",
                    aad.table, aad.column
                ))
            })?;
        String::from_utf8(pt).map_err(DomainError::internal)
    }

    /// HMAC-SM3 blind index of a normalised value, for exact lookups without decryption.
    pub fn blind_index(&self, purpose: &str, normalised: &str) -> Vec<u8> {
        super::hmac_sm3(
            self.keys.index_key(),
            &[purpose.as_bytes(), normalised.as_bytes()],
        )
        .to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::StaticKeys;

    fn cipher() -> FieldCipher {
        FieldCipher::new(Arc::new(StaticKeys::demo().unwrap()))
    }

    #[test]
    fn round_trips_and_uses_a_fresh_nonce() {
        let c = cipher();
        let row = Uuid::now_v7();
        let aad = FieldAad {
            table: "persons",
            column: "phone",
            row: &row,
        };
        let a = c.encrypt(aad, "13812345678").unwrap();
        let b = c.encrypt(aad, "13812345678").unwrap();
        assert_ne!(a, b);
        assert_eq!(c.decrypt(aad, &a).unwrap(), "13812345678");
        assert!(!a.windows(11).any(|w| w == b"13812345678"));
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_or_column_fails() {
        let c = cipher();
        let row = Uuid::now_v7();
        let other = Uuid::now_v7();
        let stored = c
            .encrypt(
                FieldAad {
                    table: "persons",
                    column: "phone",
                    row: &row,
                },
                "x",
            )
            .unwrap();
        assert!(
            c.decrypt(
                FieldAad {
                    table: "persons",
                    column: "phone",
                    row: &other
                },
                &stored
            )
            .is_err()
        );
        assert!(
            c.decrypt(
                FieldAad {
                    table: "persons",
                    column: "address",
                    row: &row
                },
                &stored
            )
            .is_err()
        );
    }

    #[test]
    fn tampered_or_truncated_ciphertext_is_an_error_not_a_panic() {
        let c = cipher();
        let row = Uuid::now_v7();
        let aad = FieldAad {
            table: "t",
            column: "c",
            row: &row,
        };
        let mut stored = c.encrypt(aad, "secret").unwrap();
        let last = stored.len() - 1;
        stored[last] ^= 1;
        assert!(c.decrypt(aad, &stored).is_err());
        assert!(c.decrypt(aad, &stored[..5]).is_err());
        assert!(c.decrypt(aad, &[]).is_err());
    }
}
