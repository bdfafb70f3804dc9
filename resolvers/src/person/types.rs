//! GraphQL types of the person file. `Person` is a newtype over the domain record; sensitive
//! fields are decrypted only when selected and always pass through the field policy.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use uuid::Uuid;
use zhucan_domain::DomainError;
use zhucan_domain::person::{Person as DomainPerson, PersonService};
use zhucan_domain::policy::SensitiveField as DomainField;
use zhucan_domain::types::DisabilityCategory as DomainCategory;

use crate::context::ContextExt;
use crate::error::{GqlResultExt, loader_error};
use crate::identity::Role;
use crate::region::{Region, region_of};
use crate::scalars::Date;

/// 家庭经济状况 — household assistance status.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::person::HouseholdStatus")]
pub enum HouseholdStatus {
    /// 无
    None,
    /// 低保
    Dibao,
    /// 低收入
    LowIncome,
    /// 特困
    SpecialHardship,
}

/// 就业状况 — employment.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::person::Employment")]
pub enum Employment {
    /// 就业
    Employed,
    /// 未就业
    Unemployed,
    /// 在校
    Student,
    /// 退休
    Retired,
    /// 无劳动能力
    Unable,
}

/// 残疾类别 — disability category.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum DisabilityCategory {
    /// 1 视力残疾
    Vision,
    /// 2 听力残疾
    Hearing,
    /// 3 言语残疾
    Speech,
    /// 4 肢体残疾
    Physical,
    /// 5 智力残疾
    Intellectual,
    /// 6 精神残疾
    Mental,
    /// 7 多重残疾
    Multiple,
}

impl From<DomainCategory> for DisabilityCategory {
    fn from(c: DomainCategory) -> Self {
        match c {
            DomainCategory::Vision => Self::Vision,
            DomainCategory::Hearing => Self::Hearing,
            DomainCategory::Speech => Self::Speech,
            DomainCategory::Physical => Self::Physical,
            DomainCategory::Intellectual => Self::Intellectual,
            DomainCategory::Mental => Self::Mental,
            DomainCategory::Multiple => Self::Multiple,
        }
    }
}

impl From<DisabilityCategory> for DomainCategory {
    fn from(c: DisabilityCategory) -> Self {
        match c {
            DisabilityCategory::Vision => Self::Vision,
            DisabilityCategory::Hearing => Self::Hearing,
            DisabilityCategory::Speech => Self::Speech,
            DisabilityCategory::Physical => Self::Physical,
            DisabilityCategory::Intellectual => Self::Intellectual,
            DisabilityCategory::Mental => Self::Mental,
            DisabilityCategory::Multiple => Self::Multiple,
        }
    }
}

/// 敏感字段 — fields protected by the field policy.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
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

impl From<SensitiveField> for DomainField {
    fn from(f: SensitiveField) -> Self {
        match f {
            SensitiveField::IdNumber => Self::IdNumber,
            SensitiveField::CertificateNumber => Self::CertificateNumber,
            SensitiveField::Phone => Self::Phone,
            SensitiveField::Address => Self::Address,
        }
    }
}

/// 性别
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::types::Sex")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

/// 与户主关系
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum Relationship {
    /// 户主
    Head,
    /// 配偶
    Spouse,
    /// 子女
    Child,
    /// 父母
    Parent,
    /// 兄弟姐妹
    Sibling,
    /// 孙子女
    Grandchild,
    /// 祖父母
    Grandparent,
    /// 其他
    Other,
}

impl From<Relationship> for zhucan_domain::person::Relationship {
    fn from(r: Relationship) -> Self {
        use zhucan_domain::person::Relationship as R;
        match r {
            Relationship::Head => R::Head,
            Relationship::Spouse => R::Spouse,
            Relationship::Child => R::Child,
            Relationship::Parent => R::Parent,
            Relationship::Sibling => R::Sibling,
            Relationship::Grandchild => R::Grandchild,
            Relationship::Grandparent => R::Grandparent,
            Relationship::Other => R::Other,
        }
    }
}

impl From<zhucan_domain::person::Relationship> for Relationship {
    fn from(r: zhucan_domain::person::Relationship) -> Self {
        use zhucan_domain::person::Relationship as R;
        match r {
            R::Head => Self::Head,
            R::Spouse => Self::Spouse,
            R::Child => Self::Child,
            R::Parent => Self::Parent,
            R::Sibling => Self::Sibling,
            R::Grandchild => Self::Grandchild,
            R::Grandparent => Self::Grandparent,
            R::Other => Self::Other,
        }
    }
}

/// 状态
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "zhucan_domain::person::PersonStatus")]
pub enum PersonStatus {
    /// 在册
    Active,
    /// 已注销
    Deactivated,
}

/// 一人一档 — one person, one file: everything the platform knows about a person. Later
/// domains add their sections (services, pushes, activities, subsidies, custody…) here.
#[derive(Clone)]
pub struct Person(pub DomainPerson);

impl Person {
    /// A sensitive field as the viewer may see it (masked, or nothing), per the field policy.
    fn sensitive(
        &self,
        ctx: &Context<'_>,
        field: DomainField,
    ) -> async_graphql::Result<Option<String>> {
        ctx.service::<PersonService>()
            .present(&self.0, field)
            .gql(ctx)
    }
}

/// 残疾人证 — the disability certificate.
pub struct Certificate<'a>(&'a Person);

#[Object]
impl Certificate<'_> {
    /// 残疾人证号 (masked per field policy).
    async fn number(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.0.sensitive(ctx, DomainField::CertificateNumber)
    }
    /// 残疾类别
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<DisabilityCategory> {
        self.0
            .0
            .category()
            .map(Into::into)
            .ok_or_else(|| DomainError::internal("stored category out of range"))
            .gql(ctx)
    }
    /// 残疾类别名称
    async fn category_name(&self) -> &'static str {
        self.0.0.category().map_or("未知", DomainCategory::name_zh)
    }
    /// 残疾等级 1–4 (1 most severe).
    async fn level(&self) -> i32 {
        self.0.0.level()
    }
    /// 有效期至
    async fn valid_until(&self) -> Option<Date> {
        self.0.0.certificate_valid_until().map(Date)
    }
}

/// 户 — a household and its registered members.
pub struct Household {
    id: Uuid,
}

impl Household {
    /// The household with this id.
    pub fn new(id: Uuid) -> Self {
        Self { id }
    }
}

#[Object]
impl Household {
    /// Household id.
    pub async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    /// Registered members within the viewer's scope (one statement per request).
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Person>> {
        let Some(loaders) = ctx.loaders() else {
            return Ok(Vec::new());
        };
        let members = loaders
            .members()
            .load_one(self.id)
            .await
            .map_err(|e| loader_error(ctx, e))?;
        Ok(members
            .unwrap_or_default()
            .into_iter()
            .map(Person)
            .collect())
    }
}

/// 访客记录 — who viewed or changed this file, from the audit trail. Shows the office and role,
/// never a citizen's name.
#[derive(SimpleObject)]
pub struct VisitorRecord {
    /// When.
    at: DateTime<Utc>,
    /// What (`person.view`, `person.reveal`, `person.update`…).
    operation: String,
    /// The visitor's role.
    role: Option<Role>,
    /// The office (region name) the visitor acts for.
    office: Option<String>,
}

#[Object]
impl Person {
    /// Id.
    pub async fn id(&self) -> ID {
        ID(self.0.id().to_string())
    }
    /// 姓名
    async fn name(&self) -> &str {
        self.0.name()
    }
    /// 性别 (from the ID number).
    async fn sex(&self) -> Sex {
        self.0.sex().into()
    }
    /// 出生日期 (from the ID number).
    async fn birth_date(&self) -> Date {
        self.0.birth_date().into()
    }
    /// 年龄 in whole years today.
    async fn age(&self) -> i32 {
        self.0.age_on(Utc::now().date_naive())
    }
    /// 身份证号码 (masked per field policy; `revealPersonField` shows it in full, audited).
    async fn id_number(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.sensitive(ctx, DomainField::IdNumber)
    }
    /// 手机号码 (masked per field policy).
    async fn phone(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.sensitive(ctx, DomainField::Phone)
    }
    /// 居住地址 (masked per field policy).
    async fn address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        self.sensitive(ctx, DomainField::Address)
    }
    /// 残疾人证
    async fn certificate(&self) -> Certificate<'_> {
        Certificate(self)
    }
    /// 区
    async fn district(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, self.0.district_code())
    }
    /// 街镇
    async fn street(&self, ctx: &Context<'_>) -> Option<Region> {
        region_of(ctx, self.0.street_code())
    }
    /// 居村委
    async fn committee(&self, ctx: &Context<'_>) -> Option<Region> {
        self.0.committee_code().and_then(|c| region_of(ctx, c))
    }
    /// 户
    async fn household(&self) -> Household {
        Household {
            id: self.0.household_id(),
        }
    }
    /// 与户主关系
    async fn relationship(&self) -> Relationship {
        self.0.relationship().into()
    }
    /// 状态
    async fn status(&self) -> PersonStatus {
        self.0.status().into()
    }
    /// 注销原因
    async fn deactivation_reason(&self) -> Option<&str> {
        self.0.deactivation_reason()
    }
    /// 家庭经济状况
    async fn household_status(&self) -> HouseholdStatus {
        self.0.household_status().into()
    }
    /// 就业状况
    async fn employment(&self) -> Employment {
        self.0.employment().into()
    }
    /// 本市户籍
    async fn local_hukou(&self) -> bool {
        self.0.local_hukou()
    }
    /// 可享受服务匹配 — every service with rules in force, whether this person qualifies, and
    /// which conditions held or failed (region admins, and the citizen themself).
    async fn eligible_services(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::eligibility::ServiceMatch>> {
        crate::loaders::load_list(ctx, self.0.id(), |l| l.matches(), Into::into).await
    }
    /// 享受中的服务 — services granted (免申即享), in force or ended, newest first.
    async fn grants(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::records::ServiceGrant>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.grants(),
            crate::records::ServiceGrant,
        )
        .await
    }
    /// 消息 — what the platform sent this person, newest first (at most 50).
    async fn inbox(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::home::InboxMessage>> {
        crate::loaders::load_list(ctx, self.0.id(), |l| l.inboxes(), crate::home::InboxMessage)
            .await
    }
    /// 导盲记录 — blind-guidance requests made, and served as a volunteer, newest first.
    async fn guidance_history(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::guidance::types::GuidanceHistoryEntry>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.guidance_histories(),
            crate::guidance::types::GuidanceHistoryEntry,
        )
        .await
    }
    /// 活动 — activities registered for, newest first (at most 50).
    async fn activities(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::activity::ActivityRegistration>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.registrations(),
            crate::activity::ActivityRegistration,
        )
        .await
    }
    /// 代管 — custodianships of this person's money (accounts masked), newest first.
    async fn custodianships(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::custody::Custodianship>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.custodianships(),
            crate::custody::Custodianship,
        )
        .await
    }
    /// 需求 — needs found by questionnaires or recorded by staff, newest first.
    async fn needs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::survey::Need>> {
        crate::loaders::load_list(ctx, self.0.id(), |l| l.needs(), crate::survey::Need).await
    }
    /// 就业意向 — employment intentions recorded with consent, newest first.
    async fn employment_intentions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::employment::EmploymentIntention>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.intentions(),
            crate::employment::EmploymentIntention,
        )
        .await
    }
    /// 求职 — job applications and hires (with their follow-ups), newest first.
    async fn job_applications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::employment::JobApplication>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.applications(),
            crate::employment::JobApplication,
        )
        .await
    }
    /// 补贴 — subsidy payments, newest first (at most 60).
    async fn subsidies(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::subsidy::PersonSubsidy>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.subsidies(),
            crate::subsidy::PersonSubsidy,
        )
        .await
    }
    /// 收款账户 — the person's own bank accounts (masked), the one in use first.
    async fn bank_accounts(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::subsidy::PersonBankAccount>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.bank_accounts(),
            crate::subsidy::PersonBankAccount,
        )
        .await
    }
    /// 托养 — care placements and waiting entries, newest first.
    async fn placements(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::care::Placement>> {
        crate::loaders::load_list(ctx, self.0.id(), |l| l.placements(), crate::care::Placement)
            .await
    }
    /// 问卷 — named questionnaire submissions (in force and replaced), newest first.
    async fn questionnaire_responses(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::survey::QuestionnaireResponse>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.questionnaire_responses(),
            crate::survey::QuestionnaireResponse,
        )
        .await
    }
    /// 办件记录 — grants, applications and offline handlings, newest first (at most 50).
    async fn service_records(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::records::ServiceRecord>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.records(),
            crate::records::ServiceRecord,
        )
        .await
    }
    /// 政策找人 — follow-up tasks about this person, newest first, with their history.
    async fn outreach_tasks(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::outreach::OutreachTask>> {
        crate::loaders::load_list(
            ctx,
            self.0.id(),
            |l| l.outreach_tasks(),
            crate::outreach::OutreachTask,
        )
        .await
    }
    /// 访客记录 — the latest visits to this file (one statement per request).
    async fn visitor_records(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<VisitorRecord>> {
        let Some(loaders) = ctx.loaders() else {
            return Ok(Vec::new());
        };
        let rows = loaders
            .visits()
            .load_one(self.0.id())
            .await
            .map_err(|e| loader_error(ctx, e))?;
        let regions = &ctx.platform().regions;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|v| VisitorRecord {
                at: v.at,
                office: v.office.as_ref().map(|c| regions.name_of(c.as_str())),
                operation: v.operation,
                role: v.role.map(Into::into),
            })
            .collect())
    }
    /// 登记时间
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at()
    }
    /// 最后修改时间
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at()
    }
}
