//! Column and index shorthands shared by the migrations (the schema they build is in each
//! migration; these only spell common column kinds once).

use sea_orm_migration::prelude::*;

/// A UUID primary key.
pub fn id<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().primary_key().to_owned()
}
/// A required UUID.
pub fn uuid<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}
/// A required string of at most `len` characters.
pub fn text<T: IntoIden>(c: T, len: u32) -> ColumnDef {
    ColumnDef::new(c).string_len(len).not_null().to_owned()
}
/// An optional string of at most `len` characters.
pub fn opt_text<T: IntoIden>(c: T, len: u32) -> ColumnDef {
    ColumnDef::new(c).string_len(len).null().to_owned()
}
/// Required long text.
pub fn long_text<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).text().not_null().to_owned()
}
/// A required integer.
pub fn int<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).integer().not_null().to_owned()
}
/// A required timestamp with time zone.
pub fn at<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}
/// An optional timestamp with time zone.
pub fn opt_at<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

/// Create an index `name` on `cols` of `table`.
pub async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    cols: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create().name(name).table(table).to_owned();
    for c in cols {
        i.col(c);
    }
    if unique {
        i.unique();
    }
    manager.create_index(i).await
}

/// A required 64-bit integer (money in fen).
pub fn big<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().to_owned()
}
/// An optional 64-bit integer.
pub fn opt_big<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).big_integer().null().to_owned()
}
/// An optional UUID.
pub fn opt_uuid<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).uuid().null().to_owned()
}
/// Required binary (ciphertext, blind indexes).
pub fn bytes<T: IntoIden>(c: T) -> ColumnDef {
    ColumnDef::new(c).blob().not_null().to_owned()
}
