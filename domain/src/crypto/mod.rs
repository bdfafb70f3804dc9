//! National cryptography (GB/T 39786): SM4-GCM for sensitive columns, HMAC-SM3 for blind
//! indexes and the audit chain, PBKDF2-HMAC-SM3 for passwords. All from RustCrypto crates,
//! pinned by the GB/T 32905 / GB/T 32907 / RFC 8998 test vectors in `tests` below.

mod field;
mod keys;
mod password;

pub use field::{FieldAad, FieldCipher};
pub use keys::{
    DEMO_AUDIT_KEY, DEMO_DATA_KEY, DEMO_INDEX_KEY, KeyMaterial, KeyProvider, StaticKeys,
};
pub use password::{PasswordHasher, verify_password};

use hmac::{KeyInit, Mac};

/// HMAC-SM3.
pub type HmacSm3 = hmac::Hmac<sm3::Sm3>;

/// HMAC-SM3 of `parts` (each length-prefixed, so that part boundaries are unambiguous).
pub fn hmac_sm3(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = match <HmacSm3 as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SM3 of one message, exactly as RFC 2104 defines HMAC (no framing of the message): what
/// interoperating constructions such as RFC 4226's HOTP need.
pub fn hmac_sm3_plain(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = match <HmacSm3 as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Constant-time equality of two byte strings.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use aes_gcm::aead::{Aead, KeyInit as _, Payload};
    use sm3::Digest;
    use sm4::cipher::BlockCipherEncrypt;

    use super::field::Sm4Gcm;

    #[test]
    fn sm3_matches_gbt_32905_example() {
        let digest = sm3::Sm3::digest(b"abc");
        assert_eq!(
            hex::encode(digest),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        let d2 = sm3::Sm3::digest(b"abcd".repeat(16));
        assert_eq!(
            hex::encode(d2),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
    }

    #[test]
    fn sm4_matches_gbt_32907_example() {
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let cipher = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = sm4::cipher::Array::try_from(&key[..]).unwrap();
        cipher.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn sm4_gcm_matches_rfc_8998_appendix_a() {
        let key = hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let nonce = hex::decode("00001234567800000000ABCD").unwrap();
        let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
        let pt = hex::decode(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD\
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        let cipher = Sm4Gcm::new_from_slice(&key).unwrap();
        let nonce = aes_gcm::Nonce::try_from(&nonce[..]).unwrap();
        let out = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: &pt,
                    aad: &aad,
                },
            )
            .unwrap();
        let (ct, tag) = out.split_at(pt.len());
        assert_eq!(
            hex::encode(ct),
            "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735\
             d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
        );
        assert_eq!(hex::encode(tag), "83de3541e4c2b58177e065a9bf7b62ec");
        let back = cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &out,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(back, pt);
    }

    #[test]
    fn plain_hmac_sm3_matches_openssl() {
        // `openssl mac -digest SM3 -macopt key:12345678901234567890 HMAC` over the 8-byte
        // counter 0 (computed outside the project, also with Python's hmac over OpenSSL's and
        // gmssl's SM3).
        let mac = super::hmac_sm3_plain(b"12345678901234567890", &0u64.to_be_bytes());
        assert_eq!(
            hex::encode(mac),
            "6eca0896e703f64b7d29b9706ddf01aca7dc59646f15f123a482a1786fe395fd"
        );
    }

    #[test]
    fn hmac_sm3_depends_on_key_and_part_boundaries() {
        let a = super::hmac_sm3(b"k1", &[b"ab", b"c"]);
        assert_ne!(a, super::hmac_sm3(b"k2", &[b"ab", b"c"]));
        assert_ne!(a, super::hmac_sm3(b"k1", &[b"a", b"bc"]));
        assert_eq!(a, super::hmac_sm3(b"k1", &[b"ab", b"c"]));
    }
}
