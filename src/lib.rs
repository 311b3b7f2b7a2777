#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rustdoc::broken_intra_doc_links)]

mod balances;
pub mod client;
mod error;
mod generated;
pub mod mfa;
#[cfg(feature = "testing")]
pub mod testing;

pub use balances::{Balances, ListQuery, Retrieval, RetrieveRequest, Retrieved};
pub use client::{ClientBuilder, Credentials, Environment, RetryPolicy};
pub use error::{ApiError, Error, ErrorCode, ErrorDetail};
pub use generated::{types, Client};
pub use mfa::{PendingSession, Token, TokenChallenge, TokenKind};

/// progenitor's runtime types, for calling the generated methods directly.
pub mod raw {
    pub use crate::generated::{ByteStream, ClientInfo, Error, ResponseValue};
}
