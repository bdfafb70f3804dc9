//! Fuzzy search over the catalog (R1), on tantivy. The index is derived data: rebuilt from the
//! database at start and kept current on every node from `CatalogChanged` events.
//!
//! How a citizen's words find an entry:
//! - Chinese text, partial words and typos: titles and bodies are indexed as character uni- and
//!   bigrams; a query matches on every bigram it shares, so "护理" finds 重度残疾人护理补贴 and
//!   "残疾人正" (one wrong character) still finds 残疾人证.
//! - Word-segmented queries: jieba words of title and body in their own field, boosting entries
//!   that contain whole words of the query.
//! - Pinyin: every run of 1–4 jieba words of the title is indexed as full pinyin ("kangfu") and as
//!   initials ("cjrz"); ASCII queries match them exactly, as a prefix, and within one edit.
//! - Homophones: a Chinese query is also matched by its pinyin (every two of its characters, and
//!   each run whole, against the pinyin of every two title characters and of the title's word
//!   runs), so the commonest input-method slip — the right sound, the wrong character: "康付" for
//!   康复, "护里补贴" for 护理补贴 — still finds what it means. These matches weigh less than the
//!   characters typed, so exact matches rank first.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Mutex;

use pinyin::ToPinyin;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, NgramTokenizer, TextAnalyzer, WhitespaceTokenizer};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};
use uuid::Uuid;

use super::{EntryKind, EntryStatus, json_list};
use crate::db::Db;
use crate::entities::{activity, enterprise, institution, job, policy, service_item};
use crate::error::{DomainError, DomainResult};

/// Weight of a homophone match: below a title bigram (3.0), so the characters typed win.
const HOMOPHONE_BOOST: f32 = 0.8;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
/// Largest page of hits.
pub const MAX_HITS: usize = 50;
const SNIPPET_CHARS: usize = 80;

/// One entry as indexed.
#[derive(Debug, Clone)]
pub struct SearchDoc {
    /// Kind.
    pub kind: EntryKind,
    /// Entry id.
    pub id: Uuid,
    /// Title or name.
    pub title: String,
    /// Everything else a citizen may search for.
    pub body: String,
    /// Owning district (None = city-wide).
    pub district: Option<String>,
}

/// A highlighted fragment: the text and the ranges (in characters) that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// Plain text fragment.
    pub text: String,
    /// Matched ranges, character offsets into `text`.
    pub highlights: Vec<Range<usize>>,
}

/// One search result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// Kind.
    pub kind: EntryKind,
    /// Entry id.
    pub id: Uuid,
    /// Relevance (BM25 sum).
    pub score: f32,
    /// Title with matches highlighted.
    pub title: Snippet,
    /// Best body fragment with matches highlighted.
    pub body: Snippet,
}

/// A page of results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// Hits, best first.
    pub hits: Vec<SearchHit>,
    /// How many entries matched in all.
    pub total: usize,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    district: Field,
    title: Field,
    body: Field,
    words: Field,
    pinyin: Field,
    tie: Field,
}

/// The fast field that breaks ties between equal scores: the entry id's first 64 bits (UUIDv7:
/// its creation time), so older entries come first. Tantivy alone breaks ties by document
/// address, which a segment merge renumbers: the same query could then order tied entries
/// differently from one page to the next, and a page could repeat or skip a hit.
const TIE_FIELD: &str = "tie";

fn tie_of(id: Uuid) -> u64 {
    id.as_u64_pair().0
}

/// The in-memory search index of one node.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    jieba: &'static jieba_rs::Jieba,
}

/// One dictionary per process (loading it takes a fraction of a second).
static JIEBA: std::sync::LazyLock<jieba_rs::Jieba> = std::sync::LazyLock::new(jieba_rs::Jieba::new);

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::internal(format!("search index: {e}"))
}

impl SearchIndex {
    /// An empty index.
    pub fn new() -> DomainResult<Self> {
        let mut sb = Schema::builder();
        let text = |tokenizer: &str, stored: bool| {
            let opts = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            );
            if stored { opts.set_stored() } else { opts }
        };
        let fields = Fields {
            id: sb.add_text_field("id", STRING | STORED),
            kind: sb.add_text_field("kind", STRING | STORED),
            district: sb.add_text_field("district", STRING),
            title: sb.add_text_field("title", text("cjk_ngram", true)),
            body: sb.add_text_field("body", text("cjk_ngram", true)),
            words: sb.add_text_field("words", text("jieba", false)),
            pinyin: sb.add_text_field("pinyin", text("pinyin", false)),
            tie: sb.add_u64_field(TIE_FIELD, FAST),
        };
        let index = Index::create_in_ram(sb.build());
        let ngram = NgramTokenizer::new(1, 2, false).map_err(internal)?;
        index.tokenizers().register(
            "cjk_ngram",
            TextAnalyzer::builder(ngram).filter(LowerCaser).build(),
        );
        index.tokenizers().register(
            "jieba",
            TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
                .filter(LowerCaser)
                .build(),
        );
        index.tokenizers().register(
            "pinyin",
            TextAnalyzer::builder(WhitespaceTokenizer::default())
                .filter(LowerCaser)
                .build(),
        );
        let writer = index
            .writer_with_num_threads(1, 20_000_000)
            .map_err(internal)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(internal)?;
        Ok(Self {
            reader,
            writer: Mutex::new(writer),
            fields,
            jieba: &JIEBA,
        })
    }

    fn to_document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, d.id.to_string());
        doc.add_text(f.kind, d.kind.as_str());
        doc.add_text(f.district, d.district.as_deref().unwrap_or("CITY"));
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        doc.add_text(f.words, &d.title);
        doc.add_text(f.words, &d.body);
        doc.add_text(f.pinyin, self.pinyin_tokens(&d.title).join(" "));
        doc.add_u64(f.tie, tie_of(d.id));
        doc
    }

    /// Pinyin tokens of a title: full pinyin and initials of every run of 1–4 words, and of the
    /// whole title.
    fn pinyin_tokens(&self, title: &str) -> Vec<String> {
        let words: Vec<(String, String)> = self
            .jieba
            .cut(title, false)
            .into_iter()
            .map(|t| pinyin_of(t.word))
            .filter(|(full, _)| !full.is_empty())
            .collect();
        let mut out = HashSet::new();
        for start in 0..words.len() {
            let mut full = String::new();
            let mut initials = String::new();
            for (f, i) in words.iter().skip(start).take(4) {
                full.push_str(f);
                initials.push_str(i);
                out.insert(full.clone());
                if initials.len() >= 2 {
                    out.insert(initials.clone());
                }
            }
        }
        let (all_full, all_initials) = pinyin_of(title);
        out.insert(all_full);
        out.insert(all_initials);
        // Every two characters, for homophone queries ("康付" → "kangfu" finds 康复中心 too).
        let chars: Vec<char> = title.chars().filter(|c| c.to_pinyin().is_some()).collect();
        for w in chars.windows(2) {
            out.insert(pinyin_of(&w.iter().collect::<String>()).0);
        }
        out.into_iter().filter(|t| !t.is_empty()).collect()
    }

    /// Replace the whole index with `docs`.
    pub fn replace_all(&self, docs: &[SearchDoc]) -> DomainResult<()> {
        let mut w = self.writer.lock().map_err(internal)?;
        w.delete_all_documents().map_err(internal)?;
        for d in docs {
            w.add_document(self.to_document(d)).map_err(internal)?;
        }
        w.commit().map_err(internal)?;
        drop(w);
        self.reader.reload().map_err(internal)
    }

    /// Add or replace one entry (`doc`), or remove entry `id` when `doc` is `None`.
    pub fn upsert(&self, id: Uuid, doc: Option<&SearchDoc>) -> DomainResult<()> {
        let mut w = self.writer.lock().map_err(internal)?;
        w.delete_term(Term::from_field_text(self.fields.id, &id.to_string()));
        if let Some(d) = doc {
            w.add_document(self.to_document(d)).map_err(internal)?;
        }
        w.commit().map_err(internal)?;
        drop(w);
        self.reader.reload().map_err(internal)
    }

    /// Number of indexed entries.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn build_query(&self, q: &str, kinds: &[EntryKind]) -> Option<Box<dyn Query>> {
        let f = self.fields;
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let boosted = |q: Box<dyn Query>, b: f32| -> (Occur, Box<dyn Query>) {
            (Occur::Should, Box::new(BoostQuery::new(q, b)))
        };
        let term = |field: Field, t: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, t),
                IndexRecordOption::WithFreqs,
            ))
        };
        // Character grams of the CJK (and other non-ASCII) runs.
        let lowered = q.to_lowercase();
        let mut grams = HashSet::new();
        for run in lowered
            .split(|c: char| c.is_ascii() || c.is_whitespace())
            .filter(|r| !r.is_empty())
        {
            let chars: Vec<char> = run.chars().collect();
            if chars.len() == 1 {
                grams.insert(chars[0].to_string());
            }
            for w in chars.windows(2) {
                grams.insert(w.iter().collect::<String>());
            }
        }
        for g in &grams {
            should.push(boosted(term(f.title, g), 3.0));
            should.push(boosted(term(f.body, g), 1.0));
        }
        // Homophones: the pinyin of every two typed characters and of each run, below the
        // characters themselves (exact terms: the index holds the pinyin of every two title
        // characters too).
        let mut sounds = HashSet::new();
        for run in lowered
            .split(|c: char| c.is_ascii() || c.is_whitespace())
            .filter(|r| r.chars().count() >= 2)
        {
            let chars: Vec<char> = run.chars().collect();
            for w in chars.windows(2) {
                sounds.insert(pinyin_of(&w.iter().collect::<String>()).0);
            }
            sounds.insert(pinyin_of(run).0);
        }
        for sound in sounds.iter().filter(|s| s.len() >= 4) {
            should.push(boosted(term(f.pinyin, sound), HOMOPHONE_BOOST));
        }
        // Whole words.
        for w in self.jieba.cut_for_search(&lowered, true) {
            let w = w.word.trim();
            if w.chars().count() >= 2 || (!w.is_ascii() && !w.is_empty()) {
                should.push(boosted(term(f.words, w), 2.0));
            }
        }
        // Pinyin, initials, prefixes and one typo.
        for token in lowered.split(|c: char| !c.is_ascii_alphanumeric()) {
            if token.len() < 2 || !token.chars().all(|c| c.is_ascii_lowercase()) {
                continue;
            }
            let t = Term::from_field_text(f.pinyin, token);
            should.push(boosted(term(f.pinyin, token), 4.0));
            should.push(boosted(
                Box::new(FuzzyTermQuery::new_prefix(t.clone(), 0, true)),
                2.0,
            ));
            if token.len() >= 5 {
                should.push(boosted(Box::new(FuzzyTermQuery::new(t, 1, true)), 1.0));
            }
        }
        if should.is_empty() {
            return None;
        }
        let mut must: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
        if !kinds.is_empty() && kinds.len() < EntryKind::ALL.len() {
            let kind_any: Vec<(Occur, Box<dyn Query>)> = kinds
                .iter()
                .map(|k| (Occur::Should, term(f.kind, k.as_str())))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(kind_any))));
        }
        Some(Box::new(BooleanQuery::new(must)))
    }

    /// Search: `q` as typed (Chinese, pinyin or initials), optionally only some kinds, best first.
    pub fn search(
        &self,
        q: &str,
        kinds: &[EntryKind],
        first: usize,
        offset: usize,
    ) -> DomainResult<SearchPage> {
        let q = q.trim();
        if q.is_empty() {
            return Err(DomainError::bad_input("query", "请输入搜索内容"));
        }
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(DomainError::bad_input(
                "query",
                format!("搜索内容不能超过{MAX_QUERY_CHARS}个字符"),
            ));
        }
        if q.chars().any(char::is_control) {
            return Err(DomainError::bad_input("query", "搜索内容含有控制字符"));
        }
        let first = first.clamp(1, MAX_HITS);
        let Some(query) = self.build_query(q, kinds) else {
            return Ok(SearchPage {
                hits: Vec::new(),
                total: 0,
            });
        };
        let searcher = self.reader.searcher();
        let (top, total) = searcher
            .search(
                &query,
                &(
                    TopDocs::with_limit(first).and_offset(offset).order_by((
                        SortBySimilarityScore,
                        (
                            SortByStaticFastValue::<u64>::for_field(TIE_FIELD),
                            Order::Asc,
                        ),
                    )),
                    Count,
                ),
            )
            .map_err(internal)?;
        let mut title_gen =
            SnippetGenerator::create(&searcher, &*query, self.fields.title).map_err(internal)?;
        title_gen.set_max_num_chars(200);
        let mut body_gen =
            SnippetGenerator::create(&searcher, &*query, self.fields.body).map_err(internal)?;
        body_gen.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for ((score, _tie), addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(internal)?;
            let text_of = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let Ok(id) = Uuid::parse_str(&text_of(self.fields.id)) else {
                continue;
            };
            let kind = EntryKind::from_stored(&text_of(self.fields.kind));
            let title_text = text_of(self.fields.title);
            let mut title = to_snippet(&title_gen.snippet_from_doc(&doc));
            if title.text.is_empty() {
                title = Snippet {
                    text: title_text,
                    highlights: Vec::new(),
                };
            }
            if title.highlights.is_empty() {
                title.highlights = pinyin_highlights(&title.text, q);
            }
            let mut body = to_snippet(&body_gen.snippet_from_doc(&doc));
            if body.text.is_empty() {
                body.text = text_of(self.fields.body)
                    .chars()
                    .take(SNIPPET_CHARS)
                    .collect();
            }
            hits.push(SearchHit {
                kind,
                id,
                score,
                title,
                body,
            });
        }
        Ok(SearchPage { hits, total })
    }

    /// Rebuild from every active catalog entry in the database; returns how many were indexed.
    pub async fn rebuild(&self, db: &Db) -> DomainResult<usize> {
        use sea_orm::EntityTrait;
        let mut docs = Vec::new();
        for p in policy::Entity::find().all(db.conn()).await? {
            docs.extend(policy_doc(&p));
        }
        for s in service_item::Entity::find().all(db.conn()).await? {
            docs.extend(service_doc(&s));
        }
        for i in institution::Entity::find().all(db.conn()).await? {
            docs.extend(institution_doc(&i));
        }
        for a in activity::Entity::find().all(db.conn()).await? {
            docs.extend(activity_doc(&a));
        }
        let verified: std::collections::HashMap<Uuid, enterprise::Model> =
            enterprise::Entity::find()
                .all(db.conn())
                .await?
                .into_iter()
                .map(|e| (e.id, e))
                .collect();
        for j in job::Entity::find().all(db.conn()).await? {
            if let Some(e) = verified.get(&j.enterprise_id) {
                docs.extend(job_doc(&j, e));
            }
        }
        self.replace_all(&docs)?;
        Ok(docs.len())
    }

    /// Re-read one entry from the database and update the index (removing it when it is gone
    /// or withdrawn).
    pub async fn refresh(&self, db: &Db, kind: EntryKind, id: Uuid) -> DomainResult<()> {
        use sea_orm::EntityTrait;
        let doc = match kind {
            EntryKind::Policy => policy::Entity::find_by_id(id)
                .one(db.conn())
                .await?
                .and_then(|p| policy_doc(&p)),
            EntryKind::ServiceItem => service_item::Entity::find_by_id(id)
                .one(db.conn())
                .await?
                .and_then(|s| service_doc(&s)),
            EntryKind::Institution => institution::Entity::find_by_id(id)
                .one(db.conn())
                .await?
                .and_then(|i| institution_doc(&i)),
            EntryKind::Activity => activity::Entity::find_by_id(id)
                .one(db.conn())
                .await?
                .and_then(|a| activity_doc(&a)),
            EntryKind::Job => match job::Entity::find_by_id(id).one(db.conn()).await? {
                Some(j) => enterprise::Entity::find_by_id(j.enterprise_id)
                    .one(db.conn())
                    .await?
                    .and_then(|e| job_doc(&j, &e)),
                None => None,
            },
        };
        self.upsert(id, doc.as_ref())
    }
}

/// Full pinyin (no tones) and initials of a text; ASCII letters and digits are kept as they are.
fn pinyin_of(text: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    for c in text.chars() {
        if let Some(p) = c.to_pinyin() {
            full.push_str(p.plain());
            initials.push_str(p.first_letter());
        } else if c.is_ascii_alphanumeric() {
            let l = c.to_ascii_lowercase();
            full.push(l);
            initials.push(l);
        }
    }
    (full, initials)
}

/// Where a pinyin or initials query matches a title: the first run of characters whose
/// initials equal a query token, or whose full pinyin equals or starts with it.
fn pinyin_highlights(title: &str, q: &str) -> Vec<Range<usize>> {
    let py: Vec<(String, String)> = title.chars().map(|c| pinyin_of(&c.to_string())).collect();
    let mut out = Vec::new();
    for token in q
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| t.len() >= 2)
    {
        'starts: for start in 0..py.len() {
            let (mut full, mut initials) = (String::new(), String::new());
            for (end, (f, i)) in py.iter().enumerate().skip(start) {
                if f.is_empty() {
                    break;
                }
                full.push_str(f);
                initials.push_str(i);
                if initials == token || full == token || full.starts_with(token) {
                    out.push(start..end + 1);
                    break 'starts;
                }
                if full.len() > token.len() && initials.len() > token.len() {
                    break;
                }
            }
        }
    }
    out
}

/// Byte ranges from tantivy to character ranges.
fn to_snippet(s: &tantivy::snippet::Snippet) -> Snippet {
    let text = s.fragment();
    let to_char = |byte: usize| text.get(..byte).map_or(0, |p| p.chars().count());
    let mut highlights: Vec<Range<usize>> = s
        .highlighted()
        .iter()
        .map(|r| to_char(r.start)..to_char(r.end))
        .collect();
    // Merge overlapping bigram highlights into runs.
    highlights.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(highlights.len());
    for r in highlights {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    Snippet {
        text: text.to_owned(),
        highlights: merged,
    }
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The indexed form of a policy (None when repealed policies should still be found: they are,
/// so this is always Some).
pub fn policy_doc(p: &policy::Model) -> Option<SearchDoc> {
    let tags = json_list(&p.tags).join(" ");
    Some(SearchDoc {
        kind: EntryKind::Policy,
        id: p.id,
        title: p.title.clone(),
        body: join(&[
            &tags,
            &p.issuer,
            p.document_number.as_deref().unwrap_or_default(),
            &p.full_text,
        ]),
        district: p.district_code.clone(),
    })
}

/// The indexed form of a service item (None when withdrawn).
pub fn service_doc(s: &service_item::Model) -> Option<SearchDoc> {
    if s.status != EntryStatus::Active.as_str() {
        return None;
    }
    Some(SearchDoc {
        kind: EntryKind::ServiceItem,
        id: s.id,
        title: s.name.clone(),
        body: join(&[
            &json_list(&s.tags).join(" "),
            &s.description,
            &json_list(&s.materials).join(" "),
        ]),
        district: s.district_code.clone(),
    })
}

/// The indexed form of an institution (None when withdrawn).
pub fn institution_doc(i: &institution::Model) -> Option<SearchDoc> {
    if i.status != EntryStatus::Active.as_str() {
        return None;
    }
    Some(SearchDoc {
        kind: EntryKind::Institution,
        id: i.id,
        title: i.name.clone(),
        body: join(&[
            &json_list(&i.services).join(" "),
            &i.address,
            &json_list(&i.accessibility).join(" "),
            &i.opening_hours,
        ]),
        district: Some(i.district_code.clone()),
    })
}

/// The indexed form of an activity: found while it is published and not yet over (drafts,
/// cancelled and finished ones are not).
pub fn activity_doc(a: &activity::Model) -> Option<SearchDoc> {
    use crate::activity::{ActivityKind, ActivityStatus};
    let live = matches!(
        ActivityStatus::from_stored(&a.status),
        ActivityStatus::Published | ActivityStatus::RegistrationClosed | ActivityStatus::InProgress
    );
    if !live {
        return None;
    }
    let kind = match ActivityKind::from_stored(&a.kind) {
        ActivityKind::Rehabilitation => "康复",
        ActivityKind::Training => "培训",
        ActivityKind::CultureSport => "文体",
        ActivityKind::AssistiveDevices => "辅具",
        ActivityKind::VolunteerService => "志愿服务",
        ActivityKind::Other => "",
    };
    let mut access = Vec::new();
    for (on, word) in [
        (a.step_free, "无障碍通道"),
        (a.accessible_toilet, "无障碍卫生间"),
        (a.hearing_loop, "助听环路"),
        (a.sign_language, "手语翻译"),
    ] {
        if on {
            access.push(word);
        }
    }
    Some(SearchDoc {
        kind: EntryKind::Activity,
        id: a.id,
        title: a.title.clone(),
        body: join(&[
            "活动",
            kind,
            &a.venue_address,
            &access.join(" "),
            &a.description,
        ]),
        district: (a.scope_code.len() >= 6 && a.scope_code != crate::types::CITY_CODE)
            .then(|| a.scope_code[..6].to_owned()),
    })
}

/// The indexed form of a job: found while it is open and its enterprise verified; by its title, the enterprise's name, the work's district and hours, the
/// accommodations offered and the description.
pub fn job_doc(j: &job::Model, e: &enterprise::Model) -> Option<SearchDoc> {
    use crate::employment::{Accommodation, EnterpriseStatus, JobStatus, WorkHours};
    let live = matches!(JobStatus::from_stored(&j.status), JobStatus::Open)
        && EnterpriseStatus::from_stored(&e.status) == EnterpriseStatus::Verified;
    if !live {
        return None;
    }
    let hours = match WorkHours::from_stored(&j.hours) {
        WorkHours::FullTime => "全职",
        WorkHours::PartTime => "兼职",
        WorkHours::Flexible => "弹性工作",
    };
    let access: Vec<&str> = j
        .accommodations
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|a| Accommodation::from_stored(a).label())
        .collect();
    Some(SearchDoc {
        kind: EntryKind::Job,
        id: j.id,
        title: j.title.clone(),
        body: join(&[
            "岗位 招聘 就业",
            &e.name,
            hours,
            &access.join(" "),
            &j.address,
            &j.description,
        ]),
        district: Some(j.district_code.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(kind: EntryKind, title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            kind,
            id: Uuid::now_v7(),
            title: title.to_owned(),
            body: body.to_owned(),
            district: None,
        }
    }

    fn index() -> (SearchIndex, Vec<SearchDoc>) {
        let idx = SearchIndex::new().unwrap();
        let docs = vec![
            doc(
                EntryKind::ServiceItem,
                "重度残疾人护理补贴",
                "对一级、二级重度残疾人按月发放护理补贴",
            ),
            doc(
                EntryKind::ServiceItem,
                "残疾儿童康复救助",
                "阳光宝宝卡 为0-6岁残疾儿童提供康复训练补助",
            ),
            doc(
                EntryKind::ServiceItem,
                "残疾人证办理",
                "首次申领第二代残疾人证 随申办 线上办理",
            ),
            doc(
                EntryKind::Institution,
                "浦东新区残疾人康复中心",
                "康复训练 辅具适配 无障碍坡道",
            ),
            doc(
                EntryKind::Policy,
                "上海市残疾人就业保障金征收使用管理办法",
                "按比例安排残疾人就业",
            ),
        ];
        idx.replace_all(&docs).unwrap();
        (idx, docs)
    }

    fn titles(idx: &SearchIndex, q: &str) -> Vec<String> {
        idx.search(q, &[], 10, 0)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.title.text)
            .collect()
    }

    #[test]
    fn finds_partial_words_pinyin_initials_and_typos() {
        let (idx, _) = index();
        assert_eq!(titles(&idx, "护理")[0], "重度残疾人护理补贴");
        assert_eq!(titles(&idx, "cjrz")[0], "残疾人证办理");
        let kangfu = titles(&idx, "kangfu");
        assert!(
            kangfu.contains(&"残疾儿童康复救助".to_owned()),
            "{kangfu:?}"
        );
        assert!(!kangfu.contains(&"残疾人证办理".to_owned()), "{kangfu:?}");
        // One wrong character, one wrong letter.
        assert_eq!(titles(&idx, "残疾人正办理")[0], "残疾人证办理");
        let typo = titles(&idx, "kangfo");
        assert!(typo.contains(&"残疾儿童康复救助".to_owned()), "{typo:?}");
        // Word-segmented query with a space.
        assert_eq!(titles(&idx, "护理 补贴")[0], "重度残疾人护理补贴");
        assert!(titles(&idx, "xyzzyq").is_empty());
        // Pinyin matches are highlighted on the title too.
        let hit = &idx.search("cjrz", &[], 1, 0).unwrap().hits[0];
        assert_eq!(hit.title.highlights, vec![0..4]);
        let hit = &idx.search("kangfu", &[], 1, 0).unwrap().hits[0];
        let marked: String = hit
            .title
            .text
            .chars()
            .skip(hit.title.highlights[0].start)
            .take(2)
            .collect();
        assert_eq!(marked, "康复");
    }

    #[test]
    fn homophone_typos_find_what_they_mean_below_exact_matches() {
        let (idx, _) = index();
        // 康付 sounds as 康复 (the commonest input-method slip).
        let kangfu = titles(&idx, "康付");
        assert!(
            kangfu.contains(&"残疾儿童康复救助".to_owned())
                && kangfu.contains(&"浦东新区残疾人康复中心".to_owned()),
            "{kangfu:?}"
        );
        assert_eq!(titles(&idx, "护里补贴")[0], "重度残疾人护理补贴");
        assert_eq!(titles(&idx, "残疾人正")[0], "残疾人证办理");
        // The characters typed outrank a homophone: 康复 typed exactly scores above 康付.
        let exact = idx.search("康复", &[], 1, 0).unwrap().hits[0].score;
        let sound = idx.search("康付", &[], 1, 0).unwrap().hits[0].score;
        assert!(exact > sound, "{exact} vs {sound}");
        // A query of other sounds finds nothing through pinyin.
        assert!(titles(&idx, "飞机").is_empty());
    }

    #[test]
    fn highlights_matches_and_filters_kinds() {
        let (idx, _) = index();
        let page = idx
            .search("康复", &[EntryKind::Institution], 10, 0)
            .unwrap();
        assert_eq!(page.total, 1);
        let hit = &page.hits[0];
        assert_eq!(hit.kind, EntryKind::Institution);
        let t = &hit.title;
        assert!(!t.highlights.is_empty());
        let marked: String = t
            .text
            .chars()
            .skip(t.highlights[0].start)
            .take(t.highlights[0].end - t.highlights[0].start)
            .collect();
        assert!(marked.contains("康复"), "{marked}");
    }

    #[test]
    fn updates_and_removals_are_seen_at_once_and_bad_queries_are_refused() {
        let (idx, docs) = index();
        let target = &docs[2];
        idx.upsert(target.id, None).unwrap();
        assert!(!titles(&idx, "cjrz").contains(&"残疾人证办理".to_owned()));
        let mut renamed = target.clone();
        renamed.title = "残疾人证换领".to_owned();
        idx.upsert(target.id, Some(&renamed)).unwrap();
        assert_eq!(titles(&idx, "换领")[0], "残疾人证换领");
        assert_eq!(idx.len(), 5);
        assert!(idx.search("   ", &[], 10, 0).is_err());
        assert!(idx.search(&"残".repeat(1000), &[], 10, 0).is_err());
        // Query syntax means nothing: it is text.
        assert!(idx.search("title:* OR 1=1 --\"", &[], 10, 0).is_ok());
    }
}
