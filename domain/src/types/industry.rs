//! Industry of an organisation: the twenty sections (门类) A–T of the national economic industry
//! classification (国民经济行业分类, GB/T 4754-2017), stored as the section letter.
//!
//! Written out rather than with `code_enum!`: that macro's `parse` matches the stored code
//! exactly, while a section letter is accepted here in either case, and it needs a default
//! variant, which an industry does not have.

use crate::error::{DomainError, DomainResult};

/// A section (门类) of GB/T 4754-2017.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndustrySection {
    /// A 农、林、牧、渔业
    Agriculture,
    /// B 采矿业
    Mining,
    /// C 制造业
    Manufacturing,
    /// D 电力、热力、燃气及水生产和供应业
    Utilities,
    /// E 建筑业
    Construction,
    /// F 批发和零售业
    WholesaleRetail,
    /// G 交通运输、仓储和邮政业
    TransportStoragePost,
    /// H 住宿和餐饮业
    AccommodationCatering,
    /// I 信息传输、软件和信息技术服务业
    InformationTechnology,
    /// J 金融业
    Finance,
    /// K 房地产业
    RealEstate,
    /// L 租赁和商务服务业
    LeasingBusinessServices,
    /// M 科学研究和技术服务业
    ResearchTechnicalServices,
    /// N 水利、环境和公共设施管理业
    WaterEnvironmentPublicFacilities,
    /// O 居民服务、修理和其他服务业
    ResidentServicesRepair,
    /// P 教育
    Education,
    /// Q 卫生和社会工作
    HealthSocialWork,
    /// R 文化、体育和娱乐业
    CultureSportsEntertainment,
    /// S 公共管理、社会保障和社会组织
    PublicAdministration,
    /// T 国际组织
    InternationalOrganisations,
}

impl IndustrySection {
    /// Every section, in letter order.
    pub const ALL: &'static [Self] = &[
        Self::Agriculture,
        Self::Mining,
        Self::Manufacturing,
        Self::Utilities,
        Self::Construction,
        Self::WholesaleRetail,
        Self::TransportStoragePost,
        Self::AccommodationCatering,
        Self::InformationTechnology,
        Self::Finance,
        Self::RealEstate,
        Self::LeasingBusinessServices,
        Self::ResearchTechnicalServices,
        Self::WaterEnvironmentPublicFacilities,
        Self::ResidentServicesRepair,
        Self::Education,
        Self::HealthSocialWork,
        Self::CultureSportsEntertainment,
        Self::PublicAdministration,
        Self::InternationalOrganisations,
    ];

    /// The section letter (`"A"` … `"T"`), as stored and as in the schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agriculture => "A",
            Self::Mining => "B",
            Self::Manufacturing => "C",
            Self::Utilities => "D",
            Self::Construction => "E",
            Self::WholesaleRetail => "F",
            Self::TransportStoragePost => "G",
            Self::AccommodationCatering => "H",
            Self::InformationTechnology => "I",
            Self::Finance => "J",
            Self::RealEstate => "K",
            Self::LeasingBusinessServices => "L",
            Self::ResearchTechnicalServices => "M",
            Self::WaterEnvironmentPublicFacilities => "N",
            Self::ResidentServicesRepair => "O",
            Self::Education => "P",
            Self::HealthSocialWork => "Q",
            Self::CultureSportsEntertainment => "R",
            Self::PublicAdministration => "S",
            Self::InternationalOrganisations => "T",
        }
    }

    /// The section's official name in GB/T 4754-2017.
    pub fn label(self) -> &'static str {
        match self {
            Self::Agriculture => "农、林、牧、渔业",
            Self::Mining => "采矿业",
            Self::Manufacturing => "制造业",
            Self::Utilities => "电力、热力、燃气及水生产和供应业",
            Self::Construction => "建筑业",
            Self::WholesaleRetail => "批发和零售业",
            Self::TransportStoragePost => "交通运输、仓储和邮政业",
            Self::AccommodationCatering => "住宿和餐饮业",
            Self::InformationTechnology => "信息传输、软件和信息技术服务业",
            Self::Finance => "金融业",
            Self::RealEstate => "房地产业",
            Self::LeasingBusinessServices => "租赁和商务服务业",
            Self::ResearchTechnicalServices => "科学研究和技术服务业",
            Self::WaterEnvironmentPublicFacilities => "水利、环境和公共设施管理业",
            Self::ResidentServicesRepair => "居民服务、修理和其他服务业",
            Self::Education => "教育",
            Self::HealthSocialWork => "卫生和社会工作",
            Self::CultureSportsEntertainment => "文化、体育和娱乐业",
            Self::PublicAdministration => "公共管理、社会保障和社会组织",
            Self::InternationalOrganisations => "国际组织",
        }
    }

    /// Parse a submitted section letter, `A`–`T` in either case, surrounding whitespace ignored;
    /// `field` names the input field in the error.
    pub fn parse(field: &str, code: &str) -> DomainResult<Self> {
        let code = code.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.as_str().eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                DomainError::bad_input(
                    field,
                    "国民经济行业门类应为A至T中的一个字母（GB/T 4754-2017）",
                )
            })
    }

    /// The section for a stored letter (exactly `"A"` … `"T"`), `None` for anything else.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sections of GB/T 4754-2017 as published in independent copies of the table:
    /// zmshe/capital `src/utils/category.js` (the 2017 edition, level-1 rows) and
    /// lianjintai/openapi-doc `2.4/dict_mtIndTypCd.md` (行业类型门类).
    const PUBLISHED: [(&str, &str); 20] = [
        ("A", "农、林、牧、渔业"),
        ("B", "采矿业"),
        ("C", "制造业"),
        ("D", "电力、热力、燃气及水生产和供应业"),
        ("E", "建筑业"),
        ("F", "批发和零售业"),
        ("G", "交通运输、仓储和邮政业"),
        ("H", "住宿和餐饮业"),
        ("I", "信息传输、软件和信息技术服务业"),
        ("J", "金融业"),
        ("K", "房地产业"),
        ("L", "租赁和商务服务业"),
        ("M", "科学研究和技术服务业"),
        ("N", "水利、环境和公共设施管理业"),
        ("O", "居民服务、修理和其他服务业"),
        ("P", "教育"),
        ("Q", "卫生和社会工作"),
        ("R", "文化、体育和娱乐业"),
        ("S", "公共管理、社会保障和社会组织"),
        ("T", "国际组织"),
    ];

    #[test]
    fn all_sections_match_the_published_table_in_order() {
        assert_eq!(IndustrySection::ALL.len(), PUBLISHED.len());
        for (section, (letter, label)) in IndustrySection::ALL.iter().zip(PUBLISHED) {
            assert_eq!(section.as_str(), letter);
            assert_eq!(section.label(), label, "{letter}");
        }
    }

    #[test]
    fn parse_round_trips_every_letter_in_either_case() {
        for &section in IndustrySection::ALL {
            let upper = section.as_str();
            assert_eq!(IndustrySection::parse("f", upper).unwrap(), section);
            let lower = upper.to_ascii_lowercase();
            assert_eq!(IndustrySection::parse("f", &lower).unwrap(), section);
            assert_eq!(IndustrySection::from_code(upper), Some(section));
        }
        assert_eq!(
            IndustrySection::parse("f", " c\n").unwrap(),
            IndustrySection::Manufacturing
        );
    }

    #[test]
    fn rejects_anything_but_a_single_section_letter() {
        for raw in ["", " ", "U", "Z", "AB", "1", "C13", "Ａ", "制造业"] {
            let err = IndustrySection::parse("input.industry", raw).unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with("input.industry: "), "{text}");
            assert!(text.contains("A至T"), "{text}");
        }
    }

    #[test]
    fn from_code_is_exact() {
        assert_eq!(IndustrySection::from_code("a"), None);
        assert_eq!(IndustrySection::from_code(" A"), None);
        assert_eq!(IndustrySection::from_code("U"), None);
    }
}
