//! Demo data for the embedded default: realistic synthetic people (valid ID and certificate
//! numbers, Chinese names, a category and level mix close to the certified population, ages
//! 0–100) spread over Shanghai's real street-towns in proportion to each district's population,
//! deterministic from a seed; and one demo account per role.

mod accounts;
mod activities;
mod care;
mod catalog;
mod custody;
mod employment;
mod people;
mod subsidies;
mod survey;
mod volunteers;

pub use accounts::{
    DEMO_ACCOUNTS, DEMO_TOTP_SECRET, DemoAccount, seed_demo_accounts, set_demo_second_factor,
};
pub use activities::seed_demo_activities;
pub use care::seed_demo_care;
pub use catalog::{CatalogReport, demo_services, seed_catalog};
pub use custody::seed_demo_custody;
pub use employment::{ENTERPRISE_DEMO, seed_demo_employment};
pub use people::{PeopleGenerator, seed_people};
pub use subsidies::seed_demo_subsidies;
pub use survey::{needs_survey, seed_demo_surveys};
pub use volunteers::{DEMO_VOLUNTEERS, LUJIAZUI, seed_admin_phones, seed_demo_volunteers};
