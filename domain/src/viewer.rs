//! Who is asking: the typed `Viewer` built at the edge (HTTP header or WebSocket
//! `connection_init`), its role, and the row scope derived from it.

use uuid::Uuid;

use crate::types::{RegionCode, RegionLevel};

/// Roles of the platform. Admin roles are bound to one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A disabled person or family member: sees only their own record.
    Citizen,
    /// A volunteer: own record; open requests near them.
    Volunteer,
    /// 街镇 admin: one street-town.
    StreetAdmin,
    /// 区 admin: one district.
    DistrictAdmin,
    /// 市 admin: all of Shanghai.
    CityAdmin,
    /// Accounts and configuration; no personal data, no audit trail (三权分立).
    SystemAdmin,
    /// Roles and scopes; no personal data (三权分立).
    SecurityAdmin,
    /// Reads and verifies the audit trail only (三权分立).
    Auditor,
    /// 用人单位: one enterprise's own account (its jobs, fairs and applicants, de-identified
    /// until invited); no person data.
    Enterprise,
}

impl Role {
    /// All roles.
    pub const ALL: [Self; 9] = [
        Self::Citizen,
        Self::Volunteer,
        Self::StreetAdmin,
        Self::DistrictAdmin,
        Self::CityAdmin,
        Self::SystemAdmin,
        Self::SecurityAdmin,
        Self::Auditor,
        Self::Enterprise,
    ];

    /// Stable code, as in the schema and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "CITIZEN",
            Self::Volunteer => "VOLUNTEER",
            Self::StreetAdmin => "STREET_ADMIN",
            Self::DistrictAdmin => "DISTRICT_ADMIN",
            Self::CityAdmin => "CITY_ADMIN",
            Self::SystemAdmin => "SYSTEM_ADMIN",
            Self::SecurityAdmin => "SECURITY_ADMIN",
            Self::Auditor => "AUDITOR",
            Self::Enterprise => "ENTERPRISE",
        }
    }

    /// Parse a stable code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// The region level an admin of this role is bound to, if any.
    pub fn region_level(self) -> Option<RegionLevel> {
        match self {
            Self::StreetAdmin => Some(RegionLevel::Street),
            Self::DistrictAdmin => Some(RegionLevel::District),
            Self::CityAdmin => Some(RegionLevel::City),
            _ => None,
        }
    }

    /// Whether this role manages people within a region (street, district or city admin).
    pub fn is_region_admin(self) -> bool {
        self.region_level().is_some()
    }
}

/// Where a request came from; copied into every audit record.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// Client IP as seen by the server (first hop).
    pub client_ip: String,
    /// Request id (`x-request-id`), generated at the edge when absent.
    pub request_id: String,
}

/// An authenticated principal.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Account id.
    pub account_id: Uuid,
    /// Username (for audit records).
    pub username: String,
    /// Role.
    pub role: Role,
    /// Region an admin is bound to.
    pub region: Option<RegionCode>,
    /// The registry person a citizen account belongs to.
    pub person_id: Option<Uuid>,
    /// The third-party client acting (合作方), when the principal is one: it holds the granted
    /// scope of its role but may never reveal a value (field policy).
    pub client: Option<String>,
}

/// Row scope over the person registry. Constructed only from a `Viewer`, so repositories that
/// take a `&PersonScope` cannot be called without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonScope(ScopeKind);

/// What a `PersonScope` admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeKind {
    /// All of Shanghai.
    City,
    /// One district (6-digit code).
    District(RegionCode),
    /// One street-town (9-digit code).
    Street(RegionCode),
    /// Only the viewer's own person record.
    Person(Uuid),
    /// No person at all (volunteers, system/security admins, auditors).
    Nothing,
}

impl PersonScope {
    /// The scope a viewer may read and write people in.
    pub fn of(viewer: &Viewer) -> Self {
        let kind = match (viewer.role, &viewer.region) {
            (Role::CityAdmin, _) => ScopeKind::City,
            (Role::DistrictAdmin, Some(r)) if r.level() == RegionLevel::District => {
                ScopeKind::District(r.clone())
            }
            (Role::StreetAdmin, Some(r)) if r.level() == RegionLevel::Street => {
                ScopeKind::Street(r.clone())
            }
            (Role::Citizen, _) => viewer
                .person_id
                .map_or(ScopeKind::Nothing, ScopeKind::Person),
            _ => ScopeKind::Nothing,
        };
        Self(kind)
    }

    /// What this scope admits.
    pub fn kind(&self) -> &ScopeKind {
        &self.0
    }

    /// Whether a person living in `street` (with id `person`) is inside the scope.
    pub fn admits(&self, person: Uuid, street: &str) -> bool {
        match &self.0 {
            ScopeKind::City => true,
            ScopeKind::District(d) => street.starts_with(d.as_str()),
            ScopeKind::Street(s) => street == s.as_str(),
            ScopeKind::Person(id) => *id == person,
            ScopeKind::Nothing => false,
        }
    }

    /// Whether an admin in this scope may register or move people into `street`.
    pub fn may_write_region(&self, street: &RegionCode) -> bool {
        match &self.0 {
            ScopeKind::City => true,
            ScopeKind::District(d) => d.contains(street),
            ScopeKind::Street(s) => s == street,
            ScopeKind::Person(_) | ScopeKind::Nothing => false,
        }
    }

    /// Short text for audit records: `CITY`, `DISTRICT:310115`, `STREET:310115005`, `SELF`, `NONE`.
    pub fn describe(&self) -> String {
        match &self.0 {
            ScopeKind::City => "CITY".to_owned(),
            ScopeKind::District(d) => format!("DISTRICT:{d}"),
            ScopeKind::Street(s) => format!("STREET:{s}"),
            ScopeKind::Person(_) => "SELF".to_owned(),
            ScopeKind::Nothing => "NONE".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role, region: Option<&str>) -> Viewer {
        Viewer {
            account_id: Uuid::nil(),
            username: "t".into(),
            role,
            region: region.map(|r| RegionCode::parse("r", r).unwrap()),
            person_id: None,
            client: None,
        }
    }

    #[test]
    fn each_admin_level_gets_its_region_and_no_more() {
        let pudong = PersonScope::of(&viewer(Role::DistrictAdmin, Some("310115")));
        assert!(pudong.admits(Uuid::nil(), "310115005"));
        assert!(!pudong.admits(Uuid::nil(), "310101002"));
        let ljz = PersonScope::of(&viewer(Role::StreetAdmin, Some("310115005")));
        assert!(ljz.admits(Uuid::nil(), "310115005"));
        assert!(!ljz.admits(Uuid::nil(), "310115007"));
        assert!(
            PersonScope::of(&viewer(Role::CityAdmin, Some("310000")))
                .admits(Uuid::nil(), "310101002")
        );
    }

    #[test]
    fn separated_duties_and_misbound_admins_see_nobody() {
        for role in [
            Role::SystemAdmin,
            Role::SecurityAdmin,
            Role::Auditor,
            Role::Volunteer,
            Role::Enterprise,
        ] {
            assert_eq!(
                PersonScope::of(&viewer(role, Some("310000"))).kind(),
                &ScopeKind::Nothing
            );
        }
        // A district admin wrongly bound to a street-town code gets nothing, not that street.
        assert_eq!(
            PersonScope::of(&viewer(Role::DistrictAdmin, Some("310115005"))).kind(),
            &ScopeKind::Nothing
        );
        assert_eq!(
            PersonScope::of(&viewer(Role::Citizen, None)).kind(),
            &ScopeKind::Nothing
        );
    }
}
