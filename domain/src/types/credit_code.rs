//! Unified social credit code (统一社会信用代码, GB 32100-2015) of a legal person or other
//! organisation, as printed on its business licence or registration certificate.
//!
//! Eighteen characters from a 31-character set: the digits and the upper-case letters without
//! I, O, S, V and Z. By position (1-based):
//!
//! | Position | Part                                                      | Checked here                    |
//! |----------|-----------------------------------------------------------|---------------------------------|
//! | 1        | 登记管理部门代码 (registration authority)                  | a character of the set          |
//! | 2        | 机构类别代码 (organisation category)                       | a character of the set          |
//! | 3–8      | 登记管理机关行政区划码 (division of the registering office) | six digits                      |
//! | 9–17     | 主体标识码 / 组织机构代码 (organisation code, GB 11714-1997) | its own check character, pos 17 |
//! | 18       | 校验码 (check character)                                   | MOD 31 over positions 1–17      |
//!
//! Positions 1 and 2 are not held to a closed list. GB 32100-2015 lets each registration
//! authority be given a digit or a letter, and the list of assigned codes has grown by amendment
//! (published tables list 1–9, A, N and Y; newer ones add G, J and Q), so a closed list would
//! reject real codes issued after it was written. [`CreditCode::registration_authority`] names
//! the known ones.
//!
//! Known limitation: a few real codes issued before the rules settled (reported for some Xiamen
//! enterprises registered before 2016, e.g. chinabugotech/hutool issues #2020 and #4119) do not
//! satisfy the MOD 31 check and are rejected here, as by every checker that follows the standard.

use crate::error::{DomainError, DomainResult};

/// The code's characters in value order: a character's value in the check computation is its
/// index here (`A` = 10, `H` = 17, `J` = 18, …, `Y` = 30).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Letters the code never uses.
const FORBIDDEN_LETTERS: &[u8; 5] = b"IOSVZ";

/// GB 32100-2015 weights for positions 1–17: W_i = 3^(i−1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// GB 11714-1997 weights for the eight body characters of the organisation code (positions 9–16).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A valid unified social credit code: 18 ASCII characters, letters upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parse and check a code; `field` names the input field in the error.
    ///
    /// Surrounding whitespace is trimmed, lower-case letters are upper-cased, and full-width
    /// digits and letters (`０`–`９`, `Ａ`–`Ｚ`, `ａ`–`ｚ`) are read as their ASCII forms.
    pub fn parse(field: &str, raw: &str) -> DomainResult<Self> {
        let bad = |message: String| Err(DomainError::bad_input(field, message));
        let s = normalise(raw);
        if s.is_empty() {
            return bad("统一社会信用代码不能为空".to_owned());
        }
        if s.chars().any(char::is_whitespace) {
            return bad("统一社会信用代码中不应有空格".to_owned());
        }
        let len = s.chars().count();
        if len != 18 {
            return bad(format!("统一社会信用代码应为18位（当前为{len}位）"));
        }
        for (i, c) in s.chars().enumerate() {
            let pos = i + 1;
            match u8::try_from(c) {
                Ok(b) if value(b).is_some() => {}
                Ok(b) if FORBIDDEN_LETTERS.contains(&b) => {
                    return bad(format!(
                        "第{pos}位“{c}”不是合法字符：统一社会信用代码不使用字母I、O、S、V、Z"
                    ));
                }
                _ if c.is_control() || super::is_invisible(c) => {
                    return bad(format!(
                        "第{pos}位含有不可见字符：统一社会信用代码只由数字和大写英文字母组成"
                    ));
                }
                _ => {
                    return bad(format!(
                        "第{pos}位“{c}”不是合法字符：统一社会信用代码只由数字和大写英文字母组成"
                    ));
                }
            }
        }
        // Every character is now one ASCII byte of CHARSET.
        let bytes = s.as_bytes();
        if let Some(i) = bytes[2..8].iter().position(|b| !b.is_ascii_digit()) {
            return bad(format!(
                "第{}位应为数字：统一社会信用代码第3–8位是登记管理机关行政区划码",
                i + 3
            ));
        }
        if check_char(&bytes[..17]) != Some(bytes[17]) {
            return bad("统一社会信用代码校验位（第18位）不正确，请核对".to_owned());
        }
        if org_check_char(&bytes[8..16]) != Some(bytes[16]) {
            return bad(
                "统一社会信用代码第9–17位（组织机构代码）的校验位（第17位）不正确，请核对"
                    .to_owned(),
            );
        }
        Ok(Self(s))
    }

    /// A code from its parts, with both check characters computed: the authority and
    /// category (2 characters), the division (6 digits) and the organisation code's body
    /// (8 characters). For synthetic data (demo enterprises) and tests.
    pub fn compose(kind: &str, division: &str, body: &str) -> DomainResult<Self> {
        let org = format!(
            "{body}{}",
            org_check_char(body.as_bytes())
                .map(char::from)
                .unwrap_or('?')
        );
        let first = format!("{kind}{division}{org}");
        let check = check_char(first.as_bytes()).map(char::from).unwrap_or('?');
        Self::parse("creditCode", &format!("{first}{check}"))
    }

    /// The code as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Positions 3–8: the administrative division code of the registering office
    /// (`100000` for registration at national level).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the organisation code (主体标识码, GB 11714-1997), check character included.
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }

    /// The registration authority (登记管理部门) named by position 1, or `None` for a character
    /// with no known assignment.
    ///
    /// 1–9, A, N and Y as listed in GB 32100-2015 and its amendments (the table also in
    /// ntnyq/uscc-utils `src/constants.ts` and wanghanwanghan/someUtils
    /// `src/moudles/nsrsbh/nsrsbhToType.php`); G, J and Q, added later, as in howardli/CredentialKit
    /// `enums/RegistrationDepartment.java` (G is the authority for foreign NGO representative
    /// offices, J for owners' assemblies, Q for grass-roots overseas-Chinese federations).
    pub fn registration_authority(&self) -> Option<&'static str> {
        Some(match self.0.as_bytes()[0] {
            b'1' => "机构编制",
            b'2' => "外交",
            b'3' => "司法行政",
            b'4' => "文化",
            b'5' => "民政",
            b'6' => "旅游",
            b'7' => "宗教",
            b'8' => "工会",
            b'9' => "工商",
            b'A' => "中央军委改革和编制办公室",
            b'G' => "公安",
            b'J' => "住房城乡建设",
            b'N' => "农业",
            b'Q' => "侨联",
            b'Y' => "其他",
            _ => return None,
        })
    }
}

impl std::fmt::Display for CreditCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trim, read full-width digits and letters as ASCII, and upper-case ASCII letters.
fn normalise(raw: &str) -> String {
    raw.trim()
        .chars()
        .map(|c| {
            let c = match c {
                // The full-width forms sit 0xFEE0 above their ASCII counterparts.
                '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
                    char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
                }
                _ => c,
            };
            c.to_ascii_uppercase()
        })
        .collect()
}

/// The value of `b` in the code's character set, `None` outside it.
fn value(b: u8) -> Option<u32> {
    CHARSET
        .iter()
        .position(|&c| c == b)
        .and_then(|i| u32::try_from(i).ok())
}

/// GB 32100-2015 check character of the first 17 characters:
/// C18 = 31 − (Σ value_i × W_i mod 31), with 31 written as `0`.
fn check_char(body: &[u8]) -> Option<u8> {
    let mut sum = 0;
    for (&b, w) in body.iter().zip(WEIGHTS) {
        sum += value(b)? * w;
    }
    CHARSET.get(((31 - sum % 31) % 31) as usize).copied()
}

/// GB 11714-1997 check character of an organisation code's eight body characters:
/// C9 = 11 − (Σ C_i × W_i mod 11), written `X` for 10 and `0` for 11. Here a letter's value is its
/// place in the whole Latin alphabet (A = 10 … Z = 35), not its index in [`CHARSET`].
fn org_check_char(body: &[u8]) -> Option<u8> {
    let mut sum = 0;
    for (&b, w) in body.iter().zip(ORG_WEIGHTS) {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return None,
        };
        sum += v * w;
    }
    match 11 - sum % 11 {
        10 => Some(b'X'),
        11 => Some(b'0'),
        d => u8::try_from(d).ok().map(|d| b'0' + d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Valid codes from python-stdnum (arthurdejong/python-stdnum): the module docstring of
    /// `stdnum/cn/uscc.py` (`91110000600037341L`) and the list "found online and should all be
    /// valid numbers" in `tests/test_cn_uscc.doctest`. Picked to cover: authority 1 (`12…`, a
    /// public institution), individual businesses (`92…`), newer `MA…` organisation codes, a
    /// letter inside the organisation code (`L01510128`), organisation check `X` and `0`, check
    /// character `Y` (value 30) and `0` (the 31 → 0 case), and Shanghai registrations (`31…`).
    const STDNUM_VALID: &[&str] = &[
        "91110000600037341L",
        "121200004013590816",
        "91110000710926094P",
        "91120224064012553U",
        "9115220107837757XE", // organisation check character X
        "9115220107837941X1", // organisation check character X
        "911522010783917502", // organisation check character 0
        "91152201078382010M", // organisation check character 0
        "91152201078391769Y", // check character Y (value 30)
        "911522010783762860", // check character 0 (31 − 0 = 31 → 0)
        "91340600MA2PBP2120", // check character 0
        "91310000631696382C", // Shanghai
        "91310112087994932F", // Shanghai, Minhang
        "913101127033980359", // Shanghai, Minhang
        "91310115MA1K3BTP2B", // Shanghai, Pudong
        "9131012056010553X5", // Shanghai, Fengxian
        "9144030071526726XG", // Shenzhen
        "91620105L015101280", // letter in the organisation code
        "91620105MA73NBBLXE",
        "92340602MA2UK33127", // individual business (个体工商户)
        "92340621MA2UK3PJXE", // individual business
        "92340603MA2PBN17X5", // individual business
    ];

    /// Codes of named organisations. ntnyq/uscc-utils `tests/fixtures.ts` (comments name the
    /// holder) and, for the last one, wenerme/wode `packages/utils/src/cn/uscc/uscc.test.ts`
    /// (commented "阿里云计算").
    const NAMED: &[(&str, &str, &str)] = &[
        ("91370000728611939A", "山东步长制药股份有限公司", "工商"),
        ("531000005000160090", "中国红十字基金会", "民政"), // foundation, national level, check 0
        ("52410000663412719U", "河南省嵩山少林寺文化院", "民政"), // private non-enterprise unit
        ("91110108551385082Q", "小米科技有限责任公司", "工商"),
        ("91330106673959654P", "阿里云计算", "工商"),
    ];

    /// Body of a published code (stdnum `91310115MA1K3BTP2B`, positions 3–17) for synthetic codes
    /// that differ only in positions 1–2; the check character is computed.
    fn synthetic(prefix: &str) -> String {
        let body = format!("{prefix}310115MA1K3BTP2");
        let check = check_char(body.as_bytes()).unwrap();
        format!("{body}{}", char::from(check))
    }

    fn message(raw: &str) -> String {
        CreditCode::parse("input.creditCode", raw)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }

    #[test]
    fn accepts_published_valid_codes() {
        for raw in STDNUM_VALID {
            let code = CreditCode::parse("f", raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(code.as_str(), *raw);
        }
    }

    #[test]
    fn accepts_named_organisations_and_names_their_authority() {
        for (raw, holder, authority) in NAMED {
            let code = CreditCode::parse("f", raw).unwrap_or_else(|e| panic!("{holder}: {e}"));
            assert_eq!(code.registration_authority(), Some(*authority), "{holder}");
        }
    }

    #[test]
    fn exposes_its_parts() {
        let code = CreditCode::parse("f", "91310115MA1K3BTP2B").unwrap();
        assert_eq!(code.division_code(), "310115");
        assert_eq!(code.organisation_code(), "MA1K3BTP2");
        assert_eq!(code.to_string(), "91310115MA1K3BTP2B");
        let code = CreditCode::parse("f", "121200004013590816").unwrap();
        assert_eq!(code.registration_authority(), Some("机构编制"));
    }

    #[test]
    fn normalises_case_whitespace_and_full_width_forms() {
        for raw in [
            "91110000600037341l",
            "  91110000600037341L\n",
            "\u{3000}91110000600037341L\u{3000}",
            "９１１１００００６０００３７３４１Ｌ",
            "９１１１００００６０００３７３４１ｌ",
        ] {
            assert_eq!(
                CreditCode::parse("f", raw).unwrap().as_str(),
                "91110000600037341L",
                "{raw:?}"
            );
        }
    }

    #[test]
    fn accepts_any_authority_character_of_the_set() {
        for (prefix, authority) in [
            ("A1", Some("中央军委改革和编制办公室")),
            ("N2", Some("农业")),
            ("G1", Some("公安")),
            ("Y1", Some("其他")),
            ("B1", None),
        ] {
            let raw = synthetic(prefix);
            let code = CreditCode::parse("f", &raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(code.registration_authority(), authority, "{raw}");
        }
    }

    #[test]
    fn error_names_the_field() {
        let err = CreditCode::parse("input.creditCode", "12345").unwrap_err();
        assert!(err.to_string().starts_with("input.creditCode: "), "{err}");
    }

    #[test]
    fn rejects_wrong_length_and_blank_input() {
        // python-stdnum: `12345` is InvalidLength.
        assert!(message("12345").contains("应为18位（当前为5位）"));
        assert!(message("91110000600037341").contains("当前为17位"));
        assert!(message("91110000600037341LL").contains("当前为19位"));
        assert!(message("   ").contains("不能为空"));
        assert!(message("91 110000 600037341L").contains("空格"));
    }

    #[test]
    fn rejects_the_letters_i_o_s_v_z_and_names_the_position() {
        // python-stdnum: `9111000060003IOZSV` is InvalidFormat; the first bad one is position 14.
        let m = message("9111000060003IOZSV");
        assert!(m.contains("第14位“I”"), "{m}");
        // Each forbidden letter in place of a digit of a valid code.
        for letter in ['I', 'O', 'S', 'V', 'Z'] {
            let raw = format!("911100006{letter}0037341L");
            let m = message(&raw);
            assert!(m.contains(&format!("第10位“{letter}”")), "{m}");
            assert!(m.contains("不使用字母I、O、S、V、Z"), "{m}");
        }
        // Lower-case forbidden letters are upper-cased first, then rejected the same way.
        assert!(message("91110000600o37341L").contains("第12位“O”"));
    }

    #[test]
    fn rejects_other_characters_and_names_the_position() {
        let m = message("91110000600037341号");
        assert!(m.contains("第18位“号”"), "{m}");
        let m = message("9111000060003734-L");
        assert!(m.contains("第17位“-”"), "{m}");
        // A zero-width space is not echoed back.
        let m = message("91110000600037341\u{200B}");
        assert!(m.contains("第18位含有不可见字符"), "{m}");
    }

    #[test]
    fn rejects_a_division_code_that_is_not_six_digits() {
        let m = message("91A10000600037341L");
        assert!(
            m.contains("第3位应为数字") && m.contains("行政区划码"),
            "{m}"
        );
        let m = message("9111000X600037341L");
        assert!(m.contains("第8位应为数字"), "{m}");
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        for raw in [
            // python-stdnum: InvalidChecksum (the right check character is L).
            "91110000600037341N",
            // ntnyq/uscc-utils `checksumErrorCode` (the right check character is Q).
            "91110108551385082F",
            // `91110000600037341L` with positions 13 and 14 swapped.
            "91110000600073341L",
            // python-stdnum: `A1110000600037341L` is rejected; authority A is allowed here, but
            // the check character no longer fits (it would be K).
            "A1110000600037341L",
        ] {
            let m = message(raw);
            assert!(m.contains("校验位（第18位）不正确"), "{raw}: {m}");
        }
    }

    #[test]
    fn rejects_a_wrong_organisation_code_check_character() {
        // Passes the MOD 31 check (ntnyq/uscc-utils lists it among its valid fixtures, since it
        // checks only position 18), but its organisation code 90123456-7 should end in 8 under
        // GB 11714-1997.
        let m = message("123456789012345678");
        assert!(m.contains("组织机构代码") && m.contains("第17位"), "{m}");
    }

    #[test]
    fn check_functions_agree_with_the_published_codes() {
        for raw in STDNUM_VALID
            .iter()
            .chain(NAMED.iter().map(|(raw, _, _)| raw))
        {
            let b = raw.as_bytes();
            assert_eq!(check_char(&b[..17]), Some(b[17]), "{raw}");
            assert_eq!(org_check_char(&b[8..16]), Some(b[16]), "{raw}");
        }
    }
}
