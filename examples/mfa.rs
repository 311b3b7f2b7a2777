//! The whole MFA flow — retrieve → 428 → token → resume — step by step.
//!
//! Without credentials it runs against the crate's embedded sandbox (no Belvo
//! account needed). With `BELVO_SECRET_ID` / `BELVO_SECRET_PASSWORD` set (and
//! `BELVO_ENV` or `BELVO_API_URL`) and `--link`, `--date-from`, `--date-to`,
//! it runs the same flow against the real API.
//!
//! ```sh
//! cargo run --example mfa
//! cargo run --example mfa -- --scenario token-twice --save-data false
//! cargo run --example mfa -- --help
//! ```

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use belvo::testing::{Sandbox, SandboxConfig, Scenario, SANDBOX_TOKEN};
use belvo::{Client, PendingSession, Retrieval, RetrieveRequest, Token};
use chrono::{NaiveDate, Utc};
use clap::Parser;

/// `println!` that ends the program quietly when stdout is closed (e.g.
/// piped into `head`) instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    };
}

/// Retrieve balances through Belvo's MFA pause, printing every step.
#[derive(Parser, Debug)]
#[command(name = "mfa", after_help = scenarios_help())]
struct Args {
    /// Sandbox scenario to run (see below). Ignored against the real API.
    #[arg(long, default_value = "token-once", value_parser = parse_scenario)]
    scenario: Scenario,
    /// Answer the MFA prompt with this token instead of asking.
    #[arg(long)]
    token: Option<String>,
    /// Whether Belvo persists the balances (true or false).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    save_data: bool,
    /// Link id (real API only; the sandbox picks the scenario's link).
    #[arg(long)]
    link: Option<uuid::Uuid>,
    /// First day, YYYY-MM-DD (default: 30 days ago).
    #[arg(long)]
    date_from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (default: today).
    #[arg(long)]
    date_to: Option<NaiveDate>,
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
    let real = std::env::var_os("BELVO_SECRET_ID").is_some();
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

    let request = RetrieveRequest::new(link, date_from, date_to).save_data(args.save_data);
    say!(
        "-> retrieve: link {link}, {date_from} to {date_to}, save_data={}",
        args.save_data
    );
    let mut step = client.balances().retrieve(&request).await?;
    let mut round = 0;
    let retrieved = loop {
        match step {
            Retrieval::Complete(r) => break r,
            Retrieval::TokenRequired(pending) => {
                round += 1;
                describe(&pending, round);
                let token = if pending.needs_token() {
                    Some(ask_token(&args, real)?)
                } else {
                    say!("   nothing to type: resuming without a token");
                    None
                };
                say!(
                    "-> resume: session {}, save_data={}",
                    pending.session(),
                    pending.save_data()
                );
                step = client.balances().resume(&pending, token).await?;
            }
        }
    };
    say!(
        "<- {} balance(s), {}",
        retrieved.balances.len(),
        if retrieved.persisted {
            "persisted by Belvo (201)"
        } else {
            "not persisted (200)"
        }
    );
    say!("");
    print_table(&retrieved.balances);
    Ok(())
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

fn ask_token(args: &Args, real: bool) -> Result<Token, Box<dyn std::error::Error>> {
    if let Some(t) = &args.token {
        say!("   token: from --token");
        return Ok(Token::new(t.clone()));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if real {
            print!("   token: ");
        } else {
            print!("   token (the sandbox accepts {SANDBOX_TOKEN}): ");
        }
        std::io::stdout().flush()?;
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

fn print_table(balances: &[belvo::types::Balance]) {
    let rows: Vec<[String; 4]> = balances
        .iter()
        .map(|b| {
            [
                // Belvo documents `account`, its name and its currency as nullable.
                b.account
                    .as_ref()
                    .map(|a| a.name.clone().unwrap_or_else(|| a.id.to_string()))
                    .unwrap_or_default(),
                b.account
                    .as_ref()
                    .and_then(|a| a.currency.clone())
                    .unwrap_or_default(),
                b.value_date.to_string(),
                b.balance.to_string(),
            ]
        })
        .collect();
    let header = ["ACCOUNT", "CURRENCY", "VALUE DATE", "BALANCE"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:>w3$}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        )
    };
    say!("{}", line(header));
    for row in &rows {
        say!("{}", line([&row[0], &row[1], &row[2], &row[3]]));
    }
}
