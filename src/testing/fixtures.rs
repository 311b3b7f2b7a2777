//! The records the sandbox serves, made in code by typed fixtures: one
//! function per resource, named in its [`Resource`](super::resources::Resource) entry.
//!
//! Ids are uuid v5 (name-based): the same link, account and day give the same
//! ids in every sandbox and every run.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use super::resources::{Batch, Record};

/// The namespace of every uuid the sandbox derives.
pub(super) const NAMESPACE: Uuid = Uuid::from_u128(0x5a2f_0c1e_7b3d_4e8a_9c61_5a4d_b0c5_0000);

/// A name-based (v5) uuid for `name`.
pub(super) fn derived_uuid(name: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, name.as_bytes())
}

/// A Balance as Belvo answers it (the collection's Retrieve "Created" example).
#[derive(Debug, Serialize)]
struct Balance {
    id: Uuid,
    account: BalanceAccount,
    value_date: NaiveDate,
    balance: Decimal,
    current_balance: Option<Decimal>,
    statement: Option<String>,
    collected_at: Option<DateTime<Utc>>,
}

/// The account summary inside a Balance.
#[derive(Debug, Serialize)]
struct BalanceAccount {
    id: Uuid,
    name: Option<String>,
    category: Option<&'static str>,
    currency: Option<&'static str>,
}

/// The balances of `batch.link` on `batch.day`, one per account: account `i`
/// holds `12345.67 + i` MXN (the second one is a savings account).
pub(super) fn balances(batch: &Batch) -> Vec<Record> {
    (0..batch.accounts)
        .map(|index| {
            let account = derived_uuid(&format!("account/{}/{index}", batch.link));
            let id = derived_uuid(&format!("balance/{}/{index}/{}", batch.link, batch.day));
            let amount = Decimal::new(1_234_567, 2) + Decimal::from(index);
            let collected_at = batch.day.and_time(NaiveTime::MIN) + chrono::TimeDelta::hours(12);
            let balance = if batch.documented_nulls {
                Balance {
                    id,
                    account: BalanceAccount {
                        id: account,
                        name: None,
                        category: match index {
                            0 => None,
                            1 => Some("DIGITAL_WALLET"),
                            _ => Some("CHECKING_ACCOUNT"),
                        },
                        currency: None,
                    },
                    value_date: batch.day,
                    balance: amount,
                    current_balance: None,
                    statement: None,
                    collected_at: None,
                }
            } else {
                Balance {
                    id,
                    account: BalanceAccount {
                        id: account,
                        name: Some(format!("Cuenta Nómina {}", index + 1)),
                        category: Some(if index == 1 {
                            "SAVINGS_ACCOUNT"
                        } else {
                            "CHECKING_ACCOUNT"
                        }),
                        currency: Some("MXN"),
                    },
                    value_date: batch.day,
                    balance: amount,
                    current_balance: Some(amount),
                    statement: None,
                    collected_at: Some(collected_at.and_utc()),
                }
            };
            record(batch.link, Some(account), id, &balance)
        })
        .collect()
}

/// `body` as a stored record.
fn record(link: Uuid, account: Option<Uuid>, id: Uuid, body: &impl Serialize) -> Record {
    Record {
        id,
        link,
        account,
        // Fixtures are plain data: serializing them to a `Value` cannot fail.
        body: serde_json::to_value(body).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn batch(documented_nulls: bool) -> Batch {
        Batch {
            link: Uuid::from_u128(7),
            day: NaiveDate::from_ymd_opt(2024, 1, 31).expect("date"),
            accounts: 3,
            documented_nulls,
        }
    }

    /// The first element of the `201` example of `POST /api/balances/` in the
    /// collection the client is generated from.
    fn collection_balance() -> Value {
        let collection: Value =
            serde_json::from_str(include_str!("../../openapi/belvo.postman_collection.json"))
                .expect("collection");
        let folders = collection["item"].as_array().expect("folders");
        let example = folders
            .iter()
            .flat_map(|f| f["item"].as_array().into_iter().flatten())
            .filter(|item| {
                item["request"]["method"] == "POST"
                    && item["request"]["url"]["raw"]
                        .as_str()
                        .is_some_and(|u| u.contains("/api/balances/"))
            })
            .flat_map(|item| item["response"].as_array().into_iter().flatten())
            .find(|r| r["code"] == 201)
            .expect("a 201 example");
        let body: Value =
            serde_json::from_str(example["body"].as_str().expect("body")).expect("JSON");
        body[0].clone()
    }

    fn keys(v: &Value) -> Vec<&String> {
        v.as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default()
    }

    #[test]
    fn balances_have_the_fields_of_belvos_example() {
        let sample = collection_balance();
        for nulls in [false, true] {
            for record in balances(&batch(nulls)) {
                assert_eq!(keys(&record.body), keys(&sample), "{}", record.body);
                // Belvo's example embeds the whole account (21 fields); the
                // sandbox sends the summary the client reads, each field one
                // of Belvo's.
                let account = keys(&sample["account"]);
                for key in keys(&record.body["account"]) {
                    assert!(account.contains(&key), "{key}: {}", record.body);
                }
            }
        }
    }

    #[test]
    fn ids_are_derived_and_distinct() {
        let once = balances(&batch(false));
        let again = balances(&batch(true));
        let ids: Vec<Uuid> = once.iter().map(|r| r.id).collect();
        assert_eq!(ids, again.iter().map(|r| r.id).collect::<Vec<_>>());
        assert_eq!(
            ids.iter().collect::<std::collections::HashSet<_>>().len(),
            3
        );
        assert!(ids.iter().all(|id| id.get_version_num() == 5));
        let next_day = balances(&Batch {
            day: NaiveDate::from_ymd_opt(2024, 1, 30).expect("date"),
            ..batch(false)
        });
        assert_ne!(next_day[0].id, once[0].id);
        assert_eq!(next_day[0].account, once[0].account);
        assert_eq!(
            once[0].body["account"]["id"],
            once[0].account.map(|a| a.to_string()).unwrap_or_default()
        );
    }

    #[test]
    fn documented_nulls_are_null() {
        let records = balances(&batch(true));
        for r in &records {
            for field in ["current_balance", "statement", "collected_at"] {
                assert!(r.body[field].is_null(), "{field}: {}", r.body);
            }
            for field in ["name", "currency"] {
                assert!(r.body["account"][field].is_null(), "{field}: {}", r.body);
            }
            assert!(r.body["balance"].is_number(), "{}", r.body);
        }
        let categories: Vec<&Value> = records
            .iter()
            .map(|r| &r.body["account"]["category"])
            .collect();
        assert_eq!(
            categories,
            [
                &Value::Null,
                &Value::from("DIGITAL_WALLET"),
                &Value::from("CHECKING_ACCOUNT")
            ]
        );
    }
}
