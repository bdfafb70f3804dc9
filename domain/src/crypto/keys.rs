//! Key material behind a trait, so that a hardware cryptographic module can replace the
//! configured keys later without touching callers.

use std::collections::BTreeMap;

use crate::error::{DomainError, DomainResult};

/// Source of the platform's symmetric keys.
pub trait KeyProvider: Send + Sync {
    /// Version and key used for new encryptions.
    fn current_data_key(&self) -> (u8, [u8; 16]);
    /// The data key of a version, for decrypting older values.
    fn data_key(&self, version: u8) -> Option<[u8; 16]>;
    /// Key of the HMAC-SM3 blind indexes.
    fn index_key(&self) -> &[u8];
    /// Key of the HMAC-SM3 audit chain.
    fn audit_key(&self) -> &[u8];
}

/// Hex-encoded key material as it appears in configuration.
#[derive(Clone)]
pub struct KeyMaterial {
    /// `version:hex32` entries; the highest version encrypts.
    pub data_keys: String,
    /// Hex, at least 32 bytes.
    pub index_key: String,
    /// Hex, at least 32 bytes.
    pub audit_key: String,
}

/// The embedded default's published demo keys. The production profile refuses to start with any
/// of them.
/// Demo data key (version 1), index key and audit key, hex.
pub const DEMO_DATA_KEY: &str = "1:7a687563616e2d64656d6f2d6b657931";
/// Demo blind-index key, hex.
pub const DEMO_INDEX_KEY: &str = "7a687563616e2d64656d6f2d696e6465782d6b65792d6e6f742d736563726574";
/// Demo audit-chain key, hex.
pub const DEMO_AUDIT_KEY: &str = "7a687563616e2d64656d6f2d61756469742d6b65792d6e6f742d736563726574";

/// Keys parsed from configuration.
pub struct StaticKeys {
    data: BTreeMap<u8, [u8; 16]>,
    current: (u8, [u8; 16]),
    index: Vec<u8>,
    audit: Vec<u8>,
}

impl StaticKeys {
    /// Parse key material; errors name the configuration key at fault.
    pub fn from_material(m: &KeyMaterial) -> DomainResult<Self> {
        let mut data = BTreeMap::new();
        for entry in m
            .data_keys
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (v, k) = entry
                .split_once(':')
                .ok_or_else(|| bad("data_keys", "应为 版本:32位十六进制 的列表"))?;
            let v: u8 = v
                .trim()
                .parse()
                .map_err(|_| bad("data_keys", "版本号应为0–255"))?;
            let bytes = hex::decode(k.trim()).map_err(|_| bad("data_keys", "密钥应为十六进制"))?;
            let key: [u8; 16] = bytes
                .try_into()
                .map_err(|_| bad("data_keys", "SM4密钥应为16字节"))?;
            data.insert(v, key);
        }
        let current = data
            .iter()
            .next_back()
            .map(|(v, k)| (*v, *k))
            .ok_or_else(|| bad("data_keys", "至少需要一个数据密钥"))?;
        let index =
            hex::decode(m.index_key.trim()).map_err(|_| bad("index_key", "应为十六进制"))?;
        let audit =
            hex::decode(m.audit_key.trim()).map_err(|_| bad("audit_key", "应为十六进制"))?;
        if index.len() < 32 {
            return Err(bad("index_key", "至少32字节"));
        }
        if audit.len() < 32 {
            return Err(bad("audit_key", "至少32字节"));
        }
        Ok(Self {
            data,
            current,
            index,
            audit,
        })
    }

    /// The published demo keys.
    pub fn demo() -> DomainResult<Self> {
        Self::from_material(&KeyMaterial {
            data_keys: DEMO_DATA_KEY.to_owned(),
            index_key: DEMO_INDEX_KEY.to_owned(),
            audit_key: DEMO_AUDIT_KEY.to_owned(),
        })
    }
}

fn bad(key: &str, msg: &str) -> DomainError {
    DomainError::bad_input(key, msg)
}

impl KeyProvider for StaticKeys {
    fn current_data_key(&self) -> (u8, [u8; 16]) {
        self.current
    }
    fn data_key(&self, version: u8) -> Option<[u8; 16]> {
        self.data.get(&version).copied()
    }
    fn index_key(&self) -> &[u8] {
        &self.index
    }
    fn audit_key(&self) -> &[u8] {
        &self.audit
    }
}
