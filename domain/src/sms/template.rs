//! SMS templates (zh-CN). Each template names the parameters it needs; rendering refuses a
//! missing or unknown parameter, an over-long value, and a value that is a mobile or ID number,
//! so that an SMS carries nothing beyond what its text needs.

use serde_json::{Map, Value};

use crate::error::{DomainError, DomainResult};
use crate::types::{IdNumber, Phone};

/// Longest parameter value, in characters.
pub const MAX_PARAM_CHARS: usize = 32;

/// Every SMS the platform sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmsTemplate {
    /// To region admins: a guidance request has waited unclaimed too long.
    GuidanceEscalated,
    /// To the requester: a volunteer claimed their request; shows the meeting PIN.
    GuidanceClaimed,
    /// To the volunteer who claimed it: the request was cancelled.
    GuidanceCancelled,
    /// To a volunteer: their registration was verified.
    VolunteerVerified,
    /// To a citizen: a service was granted without applying (免申即享).
    ServiceGranted,
    /// To a citizen: an automatically granted service ended.
    ServiceRevoked,
    /// To a citizen: a policy was pushed to them (政策找人); their street-town will be in touch.
    OutreachNotice,
    /// To a new staff member: their account and its temporary password (secret parameters).
    AccountCreated,
    /// To a staff member: their password was reset to a temporary one (secret parameters).
    PasswordReset,
    /// To a registrant: the activity was cancelled.
    ActivityCancelled,
    /// To a waitlisted registrant: a place was freed for them.
    ActivityPromoted,
    /// To a custodianship's supervisor: spending met an abnormal-spending rule.
    CustodyAlertSupervisor,
    /// To the ward (or their family): spending from their account met a rule.
    CustodyAlertWard,
    /// To a citizen: a questionnaire was pushed to them, with its deadline.
    QuestionnaireNotice,
    /// To a citizen who has not answered: the deadline is near.
    QuestionnaireReminder,
    /// To a registered person: the one-time code that activates their account (secret).
    AccountActivation,
}

impl SmsTemplate {
    /// Every template.
    pub const ALL: [Self; 16] = [
        Self::GuidanceEscalated,
        Self::GuidanceClaimed,
        Self::GuidanceCancelled,
        Self::VolunteerVerified,
        Self::ServiceGranted,
        Self::ServiceRevoked,
        Self::OutreachNotice,
        Self::AccountCreated,
        Self::PasswordReset,
        Self::ActivityCancelled,
        Self::ActivityPromoted,
        Self::CustodyAlertSupervisor,
        Self::CustodyAlertWard,
        Self::QuestionnaireNotice,
        Self::QuestionnaireReminder,
        Self::AccountActivation,
    ];

    /// Whether the parameters are secret (a temporary password): stored SM4-GCM encrypted in
    /// the outbox and erased once the gateway accepted the message.
    pub fn has_secret_params(self) -> bool {
        matches!(
            self,
            Self::AccountCreated | Self::PasswordReset | Self::AccountActivation
        )
    }

    /// Stable code stored in `sms_outbox.template`.
    pub fn code(self) -> &'static str {
        match self {
            Self::GuidanceEscalated => "GUIDANCE_ESCALATED",
            Self::GuidanceClaimed => "GUIDANCE_CLAIMED",
            Self::GuidanceCancelled => "GUIDANCE_CANCELLED",
            Self::VolunteerVerified => "VOLUNTEER_VERIFIED",
            Self::ServiceGranted => "SERVICE_GRANTED",
            Self::ServiceRevoked => "SERVICE_REVOKED",
            Self::OutreachNotice => "OUTREACH_NOTICE",
            Self::AccountCreated => "ACCOUNT_CREATED",
            Self::PasswordReset => "PASSWORD_RESET",
            Self::ActivityCancelled => "ACTIVITY_CANCELLED",
            Self::ActivityPromoted => "ACTIVITY_PROMOTED",
            Self::CustodyAlertSupervisor => "CUSTODY_ALERT_SUPERVISOR",
            Self::CustodyAlertWard => "CUSTODY_ALERT_WARD",
            Self::QuestionnaireNotice => "QUESTIONNAIRE_NOTICE",
            Self::QuestionnaireReminder => "QUESTIONNAIRE_REMINDER",
            Self::AccountActivation => "ACCOUNT_ACTIVATION",
        }
    }

    /// The template of a stored code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The zh-CN text with `{name}` placeholders.
    pub fn text(self) -> &'static str {
        match self {
            Self::GuidanceEscalated => {
                "【上海残联】助盲出行需求{request_no}（{street}）已超过{minutes}分钟无人认领，请尽快协调志愿者。"
            }
            Self::GuidanceClaimed => {
                "【上海残联】您的助盲出行需求已有志愿者认领，见面时请出示确认码{pin}。"
            }
            Self::GuidanceCancelled => {
                "【上海残联】您认领的助盲出行需求{request_no}已取消，无需前往。感谢您的志愿服务。"
            }
            Self::VolunteerVerified => {
                "【上海残联】您的志愿者身份已通过审核，可登录助残云认领助盲出行需求。"
            }
            Self::ServiceGranted => {
                "【上海残联】您已符合“{service}”享受条件，无需申请，已自动为您办理。详情请在阳光申办消息中查看。"
            }
            Self::OutreachNotice => {
                "【上海残联】您可能符合“{policy}”，所在街镇工作人员将与您联系，请留意来电。"
            }
            Self::ServiceRevoked => {
                "【上海残联】根据最新条件，您的“{service}”待遇已停止。如有疑问请咨询所在街镇残联。"
            }
            Self::AccountCreated => {
                "【上海残联】您的助残云工作账户{username}已开通，临时密码{password}。安全管理员授权后方可登录，首次登录须修改密码。请勿转告他人。"
            }
            Self::PasswordReset => {
                "【上海残联】您的助残云账户{username}密码已重置，临时密码{password}，登录后须立即修改。如非本人申请，请联系系统管理员。"
            }
            Self::ActivityCancelled => {
                "【上海残联】您报名的活动“{activity}”已取消，原因请在消息中查看。给您带来不便，敬请谅解。"
            }
            Self::ActivityPromoted => {
                "【上海残联】您候补的活动“{activity}”已有空余名额，您已转为正式报名，请按时参加。"
            }
            Self::CustodyAlertSupervisor => {
                "【上海残联】您监管的{ward}代管账户{date}支出{amount}元，触发预警“{rule}”，请登录助残云核实处理。"
            }
            Self::CustodyAlertWard => {
                "【上海残联】您（或您家人）的代管账户{date}有一笔{amount}元支出触发预警，街镇监管人将核实。如有疑问请联系所在街镇残联。"
            }
            Self::QuestionnaireNotice => {
                "【上海残联】请在{deadline}前填写问卷“{title}”，可在随申办助残云中填写，也可由街镇工作人员上门时代为填写。"
            }
            Self::QuestionnaireReminder => {
                "【上海残联】问卷“{title}”将于{deadline}截止，您尚未提交，请抽空填写。"
            }
            Self::AccountActivation => {
                "【上海残联】您正在开通助残云账户，验证码{code}，{minutes}分钟内有效。请勿告诉他人；如非本人操作请忽略。"
            }
        }
    }

    /// The parameters the text needs, in order of appearance.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            Self::GuidanceEscalated => &["request_no", "street", "minutes"],
            Self::GuidanceClaimed => &["pin"],
            Self::GuidanceCancelled => &["request_no"],
            Self::VolunteerVerified => &[],
            Self::ServiceGranted | Self::ServiceRevoked => &["service"],
            Self::OutreachNotice => &["policy"],
            Self::AccountCreated | Self::PasswordReset => &["username", "password"],
            Self::ActivityCancelled | Self::ActivityPromoted => &["activity"],
            Self::CustodyAlertSupervisor => &["ward", "date", "amount", "rule"],
            Self::CustodyAlertWard => &["date", "amount"],
            Self::QuestionnaireNotice => &["deadline", "title"],
            Self::QuestionnaireReminder => &["title", "deadline"],
            Self::AccountActivation => &["code", "minutes"],
        }
    }

    /// Check `params` against the template: exactly its parameters, each a string or an integer
    /// of at most [`MAX_PARAM_CHARS`] characters, without control characters, and neither a
    /// mobile number nor an ID number.
    pub fn check(self, params: &Map<String, Value>) -> DomainResult<()> {
        if let Some(unknown) = params.keys().find(|k| !self.params().contains(&k.as_str())) {
            return Err(bad(unknown, format!("短信模板{}没有该参数", self.code())));
        }
        for name in self.params() {
            param_value(params, name)?;
        }
        Ok(())
    }

    /// The text with every placeholder replaced (one pass: a value is never re-interpreted).
    pub fn render(self, params: &Map<String, Value>) -> DomainResult<String> {
        self.check(params)?;
        let text = self.text();
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}').ok_or_else(|| {
                DomainError::internal(format!("SMS template {} is malformed", self.code()))
            })?;
            out.push_str(&param_value(params, &after[..close])?);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

impl std::fmt::Display for SmsTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

fn bad(name: &str, message: impl Into<String>) -> DomainError {
    let name: String = name.chars().take(32).collect();
    DomainError::bad_input(format!("params.{name}"), message)
}

/// The checked value of one parameter, as text.
fn param_value(params: &Map<String, Value>, name: &str) -> DomainResult<String> {
    let value = match params.get(name) {
        None | Some(Value::Null) => return Err(bad(name, "缺少短信参数")),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(_) => return Err(bad(name, "短信参数应为文字或整数")),
    };
    if value.trim().is_empty() {
        return Err(bad(name, "短信参数不能为空"));
    }
    if value.chars().count() > MAX_PARAM_CHARS {
        return Err(bad(
            name,
            format!("短信参数不能超过{MAX_PARAM_CHARS}个字符"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(bad(name, "短信参数不能包含控制字符"));
    }
    if Phone::parse(name, &value).is_ok() || IdNumber::parse(name, &value).is_ok() {
        return Err(bad(name, "短信参数不得包含手机号码或身份证号码"));
    }
    Ok(value)
}

/// A parameter object from `(name, value)` pairs.
pub fn params<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Map<String, Value> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn the_escalation_text_fills_request_number_street_and_minutes() {
        let text = SmsTemplate::GuidanceEscalated
            .render(&obj(
                json!({"request_no": "G20261130-0042", "street": "陆家嘴街道", "minutes": 15}),
            ))
            .unwrap();
        assert_eq!(
            text,
            "【上海残联】助盲出行需求G20261130-0042（陆家嘴街道）已超过15分钟无人认领，请尽快协调志愿者。"
        );
    }

    #[test]
    fn the_claimed_text_shows_the_pin() {
        let text = SmsTemplate::GuidanceClaimed
            .render(&params([("pin", "4821")]))
            .unwrap();
        assert_eq!(
            text,
            "【上海残联】您的助盲出行需求已有志愿者认领，见面时请出示确认码4821。"
        );
    }

    #[test]
    fn a_template_without_parameters_renders_its_text_verbatim() {
        let text = SmsTemplate::VolunteerVerified.render(&Map::new()).unwrap();
        assert_eq!(text, SmsTemplate::VolunteerVerified.text());
    }

    #[test]
    fn every_placeholder_of_every_template_is_declared_and_every_declared_parameter_is_used() {
        for t in SmsTemplate::ALL {
            let mut found = Vec::new();
            let mut rest = t.text();
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').unwrap() + open;
                found.push(&rest[open + 1..close]);
                rest = &rest[close + 1..];
            }
            assert_eq!(found, t.params(), "{t}");
            assert!(t.text().starts_with("【上海残联】"), "{t}");
            assert_eq!(SmsTemplate::from_code(t.code()), Some(t));
        }
        assert_eq!(SmsTemplate::from_code("NOPE"), None);
    }

    #[test]
    fn a_missing_parameter_is_an_error_naming_it() {
        let err = SmsTemplate::GuidanceEscalated
            .render(&params([("request_no", "G1"), ("street", "陆家嘴街道")]))
            .unwrap_err();
        assert!(
            matches!(&err, DomainError::BadInput { field, .. } if field == "params.minutes"),
            "{err:?}"
        );
    }

    #[test]
    fn an_unknown_parameter_is_an_error() {
        let err = SmsTemplate::GuidanceClaimed
            .render(&params([("pin", "1234"), ("name", "张三")]))
            .unwrap_err();
        assert!(
            matches!(&err, DomainError::BadInput { field, .. } if field == "params.name"),
            "{err:?}"
        );
    }

    #[test]
    fn a_parameter_longer_than_32_characters_is_an_error() {
        let ok = "街".repeat(32);
        assert!(
            SmsTemplate::GuidanceCancelled
                .render(&params([("request_no", ok.as_str())]))
                .is_ok()
        );
        let long = "街".repeat(33);
        assert!(
            SmsTemplate::GuidanceCancelled
                .render(&params([("request_no", long.as_str())]))
                .is_err()
        );
    }

    #[test]
    fn empty_null_nested_and_control_character_values_are_errors() {
        for v in [
            json!(""),
            json!(null),
            json!({"a": 1}),
            json!([1]),
            json!(1.5),
            json!(true),
            json!("12\n34"),
        ] {
            let mut m = Map::new();
            m.insert("pin".into(), v.clone());
            assert!(SmsTemplate::GuidanceClaimed.render(&m).is_err(), "{v}");
        }
    }

    #[test]
    fn a_mobile_or_id_number_as_a_parameter_is_refused() {
        for v in ["13812345678", "310115198001011238"] {
            assert!(
                SmsTemplate::GuidanceCancelled
                    .render(&params([("request_no", v)]))
                    .is_err(),
                "{v}"
            );
        }
    }

    #[test]
    fn a_value_containing_braces_is_not_expanded_again() {
        let text = SmsTemplate::GuidanceCancelled
            .render(&params([("request_no", "{request_no}")]))
            .unwrap();
        assert!(text.contains("需求{request_no}已取消"));
    }
}
