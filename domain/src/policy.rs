//! Field policy: one table deciding, for each sensitive field and role, whether the value is
//! shown in full, masked, or not at all, and whether a full reveal (an audited act) is allowed.
//! Queries, subscriptions, exports and error messages all go through it.

use crate::viewer::{Role, Viewer};

/// Sensitive person fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SensitiveField {
    /// 身份证号码
    IdNumber,
    /// 残疾人证号
    CertificateNumber,
    /// 手机号码
    Phone,
    /// 居住地址
    Address,
}

impl SensitiveField {
    /// Stable code (schema enum value, audit detail).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdNumber => "ID_NUMBER",
            Self::CertificateNumber => "CERTIFICATE_NUMBER",
            Self::Phone => "PHONE",
            Self::Address => "ADDRESS",
        }
    }
}

/// How a field is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// The full value.
    Full,
    /// A masked value (`310***********1234`).
    Masked,
    /// Nothing (`null`).
    Hidden,
}

/// The policy for one role and field: default visibility and whether a reveal is allowed.
pub fn policy(role: Role, _field: SensitiveField) -> (Visibility, bool) {
    match role {
        // Region admins work with masked values and reveal one value at a time, audited.
        Role::CityAdmin | Role::DistrictAdmin | Role::StreetAdmin => (Visibility::Masked, true),
        // A citizen sees their own record masked (shoulder-surfing on a phone) and may reveal it.
        Role::Citizen => (Visibility::Masked, true),
        // No personal data for volunteers or the separated duties.
        // Nor for enterprises: an applicant's identity reaches an enterprise only through an
        // accepted interview invitation (employment), never through the registry's fields.
        Role::Volunteer
        | Role::SystemAdmin
        | Role::SecurityAdmin
        | Role::Auditor
        | Role::Enterprise => (Visibility::Hidden, false),
    }
}

/// The policy for a principal: its role's, except that a third-party client never reveals.
pub fn policy_for(viewer: &Viewer, field: SensitiveField) -> (Visibility, bool) {
    let (visibility, reveal) = policy(viewer.role, field);
    (visibility, reveal && viewer.client.is_none())
}

/// Apply the policy's default visibility to a plaintext value.
pub fn present(role: Role, field: SensitiveField, plaintext: &str) -> Option<String> {
    match policy(role, field).0 {
        Visibility::Full => Some(plaintext.to_owned()),
        Visibility::Masked => Some(mask(field, plaintext)),
        Visibility::Hidden => None,
    }
}

/// Mask a value of `field`.
pub fn mask(field: SensitiveField, value: &str) -> String {
    match field {
        SensitiveField::IdNumber => mask_id_number(value),
        SensitiveField::CertificateNumber => mask_certificate(value),
        SensitiveField::Phone => mask_phone(value),
        SensitiveField::Address => mask_address(value),
    }
}

fn keep_ends(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `310***********1234`
pub fn mask_id_number(value: &str) -> String {
    keep_ends(value, 3, 4)
}

/// `310*************1234`
pub fn mask_certificate(value: &str) -> String {
    keep_ends(value, 3, 4)
}

/// `138****5678`
pub fn mask_phone(value: &str) -> String {
    keep_ends(value, 3, 4)
}

/// A person's name in an SMS or an export: its first character, the rest as `*` (`王**`).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    let first: String = chars.next().map(String::from).unwrap_or_default();
    first + &"*".repeat(chars.count().max(1))
}

/// The first six characters (district and street) and `****`.
pub fn mask_address(value: &str) -> String {
    let head: String = value.chars().take(6).collect();
    format!("{head}****")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_have_the_documented_shape() {
        assert_eq!(mask_id_number("310115198001011234"), "310***********1234");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(
            mask_certificate("31011519800101123442"),
            "310*************3442"
        );
        assert_eq!(
            mask_address("上海市浦东新区陆家嘴环路1000号"),
            "上海市浦东新****"
        );
        assert_eq!(mask_phone("12"), "**");
    }

    #[test]
    fn a_third_party_client_sees_its_roles_masks_but_never_reveals() {
        let mut viewer = Viewer {
            account_id: uuid::Uuid::nil(),
            username: "client:pudong-flagship".into(),
            role: Role::DistrictAdmin,
            region: None,
            person_id: None,
            client: None,
        };
        assert_eq!(
            policy_for(&viewer, SensitiveField::IdNumber),
            (Visibility::Masked, true)
        );
        viewer.client = Some("pudong-flagship".into());
        for field in [
            SensitiveField::IdNumber,
            SensitiveField::CertificateNumber,
            SensitiveField::Phone,
            SensitiveField::Address,
        ] {
            assert_eq!(policy_for(&viewer, field), (Visibility::Masked, false));
        }
    }

    #[test]
    fn separated_duties_see_nothing_and_cannot_reveal() {
        for role in [
            Role::SystemAdmin,
            Role::SecurityAdmin,
            Role::Auditor,
            Role::Volunteer,
            Role::Enterprise,
        ] {
            assert_eq!(
                present(role, SensitiveField::IdNumber, "310115198001011234"),
                None
            );
            assert!(!policy(role, SensitiveField::Phone).1);
        }
        assert_eq!(
            present(Role::DistrictAdmin, SensitiveField::Phone, "13812345678").as_deref(),
            Some("138****5678")
        );
    }
}
