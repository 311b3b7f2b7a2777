//! Shared by the benchmarks: the response bodies, the hand-written baseline
//! types and a tiny local server.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::routing::any;
use axum::Router;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use uuid::Uuid;

pub mod wire;
#[allow(unused_imports)] // each bench uses some of them
pub use wire::{float, ResumeBody, LINK, SECRET_ID, SECRET_PASSWORD};

/// A JSON array of `n` balances shaped like Belvo's (and the sandbox's):
/// uuids, a date, a date-time, money with two decimals, a null statement.
pub fn balances_json(n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 330 + 2);
    out.push('[');
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let k = i as u128;
        let id = Uuid::from_u128(0x0c9f_1a2b_3c4d_4e5f_8a6b_0000_0000_0000 | k);
        let account = Uuid::from_u128(0x7d3e_55aa_1b2c_4d3e_9f10_0000_0000_0000 | (k % 7));
        let cents = 1_234_567 + 37 * i;
        let category = if i % 7 == 1 {
            "SAVINGS_ACCOUNT"
        } else {
            "CHECKING_ACCOUNT"
        };
        let day = 1 + i % 28;
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            concat!(
                r#"{{"id":"{id}","account":{{"id":"{account}","name":"Cuenta Nómina {n}","#,
                r#""category":"{category}","currency":"MXN"}},"value_date":"2024-01-{day:02}","#,
                r#""collected_at":"2024-01-{day:02}T12:00:00.000Z","balance":{units}.{frac:02},"#,
                r#""current_balance":{units}.{frac:02},"statement":null}}"#
            ),
            id = id,
            account = account,
            n = i % 7 + 1,
            category = category,
            day = day,
            units = cents / 100,
            frac = cents % 100,
        );
    }
    out.push(']');
    out.into_bytes()
}

/// A JSON array of `n` transactions shaped like Belvo's: the account they
/// belong to inline (as Belvo sends it), amounts and running balances with
/// two decimals, dates, a merchant, and the documented `null`s.
pub fn transactions_json(n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 900 + 2);
    out.push('[');
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let k = i as u128;
        let id = Uuid::from_u128(0x1e2f_3a4b_5c6d_4e7f_8091_0000_0000_0000 | k);
        let account = Uuid::from_u128(0x7d3e_55aa_1b2c_4d3e_9f10_0000_0000_0000 | (k % 7));
        let cents = 12_345 + 311 * i;
        let kind = if i % 3 == 0 { "INFLOW" } else { "OUTFLOW" };
        let day = 1 + i % 28;
        let _ = write!(
            out,
            concat!(
                r#"{{"id":"{id}","account":{{"id":"{account}","link":"{link}","#,
                r#""institution":{{"name":"erebor_mx_retail","type":"bank"}},"#,
                r#""collected_at":"2024-01-{day:02}T12:00:00.000Z","created_at":"2024-01-{day:02}T12:00:00.000Z","#,
                r#""category":"CHECKING_ACCOUNT","type":"Cuentas","name":"Cuenta Nómina {n}","#,
                r#""number":"4057068115181","balance":{{"current":5874.13,"available":5621.12}},"#,
                r#""currency":"MXN","public_identification_name":"CLABE","#,
                r#""public_identification_value":"150194683119900273","last_accessed_at":null,"#,
                r#""credit_data":null,"loan_data":null,"funds_data":null}},"#,
                r#""collected_at":"2024-01-{day:02}T12:00:00.000Z","created_at":"2024-01-{day:02}T12:00:00.000Z","#,
                r#""value_date":"2024-01-{day:02}","accounting_date":"2024-01-{day:02}T08:00:00.000Z","#,
                r#""amount":{units}.{frac:02},"balance":{bunits}.{frac:02},"currency":"MXN","#,
                r#""description":"PAGO TARJETA {i}","observations":null,"#,
                r#""merchant":{{"logo":null,"website":null,"merchant_name":"Tienda {n}"}},"#,
                r#""category":"Online Platforms & Leisure","subcategory":null,"reference":"{i}","#,
                r#""type":"{kind}","status":"PROCESSED","internal_identification":"{i}","#,
                r#""credit_card_data":null}}"#
            ),
            id = id,
            account = account,
            link = LINK,
            day = day,
            n = i % 7 + 1,
            units = cents / 100,
            bunits = 100_000 + cents / 100,
            frac = cents % 100,
            i = i,
            kind = kind,
        );
    }
    out.push(']');
    out.into_bytes()
}

/// What a careful engineer writes by hand: exact money, real dates and ids.
pub mod typed {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct Account {
        pub id: Uuid,
        pub category: String,
        pub currency: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct Balance {
        pub id: Uuid,
        pub account: Account,
        pub value_date: NaiveDate,
        pub collected_at: Option<DateTime<Utc>>,
        pub balance: Decimal,
        pub current_balance: Option<Decimal>,
        pub statement: Option<String>,
    }
}

/// The quickest hand-written decode: `f64` money and plain strings.
pub mod strings {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct Account {
        pub id: String,
        pub category: String,
        pub currency: Option<String>,
        pub name: Option<String>,
    }

    #[derive(Debug, Clone, PartialEq, Deserialize)]
    pub struct Balance {
        pub id: String,
        pub account: Account,
        pub value_date: String,
        pub collected_at: Option<String>,
        pub balance: f64,
        pub current_balance: Option<f64>,
        pub statement: Option<String>,
    }
}

/// The hand-written resume: reqwest + serde_json into `T`. The overhead
/// bench decodes into the crate's own generated `types::Balance` (the same
/// types, so the ratio is the crate's overhead alone); the decode and memory
/// benches compare those types with the smaller [`typed::Balance`].
pub async fn resume_by_hand<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    body: &ResumeBody<'_>,
) -> Result<T, reqwest::Error> {
    http.patch(url)
        .basic_auth(SECRET_ID, Some(SECRET_PASSWORD))
        .header(header::ACCEPT, "application/json")
        .json(body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}

/// A reqwest client configured like the crate's (same timeouts).
pub fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(belvo::client::DEFAULT_CONNECT_TIMEOUT)
        .timeout(belvo::client::DEFAULT_TIMEOUT)
        .build()
        .expect("a reqwest client builds")
}

/// A crate client pointed at `base_url`.
pub fn belvo_client(base_url: &str) -> belvo::Client {
    belvo::Client::builder()
        .base_url(base_url)
        .credentials(belvo::Credentials::new(SECRET_ID, SECRET_PASSWORD))
        .build()
        .expect("a belvo client builds")
}

/// Starts, on the current Tokio runtime, a server on `127.0.0.1` that reads
/// the request body and answers every request to `/api/balances/` with
/// `status` and the precomputed JSON `body`. Returns its base URL. It lives
/// as long as the runtime.
pub async fn serve_fixed(status: StatusCode, body: Bytes) -> std::io::Result<String> {
    let app = Router::new().route(
        "/api/balances/",
        any(move |_request: Bytes| {
            let body = body.clone();
            async move { (status, [(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("bench server stopped: {e}");
        }
    });
    Ok(format!("http://{addr}"))
}
