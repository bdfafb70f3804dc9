//! Parse, don't validate: every input becomes one of these types or a `BAD_USER_INPUT` error
//! whose zh-CN message says what is wrong. Each type's unit tests sit beside it.

mod certificate;
mod credit_code;
mod id_number;
mod industry;
mod person_name;
mod phone;
mod region_code;
mod text;

pub mod bank_account;
mod money;

pub use certificate::{CertificateNumber, DisabilityCategory, DisabilityLevel, check_valid_until};
pub use credit_code::CreditCode;
pub use id_number::{IdNumber, Sex};
pub use industry::IndustrySection;
pub use money::{Fen, MAX_FEN};
pub use person_name::PersonName;
pub use phone::Phone;
pub use region_code::{CITY_CODE, RegionCode, RegionLevel, region_code_city};
pub use text::{BoundedText, is_bidi_control, is_invisible};
