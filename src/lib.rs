#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rustdoc::broken_intra_doc_links)]

/// `Display`, `Serialize` and `Deserialize` through `as_str` and
/// `From<&str>`, for the open string enums (an unknown value is kept, never a
/// decoding error).
macro_rules! open_string_enum {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                crate::text::bounded(f, crate::text::MAX_DISPLAY_CHARS, |w| {
                    w.write_str(self.as_str())
                })
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Ok(<$t>::from(&*s))
            }
        }
    };
}

mod balances;
pub mod client;
mod config;
mod error;
mod families;
pub mod family;
mod generated;
mod links;
pub mod mfa;
mod pagination;
mod redirect;
#[cfg(feature = "testing")]
pub mod testing;
mod text;

pub use balances::{ListQuery, RetrieveRequest, Retrieved};
pub use client::{ClientBuilder, Credentials, Environment, RetryPolicy};
pub use error::{ApiError, Error, ErrorCode, ErrorDetail};
pub use family::{Records, Resource, Retrieval};
pub use generated::{types, Client};
pub use links::{RegisterLink, UpdateCredentials};
pub use mfa::{FamilyName, PendingSession, Token, TokenChallenge, TokenKind};
pub use pagination::{Paginated, LIST_EXTRA_PAGES};
pub use text::MAX_DISPLAY_CHARS;

/// The Balances operations of a [`Client`]; get it with [`Client::balances`].
/// Version 0.1's struct, now the generic [`Resource`] of the
/// [`family::Balances`] family.
pub type Balances<'a> = Resource<'a, family::Balances>;

/// progenitor's runtime types, for calling the generated methods directly.
pub mod raw {
    pub use crate::generated::{ByteStream, ClientInfo, Error, ResponseValue};
}
