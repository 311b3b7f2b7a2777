//! The journey of an integration: register a link, then retrieve its
//! accounts, transactions and balances, answering every MFA pause (428) on
//! the way, each through the same generic flow (`retrieve_with_mfa`).
//!
//! Without Belvo's variables it runs against the embedded sandbox (no Belvo
//! account needed). With `BELVO_SECRET_ID` / `BELVO_SECRET_PASSWORD` (and
//! `BELVO_ENV` or `BELVO_API_URL`) it runs against the real API with
//! `--institution` and `--username`, and the user's bank password in
//! `BELVO_LINK_PASSWORD` (never on the command line, where `ps` and the
//! shell's history would show it).
//!
//! ```sh
//! cargo run --example journey
//! cargo run --example journey -- --username token-twice
//! BELVO_ENV=sandbox BELVO_SECRET_ID=.. BELVO_SECRET_PASSWORD=.. BELVO_LINK_PASSWORD=.. \
//!     cargo run --example journey -- --institution erebor_mx_retail --username bnk100
//! ```

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use belvo::testing::{Sandbox, Scenario, SANDBOX_TOKEN};
use belvo::{types, Client, PendingSession, RegisterLink, RetrieveRequest, Token};
use chrono::{NaiveDate, TimeDelta, Utc};
use clap::Parser;

/// Register a link, then retrieve its accounts, transactions and balances.
#[derive(Parser, Debug)]
#[command(name = "journey")]
struct Args {
    /// The institution's code.
    #[arg(long, default_value = "erebor_mx_retail")]
    institution: String,
    /// The user's username at the institution. In the sandbox, a scenario's
    /// name (e.g. `token-once`, `token-twice`, `inputless`, `no-mfa`) picks
    /// how the registration and the link's retrieves pause.
    #[arg(long)]
    username: Option<String>,
    /// Answer every MFA prompt with this token instead of asking.
    #[arg(long)]
    token: Option<String>,
    /// First day of transactions and balances, YYYY-MM-DD (default: 30 days ago).
    #[arg(long)]
    date_from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (default: today).
    #[arg(long)]
    date_to: Option<NaiveDate>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// `println!` that ends the program quietly when stdout is closed (e.g.
/// piped into `head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    };
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Failure> {
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
    let (client, _sandbox) = if real {
        (Client::from_env()?, None)
    } else {
        let sandbox = Sandbox::start().await?;
        say!("journey: embedded sandbox at {}", sandbox.base_url());
        (sandbox.client()?, Some(sandbox))
    };
    let username = match (&args.username, real) {
        (Some(u), _) => u.clone(),
        (None, false) => Scenario::TokenOnce.name().to_owned(),
        (None, true) => return Err("--username is required against the real API".into()),
    };
    let password = match (std::env::var("BELVO_LINK_PASSWORD"), real) {
        (Ok(p), _) => p,
        (Err(_), false) => "sandbox-password".to_owned(),
        (Err(_), true) => {
            return Err("set BELVO_LINK_PASSWORD to the user's bank password".into());
        }
    };
    let tokens = Tokens {
        fixed: args.token.clone(),
        real,
    };

    say!("1. register a link to {} as {username}", args.institution);
    let request = RegisterLink::new(&args.institution, &username, password);
    let link = client
        .links()
        .retrieve_with_mfa(&request, |p| tokens.answer(p))
        .await?;
    let link_id = link.id;
    say!(
        "   link {link_id}: status {}, access mode {}",
        link.status.as_deref().unwrap_or("-"),
        link.access_mode.as_deref().unwrap_or("-")
    );

    say!("2. accounts");
    let accounts = types::LinkRetrieveRequest {
        link: link_id,
        save_data: Some(true),
        token: None,
    };
    let accounts = client
        .accounts()
        .retrieve_with_mfa(&accounts, |p| tokens.answer(p))
        .await?;
    for a in &accounts.records {
        say!(
            "   {:<24} {:<18} {:>12} {}",
            a.name.as_deref().unwrap_or("-"),
            a.category.as_deref().unwrap_or("-"),
            a.balance
                .as_ref()
                .and_then(|b| b.current)
                .map_or_else(|| "-".to_owned(), |d| d.to_string()),
            a.currency.as_deref().unwrap_or("")
        );
    }

    let date_to = args.date_to.unwrap_or_else(|| Utc::now().date_naive());
    let date_from = args.date_from.unwrap_or(date_to - TimeDelta::days(30));
    say!("3. transactions, {date_from} to {date_to}");
    let dated = types::DateRangeRetrieveRequest {
        account: None,
        date_from,
        date_to,
        link: link_id,
        save_data: Some(true),
        token: None,
    };
    let transactions = client
        .transactions()
        .retrieve_with_mfa(&dated, |p| tokens.answer(p))
        .await?;
    for t in transactions.records.iter().take(10) {
        say!(
            "   {} {:<32} {:>12} {}",
            t.value_date.as_deref().unwrap_or("-"),
            t.description.as_deref().unwrap_or("-"),
            t.amount.map_or_else(|| "-".to_owned(), |d| d.to_string()),
            t.currency.as_deref().unwrap_or("")
        );
    }
    say!("   {} transaction(s)", transactions.records.len());

    say!("4. balances, {date_from} to {date_to}");
    let request = RetrieveRequest::new(link_id, date_from, date_to);
    let balances = client
        .balances()
        .retrieve_with_mfa(&request, |p| tokens.answer(p))
        .await?;
    for b in &balances.balances {
        say!("   {} {:>12}", b.value_date, b.balance);
    }
    say!(
        "done: 1 link, {} account(s), {} transaction(s), {} balance(s)",
        accounts.records.len(),
        transactions.records.len(),
        balances.balances.len()
    );
    Ok(())
}

/// Where tokens come from: `--token`, the terminal, or (in the sandbox, not
/// on a terminal) the sandbox's token.
struct Tokens {
    fixed: Option<String>,
    real: bool,
}

impl Tokens {
    fn answer(
        &self,
        pending: &PendingSession,
    ) -> impl std::future::Future<Output = Result<Option<Token>, Failure>> {
        let kind = pending
            .challenge()
            .map_or_else(|| "token".to_owned(), |c| c.kind.to_string());
        say!(
            "   428: the bank asks for a {kind} ({} session)",
            pending.family()
        );
        let token = if pending.needs_token() {
            self.get().map(Some)
        } else {
            approved(pending).map(|()| None)
        };
        async move { token }
    }

    fn get(&self) -> Result<Token, Failure> {
        if let Some(t) = &self.fixed {
            return Ok(Token::new(t.clone()));
        }
        let stdin = std::io::stdin();
        if stdin.is_terminal() {
            eprint!("   token: ");
            std::io::stderr().flush()?;
            let mut line = String::new();
            stdin.lock().read_line(&mut line)?;
            let line = line.trim();
            if line.is_empty() {
                return Err("no token typed".into());
            }
            return Ok(Token::new(line));
        }
        if self.real {
            return Err("the API asks for a token: pass --token or run on a terminal".into());
        }
        say!("   token: {SANDBOX_TOKEN} (answered automatically: not a terminal)");
        Ok(Token::new(SANDBOX_TOKEN))
    }
}

/// Nothing to type: the user approves the login (or scans the QR code) in
/// the bank's app; on a terminal, the resume waits for Enter.
fn approved(pending: &PendingSession) -> Result<(), Failure> {
    let challenge = pending.challenge();
    let said = challenge.and_then(|c| c.instructions.as_deref());
    say!(
        "   {}",
        said.unwrap_or("approve the login in the bank's app")
    );
    if let Some(value) = challenge.and_then(|c| c.value.as_deref()) {
        say!("   to scan: {value}");
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("   press Enter once done ");
        std::io::stderr().flush()?;
        stdin.lock().read_line(&mut String::new())?;
    }
    Ok(())
}
