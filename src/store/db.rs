//! One connection to either engine the store runs on, SQLite or PostgreSQL, behind the calls the
//! store makes: the store writes one SQL, with SQLite's `?N` parameters, and values that
//! convert here once. PostgreSQL's parameters are rewritten to `$N` when a statement is first
//! prepared; its statements are kept prepared per connection, as SQLite's cache does.
//!
//! Values are SQLite's five (NULL, integer, real, text, blob) on both sides: PostgreSQL's
//! columns are BIGINT, DOUBLE PRECISION, TEXT and BYTEA (booleans are 0/1 BIGINTs as in
//! SQLite), and what an expression gives there (a COUNT, a SUM's NUMERIC) reads as the same.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;

use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// No `source`: PostgreSQL's words are the whole message (its error's own chain would
    /// repeat them as "db error: ERROR: …").
    #[error("{}", pg_message(.0))]
    Postgres(postgres::Error),
    #[error("query returned no rows")]
    NoRows,
    #[error("column {0}: {1}")]
    Column(usize, String),
}

impl Error {
    /// A column's value that cannot be what the store expects (bad JSON, an unknown name).
    pub fn column(index: usize, why: impl std::fmt::Display) -> Error {
        Error::Column(index, why.to_string())
    }

    /// A UNIQUE or PRIMARY KEY constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Error::Sqlite(e) => matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::ConstraintViolation)
            ),
            Error::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }

    pub fn sqlite_code(&self) -> Option<rusqlite::ErrorCode> {
        match self {
            Error::Sqlite(e) => e.sqlite_error_code(),
            _ => None,
        }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        Error::Postgres(e)
    }
}

/// PostgreSQL's own words (`ERROR: relation "x" does not exist`), not the client's "db error".
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("PostgreSQL: {}", db.message()),
        None => format!("PostgreSQL: {e}"),
    }
}

/// `query_row(...).optional()`: no row is None, as rusqlite's `OptionalExtension`.
pub trait OptionalExt<T> {
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExt<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(Error::NoRows | Error::Sqlite(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A value going in or coming out, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A value read back and kept, whatever its type: a row copied from one store to another.
#[derive(Debug, Clone, PartialEq)]
pub enum Owned {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl FromCol for Owned {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        Ok(Owned::from_value(v))
    }
}

impl Owned {
    /// A parameter's value, kept.
    pub fn of(p: &dyn Param) -> Owned {
        Owned::from_value(p.value())
    }

    fn from_value(v: Value<'_>) -> Owned {
        match v {
            Value::Null => Owned::Null,
            Value::Int(i) => Owned::Int(i),
            Value::Real(f) => Owned::Real(f),
            Value::Text(s) => Owned::Text(s.to_owned()),
            Value::Blob(b) => Owned::Blob(b.to_vec()),
        }
    }
}

/// Values kept, as parameters.
pub fn params_of(values: &[Owned]) -> Vec<&dyn Param> {
    values.iter().map(|v| v as &dyn Param).collect()
}

impl Param for Owned {
    fn value(&self) -> Value<'_> {
        match self {
            Owned::Null => Value::Null,
            Owned::Int(i) => Value::Int(*i),
            Owned::Real(f) => Value::Real(*f),
            Owned::Text(s) => Value::Text(s),
            Owned::Blob(b) => Value::Blob(b),
        }
    }
}

/// A value the store binds to a parameter.
pub trait Param {
    fn value(&self) -> Value<'_>;
}

/// A column's value read back.
pub trait FromCol: Sized {
    fn from_col(v: Value<'_>) -> Result<Self, String>;
}

/// What a statement's parameters may be given as: `params![a, b]`, an array of one type, or
/// a list built at run time.
pub trait Params {
    fn list(&self) -> Vec<&dyn Param>;
}

impl Params for &[&dyn Param] {
    fn list(&self) -> Vec<&dyn Param> {
        self.to_vec()
    }
}

impl<T: Param, const N: usize> Params for [T; N] {
    fn list(&self) -> Vec<&dyn Param> {
        self.iter().map(|p| p as &dyn Param).collect()
    }
}

impl Params for &Vec<Box<dyn Param>> {
    fn list(&self) -> Vec<&dyn Param> {
        self.iter().map(|p| &**p as &dyn Param).collect()
    }
}

impl Params for &Vec<&dyn Param> {
    fn list(&self) -> Vec<&dyn Param> {
        self.to_vec()
    }
}

/// `params![a, b]`: the parameters of one statement, `?1` first.
#[macro_export]
macro_rules! db_params {
    () => { &[] as &[&dyn $crate::store::db::Param] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::store::db::Param),+] as &[&dyn $crate::store::db::Param] };
}
pub use crate::db_params as params;

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            fn value(&self) -> Value<'_> {
                // Past i64 (a u64 only): the largest SQLite holds, as a count saturates.
                Value::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
        impl FromCol for $t {
            fn from_col(v: Value<'_>) -> Result<Self, String> {
                match v {
                    Value::Int(i) => <$t>::try_from(i).map_err(|_| format!("{i} out of range")),
                    other => Err(format!("expected an integer, found {}", kind(other))),
                }
            }
        }
    )*};
}
int_param!(i64, i32, u32, u16, u8, u64, usize);

fn kind(v: Value<'_>) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Int(_) => "an integer",
        Value::Real(_) => "a real",
        Value::Text(_) => "text",
        Value::Blob(_) => "a blob",
    }
}

impl Param for bool {
    fn value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}
impl FromCol for bool {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        i64::from_col(v).map(|i| i != 0)
    }
}
impl Param for f64 {
    fn value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}
impl FromCol for f64 {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(format!("expected a real, found {}", kind(other))),
        }
    }
}
impl Param for str {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl Param for String {
    fn value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl FromCol for String {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.to_owned()),
            other => Err(format!("expected text, found {}", kind(other))),
        }
    }
}
impl Param for [u8] {
    fn value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl Param for Vec<u8> {
    fn value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl<const N: usize> Param for [u8; N] {
    fn value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl FromCol for Vec<u8> {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b.to_vec()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            other => Err(format!("expected a blob, found {}", kind(other))),
        }
    }
}
impl<T: Param> Param for Option<T> {
    fn value(&self) -> Value<'_> {
        self.as_ref().map_or(Value::Null, Param::value)
    }
}
impl<T: FromCol> FromCol for Option<T> {
    fn from_col(v: Value<'_>) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_col(v).map(Some),
        }
    }
}
impl<T: Param + ?Sized> Param for &T {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}
impl<T: Param + ?Sized> Param for Box<T> {
    fn value(&self) -> Value<'_> {
        (**self).value()
    }
}

/// A column's place in a row (a trait so that `get(0)` needs no suffix).
pub trait ColIndex {
    fn index(self) -> usize;
}
impl ColIndex for usize {
    fn index(self) -> usize {
        self
    }
}

/// A row of a result, from either engine.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a postgres::Row),
}

impl Row<'_> {
    pub fn get<I: ColIndex, T: FromCol>(&self, index: I) -> Result<T> {
        let i = index.index();
        let conv = |v: Value<'_>| T::from_col(v).map_err(|why| Error::Column(i, why));
        match self {
            Row::Sqlite(row) => {
                use rusqlite::types::ValueRef as V;
                let v = match row.get_ref(i)? {
                    V::Null => Value::Null,
                    V::Integer(n) => Value::Int(n),
                    V::Real(f) => Value::Real(f),
                    V::Text(t) => Value::Text(
                        std::str::from_utf8(t).map_err(|e| Error::Column(i, e.to_string()))?,
                    ),
                    V::Blob(b) => Value::Blob(b),
                };
                conv(v)
            }
            Row::Postgres(row) => {
                let v: PgValue = row.try_get(i)?;
                conv(v.borrow())
            }
        }
    }
}

/// SQLite's binding of a store value.
struct SqliteBind<'a>(&'a dyn Param);

impl rusqlite::ToSql for SqliteBind<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as V};
        Ok(ToSqlOutput::Borrowed(match self.0.value() {
            Value::Null => V::Null,
            Value::Int(i) => V::Integer(i),
            Value::Real(f) => V::Real(f),
            Value::Text(s) => V::Text(s.as_bytes()),
            Value::Blob(b) => V::Blob(b),
        }))
    }
}

fn sqlite_params<'a>(params: &'a [&'a dyn Param]) -> impl rusqlite::Params + 'a {
    rusqlite::params_from_iter(params.iter().map(|p| SqliteBind(*p)))
}

/// PostgreSQL's binding of a store value: written as the type the server asks for, as SQLite
/// would take any value anywhere (an integer for a DOUBLE PRECISION, text for an unknown).
#[derive(Debug)]
struct PgBind<'a>(Value<'a>);

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for PgBind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        match (self.0, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Value::Int(i), &Type::INT4) => i32::try_from(i)?.to_sql(ty, out),
            (Value::Int(i), &Type::INT2) => i16::try_from(i)?.to_sql(ty, out),
            (Value::Int(i), &Type::FLOAT8) => (i as f64).to_sql(ty, out),
            (Value::Int(i), &Type::BOOL) => (i != 0).to_sql(ty, out),
            (Value::Int(i), _) => i.to_string().as_str().to_sql(&Type::TEXT, out),
            (Value::Real(f), &Type::FLOAT8) => f.to_sql(ty, out),
            (Value::Real(f), &Type::FLOAT4) => (f as f32).to_sql(ty, out),
            (Value::Real(f), _) => f.to_string().as_str().to_sql(&Type::TEXT, out),
            (Value::Text(s), &Type::BYTEA) => s.as_bytes().to_sql(ty, out),
            // PostgreSQL's text cannot hold NUL, which a hostile server may send: it is
            // stored as U+FFFD, as an undecodable byte is.
            (Value::Text(s), _) if s.contains('\0') => s
                .replace('\0', "\u{fffd}")
                .as_str()
                .to_sql(&Type::TEXT, out),
            (Value::Text(s), _) => s.to_sql(&Type::TEXT, out),
            (Value::Blob(b), _) => b.to_sql(&Type::BYTEA, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A PostgreSQL column's value, whatever its type.
enum PgValue {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl PgValue {
    fn borrow(&self) -> Value<'_> {
        match self {
            PgValue::Null => Value::Null,
            PgValue::Int(i) => Value::Int(*i),
            PgValue::Real(f) => Value::Real(*f),
            PgValue::Text(s) => Value::Text(s),
            PgValue::Blob(b) => Value::Blob(b),
        }
    }
}

impl<'a> FromSql<'a> for PgValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(match *ty {
            Type::INT8 => PgValue::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => PgValue::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => PgValue::Int(i16::from_sql(ty, raw)?.into()),
            Type::OID => PgValue::Int(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => PgValue::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => PgValue::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => PgValue::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => PgValue::Blob(raw.to_vec()),
            _ => PgValue::Text(<&str>::from_sql(&Type::TEXT, raw)?.to_owned()),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(PgValue::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A NUMERIC (what PostgreSQL's SUM of BIGINTs gives) as SQLite would hold it: an integer when
/// it is one and fits, else a real.
fn numeric(raw: &[u8]) -> Result<PgValue, BoxError> {
    let word = |i: usize| -> Result<i16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short NUMERIC".into())
    };
    let (ndigits, weight, sign) = (word(0)?, word(1)?, word(2)? as u16);
    if sign == 0xC000 {
        return Ok(PgValue::Real(f64::NAN));
    }
    let mut int: Option<i128> = Some(0);
    let mut real = 0f64;
    for d in 0..ndigits.max(0) as usize {
        let digit = word(4 + d)?;
        let power = i32::from(weight) - d as i32;
        real += f64::from(digit) * 10f64.powi(4 * power);
        int = match (int, power >= 0) {
            (Some(n), true) => 10_000i128
                .checked_pow(power as u32)
                .and_then(|p| p.checked_mul(digit.into()))
                .and_then(|v| n.checked_add(v)),
            (n, false) if digit == 0 => n,
            _ => None,
        };
    }
    let negative = sign == 0x4000;
    match int.and_then(|n| i64::try_from(n).ok()) {
        Some(n) => Ok(PgValue::Int(if negative { -n } else { n })),
        _ => Ok(PgValue::Real(if negative { -real } else { real })),
    }
}

/// `?1` and `?` as PostgreSQL's `$1`, outside quotes and comments.
pub fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut next = 1usize;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push(c);
                for q in chars.by_ref() {
                    out.push(q);
                    if q == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(c);
                for q in chars.by_ref() {
                    out.push(q);
                    if q == '\n' {
                        break;
                    }
                }
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = digits.parse().unwrap_or(next);
                next = next.max(n + 1);
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    out
}

/// A PostgreSQL connection and the statements it has prepared.
pub struct Pg {
    client: RefCell<postgres::Client>,
    prepared: RefCell<HashMap<String, postgres::Statement>>,
}

/// Dynamic statements (filters) are prepared too; past this many, the cache starts over.
const PG_CACHE: usize = 512;

impl Pg {
    pub fn new(client: postgres::Client) -> Pg {
        Pg {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
        }
    }

    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.prepared.borrow().get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client.borrow_mut().prepare(&pg_sql(sql))?;
        let mut cache = self.prepared.borrow_mut();
        if cache.len() >= PG_CACHE {
            cache.clear();
        }
        cache.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    fn rows(&self, sql: &str, params: &[&dyn Param]) -> Result<Vec<postgres::Row>> {
        let stmt = self.statement(sql)?;
        let binds: Vec<PgBind<'_>> = params.iter().map(|p| PgBind(p.value())).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = binds.iter().map(|b| b as _).collect();
        Ok(self.client.borrow_mut().query(&stmt, &refs)?)
    }

    fn execute(&self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        let stmt = self.statement(sql)?;
        let binds: Vec<PgBind<'_>> = params.iter().map(|p| PgBind(p.value())).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = binds.iter().map(|b| b as _).collect();
        let n = self.client.borrow_mut().execute(&stmt, &refs)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub fn batch_execute(&self, sql: &str) -> Result<()> {
        Ok(self.client.borrow_mut().batch_execute(sql)?)
    }

    /// `sql` run once with each of `columns` bound as one array (`$1` the first), so that
    /// `unnest($1::bigint[], …)` takes a batch's rows in one round trip instead of one each.
    fn array_rows(&self, sql: &str, columns: &[Vec<Owned>]) -> Result<Vec<postgres::Row>> {
        let stmt = self.statement(sql)?;
        let binds: Vec<Vec<PgBind<'_>>> = columns
            .iter()
            .map(|c| c.iter().map(|v| PgBind(v.value())).collect())
            .collect();
        let refs: Vec<&(dyn ToSql + Sync)> = binds.iter().map(|b| b as _).collect();
        Ok(self.client.borrow_mut().query(&stmt, &refs)?)
    }
}

/// The store's connection.
pub enum Conn {
    Sqlite(rusqlite::Connection),
    Postgres(Box<Pg>),
}

impl Conn {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Conn::Postgres(_))
    }

    /// `hint` on SQLite (an `INDEXED BY`, a `+` that keeps a column off an index), nothing on
    /// PostgreSQL, which has no such syntax and plans without it.
    pub fn sqlite_hint<'h>(&self, hint: &'h str) -> &'h str {
        if self.is_postgres() { "" } else { hint }
    }

    /// SQLite's connection, for what only SQLite has (pragmas, functions, file control).
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Sqlite(c) => Some(c),
            Conn::Postgres(_) => None,
        }
    }

    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute(sql, sqlite_params(&params.list()))?),
            Conn::Postgres(pg) => pg.execute(sql, &params.list()),
        }
    }

    /// PostgreSQL only (SQLite has no arrays): `sql` with each of `columns` bound as one
    /// array, `f` called on each row it returns.
    pub fn for_each_arrays(
        &self,
        sql: &str,
        columns: &[Vec<Owned>],
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Conn::Postgres(pg) => {
                for row in pg.array_rows(sql, columns)? {
                    f(&Row::Postgres(&row))?;
                }
                Ok(())
            }
            Conn::Sqlite(_) => Err(Error::Sqlite(rusqlite::Error::InvalidQuery)),
        }
    }

    /// Several statements without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(pg) => pg.batch_execute(sql),
        }
    }

    pub fn query_row<T>(
        &self,
        sql: &str,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare(sql)?;
                let list = params.list();
                let mut rows = stmt.query(sqlite_params(&list))?;
                let value = match rows.next()? {
                    Some(row) => f(&Row::Sqlite(row))?,
                    None => return Err(Error::NoRows),
                };
                // Run to the end: an INSERT … RETURNING outside a transaction commits when
                // its statement finishes, and a failure there (a full disk) must not be lost.
                while rows.next()?.is_some() {}
                Ok(value)
            }
            Conn::Postgres(pg) => match pg.rows(sql, &params.list())?.first() {
                Some(row) => f(&Row::Postgres(row)),
                None => Err(Error::NoRows),
            },
        }
    }

    /// A statement kept prepared for the next call with the same text.
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        match self {
            Conn::Sqlite(c) => Ok(Stmt::Sqlite(c.prepare_cached(sql)?)),
            Conn::Postgres(pg) => Ok(Stmt::Postgres {
                pg,
                sql: sql.to_owned(),
            }),
        }
    }

    /// A statement prepared for this use only (a query built for one call).
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        match self {
            Conn::Sqlite(c) => Ok(Stmt::SqliteOnce(c.prepare(sql)?)),
            Conn::Postgres(pg) => Ok(Stmt::Postgres {
                pg,
                sql: sql.to_owned(),
            }),
        }
    }

    /// Begins a transaction, rolled back unless committed. `immediate`: SQLite takes the write
    /// lock at once (a writer that reads first would otherwise fail to upgrade when busy).
    pub fn transaction(&self, immediate: bool) -> Result<Tx<'_>> {
        match self {
            Conn::Sqlite(c) => {
                c.execute_batch(if immediate {
                    "BEGIN IMMEDIATE"
                } else {
                    "BEGIN"
                })?;
            }
            Conn::Postgres(pg) => pg.batch_execute("BEGIN")?,
        }
        Ok(Tx {
            conn: self,
            done: false,
        })
    }
}

/// A statement, prepared.
pub enum Stmt<'a> {
    Sqlite(rusqlite::CachedStatement<'a>),
    SqliteOnce(rusqlite::Statement<'a>),
    Postgres { pg: &'a Pg, sql: String },
}

impl<'c> Stmt<'c> {
    fn sqlite(&mut self) -> Option<&mut rusqlite::Statement<'c>> {
        match self {
            Stmt::Sqlite(s) => Some(s),
            Stmt::SqliteOnce(s) => Some(s),
            Stmt::Postgres { .. } => None,
        }
    }

    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        if let Some(s) = self.sqlite() {
            return Ok(s.execute(sqlite_params(&params.list()))?);
        }
        match self {
            Stmt::Postgres { pg, sql } => pg.execute(sql, &params.list()),
            _ => unreachable!("SQLite handled above"),
        }
    }

    /// Every row mapped by `f`, in order.
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let mut out = Vec::new();
        self.for_each(params, |row| {
            out.push(f(row));
            Ok(())
        })?;
        Ok(out.into_iter())
    }

    /// Calls `f` on each row in order, stopping at its first error.
    pub fn for_each(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        if let Some(s) = self.sqlite() {
            let list = params.list();
            let mut rows = s.query(sqlite_params(&list))?;
            while let Some(row) = rows.next()? {
                f(&Row::Sqlite(row))?;
            }
            return Ok(());
        }
        match self {
            Stmt::Postgres { pg, sql } => {
                for row in pg.rows(sql, &params.list())? {
                    f(&Row::Postgres(&row))?;
                }
                Ok(())
            }
            _ => unreachable!("SQLite handled above"),
        }
    }

    pub fn query_row<T>(
        &mut self,
        params: impl Params,
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut f = Some(f);
        let mut out = None;
        self.for_each(params, |row| {
            if let Some(f) = f.take() {
                out = Some(f(row));
            }
            Ok(())
        })?;
        out.unwrap_or(Err(Error::NoRows))
    }

    pub fn exists(&mut self, params: impl Params) -> Result<bool> {
        self.query_row(params, |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
    }
}

/// A transaction: rolled back when dropped uncommitted.
pub struct Tx<'a> {
    conn: &'a Conn,
    done: bool,
}

impl Tx<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.conn.execute_batch("COMMIT")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Nothing to tell if it fails: the connection is gone, and with it the transaction.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_dollars_outside_quotes() {
        assert_eq!(
            pg_sql("a = ?1 AND b = ?2 OR c = ?1"),
            "a = $1 AND b = $2 OR c = $1"
        );
        assert_eq!(pg_sql("a = ? AND b = ?"), "a = $1 AND b = $2");
        assert_eq!(
            pg_sql("x = '?1' AND y = ?3 AND z = ?"),
            "x = '?1' AND y = $3 AND z = $4"
        );
        assert_eq!(pg_sql("-- what?\nx = ?"), "-- what?\nx = $1");
    }

    #[test]
    fn numerics_read_as_sqlite_would() {
        // 12345678: weight 1, digits [1234, 5678].
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0x04, 0xD2, 0x16, 0x2E];
        assert!(matches!(numeric(&raw), Ok(PgValue::Int(12_345_678))));
        // -1.5: weight 0, digits [1, 5000], scale 1.
        let raw = [0, 2, 0, 0, 0x40, 0, 0, 1, 0, 1, 0x13, 0x88];
        assert!(matches!(numeric(&raw), Ok(PgValue::Real(f)) if f == -1.5));
        // 0: no digits.
        let raw = [0, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(numeric(&raw), Ok(PgValue::Int(0))));
    }
}
