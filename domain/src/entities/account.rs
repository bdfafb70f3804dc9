//! `accounts`: staff, citizen and volunteer sign-in.
use sea_orm::entity::prelude::*;

/// One account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    /// Id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique sign-in name.
    #[sea_orm(unique)]
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// PBKDF2-HMAC-SM3 hash.
    pub password_hash: String,
    /// Role code.
    pub role: String,
    /// Region an admin is bound to.
    pub region_code: Option<String>,
    /// Registry person of a citizen account.
    pub person_id: Option<Uuid>,
    /// Disabled accounts cannot sign in.
    pub active: bool,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// SM4-GCM ciphertext of the mobile phone (staff: SMS escalations).
    pub phone_enc: Option<Vec<u8>>,
    /// Consecutive failed sign-ins since the last success or lockout.
    pub failed_logins: i32,
    /// Sign-in refused until then.
    pub locked_until: Option<DateTimeUtc>,
    /// Tokens issued at or before this instant are revoked (forced sign-out).
    pub sessions_valid_after: Option<DateTimeUtc>,
    /// SM4-GCM ciphertext of the TOTP-SM3 secret.
    pub totp_secret_enc: Option<Vec<u8>>,
    /// The secret was confirmed with a code (second factor in force).
    pub totp_confirmed: bool,
    /// Last time step accepted (replay protection).
    pub totp_last_step: Option<i64>,
    /// When the password was last set.
    pub password_changed_at: Option<DateTimeUtc>,
    /// The password must be changed at the next sign-in.
    pub must_change_password: bool,
    /// JSON array of earlier password hashes, newest first.
    pub password_history: String,
    /// SEC1 public key of the staff member's SM2 UKey.
    pub sm2_public_key: Option<Vec<u8>>,
    /// Who made the account: `OPERATOR`, `SYSTEM_ADMIN` or `SELF` (see `AccountOrigin`).
    pub origin: String,
    /// Serial number of a GM/T 0021 hardware token.
    pub otp_token_serial: Option<String>,
    /// SM4-GCM ciphertext of the token's seed (hex).
    pub otp_token_seed_enc: Option<Vec<u8>>,
    /// The token's time step, seconds.
    pub otp_token_step_secs: Option<i32>,
    /// Last token time step accepted (replay protection).
    pub otp_token_last_step: Option<i64>,
}

/// No relations are navigated through sea-orm.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
