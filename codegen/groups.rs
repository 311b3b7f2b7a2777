// The resource groups the client can leave out: each is a cargo feature of
// the belvo crate (all on by default, through `all-resources`), and names
// the folders (operation tags) of Belvo's collection it holds. `build.rs`
// `include!`s this file and drops the operations of every group whose
// feature is off, and the schemas only they use. Folders named in no group
// (Institutions, Links, Accounts, Transactions, Balances, Owners, the
// Connect widget; and any folder a later export adds) are always generated.

/// Feature name → the folders (tags) it generates.
const GROUPS: &[(&str, &[&str])] = &[
    ("investments", &["Investment Portfolios"]),
    ("receivables", &["Receivable Transactions"]),
    ("employment", &["Employment Records"]),
    (
        "enrichment",
        &[
            "Incomes",
            "Recurring Expenses",
            "Risk Insights",
            "Categorization",
            "Income Verification",
        ],
    ),
    (
        "fiscal",
        &[
            "Invoices",
            "Tax declarations",
            "Tax returns",
            "Tax status",
            "Tax retentions",
            "Tax compliance status",
        ],
    ),
    (
        "payments",
        &[
            "Secret Keys",
            "Payment Institutions",
            "Customers",
            "Bank Accounts",
            "Payment Links",
            "Payment Intents",
            "Payment Transactions",
        ],
    ),
];
