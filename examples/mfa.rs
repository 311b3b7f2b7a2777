//! The whole MFA flow — retrieve → 428 → token → resume — step by step, for
//! any resource whose retrieve takes a link (`--resource`, balances by
//! default), printing what came back as a table (money exact).
//!
//! Without credentials it runs against the crate's embedded sandbox (no Belvo
//! account needed). With `BELVO_SECRET_ID` / `BELVO_SECRET_PASSWORD` set (and
//! `BELVO_ENV` or `BELVO_API_URL`) and `--link`, `--date-from`, `--date-to`,
//! it runs the same flow against the real API.
//!
//! ```sh
//! cargo run --example mfa
//! cargo run --example mfa -- --scenario token-twice --save-data false
//! cargo run --example mfa -- --resource transactions --scenario inputless
//! cargo run --example mfa -- --help
//! ```

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use belvo::family::{Resource, Resumable};
use belvo::testing::{Sandbox, SandboxConfig, Scenario, SANDBOX_TOKEN};
use belvo::{types, Client, PendingSession, Retrieval, RetrieveRequest, Token};
use chrono::{NaiveDate, Utc};
use clap::{Parser, ValueEnum};
use serde_json::Value;
use uuid::Uuid;

/// `println!` that ends the program quietly when stdout is closed (e.g.
/// piped into `head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    };
}

/// Retrieve a link's records through Belvo's MFA pause, printing every step.
#[derive(Parser, Debug)]
#[command(name = "mfa", after_help = scenarios_help())]
struct Args {
    /// What to retrieve.
    #[arg(long, value_enum, default_value_t = Kind::Balances)]
    resource: Kind,
    /// Sandbox scenario to run (see below). Ignored against the real API.
    #[arg(long, default_value = "token-once", value_parser = parse_scenario)]
    scenario: Scenario,
    /// Answer the MFA prompt with this token instead of asking.
    #[arg(long)]
    token: Option<String>,
    /// Whether Belvo persists the records (true or false).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    save_data: bool,
    /// Link id (real API only; the sandbox picks the scenario's link).
    #[arg(long)]
    link: Option<Uuid>,
    /// First day, YYYY-MM-DD (default: 30 days ago), for the resources
    /// retrieved by dates (balances, transactions, incomes, recurring
    /// expenses).
    #[arg(long)]
    date_from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (default: today).
    #[arg(long)]
    date_to: Option<NaiveDate>,
}

/// The resources whose retrieve takes a link and has a documented resume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Kind {
    Balances,
    Accounts,
    Transactions,
    Owners,
    Incomes,
    RecurringExpenses,
    RiskInsights,
    InvestmentPortfolios,
}

impl Kind {
    /// The table's columns: a header and where the value is in a record's
    /// JSON (a JSON pointer).
    fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Kind::Balances => &[
                ("ACCOUNT", "/account/name"),
                ("CURRENCY", "/account/currency"),
                ("VALUE DATE", "/value_date"),
                ("BALANCE", "/balance"),
            ],
            Kind::Accounts => &[
                ("NAME", "/name"),
                ("CATEGORY", "/category"),
                ("CURRENCY", "/currency"),
                ("CURRENT", "/balance/current"),
                ("AVAILABLE", "/balance/available"),
            ],
            Kind::Transactions => &[
                ("VALUE DATE", "/value_date"),
                ("DESCRIPTION", "/description"),
                ("TYPE", "/type"),
                ("CURRENCY", "/currency"),
                ("AMOUNT", "/amount"),
            ],
            Kind::Owners => &[
                ("NAME", "/display_name"),
                ("EMAIL", "/email"),
                ("PHONE", "/phone_number"),
            ],
            Kind::Incomes => &[
                ("SOURCE", "/income_source_type"),
                ("STREAMS", "/number_of_income_streams"),
                ("MONTHLY AVERAGE", "/monthly_average"),
                ("TOTAL", "/total_income_amount"),
            ],
            Kind::RecurringExpenses => &[
                ("NAME", "/name"),
                ("CATEGORY", "/category"),
                ("FREQUENCY", "/frequency"),
                ("AVERAGE", "/average_transaction_amount"),
            ],
            Kind::RiskInsights => &[("ID", "/id"), ("CREATED", "/created_at")],
            Kind::InvestmentPortfolios => &[
                ("NAME", "/name"),
                ("TYPE", "/type"),
                ("CURRENCY", "/currency"),
                ("NET", "/balance_net"),
            ],
        }
    }
}

fn scenarios_help() -> String {
    let mut s = String::from("Sandbox scenarios:\n");
    for sc in Scenario::ALL {
        s.push_str(&format!("  {:<12} {}\n", sc.name(), sc.description()));
    }
    s.push_str("\nReal API: set BELVO_SECRET_ID, BELVO_SECRET_PASSWORD (and BELVO_ENV or BELVO_API_URL), and pass --link.");
    s
}

fn parse_scenario(s: &str) -> Result<Scenario, String> {
    Scenario::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
        format!(
            "unknown scenario `{s}`; expected one of: {}",
            names.join(", ")
        )
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(e.as_ref());
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    // Any of Belvo's variables means the real API (and `Client::from_env`
    // says which one is missing), never a silent fall back to the sandbox.
    let real = [
        "BELVO_SECRET_ID",
        "BELVO_SECRET_PASSWORD",
        "BELVO_API_URL",
        "BELVO_ENV",
    ]
    .iter()
    .any(|v| std::env::var_os(v).is_some());
    let today = Utc::now().date_naive();
    let date_to = args.date_to.unwrap_or(today);
    let date_from = args
        .date_from
        .unwrap_or(date_to - chrono::TimeDelta::days(30));
    // Keep the sandbox alive for the whole run.
    let (client, link, _sandbox) = if real {
        let link = args.link.ok_or("--link is required against the real API")?;
        let client = Client::from_env()?;
        say!(
            "belvo MFA example: real API at {}",
            belvo::raw::ClientInfo::baseurl(&client)
        );
        (client, link, None)
    } else {
        let sandbox = Sandbox::start_with(SandboxConfig::default()).await?;
        say!(
            "belvo MFA example: embedded sandbox at {} (scenario: {})",
            sandbox.base_url(),
            args.scenario.name()
        );
        (sandbox.client()?, args.scenario.link(), Some(sandbox))
    };

    say!(
        "-> retrieve {}: link {link}, save_data={}",
        args.resource
            .to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_owned()),
        args.save_data
    );
    let save_data = Some(args.save_data);
    let by_link = types::LinkRetrieveRequest {
        link,
        save_data,
        token: None,
    };
    let dated = types::DateRangeRetrieveRequest {
        account: None,
        date_from,
        date_to,
        link,
        save_data,
        token: None,
    };
    let flow = Flow { args: &args, real };
    let (records, persisted) = match args.resource {
        Kind::Balances => {
            let request = RetrieveRequest::new(link, date_from, date_to).save_data(args.save_data);
            let out = flow.run(client.balances(), &request).await?;
            (as_json(&out.balances)?, out.persisted)
        }
        Kind::Accounts => records(flow.run(client.accounts(), &by_link).await?)?,
        Kind::Transactions => records(flow.run(client.transactions(), &dated).await?)?,
        Kind::Owners => records(flow.run(client.owners(), &by_link).await?)?,
        Kind::Incomes => {
            let request = types::IncomesRetrieveRequest {
                allowed_income_types: Vec::new(),
                date_from: Some(date_from),
                date_to: Some(date_to),
                link,
                minimum_confidence_level: None,
                save_data,
                token: None,
            };
            records(flow.run(client.incomes(), &request).await?)?
        }
        Kind::RecurringExpenses => {
            let request = types::PeriodRetrieveRequest {
                date_from,
                date_to,
                link,
                save_data,
                token: None,
            };
            records(flow.run(client.recurring_expenses(), &request).await?)?
        }
        Kind::RiskInsights => records(flow.run(client.risk_insights(), &by_link).await?)?,
        Kind::InvestmentPortfolios => {
            records(flow.run(client.investment_portfolios(), &by_link).await?)?
        }
    };
    say!(
        "<- {} record(s), {}",
        records.len(),
        if persisted {
            "persisted by Belvo (201)"
        } else {
            "not persisted (200)"
        }
    );
    say!("");
    print_table(args.resource.columns(), &records);
    Ok(())
}

type Failure = Box<dyn std::error::Error>;

/// The most MFA rounds answered before giving up (a bank that keeps asking
/// must not get the same one-time token forever).
const MAX_ROUNDS: u32 = 5;

/// The records as JSON, for the table (amounts stay exact: they are
/// decimals, written as they came).
fn as_json<T: serde::Serialize>(records: &[T]) -> Result<Vec<Value>, Failure> {
    Ok(records
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?)
}

fn records<T: serde::Serialize>(out: belvo::Records<T>) -> Result<(Vec<Value>, bool), Failure> {
    Ok((as_json(&out.records)?, out.persisted))
}

/// The flow of any family: retrieve, then on each 428 describe it, get a
/// token (unless inputless) and resume.
struct Flow<'a> {
    args: &'a Args,
    real: bool,
}

impl Flow<'_> {
    async fn run<F: Resumable>(
        &self,
        resource: Resource<'_, F>,
        request: &F::Request,
    ) -> Result<F::Output, Failure> {
        let mut step = resource.retrieve(request).await?;
        let mut round = 0;
        loop {
            let pending = match step {
                Retrieval::Complete(done) => return Ok(done),
                Retrieval::TokenRequired(pending) => pending,
            };
            round += 1;
            if round > MAX_ROUNDS {
                return Err(format!(
                    "still asked for a token after {MAX_ROUNDS} rounds: giving up"
                )
                .into());
            }
            describe(&pending, round);
            let token = if pending.needs_token() {
                Some(ask_token(self.args, self.real)?)
            } else {
                wait_for_approval(&pending)?;
                None
            };
            say!(
                "-> resume ({}): session {}, save_data={}",
                pending.family(),
                pending.session(),
                pending.save_data()
            );
            step = resource.resume(&pending, token).await?;
        }
    }
}

fn describe(p: &PendingSession, round: u32) {
    say!("<- 428 token required (round {round})");
    if let Some(c) = p.challenge() {
        say!(
            "   the bank asks for: {} token{}",
            c.kind,
            c.instructions
                .as_deref()
                .map(|i| format!(" - \"{i}\""))
                .unwrap_or_default()
        );
    } else if let Some(m) = p.message() {
        say!("   the bank says: {m}");
    }
    if let Some(deadline) = p.expires_at() {
        let left = (deadline - Utc::now()).num_seconds().max(0);
        say!(
            "   resume before {} ({left} s left)",
            deadline.format("%Y-%m-%d %H:%M:%S UTC")
        );
    }
}

/// Nothing to type: the user approves the login (or scans the QR code the
/// challenge's value holds) in the bank's app; on a terminal, the resume
/// waits for Enter.
fn wait_for_approval(p: &PendingSession) -> Result<(), Failure> {
    if let Some(value) = p.challenge().and_then(|c| c.value.as_deref()) {
        say!("   to scan or confirm in the bank's app: {value}");
    }
    if std::io::stdin().is_terminal() {
        eprint!("   nothing to type: press Enter once approved ");
        std::io::stderr().flush()?;
        std::io::stdin().lock().read_line(&mut String::new())?;
    } else {
        say!("   nothing to type: resuming without a token");
    }
    Ok(())
}

fn ask_token(args: &Args, real: bool) -> Result<Token, Failure> {
    if let Some(t) = &args.token {
        say!("   token: from --token");
        return Ok(Token::new(t.clone()));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if real {
            eprint!("   token: ");
        } else {
            eprint!("   token (the sandbox accepts {SANDBOX_TOKEN}): ");
        }
        std::io::stderr().flush()?;
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        let line = line.trim();
        if line.is_empty() {
            return Err("no token typed".into());
        }
        return Ok(Token::new(line));
    }
    if real {
        return Err("the API asks for a token: pass --token or run on a terminal".into());
    }
    say!("   token: {SANDBOX_TOKEN} (answered automatically: not a terminal)");
    Ok(Token::new(SANDBOX_TOKEN))
}

/// One cell: a string as is, a number (money) exactly as written, nothing
/// for `null` or an absent field.
fn cell(record: &Value, pointer: &str) -> String {
    match record.pointer(pointer) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn print_table(columns: &[(&str, &str)], records: &[Value]) {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| columns.iter().map(|(_, at)| cell(r, at)).collect())
        .collect();
    let mut widths: Vec<usize> = columns.iter().map(|(h, _)| h.chars().count()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len() - 1;
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                // The last column is the amount: right-aligned.
                if i == last {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    say!("{}", line(columns.iter().map(|(h, _)| *h).collect()));
    for row in &rows {
        say!("{}", line(row.iter().map(String::as_str).collect()));
    }
}
