//! Every resource of Belvo's API besides Balances, declared for the generic
//! layer of [`family`](crate::family): one entry each, naming the generated
//! calls and types. The MFA flow, pagination, detail and delete are written
//! once, in `family.rs` and `pagination.rs`.
//!
//! - [`family!`] declares a family whose retrieve may pause for an MFA token
//!   (its `Request` is the generated body of its retrieve; its output is
//!   [`Records`]), with [`resume!`] for those Belvo documents a resume for.
//! - [`resource!`] declares a resource without a retrieve: detail (and
//!   delete) only.
//! - [`paginated!`] makes a generated list readable by [`Client::paginate`].
//!
//! Links, whose operations are not a retrieve, are in `links.rs`.

use chrono::NaiveDate;
use progenitor_client::ResponseValue;

use crate::error::Error;
#[cfg(any(feature = "receivables", feature = "employment"))]
use crate::family::Unresumable;
use crate::family::{Call, Family, Records, Resource, Sealed};
use crate::generated::{types, Client};
use crate::mfa::{FamilyName, PendingSession};
use crate::pagination::paginated;

/// A success body of one record, as the many a family's output holds.
/// (Belvo's collection documents some retrieves as answering one object and
/// their resumes as answering an array; the family's output is an array
/// either way.)
#[cfg(any(
    feature = "enrichment",
    feature = "investments",
    feature = "receivables"
))]
fn one_as_many<T: std::fmt::Debug>(one: ResponseValue<T>) -> ResponseValue<Vec<T>> {
    let Ok(many) = one.map::<_, _, std::convert::Infallible>(|v| vec![v]);
    many
}

/// The records of a transactions retrieve. Its `202 Accepted` (Belvo's
/// asynchronous mode, which this crate never asks for) has none: it is a
/// decoding error, never an empty list. (The error is the generated
/// client's own, which the generic layer classifies.)
#[allow(clippy::result_large_err)]
pub(crate) fn transactions_body(
    body: ResponseValue<types::TransactionsRetrieveSuccess>,
) -> Result<ResponseValue<Vec<types::Transaction>>, progenitor_client::Error> {
    let mut accepted = false;
    let Ok(records) = body.map::<_, _, std::convert::Infallible>(|b| match b {
        types::TransactionsRetrieveSuccess::Array(records) => records,
        types::TransactionsRetrieveSuccess::TransactionsAccepted(_) => {
            accepted = true;
            Vec::new()
        }
    });
    if accepted {
        // A body that is not the records: `call` reports it from the bytes
        // `exec` kept as they came (it reads this operation's success body
        // itself), decoded again as the records to say where they differ.
        return Err(progenitor_client::Error::InvalidResponsePayload(
            Default::default(),
            <serde_json::Error as serde::de::Error>::custom("not the records"),
        ));
    }
    Ok(records)
}

/// A retrieve body, checked before anything is sent (a retrieve opens a
/// live bank session): its dates in order.
pub(crate) trait Check {
    fn check(&self) -> Result<(), Error>;
}

/// `date_from` not after `date_to`, when both are given.
pub(crate) fn date_order(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<(), Error> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => Err(Error::InvalidRequest(format!(
            "date_from {from} is after date_to {to}"
        ))),
        _ => Ok(()),
    }
}

impl Check for types::LinkRetrieveRequest {
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Check for types::DateRangeRetrieveRequest {
    fn check(&self) -> Result<(), Error> {
        date_order(Some(self.date_from), Some(self.date_to))
    }
}

#[cfg(any(feature = "enrichment", feature = "receivables"))]
impl Check for types::PeriodRetrieveRequest {
    fn check(&self) -> Result<(), Error> {
        date_order(Some(self.date_from), Some(self.date_to))
    }
}

#[cfg(feature = "enrichment")]
impl Check for types::IncomesRetrieveRequest {
    fn check(&self) -> Result<(), Error> {
        date_order(self.date_from, self.date_to)
    }
}

#[cfg(feature = "fiscal")]
impl Check for types::InvoicesRetrieveRequest {
    fn check(&self) -> Result<(), Error> {
        date_order(Some(self.date_from), Some(self.date_to))
    }
}

#[cfg(feature = "employment")]
impl Check for types::EmploymentRecordsRetrieveRequest {
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// How a generated call's success body becomes a family's `Vec` of records.
macro_rules! shape {
    (as_is, $fut:expr) => {
        $crate::family::erase($fut)
    };
    (one, $fut:expr) => {
        $crate::family::erase(::futures::TryFutureExt::map_ok(
            $fut,
            $crate::families::one_as_many,
        ))
    };
    (transactions, $fut:expr) => {
        ::futures::FutureExt::boxed(::futures::TryFutureExt::and_then(
            $crate::family::erase($fut),
            |v| async move { $crate::families::transactions_body(v) },
        ))
    };
}
pub(crate) use shape;

/// Declares a family whose retrieve may answer 428: its marker type, its
/// [`Family`] (the generated retrieve and its body), its [`Listed`] and
/// [`Deletable`] (the generated detail and delete), its list's
/// [`Paginated`](crate::pagination::Paginated), and a shortcut on
/// [`Client`].
macro_rules! family {
    (
        $(#[$doc:meta])*
        $name:ident / $shortcut:ident: $record:ty {
            retrieve: $retrieve:ident($request:ty) -> $shape:ident,
            pending: $pending:ty,
            detail: $detail:ident -> $detail_ty:ty,
            delete: $delete:ident,
            list: $builder:ident => $page:ty,
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub enum $name {}

        impl Sealed for $name {}

        impl Family for $name {
            type Request = $request;
            type Body = Vec<$record>;
            type Output = Records<$record>;
            type Pending = $pending;

            fn name() -> FamilyName {
                FamilyName::$name
            }

            fn retrieve<'a>(
                c: &'a Client,
                r: &'a $request,
            ) -> Result<Call<'a, Self::Body>, Error> {
                Check::check(r)?;
                Ok($crate::families::shape!($shape, c.$retrieve().body(r.clone()).send()))
            }

            fn save_data(r: &$request) -> Option<bool> {
                r.save_data
            }

            fn complete(records: Vec<$record>, persisted: bool) -> Self::Output {
                Records { records, persisted }
            }
        }

        resource!(@listed $name: $detail_ty, ::uuid::Uuid, $detail(id), $delete);
        paginated!($builder => $page => $record);

        impl Client {
            #[doc = concat!("The operations of [`", stringify!($name), "`](crate::family::", stringify!($name), ") (hand-written layer).")]
            pub fn $shortcut(&self) -> Resource<'_, $name> {
                self.resource()
            }
        }
    };
}

/// Declares the resume of a family: `resume!(Family: generated_call, shape,
/// save_data)`, or `no_save_data` for the families whose resume takes none.
macro_rules! resume {
    ($name:ident: $resume:ident, $shape:ident, save_data) => {
        impl $crate::family::Resumable for $name {
            fn resume(
                c: &$crate::Client,
                b: $crate::family::ResumeBody,
            ) -> $crate::family::Call<'_, Self::Body> {
                let body = $crate::types::ResumeRequest {
                    link: b.link,
                    save_data: Some(b.save_data),
                    session: b.session,
                    token: b.token,
                };
                $crate::families::shape!($shape, c.$resume().body(body).send())
            }
        }
    };
    ($name:ident: $resume:ident, $shape:ident, no_save_data) => {
        impl $crate::family::Resumable for $name {
            fn resume(
                c: &$crate::Client,
                b: $crate::family::ResumeBody,
            ) -> $crate::family::Call<'_, Self::Body> {
                let body = $crate::types::ResumeRequestWithoutSaveData {
                    link: b.link,
                    session: b.session,
                    token: b.token,
                };
                $crate::families::shape!($shape, c.$resume().body(body).send())
            }
        }
    };
}
pub(crate) use resume;

/// Declares a resource without a retrieve (detail, and delete where Belvo
/// has one): `resource!(Name: Record, Id, detail(param), delete; list:
/// Builder => Page)`.
macro_rules! resource {
    (
        $(#[$doc:meta])*
        $name:ident: $record:ty, $id:ty, $detail:ident($param:ident) $(, $delete:ident)?;
        list: $builder:ident => $page:ty
    ) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub enum $name {}

        impl Sealed for $name {}

        resource!(@listed $name: $record, $id, $detail($param) $(, $delete)?);
        paginated!($builder => $page => $record);
    };
    (@listed $name:ident: $record:ty, $id:ty, $detail:ident($param:ident) $(, $delete:ident)?) => {
        impl $crate::family::Listed for $name {
            type Id = $id;
            type Record = $record;

            fn detail<'a>(
                c: &'a $crate::Client,
                id: &'a $id,
            ) -> $crate::family::Call<'a, $record> {
                $crate::family::erase(c.$detail().$param(id.clone()).send())
            }
        }
        $(
            impl $crate::family::Deletable for $name {
                fn delete<'a>(
                    c: &'a $crate::Client,
                    id: &'a $id,
                ) -> $crate::family::Call<'a, ()> {
                    $crate::family::erase(c.$delete().id(id.clone()).send())
                }
            }
        )?
    };
}
pub(crate) use resource;

family! {
    /// Accounts (`/api/accounts/`): retrieve and resume with the MFA pause,
    /// list, detail, delete.
    Accounts / accounts: types::Account {
        retrieve: accounts_retrieve(types::LinkRetrieveRequest) -> as_is,
        pending: PendingSession,
        detail: accounts_detail -> types::Account,
        delete: accounts_delete,
        list: AccountsList => types::AccountList,
    }
}
resume!(Accounts: accounts_resume, as_is, save_data);

family! {
    /// Transactions (`/api/transactions/`): retrieve (for a date range) and
    /// resume with the MFA pause, list, detail, delete.
    Transactions / transactions: types::Transaction {
        retrieve: transactions_retrieve(types::DateRangeRetrieveRequest) -> transactions,
        pending: PendingSession,
        detail: transactions_detail -> types::Transaction,
        delete: transactions_delete,
        list: TransactionsList => types::TransactionList,
    }
}
resume!(Transactions: transactions_resume, as_is, save_data);

family! {
    /// Owners (`/api/owners/`): retrieve and resume with the MFA pause, list,
    /// detail, delete.
    Owners / owners: types::Owner {
        retrieve: owners_retrieve(types::LinkRetrieveRequest) -> as_is,
        pending: PendingSession,
        detail: owners_detail -> types::Owner,
        delete: owners_delete,
        list: OwnersList => types::OwnerList,
    }
}
resume!(Owners: owners_resume, as_is, save_data);

#[cfg(feature = "enrichment")]
family! {
    /// Incomes (`/api/incomes/`): retrieve and resume with the MFA pause,
    /// list, detail, delete.
    Incomes / incomes: types::Income {
        retrieve: incomes_retrieve(types::IncomesRetrieveRequest) -> one,
        pending: PendingSession,
        detail: incomes_detail -> Vec<types::Income>,
        delete: incomes_delete,
        list: IncomesList => types::IncomeList,
    }
}
#[cfg(feature = "enrichment")]
resume!(Incomes: incomes_resume, as_is, save_data);

#[cfg(feature = "enrichment")]
family! {
    /// Recurring expenses (`/api/recurring-expenses/`): retrieve and resume
    /// with the MFA pause, list, detail, delete.
    RecurringExpenses / recurring_expenses: types::RecurringExpense {
        retrieve: recurring_expenses_retrieve(types::PeriodRetrieveRequest) -> as_is,
        pending: PendingSession,
        detail: recurring_expenses_detail -> Vec<types::RecurringExpense>,
        delete: recurring_expenses_delete,
        list: RecurringExpensesList => types::RecurringExpenseList,
    }
}
#[cfg(feature = "enrichment")]
resume!(RecurringExpenses: recurring_expenses_resume, as_is, save_data);

#[cfg(feature = "enrichment")]
family! {
    /// Risk insights (`/api/risk-insights/`): retrieve and resume with the
    /// MFA pause, list, detail, delete.
    RiskInsights / risk_insights: types::RiskInsight {
        retrieve: risk_insights_retrieve(types::LinkRetrieveRequest) -> as_is,
        pending: PendingSession,
        detail: risk_insights_detail -> Vec<types::RiskInsight>,
        delete: risk_insights_delete,
        list: RiskInsightsList => types::RiskInsightList,
    }
}
#[cfg(feature = "enrichment")]
resume!(RiskInsights: risk_insights_resume, as_is, save_data);

#[cfg(feature = "investments")]
family! {
    /// Investment portfolios (`/investments/portfolios/`): retrieve and
    /// resume (which takes no `save_data`) with the MFA pause, list, detail,
    /// delete.
    InvestmentPortfolios / investment_portfolios: types::Portfolio {
        retrieve: investment_portfolios_retrieve(types::LinkRetrieveRequest) -> one,
        pending: PendingSession,
        detail: investment_portfolios_detail -> types::Portfolio,
        delete: investment_portfolios_delete,
        list: InvestmentPortfoliosList => types::PortfolioList,
    }
}
#[cfg(feature = "investments")]
resume!(InvestmentPortfolios: investment_portfolios_resume, one, no_save_data);

#[cfg(feature = "fiscal")]
family! {
    /// Invoices (`/api/invoices/`): retrieve, and the resume Belvo documents
    /// for it, list, detail, delete.
    Invoices / invoices: types::Invoice {
        retrieve: invoices_retrieve(types::InvoicesRetrieveRequest) -> as_is,
        pending: PendingSession,
        detail: invoices_detail -> types::Invoice,
        delete: invoices_delete,
        list: InvoicesList => types::InvoiceList,
    }
}
#[cfg(feature = "fiscal")]
resume!(Invoices: invoices_resume, as_is, save_data);

#[cfg(feature = "receivables")]
family! {
    /// Receivable transactions (`/receivables/transactions/`): a retrieve
    /// that may answer 428 with no documented resume ([`Unresumable`]),
    /// list, detail, delete.
    ReceivableTransactions / receivable_transactions: types::ReceivableTransaction {
        retrieve: receivable_transactions_retrieve(types::PeriodRetrieveRequest) -> one,
        pending: Unresumable,
        detail: receivable_transactions_detail -> types::ReceivableTransaction,
        delete: receivable_transactions_delete,
        list: ReceivableTransactionsList => types::ReceivableTransactionList,
    }
}

#[cfg(feature = "employment")]
family! {
    /// Employment records (`/api/employment-records/`): a retrieve that may
    /// answer 428 with no documented resume ([`Unresumable`]), list, detail,
    /// delete.
    EmploymentRecords / employment_records: types::EmploymentRecord {
        retrieve: employment_records_retrieve(types::EmploymentRecordsRetrieveRequest) -> as_is,
        pending: Unresumable,
        detail: employment_records_detail -> types::EmploymentRecord,
        delete: employment_records_delete,
        list: EmploymentRecordsList => types::EmploymentRecordList,
    }
}

resource! {
    /// Institutions (`/api/institutions/`): list and detail (by numeric id).
    Institutions: types::Institution, i64, institutions_detail(id);
    list: InstitutionsList => types::InstitutionList
}

#[cfg(feature = "fiscal")]
resource! {
    /// Tax compliance status (`/api/tax-compliance-status/`): detail, delete.
    TaxComplianceStatuses: types::TaxComplianceStatus, ::uuid::Uuid, tax_compliance_status_detail(id), tax_compliance_status_delete;
    list: TaxComplianceStatusList => types::TaxComplianceStatusList
}

#[cfg(feature = "fiscal")]
resource! {
    /// Tax declarations (`/api/tax-declarations/`): detail, delete.
    TaxDeclarations: types::TaxDeclarationRecord, ::uuid::Uuid, tax_declarations_detail(id), tax_declarations_delete;
    list: TaxDeclarationsList => types::TaxDeclarationList
}

#[cfg(feature = "fiscal")]
resource! {
    /// Tax retentions (`/api/tax-retentions/`): detail, delete.
    TaxRetentions: types::TaxRetention, ::uuid::Uuid, tax_retentions_detail(id), tax_retentions_delete;
    list: TaxRetentionsList => types::TaxRetentionList
}

#[cfg(feature = "fiscal")]
resource! {
    /// Tax returns (`/api/tax-returns/`): detail, delete.
    TaxReturns: types::TaxReturn, ::uuid::Uuid, tax_returns_detail(id), tax_returns_delete;
    list: TaxReturnsList => types::TaxReturnList
}

#[cfg(feature = "fiscal")]
resource! {
    /// Tax status (`/api/tax-status/`): detail, delete.
    TaxStatuses: types::TaxStatus, ::uuid::Uuid, tax_status_detail(id), tax_status_delete;
    list: TaxStatusList => types::TaxStatusList
}

// Belvo documents the secret keys' list without a `page` parameter.
#[cfg(feature = "payments")]
paginated!(unpaged SecretKeysList => types::SecretKeyList => types::SecretKeyId);

#[cfg(feature = "payments")]
resource! {
    /// Bank accounts of payments (`/payments/bank-accounts/`): detail.
    BankAccounts: types::BankAccount, ::uuid::Uuid, bank_accounts_detail(id);
    list: BankAccountsList => types::BankAccountList
}

#[cfg(feature = "payments")]
resource! {
    /// Customers of payments (`/payments/customers/`): detail.
    Customers: types::Customer, ::uuid::Uuid, customers_detail(id);
    list: CustomersList => types::CustomerList
}

#[cfg(feature = "payments")]
resource! {
    /// Payment institutions (`/payments/institutions/`): detail.
    PaymentInstitutions: types::PaymentInstitution, ::uuid::Uuid, payment_institutions_detail(id);
    list: PaymentInstitutionsList => types::PaymentInstitutionList
}

#[cfg(feature = "payments")]
resource! {
    /// Payment intents (`/payments/payment-intents/`): detail.
    PaymentIntents: types::PaymentIntent, ::uuid::Uuid, payment_intents_detail(id);
    list: PaymentIntentsList => types::PaymentIntentList
}

#[cfg(feature = "payments")]
resource! {
    /// Payment links (`/payments/payment-links/`): detail (by access token).
    PaymentLinks: types::PaymentLink, String, payment_links_detail(access_token);
    list: PaymentLinksList => types::PaymentLinkList
}

#[cfg(feature = "payments")]
resource! {
    /// Payment transactions (`/payments/transactions/`): detail.
    PaymentTransactions: types::PaymentTransaction, ::uuid::Uuid, payment_transactions_detail(id);
    list: PaymentTransactionsList => types::PaymentTransactionList
}
